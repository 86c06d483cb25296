"""What extraction produces: text units located by page or sheet, and a status that says why there is no text.

Failures are data (docs/STYLE.md section 2): an encrypted PDF or a DOC without antiword on the machine is an
`Extraction` with a status and a reason, stored like a success and shown on the document page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ok: text extracted; needs_ocr: no usable text layer (a scan, or glyphs without Unicode); failed: the file or its
# extractor failed (encrypted, corrupt, limits); not_extracted: no extractor for this type on this machine.
STATUSES = ("ok", "needs_ocr", "failed", "not_extracted")


@dataclass(frozen=True)
class Unit:
    """One citable piece of text: a page of a PDF or OFD, a sheet of a workbook, or a whole word-processor file."""

    text: str
    page: int | None = None  # 1-based
    sheet: str | None = None

    def location(self) -> str:
        """How a citation names it: 第3页, 工作表“收入”, or nothing for a whole file."""
        if self.page is not None:
            return f"第{self.page}页"
        if self.sheet is not None:
            return f"工作表“{self.sheet}”"
        return ""

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "sheet": self.sheet, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Unit:
        return cls(text=str(data.get("text") or ""), page=data.get("page"), sheet=data.get("sheet"))


@dataclass(frozen=True)
class Extraction:
    status: str
    type: str
    reason: str | None = None
    units: tuple[Unit, ...] = ()
    pages: int | None = None
    extractor: str | None = None
    elapsed_ms: int = 0

    @property
    def text(self) -> str:
        return "\n".join(u.text for u in self.units if u.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "type": self.type,
            "reason": self.reason,
            "units": [u.to_json() for u in self.units],
            "pages": self.pages,
            "extractor": self.extractor,
            "elapsed_ms": self.elapsed_ms,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        status = data.get("status")
        return cls(
            status=status if status in STATUSES else "failed",
            type=str(data.get("type") or "unknown"),
            reason=data.get("reason"),
            units=tuple(Unit.from_json(u) for u in data.get("units") or ()),
            pages=data.get("pages"),
            extractor=data.get("extractor"),
            elapsed_ms=int(data.get("elapsed_ms") or 0),
        )


def failed(kind: str, reason: str, extractor: str | None = None) -> Extraction:
    return Extraction("failed", kind, reason, extractor=extractor)


def truncated_reason(max_chars: int) -> str:
    return f"truncated: 文字超过 {max_chars} 字符，已截断 / text cut at {max_chars} characters"


def cap_units(units: tuple[Unit, ...] | list[Unit], max_chars: int) -> tuple[Unit, ...]:
    """The units up to `max_chars` characters in all (the output cap of one file)."""
    out: list[Unit] = []
    left = max_chars
    for unit in units:
        if left <= 0:
            break
        out.append(unit if len(unit.text) <= left else Unit(unit.text[:left], unit.page, unit.sheet))
        left -= len(unit.text)
    return tuple(out)
