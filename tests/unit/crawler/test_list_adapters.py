"""The list-source adapters over the fixture sites' answers, without HTTP: config, paging, rows, problems.

Each walk follows `next_requests` from the entry page the way the crawl loop does and counts what the server was
asked, so "never past the last page" and "every document" are checked on the adapters alone.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from listsites.base import ListSite
from listsites.gkmlpt import GkmlptSite
from listsites.govcn import GovcnLibrarySite
from listsites.jpaas import JpaasSite
from listsites.was5 import Was5Site
from listsites.xxgk import SESSION, XxgkSite

from crawler import decode_html
from crawler.sites import (
    choose_adapter,
    gd_gkmlpt,
    hanweb_jpaas,
    hanweb_jpage,
    hanweb_xxgk,
    listapi,
    trs_was5,
)
from crawler.sites.common import Page

HOST = "127.0.0.1:8"
BASE = "http://" + HOST


def answer(site: ListSite, url: str) -> Page:
    parts = urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    response = site.respond("GET", path, {"Host": HOST, "Cookie": SESSION})
    ctype = response.header("Content-Type")
    return Page(url=url, text=decode_html(response.body, ctype).text, content_type=ctype)


def walk(site: ListSite, entry_urls: list[str]) -> tuple[set[str], Counter[tuple[str, int]]]:
    """Every document URL the adapters find from the entry pages, and every list page asked for."""
    queue, seen, found = list(entry_urls), set(entry_urls), set()
    asked: Counter[tuple[str, int]] = Counter()
    while queue:
        url = queue.pop(0)
        page = answer(site, url)
        request = site.list_request(url[len(BASE) :])
        if request is not None:
            asked[request] += 1
        adapter = choose_adapter(page.text, page.url)
        assert adapter.problem(page) is None, url
        for candidate in adapter.parse_list(page):
            if candidate.kind == "document":
                found.add(candidate.url)
            elif candidate.kind == "list" and candidate.url not in seen:
                seen.add(candidate.url)
                queue.append(candidate.url)
        for nxt in adapter.next_requests(page):
            if nxt.url not in seen:
                seen.add(nxt.url)
                queue.append(nxt.url)
    return found, asked


def check_walk(site: ListSite, entries: list[str]) -> None:
    found, asked = walk(site, entries)
    assert found == {BASE + p for p in site.articles}
    assert set(asked) == {(c, n) for c in site.categories() for n in range(1, site.last_page(c) + 1)}
    assert set(asked.values()) == {1}


def test_gkmlpt_config_is_read_although_it_is_not_json() -> None:
    page = answer(GkmlptSite(), BASE + "/gkmlpt/index")
    assert choose_adapter(page.text, page.url) is gd_gkmlpt
    assert gd_gkmlpt.site_config(page.text) == ("755001", [2582, 2583, 2590, 2600])  # leaves, not the parent
    requests = gd_gkmlpt.next_requests(page)
    assert [parse_qs(urlsplit(r.url).query) for r in requests][0] == {"page": ["1"], "sid": ["755001"]}


def test_gkmlpt_walk_starts_at_page_1_and_stops_at_the_count() -> None:
    site = GkmlptSite()
    check_walk(site, [BASE + "/gkmlpt/index"])
    assert site.last_page("2582") == 1  # exactly 100 articles: no page 2


def test_gkmlpt_rows_carry_the_json_fields() -> None:
    site = GkmlptSite()
    page = answer(site, BASE + "/gkmlpt/api/all/2583?page=1&sid=755001")
    first = gd_gkmlpt.parse_list(page)[0]
    doc = site.articles[urlsplit(first.url).path]
    fields = dict(first.fields)
    assert fields["doc_no"] == doc.doc_no and fields["index_no"] == doc.index_no
    assert fields["written_date"] == doc.written and fields["publish_date"] == doc.published
    assert fields["agency"] == doc.agency and fields["topic"] == doc.topic
    assert json.loads(first.item or "")["identifier"] == doc.index_no
    abolished = [c for c in gd_gkmlpt.parse_list(page) if site.articles[urlsplit(c.url).path].abolished]
    assert abolished and all(dict(c.fields)["validity"] == "废止" for c in abolished)


def test_xxgk_rows_only_and_the_form_values() -> None:
    site = XxgkSite()
    column = answer(site, BASE + "/col/col1229106541/index.html")
    assert choose_adapter(column.text, column.url) is hanweb_xxgk
    (request,) = hanweb_xxgk.next_requests(column)
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query, keep_blank_values=True).items()}
    assert query["infotypeId"] == "A0101" and query["webid"] == "3003" and query["currpage"] == "1"
    rows = hanweb_xxgk.parse_list(answer(site, request.url))
    assert len(rows) == 15 and not [
        r for r in rows if "art_1229000001_" in r.url
    ]  # the hot list is not the column
    assert all(dict(r.fields)["doc_no"] for r in rows)
    check_walk(site, [BASE + f"/col/col{c}/index.html" for c in site.categories()])


def test_xxgk_without_the_session_is_a_problem() -> None:
    url = BASE + "/module/xxgk/search.jsp?infotypeId=A0101&webid=3003&currpage=1"
    response = XxgkSite().respond("GET", urlsplit(url).path + "?" + urlsplit(url).query, {"Host": HOST})
    page = Page(url=url, text=response.body.decode())
    assert hanweb_xxgk.problem(page) == "no_rows"


def test_jpaas_pages_by_param_json() -> None:
    site = JpaasSite()
    check_walk(site, [BASE + f"/col/col{c}/index.html" for c in site.categories()])
    column = answer(site, BASE + "/col/col1229561101/index.html")
    (first,) = hanweb_jpaas.next_requests(column)
    assert json.loads(parse_qs(urlsplit(first.url).query)["paramJson"][0]) == {"pageNo": 1, "pageSize": "15"}


def test_jpaas_without_param_json_every_page_is_page_1() -> None:
    """The trap itself: what the adapter did before paramJson (pageNo alone) gets page 1 again."""
    site = JpaasSite()
    unit = BASE + "/api-gateway/jpaas-publish-server/front/page/build/unit?webId=3096&pageId=1229561101"
    one = hanweb_jpaas.parse_list(answer(site, unit + "&pageNo=1&rows=15"))
    two = hanweb_jpaas.parse_list(answer(site, unit + "&pageNo=2&rows=15"))
    assert one == two and len(one) == 15


def test_was5_both_templates_and_the_clamped_last_page() -> None:
    site = Was5Site()
    check_walk(site, site.seeds(BASE))
    tagged = trs_was5.records(answer(site, site.seeds(BASE)[0]).text)
    lines = trs_was5.records(answer(site, site.seeds(BASE)[2]).text)
    assert len(tagged) == len(lines) == 20
    assert set(tagged[0]) == set(lines[0]) >= {"TITLE", "URL", "WH", "DOCRELTIME", "FWDW"}
    past = answer(site, site.seeds(BASE)[1] + "&page=99")
    last = answer(site, site.seeds(BASE)[1] + "&page=5")
    assert trs_was5.parse_list(past) == trs_was5.parse_list(last)  # a page past the end repeats the last one


def test_govcn_library_walk_and_error_body() -> None:
    site = GovcnLibrarySite()
    check_walk(site, site.seeds(BASE))
    page = answer(site, BASE + "/search-gov/data?t=zhengcelibrary_bm&p=1&n=100")
    assert page.text.startswith("{") and choose_adapter(page.text, page.url).problem(page) == "api_error"


def test_jpage_proxy_paging_by_page_fills_the_group() -> None:
    """A proxy that ignores startrecord and answers one display page of `perpage` per call."""
    records = [
        f"<record><![CDATA[<li><a href='/art/2021/1/1/art_7_{n}.html'>t</a></li>]]></record>"
        for n in range(100)
    ]

    def page_mode(url: str) -> Page:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        size = min(int(query["perpage"]), 15)
        number = int(query["page"])
        chunk = records[(number - 1) * size : number * size]
        return Page(url=url, text="<datastore><recordset>" + "".join(chunk) + "</recordset></datastore>")

    column = Page(
        url=BASE + "/col/col7/index.html",
        text="<datastore><recordset>" + "".join(records[:45]) + "</recordset></datastore>"
        "<script>var jpage = {totalRecord:100, perPage:15, webid:'3003', unitid:'88', columnid:'7'};</script>",
    )
    found = {c.url for c in hanweb_jpage.parse_list(column)}
    queue = list(hanweb_jpage.next_requests(column))
    asked = 0
    while queue:
        request = queue.pop(0)
        asked += 1
        reply = page_mode(request.url)
        assert hanweb_jpage.problem(reply) is None
        found |= {c.url for c in hanweb_jpage.parse_list(reply)}
        queue += hanweb_jpage.next_requests(reply)
    assert len(found) == 100 and asked == 4  # display pages 4..7, none past record 100


def test_epoch_dates_are_beijing_days() -> None:
    assert listapi.date_of(1614268800) == "2021-02-26"  # 2021-02-25T16:00Z is midnight in Beijing
    assert listapi.date_of(1614268800000) == "2021-02-26"
    assert listapi.date_of("2021-02-26 09:30:00") == "2021-02-26"
    assert listapi.date_of(None) is None and listapi.date_of(True) is None
    assert listapi.js_object("x = {a: 'b', c: [1, 2,],}", 4) == {"a": "b", "c": [1, 2]}


def test_a_link_to_the_xxgk_module_does_not_make_a_page_xxgk() -> None:
    menu = '<ul class="nav"><li><a href="/module/xxgk/search.jsp?webid=3003">信息公开目录</a></li></ul>'
    jpage = (
        "<script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href='/art/2021/1/1/art_7_1.html'>"
        "t</a></li>]]></record></recordset></datastore></script>"
    )
    assert choose_adapter(menu + jpage, BASE + "/col/col7/index.html") is hanweb_jpage
    assert choose_adapter(menu, BASE + "/index.html").NAME == "generic"
    scripted = menu + "<script>$.post('/module/xxgk/search.jsp?infotypeId=A01&webid=3003', {});</script>"
    page = Page(url=BASE + "/col/col8/index.html", text=scripted)
    assert choose_adapter(page.text, page.url) is hanweb_xxgk
    (request,) = hanweb_xxgk.next_requests(page)
    assert parse_qs(urlsplit(request.url).query)["infotypeId"] == ["A01"]  # the script's call, not the menu's
