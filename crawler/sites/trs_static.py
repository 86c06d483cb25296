"""TRS WCM static lists: `createPageHTML(pages, current, "index", "html")`, pages `index_N.html` (docs/SITES.md 3.3).

Numbering is 0-based on most sites (second page `index_1.html`) and 1-based on others (Hunan's
`createPageHTML('paging', total, current, ...)`, second page `index_2.html`). In both, file `index_K` carries
`current == K`, so the next page is always `index_{current+1}`; the base only decides where the list ends. Pages
are followed one at a time so a stub page (no links) stops the walk.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from crawler.sites.common import Candidate, Page, Request, anchors, is_article_url, unique

NAME = "trs_static"
PAGING_PARAMS: frozenset[str] = frozenset()
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/\d{6}/t\d{8}_\d+\.s?html?$"),  # TRS t-date
    re.compile(r"/content_\d+\.s?html?$"),  # TRS / gov.cn content_N
)
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = ()

_CREATE_PAGE = re.compile(
    r"""createPage(?:HTML)?\s*\(\s*(?P<named>['"][^'"]*['"]\s*,\s*)?(?P<pages>\d+)\s*,\s*(?P<current>\d+)\s*,"""
    r"""\s*['"](?P<prefix>[\w-]+)['"]\s*,\s*['"](?P<ext>\w+)['"]"""
)
_TRS_MARKERS = ("createPageHTML(", "createPage(", "TRS_Editor", "TRS_UEDITOR", "trs_editor_view")
_T_DATE = re.compile(r"\./\d{6}/t\d{8}_\d+\.s?html?")


def detect(text: str, url: str) -> bool:
    return any(m in text for m in _TRS_MARKERS) or bool(_T_DATE.search(text))


def parse_list(page: Page) -> list[Candidate]:
    found = anchors(page.text, page.url)
    return unique([c for c in found if is_article_url(c.url) or c.kind == "attachment"])


def paging(text: str) -> tuple[int, int, str, str, bool] | None:
    """(pages, current, prefix, ext, one_based_form) from the page's createPageHTML call."""
    match = _CREATE_PAGE.search(text)
    if not match:
        return None
    return (
        int(match.group("pages")),
        int(match.group("current")),
        match.group("prefix"),
        match.group("ext"),
        match.group("named") is not None,
    )


def problem(page: Page) -> str | None:
    return None


def next_requests(page: Page) -> list[Request]:
    found = paging(page.text)
    if found is None or not parse_list(page):
        return []  # no pager, or a stub page: the list ends here
    pages, current, prefix, ext, named = found
    parts = urlsplit(page.url)
    directory, _, last = parts.path.rpartition("/")
    is_first = last in ("", f"{prefix}.{ext}")
    base = current if is_first and current in (0, 1) else (1 if named else 0)
    following = current + 1
    if following > pages - 1 + base:
        return []
    path = f"{directory}/{prefix}_{following}.{ext}"
    return [Request(urlunsplit((parts.scheme, parts.netloc, path, "", "")), "list")]
