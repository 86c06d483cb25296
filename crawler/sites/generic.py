"""Unknown sites: follow in-scope links and recognise article URLs by the known shapes.

Pages it cannot place are fetched as `page` and become documents only on positive evidence (a metadata block),
so a portal's home page never turns into a document.
"""

from __future__ import annotations

import re

from crawler.sites.common import Candidate, Page, Request, anchors, page_base, unique

NAME = "generic"
PAGING_PARAMS: frozenset[str] = frozenset()
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/\d{6}/[0-9a-f]{32}\.s?html?$"),  # county CMS: month directory + 32-hex id
)
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = ()


def detect(text: str, url: str) -> bool:
    return True


def parse_list(page: Page) -> list[Candidate]:
    return unique(anchors(page.text, page_base(page)))


def next_requests(page: Page) -> list[Request]:
    return []


def problem(page: Page) -> str | None:
    return None
