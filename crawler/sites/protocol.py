"""The contract every site adapter keeps, checked by mypy instead of living only in a document.

An adapter is a module (one per platform family) that satisfies `Adapter` structurally: it names itself, owns the
URL shapes of its platform (article pages it can vouch for, list endpoints that answer XML or JSON), recognises
its pages by structure, and turns a decoded page into candidates and further requests. It never fetches and never
writes: the crawl loop does both, so an adapter can be tested on a string.
"""

from __future__ import annotations

import re
from typing import Protocol

from crawler.sites.common import Candidate, Page, Request


class Adapter(Protocol):
    NAME: str
    # query parameters that only select a page of a list: two URLs differing only in them are one series
    PAGING_PARAMS: frozenset[str]
    # paths of the platform's article pages (searched in the URL path); the union decides "document" links
    ARTICLE_PATTERNS: tuple[re.Pattern[str], ...]
    # paths of the platform's list endpoints: their answers are lists whatever their content type, and they are
    # requested by the adapter, never followed as links
    ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...]

    def detect(self, text: str, url: str) -> bool:
        """Whether the page or API answer has this platform's shape (structure, never the host name)."""
        ...

    def parse_list(self, page: Page) -> list[Candidate]:
        """The documents and attachments a list page or API answer names, with list-side fields."""
        ...

    def next_requests(self, page: Page) -> list[Request]:
        """Further list pages or API calls, never one past the last page the answer announces."""
        ...

    def problem(self, page: Page) -> str | None:
        """Why an answer from one of the adapter's endpoints is mis-shaped (HTML error page, truncated JSON, an
        error body with status 200), or None when it is a list; a mis-shaped answer is a recorded failure."""
        ...
