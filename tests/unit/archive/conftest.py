"""Archive test fixtures: a fresh data dir and archive per test, in tmp_path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive import Archive, ArchiveSettings, DataDir  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


@pytest.fixture
def archive(data_dir: DataDir) -> Iterator[Archive]:
    with Archive.open(data_dir, ArchiveSettings()) as arc:
        yield arc
