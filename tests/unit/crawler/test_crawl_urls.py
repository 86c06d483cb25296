"""Canonical URLs, scope and trap limits (docs/TESTPLAN.md C4, C10)."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize, host_key, series_key, trap_reason


@pytest.mark.parametrize(
    ("raw", "base", "expected"),
    [
        (
            "HTTP://WWW.SX.GOV.CN:80/art/2021/2/26/art_1_2.html#top",
            None,
            "http://www.sx.gov.cn/art/2021/2/26/art_1_2.html",
        ),
        ("https://a.gov.cn:443/x", None, "https://a.gov.cn/x"),
        ("http://a.gov.cn:8080/x", None, "http://a.gov.cn:8080/x"),
        ("/col/col1/index.html?b=2&a=1", "http://a.gov.cn/x/", "http://a.gov.cn/col/col1/index.html?a=1&b=2"),
        (
            "./202101/t20210101_1.html",
            "http://a.gov.cn/xxgk/zcwj/index.html",
            "http://a.gov.cn/xxgk/zcwj/202101/t20210101_1.html",
        ),
        ("../../a.html", "http://a.gov.cn/x/y/z.html", "http://a.gov.cn/a.html"),
        (
            "//fzggw.zj.gov.cn/art/2021/1/1/art_1_2.html",
            "https://b.gov.cn/",
            "https://fzggw.zj.gov.cn/art/2021/1/1/art_1_2.html",
        ),
        ("/a.html?from=timeline&utm_source=x&id=3", "http://a.gov.cn/", "http://a.gov.cn/a.html?id=3"),
        ("/a.html;jsessionid=ABC123?x=1", "http://a.gov.cn/", "http://a.gov.cn/a.html?x=1"),
        (
            "/法规 文件.html",
            "http://a.gov.cn/",
            "http://a.gov.cn/%E6%B3%95%E8%A7%84%20%E6%96%87%E4%BB%B6.html",
        ),
        ("/%E6%B3%95.html", "http://a.gov.cn/", "http://a.gov.cn/%E6%B3%95.html"),
    ],
)
def test_canonicalize_merges_duplicate_forms(raw: str, base: str | None, expected: str) -> None:
    assert canonicalize(raw, base) == expected


@pytest.mark.parametrize(
    "raw",
    ["javascript:void(0)", "mailto:a@b.cn", "ftp://a.gov.cn/x", "file:///C:/a.pdf", "data:text/html,x", ""],
)
def test_canonicalize_rejects_non_http(raw: str) -> None:
    assert canonicalize(raw, "http://a.gov.cn/") is None


def test_canonicalize_without_base_needs_a_host() -> None:
    assert canonicalize("http://") is None
    assert canonicalize("/relative/only.html") is None


def test_canonical_form_is_idempotent() -> None:
    url = canonicalize("HTTP://A.gov.cn:80/b/../c d.html?z=1&a=%E6%B3%95#f")
    assert url is not None and canonicalize(url) == url


def test_host_key_keeps_non_default_port() -> None:
    assert host_key("http://127.0.0.1:8001/a") != host_key("http://127.0.0.1:8002/a")


@pytest.mark.parametrize(
    ("url", "depth", "reason"),
    [
        ("http://a.gov.cn/a/a/a/x.html", 1, "trap:path_repeat"),
        ("http://a.gov.cn/" + "/".join(f"d{i}" for i in range(25)), 1, "trap:path_depth"),
        ("http://a.gov.cn/x?q=" + "y" * 2100, 1, "trap:url_length"),
        ("http://a.gov.cn/x.html", 21, "trap:depth"),
        ("http://a.gov.cn/art/2021/2/26/art_1_2.html", 3, None),
    ],
)
def test_trap_limits(url: str, depth: int, reason: str | None) -> None:
    assert trap_reason(url, depth=depth, max_depth=20, max_path_repeat=2, max_url_length=2083) == reason


def test_series_key_ignores_paging() -> None:
    a = series_key("http://a/xxgk/zcwj/index_3.html", frozenset())
    b = series_key("http://a/xxgk/zcwj/index.html", frozenset())
    c = series_key("http://a/u?pageNo=2&webId=1", frozenset({"pageNo"}))
    d = series_key("http://a/u?pageNo=3&webId=1", frozenset({"pageNo"}))
    assert a == b and c == d and a != c


def test_a_numeric_site_id_is_kept_and_a_session_id_dropped() -> None:
    """gkmlpt selects the site by `sid=755001`; dropping it made every list call an error."""
    assert canonicalize("http://a.gov.cn/gkmlpt/api/all/2582?page=1&sid=755001") == (
        "http://a.gov.cn/gkmlpt/api/all/2582?page=1&sid=755001"
    )
    assert (
        canonicalize("http://a.gov.cn/list?page=2&sid=9F8E7D6C5B4A39281706") == "http://a.gov.cn/list?page=2"
    )
