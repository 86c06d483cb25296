"""Attachments fetched again: new bytes under the same link are a change of the document (issue 15).

A document's fields name its attachments by link, so a file replaced in place (a corrected budget table under the
same W0….xlsx) leaves the page as it was; only the file's content digest tells. When an attachment's payload
differs from its last archived one, the parent document changes: folded into the current version when that
version came from the same visit (the page was edited too), else a new version with the same fields. Each change
names the attachment capture, so handling the same capture twice (a resumed crawl) changes nothing.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from archive import db
from archive.models import Capture
from archive.volatile import session_free

FIELD = "attachment_content"


def record_file(conn: db.Connection, parent_url: str, capture: Capture) -> str | None:
    """ "changed" (a new version), "amended" (added to the current version) or None (no change)."""
    if capture.status != 200 or capture.sha256 is None:
        return None
    previous = conn.execute(
        "SELECT capture_id, sha256 FROM captures WHERE url = ? AND capture_id < ? AND status = 200"
        " AND sha256 IS NOT NULL ORDER BY capture_id DESC LIMIT 1",
        (capture.url, capture.capture_id),
    ).fetchone()
    if previous is None or previous["sha256"] == capture.sha256:
        return None
    doc = conn.execute(
        "SELECT * FROM documents WHERE url = ? ORDER BY seq DESC LIMIT 1", (parent_url,)
    ).fetchone()
    if doc is None or not _links_to(doc, capture.url):
        return None
    version = conn.execute(
        "SELECT * FROM versions WHERE doc_id = ? AND n = ?", (doc["doc_id"], doc["versions"])
    ).fetchone()
    changes: list[dict[str, Any]] = json.loads(version["changes_json"])
    if any(c.get("field") == FIELD and c.get("capture_id") == capture.capture_id for c in changes):
        return None  # this capture was counted already
    change = {
        "field": FIELD,
        "url": capture.url,
        "old": previous["sha256"],
        "new": capture.sha256,
        "capture_id": capture.capture_id,
    }
    seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0])
    if version["capture_id"] > previous["capture_id"] and version["n"] > 1:
        # the page visit that made the current version came after the file's last capture: one edit, one version
        _set_changes(conn, doc["doc_id"], version["n"], [*changes, change])
        conn.execute("UPDATE documents SET seq = ? WHERE doc_id = ?", (seq, doc["doc_id"]))
        for event in conn.execute(
            "SELECT event_id, detail_json FROM events WHERE doc_id = ? AND kind = 'changed'", (doc["doc_id"],)
        ).fetchall():
            detail = json.loads(event["detail_json"])
            if detail.get("version") == version["n"] and FIELD not in detail.get("fields", []):
                detail["fields"] = [*detail.get("fields", []), FIELD]
                conn.execute(
                    "UPDATE events SET detail_json = ? WHERE event_id = ?", (_dump(detail), event["event_id"])
                )
        return "amended"
    page = conn.execute(
        "SELECT capture_id, captured_at, sha256 FROM captures WHERE url = ? AND kind = 'document' AND status = 200"
        " ORDER BY capture_id DESC LIMIT 1",
        (parent_url,),
    ).fetchone()
    page_id, page_at, page_sha = (
        (page["capture_id"], page["captured_at"], page["sha256"])
        if page is not None
        else (doc["capture_id"], doc["captured_at"], doc["sha256"])
    )
    n = doc["versions"] + 1
    conn.execute(
        "INSERT INTO versions (doc_id, n, capture_id, captured_at, url, sha256, fields_json, changes_json, diff)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
        (doc["doc_id"], n, page_id, page_at, doc["url"], page_sha, doc["fields_json"], _dump([change])),
    )
    conn.execute(
        "UPDATE documents SET versions = ?, seq = ?, capture_id = ?, captured_at = ?, sha256 = ? WHERE doc_id = ?",
        (n, seq, page_id, page_at, page_sha, doc["doc_id"]),
    )
    conn.execute(
        "INSERT INTO events (doc_id, kind, at, capture_id, detail_json) VALUES (?, 'changed', ?, ?, ?)",
        (doc["doc_id"], capture.captured_at, capture.capture_id, _dump({"version": n, "fields": [FIELD]})),
    )
    return "changed"


def _links_to(doc: Any, url: str) -> bool:
    fields = json.loads(doc["fields_json"])
    wanted = unquote(session_free(url))
    return any(unquote(session_free(a.get("url") or "")) == wanted for a in fields.get("attachments") or ())


def _set_changes(conn: db.Connection, doc_id: str, n: int, changes: list[dict[str, Any]]) -> None:
    conn.execute(
        "UPDATE versions SET changes_json = ? WHERE doc_id = ? AND n = ?", (_dump(changes), doc_id, n)
    )


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
