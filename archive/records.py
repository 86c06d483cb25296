"""Reading WARC records back without trusting them: gzip members scanned one by one, records parsed strictly.

warcio's reader skips over a truncated last member and forgives header damage (docs/TESTPLAN.md finding 7), so the
verifier, recovery and the raw reader share this small strict parser instead.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from base64 import b32encode
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_CHUNK = 1 << 16


@dataclass(frozen=True)
class Member:
    """One gzip member of a WARC file, or the damaged rest of the file when `error` is set."""

    offset: int
    length: int  # compressed bytes consumed (for a damaged member: up to the end of the file)
    header: bytes  # its first 10 bytes
    data: bytes  # decompressed content (empty when damaged)
    sha256: str  # of the compressed bytes
    error: str | None = None


@dataclass(frozen=True)
class RawResponse:
    """An archived HTTP response as stored: status line, headers, and the body with Content-Encoding undone."""

    status: int | None
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    record_type: str
    truncated: str | None = None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


@dataclass(frozen=True)
class WarcRecord:
    version: str
    headers: tuple[tuple[str, str], ...]
    block: bytes
    trailer_ok: bool  # the block is followed by exactly CRLF CRLF

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def record_type(self) -> str | None:
        return self.header("WARC-Type")


def sha1_digest(data: bytes) -> str:
    """A digest as warcio writes it: sha1:<base32>."""
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode("ascii")


def scan_members(fp: BinaryIO, start: int = 0) -> Iterator[Member]:
    """Walk the gzip members of a file; the last item carries `error` if the file does not end cleanly."""
    fp.seek(0, 2)
    size = fp.tell()
    pos = start
    while pos < size:
        fp.seek(pos)
        decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
        out: list[bytes] = []
        raw = hashlib.sha256()
        consumed = 0
        header = b""
        error: str | None = None
        while not decomp.eof:
            chunk = fp.read(_CHUNK)
            if not chunk:
                error = "gzip member cut short (truncated file)"
                break
            if len(header) < 10:
                header += chunk[: 10 - len(header)]
            try:
                out.append(decomp.decompress(chunk))
            except zlib.error as exc:
                error = f"gzip data damaged: {exc}"
                consumed += len(chunk)
                raw.update(chunk)
                break
            used = len(chunk) - len(decomp.unused_data) if decomp.eof else len(chunk)
            raw.update(chunk[:used])
            consumed += used
        if error is not None:
            yield Member(offset=pos, length=size - pos, header=header, data=b"", sha256="", error=error)
            return
        yield Member(offset=pos, length=consumed, header=header, data=b"".join(out), sha256=raw.hexdigest())
        pos += consumed


def parse_record(data: bytes) -> WarcRecord:
    """Parse one decompressed WARC record; raises ValueError naming what is malformed."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise ValueError("WARC header block has no end")
    lines = data[:end].decode("utf-8").split("\r\n")
    version = lines[0]
    if not version.startswith("WARC/"):
        raise ValueError(f"bad WARC version line {version[:40]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise ValueError(f"malformed WARC header line {line[:60]!r}")
        headers.append((name.strip(), value.strip()))
    record = WarcRecord(version=version, headers=tuple(headers), block=b"", trailer_ok=False)
    length_text = record.header("Content-Length")
    if length_text is None or not length_text.isdigit():
        raise ValueError("WARC Content-Length missing or not a number")
    length = int(length_text)
    body_start = end + 4
    block = data[body_start : body_start + length]
    if len(block) != length:
        raise ValueError(f"block shorter than Content-Length ({len(block)} < {length})")
    trailer_ok = data[body_start + length :] == b"\r\n\r\n"
    return WarcRecord(version=version, headers=tuple(headers), block=block, trailer_ok=trailer_ok)


def split_http(block: bytes) -> tuple[str, tuple[tuple[str, str], ...], bytes]:
    """Split an HTTP message block into its start line, headers and payload."""
    end = block.find(b"\r\n\r\n")
    if end < 0:
        raise ValueError("HTTP header block has no end")
    lines = block[:end].decode("iso-8859-1").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"malformed HTTP header line {line[:60]!r}")
        headers.append((name.strip(), value.strip()))
    return lines[0], tuple(headers), block[end + 4 :]


def decode_content(payload: bytes, content_encoding: str | None) -> bytes:
    """Undo Content-Encoding the way a browser would (gzip, deflate raw or zlib); identity otherwise."""
    coding = (content_encoding or "").strip().lower()
    if coding in ("gzip", "x-gzip"):
        return gzip.decompress(payload)
    if coding == "deflate":
        try:
            return zlib.decompress(payload)
        except zlib.error:
            return zlib.decompress(payload, -zlib.MAX_WBITS)
    return payload


def response_from_record(record: WarcRecord, body_source: bytes | None = None) -> RawResponse:
    """Turn a response/revisit record into a RawResponse; a revisit takes its payload from `body_source`."""
    start, headers, payload = split_http(record.block)
    version, _, rest = start.partition(" ")
    code, _, reason = rest.partition(" ")
    status = int(code) if code.isdigit() else None
    if body_source is not None:
        payload = body_source
    encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
    truncated = record.header("WARC-Truncated")
    body = _decode_lenient(payload, encoding) if truncated else decode_content(payload, encoding)
    return RawResponse(
        status=status,
        reason=reason,
        http_version=version,
        headers=headers,
        body=body,
        record_type=record.record_type or "",
        truncated=truncated,
    )


def _decode_lenient(payload: bytes, encoding: str | None) -> bytes:
    """A cut body decodes as far as it goes."""
    coding = (encoding or "").strip().lower()
    if coding in ("gzip", "x-gzip", "deflate"):
        wbits = zlib.MAX_WBITS + 16 if coding != "deflate" else zlib.MAX_WBITS + 32
        return zlib.decompressobj(wbits).decompress(payload)
    return payload


def read_record_at(fp: BinaryIO, offset: int, length: int) -> WarcRecord:
    """Read and parse the single record whose gzip member sits exactly at offset/length."""
    fp.seek(offset)
    raw = fp.read(length)
    if len(raw) != length:
        raise ValueError("record runs past the end of the file")
    decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
    data = decomp.decompress(raw)
    if not decomp.eof or decomp.unused_data:
        raise ValueError("location does not span exactly one gzip member")
    return parse_record(data)
