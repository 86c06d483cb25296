from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from index import IndexSettings, QueryError
from web.queryargs import (
    ArgsError,
    SearchArgs,
    date_presets,
    facet_items,
    parse_search_args,
    parse_window,
    to_search_query,
)
from web.settings import WebSettings

S = WebSettings()


def parse(pairs: list[tuple[str, str]]) -> SearchArgs:
    return parse_search_args(MultiDict(pairs), S)


def test_parse_keeps_every_filter_and_dedupes_values() -> None:
    args = parse(
        [
            ("q", " 法治政府 "),
            ("agency", "市公安局"),
            ("agency", "市公安局"),
            ("agency", "市教育局"),
            ("topic", "公安"),
        ]
        + [
            ("since", "2021-01-01"),
            ("until", "2021-12-31"),
            ("date_field", "written"),
            ("sort", "newest"),
            ("page", "3"),
        ]
    )
    assert args == SearchArgs(
        "法治政府", ("市公安局", "市教育局"), ("公安",), "2021-01-01", "2021-12-31", "written", "newest", 3
    )


@pytest.mark.parametrize(
    "pairs",
    [
        [("since", "2021-13-01")],
        [("since", "2021-02-30")],
        [("until", "21-1-1")],
        [("since", "2021-01-01"), ("until", "2020-01-01")],
        [("sort", "random")],
        [("date_field", "captured")],
        [("page", "-1")],
        [("page", "0")],
        [("page", "1e3")],
        [("page", "100000")],
        [("q", "a"), ("q", "b")],
        [("q", "x" * 10_000)],
        [("q", "a\x00b")],
    ],
)
def test_bad_parameters_raise_args_error_with_a_message(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(ArgsError) as info:
        parse(pairs)
    assert str(info.value)


def test_window_limits() -> None:
    search = parse([("page", "2")])
    assert parse_window(MultiDict(), S, search) == (20, 20)
    assert parse_window(MultiDict([("offset", "5"), ("limit", "7")]), S, search) == (5, 7)
    for bad in ([("limit", "1000")], [("limit", "0")], [("offset", "-1")], [("offset", "99999999")]):
        with pytest.raises(ArgsError):
            parse_window(MultiDict(bad), S, search)


def test_window_bounds_are_the_index_settings() -> None:
    """limit and offset are bounded by the index's max_limit and max_offset (their one owner)."""
    search = parse([])
    narrow = IndexSettings(max_limit=7, max_offset=30)
    assert parse_window(MultiDict([("limit", "7"), ("offset", "30")]), S, search, narrow) == (30, 7)
    for bad in ([("limit", "8")], [("offset", "31")]):
        with pytest.raises(ArgsError, match="之间的整数"):
            parse_window(MultiDict(bad), S, search, narrow)
    assert parse_window(MultiDict([("limit", "100")]), S, search) == (0, 100)


def test_too_many_filter_values_are_the_index_settings_to_refuse() -> None:
    """How many values one filter may list is IndexSettings.max_filter_values, for every caller of the index."""
    search = parse([("agency", str(i)) for i in range(4)] + [("topic", "公安")])
    to_search_query(search, offset=0, limit=1, settings=IndexSettings(max_filter_values=4))
    with pytest.raises(QueryError, match="最多 3 个"):
        to_search_query(search, offset=0, limit=1, settings=IndexSettings(max_filter_values=3))


def test_query_string_is_canonical_and_changes_reset_the_page() -> None:
    a = parse([("sort", "newest"), ("topic", "公安"), ("q", "枫桥"), ("page", "4"), ("agency", "市公安局")])
    b = parse([("agency", "市公安局"), ("page", "4"), ("q", "枫桥"), ("topic", "公安"), ("sort", "newest")])
    assert a.query_string() == b.query_string()
    assert a.query_string().startswith("?q=%E6%9E%AB%E6%A1%A5&agency=")
    assert "page=" not in a.query_string(sort="oldest")
    assert "page=5" in a.query_string(page=5)
    assert SearchArgs().query_string() == ""


def test_toggle_adds_and_removes_a_facet_value() -> None:
    args = parse([("agency", "市公安局")])
    assert "agency=%E5%B8%82%E6%95%99%E8%82%B2%E5%B1%80" in args.toggle("agency", "市教育局")
    assert "agency" not in args.toggle("agency", "市公安局")


def test_presets_compute_since_from_today() -> None:
    presets = date_presets(SearchArgs(q="x", since="2026-01-01"), dt.date(2026, 3, 31))
    labels = [label for label, _, _ in presets]
    assert labels == ["不限", "近一月", "近一年"]
    assert "since=2026-03-01" in presets[1][1]
    assert "since=2025-03-31" in presets[2][1]
    assert "since" not in presets[0][1]
    assert not any(current for _, _, current in presets)
    assert date_presets(SearchArgs(since="2026-03-01"), dt.date(2026, 3, 31))[1][2]


def test_facet_items_keep_chosen_values_first() -> None:
    items = facet_items({"甲": 5, "乙": 9, "丙": 1}, ["丙", "丁"])
    assert items == [("丙", 1, True), ("丁", 0, True), ("乙", 9, False), ("甲", 5, False)]


def test_to_search_query_validates_through_the_index() -> None:
    from index import QueryError

    query = to_search_query(parse([("q", "公安")]), offset=0, limit=20)
    assert query.q == "公安" and query.limit == 20
    with pytest.raises(QueryError):
        to_search_query(parse([("q", "公" * 300)]), offset=0, limit=20)
