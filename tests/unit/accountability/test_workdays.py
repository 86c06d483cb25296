"""Working-day lags against a table computed by hand from the State Council's holiday notices.

Every expected count below was worked out on paper from the notices (国务院办公厅关于2023/2024/2025年部分节假日
安排的通知), not from the calendar library: the start day is not counted, the end day is. The notices used:
2023 春节 1月21日至27日放假，1月28日（六）、29日（日）上班；2023 中秋国庆 9月29日至10月6日放假，10月7日（六）、
8日（日）上班；2024 春节 2月10日至17日放假，2月4日（日）、2月18日（日）上班（除夕2月9日为工作日）；2024 中秋
9月15日至17日放假，9月14日（六）上班；2024 国庆 10月1日至7日放假，9月29日（日）、10月12日（六）上班；2025 春节
1月28日至2月4日放假，1月26日（日）、2月8日（六）上班；2025 国庆中秋 10月1日至8日放假，9月28日（日）、10月11日
（六）上班。元旦：2023年1月2日、2024年1月1日、2025年1月1日放假。
"""

from __future__ import annotations

import datetime as dt

import pytest

from archive.workdays import NotCovered, is_working_day, nth_working_day_after, working_days_after

D = dt.date.fromisoformat

# (成文日期, 发布日期, working days after the first up to and including the second), each worked out by hand.
HAND_TABLE: list[tuple[str, str, int]] = [
    # 2024 春节: Feb 4 (Sun) and Feb 18 (Sun) are working days, Feb 10..17 are not.
    ("2024-02-03", "2024-02-04", 1),  # Sat -> the working Sunday
    ("2024-02-08", "2024-02-19", 3),  # Feb 9 (除夕, a working Friday), Feb 18, Feb 19
    ("2024-02-09", "2024-02-18", 1),  # across the whole holiday: only the working Sunday
    ("2024-02-10", "2024-02-17", 0),  # inside the holiday
    ("2024-02-01", "2024-02-29", 17),  # 2,4,5,6,7,8,9 + 18..23 + 26..29
    ("2024-01-25", "2024-02-23", 18),  # Jan 26,29,30,31 + Feb 1,2,4..9 + 18..23
    ("2024-01-31", "2024-03-04", 20),  # all 18 of February + Mar 1 + Mar 4
    ("2024-02-17", "2024-02-18", 1),
    ("2024-02-04", "2024-02-05", 1),
    ("2024-02-03", "2024-02-05", 2),
    ("2024-02-18", "2024-02-04", -6),  # published before written: Feb 5..9 and 18, negative
    # 2024 中秋 and 国庆: Sep 14 (Sat), Sep 29 (Sun), Oct 12 (Sat) are working days.
    ("2024-09-13", "2024-09-18", 2),  # Sep 14, Sep 18
    ("2024-09-27", "2024-10-08", 3),  # Sep 29, 30, Oct 8
    ("2024-09-30", "2024-10-12", 5),  # Oct 8..12
    ("2024-09-28", "2024-09-29", 1),
    ("2024-10-01", "2024-10-07", 0),
    ("2024-09-10", "2024-10-15", 21),  # Sep 11..14, 18..20, 23..27, 29, 30 (14) + Oct 8..12, 14, 15 (7)
    ("2024-09-20", "2024-10-18", 17),  # Sep 23..27, 29, 30 (7) + Oct 8..12, 14..18 (10)
    ("2024-10-12", "2024-10-14", 1),
    # 2023 春节: Jan 28 (Sat) and Jan 29 (Sun) are working days; 元旦 Jan 2 (Mon) is not.
    ("2023-01-20", "2023-01-28", 1),
    ("2023-01-19", "2023-02-01", 6),  # Jan 20, 28, 29, 30, 31, Feb 1
    ("2023-01-01", "2023-01-31", 18),  # 3..6, 9..13, 16..20, 28, 29, 30, 31
    ("2023-01-27", "2023-01-29", 2),
    # 2023 中秋国庆: Oct 7 (Sat) and Oct 8 (Sun) are working days, Sep 29..Oct 6 are not.
    ("2023-09-28", "2023-10-07", 1),
    ("2023-09-25", "2023-10-10", 7),  # Sep 26, 27, 28, Oct 7, 8, 9, 10
    ("2023-09-15", "2023-10-13", 16),  # Sep 18..22, 25..28 (9) + Oct 7, 8, 9..13 (7)
    # 2025 春节: Jan 26 (Sun) and Feb 8 (Sat) are working days, Jan 28..Feb 4 are not.
    ("2025-01-24", "2025-01-27", 2),  # Jan 26, 27
    ("2025-01-27", "2025-02-05", 1),
    ("2025-01-20", "2025-02-10", 11),  # Jan 21..24, 26, 27, Feb 5, 6, 7, 8, 10
    # 2025 国庆中秋: Sep 28 (Sun) and Oct 11 (Sat) are working days, Oct 1..8 are not.
    ("2025-09-26", "2025-10-09", 4),  # Sep 28, 29, 30, Oct 9
    ("2025-09-30", "2025-10-13", 4),  # Oct 9, 10, 11, 13
    ("2025-08-29", "2025-10-31", 41),  # September 23 + October 18
]


def test_the_table_has_thirty_pairs_across_both_holidays() -> None:
    assert len(HAND_TABLE) >= 30
    months = {pair[0][:7] for pair in HAND_TABLE} | {pair[1][:7] for pair in HAND_TABLE}
    assert {"2023-01", "2023-10", "2024-02", "2024-10", "2025-01", "2025-10"} <= months


@pytest.mark.parametrize(("written", "published", "expected"), HAND_TABLE)
def test_working_day_lag_matches_the_hand_table(written: str, published: str, expected: int) -> None:
    assert working_days_after(D(written), D(published)) == expected


def test_make_up_days_are_working_days_and_holidays_are_not() -> None:
    for day in ("2024-02-04", "2024-02-18", "2024-09-29", "2024-10-12", "2023-01-28", "2025-02-08"):
        assert is_working_day(D(day)), day
    for day in ("2024-02-12", "2024-10-07", "2023-10-02", "2025-01-28", "2024-01-01"):
        assert not is_working_day(D(day)), day


def test_the_twentieth_working_day_is_the_last_day_of_article_26s_period() -> None:
    # From the table: Jan 31 -> Mar 4 is exactly 20 working days, Mar 1 only 19.
    assert nth_working_day_after(D("2024-01-31"), 20) == D("2024-03-04")
    assert working_days_after(D("2024-01-31"), D("2024-03-01")) == 19


@pytest.mark.parametrize("day", ["2003-12-31", "2099-01-05"])
def test_dates_the_calendar_does_not_cover_are_refused_never_guessed(day: str) -> None:
    with pytest.raises(NotCovered):
        working_days_after(D("2024-01-02"), D(day))
    with pytest.raises(NotCovered):
        is_working_day(D(day))


def test_the_fast_table_agrees_with_the_package_on_every_covered_day() -> None:
    import chinese_calendar

    from archive.workdays import covered_range

    first, last = covered_range()
    day = first
    while day <= last:
        assert is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
