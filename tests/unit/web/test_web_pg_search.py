"""The web app on the PostgreSQL search backend (issue 13): the search tests of test_web_search.py run again here
with the app's searchers lent by `PgSearchCache` (the composition root's choice), and /api/search answers
the same totals, facets and match sets as on Whoosh for a spread of queries and filters."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from test_web_search import (  # noqa: F401  (collected again here, on the PostgreSQL backend)
    test_api_paging_by_offset_and_page,
    test_api_search_has_exactly_the_documented_shape,
    test_date_filter_and_sorts,
    test_exports_hold_every_match_as_document_records,
    test_facet_counts_cover_all_matches_and_filters_narrow,
    test_month_chart_for_a_short_range,
    test_search_page_shows_hits_with_metadata_and_keeps_the_query,
    test_unparseable_query_is_a_friendly_400_page,
)
from webcorpus import Corpus

from archive import Catalogue
from index import rebuild_index, search_cache
from web import WebSettings, create_app

APP_ORIGIN = "http://127.0.0.1:5000"  # as conftest.py
RAW_ORIGIN = "http://127.0.0.1:5001"


@pytest.fixture(scope="session")
def pg_corpus_url(request: pytest.FixtureRequest, corpus: Corpus) -> str:
    """The web corpus's catalogue indexed into a PostgreSQL database (attachments included)."""
    url: str = request.getfixturevalue("pg_server").create_database()
    settings = dataclasses.replace(corpus.index_settings, backend="postgresql", database=url)
    with Catalogue(corpus.data_dir.catalogue_path, readonly=True) as catalogue:
        rebuild_index(catalogue, corpus.data_dir.index_dir, settings)
    return url


@pytest.fixture
def make_app(corpus: Corpus, pg_corpus_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps on the PostgreSQL backend; their connection pools are closed when the test ends (not left to the
    garbage collector, which may finalise a connection before its pool and warn that it was left open)."""
    caches: list[Any] = []

    def factory(*, unsafe: bool = False, **settings: Any) -> Flask:
        settings = {"rate_per_s": 1000.0, "rate_burst": 1000, "expensive_concurrency": 1000, **settings}
        web = dataclasses.replace(WebSettings(app_origin=APP_ORIGIN, raw_origin=RAW_ORIGIN), **settings)
        index_settings = dataclasses.replace(
            corpus.index_settings, backend="postgresql", database=pg_corpus_url
        )
        caches.append(search_cache(index_settings))
        return create_app(
            web,
            data_dir=corpus.data_dir,
            index_settings=index_settings,
            enable_unsafe_test_routes=unsafe,
            index_cache=caches[-1],
        )

    yield factory
    for cache in caches:
        cache.close()


QUERIES = [
    "",
    "q=公安",
    "q=法治政府",
    "q=枫桥经验",
    "q=交通 OR 财政",
    "q=政府 -交通",
    'q="法治政府建设"',
    "q=in:attachments 预算",
    "q=公安&agency=市公安局",
    "q=政府&since=2020-01-01&until=2024-12-31",
    "q=&sort=oldest&date_field=written",
]


@pytest.mark.parametrize("qs", QUERIES)
def test_api_answers_as_on_whoosh(qs: str, make_app: Callable[..., Flask], corpus: Corpus) -> None:
    pg = make_app().test_client()
    web = dataclasses.replace(WebSettings(app_origin=APP_ORIGIN, raw_origin=RAW_ORIGIN), rate_per_s=1000.0)
    whoosh = create_app(web, data_dir=corpus.data_dir, index_settings=corpus.index_settings).test_client()
    a = whoosh.get(f"/api/search?{qs}&limit=100").get_json()
    b = pg.get(f"/api/search?{qs}&limit=100").get_json()
    assert (b["total"], b["facets"]) == (a["total"], a["facets"]), qs
    assert {h["id"] for h in b["hits"]} == {h["id"] for h in a["hits"]}, qs
    assert b["total"] > 0 or qs.startswith("q=in:")
