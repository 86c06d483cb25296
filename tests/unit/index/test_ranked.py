"""A page chosen by partition is exactly the slice of the fully sorted order, ties included."""

from __future__ import annotations

import os
import random

import numpy as np

from index.search import Ranked

SEED = int(os.environ.get("GONGKAI_SEED", "20261204"))


def test_partitioned_pages_equal_slices_of_the_sorted_order() -> None:
    rng = random.Random(SEED)
    print(f"seed {SEED}")
    for _ in range(200):
        n = rng.randrange(1, 3000)
        docs = np.sort(np.array(rng.sample(range(10 * n), n), dtype=np.int32))
        # few distinct scores: many ties, broken by the secondary key
        primary = -np.array([rng.choice((0.5, 1.0, 1.5, 2.0)) for _ in range(n)], dtype=np.float32)
        secondary = np.array(rng.sample(range(n), n), dtype=np.int32)
        full = docs[np.lexsort((secondary, primary))]
        offset, limit = rng.randrange(0, 60), rng.randrange(1, 30)
        fresh = Ranked(docs, primary, secondary, {})
        assert np.array_equal(fresh.window(offset, limit), full[offset : offset + limit])
        assert np.array_equal(fresh.order, full)
        assert np.array_equal(fresh.window(offset, limit), full[offset : offset + limit])
