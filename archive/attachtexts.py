"""SQL for attachment text (migration 3): the derived `attachment_texts` rows keyed by SHA-256 and the
`doc_attachments` links from a document to the captures of its attachments.

Kept apart from catalogue.py so that the catalogue gains only thin methods. A link that changes gives its
document a new sequence number, so the indexer picks up the text that arrived after the page itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from archive import db
from archive.warcs import now_iso


def _next_seq(conn: db.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0])


def store_text(conn: db.Connection, sha256: str, values: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO attachment_texts (sha256, type, status, reason, size_bytes, pages, extractor, units_json,"
        " extracted_at, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET"
        " type = excluded.type, status = excluded.status, reason = excluded.reason,"
        " size_bytes = excluded.size_bytes, pages = excluded.pages, extractor = excluded.extractor,"
        " units_json = excluded.units_json, extracted_at = excluded.extracted_at,"
        " elapsed_ms = excluded.elapsed_ms",
        (
            sha256,
            values.get("type") or "unknown",
            values["status"],
            values.get("reason"),
            values.get("size_bytes"),
            values.get("pages"),
            values.get("extractor"),
            json.dumps(values.get("units") or [], ensure_ascii=False),
            now_iso(),
            values.get("elapsed_ms"),
        ),
    )
    # every document that links this payload is re-indexed with the new text
    docs = [
        r[0] for r in conn.execute("SELECT DISTINCT doc_id FROM doc_attachments WHERE sha256 = ?", (sha256,))
    ]
    touch(conn, docs)


def touch(conn: db.Connection, doc_ids: Iterable[str]) -> None:
    for doc_id in doc_ids:
        conn.execute("UPDATE documents SET seq = ? WHERE doc_id = ?", (_next_seq(conn), doc_id))


def text_row(conn: db.Connection, sha256: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM attachment_texts WHERE sha256 = ?", (sha256,)).fetchone()
    return _text(row) if row else None


def _text(row: Any) -> dict[str, Any]:
    data = dict(row)
    data["units"] = json.loads(data.pop("units_json") or "[]")
    return data


def link(
    conn: db.Connection,
    doc_id: str,
    url: str,
    name: str | None,
    capture_id: int | None,
    sha256: str | None,
) -> bool:
    """Record that `doc_id` links the attachment at `url`; True (and a new seq) when anything changed."""
    row = conn.execute(
        "SELECT name, capture_id, sha256 FROM doc_attachments WHERE doc_id = ? AND url = ?", (doc_id, url)
    ).fetchone()
    if row is not None and (row["name"], row["sha256"]) == (name, sha256):
        if row["capture_id"] != capture_id:
            conn.execute(
                "UPDATE doc_attachments SET capture_id = ? WHERE doc_id = ? AND url = ?",
                (capture_id, doc_id, url),
            )
        return False
    conn.execute(
        "INSERT INTO doc_attachments (doc_id, url, name, capture_id, sha256) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(doc_id, url) DO UPDATE SET name = excluded.name, capture_id = excluded.capture_id,"
        " sha256 = excluded.sha256",
        (doc_id, url, name, capture_id, sha256),
    )
    touch(conn, [doc_id])
    return True


def prune(conn: db.Connection, doc_id: str, keep_urls: Iterable[str]) -> int:
    """Drop the links of attachments the document's current version no longer lists."""
    keep = set(keep_urls)
    gone = [
        r[0]
        for r in conn.execute("SELECT url FROM doc_attachments WHERE doc_id = ?", (doc_id,))
        if r[0] not in keep
    ]
    for url in gone:
        conn.execute("DELETE FROM doc_attachments WHERE doc_id = ? AND url = ?", (doc_id, url))
    if gone:
        touch(conn, [doc_id])
    return len(gone)


def for_document(conn: db.Connection, doc_id: str) -> list[dict[str, Any]]:
    """Each linked attachment with its text row (None until extracted), in URL order."""
    rows = conn.execute(
        "SELECT l.url, l.name, l.capture_id, l.sha256, t.type, t.status, t.reason, t.size_bytes, t.pages,"
        " t.extractor, t.units_json, t.extracted_at FROM doc_attachments l"
        " LEFT JOIN attachment_texts t ON t.sha256 = l.sha256 WHERE l.doc_id = ? ORDER BY l.rowid",
        (doc_id,),
    ).fetchall()
    out = []
    for row in rows:
        data = dict(row)
        data["units"] = json.loads(data.pop("units_json") or "[]")
        out.append(data)
    return out


def counts(conn: db.Connection) -> dict[str, int]:
    """How many distinct payloads are in each extraction status (needs_ocr counts the scans)."""
    rows = conn.execute("SELECT status, COUNT(*) FROM attachment_texts GROUP BY status").fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


TYPE_LABELS = {
    "pdf": "PDF",
    "ofd": "OFD",
    "doc": "DOC",
    "wps": "WPS",
    "docx": "DOCX",
    "xls": "XLS",
    "et": "ET",
    "xlsx": "XLSX",
    "ods": "ODS",
    "unknown": "未知",
}

STATUS_LABELS = {
    "ok": "已提取",
    "needs_ocr": "需 OCR（无文字层）",
    "failed": "提取失败",
    "not_extracted": "未提取",
    "pending": "等待提取",
    "not_fetched": "未存档",
}


def records(
    attachments: Iterable[Any], links: list[dict[str, Any]], *, with_text: bool = True
) -> list[dict[str, Any]]:
    """The `attachments[]` of the document record (README.md): each link of the page with its archived
    payload's sha256, type, size, extraction {status, reason} and text (with its page and sheet units).

    A page lists raw URLs and the links hold canonical ones, so a link is matched by URL, else by link text."""
    by_url = {link["url"]: link for link in links}
    by_name: dict[str, dict[str, Any]] = {}
    for link in links:
        if link.get("name"):
            by_name.setdefault(link["name"], link)
    out: list[dict[str, Any]] = []
    for attachment in attachments:
        row: dict[str, Any] | None = by_url.get(attachment.url)
        if row is None and attachment.name:
            row = by_name.get(attachment.name)
        record: dict[str, Any] = {"url": attachment.url, "name": attachment.name}
        if row is None:
            record.update(sha256=None, type=None, size=None, capture_id=None)
            record["extraction"] = {"status": "not_fetched", "reason": None}
        else:
            status = row.get("status") or "pending"
            record.update(
                sha256=row.get("sha256"),
                type=row.get("type"),
                size=row.get("size_bytes"),
                capture_id=row.get("capture_id"),
            )
            record["extraction"] = {"status": status, "reason": row.get("reason"), "pages": row.get("pages")}
            if with_text:
                units = row.get("units") or []
                record["text"] = "\n".join(u.get("text") or "" for u in units)
                record["units"] = units
        out.append(record)
    return out
