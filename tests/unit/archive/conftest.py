"""Archive test fixtures: a fresh data dir and archive per test, in tmp_path, on each catalogue engine.

`data_dir` (and so `archive`) is parametrized: every test that takes it runs once on the embedded SQLite catalogue
and once on a PostgreSQL one (a fresh database from the `pg_url` fixture; skipped where PostgreSQL is absent).
Tests about SQLite itself build their catalogue from `tmp_path` instead, or check `data_dir.database`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive import Archive, ArchiveSettings, DataDir  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def data_dir(request: pytest.FixtureRequest, tmp_path: Path) -> DataDir:
    if request.param == "postgresql":
        return DataDir(tmp_path / "data", database=request.getfixturevalue("pg_url"))
    return DataDir(tmp_path / "data")


@pytest.fixture
def archive(data_dir: DataDir) -> Iterator[Archive]:
    with Archive.open(data_dir, ArchiveSettings()) as arc:
        yield arc
