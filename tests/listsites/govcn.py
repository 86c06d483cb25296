"""The State Council policy library's JSON search (docs/SITES.md 3.4): `/search-gov/data?t=zhengcelibrary_gw&p=N&n=20`.

Traps: asking for more than 50 rows, or an unknown library, answers `{"code": 1001, "searchVO": null}` with
status 200; a page past `totalpage` answers an empty `listVO`. Articles are Template A pages (`table.bd1`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from demosite.site import DemoResponse
from listsites.base import ERROR_PAGE, ListSite, esc, html_response, json_response
from listsites.corpus import Doc, in_category, make_docs, page_html, scaled

PER_PAGE = 20
SEARCH = "/search-gov/data"
# category -> (query of the seed, size)
LIBRARIES = {"gw-国发": ("t=zhengcelibrary_gw&pcodeJiguan=国发", 100), "gw-国办发": ("t=zhengcelibrary_gw&pcodeJiguan=国办发", 107),
             "bm": ("t=zhengcelibrary_bm", 110)}  # fmt: skip
BEIJING = timezone(timedelta(hours=8))


def epoch_ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(hour=15, tzinfo=BEIJING).timestamp() * 1000)


def category_of(query: Mapping[str, str]) -> str | None:
    if query.get("t") == "zhengcelibrary_bm":
        return "bm"
    if query.get("t") == "zhengcelibrary_gw" and query.get("pcodeJiguan") in ("国发", "国办发"):
        return f"gw-{query['pcodeJiguan']}"
    return None


class GovcnLibrarySite(ListSite):
    name = "govcn_library"
    page_param = "p"

    def __init__(
        self, faults: Mapping[tuple[str, int], str] | None = None, scale: float = 1.0, seed: int = 22
    ) -> None:
        super().__init__(
            make_docs(seed, scaled({k: v[1] for k, v in LIBRARIES.items()}, scale), index_prefix="000014349"),
            faults,
        )
        numbers: dict[tuple[str, str], int] = {}
        for doc in sorted(self.docs, key=lambda d: d.key):  # the State Council's own 文号 name the issuer
            if doc.categories[0].startswith("gw-"):
                issuer, year = doc.categories[0][3:], doc.written[:4]
                numbers[(issuer, year)] = number = numbers.get((issuer, year), 0) + 1
                doc.doc_no = f"{issuer}〔{year}〕{number}号"
                doc.agency = "国务院" if issuer == "国发" else "国务院办公厅"

    def article_path(self, doc: Doc) -> str:
        return f"/zhengce/content/{doc.published[:7].replace('-', '')}/content_{5580000 + doc.key}.htm"

    def last_page(self, category: str) -> int:
        return max(1, math.ceil(len(in_category(self.docs, category)) / PER_PAGE))

    def list_request(self, path_qs: str) -> tuple[str, int] | None:
        from urllib.parse import parse_qsl

        path, _, qs = path_qs.partition("?")
        if path != SEARCH:
            return None
        query = dict(parse_qsl(qs))
        return category_of(query) or "?", int(query["p"]) if query.get("p", "").isdigit() else 1

    def seeds(self, base: str) -> list[str]:
        return [
            f"{base}{SEARCH}?{quote(q, safe='=&')}&q=&sort=pubtime&n={PER_PAGE}"
            for q, _ in LIBRARIES.values()
        ]

    def route(self, path: str, query: dict[str, str], headers: Mapping[str, str]) -> DemoResponse | None:
        if path != SEARCH:
            return None
        category = category_of(query)
        size = int(query["n"]) if query.get("n", "").isdigit() else PER_PAGE
        if category is None or size > 50:
            return json_response({"code": 1001, "msg": "参数错误", "searchVO": None})
        page = int(query["p"]) if query.get("p", "").isdigit() else 1
        fault = self.fault(category, page)
        if fault == "html":
            return html_response(ERROR_PAGE)
        if fault == "error":
            return json_response({"code": 1002, "msg": "系统繁忙，请稍后再试", "searchVO": None})
        docs = in_category(self.docs, category)
        base = "http://" + next((v for k, v in headers.items() if k.lower() == "host"), "")
        chunk = docs[(page - 1) * size : page * size]
        rows = [self.row(d, base) for d in chunk]
        vo = {"totalpage": math.ceil(len(docs) / size), "totalCount": len(docs), "listVO": rows}
        return json_response({"code": 200, "msg": "操作成功", "searchVO": vo}, cut=fault == "cut")

    def row(self, doc: Doc, base: str) -> dict[str, object]:
        return {
            "title": doc.title,
            "url": base + self.article_path(doc),
            "pcode": doc.doc_no,
            "puborg": doc.agency,
            "pubtime": epoch_ms(doc.published),
            "ptime": epoch_ms(doc.written),
            "index": doc.index_no,
            "childtype": doc.topic,
            "summary": doc.paragraphs[0][:60],
        }

    def article(self, doc: Doc, base: str) -> str:
        def cell(label: str, value: str) -> str:
            return f"<td><b>{label}：</b></td><td>{esc(value)}</td>"

        rows = [cell("索 引 号", doc.index_no) + cell("主题分类", doc.topic)]
        rows.append(
            cell("发文机关", doc.shown_agency)
            + cell("成文日期", doc.written.replace("-", "年", 1).replace("-", "月") + "日")
        )
        rows.append(cell("标\u3000\u3000题", doc.title))
        number = "" if doc.page_lacks_doc_no else cell("发文字号", doc.doc_no)
        rows.append(number + cell("发布日期", doc.published.replace("-", "年", 1).replace("-", "月") + "日"))
        block = '<table class="bd1">' + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"
        return page_html(doc.title, block, f'<div id="UCAP-CONTENT">{doc.body_html()}</div>')
