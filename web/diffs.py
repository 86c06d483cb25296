"""Differences between two versions of a document: changed fields and a line diff of the text (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from archive import FIELD_LABELS, Parsed


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class DiffLine:
    op: str  # "equal", "insert", "delete", "skip"
    text: str


def changed_fields(old: Parsed, new: Parsed) -> list[FieldChange]:
    before, after = old.field_values(), new.field_values()
    out = [
        FieldChange(name, FIELD_LABELS.get(name, name), before[name], after[name])
        for name in before
        if before[name] != after[name]
    ]
    if [a.url for a in old.attachments] != [a.url for a in new.attachments]:
        out.append(
            FieldChange(
                "attachments",
                "附件",
                "、".join(a.name or a.url for a in old.attachments) or None,
                "、".join(a.name or a.url for a in new.attachments) or None,
            )
        )
    return out


def text_diff(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """Paragraph diff with unchanged runs folded to `context` lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("skip", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("equal", t) for t in a[i1:i2]]
            else:
                lines += [DiffLine("delete", t) for t in a[i1:i2]]
                lines += [DiffLine("insert", t) for t in b[j1:j2]]
    return lines
