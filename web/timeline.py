"""The capture timeline of a document page: every capture, newest first, grouped by year, as the Wayback Machine
lists a URL's snapshots: when, the HTTP status, what it meant for the document, and the payload digest.

Pure: the catalogue's `document_history` in, plain values out; the template writes them (autoescaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .timefmt import beijing_text


@dataclass(frozen=True)
class Point:
    capture_id: int
    at: str  # ISO instant as archived (UTC)
    shown: str  # Beijing time, minutes
    status: int | None
    outcome: str  # "version", "same", "failed"
    label: str  # Chinese: 新版本 2 / 未变 / 失败（reason）
    digest: str  # full SHA-256 of the payload, "" when none was stored
    viewable: bool  # an archived record exists to show


@dataclass(frozen=True)
class Year:
    year: str
    points: tuple[Point, ...]


def _outcome(capture: Mapping[str, Any], version: int | None) -> tuple[str, str]:
    if version is not None:
        return "version", "首个版本" if version == 1 else f"新版本 {version}"
    if capture.get("record_type") == "revisit":
        return "same", "未变"
    status = capture.get("status")
    if capture.get("kind") in ("blocked", "error") or status is None or int(status) >= 400:
        reason = capture.get("reason")
        return "failed", f"失败（{reason}）" if reason else "失败"
    return "same", "内容未变"


def capture_timeline(history: Mapping[str, Any]) -> list[Year]:
    versions = {v.get("capture_id"): v.get("n") for v in history.get("versions", []) if v.get("capture_id")}
    years: dict[str, list[Point]] = {}
    captures = sorted(
        history.get("captures", []), key=lambda c: (c.get("captured_at") or "", c["capture_id"])
    )
    for capture in reversed(captures):
        at = capture.get("captured_at") or ""
        shown = beijing_text(at)
        outcome, label = _outcome(capture, versions.get(capture["capture_id"]))
        point = Point(
            capture_id=int(capture["capture_id"]),
            at=at,
            shown=shown,
            status=capture.get("status"),
            outcome=outcome,
            label=label,
            digest=capture.get("sha256") or "",
            viewable=bool(capture.get("warc")),
        )
        years.setdefault(shown[:4] or "—", []).append(point)
    return [Year(year, tuple(points)) for year, points in years.items()]
