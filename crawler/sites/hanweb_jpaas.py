"""Hanweb JPaaS columns: `unitbuild.js` with a `queryData`, paged through the unit API's JSON (docs/SITES.md 3.2).

The unit API answers JSON whose `data.html` holds `<li><a title href>` items and a pager with `count`, `rows` and
`pageNo`. Pages are asked for one after another so the crawl loop can compare each with the previous one: an
identical page means the server ignored `pageNo` (seen from abroad), which is an error, not the end. Real servers
read the page from `paramJson={"pageNo":n,"pageSize":"15"}` (without it every page is page 1); `pageNo` and `rows`
are sent too, for the deployments that read those.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.sites.common import Candidate, Page, Request, anchors, is_article_url, unique
from crawler.sites.listapi import fields_of

NAME = "hanweb_jpaas"
PAGING_PARAMS = frozenset({"pageNo", "paramJson"})
DEFAULT_UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DEFAULT_ROWS = 15
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html?$"),
)
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = (re.compile(r"/jpaas-publish-server/"),)

_QUERY_DATA = re.compile(r"""queryData\s*=\s*(["'])(\{.*?\})\1""", re.DOTALL)
_UNIT_URL = re.compile(r"""\burl\s*=\s*["']([^"']*jpaas-publish-server[^"']*)["']""")
_PAGER = re.compile(r"""\b(count|rows|pageNo)\s*[=:]\s*["']?(\d+)""")


def detect(text: str, url: str) -> bool:
    return "unitbuild.js" in text or "jpaas-publish-server" in text or "jpaas-publish-server" in url


def _is_unit_reply(url: str) -> bool:
    return "jpaas-publish-server" in url


def unit_html(text: str) -> str | None:
    """`data.html` of a unit API reply, or None when the reply is not the expected JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        return None
    fragment = data["data"].get("html")
    return fragment if isinstance(fragment, str) else None


def problem(page: Page) -> str | None:
    """A unit answer that is not the expected JSON (an HTML error page, cut JSON, `success: false`)."""
    if not _is_unit_reply(page.url):
        return None
    try:
        data = json.loads(page.text)
    except ValueError:
        return "not_json"
    if isinstance(data, dict) and data.get("success") is False:
        return "api_error"
    return None if unit_html(page.text) is not None else "unexpected_json"


def query_data(text: str) -> dict[str, str] | None:
    match = _QUERY_DATA.search(text)
    if not match:
        return None
    raw = match.group(2).replace("'", '"')
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def parse_list(page: Page) -> list[Candidate]:
    fragment = unit_html(page.text) if _is_unit_reply(page.url) else page.text
    if fragment is None:
        return []
    found = [c for c in anchors(fragment, page.url) if is_article_url(c.url) or c.kind == "attachment"]
    if _is_unit_reply(page.url):  # what the list says: the full title and the date
        found = [replace(c, fields=fields_of({"title": c.title, "publish_date": c.date_hint})) for c in found]
    return unique(found)


def param_json(page_no: int, rows: int) -> str:
    return json.dumps({"pageNo": page_no, "pageSize": str(rows)}, separators=(",", ":"))


def requested_page(params: dict[str, str]) -> int:
    """The page an answer is for: `paramJson`'s pageNo, else `pageNo`, else 1."""
    try:
        data = json.loads(params.get("paramJson") or "{}")
    except ValueError:
        data = {}
    value = data.get("pageNo") if isinstance(data, dict) else None
    for candidate in (value, params.get("pageNo"), 1):
        if str(candidate or "").isdigit():
            return int(str(candidate))
    return 1


def next_requests(page: Page) -> list[Request]:
    if _is_unit_reply(page.url):
        fragment = unit_html(page.text)
        if fragment is None:
            return []
        pager = {m.group(1): int(m.group(2)) for m in _PAGER.finditer(fragment)}
        params = dict(parse_qsl(urlsplit(page.url).query))
        page_no = requested_page(params)
        rows = pager.get("rows") or int(params.get("rows", DEFAULT_ROWS) or DEFAULT_ROWS)
        count = pager.get("count")
        if count is None or not parse_list(page):
            return []  # an empty page ends the list
        if page_no >= math.ceil(count / max(rows, 1)):
            return []
        params["pageNo"] = str(page_no + 1)
        params["paramJson"] = param_json(page_no + 1, rows)
        parts = urlsplit(page.url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
        return [Request(url, "api", announced=True)]
    data = query_data(page.text)
    if data is None:
        return []
    unit = _UNIT_URL.search(page.text)
    endpoint = urljoin(page.url, unit.group(1) if unit else DEFAULT_UNIT_API)
    parts = urlsplit(endpoint)
    params = {**data, "pageNo": "1", "rows": str(DEFAULT_ROWS), "paramJson": param_json(1, DEFAULT_ROWS)}
    return [Request(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), "")), "api")]
