"""Where a hit matched inside its attachments: "附件：2024年部门预算.pdf 第3页" and a snippet from that page.

Kept out of the search engine on purpose: it needs only the stored units of one hit (`attach_z`, written by
build.attachment_fields) and the query's folded literals, the same inputs the body snippet uses. A hit is said to
match in an attachment when its page (title and body) does not contain any literal and an attachment unit does,
or when the query was narrowed with in:attachments.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from index.analyzer import fold
from index.snippets import make_snippet


def load_units(stored: bytes | None) -> list[list[Any]]:
    if not stored:
        return []
    units: list[list[Any]] = json.loads(zlib.decompress(stored).decode("utf-8"))
    return units


def location_label(name: str, page: int | None, sheet: str | None) -> str:
    where = f"第{page}页" if page is not None else (f"工作表“{sheet}”" if sheet else "")
    return f"附件：{name}" + (f" {where}" if where else "")


def contains_any(text: str, needles: list[str]) -> bool:
    folded = fold(" ".join(text.split()))
    return any(n and n in folded for n in needles)


def attachment_match(
    units: list[list[Any]], needles: list[str], width: int = 120, fragments: int = 2
) -> dict[str, Any] | None:
    """The first unit that contains a literal: its attachment name, page or sheet, label and snippet (HTML)."""
    wanted = [n for n in needles if n and n.strip()]
    if not wanted:
        return None
    for name, page, sheet, text in units:
        if contains_any(text, wanted):
            return {
                "name": name,
                "page": page,
                "sheet": sheet,
                "label": location_label(name, page, sheet),
                "snippet": make_snippet(text, wanted, width, fragments),
            }
    return None


def page_matches(title: str, body: str, needles: list[str]) -> bool:
    return contains_any(title, needles) or contains_any(body, needles)
