"""One connection type over SQLite and PostgreSQL, so that the catalogue's SQL is written once.

The catalogue's statements are written in the dialect both engines share (`?` placeholders, `INSERT ... ON CONFLICT`,
`RETURNING`); this wrapper bridges the little that differs: PostgreSQL wants `%s` placeholders (so a literal `%`
doubles), has `->>` on `jsonb` where SQLite has `json_extract`, and opens its own transactions. Rows read by name
and by position on both (sqlite3.Row, and `Row` below), so callers never know which engine answered.

A write transaction on PostgreSQL first takes one transaction-scoped advisory lock: see `Connection.transaction`.
psycopg is imported only when a PostgreSQL URL is opened, so the embedded SQLite default costs nothing more.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

# pg_advisory_xact_lock key of the catalogue's writers (any 64-bit number no other program on the database uses;
# these are the bytes of "gongkai" + 1).
WRITER_LOCK = 0x676F6E676B6169_01
_URL_SCHEMES = ("postgresql://", "postgres://")
_JSON_EXTRACT = re.compile(r"json_extract\((\w+(?:\.\w+)?), '\$\.(\w+)'\)")
_LITERAL_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%")


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


def is_url(target: object) -> bool:
    """Whether a catalogue location names a PostgreSQL database rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(_URL_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """A statement of the shared dialect as psycopg takes it: `?` -> `%s`, `%` -> `%%` (outside string
    literals, which keep their `%` but need it doubled all the same), `json_extract(col, '$.key')` -> `->>`."""
    sql = _JSON_EXTRACT.sub(r"(\1::jsonb ->> '\2')", sql)

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _LITERAL_OR_MARK.sub(swap, sql)


class Row(tuple[Any, ...]):
    """A PostgreSQL row readable like sqlite3.Row: by position, by column name, and as a mapping (dict(row))."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    names = [column.name for column in cursor.description or ()]
    return type("Row", (Row,), {"__slots__": (), "_index": {name: i for i, name in enumerate(names)}})


class Connection:
    """An open catalogue connection of either engine; `engine` is "sqlite" or "postgresql"."""

    def __init__(self, raw: Any, engine: str, url: str | None = None) -> None:
        self.raw = raw
        self.engine = engine
        self._url = url

    @property
    def is_pg(self) -> bool:
        return self.engine == "postgresql"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.is_pg:
            cursor: Cursor = self.raw.execute(pg_sql(sql), tuple(params))
            return cursor
        result: Cursor = self.raw.execute(sql, params)
        return result

    def script(self, sql: str) -> None:
        """Several PostgreSQL statements without parameters (a migration), inside the caller's transaction."""
        self.raw.execute(sql)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: everything in it commits together or not at all.

        SQLite: BEGIN IMMEDIATE takes the database's one write lock. PostgreSQL: `pg_advisory_xact_lock` on one
        key, held until COMMIT, so that writers on any number of machines still take turns exactly as one
        SQLite writer does. The catalogue relies on that order: `documents.seq` is MAX+1 and must grow in
        commit order (the indexer and the PostgreSQL search follow `seq > last`, so a smaller seq committed
        later would be skipped for good), event ids likewise (the watcher follows them), a document key maps
        to one document (two writers must not both find no row and insert two), and version numbers are
        counted from the row read. Row locks or a SEQUENCE would not give commit order; the lock is short
        (one page's rows) and the WARC bytes are written and fsynced before it is taken.
        """
        if self.is_pg:
            with self.raw.transaction():
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
                yield self
            return
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 500) -> Iterator[Any]:
        """Rows of a long query without holding them all in memory, from one consistent snapshot.

        PostgreSQL: a server-side cursor on a connection of its own, read-only and REPEATABLE READ, so that the
        caller may write on this connection meanwhile (its commits are not held up by the open cursor)."""
        if not self.is_pg:
            cursor = self.raw.execute(sql, params)
            while batch := cursor.fetchmany(size):
                yield from batch
            return
        import psycopg

        assert self._url is not None
        with psycopg.connect(self._url, row_factory=_row_factory, connect_timeout=10) as other:
            other.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            other.read_only = True
            with other.cursor(name=f"gongkai_{uuid.uuid4().hex[:8]}") as cursor:
                cursor.itersize = size
                cursor.execute(pg_sql(sql), tuple(params))
                yield from cursor

    def close(self) -> None:
        self.raw.close()


def connect_pg(url: str, *, readonly: bool) -> Connection:
    """A PostgreSQL connection in autocommit (each read its own statement; writes in `transaction`)."""
    import psycopg

    try:
        raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=10)
    except psycopg.Error as exc:
        from archive.errors import CatalogueUnavailable

        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CatalogueUnavailable(
            f"无法连接目录数据库 {redact(url)} / cannot connect to the catalogue database: {reason}"
        ) from exc
    if readonly:
        raw.execute("SET default_transaction_read_only = on")
    return Connection(raw, "postgresql", url)


def has_schema(url: str) -> bool:
    """Whether the database at `url` holds a catalogue (its schema_version table)."""
    conn = connect_pg(url, readonly=True)
    try:
        return conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is not None
    finally:
        conn.close()
