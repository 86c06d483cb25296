"""Hanweb JPaaS columns (docs/SITES.md 3.2): `unitbuild.js` + `queryData`, the unit API answering JSON with `data.html`.

Traps, as real servers behave: the page is read from `paramJson={"pageNo":n,"pageSize":"15"}` only, so a client
sending `pageNo` alone gets page 1 every time; `pageSize` is capped at 15; a page past the end answers an empty
list with the pager; an error is `{"success": false, ...}` with status 200.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping

from demosite.site import DemoResponse
from listsites.base import ERROR_PAGE, ListSite, esc, html_response, json_response
from listsites.corpus import Doc, block_rows, in_category, make_docs, page_html, scaled

CAP = 15
UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
COLUMNS = {"1229561101": ("通知公告", 120), "1229561102": ("政策解读", 101), "1229561103": ("规划信息", 105)}
WEBID = "3096"


def page_of(query: Mapping[str, str]) -> tuple[int, int]:
    """(page, size) as the server reads them: from paramJson only."""
    try:
        params = json.loads(query.get("paramJson") or "{}")
    except ValueError:
        params = {}
    page = int(params.get("pageNo") or 1) if str(params.get("pageNo") or "1").isdigit() else 1
    size = int(params.get("pageSize") or CAP) if str(params.get("pageSize") or "").isdigit() else CAP
    return max(1, page), max(1, min(size, CAP))


class JpaasSite(ListSite):
    name = "hanweb_jpaas"
    portals = ("/",)

    def __init__(
        self, faults: Mapping[tuple[str, int], str] | None = None, scale: float = 1.0, seed: int = 20
    ) -> None:
        super().__init__(
            make_docs(seed, scaled({k: v[1] for k, v in COLUMNS.items()}, scale), index_prefix="002482035"),
            faults,
        )

    def article_path(self, doc: Doc) -> str:
        digest = hashlib.md5(f"jpaas-{doc.key}".encode()).hexdigest()
        return f"/col/col{doc.categories[0]}/art/{doc.published[:4]}/art_{digest}.html"

    def last_page(self, category: str) -> int:
        return max(1, math.ceil(len(in_category(self.docs, category)) / CAP))

    def list_request(self, path_qs: str) -> tuple[str, int] | None:
        from urllib.parse import parse_qsl

        path, _, qs = path_qs.partition("?")
        if path != UNIT:
            return None
        query = dict(parse_qsl(qs))
        return query.get("pageId", "?"), page_of(query)[0]

    def seeds(self, base: str) -> list[str]:
        return [base + "/"]

    def route(self, path: str, query: dict[str, str], headers: Mapping[str, str]) -> DemoResponse | None:
        if path == "/":
            links = "".join(
                f'<li><a href="/col/col{c}/index.html">{v[0]}</a></li>' for c, v in COLUMNS.items()
            )
            return html_response(page_html("首页", f"<ul class='nav'>{links}</ul>", ""))
        for column in COLUMNS:
            if path == f"/col/col{column}/index.html":
                return html_response(self.column_page(column))
        if path != UNIT:
            return None
        column = query.get("pageId", "")
        if column not in COLUMNS or query.get("webId") != WEBID:
            return json_response({"success": False, "code": "400", "message": "参数错误", "traceId": "a1"})
        page, size = page_of(query)
        fault = self.fault(column, page)
        if fault == "html":
            return html_response(ERROR_PAGE)
        if fault == "error":
            return json_response({"success": False, "code": "500", "message": "系统繁忙", "traceId": "b2"})
        docs = in_category(self.docs, column)
        chunk = docs[(page - 1) * size : page * size]
        items = "".join(
            f'<li><a href="{self.article_path(d)}" title="{esc(d.title)}" target="_blank">{esc(d.title[:20])}…</a>'
            f"<span>{d.published}</span></li>"
            for d in chunk
        )
        pager = f'<div class="pagination" count="{len(docs)}" rows="{size}" pageNo="{page}" unitUrl="{UNIT}"></div>'
        data = {"html": f'<ul class="list">{items}</ul>{pager}', "unitId": column}
        return json_response({"success": True, "code": "200", "message": "操作成功", "traceId": "c3", "data": data},
                             cut=fault == "cut")  # fmt: skip

    def column_page(self, column: str) -> str:
        query = (
            f"{{'webId':'{WEBID}','pageId':'{column}','parseType':'bulidstatic','pageType':'column',"
            f"'tagId':'当前栏目list','tplSetId':'52','paramJson':''}}"
        )
        script = (
            f'<script src="/module/AuthorizedRead/unitbuild.js" url="{UNIT}" queryData="{query}"></script>'
        )
        return page_html(
            COLUMNS[column][0], f"<h2>{COLUMNS[column][0]}</h2><div id='unit'></div>{script}", ""
        )

    def article(self, doc: Doc, base: str) -> str:
        pairs = [("索引号", doc.index_no), ("组配分类", doc.topic), ("发布机构", doc.shown_agency)]
        pairs += [("生成日期", doc.written)]
        if not doc.page_lacks_doc_no:
            pairs.append(("文件编号", doc.doc_no))
        pairs.append(("有效性", "有效"))
        block = f'<table class="xxgktab">{block_rows(pairs, label_tag="td")}</table>'
        block += f'<p class="con-title">{esc(doc.title)}</p><div class="small-title">发布日期：{doc.published}</div>'
        return page_html(doc.title, block, f'<div id="zoom" class="main-txt">{doc.body_html()}</div>')
