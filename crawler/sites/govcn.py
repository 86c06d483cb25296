"""www.gov.cn policy pages (docs/SITES.md 3.4): section pages with `h4 > a` and `.date`, articles `content_N.htm`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.sites.common import Candidate, Page, Request, anchors, unique

NAME = "govcn"
PAGING_PARAMS = frozenset({"p"})
_CONTENT = re.compile(r"/zhengce/(?:content/)?(?:\d{6}|\d{4}-\d{2}/\d{2})/content_\d+\.htm$")
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = (_CONTENT,)
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = ()


def detect(text: str, url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith("gov.cn") and host.startswith("www.gov") or "UCAP-CONTENT" in text


def is_govcn_article(url: str) -> bool:
    return bool(_CONTENT.search(urlsplit(url).path))


def parse_list(page: Page) -> list[Candidate]:
    found = []
    for c in anchors(page.text, page.url):
        if is_govcn_article(c.url):
            found.append(Candidate(url=c.url, title=c.title, date_hint=c.date_hint, kind="document"))
        elif c.kind == "attachment":
            found.append(c)
    return unique(found)


def next_requests(page: Page) -> list[Request]:
    return []


def problem(page: Page) -> str | None:
    return None
