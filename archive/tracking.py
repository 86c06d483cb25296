"""Document identity and change detection: pure functions over `Parsed` values.

A document keeps its id when its page moves: the same 索引号, or without one the same 发文字号 and agency, is the
same document on a new URL (issue 5). The canonical URL is the last resort.
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from typing import Any

from archive import identifiers
from archive.models import EXTRA_FIELDS, RECORD_FIELDS, Parsed
from archive.volatile import attachment_key, stable_text

# 发文字号 values that mean "none" and must never join two documents.
_NO_DOC_NO = frozenset({"无", "无文号", "暂无", "-", "—", "/", "none", "null"})


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def index_key(parsed: Parsed) -> str | None:
    if not parsed.index_no or not parsed.index_no.strip():
        return None
    key = identifiers.index_no_key(parsed.index_no)
    return f"i:{key}" if key else None


def doc_no_key(parsed: Parsed) -> str | None:
    if not parsed.doc_no or not parsed.agency:
        return None
    folded = _fold(parsed.doc_no)
    if not folded or folded.lower() in _NO_DOC_NO:
        return None
    key = identifiers.doc_no_key(parsed.doc_no)
    return f"d:{_fold(parsed.agency)}|{key}"


def url_key(url: str) -> str:
    return f"u:{url}"


def identity_keys(parsed: Parsed, url: str) -> list[str]:
    """Keys in matching order: 索引号, then 发文字号 + agency, then URL."""
    keys = [k for k in (index_key(parsed), doc_no_key(parsed)) if k]
    keys.append(url_key(url))
    return keys


def make_doc_id(first_key: str, salt: int = 0) -> str:
    """A short stable id: 12 hex characters of the first identity key's hash."""
    text = first_key if salt == 0 else f"{first_key}#{salt}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def comparable(parsed: Parsed) -> dict[str, Any]:
    """What counts as the document's content: every field, co-issuers, attachments and the body.

    Parser artefacts (flags, charset, raw label pairs) are left out so a better parser alone makes no version;
    so are the volatile parts of a page (`archive.volatile`): attachments compare by canonical path and name,
    not by scheme, host, port or session token, and view counters and generation stamps by their labels only.
    """
    data: dict[str, Any] = {k: stable_text(v) if v else v for k, v in parsed.field_values().items()}
    data["co_agencies"] = list(parsed.co_agencies)
    data["attachments"] = [{"key": attachment_key(a.url), "name": a.name} for a in parsed.attachments]
    data["body"] = stable_text(parsed.body)
    return data


def field_changes(old: Parsed, new: Parsed) -> list[dict[str, Any]]:
    """Field-by-field differences; the body is named but its text change lives in the diff."""
    before, after = comparable(old), comparable(new)
    changes: list[dict[str, Any]] = []
    shown_old = {**old.field_values(), "co_agencies": list(old.co_agencies)}
    shown_new = {**new.field_values(), "co_agencies": list(new.co_agencies)}
    for name in (*RECORD_FIELDS, *EXTRA_FIELDS, "co_agencies"):
        if before[name] != after[name]:
            changes.append({"field": name, "old": shown_old[name], "new": shown_new[name]})
    if before["attachments"] != after["attachments"]:
        shown = [[{"url": a.url, "name": a.name} for a in p.attachments] for p in (old, new)]
        changes.append({"field": "attachments", "old": shown[0], "new": shown[1]})
    if before["body"] != after["body"]:
        changes.append({"field": "body", "old_chars": len(old.body), "new_chars": len(new.body)})
    return changes


def body_diff(old: str, new: str, *, old_label: str, new_label: str, context: int = 2) -> str:
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=context
    )
    return "\n".join(lines)
