"""Fixtures of the index tests: real corpus documents and real on-disk indexes (built once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from index_testkit import (
    BACKENDS,
    ListCatalogue,
    OpenSearcher,
    build_pg,
    load_demo,
    load_sample,
    open_backend,
)

from archive.models import Document
from index import IndexSettings, rebuild_index


@pytest.fixture
def settings() -> IndexSettings:
    return IndexSettings(lock_timeout_s=2.0)


@pytest.fixture(scope="session")
def corpus_docs() -> list[Document]:
    """The real corpus sample from ../shared, else the demo site's documents (GONGKAI_TEST_CORPUS=demo forces
    them, to run the fallback where ../shared exists)."""
    shared = Path(__file__).resolve().parents[3].parent / "shared"
    if os.environ.get("GONGKAI_TEST_CORPUS") == "demo" or not (shared / "corpus" / "text").is_dir():
        return load_demo()
    return load_sample(shared)


@pytest.fixture(scope="session")
def corpus_index(corpus_docs: list[Document], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the corpus sample for the whole session (read-only for the tests that use it)."""
    index_dir = tmp_path_factory.mktemp("corpus") / "index"
    rebuild_index(ListCatalogue(corpus_docs), index_dir, IndexSettings())
    return index_dir


@pytest.fixture(scope="session")
def corpus_pg(request: pytest.FixtureRequest, corpus_docs: list[Document]) -> str:
    """The same corpus sample in the PostgreSQL backend (a database of the session's server)."""
    return build_pg(request.getfixturevalue("pg_server"), ListCatalogue(corpus_docs))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def corpus_searcher(
    backend: str, request: pytest.FixtureRequest, corpus_index: Path, settings: IndexSettings
) -> OpenSearcher:
    """`with corpus_searcher() as s:` a searcher of the corpus in this test's backend (PostgreSQL's compared
    with Whoosh's on every query)."""
    url = request.getfixturevalue("corpus_pg") if backend == "postgresql" else None
    return lambda: open_backend(backend, corpus_index, url, settings)
