"""Unknown sites: follow in-scope links and recognise article URLs by the known shapes.

Pages it cannot place are fetched as `page` and become documents only on positive evidence (a metadata block),
so a portal's home page never turns into a document.
"""

from __future__ import annotations

from crawler.sites.common import Candidate, Page, Request, anchors, page_base, unique

NAME = "generic"
PAGING_PARAMS: frozenset[str] = frozenset()


def detect(text: str, url: str) -> bool:
    return True


def parse_list(page: Page) -> list[Candidate]:
    return unique(anchors(page.text, page_base(page)))


def next_requests(page: Page) -> list[Request]:
    return []
