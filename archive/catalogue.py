"""Catalogue: the map from captures to WARC bytes and from documents to their versions and events.

Embedded, it is one SQLite file: WAL with synchronous=FULL, so a committed row survives a kill or power loss, one
writer, readers open `readonly=True`. Shared, it is a PostgreSQL database (`[archive] database`): any number of
writers on any number of machines, taking turns through one advisory lock (db.Connection.transaction says why).
Either way a row is only committed after the WARC bytes it names were fsynced (store.py keeps that order), and
the same SQL runs on both (archive/db.py).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from archive import attachtexts, db, files, schema
from archive import documents as docs
from archive.errors import CaptureNotFound, DocumentNotFound
from archive.models import Capture, Document, Parsed, WarcLocation
from archive.warcs import FileEvent, now_iso


class DocumentListener(Protocol):
    """Told of every document a write transaction gave a new sequence number (new, changed, moved, removed,
    restored, re-extracted, attachment text arrived), inside that transaction and before it commits: a search
    table in the same database then changes in the same commit, so it can never be stale. Documents are never
    deleted (removal is a status), so there is no removal call; read the row's `status`."""

    def document_written(self, conn: db.Connection, doc_id: str) -> None: ...


class Catalogue:
    def __init__(
        self, target: Path | str, *, readonly: bool = False, listener: DocumentListener | None = None
    ) -> None:
        """`target`: a SQLite file, or a postgresql:// URL. `listener`: see DocumentListener."""
        self.readonly = readonly
        self.listener = listener
        self._lock = threading.RLock()
        if db.is_url(target):
            self.path: Path | None = None
            self.location = db.redact(str(target))
            self.conn = db.connect_pg(str(target), readonly=readonly)
        else:
            self.path = Path(target)
            self.location = str(self.path)
            self.conn = db.Connection(schema.open_sqlite(self.path, readonly), "sqlite")
        try:
            self._migrate()
        except BaseException:
            self.conn.close()
            raise

    # -- plumbing --------------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        location = str(self.path) if self.path is not None else self.location
        schema.migrate(self.conn, readonly=self.readonly, location=location)

    @property
    def schema_version(self) -> int:
        return schema.version(self.conn)

    @property
    def engine(self) -> str:
        return self.conn.engine

    @contextmanager
    def transaction(self) -> Iterator[db.Connection]:
        """One write transaction (db.Connection.transaction); the listener hears of each document it wrote."""
        with self._lock, self.conn.transaction() as conn:
            before = self._max_seq(conn) if self.listener is not None else 0
            yield conn
            if self.listener is not None:
                written = conn.execute("SELECT doc_id FROM documents WHERE seq > ? ORDER BY seq", (before,))
                for (doc_id,) in written.fetchall():
                    self.listener.document_written(conn, doc_id)

    @staticmethod
    def _max_seq(conn: db.Connection) -> int:
        return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- WARC files and captures -----------------------------------------------------------------------------
    def record_file_event(self, event: FileEvent) -> None:
        with self.transaction() as conn:
            if event.created:
                info = event.warcinfo
                conn.execute(
                    "INSERT INTO warc_files (name, created_at, warcinfo_id, warcinfo_length,"
                    " warcinfo_sha256) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (
                        event.name,
                        now_iso(),
                        info.record_id if info else None,
                        info.location.length if info else None,
                        info.member_sha256 if info else None,
                    ),
                )
            else:
                conn.execute(
                    "INSERT INTO warc_files (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (event.name, now_iso()),
                )
                conn.execute(
                    "UPDATE warc_files SET closed_at = ?, size_bytes = ?, sha256 = ? WHERE name = ?",
                    (now_iso(), event.size_bytes, event.sha256, event.name),
                )

    def warc_files(self) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM warc_files ORDER BY name").fetchall()
        return {row["name"]: dict(row) for row in rows}

    def insert_capture(self, values: Mapping[str, Any]) -> Capture:
        columns = list(values)
        sql = (
            f"INSERT INTO captures ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            " RETURNING capture_id"
        )
        with self.transaction() as conn:
            capture_id = int(conn.execute(sql, [values[c] for c in columns]).fetchone()[0])
        return self.get_capture(capture_id)

    def get_capture(self, capture_id: int) -> Capture:
        row = self.conn.execute("SELECT * FROM captures WHERE capture_id = ?", (capture_id,)).fetchone()
        if row is None:
            raise CaptureNotFound(f"no capture {capture_id}")
        return capture_from_row(row)

    def capture_row(self, capture_id: int) -> dict[str, Any]:
        """Every column, including the fixity and request-record ones the Capture value leaves out."""
        row = self.conn.execute("SELECT * FROM captures WHERE capture_id = ?", (capture_id,)).fetchone()
        if row is None:
            raise CaptureNotFound(f"no capture {capture_id}")
        return dict(row)

    def last_capture(self, url: str) -> Capture | None:
        """The URL's latest archived, complete, successful answer (for validators and revisit checks)."""
        row = self.conn.execute(
            "SELECT * FROM captures WHERE url = ? AND record_type IS NOT NULL AND truncated IS NULL"
            " AND (status BETWEEN 200 AND 299 OR status = 304) ORDER BY capture_id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return capture_from_row(row) if row else None

    def iter_captures(self, *, located_only: bool = False) -> Iterator[dict[str, Any]]:
        sql = "SELECT * FROM captures"
        if located_only:
            sql += " WHERE warc_file IS NOT NULL"
        for row in self.conn.stream(sql + " ORDER BY capture_id"):
            yield dict(row)

    # -- documents (writes delegate to documents.py) ---------------------------------------------------------
    def upsert_document(
        self, capture: Capture, parsed: Parsed, url: str, *, diff_context: int = 2
    ) -> docs.DocumentChange:
        with self.transaction() as conn:
            return docs.upsert(conn, capture, parsed, url, diff_context=diff_context)

    def record_file(self, parent_url: str, capture: Capture) -> str | None:
        """An attachment of the document at `parent_url` fetched again (archive/files.py)."""
        with self.transaction() as conn:
            return files.record_file(conn, parent_url, capture)

    def record_check(self, url: str, capture: Capture, *, removed_after: int = 2) -> str | None:
        with self.transaction() as conn:
            return docs.record_check(conn, url, capture, removed_after=removed_after)

    def get_document(self, doc_id: str) -> Document:
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise DocumentNotFound(f"no document {doc_id}")
        return document_from_row(row)

    def document_by_url(self, url: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE url = ? ORDER BY seq DESC", (url,)).fetchone()
        return document_from_row(row) if row else None

    def version_captures(self) -> list[tuple[str, list[tuple[int, int, str]]]]:
        """Every document (in seq order) with the (version number, capture id, URL) of each version, oldest
        first: one query, no document fields loaded."""
        rows = self.conn.execute(
            "SELECT v.doc_id, v.n, v.capture_id, v.url FROM versions v JOIN documents d ON d.doc_id = v.doc_id"
            " ORDER BY d.seq, v.n"
        ).fetchall()
        return [
            (doc_id, [(row["n"], row["capture_id"], row["url"]) for row in group])
            for doc_id, group in itertools.groupby(rows, key=lambda row: row["doc_id"])
        ]

    def iter_documents(self, since_seq: int = 0) -> Iterator[Document]:
        for row in self.conn.stream("SELECT * FROM documents WHERE seq > ? ORDER BY seq", (since_seq,)):
            yield document_from_row(row)

    def document_ids(self) -> list[str]:
        """Every document id in seq order, without loading a document (for passes that rewrite seq)."""
        return [r[0] for r in self.conn.execute("SELECT doc_id FROM documents ORDER BY seq")]

    def max_seq(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0])

    def count_documents(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def documents_for_ids(self, ids: Sequence[str]) -> dict[str, Document]:
        found: dict[str, Document] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self.conn.execute(f"SELECT * FROM documents WHERE doc_id IN ({marks})", chunk):
                found[row["doc_id"]] = document_from_row(row)
        return found

    def get_version(self, doc_id: str, n: int) -> Parsed:
        row = self.conn.execute(
            "SELECT fields_json FROM versions WHERE doc_id = ? AND n = ?", (doc_id, n)
        ).fetchone()
        if row is None:
            raise DocumentNotFound(f"document {doc_id} has no version {n}")
        return Parsed.from_json(json.loads(row["fields_json"]))

    def document_history(self, doc_id: str) -> dict[str, Any]:
        self.get_document(doc_id)
        return docs.history(self.conn, doc_id)

    def document_capture_ids(self, doc_id: str) -> list[int]:
        rows = self.conn.execute(
            "SELECT capture_id FROM doc_captures WHERE doc_id = ? ORDER BY capture_id", (doc_id,)
        )
        return [int(r[0]) for r in rows]

    def iter_events(self, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Events across the archive, oldest first; `since` is an ISO instant (exclusive)."""
        sql = "SELECT * FROM events"
        params: tuple[Any, ...] = ()
        if since is not None:
            sql += " WHERE at > ?"
            params = (since,)
        for row in self.conn.execute(sql + " ORDER BY event_id", params).fetchall():
            yield docs.event_json(row)

    def events_after(self, event_id: int, limit: int = 1000) -> list[dict[str, Any]]:
        """Events with a larger id, oldest first: the watcher follows them like the indexer follows seq."""
        rows = self.conn.execute(
            "SELECT * FROM events WHERE event_id > ? ORDER BY event_id LIMIT ?", (event_id, limit)
        ).fetchall()
        return [docs.event_json(row) for row in rows]

    def recent_events(
        self, kinds: Sequence[str], *, before: int | None = None, limit: int = 500, doc_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Events of these kinds, newest first, with ids below `before` (paging), optionally of one document."""
        marks = ",".join("?" * len(kinds))
        sql = f"SELECT * FROM events WHERE kind IN ({marks})"
        args: list[Any] = list(kinds)
        if before is not None:
            sql += " AND event_id < ?"
            args.append(before)
        if doc_id is not None:
            sql += " AND doc_id = ?"
            args.append(doc_id)
        rows = self.conn.execute(sql + " ORDER BY event_id DESC LIMIT ?", (*args, limit)).fetchall()
        return [docs.event_json(row) for row in rows]

    def max_event_id(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(event_id), 0) FROM events").fetchone()[0])

    def version_row(self, doc_id: str, n: int) -> dict[str, Any] | None:
        """One version's changes (JSON-decoded) and text diff, without the whole history."""
        row = self.conn.execute(
            "SELECT n, captured_at, url, changes_json, diff FROM versions WHERE doc_id = ? AND n = ?",
            (doc_id, n),
        ).fetchone()
        if row is None:
            return None
        return {
            "n": row["n"],
            "captured_at": row["captured_at"],
            "url": row["url"],
            "changes": json.loads(row["changes_json"]),
            "diff": row["diff"],
        }

    def list_changed_documents(self) -> list[Document]:
        """Documents with more than one version, most recently changed first."""
        rows = self.conn.execute("SELECT * FROM documents WHERE versions > 1 ORDER BY seq DESC").fetchall()
        return [document_from_row(r) for r in rows]

    def document_facts(self, since_seq: int = 0) -> list[dict[str, Any]]:
        """Documents' dates, status and disclosure fields without the body (seq > since_seq): one query, fields
        picked out by the database (the accountability views read every document, then only what changed)."""
        rows = self.conn.execute(
            "SELECT doc_id, seq, status, versions, first_seen_at, removed_at,"
            " json_extract(fields_json, '$.agency') AS agency, json_extract(fields_json, '$.topic') AS topic,"
            " json_extract(fields_json, '$.title') AS title,"
            " json_extract(fields_json, '$.written_date') AS written_date,"
            " json_extract(fields_json, '$.publish_date') AS publish_date FROM documents WHERE seq > ?"
            " ORDER BY seq",
            (since_seq,),
        ).fetchall()
        return [dict(row) for row in rows]

    def change_events(self, since_event: int = 0) -> list[dict[str, Any]]:
        """(event_id, doc_id, kind, at) of every changed, removed and restored event after since_event."""
        rows = self.conn.execute(
            "SELECT event_id, doc_id, kind, at FROM events WHERE event_id > ?"
            " AND kind IN ('changed', 'removed', 'restored') ORDER BY event_id",
            (since_event,),
        ).fetchall()
        return [dict(row) for row in rows]

    def state_token(self) -> tuple[int, int, int]:
        """(max seq, max event id, documents): changes whenever a document or event is written (cache keys;
        every document write takes a new seq)."""
        row = self.conn.execute(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM documents), (SELECT COALESCE(MAX(event_id), 0) FROM events),"
            " (SELECT COUNT(*) FROM documents)"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    # -- attachment text (derived, keyed by payload SHA-256; see attachtexts.py) ------------------------------
    def store_attachment_text(self, sha256: str, values: dict[str, Any]) -> None:
        with self.transaction() as conn:
            attachtexts.store_text(conn, sha256, values)

    def attachment_text(self, sha256: str) -> dict[str, Any] | None:
        return attachtexts.text_row(self.conn, sha256)

    def link_attachment(
        self, doc_id: str, url: str, name: str | None, capture_id: int | None, sha256: str | None
    ) -> bool:
        with self.transaction() as conn:
            return attachtexts.link(conn, doc_id, url, name, capture_id, sha256)

    def prune_attachment_links(self, doc_id: str, keep_urls: Sequence[str]) -> int:
        with self.transaction() as conn:
            return attachtexts.prune(conn, doc_id, keep_urls)

    def document_attachments(self, doc_id: str) -> list[dict[str, Any]]:
        return attachtexts.for_document(self.conn, doc_id)

    def attachment_records(self, document: Document, *, with_text: bool = True) -> list[dict[str, Any]]:
        """The document record's `attachments[]` with sha256, type, size, extraction and text."""
        links = attachtexts.for_document(self.conn, document.doc_id)
        return attachtexts.records(document.fields.attachments, links, with_text=with_text)

    def attachment_counts(self) -> dict[str, int]:
        return attachtexts.counts(self.conn)

    def last_attachment_capture(self, url: str) -> Capture | None:
        """The URL's latest complete 200 answer archived as an attachment (the payload to extract)."""
        row = self.conn.execute(
            "SELECT * FROM captures WHERE url = ? AND kind = 'attachment' AND status = 200 AND truncated IS NULL"
            " AND warc_file IS NOT NULL ORDER BY capture_id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return capture_from_row(row) if row else None


def capture_from_row(row: sqlite3.Row | Mapping[str, Any]) -> Capture:
    location = None
    if row["warc_file"] is not None:
        location = WarcLocation(
            filename=row["warc_file"], offset=row["warc_offset"], length=row["warc_length"]
        )
    return Capture(
        capture_id=row["capture_id"],
        url=row["url"],
        final_url=row["final_url"],
        status=row["status"],
        captured_at=row["captured_at"],
        content_type=row["content_type"],
        charset=row["charset"],
        kind=row["kind"],
        reason=row["reason"],
        payload_digest=row["payload_digest"],
        sha256=row["sha256"],
        location=location,
        record_type=row["record_type"],
        truncated=row["truncated"],
        etag=row["etag"],
        last_modified=row["last_modified"],
    )


def document_from_row(row: sqlite3.Row | Mapping[str, Any]) -> Document:
    return Document(
        doc_id=row["doc_id"],
        url=row["url"],
        seq=row["seq"],
        status=row["status"],
        versions=row["versions"],
        captured_at=row["captured_at"],
        first_seen_at=row["first_seen_at"],
        last_checked_at=row["last_checked_at"],
        removed_at=row["removed_at"],
        capture_id=row["capture_id"],
        sha256=row["sha256"],
        fields=Parsed.from_json(json.loads(row["fields_json"])),
        last_seen_at=row["last_seen_at"],
    )
