"""Site adapters, chosen by structural fingerprint (docs/SITES.md section 2). First match wins; generic is last.

Each adapter is a module satisfying `Adapter` (protocol.py) and owns its platform's URL shapes; the unions below
are what `common.is_article_url` and `common.is_endpoint_url` consult.
"""

from __future__ import annotations

import re
from functools import cache

from crawler.sites import (
    gd_gkmlpt,
    generic,
    govcn,
    govcn_library,
    hanweb_jpaas,
    hanweb_jpage,
    hanweb_xxgk,
    trs_static,
    trs_was5,
)
from crawler.sites.common import Candidate, Page, Request
from crawler.sites.protocol import Adapter

# list sources with their own endpoints first: their answers are recognised by URL and shape before the page
# markers of the broader families (a gkmlpt index page may also carry TRS_Editor markup)
ADAPTERS: tuple[Adapter, ...] = (
    gd_gkmlpt,
    govcn_library,
    trs_was5,
    hanweb_xxgk,
    hanweb_jpaas,
    hanweb_jpage,
    trs_static,
    govcn,
    generic,
)


def adapter_names() -> tuple[str, ...]:
    return tuple(a.NAME for a in ADAPTERS)


def choose_adapter(text: str, url: str, hint: str = "auto") -> Adapter:
    """The first adapter that recognises the page; a hint (a source's `adapter`) is tried first and, when no
    fingerprint matches at all, used instead of generic."""
    hinted = next((a for a in ADAPTERS if a.NAME == hint), None)
    order = ADAPTERS if hinted is None else (hinted, *(a for a in ADAPTERS if a is not hinted))
    for adapter in order:
        if adapter is generic and hinted is not None:
            return hinted  # generic takes anything: the hint wins over it
        if adapter.detect(text, url):
            return adapter
    return hinted or generic


@cache
def article_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(p for adapter in ADAPTERS for p in adapter.ARTICLE_PATTERNS)


@cache
def endpoint_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(p for adapter in ADAPTERS for p in adapter.ENDPOINT_PATTERNS)


__all__ = [
    "ADAPTERS",
    "Adapter",
    "Candidate",
    "Page",
    "Request",
    "adapter_names",
    "article_patterns",
    "choose_adapter",
    "endpoint_patterns",
]
