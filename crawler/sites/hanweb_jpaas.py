"""Hanweb JPaaS columns: `unitbuild.js` with a `queryData`, paged through the unit API's JSON (SITES.md 3.2).

The unit API answers JSON whose `data.html` holds `<li><a title href>` items and a pager with `count`, `rows` and
`pageNo`. Pages are asked for one after another so the crawl loop can compare each with the previous one: an
identical page means the server ignored `pageNo` (seen from abroad), which is an error, not the end.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.sites.common import Candidate, Page, Request, anchors, is_article_url, unique

NAME = "hanweb_jpaas"
PAGING_PARAMS = frozenset({"pageNo"})
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
    found = anchors(fragment, page.url)
    return unique([c for c in found if is_article_url(c.url) or c.kind == "attachment"])


def next_requests(page: Page) -> list[Request]:
    if _is_unit_reply(page.url):
        fragment = unit_html(page.text)
        if fragment is None:
            return []
        pager = {m.group(1): int(m.group(2)) for m in _PAGER.finditer(fragment)}
        params = dict(parse_qsl(urlsplit(page.url).query))
        page_no = int(params.get("pageNo", "1") or 1)
        rows = pager.get("rows") or int(params.get("rows", DEFAULT_ROWS) or DEFAULT_ROWS)
        count = pager.get("count")
        if count is None or not parse_list(page):
            return []  # an empty page ends the list
        if page_no >= math.ceil(count / max(rows, 1)):
            return []
        params["pageNo"] = str(page_no + 1)
        parts = urlsplit(page.url)
        return [Request(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), "")), "api")]
    data = query_data(page.text)
    if data is None:
        return []
    unit = _UNIT_URL.search(page.text)
    endpoint = urljoin(page.url, unit.group(1) if unit else DEFAULT_UNIT_API)
    parts = urlsplit(endpoint)
    params = {**data, "pageNo": "1", "rows": str(DEFAULT_ROWS)}
    return [Request(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), "")), "api")]
