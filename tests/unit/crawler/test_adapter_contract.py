"""The adapter contract (crawler/sites/protocol.py) holds for every registered adapter, at run time too."""

from __future__ import annotations

import pytest

from crawler.sites import ADAPTERS, article_patterns, choose_adapter, endpoint_patterns, generic
from crawler.sites.common import Page, guess_kind, is_article_url, is_endpoint_url

HOST = "http://example.gov.cn"
# one article URL and (where the platform has one) one endpoint URL per adapter, in its platform's shape
ARTICLES = {
    "hanweb_jpage": "/art/2021/2/26/art_1229_77.html",
    "hanweb_jpaas": "/col/col1229000001/art/2021/art_0123456789abcdef0123456789abcdef.html",
    "trs_static": "/xxgk/zcfb/202102/t20210226_123.html",
    "govcn": "/zhengce/content/202102/content_5589001.htm",
    "generic": "/xxgk/202102/0123456789abcdef0123456789abcdef.html",
    "gd_gkmlpt": "/gkmlpt/content/2/2582/post_400123.html",
}
ENDPOINTS = {
    "hanweb_jpage": "/module/web/jpage/dataproxy.jsp?startrecord=46",
    "hanweb_jpaas": "/api-gateway/jpaas-publish-server/front/page/build/unit?pageNo=2",
    "hanweb_xxgk": "/module/xxgk/search.jsp?infotypeId=A0101&currpage=2",
    "gd_gkmlpt": "/gkmlpt/api/all/2582?page=2&sid=755001",
    "trs_was5": "/was5/web/search?channelid=229105&page=2",
    "govcn_library": "/search-gov/data?t=zhengcelibrary_gw&p=2&n=20",
}


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.NAME)
def test_every_adapter_keeps_the_contract(adapter: object) -> None:
    for name in ("NAME", "PAGING_PARAMS", "ARTICLE_PATTERNS", "ENDPOINT_PATTERNS"):
        assert hasattr(adapter, name), name
    for name in ("detect", "parse_list", "next_requests", "problem"):
        assert callable(getattr(adapter, name)), name


def test_adapters_own_their_article_shapes_and_the_union_is_what_links_use() -> None:
    by_name = {a.NAME: a for a in ADAPTERS}
    assert set(ARTICLES) <= set(by_name)
    for name, path in ARTICLES.items():
        owners = [a.NAME for a in ADAPTERS if any(p.search(path) for p in a.ARTICLE_PATTERNS)]
        assert name in owners, (path, owners)  # content_N is both TRS's and gov.cn's
        assert is_article_url(HOST + path) and guess_kind(HOST + path) == "document"
    assert len(article_patterns()) == sum(len(a.ARTICLE_PATTERNS) for a in ADAPTERS)
    assert not is_article_url(HOST + "/xxgk/index.html")


def test_endpoints_are_lists_never_links() -> None:
    assert {a.NAME for a in ADAPTERS} - set(ENDPOINTS) == {
        "trs_static",
        "govcn",
        "generic",
    }  # static lists only
    for name, path in ENDPOINTS.items():
        owners = [a.NAME for a in ADAPTERS if any(p.search(path.split("?")[0]) for p in a.ENDPOINT_PATTERNS)]
        assert owners == [name]
        assert is_endpoint_url(HOST + path) and guess_kind(HOST + path) is None
    assert endpoint_patterns()
    assert not is_endpoint_url(HOST + "/col/col1/index.html")


def test_mis_shaped_endpoint_answers_are_problems_and_lists_are_not() -> None:
    unit = HOST + ENDPOINTS["hanweb_jpaas"]
    jpaas = choose_adapter("<html><title>502</title></html>", unit)
    assert jpaas.NAME == "hanweb_jpaas"
    assert jpaas.problem(Page(url=unit, text="<html><title>502 Bad Gateway</title></html>")) == "not_json"
    assert jpaas.problem(Page(url=unit, text='{"data": {"html": "<li>')) == "not_json"
    assert jpaas.problem(Page(url=unit, text='{"success": false, "code": 500}')) == "api_error"
    assert jpaas.problem(Page(url=unit, text='{"success": true, "data": {"html": ""}}')) is None
    proxy = HOST + ENDPOINTS["hanweb_jpage"]
    jpage = choose_adapter("", proxy)
    assert jpage.problem(Page(url=proxy, text="<html>系统繁忙</html>")) == "not_datastore"
    assert jpage.problem(Page(url=proxy, text="<datastore><recordset></recordset></datastore>")) is None
    assert generic.problem(Page(url=HOST + "/", text="")) is None


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_an_error_page_from_an_endpoint_is_its_adapters_problem(name: str) -> None:
    """The URL shape alone picks the endpoint's adapter, so an HTML error page there is a failure, not a list."""
    url = HOST + ENDPOINTS[name]
    error = "<html><head><title>系统繁忙</title></head><body>请稍后再试</body></html>"
    adapter = choose_adapter(error, url)
    assert adapter.NAME == name
    assert adapter.problem(Page(url=url, text=error)) is not None
    assert adapter.parse_list(Page(url=url, text=error)) == []
    assert adapter.next_requests(Page(url=url, text=error)) == []
