from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from web.charts import build_chart, is_short_range, month_counts, period_labels
from web.feeds import FeedEntry, build_feed, date_to_instant
from web.settings import WebSettings


def test_year_axis_keeps_empty_years_and_scales_to_the_peak() -> None:
    chart = build_chart({"2015": 2, "2018": 8}, "年")
    assert chart is not None
    assert [b.label for b in chart.bars] == ["2015", "2016", "2017", "2018"]
    assert [b.count for b in chart.bars] == [2, 0, 0, 8]
    assert chart.bars[3].height == max(b.height for b in chart.bars) and chart.bars[1].height == 0
    assert all(b.x + b.width <= chart.width for b in chart.bars)
    assert build_chart({}, "年") is None and build_chart({"2020": 0}, "年") is None


def test_month_axis_crosses_year_ends() -> None:
    assert period_labels({"2020-11": 1, "2021-02": 3}, "月") == ["2020-11", "2020-12", "2021-01", "2021-02"]
    assert month_counts(["2021-02-03", "2021-02-28", None, "2021-03-01"]) == {"2021-02": 2, "2021-03": 1}


def test_short_range_needs_a_start() -> None:
    today = dt.date(2026, 6, 1)
    assert is_short_range("2025-06-01", None, today, 731)
    assert not is_short_range("2020-01-01", None, today, 731)
    assert not is_short_range(None, "2026-01-01", today, 731)
    assert is_short_range("2010-01-01", "2010-12-31", today, 731)


def test_feed_escapes_text_and_drops_characters_xml_cannot_hold() -> None:
    entry = FeedEntry(
        doc_id="d1",
        title="<script>alert(1)</script>\x00\x08标题",
        link="http://x/documents/d1?a=1&b=2",
        updated="2024-01-02T00:00:00+08:00",
        published=date_to_instant("2024-01-02"),
        summary="发布机构：市公安局 & 其他",
        original_url=None,
    )
    body = build_feed(
        feed_id="http://x/feed.atom",
        title="t",
        self_url="http://x/feed.atom",
        html_url="http://x/search",
        updated=entry.updated,
        entries=[entry],
    )
    root = ET.fromstring(body)
    ns = "{http://www.w3.org/2005/Atom}"
    item = root.find(f"{ns}entry")
    assert item is not None
    assert item.findtext(f"{ns}title") == "<script>alert(1)</script>标题"
    assert item.findtext(f"{ns}published") == "2024-01-02T00:00:00+08:00"
    assert root.findtext(f"{ns}author/{ns}name") == "gongkai"
    assert date_to_instant("2024-02-30") is None and date_to_instant(None) is None


def test_settings_from_mapping_checks_values() -> None:
    s = WebSettings.from_mapping({"page_size": 10, "raw_origin": "http://127.0.0.1:9"})
    assert s.page_size == 10 and s.raw_origin == "http://127.0.0.1:9"
    assert WebSettings.from_mapping({"page_size": "10"}).page_size == 10  # environment text, one converter
    for bad in (
        {"page_size": 0},
        {"page_size": "ten"},
        {"nope": 1},
        {"raw_origin": "http://127.0.0.1:9/"},
        {"raw_origin": "javascript:x"},
        {"raw_origin": WebSettings().app_origin},
    ):
        with pytest.raises(ValueError):
            WebSettings.from_mapping(bad)


def test_capture_times_show_in_beijing_time_and_stay_escaped() -> None:
    from web.timefmt import beijing_time

    assert (
        str(beijing_time("2026-01-01T20:30:00Z"))
        == '<time datetime="2026-01-01T20:30:00Z">2026-01-02 04:30</time>'
    )
    assert str(beijing_time("2026-01-01T20:30:00.123456Z")).endswith(">2026-01-02 04:30</time>")
    assert str(beijing_time("<b>x")) == "&lt;b&gt;x"
    assert str(beijing_time(None)) == ""
