"""The catalogue's schema on either engine: open a SQLite file, read the migrations, bring a database up to date.

SQLite keeps its version in PRAGMA user_version and runs schema.sql's sections; PostgreSQL keeps it in the
`schema_version` table and runs schema_pg.sql's sections, which carry the same migration numbers.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from archive import db
from archive.errors import ArchiveError, SchemaTooNew


def load_migrations(name: str = "schema.sql") -> list[tuple[int, str]]:
    """The migrations of schema.sql (or schema_pg.sql), split at its `-- migration N` lines."""
    text = resources.files("archive").joinpath(name).read_text(encoding="utf-8")
    migrations: list[tuple[int, str]] = []
    current: int | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("-- migration "):
            if current is not None:
                migrations.append((current, "\n".join(lines)))
            current, lines = int(line.split()[2]), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        migrations.append((current, "\n".join(lines)))
    return migrations


def open_sqlite(path: Path, readonly: bool) -> sqlite3.Connection:
    """WAL with synchronous=FULL: a committed row survives a kill or power loss."""
    if readonly:
        if not path.exists():
            raise ArchiveError(f"目录库不存在: {path.name} (no catalogue yet)")
        uri = path.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def version(conn: db.Connection) -> int:
    if not conn.is_pg:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    if conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
        return 0
    return int(conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)


def migrate(conn: db.Connection, *, readonly: bool, location: str) -> None:
    """Bring the catalogue to the latest schema; a reader only checks that it is there already."""
    migrations = load_migrations("schema_pg.sql" if conn.is_pg else "schema.sql")
    latest = migrations[-1][0]
    if conn.is_pg and readonly and version(conn) == 0:
        raise ArchiveError(f"目录库不存在: {location} (no catalogue yet)")
    if not readonly:
        if conn.is_pg:
            _migrate_pg(conn, migrations)
        else:
            current = version(conn)
            _check(current, latest)
            for number, sql in migrations:
                if number > current:
                    conn.raw.executescript(f"BEGIN IMMEDIATE;\n{sql}\nCOMMIT;")
    current = version(conn)
    _check(current, latest)
    if current < latest:
        raise ArchiveError(
            f"catalogue schema {current} needs migrating to {latest}; run a write command first"
        )


def _migrate_pg(conn: db.Connection, migrations: list[tuple[int, str]]) -> None:
    """Under the writers' advisory lock, so that workers starting at once migrate one after the other (the second
    finds nothing left to do)."""
    latest = migrations[-1][0]
    with conn.transaction():
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        current = version(conn)
        _check(current, latest)
        for number, sql in migrations:
            if number > current:
                conn.script(sql)
        if current < latest:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (latest,))


def _check(current: int, latest: int) -> None:
    if current > latest:
        raise SchemaTooNew(f"catalogue schema {current} is newer than this gongkai ({latest})")
