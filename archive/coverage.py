"""Coverage over time: documents per month, silent months judged against the agency's own rate, and the
annual disclosure report (政府信息公开工作年度报告) found or missing per year.

Silence rule (stated on every page that shows it): a run of months with no document is a gap when the agency
published at least one document a month on average in the twelve months before the run (a regular publisher:
an agency that publishes less often has no "expected" month) and that rate times the run's length is at least
three documents (under a Poisson model the chance of seeing none is then below 5 %). Months after the newest
document in the whole archive are not judged: there the archive itself may simply not have looked yet.

Article 49 of the 2019 条例: departments publish last year's report by 31 January, governments (县级以上地方人民
政府, their report published by the 政府信息公开工作主管部门, usually the 人民政府办公室) by 31 March. Reports on
2008..2018 fall under the 2007 条例 (Article 31: every agency by 31 March); before 2008 there was no duty, so such
years are listed only when a report was found, and never judged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archive.timeliness import DocFacts

GAP_WINDOW_MONTHS = 12
GAP_MIN_RATE = 1.0  # documents per month in the window before a run
GAP_MIN_EXPECTED = 3.0  # rate x run length
FIRST_REPORT_YEAR = (
    2008  # the 2007 条例 took effect on 2008-05-01; its Article 31 asked for reports by 31 March
)
ARTICLE_49 = (
    "《政府信息公开条例》（2019年修订）第四十九条：部门于每年1月31日前、县级以上地方人民政府于每年3月31日前"
    "公布上一年度政府信息公开工作年度报告；2008至2018年度的报告按2007年条例第三十一条，于次年3月31日前公布"
)
_ANNUAL = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?.{0,30}?政府信息公开(?:工作)?年度报告")


def month_range(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from first to last inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last[:7]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def shift_month(month: str, delta: int) -> str:
    """ "YYYY-MM" moved by `delta` months."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_end(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    nxt = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class Gap:
    first: str  # "YYYY-MM"
    last: str
    months: int
    rate: float  # documents per month in the window before the run
    window: int  # documents in that window

    @property
    def expected(self) -> float:
        return self.rate * self.months

    def to_json(self) -> dict[str, Any]:
        return {
            "first_month": self.first,
            "last_month": self.last,
            "months": self.months,
            "window_documents": self.window,
            "rate_before": round(self.rate, 2),
            "expected_documents": round(self.expected, 1),
        }


def find_gaps(counts: Mapping[str, int], first: str, last: str) -> list[Gap]:
    """Silent runs in first..last (both "YYYY-MM") under the rule in the module docstring."""
    months = month_range(first, last)
    gaps: list[Gap] = []
    i = 0
    while i < len(months):
        if counts.get(months[i], 0):
            i += 1
            continue
        j = i
        while j + 1 < len(months) and not counts.get(months[j + 1], 0):
            j += 1
        if i >= GAP_WINDOW_MONTHS:
            window = sum(counts.get(m, 0) for m in months[i - GAP_WINDOW_MONTHS : i])
            rate = window / GAP_WINDOW_MONTHS
            length = j - i + 1
            if rate >= GAP_MIN_RATE and rate * length >= GAP_MIN_EXPECTED:
                gaps.append(Gap(months[i], months[j], length, rate, window))
        i = j + 1
    return gaps


def is_government(agency: str) -> bool:
    """A 人民政府 or its office publishes the government's report (31 March); everything else is a department."""
    return "人民政府" in agency


def report_due(agency: str, year: int) -> dt.date | None:
    """When the report on `year` was due: Article 49 from the 2019 report on; 31 March for every agency for the
    2008..2018 reports (Article 31 of the 2007 条例, in force from 2008-05-01); None before (no duty to judge by)."""
    if year < FIRST_REPORT_YEAR:
        return None
    if year < 2019 or is_government(agency):
        return dt.date(year + 1, 3, 31)
    return dt.date(year + 1, 1, 31)


def annual_report_year(title: str | None) -> int | None:
    """The year an annual disclosure report covers, from its title; None for any other document."""
    if not title:
        return None
    found = _ANNUAL.search(title)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class AnnualRow:
    year: int
    due: str | None  # None before 2008 (no deadline)
    status: str  # "on_time" | "late" | "missing" | "found" (a report from before there were deadlines)
    documents: tuple[DocFacts, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "due": self.due,
            "status": self.status,
            "documents": [
                {"id": d.doc_id, "title": d.title, "publish_date": d.publish_date} for d in self.documents
            ],
        }


def annual_reports(agency: str, docs: Sequence[DocFacts], as_of: dt.date) -> list[AnnualRow]:
    """One row per year from the agency's first year in the archive until the last report that is due."""
    by_year: dict[int, list[DocFacts]] = {}
    for doc in docs:
        year = annual_report_year(doc.title)
        if year is not None:
            by_year.setdefault(year, []).append(doc)
    dated = [int(d.publish_date[:4]) for d in docs if d.publish_date]
    if not dated:
        return []
    years = set(range(max(min(dated), FIRST_REPORT_YEAR), as_of.year + 1)) | set(by_year)
    rows = []
    for year in sorted(years):
        due = report_due(agency, year)
        found = tuple(sorted(by_year.get(year, []), key=lambda d: d.publish_date or ""))
        if found and due is None:
            status = "found"
        elif found and due is not None:
            on_time = any(d.publish_date and d.publish_date <= due.isoformat() for d in found)
            status = "on_time" if on_time else "late"
        elif due is not None and due < as_of:
            status = "missing"
        else:
            continue  # not due yet and not published: nothing to say
        rows.append(AnnualRow(year, due.isoformat() if due else None, status, found))
    return rows


def count_by_month(months: Iterable[str | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for month in months:
        if month:
            counts[month] = counts.get(month, 0) + 1
    return counts
