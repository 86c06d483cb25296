"""Catalogue plumbing: WAL + FULL sync, migrations by user_version (schema_version on PostgreSQL), read-only
access."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from archive_factory import make_exchange

from archive import Archive, ArchiveError, CaptureNotFound, Catalogue, DataDir, SchemaTooNew
from archive.schema import load_migrations


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


def test_postgresql_schema_mirrors_sqlite_tables_columns_and_migrations(tmp_path: Path, pg_url: str) -> None:
    assert [n for n, _ in load_migrations("schema_pg.sql")] == [n for n, _ in load_migrations()]
    with Catalogue(tmp_path / "c.sqlite") as lite, Catalogue(pg_url) as pg:
        assert pg.schema_version == lite.schema_version == load_migrations()[-1][0]
        tables = [r[0] for r in lite.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            lite_cols = [r[1] for r in lite.conn.execute(f"PRAGMA table_info({table})")]
            pg_cols = [
                r[0]
                for r in pg.conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                    " ORDER BY ordinal_position",
                    (table,),
                )
            ]
            # doc_attachments keeps SQLite's implicit rowid as a column (its links' insertion order)
            assert [c for c in pg_cols if c != "rowid"] == lite_cols, table
    with Catalogue(pg_url) as again:  # reopening does not re-run migrations
        assert again.count_documents() == 0
    with Catalogue(pg_url) as pg:
        pg.conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(SchemaTooNew):
        Catalogue(pg_url)
