"""WarcStore: append WARC/1.1 records to the one `*.warc.gz.open` file, fsync, rotate by size, read back.

Each record is its own gzip member, written in one `write` and fsynced before the caller may commit a catalogue row
that points at it (the durable order of docs/TESTPLAN.md section 2). A full file is renamed to `.warc.gz` and made read-only;
a closed file is never written again. Catalogue rows name the final `.warc.gz` name, so closing needs no row update.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import CaptureNotFound
from archive.models import Exchange, WarcLocation
from archive.settings import ArchiveSettings

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_STAMP_SERIAL = r"\d{8}T\d{6}Z-\d+" + re.escape(WARC_SUFFIX)
# Hop-by-hop or framing headers that no longer describe the stored (de-chunked) body.
_DROPPED_RESPONSE_HEADERS = frozenset({"transfer-encoding", "content-length"})


@dataclass(frozen=True)
class AppendedRecord:
    location: WarcLocation
    record_id: str
    record_type: str
    member_sha256: str  # fixity of the gzip member exactly as written


@dataclass(frozen=True)
class RevisitOf:
    """The earlier capture a revisit record points at."""

    target_uri: str
    warc_date: str
    payload_digest: str
    not_modified: bool = False  # a 304 answer rather than an identical payload


@dataclass(frozen=True)
class ExchangeRecords:
    main: AppendedRecord  # the response or revisit record
    request: AppendedRecord | None
    payload_digest: str | None
    warc_date: str


@dataclass(frozen=True)
class FileEvent:
    """A WARC file was created (warcinfo durable) or closed (renamed, read-only)."""

    name: str  # final name, ending .warc.gz
    created: bool
    warcinfo: AppendedRecord | None = None
    size_bytes: int | None = None
    sha256: str | None = None


def member_header() -> bytes:
    """The 10-byte gzip header warcio's compressor writes; verify insists on it (it has no checksum of its own)."""
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return (comp.compress(b"") + comp.flush())[:10]


def warc_date(iso: str) -> str:
    """An ISO 8601 instant as a WARC-Date (UTC, Z); exchanges already carry one."""
    text = iso.strip()
    if text.endswith("Z"):
        return text
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ascii_uri(text: str) -> str:
    return "".join(c if 32 < ord(c) < 127 else quote(c, safe="") for c in text)


def warc_uri(url: str) -> str:
    """A URL as WARC-Target-URI must hold it: a URI (RFC 3986), so spaces and non-ASCII are percent-encoded."""
    return _ascii_uri(url)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def response_http_headers(exchange: Exchange) -> StatusAndHeaders:
    """The server's headers, made consistent with the stored de-chunked body (Content-Encoding kept)."""
    headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in _DROPPED_RESPONSE_HEADERS]
    headers.append(("Content-Length", str(len(exchange.wire_body))))
    status = f"{exchange.status} {exchange.reason}".rstrip()
    return StatusAndHeaders(status, headers, protocol=exchange.http_version or "HTTP/1.1")


def request_http_headers(exchange: Exchange) -> StatusAndHeaders:
    parts = urlsplit(exchange.final_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # A request line must be ASCII: percent-encode what a browser would (Chinese file names in paths).
    target = _ascii_uri(target)
    headers = list(exchange.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    # warcio writes `protocol statusline`, so a request line `GET /path HTTP/1.1` is protocol "GET".
    version = exchange.http_version or "HTTP/1.1"
    return StatusAndHeaders(f"{target} {version}", headers, protocol=exchange.method)


class WarcStore:
    """The single appender of a data dir's warcs/ (one process writes; readers may be many)."""

    def __init__(
        self,
        warcs_dir: Path,
        settings: ArchiveSettings | None = None,
        *,
        on_file_event: Callable[[FileEvent], None] | None = None,
    ) -> None:
        self.warcs_dir = Path(warcs_dir)
        self.settings = settings or ArchiveSettings()
        self._on_file_event = on_file_event
        self._writer = WARCWriter(io.BytesIO(), gzip=True, warc_version="1.1")
        self._fp: io.BufferedWriter | None = None
        self._name: str | None = None  # final name of the open file
        prefix, worker = self.settings.warc_prefix, self.settings.worker_id
        self._stem = f"{prefix}-{worker}-" if worker else f"{prefix}-"
        if worker:
            self._mine = re.compile(re.escape(self._stem) + _STAMP_SERIAL)
            self._others: re.Pattern[str] | None = None
        else:  # every file but a named worker's (so an older prefix's open file is still recovered)
            self._mine = re.compile(r".*")
            self._others = re.compile(re.escape(prefix) + r"-[A-Za-z][A-Za-z0-9_-]*-" + _STAMP_SERIAL)

    # -- paths -----------------------------------------------------------------------------------------------
    def owns(self, name: str) -> bool:
        """Whether this writer appends to, recovers and seals the file `name` (.open or not): with several
        workers on one warcs/ directory each keeps to the files carrying its worker_id."""
        name = name.removesuffix(OPEN_SUFFIX)
        if self._others is not None and self._others.fullmatch(name):
            return False
        return self._mine.fullmatch(name) is not None

    def open_files(self) -> list[Path]:
        return sorted(p for p in self.warcs_dir.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}") if self.owns(p.name))

    def closed_files(self) -> list[Path]:
        return sorted(p for p in self.warcs_dir.glob(f"*{WARC_SUFFIX}") if self.owns(p.name))

    def resolve(self, filename: str) -> Path:
        """The path of a catalogued file name, whether it is still open or already closed."""
        closed = self.warcs_dir / filename
        if closed.exists():
            return closed
        return self.warcs_dir / (filename + OPEN_SUFFIX)

    @property
    def current_name(self) -> str | None:
        return self._name

    # -- writing ---------------------------------------------------------------------------------------------
    def append_exchange(self, exchange: Exchange, *, revisit: RevisitOf | None = None) -> ExchangeRecords:
        """Write the response (or revisit) record and its request record; fsynced when this returns."""
        date = warc_date(exchange.started_at)
        main_record = self._build_main(exchange, date, revisit)
        records = [main_record]
        if revisit is None or self.settings.revisit_request_records:
            records.append(self._build_request(exchange, date, main_record))
        written = self.append_records(records)
        digest = main_record.rec_headers.get_header("WARC-Payload-Digest")
        request = written[1] if len(written) > 1 else None
        return ExchangeRecords(main=written[0], request=request, payload_digest=digest, warc_date=date)

    def append_records(self, records: Sequence[ArcWarcRecord]) -> list[AppendedRecord]:
        """Append complete records as separate gzip members in one write, then flush and fsync."""
        fp, name = self._ensure_open()
        members = [self._serialise(record) for record in records]
        offset = fp.tell()
        try:
            fp.write(b"".join(members))
            fp.flush()
            os.fsync(fp.fileno())
        except BaseException:
            self.rollback(offset)  # a full disk: no half record may stay (and be sealed) behind
            raise
        appended: list[AppendedRecord] = []
        for record, member in zip(records, members, strict=True):
            appended.append(
                AppendedRecord(
                    location=WarcLocation(filename=name, offset=offset, length=len(member)),
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                    record_type=record.rec_type,
                    member_sha256=hashlib.sha256(member).hexdigest(),
                )
            )
            offset += len(member)
        return appended

    def rollback(self, offset: int) -> None:
        """Undo everything appended to the open file from `offset` on (a failed write, or a catalogue commit
        that failed after the write). The file stays open; if even that fails, it is left `.open`, unsealed,
        for start-up recovery to reconcile with the catalogue."""
        fp, name = self._fp, self._name
        if fp is None or name is None:
            return
        path = self.warcs_dir / (name + OPEN_SUFFIX)
        self._fp, self._name = None, None
        with contextlib.suppress(OSError):
            fp.close()  # its buffer may not flush (disk full); the bytes that did land are cut off next
        try:
            os.truncate(path, offset)
            self.reopen(path)
        except OSError as exc:
            logger.warning("could not undo a failed append to %s (%s); recovery will", path.name, exc)

    def rotate_if_full(self) -> FileEvent | None:
        if self._fp is not None and self._fp.tell() >= self.settings.warc_max_bytes:
            return self.close_file()
        return None

    def close_file(self) -> FileEvent | None:
        """Seal the open file: fsync, rename to .warc.gz, make it read-only; it never changes again."""
        if self._fp is None or self._name is None:
            return None
        fp, name = self._fp, self._name
        fp.flush()
        os.fsync(fp.fileno())
        fp.close()
        self._fp = None
        self._name = None
        return self.seal(self.warcs_dir / (name + OPEN_SUFFIX))

    def seal(self, open_path: Path) -> FileEvent:
        """Rename an .open file to its final name and make it read-only (also used by recovery)."""
        name = open_path.name[: -len(OPEN_SUFFIX)]
        final = self.warcs_dir / name
        digest = hashlib.sha256()
        with open(open_path, "rb") as fp:
            for block in iter(lambda: fp.read(1 << 20), b""):
                digest.update(block)
        size = open_path.stat().st_size
        os.rename(open_path, final)
        os.chmod(final, 0o444)
        _fsync_dir(self.warcs_dir)
        event = FileEvent(name=name, created=False, size_bytes=size, sha256=digest.hexdigest())
        logger.info("warc closed %s %d bytes", name, size)
        if self._on_file_event is not None:
            self._on_file_event(event)
        return event

    def reopen(self, open_path: Path) -> None:
        """Continue appending to an existing (recovered) .open file."""
        if self._fp is not None:
            raise RuntimeError("a WARC file is already open")
        self._fp = open(open_path, "ab")  # noqa: SIM115 - lives as long as the store
        self._name = open_path.name[: -len(OPEN_SUFFIX)]

    def close(self) -> None:
        self.close_file()

    def _ensure_open(self) -> tuple[io.BufferedWriter, str]:
        if self._fp is not None and self._name is not None:
            return self._fp, self._name
        name = self._next_name()
        path = self.warcs_dir / (name + OPEN_SUFFIX)
        fp = open(path, "xb")  # noqa: SIM115 - lives as long as the store
        os.chmod(path, 0o600)
        info = self._writer.create_warcinfo_record(
            name, {"software": self.settings.software, "format": "WARC File Format 1.1"}
        )
        member = self._serialise(info)
        fp.write(member)
        fp.flush()
        os.fsync(fp.fileno())
        _fsync_dir(self.warcs_dir)
        self._fp, self._name = fp, name
        warcinfo = AppendedRecord(
            location=WarcLocation(filename=name, offset=0, length=len(member)),
            record_id=info.rec_headers.get_header("WARC-Record-ID"),
            record_type="warcinfo",
            member_sha256=hashlib.sha256(member).hexdigest(),
        )
        if self._on_file_event is not None:
            self._on_file_event(FileEvent(name=name, created=True, warcinfo=warcinfo))
        return fp, name

    def _next_name(self) -> str:
        serial = 0
        for path in self.warcs_dir.glob(f"{self._stem}*{WARC_SUFFIX}*"):
            stem = path.name.split(WARC_SUFFIX)[0]
            tail = stem.rsplit("-", 1)[-1]
            if tail.isdigit():
                serial = max(serial, int(tail))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"{self._stem}{stamp}-{serial + 1:05d}{WARC_SUFFIX}"

    def _serialise(self, record: ArcWarcRecord) -> bytes:
        buf = io.BytesIO()
        WARCWriter(buf, gzip=True, warc_version="1.1").write_record(record)
        return buf.getvalue()

    def _build_main(self, exchange: Exchange, date: str, revisit: RevisitOf | None) -> ArcWarcRecord:
        headers = {"WARC-Date": date}
        if revisit is not None:
            record = self._writer.create_revisit_record(
                warc_uri(exchange.final_url),
                revisit.payload_digest,
                warc_uri(revisit.target_uri),
                revisit.warc_date,
                http_headers=response_http_headers(exchange),
                warc_headers_dict=headers,
            )
            if revisit.not_modified:
                record.rec_headers.replace_header("WARC-Profile", PROFILE_NOT_MODIFIED)
            return record
        if exchange.truncated:
            headers["WARC-Truncated"] = exchange.truncated
        return self._writer.create_warc_record(
            warc_uri(exchange.final_url),
            "response",
            payload=io.BytesIO(exchange.wire_body),
            length=len(exchange.wire_body),
            warc_headers_dict=headers,
            http_headers=response_http_headers(exchange),
        )

    def _build_request(self, exchange: Exchange, date: str, main: ArcWarcRecord) -> ArcWarcRecord:
        return self._writer.create_warc_record(
            warc_uri(exchange.final_url),
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": main.rec_headers.get_header("WARC-Record-ID"),
            },
            http_headers=request_http_headers(exchange),
        )

    # -- reading ---------------------------------------------------------------------------------------------
    def read_member(self, location: WarcLocation) -> bytes:
        """The raw gzip member at a location (what evidence bundles copy)."""
        data = b""
        for attempt in range(2):  # the writer may rename .open -> .warc.gz between resolve and open
            try:
                with open(self.resolve(location.filename), "rb") as fp:
                    fp.seek(location.offset)
                    data = fp.read(location.length)
                break
            except FileNotFoundError as exc:
                if attempt:
                    raise CaptureNotFound(f"WARC file {location.filename} is missing") from exc
        if len(data) != location.length:
            raise CaptureNotFound(f"{location.filename}@{location.offset}: record is cut short")
        return data


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
