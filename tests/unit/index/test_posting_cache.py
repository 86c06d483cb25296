"""The process-wide posting cache changes no answer: whole cached lists restricted to candidates equal the
blocks read for those candidates, and searches through a cache that keeps (and evicts) every term give the same
totals, order and facets as searches without one."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
from index_testkit import ListCatalogue, load_demo

from index import IndexCache, IndexSettings, Searcher, SearchQuery, rebuild_index
from index.analyzer import fold
from index.columns import segment_readers
from index.postcache import PostingCache
from index.postings import list_span, read_directory, read_postings, read_term, restrict, term_info

SEED = int(os.environ.get("GONGKAI_SEED", "20261203"))
DOCS = load_demo(120, seed=3)
S = IndexSettings()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("postcache") / "index"
    rebuild_index(ListCatalogue(DOCS), where, S)
    return where


def _pieces(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        body = fold(rng.choice(DOCS).fields.body or "")
        size = rng.choice((2, 3, 4, 5))
        if len(body) > size:
            at = rng.randrange(len(body) - size)
            piece = body[at : at + size]
            if all("\u4e00" <= c <= "\u9fff" for c in piece):
                out.append(piece)
    return out


def test_restrict_equals_reading_the_candidates(index_dir: Path) -> None:
    rng = random.Random(SEED)
    print(f"seed {SEED}")
    with Searcher(index_dir, S) as searcher:
        segreader = segment_readers(searcher._searcher.reader())[0][0]
        n = segreader.doc_count_all()
        for piece in _pieces(rng, 40):
            gram = piece[:2]
            wanted = np.array(sorted(rng.sample(range(n + 5), rng.randrange(1, n))), dtype=np.int32)
            for positions in (False, True):
                whole = read_postings(segreader, "body_ng", gram, positions=positions)
                direct = read_postings(segreader, "body_ng", gram, positions=positions, wanted=wanted)
                cut = restrict(whole, wanted, positions)
                assert np.array_equal(cut.ids, direct.ids), gram
                assert np.array_equal(cut.weights, direct.weights)
                if positions:
                    assert cut.pos_owner is not None and direct.pos_owner is not None
                    assert cut.positions is not None and direct.positions is not None
                    assert np.array_equal(cut.pos_owner, direct.pos_owner)
                    assert np.array_equal(cut.positions, direct.positions)


def test_blocks_found_by_a_directory_equal_a_walk_of_every_header(index_dir: Path) -> None:
    rng = random.Random(SEED + 2)
    with Searcher(index_dir, S) as searcher:
        segreader = segment_readers(searcher._searcher.reader())[0][0]
        postfile = segreader._terms._postfile
        n = segreader.doc_count_all()
        checked = 0
        for piece in _pieces(rng, 60):
            info = term_info(segreader, "body_ng", piece[:2])
            if info is None or info.is_inlined():
                continue
            directory, _buf = read_directory(postfile, *list_span(info))
            wanted = np.array(sorted(rng.sample(range(n), rng.randrange(1, n))), dtype=np.int32)
            for w in (None, wanted):
                plain = read_term(segreader, info, True, w)
                found = read_term(segreader, info, True, w, directory)
                assert np.array_equal(plain.ids, found.ids)
                assert plain.positions is not None and found.positions is not None
                assert np.array_equal(plain.positions, found.positions)
            checked += 1
        assert checked >= 10


def test_searches_through_a_cache_that_keeps_and_evicts_every_term_answer_the_same(index_dir: Path) -> None:
    rng = random.Random(SEED + 1)
    cached = IndexCache()
    # every list cached and every directory kept, with constant eviction of both
    cached.postings = PostingCache(
        max_bytes=64 * 1024, max_directory_bytes=4096, min_df=1, min_directory_df=1
    )
    pieces = _pieces(rng, 60)
    for round_ in range(2):  # the second round answers from whatever the first left cached
        for i, piece in enumerate(pieces):
            q = piece if i % 3 else f"{piece} {pieces[(i + 7) % len(pieces)]}"
            query = SearchQuery(q=q, limit=10, sort=("relevance", "newest")[i % 2])
            with Searcher(index_dir, S) as plain:
                expect = plain.search(query)
            cached._results.clear()
            searcher = cached.checkout(index_dir, S)
            try:
                got = searcher.search(query)
            finally:
                cached.checkin(searcher)
            assert got.total == expect.total, (round_, q)
            assert [h.id for h in got.hits] == [h.id for h in expect.hits], (round_, q)
            assert got.facets == expect.facets
    assert 0 < cached.postings.size_bytes <= 64 * 1024 + 4096
