"""TRS WAS5 search lists (docs/SITES.md 3.3): `/was5/web/search?channelid=…&page=N&perpage=20`, `<REC>` rows.

Two outline templates: tagged fields (`<TITLE><![CDATA[…]]></TITLE>`) and the older `<TITLE>=value` lines.
Traps: a page past the end repeats the last page (the search engine clamps `page`); a failed search answers an
HTML error page with 200.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from demosite.site import DemoResponse
from listsites.base import ERROR_PAGE, ListSite, esc, html_response, response
from listsites.corpus import Doc, in_category, make_docs, page_html, scaled

PER_PAGE = 20
CHANNELS = {"229105": ("xxgk/zcwj", 105, "tagged"), "229106": ("xxgk/bmwj", 100, "tagged"),
            "229107": ("xxgk/ghjh", 110, "lines")}  # fmt: skip
SEARCH = "/was5/web/search"


class Was5Site(ListSite):
    name = "trs_was5"

    def __init__(
        self, faults: Mapping[tuple[str, int], str] | None = None, scale: float = 1.0, seed: int = 21
    ) -> None:
        super().__init__(
            make_docs(seed, scaled({k: v[1] for k, v in CHANNELS.items()}, scale), index_prefix="003590001"),
            faults,
        )

    def article_path(self, doc: Doc) -> str:
        section = CHANNELS[doc.categories[0]][0]
        day = doc.published.replace("-", "")
        return f"/{section}/{day[:6]}/t{day}_{5100000 + doc.key}.html"

    def last_page(self, category: str) -> int:
        return max(1, math.ceil(len(in_category(self.docs, category)) / PER_PAGE))

    def list_request(self, path_qs: str) -> tuple[str, int] | None:
        path, _, qs = path_qs.partition("?")
        if path != SEARCH:
            return None
        channel = re.search(r"(?:^|&)channelid=(\d+)", qs)
        page = re.search(r"(?:^|&)page=(\d+)", qs)
        return (channel.group(1) if channel else "?"), int(page.group(1)) if page else 1

    def seeds(self, base: str) -> list[str]:
        return [f"{base}{SEARCH}?channelid={c}&perpage={PER_PAGE}&orderby=-DOCRELTIME" for c in CHANNELS]

    def route(self, path: str, query: dict[str, str], headers: Mapping[str, str]) -> DemoResponse | None:
        if path != SEARCH:
            return None
        channel = query.get("channelid", "")
        if channel not in CHANNELS:
            return html_response(ERROR_PAGE)
        docs = in_category(self.docs, channel)
        last = max(1, math.ceil(len(docs) / PER_PAGE))
        page = min(int(query["page"]) if query.get("page", "").isdigit() else 1, last)  # clamped: repeats
        if self.fault(channel, page) == "html":
            return html_response(ERROR_PAGE)
        base = "http://" + next((v for k, v in headers.items() if k.lower() == "host"), "")
        chunk = docs[(max(page, 1) - 1) * PER_PAGE : page * PER_PAGE]
        lines = CHANNELS[channel][2] == "lines"
        recs = "".join(self.rec(d, base, lines) for d in chunk)
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<RESULT><RECORDCOUNT>{len(docs)}</RECORDCOUNT>{recs}</RESULT>'
        return response(200, body.encode(), "text/xml; charset=UTF-8")

    def rec(self, doc: Doc, base: str, lines: bool) -> str:
        values = {
            "TITLE": doc.title,
            "URL": base + self.article_path(doc),
            "WH": doc.doc_no,
            "DOCRELTIME": f"{doc.published} 09:30:00",
            "FWDW": doc.agency,
            "SYH": doc.index_no,
        }
        if lines:
            return "\n<REC>\n" + "".join(f"<{k}>={v}\n" for k, v in values.items())
        return "<REC>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in values.items()) + "</REC>"

    def article(self, doc: Doc, base: str) -> str:
        items = [("索引号", doc.index_no), ("发布机构", doc.shown_agency)]
        if not doc.page_lacks_doc_no:
            items.append(("发文字号", doc.doc_no))
        items += [("成文日期", doc.written), ("发布日期", doc.published), ("主题分类", doc.topic)]
        block = '<div class="sub"><ul>' + "".join(f"<li>{k}：{esc(v)}</li>" for k, v in items) + "</ul></div>"
        block += f"<h2>{esc(doc.title)}</h2>"
        return page_html(doc.title, block, f'<div class="TRS_Editor">{doc.body_html()}</div>')
