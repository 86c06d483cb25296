"""Working days on China's official calendar (法定节假日 and the 调休 make-up days), from `chinese-calendar`.

The State Council announces each year's holidays late in the year before, so the calendar only covers the years
the installed package knows (2004..2026 for chinesecalendar 1.11). A date outside them is never guessed from the
weekday: `working_days_after` raises `NotCovered` and callers flag the document instead of counting it.

Counting follows the usual rule for periods in working days: the start day is not counted, the end day is, so a
document published on the day it was written has lag 0 and one published the next working day has lag 1.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right


class NotCovered(ValueError):
    """A date in a year the official calendar data does not cover."""


@functools.lru_cache(maxsize=1)
def _table() -> tuple[dt.date, dt.date, tuple[int, ...]]:
    """(first day, last day, cumulative working days up to and including each day), built once on first use.

    Read from the package's published tables (`holidays`, `workdays`: the 调休 make-up days) with the package's
    own rule, a make-up day works and otherwise Monday to Friday except holidays (calling `is_workday` per day
    rescans the tables each time: 0.3 s for the whole range). tests/unit/accountability checks the two agree.
    """
    import chinese_calendar  # imported here: loading the holiday tables is work, not import-time business

    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    first = dt.date(min(holidays).year, 1, 1)
    last = dt.date(max(holidays).year, 12, 31)
    cumulative: list[int] = []
    total = 0
    day = first
    while day <= last:
        total += 1 if day in workdays or (day.weekday() < 5 and day not in holidays) else 0
        cumulative.append(total)
        day += dt.timedelta(days=1)
    return first, last, tuple(cumulative)


def covered_range() -> tuple[dt.date, dt.date]:
    """The first and last day the installed calendar data covers."""
    first, last, _ = _table()
    return first, last


def is_covered(day: dt.date) -> bool:
    first, last, _ = _table()
    return first <= day <= last


def is_working_day(day: dt.date) -> bool:
    first, last, cumulative = _table()
    if not first <= day <= last:
        raise NotCovered(f"{day.isoformat()} 不在官方日历数据范围内 / not covered by the holiday calendar")
    index = (day - first).days
    return cumulative[index] - (cumulative[index - 1] if index else 0) == 1


def _upto(day: dt.date) -> int:
    first, last, cumulative = _table()
    if not first <= day <= last:
        raise NotCovered(f"{day.isoformat()} 不在官方日历数据范围内 / not covered by the holiday calendar")
    return cumulative[(day - first).days]


def working_days_after(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end; negative (the same count, reversed) when end is before start."""
    if end < start:
        return -working_days_after(end, start)
    return _upto(end) - _upto(start)


def nth_working_day_after(start: dt.date, n: int) -> dt.date:
    """The day on which `n` working days after `start` have passed (n >= 1): the last day of a period."""
    first, last, cumulative = _table()
    target = _upto(start) + n
    index = bisect_right(cumulative, target - 1)
    if index >= len(cumulative):
        raise NotCovered(
            f"{start.isoformat()} 后第 {n} 个工作日超出官方日历数据范围 / beyond the calendar data"
        )
    return first + dt.timedelta(days=index)
