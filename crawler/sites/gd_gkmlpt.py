"""Guangdong's 政府信息公开目录管理平台 (gkmlpt, docs/SITES.md 3.5): every city and district of the province.

`/gkmlpt/index` carries `window._CONFIG` with the site id `SID` and the category tree `TREE` (not always strict
JSON). Each leaf category is listed by `/gkmlpt/api/all/<id>?page=N&sid=SID`, whose JSON says `classify.post_count`
and gives `articles[]` with more metadata than the article page shows: those fields go with each candidate and are
kept beside the article's capture. Pages 0 and 1 are the same page, so the walk starts at 1; every later page is
asked for from page 1's count, so nothing is requested past the last page (a deep page may be empty or a 404).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.sites import listapi
from crawler.sites.common import Candidate, Page, Request, unique
from crawler.urls import canonicalize

NAME = "gd_gkmlpt"
PAGING_PARAMS = frozenset({"page"})
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = (re.compile(r"/gkmlpt/content/\d+/\d+/m?post_\d+\.html$"),)
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = (re.compile(r"/gkmlpt/api/all/\d+$"),)

_CONFIG = re.compile(r"window\._CONFIG\s*=\s*")
_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_TREE = re.compile(r"""\bTREE\s*[:=]\s*(?=\[)""")
_API = re.compile(r"/gkmlpt/api/all/(\d+)$")


def detect(text: str, url: str) -> bool:
    path = urlsplit(url).path
    return (
        _is_api(url)
        or path.rstrip("/").endswith("/gkmlpt/index")
        or bool(_CONFIG.search(text) and _TREE.search(text))
    )


def _is_api(url: str) -> bool:
    return bool(_API.search(urlsplit(url).path))


def _answer(page: Page) -> tuple[dict[str, Any] | None, str | None]:
    data, problem = listapi.load_json(page.text)
    if problem:
        return None, problem
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        return None, "unexpected_json"
    return data, None


def problem(page: Page) -> str | None:
    return _answer(page)[1] if _is_api(page.url) else None


def leaf_categories(tree: Any) -> list[int]:
    """Ids of the categories without children, in tree order (a parent's list repeats its children's)."""
    found: list[int] = []
    for node in listapi.iter_dicts(tree):
        children = node.get("children")
        if isinstance(children, list) and children:
            found += leaf_categories(children)
        elif (ident := listapi.as_int(node.get("id"))) is not None:
            found.append(ident)
    return found


def site_config(text: str) -> tuple[str | None, list[int]]:
    """(SID, leaf category ids) from the index page's `window._CONFIG`."""
    sid = _SID.search(text)
    tree = _TREE.search(text)
    categories = leaf_categories(listapi.js_object(text, tree.end())) if tree else []
    return (sid.group(1) if sid else None), categories


def article_fields(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    validity = "废止" if item.get("is_abolished") else "失效" if item.get("is_expired") else None
    return listapi.fields_of(
        {
            "title": listapi.text_of(item.get("title")),
            "index_no": listapi.text_of(item.get("identifier")),
            "doc_no": listapi.text_of(item.get("document_number")),
            "agency": listapi.text_of(item.get("publisher")),
            "written_date": listapi.date_of(item.get("date")),
            "publish_date": listapi.date_of(item.get("display_publish_time") or item.get("created_at")),
            "topic": listapi.text_of(item.get("classify_theme_name")),
            "validity": validity,
        }
    )


def parse_list(page: Page) -> list[Candidate]:
    if not _is_api(page.url):
        return []
    data, _ = _answer(page)
    if data is None:
        return []
    found = []
    for item in listapi.iter_dicts(data.get("articles")):
        url = canonicalize(str(item.get("url") or ""), page.url)
        if url is None:
            continue
        fields = article_fields(item)
        title = dict(fields).get("title")
        found.append(
            Candidate(
                url=url,
                title=title,
                date_hint=dict(fields).get("publish_date"),
                kind="document",
                fields=fields,
                item=listapi.item_json(item),
            )
        )
    return unique(found)


def next_requests(page: Page) -> list[Request]:
    if not _is_api(page.url):
        sid, categories = site_config(page.text)
        if sid is None:
            return []
        return [
            Request(urljoin(page.url, f"/gkmlpt/api/all/{c}?page=1&sid={sid}"), "api") for c in categories
        ]
    data, _ = _answer(page)
    number = listapi.as_int(listapi.query_of(page.url).get("page")) or 1
    if data is None or number != 1:
        return []  # later pages were all asked for from page 1
    classify = data.get("classify")
    total = listapi.as_int(classify.get("post_count")) if isinstance(classify, dict) else None
    articles = len(listapi.iter_dicts(data.get("articles")))
    return listapi.later_pages(page.url, "page", 1, listapi.page_count(total, articles))
