"""The Hanweb 信息公开目录 module (docs/SITES.md 3.6): column pages with a form, `/module/xxgk/search.jsp` fragments.

Traps: the module wants the JSESSIONID its column page set (without it: an HTML "session expired" page with 200);
each fragment carries a hot list of other articles (no `mc`), which are not the column's documents; a page past
the end answers an empty table with the pager.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from demosite.site import DemoResponse
from listsites.base import ERROR_PAGE, ListSite, esc, html_response
from listsites.corpus import Doc, block_rows, in_category, make_docs, page_html, scaled

PER_PAGE = 15
COLUMNS = {"1229106541": ("A0101", "规范性文件", 110), "1229106542": ("A0102", "部门文件", 104),
           "1229106543": ("A0103", "规划计划", 96)}  # fmt: skip
INFOTYPES = {v[0]: k for k, v in COLUMNS.items()}
WEBID = "3003"
SESSION = "JSESSIONID=7F3A9C0D2B1E4F5A6C7D8E9F0A1B2C3D"
HOT = [f"/art/2020/5/{n}/art_1229000001_{880000 + n}.html" for n in range(1, 6)]  # never this column's
_COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")


class XxgkSite(ListSite):
    name = "hanweb_xxgk"
    portals = ("/xxgk/index.html", "/")
    page_param = "currpage"

    def __init__(
        self, faults: Mapping[tuple[str, int], str] | None = None, scale: float = 1.0, seed: int = 19
    ) -> None:
        super().__init__(
            make_docs(seed, scaled({k: v[2] for k, v in COLUMNS.items()}, scale), index_prefix="002482014"),
            faults,
        )

    def article_path(self, doc: Doc) -> str:
        year, month, day = (int(x) for x in doc.published.split("-"))
        return f"/art/{year}/{month}/{day}/art_{doc.categories[0]}_{2200000 + doc.key}.html"

    def last_page(self, category: str) -> int:
        return max(1, math.ceil(len(in_category(self.docs, category)) / PER_PAGE))

    def list_request(self, path_qs: str) -> tuple[str, int] | None:
        path, _, qs = path_qs.partition("?")
        if path != "/module/xxgk/search.jsp":
            return None
        infotype = re.search(r"(?:^|&)infotypeId=(\w+)", qs)
        page = re.search(r"(?:^|&)currpage=(\d+)", qs)
        column = INFOTYPES.get(infotype.group(1) if infotype else "", "?")
        return column, int(page.group(1)) if page else 1

    def seeds(self, base: str) -> list[str]:
        return [base + "/xxgk/index.html"]

    def route(self, path: str, query: dict[str, str], headers: Mapping[str, str]) -> DemoResponse | None:
        if path in ("/xxgk/index.html", "/xxgk/", "/"):
            links = "".join(
                f'<li><a href="/col/col{c}/index.html">{v[1]}</a></li>' for c, v in COLUMNS.items()
            )
            return html_response(page_html("信息公开目录", f"<ul class='tree'>{links}</ul>", ""))
        column = _COLUMN.match(path)
        if column and column.group(1) in COLUMNS:
            cookie = [("Set-Cookie", f"{SESSION}; Path=/; HttpOnly")]
            return html_response(self.column_page(column.group(1)), extra=cookie)
        if path in HOT:
            return html_response(page_html("热点", "<p>热点信息</p>", "<p>这篇文章不属于目录。</p>"))
        if path != "/module/xxgk/search.jsp":
            return None
        cookies = next((v for k, v in headers.items() if k.lower() == "cookie"), "")
        if SESSION not in cookies:
            return html_response(
                "<html><body><script>alert('会话已过期，请刷新页面');</script></body></html>"
            )
        col = INFOTYPES.get(query.get("infotypeId", ""))
        if col is None or query.get("webid") != WEBID:
            return html_response("<div class='xxgk_list'><table></table>共 <b>0</b> 条 共 <b>0</b> 页</div>")
        page = int(query["currpage"]) if query.get("currpage", "").isdigit() else 1
        if self.fault(col, page) == "html":
            return html_response(ERROR_PAGE)
        return html_response(self.fragment(col, page))

    def column_page(self, column: str) -> str:
        infotype, name, _ = COLUMNS[column]
        form = (
            f'<form id="xxgkform" action="/module/xxgk/search.jsp" method="post">'
            f'<input type="hidden" name="infotypeId" value="{infotype}"><input type="hidden" name="divid" '
            f'value="div{column}"><input type="hidden" name="webid" value="{WEBID}"><input type="hidden" '
            f'name="area" value="002482014"><input type="hidden" name="standardXxgk" value="1"></form>'
        )
        script = "<script>$(function(){ xxgkSearch('xxgkform', 1); });</script>"
        return page_html(name, f'<h2>{name}</h2>{form}<div id="div{column}">加载中……</div>{script}', "")

    def fragment(self, column: str, page: int) -> str:
        docs = in_category(self.docs, column)
        chunk = docs[(page - 1) * PER_PAGE : page * PER_PAGE]
        rows = "".join(
            f'<tr><td><a href="{self.article_path(d)}" target="_blank" mc="{esc(d.title)}" rq="{d.published}"'
            f' wh="{esc(d.doc_no)}">{esc(d.title[:24])}…</a></td><td>{d.published}</td></tr>'
            for d in chunk
        )
        hot = "".join(f'<li><a href="{h}" target="_blank">热点信息{i}</a></li>' for i, h in enumerate(HOT))
        pages = math.ceil(len(docs) / PER_PAGE)
        pager = f'<div class="page">共 <b>{len(docs)}</b> 条 共 <b>{pages}</b> 页 当前第 {page} 页'
        pager += (
            f' <a href="javascript:void(0)" onclick="xxgkSearch(\'xxgkform\', {page + 1})">下一页</a></div>'
        )
        return f'<div class="xxgk_list"><table>{rows}</table>{pager}</div><ul class="hot">{hot}</ul>'

    def article(self, doc: Doc, base: str) -> str:
        pairs = [("索引号", doc.index_no), ("公开方式", "主动公开"), ("发布机构", doc.shown_agency)]
        pairs += [("成文日期", doc.written), ("主题分类", doc.topic)]
        if not doc.page_lacks_doc_no:
            pairs.append(("发文字号", doc.doc_no))
        block = f'<table class="xxgk">{block_rows(pairs, label_tag="td")}</table><h1>{esc(doc.title)}</h1>'
        block += f"<p>发布日期：{doc.published} 10:30</p>"
        return page_html(doc.title, block, f'<div id="zoom">{doc.body_html()}</div>')
