"""Site adapters, chosen by structural fingerprint (SITES.md section 2). First match wins; generic is last."""

from __future__ import annotations

from types import ModuleType

from crawler.sites import generic, govcn, hanweb_jpaas, hanweb_jpage, trs_static
from crawler.sites.common import Candidate, Page, Request

ADAPTERS: tuple[ModuleType, ...] = (hanweb_jpaas, hanweb_jpage, trs_static, govcn, generic)


def choose_adapter(text: str, url: str) -> ModuleType:
    for adapter in ADAPTERS:
        if adapter.detect(text, url):
            return adapter
    return generic


__all__ = ["ADAPTERS", "Candidate", "Page", "Request", "choose_adapter"]
