"""Hanweb JCMS classic lists: records in an embedded `<datastore>`, further groups from `dataproxy.jsp`.

An HTML parser keeps `<script type="text/xml">` as raw text, so the records are read explicitly from their CDATA
(docs/SITES.md section 3.1). The ids the proxy needs (webid, unitid, columnid, totalRecord, perPage) are read from the
column page's jpage script; the proxy path too, with the common default when the page does not name it.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.sites.common import Candidate, Page, Request, anchors, is_article_url, unique
from crawler.urls import canonicalize

NAME = "hanweb_jpage"
PAGING_PARAMS = frozenset({"startrecord", "endrecord", "page"})
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
GROUP_PAGES = 3  # one proxy call answers three display pages
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$"),
)
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = (re.compile(r"/jpage/dataproxy\.jsp$"),)

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_PROXY = re.compile(r"""['"]?((?:/[\w.-]+)*/jpage/dataproxy\.jsp)""")
_PARAM = re.compile(
    r"""\b(totalRecord|perPage|perpage|groupSize|webid|unitid|columnid|webname|appid|col|sourceContentType|permissiontype)"""
    r"""\s*[:=]\s*['"]?([^'",;&\s}\)]*)""",
    re.IGNORECASE,
)
_COL = re.compile(r"/col/col(\d+)/")
_NEXT_GROUP = re.compile(
    r"<nextgroup>\s*(?:<!\[CDATA\[)?\s*(?:<a[^>]*href=['\"])?([^<>'\"\]]+)", re.IGNORECASE
)


def detect(text: str, url: str) -> bool:
    return "<datastore" in text or "dataproxy.jsp" in text or "dataproxy.jsp" in url


def records(text: str) -> list[str]:
    """The CDATA of every `<record>`, after undoing entity-encoded XML where a site escaped it."""
    if "&lt;record&gt;" in text and "<record>" not in text:
        text = html.unescape(text)
    return [m.group(1) for m in _RECORD.finditer(text)]


def problem(page: Page) -> str | None:
    """A proxy answer without a datastore is an error page, not an empty group."""
    if "dataproxy.jsp" in page.url and "<datastore" not in page.text and "&lt;datastore" not in page.text:
        return "not_datastore"
    return None


def parse_list(page: Page) -> list[Candidate]:
    found: list[Candidate] = []
    for record in records(page.text):
        found += anchors(record, page.url)
    if not found and "dataproxy.jsp" not in page.url:
        # a column that lists articles directly (the proxy returns nothing there)
        found = [c for c in anchors(page.text, page.url) if is_article_url(c.url) or c.kind == "attachment"]
    return unique([c for c in found if c.kind in ("document", "attachment")])


def jpage_params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _PARAM.finditer(text):
        key = match.group(1)
        key = "perpage" if key.lower() == "perpage" else key
        params.setdefault(key, match.group(2))
    return params


def next_group(page: Page) -> list[Request]:
    """The `<nextgroup>` URL, for pages that do not say totalRecord (encrypted ids stay opaque but work)."""
    match = _NEXT_GROUP.search(page.text)
    if not match:
        return []
    url = canonicalize(html.unescape(match.group(1).strip()), page.url)
    return [Request(url=url, kind="api")] if url and url != page.url else []


def rest_of_group(page: Page) -> list[Request]:
    """The display pages a group answer left out. Some proxies ignore `startrecord` and answer page `page` only
    (their `perpage` capped at one display page): the rest of the group is then asked for page by page, never
    past `totalRecord` (carried in the request for this)."""
    query = dict(parse_qsl(urlsplit(page.url).query))
    got = len(records(page.text))
    try:
        start, end, total = (int(query[k]) for k in ("startrecord", "endrecord", "totalRecord"))
    except (KeyError, ValueError):
        return []
    last = min(end, total)
    if got == 0 or start + got > last or got >= end - start + 1:
        return []
    requests = []
    for first in range(start + got, last + 1, got):
        query.update(
            startrecord=str(first),
            endrecord=str(min(first + got - 1, end)),
            perpage=str(got),
            page=str((first - 1) // got + 1),
        )
        url = urlunsplit((*urlsplit(page.url)[:3], urlencode(query), ""))
        requests.append(Request(url=url, kind="api", announced=True))
    return requests


def next_requests(page: Page) -> list[Request]:
    """All further groups at once from totalRecord; without it, the `<nextgroup>` chain one group at a time."""
    params = jpage_params(page.text)
    if "dataproxy.jsp" in page.url and (rest := rest_of_group(page)):
        return rest
    if "dataproxy.jsp" in page.url or "totalRecord" not in params:
        return next_group(page) if records(page.text) else []
    try:
        total = int(params.get("totalRecord", ""))
        per_page = int(params.get("perpage") or 15)
    except ValueError:
        return []
    if per_page <= 0:
        return []
    on_page = len(records(page.text))
    if on_page == 0 or total <= on_page:
        return []
    column = params.get("columnid") or (m.group(1) if (m := _COL.search(urlsplit(page.url).path)) else "")
    proxy = _PROXY.search(page.text)
    path = proxy.group(1) if proxy else DEFAULT_PROXY
    parts = urlsplit(page.url)
    group = int(params["groupSize"]) if params.get("groupSize", "").isdigit() else 0
    step = per_page * (group or GROUP_PAGES)  # groupSize 0 (or missing) means the platform's default
    requests = []
    for start in range(on_page + 1, total + 1, step):
        query = {
            "startrecord": str(start),
            "endrecord": str(start + step - 1),
            "perpage": str(per_page),
            "col": params.get("col") or "1",
            "appid": params.get("appid") or "1",
            "webid": params.get("webid", ""),
            "path": "/",
            "columnid": column,
            "sourceContentType": params.get("sourceContentType") or "1",
            "unitid": params.get("unitid", ""),
            "webname": params.get("webname", ""),
            "permissiontype": params.get("permissiontype") or "0",
            "page": str((start - 1) // per_page + 1),  # for proxies that page by `page`, ignoring startrecord
            "totalRecord": str(total),
        }
        url = urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))
        requests.append(Request(url=url, kind="api", announced=True))
    return requests
