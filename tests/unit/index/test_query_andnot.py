"""NOT with a filter (issue 16 item 1): Whoosh's AndNotMatcher.skip_to read the positive side after it ran out;
the query engine no longer uses Whoosh's matchers, and this oracle keeps the combination honest."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from index_testkit import ListCatalogue, build_pg, make_doc, open_backend

from index import IndexSettings, SearchQuery, rebuild_index

SEED = int(os.environ.get("GONGKAI_SEED", "16"))


def test_not_query_with_a_topic_filter_matches_the_oracle(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """The shape of `gongkai search '度学 -公安' --topic 公安`, then seeded (rare, NOT, filter) combinations."""
    print("seed", SEED)
    rng = random.Random(SEED)
    words = ["度学", "公安", "交通", "枫桥", "法治", "政府"]
    topics = ["公安", "交通", "其他"]
    docs = [
        make_doc("d1", 1, body="度学 公安", topic="公安", title="一"),
        make_doc("d2", 2, body="度学", topic="其他", title="二"),
        make_doc("d3", 3, body="公安", topic="公安", title="三"),
        make_doc("d4", 4, body="公安", topic="公安", title="四"),
    ]
    for n in range(5, 400):
        body = " ".join(rng.choices(words, weights=[1, 12, 6, 2, 6, 8], k=rng.randint(1, 4)))
        docs.append(make_doc(f"d{n}", n, body=body, topic=rng.choice(topics), title=f"文件{n}"))
    index_dir = tmp_path / "index"
    settings = IndexSettings()
    rebuild_index(ListCatalogue(docs), index_dir, settings)
    cases = [("度学", "公安", "公安")] + [
        (rng.choice(words), rng.choice(words), rng.choice(topics)) for _ in range(150)
    ]
    url = (
        build_pg(request.getfixturevalue("pg_server"), ListCatalogue(docs))
        if backend == "postgresql"
        else None
    )
    with open_backend(backend, index_dir, url, settings) as searcher:
        for positive, negative, topic in cases:
            if positive == negative:
                continue
            expected = {
                d.doc_id
                for d in docs
                if positive in d.fields.body and negative not in d.fields.body and d.fields.topic == topic
            }
            query = SearchQuery(q=f"{positive} -{negative}", topics=(topic,), limit=100)
            page = searcher.search(query)
            assert {hit.id for hit in page.hits} == expected, (positive, negative, topic, SEED)
            assert set(searcher.matching_ids(query)) == expected
