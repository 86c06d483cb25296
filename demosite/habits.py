"""Agency habits of the demo site: one agency publishes late, one goes silent for a quarter, one edits and removes.

They exist so that the accountability views have something true to find on `gongkai demo`, and they are the
ground truth of the tests that check those views: every document a habit touched says so (`DemoDoc.habit`), the
silent quarter is `silent_quarter(...)`, and the editing agency's switches are `edit_switches(...)`. Each habit
draws from its own `random.Random` seeded from the site's seed, so the other documents stay exactly as they are.

- Late: most of 市交通运输局's documents are published 45..120 calendar days after their 成文日期. 45 calendar
  days always hold more than 20 working days (at least 31 weekdays, at most 8 of them holidays), and the natural
  gap of every other document is at most 12 calendar days, so "over 20 working days" is exactly this habit.
- Silent: 市生态环境局 publishes a monthly 公告 from January 2024 to October 2026 except in one quarter, the first
  calendar quarter from 2025 on in which it has no other document either; it then has no document for 3 months
  against a rate of more than one a month.
- Edits and removals: `gongkai demo` re-crawls the site with `changed`/`removed` set to `edit_switches(...)`,
  documents of 市市场监督管理局 only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import replace

from demosite import text
from demosite.docs import DemoDoc

LATE_AGENCY = "市交通运输局"
SILENT_AGENCY = "市生态环境局"
EDITING_AGENCY = "市市场监督管理局"
LATE_SHARE = 0.75
LATE_DAYS = (45, 120)
SERIES_FIRST = (2024, 1)
SERIES_LAST = (2026, 10)
QUARTERS = ((2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3))


def apply_late(seed: int, docs: Sequence[DemoDoc]) -> list[DemoDoc]:
    """The late agency's documents, most of them with an earlier 成文日期 (body sign-off date kept in step)."""
    out = []
    for doc in docs:
        rng = random.Random(f"{seed}:late:{doc.index}")
        if doc.agency == LATE_AGENCY and rng.random() < LATE_SHARE:
            days = rng.randint(*LATE_DAYS)
            written = (dt.date.fromisoformat(doc.publish_date) - dt.timedelta(days=days)).isoformat()
            old, new = text.cn_date(doc.written_date), text.cn_date(written)
            paragraphs = tuple(p.replace(old, new) for p in doc.paragraphs)
            doc = replace(doc, written_date=written, paragraphs=paragraphs, habit="late")
        out.append(doc)
    return out


def quarter_months(year: int, quarter: int) -> tuple[str, str, str]:
    first = 3 * (quarter - 1) + 1
    return tuple(f"{year:04d}-{m:02d}" for m in range(first, first + 3))  # type: ignore[return-value]


def silent_quarter(docs: Sequence[DemoDoc]) -> tuple[str, str, str] | None:
    """The first quarter (2025 Q1 .. 2026 Q3) in which the silent agency published nothing else; None if none."""
    months = {d.publish_date[:7] for d in docs if d.agency == SILENT_AGENCY}
    for year, quarter in QUARTERS:
        quiet = quarter_months(year, quarter)
        if not months.intersection(quiet):
            return quiet
    return None


def series_days(rng: random.Random, silent: tuple[str, str, str] | None) -> list[dt.date]:
    """One day in each month of the series except the silent quarter (no series at all when there is none)."""
    if silent is None:
        return []
    days = []
    year, month = SERIES_FIRST
    while (year, month) <= SERIES_LAST:
        if f"{year:04d}-{month:02d}" not in silent:
            days.append(dt.date(year, month, rng.randint(1, 28)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def series_agency_and_kind() -> tuple[text.Agency, text.Kind]:
    agency = next(a for a in text.AGENCIES if a.name == SILENT_AGENCY)
    kind = next(k for k in text.KINDS if k.name == "公告")
    return agency, kind


def edit_switches(docs: Sequence[DemoDoc]) -> tuple[frozenset[int], frozenset[int]]:
    """(changed, removed) document indices: every fifth of the editing agency's documents is revised, and every
    seventh of the rest (from the third on) taken down."""
    own = [d.index for d in docs if d.agency == EDITING_AGENCY]
    changed = frozenset(own[0::5])
    removed = frozenset(i for i in own[2::7] if i not in changed)
    return changed, removed
