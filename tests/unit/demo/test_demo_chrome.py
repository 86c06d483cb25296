"""The demo pages carry the furniture of real disclosure pages (so sizes, revisit costs and parsing are realistic)
without leaving the site, without metadata labels outside the block, and without words that steer the crawler's
list adapters."""

from __future__ import annotations

import re
import statistics
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from demo_walk import get

from demosite import DemoSite, chrome
from demosite.docs import COLUMNS, HANWEB, TRS

# Labels a header-block parser looks for; furniture must not offer it any.
LABELS = ("索引号", "发布机构", "成文日期", "发文字号", "文号", "主题分类", "分类", "公开方式", "信息来源", "来源",
          "发布日期", "发布时间", "名称", "标题", "关键词", "主题词", "有效性", "统一编号")  # fmt: skip
# Words the crawler's jpage/TRS adapters key on: only the layouts' own list markup may contain them.
ADAPTER_WORDS = re.compile(
    r"dataproxy|datastore|createPage|TRS_|totalRecord|perPage|\bcolumnid\b|\bunitid\b|\bwebid\b|\bcol\s*[:=]|"
    r"document\.cookie|unitbuild|jpaas",
    re.I,
)


def _pages(site: DemoSite) -> dict[str, str]:
    """Path -> decoded HTML of one page of every kind."""
    hanweb_doc = next(d for d in site.live_documents if d.layout == HANWEB)
    trs_doc = next(d for d in site.live_documents if d.layout == TRS)
    paths = ["/", "/module/search/index.jsp?searchWord=x", hanweb_doc.path, trs_doc.path]
    paths += [c.path for c in COLUMNS] + ["/xxgk/zcwj/index_1.html"]
    out = {}
    for path in paths:
        body = get(site, path).body
        out[path] = body.decode("gbk" if path.startswith("/xxgk/") else "utf-8")
    return out


def _furniture(layout: str, up: str) -> str:
    return "\n".join(
        (
            chrome.head_assets(layout, up),
            chrome.header(layout, up),
            chrome.sidebar(layout, COLUMNS[0].name, up),
            chrome.footer(layout),
            chrome.tail_scripts(layout),
        )
    )


@pytest.mark.parametrize("layout", [HANWEB, TRS])
def test_articles_and_lists_have_the_furniture_of_real_pages(site: DemoSite, layout: str) -> None:
    doc = next(d for d in site.live_documents if d.layout == layout)
    for path, col in ((doc.path, doc.column), (doc.column.path, doc.column)):
        raw = get(site, path).body
        soup = BeautifulSoup(raw, "lxml", from_encoding="utf-8" if layout == HANWEB else "gbk")
        text = soup.get_text()
        words = ("无障碍", "长者模式", "繁體", "网站地图", "联系我们", "相关链接", "主办：", "承办：", "网站标识码",
                 "ICP备", "公网安备")  # fmt: skip
        assert [word for word in words if word not in text] == []
        assert soup.find("img", alt="政府网站找错") is not None
        assert soup.find("form", action="/module/search/index.jsp") is not None
        menus = soup.select("#nav li.nav-item")
        assert len(menus) >= 10
        assert all(6 <= len(m.select(".sub-nav li")) <= 12 for m in menus[1:])
        tree = [a.get_text() for a in soup.select("a.tree-a")]
        assert tree == ["信息公开指南", "信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开"]
        assert len(soup.select(".tree-sub li")) >= 20
        assert [li.get_text() for li in soup.select(".tree-sub li.on")] == [col.name]
        assert (
            len(soup.select("select.link-select")) >= 4
            and len(soup.select("select.link-select option")) >= 40
        )
        assert soup.select("style") and len(soup.select("script[src]")) >= 3
        assert len([s for s in soup.select("script") if not s.get("src") and s.string]) >= 3
        assert "ColumnName" in {m.get("name") for m in soup.find_all("meta")}


def test_nothing_leaves_the_site_and_every_followable_link_answers(site: DemoSite) -> None:
    for path, html in _pages(site).items():
        hosts = set(re.findall(r"(?:https?:)?//([\w.-]+\.[a-z]{2,})", html, re.I)) - {"www.w3.org"}
        assert not hosts, (path, hosts)
        soup = BeautifulSoup(html, "lxml")
        assert {str(option.get("value")) for option in soup.find_all("option")} <= {"", "#"}
        for tag in soup.find_all(["a", "link", "script", "img", "form"]):
            for attr in ("href", "src", "action"):
                value = str(tag.get(attr) or "")
                if not value or value.startswith(("javascript:", "#")):
                    continue
                target = urlsplit(urljoin("http://demo" + path, value))
                assert target.netloc == "demo", (path, value)
                # Links a crawler follows (not /module/ endpoints, not assets) must answer.
                if tag.name == "a" and not target.path.startswith("/module/"):
                    full = target.path + ("?" + target.query if target.query else "")
                    assert get(site, full).status == 200, (path, value)


@pytest.mark.parametrize(("layout", "up"), [(HANWEB, ""), (TRS, "../"), (TRS, "../../")])
def test_furniture_offers_no_labels_and_no_adapter_words(layout: str, up: str) -> None:
    furniture = _furniture(layout, up)
    visible = BeautifulSoup(furniture, "lxml").get_text()
    assert [label for label in LABELS if label in visible] == []
    found = ADAPTER_WORDS.findall(furniture)
    # A TRS page may style its own editor; on a Hanweb page (and the home page) the marker would mislead.
    assert [word for word in found if not (layout == TRS and word == "TRS_")] == []
    furniture.encode("gbk")


def test_hanweb_article_has_no_metadata_labels_outside_its_block(site: DemoSite) -> None:
    doc = next(d for d in site.live_documents if d.layout == HANWEB)
    soup = BeautifulSoup(get(site, doc.path).body, "lxml")
    for keep in soup.select("table.xxgk, div.small-title, div#zoom, div.article-source, script, style"):
        keep.decompose()
    rest = soup.get_text()
    assert [label for label in LABELS if label in rest] == []


def test_pages_weigh_like_real_ones_and_layouts_differ(site: DemoSite) -> None:
    sizes = {
        layout: [len(get(site, d.path).body) for d in site.live_documents if d.layout == layout]
        for layout in (HANWEB, TRS)
    }
    means = {layout: statistics.mean(values) for layout, values in sizes.items()}
    assert all(25_000 <= mean <= 50_000 for mean in means.values()), means
    assert abs(means[HANWEB] - means[TRS]) > 2_000
    lists = [len(get(site, c.path).body) for c in COLUMNS]
    assert min(lists) >= 25_000
    assert get(site, "/nope").body.count(b"<li") < 20, "error pages stay light"
