"""gongkai's crawler: polite, bounded fetching of disclosure sites into the archive.

Public API (CONTRACTS.md): other packages import only these names.
"""

from __future__ import annotations

from crawler.decode import Decoded, decode_html
from crawler.extract import looks_binary, parse_page
from crawler.run import crawl
from crawler.settings import CrawlSettings
from crawler.summary import CrawlSummary

__all__ = ["CrawlSettings", "CrawlSummary", "Decoded", "crawl", "decode_html", "looks_binary", "parse_page"]
