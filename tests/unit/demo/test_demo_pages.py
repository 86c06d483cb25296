"""The demo site's pages through respond(): lists reach every document once, both layouts look like the real
ones (datastore CDATA, dataproxy, GBK without header charset, createPageHTML), and article pages show the
ground truth in the places a parser looks."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.parse import urlencode

from bs4 import BeautifulSoup
from demo_walk import CDATA_LINK, get, list_entries
from protego import Protego

from demosite import DemoSite
from demosite.docs import COLUMNS, HANWEB, TRS
from demosite.hanweb import PROXY_PATH, proxy_query


def test_every_live_document_is_linked_exactly_once(site: DemoSite) -> None:
    entries = list(list_entries(site))
    counts = Counter(path for _, path, _, _, _ in entries)
    assert counts == Counter(d.path for d in site.live_documents)
    by_path = {d.path: d for d in site.documents}
    truncated = 0
    for _, path, title, label, date in entries:
        doc = by_path[path]
        assert html.unescape(title) == doc.title
        assert date == doc.publish_date
        label = html.unescape(label)
        if label != doc.title:
            truncated += 1
            assert label.endswith("…") and doc.title.startswith(label[:-1])
    assert truncated > 10


def test_lists_are_newest_first_and_hanweb_uses_several_groups(site: DemoSite) -> None:
    entries = list(list_entries(site))
    for col in COLUMNS:
        dates = [date for page, _, _, _, date in entries if _column_of(page) == col.key]
        assert dates == sorted(dates, reverse=True)
    proxy_pages = {page for page, *_ in entries if page.startswith(PROXY_PATH)}
    assert len(proxy_pages) >= 2, "at least one column needs two dataproxy groups"
    trs_pages = {page for page, *_ in entries if "index_" in page}
    assert len(trs_pages) >= 3


def _column_of(page: str) -> str:
    if page.startswith(PROXY_PATH):
        return re.search(r"columnid=(\d+)", page).group(1)  # type: ignore[union-attr]
    return page.split("/")[2].removeprefix("col")


def test_home_links_every_column_and_list(site: DemoSite) -> None:
    soup = BeautifulSoup(get(site, "/").body, "lxml")
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert set(site.seed_paths) <= hrefs
    assert get(site, "/index.html").body == get(site, "/").body


def test_column_page_datastore_and_dataproxy_are_well_formed_xml(site: DemoSite) -> None:
    col = next(c for c in COLUMNS if c.layout == HANWEB and len(site.list_documents(c)) > 90)
    page = get(site, col.path)
    assert page.header("Content-Type") == "text/html; charset=UTF-8"
    text = page.body.decode("utf-8")
    start = text.index('<script type="text/xml">') + len('<script type="text/xml">')
    store = text[start : text.index("</script>", start)]
    root = ET.fromstring(store)
    records = root.findall("./recordset/record")
    assert len(records) == 45
    assert CDATA_LINK.search(records[0].text or "")
    assert f"totalRecord: {len(site.list_documents(col))}" in text and "perPage: 15" in text
    assert f"columnid: {col.key}" in text and "unitid:" in text and "webid:" in text
    # An HTML parser sees no links in the list: the records are script text.
    soup = BeautifulSoup(page.body, "lxml")
    assert not [a for a in soup.find_all("a", href=True) if a["href"].startswith("/art/")]

    reply = get(site, f"{PROXY_PATH}?{proxy_query(col, 46, 90)}")
    assert reply.status == 200 and reply.header(
        "Content-Type",
    ).startswith("text/xml")  # type: ignore[union-attr]
    group = ET.fromstring(reply.body)
    links = [CDATA_LINK.search(r.text or "").group(1) for r in group.findall("./recordset/record")]  # type: ignore[union-attr]
    expected = [d.path for d in site.list_documents(col)[45:90]]
    assert links == expected


def test_dataproxy_answers_post_forms_like_get(site: DemoSite) -> None:
    col = next(c for c in COLUMNS if c.layout == HANWEB)
    query = proxy_query(col, 1, 45)
    by_get = get(site, f"{PROXY_PATH}?{query}")
    by_post = site.respond(
        "POST", PROXY_PATH, {"Content-Type": "application/x-www-form-urlencoded"}, query.encode("ascii")
    )
    assert by_post.status == 200 and by_post.body == by_get.body
    empty = get(site, f"{PROXY_PATH}?{urlencode({'columnid': '999', 'startrecord': 1, 'endrecord': 45})}")
    assert empty.status == 200 and b"<record>" not in empty.body


def test_trs_pages_are_gbk_without_a_charset_in_the_header(site: DemoSite) -> None:
    trs_docs = [d for d in site.live_documents if d.layout == TRS]
    gbk_only = 0
    for doc in trs_docs:
        page = get(site, doc.path)
        assert page.header("Content-Type") == "text/html"
        try:
            page.body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise AssertionError(f"{doc.path} decodes as UTF-8")
        text = page.body.decode("gbk")
        assert 'content="text/html; charset=gb2312"' in text
        assert doc.title in text
        try:
            page.body.decode("gb2312")
        except UnicodeDecodeError:
            gbk_only += 1
    assert gbk_only > 0, "some pages declare gb2312 but need GBK"
    listing = get(site, "/xxgk/zcwj/index_1.html")
    assert listing.header("Content-Type") == "text/html"
    assert "createPageHTML(" in listing.body.decode("gbk")
    assert get(site, "/xxgk/zcwj/index_0.html").status == 404
    assert get(site, "/xxgk/zcwj/index_999.html").status == 404


def test_hanweb_article_shows_the_ground_truth(site: DemoSite) -> None:
    doc = next(d for d in site.live_documents if d.layout == HANWEB and d.doc_no is None)
    page = get(site, doc.path)
    soup = BeautifulSoup(page.body, "lxml")
    metas = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True})}
    assert metas["ArticleTitle"] == doc.title
    assert metas["PubDate"] == f"{doc.publish_date} {doc.publish_time}"
    assert metas["ContentSource"] == doc.source
    assert {"SiteName", "SiteDomain", "SiteIDCode", "ColumnName"} <= set(metas)
    cells = [td.get_text().replace("\xa0", "") for td in soup.select("table.xxgk td")]
    pairs = dict(zip(cells[::2], cells[1::2], strict=True))
    assert pairs == {
        "索引号": doc.index_no,
        "公开方式": doc.disclosure,
        "发布机构": doc.agency,
        "成文日期": doc.written_date,
        "主题分类": doc.topic,
        "发文字号": "",
    }
    assert soup.select_one("p.con-title").get_text() == doc.title  # type: ignore[union-attr]
    assert f"发布日期：{doc.publish_date} {doc.publish_time}" in soup.get_text()
    zoom = soup.select_one("div#zoom")
    assert zoom is not None
    assert [p.get_text() for p in zoom.find_all("p")] == list(doc.paragraphs)
    assert soup.select_one("div.article-source").get_text() == f"信息来源：{doc.source}"  # type: ignore[union-attr]


def test_trs_article_blocks_in_both_dialects(site: DemoSite) -> None:
    for block in ("ol", "sub"):
        doc = next(d for d in site.live_documents if d.layout == TRS and d.block == block)
        soup = BeautifulSoup(get(site, doc.path).body.decode("gbk"), "lxml")
        if block == "ol":
            items = {
                li.span.get_text().strip("[]"): li.get_text()[len(li.span.get_text()) :].strip()
                for li in soup.select("div.xxgk_info ol li")
            }
        else:
            items = dict(li.get_text().split("：", 1) for li in soup.select("div.sub li"))
        assert items["索引号"] == doc.index_no
        assert items["发布机构"] == doc.agency
        assert items["发文字号"] == (doc.doc_no or "")
        assert items["信息来源"] == doc.source
        editor = soup.select_one("div.TRS_Editor")
        assert editor is not None
        assert [p.get_text() for p in editor.find_all("p")] == list(doc.paragraphs)


def test_attachments_have_real_magic_bytes(site: DemoSite) -> None:
    zipped = b"PK\x03\x04"
    magic = {"pdf": b"%PDF-", "doc": bytes.fromhex("D0CF11E0"), "xlsx": zipped, "docx": zipped, "ofd": zipped}
    seen = set()
    for doc in site.live_documents:
        page = get(site, doc.path).body
        for att in doc.attachments:
            assert att.href.replace("&", "&amp;").encode() in page
            reply = get(site, att.path)
            assert reply.status == 200 and reply.body.startswith(magic[att.kind]), att.path
            seen.add((doc.layout, att.kind))
    assert {layout for layout, _ in seen} == {HANWEB, TRS}
    assert {kind for _, kind in seen} == set(magic)
    missing = get(site, "/module/download/downfile.jsp?classid=0&filename=nothing.pdf")
    assert missing.status == 200 and missing.body.startswith(b"<!DOCTYPE html"), (
        "HTML served in place of a file"
    )


def test_unknown_paths_robots_and_search(site: DemoSite) -> None:
    missing = get(site, "/art/2099/1/1/art_1_1.html")
    assert missing.status == 404 and "页面不存在" in missing.body.decode("utf-8")
    assert get(site, "/no/such/thing").status == 404
    robots = Protego.parse(get(site, "/robots.txt").body.decode("utf-8"))
    assert not robots.can_fetch("/module/search/index.jsp?searchWord=x", "gongkai")
    assert all(robots.can_fetch(p, "gongkai") for p in [*site.seed_paths, site.documents[0].path])
    search = get(site, "/module/search/index.jsp?" + urlencode({"searchWord": "公安"}))
    assert search.status == 200 and "公安" in search.body.decode("utf-8")
    assert site.respond("DELETE", "/", {}).status == 405


def test_every_response_has_validators(site: DemoSite) -> None:
    paths = ["/", "/robots.txt", "/nope", *site.seed_paths, site.documents[0].path]
    for path in paths:
        reply = get(site, path)
        assert reply.header("ETag") and reply.header("Last-Modified"), path
        assert reply.header("Content-Length") == str(len(reply.body))
