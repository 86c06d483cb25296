"""The matches-per-period chart as plain numbers for an inline SVG (no script, no inline style).

Pure: counts in, bar geometry out; the template writes the elements and autoescapes every label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 140
LABEL_H = 18
TOP = 14
CHAR_W = 6.6  # width of one digit or dash of the 11 px label font, in viewBox units (a little generous)
LABEL_GAP = 14


@dataclass(frozen=True)
class Bar:
    label: str  # "2021" or "2021-03"
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class Chart:
    unit: str  # "年" or "月"
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    max_count: int = 0

    @property
    def title(self) -> str:
        return f"每{self.unit}匹配文件数"


def _months(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    y_end, m_end = int(end[:4]), int(end[5:7])
    out: list[str] = []
    while (y, m) <= (y_end, m_end) and len(out) < 240:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def period_labels(
    counts: Mapping[str, int], unit: str, start: str | None = None, end: str | None = None
) -> list[str]:
    """Every period from the first to the last with matches, gaps included, so the time axis is honest; a month
    chart of a requested range runs from its start to its end instead (an empty first month is still a month)."""
    keys = sorted(k for k, v in counts.items() if v)
    if not keys:
        return []
    if unit == "年":
        first, last = int(keys[0][:4]), int(keys[-1][:4])
        return [str(y) for y in range(first, last + 1)][-60:]
    first_month = min(start[:7], keys[0][:7]) if start else keys[0][:7]
    last_month = max(end[:7], keys[-1][:7]) if end else keys[-1][:7]
    return _months(first_month, last_month)


def label_step(n: int, label_chars: int) -> int:
    """Label every step-th bar, from the first, so no two labels can overlap: each gets at least its width."""
    room = WIDTH / (label_chars * CHAR_W + LABEL_GAP)
    for step in (1, 2, 3, 4, 6, 12, 24, 60):
        if n / step <= room:
            return step
    return max(1, n)


def build_chart(
    counts: Mapping[str, int], unit: str, *, start: str | None = None, end: str | None = None
) -> Chart | None:
    labels = period_labels(counts, unit, start, end)
    if not labels:
        return None
    peak = max(int(counts.get(label, 0)) for label in labels) or 1
    slot = WIDTH / len(labels)
    gap = min(4.0, slot * 0.2)
    plot_h = HEIGHT - LABEL_H - TOP
    chars = len(labels[0])
    every = label_step(len(labels), chars)
    bars = []
    for i, label in enumerate(labels):
        count = int(counts.get(label, 0))
        h = plot_h * count / peak
        x = round(i * slot + gap / 2, 2)
        bars.append(
            Bar(
                label=label,
                count=count,
                x=x,
                y=round(TOP + plot_h - h, 2),
                width=round(slot - gap, 2),
                height=round(h, 2),
                show_label=(i % every == 0 and x + chars * CHAR_W <= WIDTH),
            )
        )
    return Chart(unit=unit, bars=tuple(bars), max_count=peak)


def is_short_range(since: str | None, until: str | None, today: dt.date, max_days: int) -> bool:
    """A range short enough to chart per month: both ends known (until defaults to today)."""
    if not since:
        return False
    end = dt.date.fromisoformat(until) if until else today
    return (end - dt.date.fromisoformat(since)).days <= max_days


def month_counts(dates: list[str | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for date in dates:
        if date and len(date) >= 7:
            counts[date[:7]] = counts.get(date[:7], 0) + 1
    return counts
