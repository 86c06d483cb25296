"""Catalogue plumbing: WAL + FULL sync, migrations by user_version (schema_version on PostgreSQL), read-only
access."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from archive_factory import make_exchange

from archive import Archive, ArchiveError, CaptureNotFound, Catalogue, DataDir, SchemaTooNew
from archive.catalogue import load_migrations


def test_new_catalogue_is_wal_full_sync_at_latest_schema(tmp_path: Path) -> None:
    with Catalogue(tmp_path / "c.sqlite") as cat:
        assert cat.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cat.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert cat.schema_version == load_migrations()[-1][0]
        tables = {r[0] for r in cat.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"captures", "documents", "versions", "events", "warc_files"} <= tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Catalogue(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaTooNew):
        Catalogue(path)


def test_reopening_does_not_rerun_migrations(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Catalogue(path).close()
    with Catalogue(path) as cat:  # would fail with "table already exists" if it re-ran
        assert cat.count_documents() == 0


def test_readonly_catalogue_reads_but_cannot_write(data_dir: DataDir) -> None:
    with Archive.open(data_dir) as arc:
        capture = arc.record(make_exchange(), kind="document", reason=None, charset=None)
    with Catalogue(data_dir.catalogue_target, readonly=True) as cat:
        assert cat.get_capture(capture.capture_id) == capture
        with pytest.raises(_db_errors(data_dir), match="(?i)read.?only"):
            cat.conn.execute("DELETE FROM captures")
        with pytest.raises(CaptureNotFound):
            cat.get_capture(999)


def _db_errors(data_dir: DataDir) -> type[Exception]:
    if data_dir.database is None:
        return sqlite3.OperationalError
    import psycopg

    return psycopg.Error


def test_readonly_on_missing_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no catalogue"):
        Catalogue(tmp_path / "none.sqlite", readonly=True)
