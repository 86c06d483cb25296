"""Writing the PostgreSQL search table: a full rebuild by COPY into a new table swapped in by rename, updates by
catalogue seq, and one document at a time inside the caller's transaction (the catalogue's hook).

A rebuild builds its rows in `settings.procs` processes (folding, grams and jieba words are the cost), COPYs them
(binary, lz4 for what goes out of line where the server has it) into `gk_search_new`, builds the GIN indexes once
per partition (much faster than maintaining them row by row; the partitions at the same time, since one GIN build
uses one core), then, in one transaction that locks the live table against writers, copies in what the catalogue
wrote meanwhile (seq above the rebuild's snapshot), drops the old table and renames the new one. Readers see the old
table or the new one, never a half-built one. The dictionary's digest is kept in `gk_search_meta`: another user
dictionary means other words, so `update` rebuilds.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from archive.models import Document
from index import pgtri
from index.analyzer import fold
from index.build import AttachmentSource, DocumentSource, dictionary_digest
from index.inventory import Inventory
from index.pgstore import (
    COLUMNS,
    INDEXES,
    META,
    SCHEMA_VERSION,
    TABLE,
    TYPES,
    Row,
    doc_row,
    index_ddl,
    part_name,
    sendable,
    table_ddl,
)
from index.pgtri import SAMPLE, TrigramList, choose
from index.settings import IndexSettings

logger = logging.getLogger(__name__)

BATCH = 200  # documents per COPY batch and per worker task
_VECTORS = ("grams", "words")
_UPSERT = "INSERT INTO {table} ({cols}) VALUES ({values}) ON CONFLICT (doc_id) DO UPDATE SET " + ", ".join(
    f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "doc_id"
)


def _upsert_sql(table: str) -> str:
    values = ", ".join("%s" for _ in COLUMNS)  # the tsvectors are sent in binary, typed by their dumper
    return _UPSERT.format(table=table, cols=", ".join(COLUMNS), values=values)


def write_document(
    conn: Any, doc: Document, attachments: Sequence[dict[str, Any]], settings: IndexSettings
) -> None:
    """Index one document in `conn`'s current transaction (commits or rolls back with the catalogue's row).
    The table is locked first (a rebuild's swap is waited for), then its trigram list read: the row holds the
    trigrams of the table it goes into."""
    ensure_table(conn)
    sendable(conn)  # the row's tsvectors go as typed binary parameters
    conn.execute(f"LOCK TABLE {TABLE} IN ROW EXCLUSIVE MODE")
    trigrams = _LIST.current(conn, META)
    conn.execute(_upsert_sql(TABLE), doc_row(doc, attachments, settings, trigrams).values)


class PgIndexListener:
    """archive.DocumentListener for a catalogue in the same database: each document the catalogue writes is
    written to the search table in the catalogue's own transaction, so the two commit together."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings

    def document_written(self, conn: Any, doc_id: str) -> None:
        from archive.attachtexts import for_document
        from archive.catalogue import document_from_row

        row = conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is not None:
            write_document(conn.raw, document_from_row(row), for_document(conn, doc_id), self.settings)


def ensure_table(conn: Any) -> None:
    """Create the live table and its indexes when absent (an empty index is a valid index)."""
    if conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is not None:
        return
    conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('{TABLE}'))")
    if conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is not None:
        return
    for statement in [*table_ddl(TABLE), *index_ddl(TABLE), *_meta_ddl()]:  # one partition: writes fill it
        conn.execute(statement)
    _set_meta(conn, None)


def _meta_ddl() -> list[str]:
    return [f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text)", *pgtri.ddl()]


def _set_meta(conn: Any, digest: str | None, trigrams_token: str | None = None) -> None:
    pairs = [("schema_version", str(SCHEMA_VERSION)), ("dictionary", digest or "")]
    if trigrams_token is not None:
        pairs.append((pgtri.TOKEN_KEY, trigrams_token))
    for key, value in pairs:
        conn.execute(
            f"INSERT INTO {META} VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (key, value),
        )


def _meta(conn: Any) -> dict[str, str]:
    if conn.execute("SELECT to_regclass(%s)", (META,)).fetchone()[0] is None:
        return {}
    return dict(conn.execute(f"SELECT key, value FROM {META}").fetchall())


_LIST = TrigramList()


def _rows(
    batch: list[tuple[Document, Sequence[dict[str, Any]]]], settings: IndexSettings, trigrams: frozenset[str]
) -> list[Row]:
    return [doc_row(doc, attachments, settings, trigrams) for doc, attachments in batch]


_WORKER: tuple[IndexSettings, frozenset[str]] | None = None


def _init_worker(settings: IndexSettings, trigrams: frozenset[str]) -> None:
    global _WORKER
    _WORKER = (settings, trigrams)


def _worker_rows(batch: list[tuple[Document, Sequence[dict[str, Any]]]]) -> list[tuple[Any, ...]]:
    assert _WORKER is not None
    return [r.values for r in _rows(batch, *_WORKER)]


def _batches(
    docs: Iterator[Document], attachments: AttachmentSource | None
) -> Iterator[list[tuple[Document, Sequence[dict[str, Any]]]]]:
    while True:
        chunk = list(islice(docs, BATCH))
        if not chunk:
            return
        yield [(d, attachments(d.doc_id) if attachments is not None else ()) for d in chunk]


def _row_values(
    docs: Iterator[Document],
    attachments: AttachmentSource | None,
    settings: IndexSettings,
    trigrams: frozenset[str],
) -> Iterator[tuple[Any, ...]]:
    """Every document's row, built in `settings.procs` processes (in order)."""
    if settings.procs <= 1:
        for batch in _batches(docs, attachments):
            yield from (r.values for r in _rows(batch, settings, trigrams))
        return
    from index.analyzer import segmenter

    segmenter(settings.user_dictionary)  # loaded before the fork: the children share it
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(settings.procs, initializer=_init_worker, initargs=(settings, trigrams)) as pool:
        for values in pool.imap(_worker_rows, _batches(docs, attachments), chunksize=1):
            yield from values


def _copy(conn: Any, table: str, rows: Iterator[tuple[Any, ...]]) -> tuple[int, int]:
    count = last = 0
    sendable(conn)
    with conn.cursor().copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(TYPES)  # binary: the tsvectors go as they are, no text for the server to parse
        for values in rows:
            copy.write_row(values)
            count += 1
            last = max(last, int(values[1]))
    return count, last


def _prefer_lz4(conn: Any) -> None:
    """Compress what this transaction writes out of line (bodies, tsvectors) with lz4 where the server has it:
    it costs the server half the COPY time of pglz (1.2 against 2.5 ms per corpus document) and is smaller."""
    import psycopg

    try:
        with conn.transaction():  # a savepoint: a server built without lz4 refuses the value, and pglz stays
            conn.execute("SET LOCAL default_toast_compression = 'lz4'")
    except psycopg.Error:
        pass


def _sample(catalogue: DocumentSource, windows: int = 20) -> list[Document]:
    """About SAMPLE documents from `windows` stretches spread over the catalogue's sequence (its first ones
    alone may be one agency's or one year's), each document once."""
    top, out = catalogue.max_seq(), dict[str, Document]()
    for i in range(windows):
        docs = catalogue.iter_documents(i * top // windows)
        out.update((d.doc_id, d) for d in islice(docs, SAMPLE // windows))
        close = getattr(docs, "close", None)
        if close is not None:
            close()
    return list(out.values())


def _build_indexes(url: str, name: str, parts: int) -> None:
    """Each partition's indexes, the partitions at the same time on their own connections (one core each),
    then the parent's, which only attach them."""
    from concurrent.futures import ThreadPoolExecutor

    from index.pg import connect

    def build(part: int) -> None:
        conn = connect(url)
        try:
            # GIN entries accumulate in memory; past about 256 MB a bigger buffer only costs cache misses
            conn.execute("SET maintenance_work_mem = '256MB'")
            spent = []
            for statement in [*index_ddl(part_name(name, part)), f"ANALYZE {part_name(name, part)}"]:
                t0 = time.perf_counter()
                conn.execute(statement)  # (ANALYZE: its tsvectors' lexeme statistics are most of it)
                spent.append(f"{time.perf_counter() - t0:.1f}")
            logger.debug(
                "partition %d: indexes %s and ANALYZE in %s s", part, ", ".join(INDEXES), ", ".join(spent)
            )
        finally:
            conn.close()

    with ThreadPoolExecutor(parts) as pool:
        list(pool.map(build, range(parts)))
    conn = connect(url)
    try:
        for statement in index_ddl(name):
            conn.execute(statement)
        # the parent's statistics of what it groups and filters by: the partitions' scans use their own, and
        # the tsvectors' would be sampled a third time (ANALYZE of the parent samples each partition again)
        conn.execute(f"ANALYZE {name} ({', '.join(c for c in COLUMNS if c not in _VECTORS)})")
    finally:
        conn.close()


def _rename(conn: Any, old: str, new: str, parts: int) -> None:
    """The table, its partitions and all their indexes from the `old` names to the `new` ones."""
    pairs = [(old, new)] + [(part_name(old, p), part_name(new, p)) for p in range(parts)]
    for before, after in pairs:
        conn.execute(f"ALTER TABLE {before} RENAME TO {after}")
        for suffix in ("pkey", *INDEXES):
            conn.execute(f"ALTER INDEX IF EXISTS {before}_{suffix} RENAME TO {after}_{suffix}")


def rebuild_pg(catalogue: DocumentSource, url: str, settings: IndexSettings) -> int:
    """Build the search table afresh from the whole catalogue and swap it in; returns the count."""
    from index.pg import connect

    started = time.perf_counter()
    attachments = _attachments(catalogue)
    new, parts = TABLE + "_new", settings.procs
    trigrams = choose([fold(d.fields.title or ""), fold(d.fields.body or "")] for d in _sample(catalogue))
    conn = connect(url)
    try:
        conn.autocommit = False
        with conn.transaction():
            conn.execute(f"DROP TABLE IF EXISTS {new}")
            for statement in table_ddl(new, parts):
                conn.execute(statement)
            _prefer_lz4(conn)
            rows = _row_values(catalogue.iter_documents(0), attachments, settings, trigrams)
            count, last = _copy(conn, new, rows)
        conn.commit()
        copied = time.perf_counter()
        _build_indexes(url, new, parts)
        indexed = time.perf_counter()
        with conn.transaction():
            for statement in _meta_ddl():
                conn.execute(statement)
            if conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is not None:
                conn.execute(
                    f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE"
                )  # readers go on; writers wait for the swap
            sql = _upsert_sql(new)  # (the connection of the COPY: its rows' tsvectors are sendable)
            for doc in catalogue.iter_documents(last):  # written while the rebuild ran
                found = attachments(doc.doc_id) if attachments else ()
                conn.execute(sql, doc_row(doc, found, settings, trigrams).values)
                count += 1
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
            _rename(conn, new, TABLE, parts)
            _set_meta(conn, dictionary_digest(settings), pgtri.store(conn, trigrams))
    finally:
        conn.close()
    logger.info(
        "search table: %d rows in %.1f s (rows and COPY %.1f s, indexes and statistics %.1f s, swap %.1f s)",
        count,
        time.perf_counter() - started,
        copied - started,
        indexed - copied,
        time.perf_counter() - indexed,
    )
    return count


def update_pg(catalogue: DocumentSource, url: str, settings: IndexSettings) -> int:
    """Index the documents new or changed since the table's highest seq (a rebuild when there is no table, or
    it was built by another schema or user dictionary); returns how many were written."""
    from index.pg import connect

    conn = connect(url)
    try:
        meta = _meta(conn)
        exists = conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is not None
        if (
            not exists
            or meta.get("schema_version") != str(SCHEMA_VERSION)
            or (meta.get("dictionary") or None) != dictionary_digest(settings)
        ):
            conn.close()
            return rebuild_pg(catalogue, url, settings)
        since = int(conn.execute(f"SELECT coalesce(max(seq), 0) FROM {TABLE}").fetchone()[0])
        if catalogue.max_seq() <= since:
            return 0
        attachments = _attachments(catalogue)
        sql = _upsert_sql(TABLE)
        sendable(conn)
        count = 0
        conn.autocommit = False
        with conn.transaction(), conn.cursor() as cur:
            conn.execute(f"LOCK TABLE {TABLE} IN ROW EXCLUSIVE MODE")  # then the list of the table written
            trigrams = _LIST.current(conn, META)
            _prefer_lz4(conn)
            batch: list[tuple[Any, ...]] = []
            for values in _row_values(catalogue.iter_documents(since), attachments, settings, trigrams):
                batch.append(values)
                if len(batch) >= BATCH:
                    cur.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
                count += len(batch)
        return count
    finally:
        conn.close()


def _attachments(catalogue: DocumentSource) -> AttachmentSource | None:
    found: AttachmentSource | None = getattr(catalogue, "document_attachments", None)
    return found


def pg_inventory(url: str) -> Inventory | None:
    """What the search table holds, for `gongkai verify` (index.inventory's shape); None when there is none.
    The primary key makes duplicates impossible; the highest seq is the last one indexed."""
    from index.pg import connect

    conn = connect(url)
    try:
        if conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is None:
            return None
        seqs = {doc_id: int(seq) for doc_id, seq in conn.execute(f"SELECT doc_id, seq FROM {TABLE}")}
    finally:
        conn.close()
    return Inventory(seqs=seqs, last_seq=max(seqs.values(), default=0))
