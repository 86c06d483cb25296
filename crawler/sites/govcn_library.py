"""The State Council policy library's JSON search (docs/SITES.md 3.4): the full 政策文件库 of www.gov.cn.

`/search-gov/data?t=zhengcelibrary_gw` (国务院公文) or `t=zhengcelibrary_bm` (部门文件), paged by `p` (from 1)
and `n`, answers `{"code": 200, "searchVO": {"listVO": [...], "totalpage": N}}`; each row has `title`, `url`,
`pcode` (文号), `puborg`, `pubtime` (epoch ms) and often `index` (索引号), `ptime` (成文日期) and `childtype`
(主题分类), mapped like gkmlpt's. An error is a 200 answer with another `code` and no `searchVO`: a recorded
failure. The documents live on www.gov.cn, another host than the API's: give both hosts to the crawl.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from crawler.sites import listapi
from crawler.sites.common import Candidate, Page, Request, attachment_name, unique
from crawler.urls import canonicalize

NAME = "govcn_library"
PAGING_PARAMS = frozenset({"p"})
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = ()
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = (re.compile(r"/search-gov/data$"),)


def _is_api(url: str) -> bool:
    return any(p.search(urlsplit(url).path) for p in ENDPOINT_PATTERNS)


def detect(text: str, url: str) -> bool:
    return _is_api(url) or ('"searchVO"' in text and '"listVO"' in text)


def _answer(page: Page) -> tuple[dict[str, Any] | None, str | None]:
    data, problem = listapi.load_json(page.text)
    if problem:
        return None, problem
    if not isinstance(data, dict):
        return None, "unexpected_json"
    code = listapi.as_int(data.get("code"))
    vo = data.get("searchVO")
    if code not in (None, 200) or not isinstance(vo, dict):
        return None, "api_error"
    if not isinstance(vo.get("listVO"), list):
        return None, "unexpected_json"
    return vo, None


def problem(page: Page) -> str | None:
    return _answer(page)[1] if _is_api(page.url) else None


def row_fields(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return listapi.fields_of(
        {
            "title": listapi.text_of(row.get("title")),
            "doc_no": listapi.text_of(row.get("pcode")),
            "agency": listapi.text_of(row.get("puborg")),
            "publish_date": listapi.date_of(row.get("pubtime")),
            "written_date": listapi.date_of(row.get("ptime")),
            "index_no": listapi.text_of(row.get("index")),
            "topic": listapi.text_of(row.get("childtype")),
        }
    )


def parse_list(page: Page) -> list[Candidate]:
    vo, _ = _answer(page) if _is_api(page.url) else (None, None)
    if vo is None:
        return []
    found = []
    for row in listapi.iter_dicts(vo.get("listVO")):
        url = canonicalize(str(row.get("url") or ""), page.url)
        if url is None:
            continue
        fields = row_fields(row)
        kind = "attachment" if attachment_name(url) else "document"
        found.append(
            Candidate(
                url,
                dict(fields).get("title"),
                dict(fields).get("publish_date"),
                kind,
                fields,
                listapi.item_json(row),
            )
        )
    return unique(found)


def next_requests(page: Page) -> list[Request]:
    vo, _ = _answer(page) if _is_api(page.url) else (None, None)
    number = listapi.as_int(listapi.query_of(page.url).get("p")) or 1
    if vo is None or number != 1:
        return []
    rows = len(listapi.iter_dicts(vo.get("listVO")))
    if rows == 0:
        return []
    pages = listapi.as_int(vo.get("totalpage"))
    last = listapi.page_count(listapi.as_int(vo.get("totalCount")), rows, pages)
    return listapi.later_pages(page.url, "p", 1, last)
