"""The silence rule, the annual-report rule and the per-document lag flags, on small hand-made inputs."""

from __future__ import annotations

import datetime as dt

from archive.coverage import (
    annual_report_year,
    annual_reports,
    find_gaps,
    month_range,
    report_due,
    shift_month,
)
from archive.timeliness import ARTICLE_26_DAYS, DocFacts, facts_from_row, median


def _monthly(first: str, last: str, per_month: int, silent: frozenset[str] = frozenset()) -> dict[str, int]:
    return {m: (0 if m in silent else per_month) for m in month_range(first, last)}


def test_a_regular_publisher_silent_for_a_quarter_is_one_gap() -> None:
    counts = _monthly("2023-01", "2025-12", 1, frozenset({"2024-04", "2024-05", "2024-06"}))
    gaps = find_gaps(counts, "2023-01", "2025-12")
    assert [(g.first, g.last, g.months) for g in gaps] == [("2024-04", "2024-06", 3)]
    assert gaps[0].window == 12 and gaps[0].expected == 3.0


def test_shorter_silences_and_sparse_publishers_are_not_gaps() -> None:
    # one document a month: two quiet months expect only 2 documents
    counts = _monthly("2023-01", "2025-12", 1, frozenset({"2024-04", "2024-05"}))
    assert find_gaps(counts, "2023-01", "2025-12") == []
    # a document every other month (rate 0.5): even a year of silence is not judged
    sparse = {m: (1 if i % 2 == 0 else 0) for i, m in enumerate(month_range("2020-01", "2022-12"))}
    sparse.update({m: 0 for m in month_range("2022-01", "2022-12")})
    assert find_gaps(sparse, "2020-01", "2022-12") == []
    # a dense publisher: a single quiet month expects 4 documents
    dense = _monthly("2023-01", "2024-12", 4, frozenset({"2024-03"}))
    assert [(g.first, g.months) for g in find_gaps(dense, "2023-01", "2024-12")] == [("2024-03", 1)]


def test_no_judgement_without_twelve_months_of_history() -> None:
    counts = _monthly("2024-01", "2024-12", 5, frozenset({"2024-06", "2024-07", "2024-08"}))
    assert find_gaps(counts, "2024-01", "2024-12") == []


def test_a_silence_running_to_the_reference_month_is_a_gap() -> None:
    counts = _monthly("2023-01", "2024-03", 2)
    gaps = find_gaps(counts, "2023-01", "2024-06")
    assert [(g.first, g.last) for g in gaps] == [("2024-04", "2024-06")]


def test_annual_report_titles_and_article_49_deadlines() -> None:
    assert annual_report_year("青岚市财政局2023年政府信息公开工作年度报告") == 2023
    assert annual_report_year("青岚市人民政府2024年度政府信息公开工作年度报告") == 2024
    assert annual_report_year("青岚市财政局2023年法治政府建设年度报告") is None
    assert report_due("市财政局", 2023) == dt.date(2024, 1, 31)
    assert report_due("青岚市人民政府办公室", 2023) == dt.date(2024, 3, 31)
    assert report_due("市财政局", 2019) == dt.date(2020, 1, 31)  # the first report under the 2019 条例
    assert report_due("市财政局", 2018) == dt.date(2019, 3, 31)  # 2007 条例 Article 31
    assert report_due("市财政局", 2008) == dt.date(2009, 3, 31)
    assert report_due("市财政局", 2007) is None


def test_years_before_2008_are_listed_only_when_found_and_never_judged() -> None:
    docs = [
        _doc("o", "市财政局2006年政府信息公开工作年度报告", "2007-02-01", "2007-06-01"),
        _doc("p", "其他通知", "2005-03-01", "2005-03-02"),
    ]
    rows = annual_reports("市财政局", docs, dt.date(2009, 12, 31))
    assert [(r.year, r.status, r.due) for r in rows] == [
        (2006, "found", None),
        (2008, "missing", "2009-03-31"),
    ]


def _doc(doc_id: str, title: str, written: str | None, published: str | None) -> DocFacts:
    return facts_from_row(
        {
            "doc_id": doc_id,
            "status": "live",
            "versions": 1,
            "first_seen_at": "2026-01-10T02:00:00Z",
            "agency": "市财政局",
            "topic": "财政",
            "title": title,
            "written_date": written,
            "publish_date": published,
        }
    )


def test_annual_reports_found_late_missing_and_not_yet_due() -> None:
    docs = [
        _doc("a", "市财政局2022年政府信息公开工作年度报告", "2023-01-20", "2023-01-30"),
        _doc("b", "市财政局2023年政府信息公开工作年度报告", "2024-01-20", "2024-02-05"),
        _doc("c", "其他通知", "2022-03-01", "2022-03-02"),
    ]
    rows = {r.year: r.status for r in annual_reports("市财政局", docs, dt.date(2025, 12, 31))}
    assert rows == {2022: "on_time", 2023: "late", 2024: "missing"}  # 2025's report is not due yet


def test_lag_flags_are_reasons_never_guesses() -> None:
    ok = _doc("x", "t", "2024-02-08", "2024-02-19")
    assert (ok.lag, ok.flag, ok.late) == (3, None, False)
    assert _doc("x", "t", None, "2024-02-19").flag == "no_written_date"
    assert _doc("x", "t", "2024-02-19", None).flag == "no_publish_date"
    assert _doc("x", "t", "2024-02-19", "2024-02-08").flag == "publish_before_written"
    assert _doc("x", "t", "2099-01-01", "2099-03-01").flag == "not_covered"
    late = _doc("x", "t", "2024-01-31", "2024-03-05")
    assert late.lag == ARTICLE_26_DAYS + 1 and late.late
    edge = _doc("x", "t", "2024-01-31", "2024-03-04")
    assert edge.lag == ARTICLE_26_DAYS and not edge.late
    assert ok.capture_lag == (dt.date(2026, 1, 10) - dt.date(2024, 2, 19)).days
    assert median([3, 1, 2]) == 2 and median([1, 2, 3, 4]) == 2.5 and median([]) is None


def test_month_arithmetic() -> None:
    assert shift_month("2025-04", -12) == "2024-04" and shift_month("2025-01", -1) == "2024-12"
    assert shift_month("2024-12", 1) == "2025-01"
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
