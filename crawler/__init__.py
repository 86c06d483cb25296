"""gongkai's crawler: polite, bounded fetching of disclosure sites into the archive.

Public API (CONTRACTS.md): other packages import only these names.
"""

from __future__ import annotations

from crawler.decode import Decoded, decode_html
from crawler.extract import looks_binary, parse_page
from crawler.frontier import last_run
from crawler.pgbase import is_postgres_url
from crawler.run import FRONTIER_FILE, crawl
from crawler.settings import CrawlSettings
from crawler.sites import adapter_names
from crawler.summary import CrawlSummary
from crawler.worker import crawl_worker

__all__ = [
    "FRONTIER_FILE",
    "CrawlSettings",
    "CrawlSummary",
    "Decoded",
    "adapter_names",
    "crawl",
    "crawl_worker",
    "decode_html",
    "is_postgres_url",
    "last_run",
    "looks_binary",
    "parse_page",
]
