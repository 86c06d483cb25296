"""Shared pieces for crawler tests: scaled-down settings and a one-call crawl into a fresh archive."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from archive import Archive, DataDir
from crawler import CrawlSettings, CrawlSummary, crawl

# Times scaled down ~20x from the defaults (docs/TESTPLAN.md section 3): the behaviour is the same, the test is fast.
FAST = CrawlSettings(
    delay_s=0.1,
    jitter=0.2,
    connect_timeout_s=1.0,
    read_timeout_s=0.5,
    total_deadline_s=1.0,
    attachment_deadline_s=2.0,
    max_bytes=1024 * 1024,
    backoff_base_s=0.05,
    max_retry_after_s=5.0,
    user_agent="gongkai-test/0.1 (+https://example.org/gongkai-contact)",
)


def fast_settings(**changes: Any) -> CrawlSettings:
    return dataclasses.replace(FAST, **changes)


def run_crawl(seeds: list[str], root: Path, settings: CrawlSettings | None = None) -> CrawlSummary:
    data_dir = DataDir(root).ensure()
    archive = Archive.open(data_dir)
    try:
        return crawl(seeds, archive=archive, state_dir=data_dir.crawl_dir, settings=settings or FAST)
    finally:
        archive.close()


def captures(root: Path) -> list[dict[str, Any]]:
    from archive import Catalogue

    catalogue = Catalogue(DataDir(root).catalogue_path, readonly=True)
    try:
        return list(catalogue.iter_captures())
    finally:
        catalogue.close()


def document_urls(root: Path) -> list[str]:
    from archive import Catalogue

    catalogue = Catalogue(DataDir(root).catalogue_path, readonly=True)
    try:
        return [d.url for d in catalogue.iter_documents()]
    finally:
        catalogue.close()
