"""Fixtures of the index tests: real corpus documents and real on-disk indexes (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_testkit import ListCatalogue, load_sample

from archive.models import Document
from index import IndexSettings, rebuild_index


@pytest.fixture
def settings() -> IndexSettings:
    return IndexSettings(lock_timeout_s=2.0)


@pytest.fixture(scope="session")
def corpus_docs() -> list[Document]:
    shared = Path(__file__).resolve().parents[3].parent / "shared"
    if not (shared / "corpus" / "text").is_dir():
        pytest.skip("../shared is absent: real corpus not available")
    return load_sample(shared)


@pytest.fixture(scope="session")
def corpus_index(corpus_docs: list[Document], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the corpus sample for the whole session (read-only for the tests that use it)."""
    index_dir = tmp_path_factory.mktemp("corpus") / "index"
    rebuild_index(ListCatalogue(corpus_docs), index_dir, IndexSettings())
    return index_dir
