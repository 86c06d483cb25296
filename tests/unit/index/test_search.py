"""Search over a real index of corpus documents against brute-force oracles (I1-I4)."""

from __future__ import annotations

import dataclasses
import functools
import os
import random
from collections import Counter
from typing import Any

import html5lib
import pytest
from index_testkit import OpenSearcher

from archive.models import Document
from index import FACETS, QueryError, SearchQuery
from index.analyzer import fold

SEED = int(os.environ.get("GONGKAI_SEED", "6"))
CJK = range(0x4E00, 0x9FA6)


@functools.cache
def _folded(title: str, body: str) -> tuple[str, str]:
    return fold(title), fold(body)


def contains(doc: Document, text: str) -> bool:
    needle = fold(text)
    title, body = _folded(doc.fields.title or "", doc.fields.body)
    return needle in title or needle in body


def all_ids(searcher: Any, query: SearchQuery) -> list[str]:
    ids: list[str] = []
    offset = 0
    while True:
        page = searcher.search(dataclasses.replace(query, offset=offset, limit=100))
        ids.extend(h.id for h in page.hits)
        offset += 100
        if offset >= page.total:
            assert len(ids) == page.total
            return ids


def cjk_pieces(docs: list[Document], n: int, lengths: range, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        body = rng.choice(docs).fields.body
        size = lengths[len(out) % len(lengths)]
        if len(body) <= size:
            continue
        start = rng.randrange(len(body) - size)
        piece = body[start : start + size]
        if all(ord(c) in CJK for c in piece) and piece not in out:
            out.append(piece)
    return out


def test_literal_substrings_have_full_recall_and_no_false_hits(
    corpus_docs: list[Document], corpus_searcher: OpenSearcher
) -> None:
    probes = cjk_pieces(corpus_docs, 60, range(2, 7), SEED)
    with corpus_searcher() as s:
        for probe in probes:
            expected = {d.doc_id for d in corpus_docs if contains(d, probe)}
            found = all_ids(s, SearchQuery(q=probe))
            assert set(found) == expected, (probe, SEED)
            assert len(found) == len(set(found))


def test_quoted_phrases_have_full_recall(corpus_docs: list[Document], corpus_searcher: OpenSearcher) -> None:
    """I1: 100 phrases from the corpus, quoted (jieba's stock analyzer finds none of them)."""
    phrases = cjk_pieces(corpus_docs, 100, range(4, 11), SEED + 1)
    with corpus_searcher() as s:
        for phrase in phrases:
            expected = {d.doc_id for d in corpus_docs if contains(d, phrase)}
            assert set(all_ids(s, SearchQuery(q=f'"{phrase}"'))) == expected, (phrase, SEED)


def test_multi_term_queries_require_every_term(
    corpus_docs: list[Document], corpus_searcher: OpenSearcher
) -> None:
    """I2 (F size): unquoted multi-term queries against the substring oracle."""
    terms = cjk_pieces(corpus_docs, 60, range(2, 4), SEED + 2)
    rng = random.Random(SEED)
    with corpus_searcher() as s:
        for _ in range(30):
            a, b = rng.sample(terms, 2)
            expected = {d.doc_id for d in corpus_docs if contains(d, a) and contains(d, b)}
            assert set(all_ids(s, SearchQuery(q=f"{a} {b}"))) == expected
            either = {d.doc_id for d in corpus_docs if contains(d, a) or contains(d, b)}
            assert set(all_ids(s, SearchQuery(q=f"{a} OR {b}"))) == either
            minus = {d.doc_id for d in corpus_docs if contains(d, a) and not contains(d, b)}
            assert set(all_ids(s, SearchQuery(q=f"{a} -{b}"))) == minus


def test_single_characters_find_every_occurrence(
    corpus_docs: list[Document], corpus_searcher: OpenSearcher
) -> None:
    with corpus_searcher() as s:
        for char in ("镇", "港", "5", "岚"):
            expected = {d.doc_id for d in corpus_docs if contains(d, char)}
            assert set(all_ids(s, SearchQuery(q=char))) == expected


def test_filters_and_facets_agree_with_brute_force(
    corpus_docs: list[Document], corpus_searcher: OpenSearcher
) -> None:
    """I3 (F size): random agency/topic/date combinations; result sets and every facet count."""
    rng = random.Random(SEED)
    agencies = sorted({d.fields.agency for d in corpus_docs if d.fields.agency})
    topics = sorted({d.fields.topic for d in corpus_docs if d.fields.topic})
    words = cjk_pieces(corpus_docs, 20, range(2, 3), SEED + 3) + [""] * 10
    with corpus_searcher() as s:
        for _ in range(40):
            q = rng.choice(words)
            chosen_a = tuple(rng.sample(agencies, rng.choice([0, 0, 1, 2])))
            chosen_t = tuple(rng.sample(topics, rng.choice([0, 0, 1, 3])))
            year = rng.randrange(2000, 2024)
            since = f"{year}-01-01" if rng.random() < 0.4 else None
            until = f"{year + rng.randrange(0, 6)}-06-30" if rng.random() < 0.4 else None
            date_field = "publish" if rng.random() < 0.8 else "written"
            query = SearchQuery(q, chosen_a, chosen_t, since, until, date_field)

            def keep(d: Document, q: str = q, query: SearchQuery = query) -> bool:
                day = getattr(d.fields, query.date_field + "_date")
                return (
                    (not q or contains(d, q))
                    and (not query.agencies or d.fields.agency in query.agencies)
                    and (not query.topics or d.fields.topic in query.topics)
                    and (not query.since or (day is not None and day >= query.since))
                    and (not query.until or (day is not None and day <= query.until))
                )

            matched = [d for d in corpus_docs if keep(d)]
            page = s.search(query)
            assert page.total == len(matched), query
            assert set(all_ids(s, query)) == {d.doc_id for d in matched}
            year_of = lambda d, f=date_field: (getattr(d.fields, f + "_date") or "")[:4]  # noqa: E731
            assert page.facets["agency"] == dict(Counter(d.fields.agency for d in matched if d.fields.agency))
            assert page.facets["topic"] == dict(Counter(d.fields.topic for d in matched if d.fields.topic))
            assert page.facets["year"] == dict(Counter(year_of(d) for d in matched if year_of(d)))


def test_sorts_by_date_and_pages_consistently(
    corpus_docs: list[Document], corpus_searcher: OpenSearcher
) -> None:
    with corpus_searcher() as s:
        newest = all_ids(s, SearchQuery(sort="newest"))
        oldest = all_ids(s, SearchQuery(sort="oldest"))
    by_id = {d.doc_id: d for d in corpus_docs}
    dates = [by_id[i].fields.publish_date or "" for i in newest]
    dated = [x for x in dates if x]
    assert dated == sorted(dated, reverse=True) and dates[len(dated) :] == [""] * (len(dates) - len(dated))
    dates = [by_id[i].fields.publish_date or "" for i in oldest]
    dated = [x for x in dates if x]
    assert dated == sorted(dated) and dates[: len(dated)] == dated
    assert sorted(newest) == sorted(d.doc_id for d in corpus_docs)


def test_title_matches_rank_first(corpus_docs: list[Document], corpus_searcher: OpenSearcher) -> None:
    """Words found in the titles of at least five documents (of either corpus): the first five hits have it there."""
    candidates = ("通知", "条例", "记者会", "意见", "办法", "公告")
    terms = [t for t in candidates if sum(t in (d.fields.title or "") for d in corpus_docs) >= 5]
    assert len(terms) >= 3, terms
    with corpus_searcher() as s:
        for term in terms:
            page = s.search(SearchQuery(q=term, limit=5))
            assert len(page.hits) == 5
            assert all(term in (h.title or "") for h in page.hits)


def test_snippets_are_escaped_html_with_only_mark_elements(
    corpus_docs: list[Document], corpus_searcher: OpenSearcher
) -> None:
    """I4: every snippet, re-parsed with html5lib, holds only <mark> elements, and the marks hold the query."""
    probes = cjk_pieces(corpus_docs, 20, range(2, 5), SEED + 4)
    by_id = {d.doc_id: d for d in corpus_docs}
    with corpus_searcher() as s:
        for probe in probes:
            page = s.search(SearchQuery(q=probe, limit=20))
            for hit in page.hits:
                fragment = html5lib.parseFragment(hit.snippet, namespaceHTMLElements=False)
                elements = list(fragment.iter())[1:]
                assert {e.tag for e in elements} <= {"mark"}
                if probe in by_id[hit.id].fields.body:
                    assert any(fold(e.text or "") == fold(probe) for e in elements), (probe, hit.snippet)


def test_page_json_shape(corpus_searcher: OpenSearcher) -> None:
    with corpus_searcher() as s:
        data = s.search(SearchQuery(q="通知", limit=3)).to_json()
    assert list(data) == ["total", "offset", "limit", "hits", "facets"]
    assert list(data["facets"]) == list(FACETS)  # the facetable fields of archive/fields.py, then the year
    assert FACETS[:2] == ("agency", "topic") and FACETS[-1] == "year"
    assert len(data["hits"]) == 3
    assert list(data["hits"][0]) == [
        "id",
        "url",
        "title",
        "index_no",
        "agency",
        "topic",
        "doc_no",
        "written_date",
        "publish_date",
        "status",
        "snippet",
    ]


@pytest.mark.parametrize("odd", ["title:", "：", "公安 OR", "NOT 公安", '"公安'])
def test_odd_queries_do_not_fail(odd: str, corpus_searcher: OpenSearcher) -> None:
    with corpus_searcher() as s:
        assert s.search(SearchQuery(q=odd)).total >= 0


@pytest.mark.parametrize("bad", ['"', "-", "OR", "( )", "NOT", "OR NOT", "()", "“”"])
def test_operators_alone_say_so(bad: str, corpus_searcher: OpenSearcher) -> None:
    """Not everything, silently: a query with nothing to look for is a QueryError that says why."""
    with corpus_searcher() as s, pytest.raises(QueryError, match="只有运算符"):
        s.search(SearchQuery(q=bad))


@pytest.mark.parametrize("bad", ["foo:公安", "-author:张三", "Title2:通知"])
def test_unknown_fields_say_so(bad: str, corpus_searcher: OpenSearcher) -> None:
    with corpus_searcher() as s, pytest.raises(QueryError, match="没有名为 .* 的字段"):
        s.search(SearchQuery(q=bad))
    name = bad.lstrip("-").split(":")[0]
    with corpus_searcher() as s:
        assert s.search(SearchQuery(q=f'"{name}:x"')).total >= 0  # quoted, it is text again
