"""`gongkai migrate --to postgresql://...`: copy a SQLite catalogue into an empty PostgreSQL database.

Every table and every row, with their ids (capture ids, event ids, attachment-link order) kept, so the WARC files,
evidence bundles, feeds and alert cursors that name them stay right. The copy is one transaction: a failure leaves
the target as empty as it was. The WARC files are not copied; they stay where they are, named by the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive import db
from archive.catalogue import Catalogue
from archive.errors import ArchiveError

# Parents before children, so a reader of the target sees a consistent order (the keys are checked at commit).
TABLE_ORDER = (
    "warc_files",
    "captures",
    "documents",
    "doc_keys",
    "doc_captures",
    "versions",
    "events",
    "list_fields",
    "attachment_texts",
    "doc_attachments",
)
# Identity columns whose sequences must continue after the copied ids.
_IDENTITIES = (("captures", "capture_id"), ("events", "event_id"), ("doc_attachments", "rowid"))


@dataclass(frozen=True)
class MigrationReport:
    target: str  # the URL without its password
    counts: dict[str, tuple[int, int]]  # table -> (rows in SQLite, rows in PostgreSQL)

    @property
    def ok(self) -> bool:
        return all(a == b for a, b in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{table}: {a} -> {b}" + ("" if a == b else " 不符 MISMATCH")
            for table, (a, b) in self.counts.items()
        ]


def migrate(source: Path, url: str) -> MigrationReport:
    """Copy the SQLite catalogue at `source` into the empty PostgreSQL database at `url`."""
    if not db.is_url(url):
        raise ArchiveError(f"目标须为 postgresql:// 地址 / the target must be a postgresql:// URL: {url}")
    if not source.exists():
        raise ArchiveError(f"没有 SQLite 目录库 / no SQLite catalogue at {source}")
    with Catalogue(source, readonly=True) as old:
        present = {r[0] for r in old.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        unknown = sorted(present - set(TABLE_ORDER) - {"sqlite_sequence", "sqlite_stat1"})
        if unknown:
            raise ArchiveError(f"不认识的表 / tables this gongkai cannot migrate: {', '.join(unknown)}")
        tables = [t for t in TABLE_ORDER if t in present]
        _refuse_non_empty(url)
        with Catalogue(url) as new:
            if new.schema_version != old.schema_version:
                raise ArchiveError(
                    f"目录库版本不同 / schema versions differ: SQLite {old.schema_version},"
                    f" PostgreSQL {new.schema_version}; run a write command on the SQLite archive first"
                )
            _copy(old, new, tables)
            counts = {t: (_count(old.conn, t), _count(new.conn, t)) for t in tables}
    return MigrationReport(db.redact(url), counts)


def _refuse_non_empty(url: str) -> None:
    """Refuse a database that holds any row (a schema created by an earlier run of gongkai, empty, is fine)."""
    conn = db.connect_pg(url, readonly=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                " AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name"
            )
        ]
        full = [n for n in names if conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{n}")').fetchone()[0]]
    finally:
        conn.close()
    if full:
        shown = ", ".join(full[:5]) + (" ..." if len(full) > 5 else "")
        raise ArchiveError(
            f"目标数据库不是空的（表 {shown} 有数据），未做任何改动 / the target database is not empty"
            f" ({shown} hold rows); nothing was changed: migrate into a new, empty database"
        )


def _copy(old: Catalogue, new: Catalogue, tables: list[str]) -> None:
    import psycopg

    with new.transaction() as conn:
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                    " AND table_name = ? ORDER BY ordinal_position",
                    (table,),
                )
            ]
            names = ", ".join(columns)
            try:
                with conn.raw.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in old.conn.stream(f"SELECT {names} FROM {table} ORDER BY rowid", size=2000):
                        copy.write_row(tuple(row))
            except psycopg.Error as exc:
                raise ArchiveError(_copy_failed(table, exc)) from exc
        for table, column in _IDENTITIES:
            if table in tables:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                    f" COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table}"
                )
        try:
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # dangling references fail here, not at COMMIT
        except psycopg.Error as exc:
            raise ArchiveError(
                "SQLite 目录库中有悬空引用，先运行 gongkai verify / the SQLite catalogue has dangling references"
                f" (run gongkai verify): {str(exc).splitlines()[0]}"
            ) from exc


def _copy_failed(table: str, exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"复制表 {table} 失败，目标中未写入任何行 / copying table {table} failed, no row was written: {reason}"


def _count(conn: db.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
