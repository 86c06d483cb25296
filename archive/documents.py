"""Document rows, versions and events: the writes behind `Catalogue.upsert_document` and `record_check`.

Functions take an open connection inside the caller's transaction, so a version, its event and the document's new
sequence number commit together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from archive import db
from archive.errors import ArchiveError, TruncatedCapture
from archive.models import Attachment, Capture, Parsed
from archive.tracking import body_diff, comparable, field_changes, identity_keys, index_key, make_doc_id
from archive.volatile import attachment_key, attachment_moves, session_free

_DOCUMENT_KINDS = frozenset({"document", "attachment", "other"})


@dataclass(frozen=True)
class DocumentChange:
    doc_id: str
    change: str  # "new" | "changed" | "unchanged" | "moved"
    seq: int
    version: int  # the document's current version number
    moved: bool = False  # the URL changed (also set when the content changed too)
    restored: bool = False  # it had been marked removed and answered again


def is_alive_answer(capture: Capture) -> bool:
    """A re-check that proves the page is there (resets the 404 count, restores a removed document)."""
    if capture.kind in ("blocked", "error") or capture.status is None:
        return False
    return 200 <= capture.status < 300 or capture.status == 304


def is_gone_answer(capture: Capture) -> bool:
    return capture.kind != "blocked" and capture.status in (404, 410)


def upsert(
    conn: db.Connection, capture: Capture, parsed: Parsed, url: str, *, diff_context: int = 2
) -> DocumentChange:
    if capture.truncated:
        raise TruncatedCapture(
            f"capture {capture.capture_id} of {capture.url} was cut ({capture.truncated}); it cannot be a document"
        )
    if capture.kind not in _DOCUMENT_KINDS or not is_alive_answer(capture):
        raise ArchiveError(
            f"capture {capture.capture_id} ({capture.kind}, status {capture.status}) cannot become a document"
        )
    keys = identity_keys(parsed, url)
    row = _find(conn, keys, parsed, url)
    now = capture.captured_at
    if row is None:
        return _insert(conn, capture, parsed, url, keys)
    doc_id = row["doc_id"]
    old = Parsed.from_json(json.loads(row["fields_json"]))
    changed = _differs(conn, old, parsed)
    if changed:
        files_moved = attachment_moves(old.attachments, parsed.attachments)
    else:  # the same files in the same order: a link that differs moved (host, port, scheme or a rename);
        # one that differs only by its session token did not, and is not worth an event on every visit
        pairs = zip(old.attachments, parsed.attachments, strict=False)
        files_moved = [
            {"from": a.url, "to": b.url} for a, b in pairs if session_free(a.url) != session_free(b.url)
        ]
    moved = row["url"] != url or bool(files_moved)
    restored = row["status"] == "removed"
    _register(conn, doc_id, keys, capture.capture_id)
    versions = row["versions"]
    if not (changed or moved or restored):
        conn.execute(
            "UPDATE documents SET last_checked_at = ?, last_seen_at = ?, misses = 0 WHERE doc_id = ?",
            (now, now, doc_id),
        )
        return DocumentChange(doc_id, "unchanged", row["seq"], versions)
    seq = _next_seq(conn)
    if changed:
        versions += 1
        changes, diff = _version_delta(old, parsed, versions, diff_context)
        _insert_version(conn, doc_id, versions, capture, url, parsed, changes, diff)
        names = [c["field"] for c in changes]
        _event(conn, doc_id, "changed", now, capture.capture_id, {"version": versions, "fields": names})
        conn.execute(
            "UPDATE documents SET fields_json = ?, capture_id = ?, captured_at = ?, sha256 = ?, versions = ?"
            " WHERE doc_id = ?",
            (_dump(parsed.to_json()), capture.capture_id, now, capture.sha256, versions, doc_id),
        )
    if moved:
        detail: dict[str, Any] = {"from": row["url"], "to": url}
        if files_moved:
            detail["attachments"] = files_moved
        _event(conn, doc_id, "moved", now, capture.capture_id, detail)
        if not changed:  # the same version, read where it lives now (links that work), no new version
            conn.execute(
                "UPDATE documents SET fields_json = ? WHERE doc_id = ?", (_dump(parsed.to_json()), doc_id)
            )
    if restored:
        _event(conn, doc_id, "restored", now, capture.capture_id, {"removed_at": row["removed_at"]})
    conn.execute(
        "UPDATE documents SET url = ?, seq = ?, status = 'live', removed_at = NULL, misses = 0,"
        " last_checked_at = ?, last_seen_at = ? WHERE doc_id = ?",
        (url, seq, now, now, doc_id),
    )
    change = "changed" if changed else ("moved" if moved else "unchanged")
    return DocumentChange(doc_id, change, seq, versions, moved=moved, restored=restored)


def record_check(conn: db.Connection, url: str, capture: Capture, *, removed_after: int = 2) -> str | None:
    """Count a re-check of a known document URL; only consecutive 404/410 answers lead to removal."""
    row = conn.execute("SELECT * FROM documents WHERE url = ? ORDER BY seq DESC LIMIT 1", (url,)).fetchone()
    if row is None:
        return None
    doc_id, now = row["doc_id"], capture.captured_at
    conn.execute(
        "INSERT INTO doc_captures (doc_id, capture_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (doc_id, capture.capture_id),
    )
    if is_gone_answer(capture):
        misses = row["misses"] + 1
        if row["status"] == "live" and misses >= removed_after:
            conn.execute(
                "UPDATE documents SET status = 'removed', removed_at = ?, misses = ?, last_checked_at = ?,"
                " seq = ? WHERE doc_id = ?",
                (now, misses, now, _next_seq(conn), doc_id),
            )
            detail = {"status": capture.status, "misses": misses, "last_seen_at": row["last_seen_at"]}
            _event(conn, doc_id, "removed", now, capture.capture_id, detail)
            return "removed"
        conn.execute(
            "UPDATE documents SET misses = ?, last_checked_at = ? WHERE doc_id = ?", (misses, now, doc_id)
        )
        return None
    if is_alive_answer(capture):
        if row["status"] == "removed":
            conn.execute(
                "UPDATE documents SET status = 'live', removed_at = NULL, misses = 0, last_checked_at = ?,"
                " last_seen_at = ?, seq = ? WHERE doc_id = ?",
                (now, now, _next_seq(conn), doc_id),
            )
            _event(conn, doc_id, "restored", now, capture.capture_id, {"removed_at": row["removed_at"]})
            return "restored"
        conn.execute(
            "UPDATE documents SET misses = 0, last_checked_at = ?, last_seen_at = ? WHERE doc_id = ?",
            (now, now, doc_id),
        )
        return None
    # Blocked, failed, timed out or 5xx: says nothing about the page; neither counts nor resets.
    conn.execute("UPDATE documents SET last_checked_at = ? WHERE doc_id = ?", (now, doc_id))
    return None


def history(conn: db.Connection, doc_id: str) -> dict[str, Any]:
    doc = conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    captures = conn.execute(
        "SELECT c.* FROM doc_captures d JOIN captures c USING (capture_id) WHERE d.doc_id = ?"
        " ORDER BY c.capture_id",
        (doc_id,),
    ).fetchall()
    versions = conn.execute("SELECT * FROM versions WHERE doc_id = ? ORDER BY n", (doc_id,)).fetchall()
    events = conn.execute("SELECT * FROM events WHERE doc_id = ? ORDER BY event_id", (doc_id,)).fetchall()
    return {
        "id": doc_id,
        "status": doc["status"],
        "first_seen_at": doc["first_seen_at"],
        "last_seen_at": doc["last_seen_at"],
        "last_checked_at": doc["last_checked_at"],
        "removed_at": doc["removed_at"],
        "captures": [capture_json(c) for c in captures],
        "versions": [
            {
                "n": v["n"],
                "capture_id": v["capture_id"],
                "captured_at": v["captured_at"],
                "url": v["url"],
                "sha256": v["sha256"],
                "title": json.loads(v["fields_json"]).get("title"),
                "changes": json.loads(v["changes_json"]),
                "diff": v["diff"],
            }
            for v in versions
        ],
        "events": [event_json(e) for e in events],
    }


def capture_json(row: Any) -> dict[str, Any]:
    warc = None
    if row["warc_file"] is not None:
        warc = {"file": row["warc_file"], "offset": row["warc_offset"], "length": row["warc_length"]}
    return {
        "capture_id": row["capture_id"],
        "url": row["url"],
        "final_url": row["final_url"],
        "status": row["status"],
        "captured_at": row["captured_at"],
        "kind": row["kind"],
        "reason": row["reason"],
        "record_type": row["record_type"],
        "content_type": row["content_type"],
        "sha256": row["sha256"],
        "payload_digest": row["payload_digest"],
        "truncated": row["truncated"],
        "warc": warc,
    }


def event_json(row: Any) -> dict[str, Any]:
    return {
        "event_id": row["event_id"],
        "id": row["doc_id"],
        "kind": row["kind"],
        "at": row["at"],
        "capture_id": row["capture_id"],
        "detail": json.loads(row["detail_json"]),
    }


def _differs(conn: db.Connection, old: Parsed, new: Parsed) -> bool:
    """A real change of content: `comparable` differs, unless only attachment links differ and each differing
    pair is the same file by content digest (a renamed file with the very same bytes is no edit)."""
    before, after = comparable(old), comparable(new)
    if before == after:
        return False
    if {k: v for k, v in before.items() if k != "attachments"} != {
        k: v for k, v in after.items() if k != "attachments"
    }:
        return True
    if len(old.attachments) != len(new.attachments):
        return True
    for a, b in zip(old.attachments, new.attachments, strict=True):
        if a.name != b.name:
            return True
        if attachment_key(a.url) == attachment_key(b.url):
            continue
        digest_a, digest_b = _file_digest(conn, a), _file_digest(conn, b)
        if digest_a is None or digest_a != digest_b:
            return True
    return False


def _file_digest(conn: db.Connection, attachment: Attachment) -> str | None:
    """SHA-256 of the last archived payload of an attachment link, when it has been fetched."""
    for url in dict.fromkeys((attachment.url, session_free(attachment.url))):
        hit = conn.execute(
            "SELECT sha256 FROM captures WHERE url = ? AND sha256 IS NOT NULL AND status = 200"
            " ORDER BY capture_id DESC LIMIT 1",
            (url,),
        ).fetchone()
        if hit is not None:
            return str(hit["sha256"])
    return None


def _find(conn: db.Connection, keys: list[str], parsed: Parsed, url: str) -> Any:
    new_index = index_key(parsed)
    for key in keys:
        hit = conn.execute(
            "SELECT d.* FROM doc_keys k JOIN documents d USING (doc_id) WHERE k.key = ?", (key,)
        ).fetchone()
        if hit is None:
            continue
        old_index = index_key(Parsed.from_json(json.loads(hit["fields_json"])))
        conflicting = new_index is not None and old_index is not None and new_index != old_index
        if key.startswith("i:"):
            return hit
        if key.startswith("d:") and not conflicting:
            return hit
        # Same URL: the page itself, even if its 索引号 was edited; unless the document moved away and another
        # document with a different 索引号 now lives here.
        if key.startswith("u:") and (hit["url"] == url or not conflicting):
            return hit
    return None


def _insert(
    conn: db.Connection, capture: Capture, parsed: Parsed, url: str, keys: list[str]
) -> DocumentChange:
    salt = 0
    doc_id = make_doc_id(keys[0])
    while conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone():
        salt += 1
        doc_id = make_doc_id(keys[0], salt)
    seq, now = _next_seq(conn), capture.captured_at
    conn.execute(
        "INSERT INTO documents (doc_id, url, seq, status, versions, captured_at, first_seen_at, last_checked_at,"
        " last_seen_at, capture_id, sha256, fields_json) VALUES (?, ?, ?, 'live', 1, ?, ?, ?, ?, ?, ?, ?)",
        (doc_id, url, seq, now, now, now, now, capture.capture_id, capture.sha256, _dump(parsed.to_json())),
    )
    _register(conn, doc_id, keys, capture.capture_id)
    _insert_version(conn, doc_id, 1, capture, url, parsed, [], "")
    _event(conn, doc_id, "new", now, capture.capture_id, {"url": url})
    return DocumentChange(doc_id, "new", seq, 1)


def _register(conn: db.Connection, doc_id: str, keys: list[str], capture_id: int) -> None:
    for key in keys:
        # a URL key follows the document now living there; an identifier key stays with the first document
        action = "UPDATE SET doc_id = excluded.doc_id" if key.startswith("u:") else "NOTHING"
        conn.execute(
            f"INSERT INTO doc_keys (key, doc_id) VALUES (?, ?) ON CONFLICT (key) DO {action}", (key, doc_id)
        )
    conn.execute(
        "INSERT INTO doc_captures (doc_id, capture_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (doc_id, capture_id),
    )


def _insert_version(
    conn: db.Connection,
    doc_id: str,
    n: int,
    capture: Capture,
    url: str,
    parsed: Parsed,
    changes: list[dict[str, Any]],
    diff: str,
) -> None:
    conn.execute(
        "INSERT INTO versions (doc_id, n, capture_id, captured_at, url, sha256, fields_json, changes_json, diff)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            doc_id,
            n,
            capture.capture_id,
            capture.captured_at,
            url,
            capture.sha256,
            _dump(parsed.to_json()),
            _dump(changes),
            diff,
        ),
    )


def _event(
    conn: db.Connection, doc_id: str, kind: str, at: str, capture_id: int | None, detail: dict[str, Any]
) -> None:
    conn.execute(
        "INSERT INTO events (doc_id, kind, at, capture_id, detail_json) VALUES (?, ?, ?, ?, ?)",
        (doc_id, kind, at, capture_id, _dump(detail)),
    )


def _next_seq(conn: db.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0])


def _version_delta(old: Parsed, new: Parsed, n: int, context: int) -> tuple[list[dict[str, Any]], str]:
    """What version `n` changed against version n-1: the fields, and a unified diff of the text."""
    diff = body_diff(old.body, new.body, old_label=f"v{n - 1}", new_label=f"v{n}", context=context)
    return field_changes(old, new), diff


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def reextract(
    conn: db.Connection, doc_id: str, parsed_by_version: dict[int, Parsed], *, diff_context: int = 2
) -> bool:
    """Replace a document's versions' fields with a newer parser's reading of the same captures.

    Derived data only: no version is added or removed, no time moves, the captures stay as they are; each
    version's changes and text diff are recomputed against the version before it. Returns whether anything
    changed. The caller gives the document a new sequence number so the indexer picks it up.
    """
    rows = conn.execute(
        "SELECT n, fields_json FROM versions WHERE doc_id = ? ORDER BY n", (doc_id,)
    ).fetchall()
    changed = False
    previous: Parsed | None = None
    for row in rows:
        current = parsed_by_version.get(row["n"]) or Parsed.from_json(json.loads(row["fields_json"]))
        changes, diff = (
            ([], "") if previous is None else _version_delta(previous, current, row["n"], diff_context)
        )
        fields_json = _dump(current.to_json())
        if fields_json != row["fields_json"]:
            changed = True
        conn.execute(
            "UPDATE versions SET fields_json = ?, changes_json = ?, diff = ? WHERE doc_id = ? AND n = ?",
            (fields_json, _dump(changes), diff, doc_id, row["n"]),
        )
        previous = current
    if previous is not None and changed:
        conn.execute(
            "UPDATE documents SET fields_json = ?, seq = ? WHERE doc_id = ?",
            (_dump(previous.to_json()), _next_seq(conn), doc_id),
        )
    return changed
