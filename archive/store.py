"""Archive: the one object writers use. It keeps the durable order (WARC fsync, then catalogue commit).

A page is archived when `record` returns: its bytes are on disk and the catalogue row pointing at them has
committed. Failures are rows too: a timeout or a block is a capture with a kind and a reason, and challenge bodies
go to the capped `rejects/` area instead of the WARCs (docs/TESTPLAN.md section 8).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from archive import listside
from archive.catalogue import Catalogue, DocumentListener
from archive.documents import DocumentChange, reextract
from archive.errors import ArchiveError, CaptureNotFound
from archive.layout import DataDir
from archive.models import Capture, Exchange, Parsed, WarcLocation
from archive.records import (
    RawResponse,
    WarcRecord,
    read_record_at,
    response_from_record,
    sha1_digest,
    split_http,
)
from archive.recover import RecoveryReport, recover
from archive.settings import ArchiveSettings
from archive.warcs import PROFILE_NOT_MODIFIED, RevisitOf, WarcStore, warc_date

logger = logging.getLogger(__name__)


class Archive:
    def __init__(
        self,
        data_dir: DataDir,
        settings: ArchiveSettings,
        catalogue: Catalogue,
        warcs: WarcStore,
        lock_fp: IO[bytes],
        recovery: RecoveryReport,
    ) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.catalogue = catalogue
        self.warcs = warcs
        self.recovery = recovery
        self._lock_fp = lock_fp
        self._lock = threading.RLock()
        self._rejects_bytes = sum(p.stat().st_size for p in data_dir.rejects_dir.glob("*") if p.is_file())

    @classmethod
    def open(
        cls,
        data_dir: DataDir,
        settings: ArchiveSettings | None = None,
        *,
        listener: DocumentListener | None = None,
    ) -> Archive:
        """Open for writing: check permissions, take the writer lock, migrate, recover the open WARC file.

        The catalogue is the data dir's (`DataDir.database`, else catalogue.sqlite; `settings.database` fills in a
        DataDir built without one). Several writers may share one PostgreSQL catalogue and one warcs/
        directory when each has its own `worker_id`: the lock, the open file and recovery are then per worker.
        `listener` hears of every document written, inside its transaction (catalogue.DocumentListener)."""
        settings = settings or ArchiveSettings()
        if data_dir.database is None and settings.database is not None:
            data_dir = replace(data_dir, database=settings.database)
        data_dir.ensure()
        lock_name = f".writer-{settings.worker_id}.lock" if settings.worker_id else ".writer.lock"
        lock_fp = open(data_dir.warcs_dir / lock_name, "wb")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(lock_fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock_fp.close()
            raise ArchiveError(
                "另一个 gongkai 进程正在写入此归档 (another process is writing this archive)"
            ) from exc
        catalogue = None
        try:
            catalogue = Catalogue(data_dir.catalogue_target, listener=listener)
            warcs = WarcStore(data_dir.warcs_dir, settings, on_file_event=catalogue.record_file_event)
            report = recover(catalogue, warcs)
        except BaseException:
            # a damaged catalogue, a full disk during recovery: release what was taken, the lock last
            if catalogue is not None:
                catalogue.close()
            lock_fp.close()
            raise
        return cls(data_dir, settings, catalogue, warcs, lock_fp, report)

    def close(self) -> None:
        with self._lock:
            try:
                self.warcs.close()  # may fail on a full disk: the catalogue and the lock are released anyway
            finally:
                try:
                    self.catalogue.close()
                finally:
                    self._lock_fp.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------------------
    def record(self, exchange: Exchange, *, kind: str, reason: str | None, charset: str | None) -> Capture:
        """Archive one exchange; returns its committed catalogue row."""
        with self._lock:
            values = self._base_values(exchange, kind, reason, charset)
            if exchange.status is None:
                return self.catalogue.insert_capture(values)
            values["sha256"] = hashlib.sha256(exchange.content).hexdigest()
            if kind == "blocked":
                values["reject_file"] = self._keep_reject(exchange, values["sha256"])
                return self.catalogue.insert_capture(values)
            revisit = self._revisit_for(exchange, values)
            records = self.warcs.append_exchange(exchange, revisit=revisit)
            values.update(
                payload_digest=records.payload_digest,
                record_type=records.main.record_type,
                warc_file=records.main.location.filename,
                warc_offset=records.main.location.offset,
                warc_length=records.main.location.length,
                record_id=records.main.record_id,
                record_sha256=records.main.member_sha256,
            )
            if records.request is not None:
                values.update(
                    request_offset=records.request.location.offset,
                    request_length=records.request.location.length,
                    request_id=records.request.record_id,
                    request_sha256=records.request.member_sha256,
                )
            try:
                capture = self.catalogue.insert_capture(values)
            except BaseException:
                # not committed, so not archived: the records go too, or a later close would seal them
                self.warcs.rollback(records.main.location.offset)
                raise
            self.warcs.rotate_if_full()
            return capture

    def upsert_document(self, capture: Capture, parsed: Parsed, url: str) -> DocumentChange:
        with self._lock:
            return self.catalogue.upsert_document(
                capture, parsed, url, diff_context=self.settings.diff_context_lines
            )

    def record_list_fields(self, capture: Capture, entry: listside.ListFields) -> None:
        """Keep what a list said about the document in `capture` (call before `upsert_document`)."""
        with self._lock, self.catalogue.transaction() as conn:
            listside.record(conn, capture.capture_id, entry)

    def list_fields(self, capture: Capture) -> listside.ListFields | None:
        return listside.for_capture(self.catalogue.conn, capture.capture_id)

    def reextract(self, parse: Callable[[bytes, str, str | None], Parsed]) -> int:
        """Re-read every version of every document from its archived original with `parse` (bytes, URL,
        content type), without the network. Rewrites derived fields only; returns how many documents changed."""
        changed = 0
        for doc_id, versions in self.catalogue.version_captures():
            parsed: dict[int, Parsed] = {}
            for n, capture_id, url in versions:
                capture = self.catalogue.get_capture(capture_id)
                listed = listside.for_capture(self.catalogue.conn, capture_id)
                page = parse(self.read_payload(capture), url, capture.content_type)
                parsed[n] = listside.apply(page, listed.fields if listed else None)
            with self._lock, self.catalogue.transaction() as conn:
                changed += reextract(conn, doc_id, parsed, diff_context=self.settings.diff_context_lines)
        return changed

    def record_file(self, parent_url: str, capture: Capture) -> str | None:
        """An attachment fetched again: "changed"/"amended" when its bytes changed the document, else None."""
        with self._lock:
            return self.catalogue.record_file(parent_url, capture)

    def record_check(self, url: str, capture: Capture) -> str | None:
        with self._lock:
            return self.catalogue.record_check(url, capture, removed_after=self.settings.removed_after)

    def last_capture(self, url: str) -> Capture | None:
        return self.catalogue.last_capture(url)

    def _base_values(
        self, exchange: Exchange, kind: str, reason: str | None, charset: str | None
    ) -> dict[str, Any]:
        return {
            "url": exchange.url,
            "final_url": exchange.final_url,
            "status": exchange.status,
            "captured_at": warc_date(exchange.started_at),
            "content_type": exchange.header("Content-Type"),
            "charset": charset,
            "kind": kind,
            "reason": reason,
            "error": exchange.error,
            "elapsed_ms": exchange.elapsed_ms,
            "truncated": exchange.truncated,
            "etag": exchange.header("ETag"),
            "last_modified": exchange.header("Last-Modified"),
        }

    def _revisit_for(self, exchange: Exchange, values: dict[str, Any]) -> RevisitOf | None:
        """A revisit when the payload is the URL's last archived one, or the server answered 304."""
        if exchange.truncated:
            return None
        last = self.catalogue.last_capture(exchange.url)
        if last is None or last.payload_digest is None:
            return None
        original = self._original_of(last)
        not_modified = exchange.status == 304
        if not not_modified and sha1_digest(exchange.wire_body) != last.payload_digest:
            return None
        values["refers_to"] = original.capture_id
        if not_modified:
            # Unchanged check: the row describes the content it confirmed, not the empty 304 body.
            values["sha256"] = original.sha256
            values["content_type"] = original.content_type
            values["charset"] = values["charset"] or original.charset
            values["etag"] = values["etag"] or original.etag
            values["last_modified"] = values["last_modified"] or original.last_modified
        return RevisitOf(
            target_uri=original.final_url,
            warc_date=original.captured_at,
            payload_digest=last.payload_digest,
            not_modified=not_modified,
        )

    def _original_of(self, capture: Capture) -> Capture:
        if capture.record_type != "revisit":
            return capture
        refers_to = self.catalogue.capture_row(capture.capture_id)["refers_to"]
        if refers_to is None:
            raise CaptureNotFound(f"revisit capture {capture.capture_id} has no original")
        return self.catalogue.get_capture(int(refers_to))

    def _keep_reject(self, exchange: Exchange, sha256: str) -> str | None:
        """Keep a challenge/block body for diagnosis while the rejects/ budget lasts."""
        body = exchange.wire_body[: self.settings.reject_body_max_bytes]
        if not body or self._rejects_bytes + len(body) > self.settings.rejects_max_bytes:
            return None
        stamp = warc_date(exchange.started_at).replace(":", "").replace("-", "")
        name = f"{stamp}-{sha256[:16]}.bin"
        path = self.data_dir.rejects_dir / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fp:
            fp.write(body)
        self._rejects_bytes += len(body)
        return name

    # -- reading ---------------------------------------------------------------------------------------------
    def read_raw(self, capture: Capture) -> RawResponse:
        return read_raw(self.catalogue, self.warcs.warcs_dir, capture)

    def read_payload(self, capture: Capture) -> bytes:
        return self.read_raw(capture).body

    def read_member(self, location: WarcLocation) -> bytes:
        return self.warcs.read_member(location)


def read_raw(catalogue: Catalogue, warcs_dir: Path, capture: Capture) -> RawResponse:
    """Status, headers and decoded body exactly as archived; a revisit is resolved through its original."""
    if capture.location is None:
        raise CaptureNotFound(f"capture {capture.capture_id} has no archived record ({capture.kind})")
    store = WarcStore(warcs_dir)
    record = _read(store, capture.location)
    if record.record_type != "revisit":
        return response_from_record(record)
    refers_to = catalogue.capture_row(capture.capture_id)["refers_to"]
    if refers_to is None:
        raise CaptureNotFound(f"revisit capture {capture.capture_id} has no original")
    original = catalogue.get_capture(int(refers_to))
    if original.location is None:
        raise CaptureNotFound(f"original capture {original.capture_id} has no archived record")
    original_record = _read(store, original.location)
    if record.header("WARC-Profile") == PROFILE_NOT_MODIFIED:
        return response_from_record(original_record)
    _, _, payload = split_http(original_record.block)
    return response_from_record(record, body_source=payload)


def _read(store: WarcStore, location: WarcLocation) -> WarcRecord:
    for attempt in range(2):  # the writer may rename .open -> .warc.gz between resolve and open
        try:
            with open(store.resolve(location.filename), "rb") as fp:
                return read_record_at(fp, location.offset, location.length)
        except FileNotFoundError as exc:
            if attempt:
                raise CaptureNotFound(f"WARC file {location.filename} is missing") from exc
        except (ValueError, OSError, zlib.error) as exc:
            raise CaptureNotFound(
                f"{location.filename}@{location.offset}: unreadable record ({exc})"
            ) from exc
    raise CaptureNotFound(f"WARC file {location.filename} is missing")
