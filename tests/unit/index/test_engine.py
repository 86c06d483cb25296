"""The array engine against a brute-force oracle over the demo generator's documents (whose truth is known):
random AND/OR/NOT queries of literals cut from the texts, with agency/topic/date filters and every sort; exact
totals, facet counts over every match, sort order, no query = newest first, and a result cache that a changed
index can never answer from."""

from __future__ import annotations

import dataclasses
import os
import random
from pathlib import Path

import pytest
from index_testkit import ListCatalogue, load_demo, make_doc

from archive.models import Document
from index import IndexCache, IndexSettings, Searcher, SearchQuery, rebuild_index, update_index
from index.analyzer import fold
from index.query import Lit, Node, Tree, parse

SEED = int(os.environ.get("GONGKAI_SEED", "20261202"))


FIRST = load_demo(160, seed=7)
# the index gets FIRST[:120] in a rebuild, then an update adds the rest and changes one (a deleted posting in
# the first segment): the oracle knows only the final texts
CHANGED = dataclasses.replace(
    FIRST[5], seq=10_000, fields=dataclasses.replace(FIRST[5].fields, body="改版后的正文：只剩这一句话。")
)
DOCS = [CHANGED if d.doc_id == CHANGED.doc_id else d for d in FIRST]
S = IndexSettings()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("engine") / "index"
    # two segments: a rebuild of most documents, then an update adding the rest and changing one
    rebuild_index(ListCatalogue(FIRST[:120]), where, S)
    update_index(ListCatalogue(FIRST[:120] + DOCS[120:] + [CHANGED]), where, S)
    return where


def holds(doc: Document, lit: Lit) -> bool:
    f = doc.fields
    if lit.field == "title":
        return lit.text in fold(f.title or "")
    if lit.field in ("agency", "topic"):
        return lit.text in fold(getattr(f, lit.field) or "")
    return any(lit.text in fold(v or "") for v in (f.title, f.body, f.doc_no))


def oracle(doc: Document, tree: Tree | None) -> bool:
    if tree is None:
        return True
    if isinstance(tree, Lit):
        return holds(doc, tree)
    assert isinstance(tree, Node)
    if tree.op == "not":
        return not oracle(doc, tree.children[0])
    if tree.op == "or":
        return any(oracle(doc, c) for c in tree.children)
    return all(oracle(doc, c) for c in tree.children)


def allowed(doc: Document, q: SearchQuery) -> bool:
    f = doc.fields
    if q.agencies and f.agency not in q.agencies:
        return False
    if q.topics and f.topic not in q.topics:
        return False
    date = f.publish_date if q.date_field == "publish" else f.written_date
    if q.since and (not date or date < q.since):
        return False
    return not (q.until and (not date or date > q.until))


SYNTAX = set('()（）"“”「」:：-－| ')


def piece(rng: random.Random) -> str:
    """A literal cut from a document's text, without query syntax characters."""
    for _ in range(20):
        body = rng.choice(DOCS).fields.body or ""
        n = rng.choice((1, 2, 2, 3, 4, 5))
        start = rng.randrange(0, max(1, len(body) - n))
        cut = body[start : start + n]
        if cut and not SYNTAX & set(cut) and cut not in ("OR", "NOT", "AND"):
            return cut
    return "通知"


def random_query(rng: random.Random) -> SearchQuery:
    a, b, c = piece(rng), piece(rng), piece(rng)
    q = rng.choice(
        [a, f"{a} {b}", f"{a} -{b}", f"{a} OR {b}", f"({a} OR {b}) -{c}", f"{a} NOT {b} {c}", f"-{a}"]
    )
    agencies = sorted({d.fields.agency for d in DOCS if d.fields.agency})
    topics = sorted({d.fields.topic for d in DOCS if d.fields.topic})
    return SearchQuery(
        q=q,
        agencies=tuple(rng.sample(agencies, rng.choice((0, 0, 1, 2)))),
        topics=tuple(rng.sample(topics, rng.choice((0, 0, 1)))),
        since=rng.choice((None, None, "2019-01-01")),
        until=rng.choice((None, "2023-06-30")),
        date_field=rng.choice(("publish", "written")),
        sort=rng.choice(("relevance", "newest", "oldest")),
        limit=20,
    )


def test_random_queries_agree_with_the_oracle_on_ids_totals_and_facets(index_dir: Path) -> None:
    print(f"GONGKAI_SEED={SEED}")
    rng = random.Random(SEED)
    for _ in range(150):
        query = random_query(rng)
        tree = parse(query.q, S)
        expected = {d.doc_id for d in DOCS if oracle(d, tree) and allowed(d, query)}
        with Searcher(index_dir, S) as s:
            got = s.matching_ids(query)
            page = s.search(query)
        assert len(got) == len(set(got)) and set(got) == expected, query
        assert page.total == len(expected)
        by_id = {d.doc_id: d for d in DOCS}
        agencies: dict[str, int] = {}
        for doc_id in expected:
            agency = by_id[doc_id].fields.agency
            if agency:
                agencies[agency] = agencies.get(agency, 0) + 1
        assert page.facets["agency"] == dict(sorted(agencies.items(), key=lambda kv: (-kv[1], kv[0])))
        if query.sort != "relevance":
            key = "publish_date" if query.date_field == "publish" else "written_date"
            dates = [getattr(by_id[i].fields, key) for i in got]
            dated = [d for d in dates if d]
            assert dated == sorted(dated, reverse=query.sort == "newest"), query
            assert all(dates[: len(dated)]), "undated documents come last"


def test_no_query_lists_every_document_newest_first(index_dir: Path) -> None:
    with Searcher(index_dir, S) as s:
        ids = s.matching_ids(SearchQuery(q=""))
    by_id = {d.doc_id: d for d in DOCS}
    assert set(ids) == set(by_id)
    dates = [by_id[i].fields.publish_date for i in ids]
    assert dates == sorted(dates, reverse=True)


def test_the_result_cache_never_answers_for_an_older_index(tmp_path: Path) -> None:
    where = tmp_path / "index"
    cat = ListCatalogue(DOCS[:40])
    rebuild_index(cat, where, S)
    cache = IndexCache()
    query = SearchQuery(q="独一无二的测试词")
    for expected in ([], ["fresh"]):
        searcher = cache.checkout(where, S)
        try:
            assert searcher.matching_ids(query) == expected
            assert searcher.matching_ids(query) == expected  # the cached answer
        finally:
            cache.checkin(searcher)
        cat.put(make_doc("fresh", 20_000, title="新文件", body="这里有独一无二的测试词。"))
        update_index(cat, where, S)
