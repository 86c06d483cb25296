"""Chart geometry for the agency pages: plain numbers for inline SVG (no script, no inline style), like charts.py.

Pure: rows in, bars out. The month chart marks silent months (a gap under the rule of archive/coverage.py) with
a strip under the axis; the histogram groups working-day lags into bands around Article 26's 20 days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archive.accountability import AgencyReport, MonthRow

WIDTH = 640
HEIGHT = 150
TOP = 14
LABEL_H = 18
STRIP_H = 6
LAG_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0–5", 0, 5),
    ("6–10", 6, 10),
    ("11–15", 11, 15),
    ("16–20", 16, 20),
    ("21–40", 21, 40),
    ("41–60", 41, 60),
    ("60以上", 61, None),
)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool
    marked: bool  # a silent month, or a band over 20 working days


@dataclass(frozen=True)
class BarChart:
    title: str
    unit: str
    bars: tuple[Bar, ...]
    max_count: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - LABEL_H - STRIP_H

    @property
    def marked(self) -> tuple[Bar, ...]:
        return tuple(b for b in self.bars if b.marked)


def bar_chart(
    title: str, unit: str, items: Sequence[tuple[str, int, bool]], every: int | None = None
) -> BarChart | None:
    if not items:
        return None
    peak = max(count for _, count, _ in items) or 1
    slot = WIDTH / len(items)
    gap = min(4.0, slot * 0.2)
    plot_h = HEIGHT - LABEL_H - STRIP_H - TOP
    step = every or max(1, len(items) // 12)
    bars = []
    for i, (label, count, marked) in enumerate(items):
        h = plot_h * count / peak
        bars.append(
            Bar(
                label=label,
                count=count,
                x=round(i * slot + gap / 2, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(h, 2),
                show_label=i % step == 0,
                marked=marked,
            )
        )
    return BarChart(title=title, unit=unit, bars=tuple(bars), max_count=peak)


def month_chart(months: Sequence[MonthRow]) -> BarChart | None:
    return bar_chart("每月发布文件数（按发布日期）", "件", [(m.month, m.documents, m.silent) for m in months])


def lag_histogram(report: AgencyReport) -> BarChart | None:
    """Documents per lag band; bands beyond 20 working days are marked."""
    values = list(report.lags)
    if not values:
        return None
    items = []
    for label, low, high in LAG_BANDS:
        count = sum(1 for v in values if v >= low and (high is None or v <= high))
        items.append((label, count, low > 20))
    return bar_chart("成文日期到发布日期的工作日数分布", "件", items, every=1)
