"""List-side fields: what a list said about a document, stored with the document's capture and merged into it.

Why a separate table: a list (gkmlpt's JSON, a TRS search row, a Hanweb row's `wh` attribute) often names the 文号,
dates or agency the article page itself does not show. The page's own block wins wherever both exist; a list
value fills only what the page lacks, and a disagreement is kept on both sides and flagged, never resolved
silently. `gongkai index --reparse` applies the same merge, so re-extraction keeps list-side fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from archive import db
from archive.identifiers import doc_no_key, index_no_key
from archive.models import Parsed

# Parsed fields a list may supply (record field names).
LIST_FIELDS: tuple[str, ...] = (
    "title",
    "index_no",
    "agency",
    "topic",
    "doc_no",
    "written_date",
    "publish_date",
    "validity",
)


@dataclass(frozen=True)
class ListFields:
    list_url: str
    adapter: str
    fields: Mapping[str, str]
    item: Any = None  # the platform's own row (JSON-ready), kept verbatim

    def to_json(self) -> dict[str, Any]:
        return {
            "list_url": self.list_url,
            "adapter": self.adapter,
            "fields": dict(self.fields),
            "item": self.item,
        }


def record(conn: db.Connection, capture_id: int, entry: ListFields) -> None:
    fields = {k: v for k, v in entry.fields.items() if k in LIST_FIELDS and v}
    conn.execute(
        "INSERT INTO list_fields (capture_id, list_url, adapter, fields_json, item_json) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (capture_id) DO UPDATE SET list_url = excluded.list_url, adapter = excluded.adapter,"
        " fields_json = excluded.fields_json, item_json = excluded.item_json",
        (
            capture_id,
            entry.list_url,
            entry.adapter,
            json.dumps(fields, ensure_ascii=False, sort_keys=True),
            None if entry.item is None else json.dumps(entry.item, ensure_ascii=False, sort_keys=True),
        ),
    )


def for_capture(conn: db.Connection, capture_id: int) -> ListFields | None:
    row = conn.execute(
        "SELECT list_url, adapter, fields_json, item_json FROM list_fields WHERE capture_id = ?",
        (capture_id,),
    ).fetchone()
    if row is None:
        return None
    return ListFields(
        list_url=row[0],
        adapter=row[1],
        fields=json.loads(row[2]),
        item=None if row[3] is None else json.loads(row[3]),
    )


def _same(name: str, page: str, listed: str) -> bool:
    if name == "doc_no":
        return doc_no_key(page) == doc_no_key(listed)
    if name == "index_no":
        return index_no_key(page) == index_no_key(listed)
    if name == "title":  # lists cut long titles with "…"
        cut = listed.rstrip("…. ")
        return "".join(page.split()).startswith("".join(cut.split()))
    return "".join(page.split()) == "".join(listed.split())


def apply(parsed: Parsed, fields: Mapping[str, str] | None) -> Parsed:
    """`parsed` with list values filling what the page lacks (flag `from_list:<field>`), and a flag
    `list_differs:<field>` where both have a value and they disagree (the page's value stays)."""
    if not fields:
        return parsed
    changes: dict[str, Any] = {}
    flags = list(parsed.flags)
    for name in LIST_FIELDS:
        listed = (fields.get(name) or "").strip()
        if not listed:
            continue
        mine = getattr(parsed, name)
        if not mine:
            changes[name] = listed
            flags.append(f"from_list:{name}")
        elif not _same(name, mine, listed) and f"list_differs:{name}" not in flags:
            flags.append(f"list_differs:{name}")
    return replace(parsed, **changes, flags=tuple(flags))
