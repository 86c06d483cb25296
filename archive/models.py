"""Value types shared by every layer: what a fetch produced, what a page said, what the archive holds.

Frozen dataclasses, no I/O. The crawler builds `Exchange` and `Parsed`; the archive stores them and hands back
`Capture` and `Document`; the index and the web read `Document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.fields import FIELDS, names

# The disclosure fields of the public document record, in display order, and the ones a parser may fill beyond
# them (category, keywords, ...): both read off the one field table (archive/fields.py).
RECORD_FIELDS: tuple[str, ...] = names("record")
EXTRA_FIELDS: tuple[str, ...] = names("extra")

# Capture kinds (what the archive calls the crawler's outcome family).
KINDS: tuple[str, ...] = ("document", "list", "attachment", "blocked", "error", "other")


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str | None = None


# The Chinese label of every field of the document record (document page, version changes, change feeds, CSV
# header row), from the field table.
FIELD_LABELS: dict[str, str] = {spec.name: spec.label for spec in FIELDS}


@dataclass(frozen=True)
class Parsed:
    """What one page says: the output of `crawler.extract.parse_page`. Values are as shown; absent is None."""

    title: str | None = None
    index_no: str | None = None
    agency: str | None = None
    topic: str | None = None
    doc_no: str | None = None
    disclosure: str | None = None
    source: str | None = None
    written_date: str | None = None  # YYYY-MM-DD
    publish_date: str | None = None  # YYYY-MM-DD
    publish_at: str | None = None  # 2021-02-26T08:55:00+08:00 when a time is shown
    category: str | None = None  # 组配分类
    keywords: str | None = None  # 主题词
    validity: str | None = None  # 有效性
    unified_no: str | None = None  # 统一编号
    co_agencies: tuple[str, ...] = ()
    body: str = ""
    attachments: tuple[Attachment, ...] = ()
    raw_fields: tuple[tuple[str, str], ...] = ()  # every (label, value) pair of the block, verbatim
    flags: tuple[str, ...] = ()  # low-confidence markers, e.g. "no_metadata_block", "title_from_title_tag"
    charset: str | None = None  # the charset the bytes were decoded with

    def field_values(self) -> dict[str, str | None]:
        """The record fields plus the extra ones, for storage and comparison."""
        return {name: getattr(self, name) for name in RECORD_FIELDS + EXTRA_FIELDS}

    def record_fields(self) -> dict[str, Any]:
        """What the parser gives to the public document record (docs/CONTRACTS.md): fields, body, attachments."""
        record: dict[str, Any] = {name: getattr(self, name) for name in RECORD_FIELDS}
        record["body"] = self.body
        record["attachments"] = [{"url": a.url, "name": a.name} for a in self.attachments]
        return record

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.field_values()
        data["co_agencies"] = list(self.co_agencies)
        data["body"] = self.body
        data["attachments"] = [{"url": a.url, "name": a.name} for a in self.attachments]
        data["raw_fields"] = [list(pair) for pair in self.raw_fields]
        data["flags"] = list(self.flags)
        data["charset"] = self.charset
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Parsed:
        values = {name: data.get(name) for name in RECORD_FIELDS + EXTRA_FIELDS}
        return cls(
            **values,
            co_agencies=tuple(data.get("co_agencies") or ()),
            body=data.get("body") or "",
            attachments=tuple(
                Attachment(url=a["url"], name=a.get("name")) for a in data.get("attachments") or ()
            ),
            raw_fields=tuple((str(k), str(v)) for k, v in data.get("raw_fields") or ()),
            flags=tuple(data.get("flags") or ()),
            charset=data.get("charset"),
        )


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as the fetcher saw it, before anything is decided about it.

    `wire_body` is the entity body exactly as the server sent it (still content-encoded, de-chunked);
    `content` is the same body after Content-Encoding was undone (what parsers read). For a failure
    without a response, `status` is None and `error` says why.
    """

    url: str  # requested URL
    final_url: str  # URL of the last response after redirects
    started_at: str  # ISO 8601 UTC with Z
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    method: str = "GET"
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: bytes = b""  # a POST form (Hanweb dataproxy.jsp), archived in the request record
    response_headers: tuple[tuple[str, str], ...] = ()
    wire_body: bytes = b""
    content: bytes = b""
    truncated: str | None = None  # "length" or "time" when the byte cap or deadline cut the body
    error: str | None = None  # "timeout", "connection", "tls", "redirect_loop", ...
    elapsed_ms: int = 0

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.response_headers:
            if key.lower() == lname:
                return value
        return None


@dataclass(frozen=True)
class WarcLocation:
    filename: str  # file name inside warcs/ (without the .open suffix once closed)
    offset: int
    length: int


@dataclass(frozen=True)
class Capture:
    """A catalogue row: one archived response (or a recorded failure, with no location)."""

    capture_id: int
    url: str
    final_url: str
    status: int | None
    captured_at: str
    content_type: str | None
    charset: str | None
    kind: str  # one of KINDS
    reason: str | None  # outcome detail: "challenge:ruishu", "not_found", "timeout", ...
    payload_digest: str | None  # sha1:<base32> as warcio writes it
    sha256: str | None  # hex of the (decoded) payload
    location: WarcLocation | None
    record_type: str | None = None  # "response" or "revisit"
    truncated: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Document:
    """A document as the catalogue knows it now (its latest version)."""

    doc_id: str
    url: str
    seq: int  # grows on every insert or change; the indexer follows it
    status: str  # "live" or "removed"
    versions: int
    captured_at: str  # capture of the current version
    first_seen_at: str
    last_checked_at: str
    removed_at: str | None
    capture_id: int
    sha256: str | None
    fields: Parsed = field(default_factory=Parsed)
    last_seen_at: str | None = None  # last time the page answered with the document (a removal keeps it)

    def to_record(self) -> dict[str, Any]:
        """The public document record: catalogue fields around the parsed ones (archive/fields.py)."""
        return {
            "id": self.doc_id,
            "url": self.url,
            **self.fields.record_fields(),
            "captured_at": self.captured_at,
            "status": self.status,
            "versions": self.versions,
        }
