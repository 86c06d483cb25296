"""Referential integrity of the catalogue: every version, capture link, event and key points at a document,
and every document is pointed back at by what it must have (issue 16 item 6).

SQLite does not enforce the schema's REFERENCES clauses unless asked on every connection (nor does anything stop a
hand-run DELETE on either engine), so a row deleted by
hand (or by a tool) used to pass `verify`: the document's page 404ed, it stayed in search until a rebuild and
then vanished. These checks are plain queries, one problem line per damaged document or row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import NamedTuple

from archive import db

# (table, label in messages, SQL selecting the doc_id of every row whose document is missing)
_CHILDREN: tuple[tuple[str, str], ...] = (
    ("versions", "version"),
    ("doc_captures", "capture link"),
    ("events", "event"),
    ("doc_keys", "key"),
)
_CAPTURE_REFS: tuple[tuple[str, str, str], ...] = (
    ("documents", "doc_id", "current capture"),
    ("versions", "doc_id || ' v' || n", "version capture"),
    ("doc_captures", "doc_id", "capture link"),
    ("events", "doc_id || ' event ' || event_id", "event capture"),
)


class Finding(NamedTuple):
    """What is wrong and with which row: `where` names the table and the row's key."""

    where: str
    what: str


def check_references(conn: db.Connection) -> list[Finding]:
    """Every dangling reference and every document missing a row it must have, in a stable order."""
    findings: list[Finding] = []
    findings += _orphans(conn)
    findings += _missing_captures(conn)
    findings += _documents_back(conn)
    return findings


def _orphans(conn: db.Connection) -> list[Finding]:
    """Rows pointing at a document that is not there: one line per missing document."""
    missing: dict[str, dict[str, int]] = defaultdict(dict)
    for table, label in _CHILDREN:
        rows = conn.execute(
            f"SELECT c.doc_id, COUNT(*) FROM {table} c LEFT JOIN documents d ON d.doc_id = c.doc_id"
            " WHERE d.doc_id IS NULL GROUP BY c.doc_id"
        ).fetchall()
        for doc_id, count in rows:
            missing[doc_id][label] = count
    return [
        Finding(
            f"documents {doc_id}",
            "document row is missing, yet "
            + ", ".join(f"{n} {label} row(s)" for label, n in counts.items())
            + " point at it",
        )
        for doc_id, counts in sorted(missing.items())
    ]


def _missing_captures(conn: db.Connection) -> list[Finding]:
    findings = []
    for table, key, label in _CAPTURE_REFS:
        rows = conn.execute(
            f"SELECT {key}, t.capture_id FROM {table} t LEFT JOIN captures c ON c.capture_id = t.capture_id"
            " WHERE t.capture_id IS NOT NULL AND c.capture_id IS NULL ORDER BY 1"
        ).fetchall()
        findings += [Finding(f"{table} {row[0]}", f"{label} {row[1]} is not in captures") for row in rows]
    rows = conn.execute(
        "SELECT r.capture_id, r.refers_to FROM captures r LEFT JOIN captures o ON o.capture_id = r.refers_to"
        " WHERE r.refers_to IS NOT NULL AND o.capture_id IS NULL ORDER BY 1"
    ).fetchall()
    findings += [
        Finding(f"captures {row[0]}", f"revisit refers to capture {row[1]}, not in captures") for row in rows
    ]
    return findings


def _documents_back(conn: db.Connection) -> list[Finding]:
    """What each document must have: versions 1..n, links to its captures, its events, its URL key."""
    versions: dict[str, set[int]] = defaultdict(set)
    version_captures: dict[str, set[int]] = defaultdict(set)
    for doc_id, n, capture_id in conn.execute("SELECT doc_id, n, capture_id FROM versions"):
        versions[doc_id].add(int(n))
        version_captures[doc_id].add(int(capture_id))
    links: dict[str, set[int]] = defaultdict(set)
    for doc_id, capture_id in conn.execute("SELECT doc_id, capture_id FROM doc_captures"):
        links[doc_id].add(int(capture_id))
    events: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for doc_id, kind, detail in conn.execute("SELECT doc_id, kind, detail_json FROM events"):
        events[doc_id].append((kind, detail))
    url_keys = {row[0] for row in conn.execute("SELECT key FROM doc_keys WHERE key LIKE 'u:%'")}
    findings: list[Finding] = []
    rows = conn.execute("SELECT doc_id, url, status, versions, capture_id FROM documents ORDER BY seq")
    for doc_id, url, status, count, capture_id in rows:
        where = f"documents {doc_id}"
        have = versions.get(doc_id, set())
        expected = set(range(1, int(count) + 1))
        if have != expected:
            gone = sorted(expected - have)
            extra = sorted(have - expected)
            what = f"says {count} version(s)"
            if gone:
                what += f"; version row(s) {', '.join(map(str, gone))} missing"
            if extra:
                what += f"; unexpected version row(s) {', '.join(map(str, extra))}"
            findings.append(Finding(where, what))
        linked = links.get(doc_id, set())
        for capture in sorted(({int(capture_id)} | version_captures.get(doc_id, set())) - linked):
            findings.append(Finding(where, f"capture {capture} is not linked in doc_captures"))
        kinds = [kind for kind, _ in events.get(doc_id, [])]
        if "new" not in kinds:
            findings.append(Finding(where, "its 'new' event is missing"))
        changed = {_version_of(detail) for kind, detail in events.get(doc_id, []) if kind == "changed"}
        for n in sorted(set(range(2, int(count) + 1)) - changed):
            findings.append(Finding(where, f"the 'changed' event of version {n} is missing"))
        if status == "removed" and "removed" not in kinds:
            findings.append(Finding(where, "status removed, but its 'removed' event is missing"))
        if f"u:{url}" not in url_keys:
            findings.append(Finding(where, f"its URL key u:{url} is missing from doc_keys"))
    return findings


def _version_of(detail: str) -> int | None:
    try:
        value = json.loads(detail).get("version")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None
