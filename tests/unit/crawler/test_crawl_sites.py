"""Adapters are pure functions over decoded pages (docs/SITES.md 3, 11, 12): candidates, further requests, detection."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from crawler import decode_html
from crawler.sites import choose_adapter, generic, govcn, hanweb_jpaas, hanweb_jpage, trs_static
from crawler.sites.common import Page, anchors, attachment_name, guess_kind
from demosite.site import DemoSite

HOST = "http://demo.gov.cn"


def demo_page(site: DemoSite, path: str) -> Page:
    response = site.respond("GET", path, {})
    ctype = response.header("Content-Type")
    return Page(url=HOST + path, text=decode_html(response.body, ctype).text, content_type=ctype)


def test_hanweb_column_records_and_proxy_groups_cover_the_column() -> None:
    site = DemoSite(seed=5, n_docs=200)
    column = "/col/col1571301/index.html"
    page = demo_page(site, column)
    assert choose_adapter(page.text, page.url) is hanweb_jpage
    first = hanweb_jpage.parse_list(page)
    assert first and all(c.kind == "document" for c in first)
    assert all(c.title and "…" not in c.title for c in first)  # full titles from title=
    assert all(c.date_hint for c in first)
    found = {c.url for c in first}
    for request in hanweb_jpage.next_requests(page):
        assert request.kind == "api" and "/jpage/dataproxy.jsp" in request.url
        parts = urlsplit(request.url)
        group = demo_page(site, parts.path + "?" + parts.query)
        assert hanweb_jpage.next_requests(group) == []
        found |= {c.url for c in hanweb_jpage.parse_list(group)}
    expected = {HOST + d.path for d in site.documents if d.column.key == "1571301"}
    assert found == expected


def test_hanweb_entity_encoded_datastore() -> None:
    text = (
        "<script type='text/xml'>&lt;datastore&gt;&lt;recordset&gt;&lt;record&gt;&lt;![CDATA[<li><a "
        'href="/art/2021/2/26/art_1_9.html" title="完整标题">截断…</a><span>2021-02-26</span></li>]]&gt;'
        "&lt;/record&gt;&lt;/recordset&gt;&lt;/datastore&gt;</script>"
    )
    found = hanweb_jpage.parse_list(Page(url=HOST + "/col/col1/index.html", text=text))
    assert [(c.url, c.title, c.date_hint) for c in found] == [
        (HOST + "/art/2021/2/26/art_1_9.html", "完整标题", "2021-02-26")
    ]


def test_hanweb_proxy_ids_read_from_the_page() -> None:
    text = (
        "<datastore><recordset>"
        + "<record><![CDATA[<a href='/art/2020/1/1/art_7_1.html'>a</a>]]></record>" * 45
        + "</recordset></datastore><script>var jpage = {totalRecord:100, perPage:15, webid:'3003', unitid:'88',"
        " columnid:'7', webname:'站点'}; url:'/module/jpage/dataproxy.jsp'</script>"
    )
    requests = hanweb_jpage.next_requests(Page(url=HOST + "/col/col7/index.html", text=text))
    queries = [parse_qs(urlsplit(r.url).query) for r in requests]
    assert [q["startrecord"][0] for q in queries] == ["46", "91"]
    assert {q["webid"][0] for q in queries} == {"3003"} and {q["unitid"][0] for q in queries} == {"88"}
    assert all(urlsplit(r.url).path == "/module/jpage/dataproxy.jsp" for r in requests)


def test_hanweb_group_size_zero_falls_back_to_the_default_group() -> None:
    """groupSize:0 used to make a zero step (ValueError from range); it means the platform's default group."""
    text = (
        "<datastore><recordset>"
        + "<record><![CDATA[<a href='/art/2020/1/1/art_7_1.html'>a</a>]]></record>" * 45
        + "</recordset></datastore><script>var jpage = {totalRecord:100, perPage:15, groupSize:0, webid:'3003',"
        " columnid:'7'}; url:'/module/jpage/dataproxy.jsp'</script>"
    )
    requests = hanweb_jpage.next_requests(Page(url=HOST + "/col/col7/index.html", text=text))
    assert [parse_qs(urlsplit(r.url).query)["startrecord"][0] for r in requests] == ["46", "91"]


def test_trs_zero_based_pages_are_walked_one_at_a_time() -> None:
    site = DemoSite(seed=5, n_docs=200)
    path = "/xxgk/zcwj/index.html"
    found: set[str] = set()
    seen_paths = []
    while path:
        page = demo_page(site, path)
        assert choose_adapter(page.text, page.url) is trs_static
        seen_paths.append(path)
        found |= {c.url for c in trs_static.parse_list(page)}
        nxt = trs_static.next_requests(page)
        path = urlsplit(nxt[0].url).path if nxt else ""
    assert seen_paths[1:2] == ["/xxgk/zcwj/index_1.html"]
    expected = {HOST + d.path for d in site.documents if d.column.key == "zcwj"}
    assert found == expected


def _trs(call: str, links: int = 1) -> str:
    items = "".join(
        f'<li><a href="./202101/t20210101_{i}.html" title="t{i}">t</a></li>' for i in range(links)
    )
    return f"<ul>{items}</ul><script>{call}</script>"


def test_trs_one_based_numbering_and_end() -> None:
    first = Page(
        url=HOST + "/x/index.html", text=_trs("createPageHTML('paging', 3, 1, 'index', 'html', 60);")
    )
    assert [r.url for r in trs_static.next_requests(first)] == [HOST + "/x/index_2.html"]
    last = Page(
        url=HOST + "/x/index_3.html", text=_trs("createPageHTML('paging', 3, 3, 'index', 'html', 60);")
    )
    assert trs_static.next_requests(last) == []
    zero_last = Page(url=HOST + "/x/index_2.html", text=_trs('createPageHTML(3, 2, "index", "html");'))
    assert trs_static.next_requests(zero_last) == []


def test_trs_stub_page_ends_the_walk() -> None:
    stub = Page(url=HOST + "/x/index_5.html", text="<script>createPageHTML(40, 5, 'index', 'html');</script>")
    assert trs_static.parse_list(stub) == [] and trs_static.next_requests(stub) == []


def _unit_reply(page_no: int, count: int = 40, rows: int = 15) -> str:
    items = "".join(
        f'<li><a title="标题{page_no}-{i}" href="/col/col1229/art/2024/art_{page_no:02d}{i:030d}.html">x</a>'
        f"<span>2024-01-0{1 + i % 9}</span></li>"
        for i in range(rows if page_no * rows <= count else count % rows)
    )
    pager = f'<div class="pager" count="{count}" rows="{rows}" pageNo="{page_no}"></div>'
    return json.dumps({"success": True, "code": 200, "data": {"html": f"<ul>{items}</ul>{pager}"}})


def test_jpaas_unit_api_paging() -> None:
    column = Page(
        url=HOST + "/col/col1229/index.html",
        text='<script src="/module/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/'
        "build/unit\" queryData=\"{'webId':'3096','pageId':'1229','parseType':'bulidstatic','pageType':'column',"
        "'tagId':'信息列表','tplSetId':'52'}\"></script>",
    )
    assert choose_adapter(column.text, column.url) is hanweb_jpaas
    (first,) = hanweb_jpaas.next_requests(column)
    query = parse_qs(urlsplit(first.url).query)
    assert query["pageNo"] == ["1"] and query["webId"] == ["3096"] and query["tagId"] == ["信息列表"]
    urls: set[str] = set()
    url = first.url
    for page_no in (1, 2, 3):
        reply = Page(url=url, text=_unit_reply(page_no))
        urls |= {c.url for c in hanweb_jpaas.parse_list(reply)}
        nxt = hanweb_jpaas.next_requests(reply)
        if page_no < 3:
            url = nxt[0].url
            assert parse_qs(urlsplit(url).query)["pageNo"] == [str(page_no + 1)]
        else:
            assert nxt == []
    assert len(urls) == 40


def test_jpaas_not_json_or_empty_page_ends() -> None:
    url = HOST + "/api-gateway/jpaas-publish-server/front/page/build/unit?pageNo=2"
    assert hanweb_jpaas.parse_list(Page(url=url, text="<html>blocked</html>")) == []
    assert hanweb_jpaas.next_requests(Page(url=url, text=json.dumps({"data": {"html": ""}}))) == []


def test_govcn_section_list() -> None:
    text = (
        '<h4><a href="/zhengce/content/202101/content_5577777.htm">国务院关于某事的通知</a></h4><span class="date">'
        '2021-01-05</span><a href="/zhengce/zuixin.htm">更多</a>'
    )
    page = Page(url="http://www.gov.cn/zhengce/zhengceku/gwy/", text=text)
    assert choose_adapter(text, page.url) is govcn
    assert [(c.url, c.date_hint) for c in govcn.parse_list(page)] == [
        ("http://www.gov.cn/zhengce/content/202101/content_5577777.htm", "2021-01-05")
    ]


def test_generic_links_kinds_and_base() -> None:
    text = (
        '<base href="http://other.gov.cn/sub/"><a href="a/index.html">列表</a>'
        '<a href="/art/2021/2/26/art_1_2.html">文</a><a href="f.pdf">附件</a><a href="x.js">js</a>'
        "<a href=\"javascript:void(0)\">js</a><a onclick=\"downloadFj('名','/files/a.docx')\">下载</a>"
        '<a href="/module/search/index.jsp">搜</a>'
    )
    found = {c.url: c.kind for c in generic.parse_list(Page(url=HOST + "/", text=text))}
    assert found == {
        "http://other.gov.cn/sub/a/index.html": "list",
        "http://other.gov.cn/art/2021/2/26/art_1_2.html": "document",
        "http://other.gov.cn/sub/f.pdf": "attachment",
        "http://other.gov.cn/files/a.docx": "attachment",
    }


def test_attachment_detection_by_extension_or_file_name_parameter() -> None:
    assert attachment_name(HOST + "/module/download/downfile.jsp?classid=0&filename=abc.xls") == "abc.xls"
    assert attachment_name(HOST + "/202402/W020240202423465960076.PDF") == "W020240202423465960076.PDF"
    assert attachment_name(HOST + "/api?fileUrl=tok&fileName=办法.wps") == "办法.wps"
    assert attachment_name(HOST + "/art/2021/1/1/art_1_1.html") is None
    assert guess_kind(HOST + "/module/web/jpage/dataproxy.jsp?x=1") is None


def test_anchor_titles_prefer_the_title_attribute() -> None:
    (c,) = anchors('<a href="/a.html" title="关于&amp;完整标题">关于…</a> 2021年2月6日', HOST + "/")
    assert c.title == "关于&完整标题" and c.date_hint == "2021-02-06"


def test_hanweb_nextgroup_chain_when_total_is_unknown() -> None:
    text = (
        '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?startrecord=46&amp;'
        'endrecord=90&amp;perpage=15&amp;columnid=7">]]></nextgroup><recordset>'
        "<record><![CDATA[<a href='/art/2020/1/1/art_7_1.html'>a</a>]]></record></recordset></datastore>"
    )
    (request,) = hanweb_jpage.next_requests(Page(url=HOST + "/col/col7/index.html", text=text))
    assert request.kind == "api"
    assert parse_qs(urlsplit(request.url).query)["startrecord"] == ["46"]
    empty = '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?x=1">]]></nextgroup></datastore>'
    assert (
        hanweb_jpage.next_requests(Page(url=HOST + "/module/web/jpage/dataproxy.jsp?y=2", text=empty)) == []
    )
