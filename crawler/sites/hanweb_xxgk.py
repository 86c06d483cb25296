"""The older Hanweb 信息公开目录 module (docs/SITES.md 3.6): `/module/xxgk/search.jsp` (Zhejiang, Quzhou),
`subjectinfo.jsp` (Jiangxi), `search_custom.jsp` (Shandong).

A catalogue column page names the module and its form values (`infotypeId`, `divid`, `webid`, `area`,
`currpage`) in a form or a URL literal; the module answers an HTML fragment whose rows are `<a>` elements with
`mc` (title), `rq` (date) and `wh` (文号) attributes, plus a pager saying how many pages there are. Only those rows
count: the fragment's other links (hot lists, other columns) are not this column's documents. The module is a
list source only; the articles are ordinary Hanweb pages. It usually wants the session cookie its column page set,
which the fetcher's session keeps.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.sites import listapi
from crawler.sites.common import Candidate, Page, Request, attrs_of, clean_text, guess_kind, unique
from crawler.urls import canonicalize

NAME = "hanweb_xxgk"
PAGING_PARAMS = frozenset({"currpage"})
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = ()
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/module/xxgk/(?:search|subjectinfo|search_custom)\.jsp$"),
)

_MODULE = re.compile(
    r"""(/(?:[\w.-]+/)*module/xxgk/(?:search|subjectinfo|search_custom)\.jsp)(\?[^"'\s<>]*)?"""
)
_FORM = re.compile(
    r"""<form\b([^>]*action\s*=\s*["'][^"']*module/xxgk/[^"']*["'][^>]*)>(.*?)</form>""", re.I | re.S
)
_SCRIPTED = re.compile(
    r"<script\b[^>]*>(?:(?!</script).)*?module/xxgk/(?:search|subjectinfo|search_custom)\.jsp", re.I | re.S
)
_INPUT = re.compile(r"<input\b([^>]*)>", re.I)
_ROW = re.compile(r"<a\b([^>]*\bmc\s*=[^>]*)>(.*?)</a\s*>", re.I | re.S)
_PAGES = (
    re.compile(r"""\btotalpage\s*[=:]\s*['"]?(\d+)""", re.I),
    re.compile(r"共\s*(?:<[^>]+>\s*)*(\d+)\s*(?:<[^>]+>\s*)*页"),
    re.compile(r"页次\s*[:：]?\s*\d+\s*/\s*(\d+)"),
)


def _is_module(url: str) -> bool:
    return any(p.search(urlsplit(url).path) for p in ENDPOINT_PATTERNS)


def detect(text: str, url: str) -> bool:
    """The module's own answer, or a page that calls it from a form or a script; a mere link to the module (a
    portal's 信息公开目录 menu entry) is not enough, or a jpage column with that menu would lose its records."""
    return _is_module(url) or bool(_FORM.search(text) or _SCRIPTED.search(text))


def problem(page: Page) -> str | None:
    if not _is_module(page.url):
        return None
    if _ROW.search(page.text) or total_pages(page.text) is not None:
        return None
    return "no_rows"  # an error page ("会话已过期", a login form) instead of the catalogue fragment


def total_pages(text: str) -> int | None:
    for pattern in _PAGES:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def parse_list(page: Page) -> list[Candidate]:
    if not _is_module(page.url):
        return []
    found = []
    for match in _ROW.finditer(page.text):
        attrs = attrs_of(match.group(1))
        url = canonicalize(attrs.get("href", ""), page.url)
        if url is None or guess_kind(url) not in ("document", "attachment", "page"):
            continue
        title = attrs.get("mc") or attrs.get("title") or clean_text(match.group(2)) or None
        fields = listapi.fields_of(
            {"title": title, "publish_date": listapi.date_of(attrs.get("rq")), "doc_no": attrs.get("wh")}
        )
        kind = "attachment" if guess_kind(url) == "attachment" else "document"
        found.append(Candidate(url, title, dict(fields).get("publish_date"), kind, fields))
    return unique(found)


def form_request(page: Page) -> str | None:
    """The module URL with the column's form values and `currpage=1`, from a form or a URL literal."""
    form = _FORM.search(page.text)
    if form:
        action = attrs_of(form.group(1)).get("action", "")
        params = {}
        for field in _INPUT.finditer(form.group(2)):
            attrs = attrs_of(field.group(1))
            if attrs.get("name"):
                params[attrs["name"]] = attrs.get("value", "")
        url = urljoin(page.url, action)
    else:
        script = _SCRIPTED.search(page.text)
        literal = _MODULE.search(page.text, script.start()) if script else None
        if literal is None:
            return None
        url = urljoin(page.url, literal.group(1) + (literal.group(2) or ""))
        params = listapi.query_of(url)
    params["currpage"] = "1"
    return canonicalize(listapi.with_query(url, params))


def next_requests(page: Page) -> list[Request]:
    if not _is_module(page.url):
        url = form_request(page)
        return [Request(url, "api")] if url else []
    current = listapi.as_int(listapi.query_of(page.url).get("currpage")) or 1
    if current != 1 or not parse_list(page):
        return []
    return listapi.later_pages(page.url, "currpage", 1, total_pages(page.text) or 1)
