"""Guangdong gkmlpt (docs/SITES.md 3.5): `/gkmlpt/index` with `window._CONFIG`, `/gkmlpt/api/all/<id>?page=N&sid=`.

Traps: the config is not strict JSON; pages 0 and 1 answer the same; a page past the end answers an empty
`articles` list (with the same count); a wrong `sid` gets a JSON error body with status 200.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from demosite.site import DemoResponse
from listsites.base import ERROR_PAGE, ListSite, base_of, esc, html_response, json_response
from listsites.corpus import Doc, block_rows, in_category, make_docs, page_html, scaled

SID = "755001"
PER_PAGE = 100
# category id -> (name, size); 2581 is a parent whose children are listed, never itself
LEAVES = {
    "2582": ("本级政策文件", 100),
    "2583": ("部门文件", 121),
    "2590": ("规划信息", 59),
    "2600": ("财政信息", 50),
}
TREE_JS = (
    "[{id: 2581, name: '政策文件', children: [{id: 2582, name: '本级政策文件', children: []},"
    " {id: 2583, name: '部门文件', children: []},]}, {id: 2590, name: '规划信息', children: []},"
    " {id: 2600, name: '财政信息'}]"
)
_API = re.compile(r"^/gkmlpt/api/all/(\d+)$")
BEIJING = timezone(timedelta(hours=8))


def epoch(day: str, hour: int = 9) -> int:
    return int(datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING).timestamp())


class GkmlptSite(ListSite):
    name = "gd_gkmlpt"

    def __init__(
        self, faults: Mapping[tuple[str, int], str] | None = None, scale: float = 1.0, seed: int = 18
    ) -> None:
        docs = make_docs(
            seed, scaled({k: v[1] for k, v in LEAVES.items()}, scale), cross=12, index_prefix="007482001"
        )
        super().__init__(docs, faults)

    def article_path(self, doc: Doc) -> str:
        return f"/gkmlpt/content/{doc.key // 1000}/{doc.key % 1000}/post_{400000 + doc.key}.html"

    def last_page(self, category: str) -> int:
        return max(1, math.ceil(len(in_category(self.docs, category)) / PER_PAGE))

    def list_request(self, path_qs: str) -> tuple[str, int] | None:
        path, _, qs = path_qs.partition("?")
        match = _API.match(path)
        if not match:
            return None
        page = re.search(r"(?:^|&)page=(\d+)", qs)
        return match.group(1), int(page.group(1)) if page else 0

    def seeds(self, base: str) -> list[str]:
        return [base + "/gkmlpt/index"]

    def route(self, path: str, query: dict[str, str], headers: Mapping[str, str]) -> DemoResponse | None:
        if path in ("/gkmlpt/index", "/gkmlpt/index.html"):
            return html_response(self.index_page())
        match = _API.match(path)
        if match is None:
            return None
        if query.get("sid") != SID:
            return json_response({"code": 40001, "message": "站点不存在", "data": None})
        category = match.group(1)
        if category not in LEAVES and category != "2581":
            return json_response({"code": 40004, "message": "栏目不存在", "data": None})
        raw = query.get("page") or "0"
        page = max(1, int(raw)) if raw.isdigit() else 1  # page 0 is page 1
        fault = self.fault(category, page)
        if fault == "html":
            return html_response(ERROR_PAGE)
        docs = in_category(self.docs, category) if category in LEAVES else []
        chunk = docs[(page - 1) * PER_PAGE : page * PER_PAGE]  # past the end: empty, same count
        name = LEAVES.get(category, ("政策文件", 0))[0]
        data = {
            "classify": {"id": int(category), "name": name, "post_count": len(docs)},
            "articles": [self.item(d, base_of(headers)) for d in chunk],
            "page": page,
        }
        return json_response(data, cut=fault == "cut")

    def item(self, doc: Doc, base: str) -> dict[str, object]:
        return {
            "id": 400000 + doc.key,
            "title": doc.title,
            "identifier": doc.index_no,
            "document_number": doc.doc_no,
            "publisher": doc.agency,
            "date": epoch(doc.written),
            "display_publish_time": epoch(doc.published, 10),
            "created_at": epoch(doc.published, 8),
            "classify_theme_name": doc.topic,
            "url": base + self.article_path(doc),
            "is_expired": 0,
            "is_abolished": 1 if doc.abolished else 0,
            "attachment": [],
        }

    def index_page(self) -> str:
        head = (
            f"<script>window._CONFIG = {{SID: '{SID}', DOMAIN: 'www.yunxi.gov.cn', TREE: {TREE_JS},"
            " PAGE_SIZE: 100}; </script>"
        )
        return page_html("政府信息公开目录", '<div id="app">正在加载……</div>', "", head=head)

    def article(self, doc: Doc, base: str) -> str:
        pairs = [("索引号", doc.index_no), ("分类", doc.topic), ("发布机构", doc.shown_agency)]
        pairs += [("成文日期", doc.written), ("名称", doc.title)]
        if not doc.page_lacks_doc_no:
            pairs.append(("文号", doc.doc_no))
        pairs += [("发布日期", doc.published), ("主题词", doc.topic)]
        detail = (
            f"<script>window._CONFIG = {{SID: '{SID}'}}; window._CONFIG.DETAIL = {{id: {400000 + doc.key},"
            f" title: '{esc(doc.title)}', publisher: '{esc(doc.agency)}'}};</script>"
        )
        block = f'<table class="xxgk-table">{block_rows(pairs)}</table><h1>{esc(doc.title)}</h1>'
        return page_html(
            doc.title, block, f'<div class="article-content">{doc.body_html()}</div>', head=detail
        )
