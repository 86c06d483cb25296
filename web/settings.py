"""WebSettings: everything the web layer is told by the composition root, never read from the environment here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from archive.coerce import settings_from_mapping


@dataclass(frozen=True)
class WebSettings:
    """Settings of the web UI and of the raw origin.

    `app_origin` and `raw_origin` are the scheme://host:port the two WSGI apps are reachable at; the app's CSP
    allows frames only from the raw origin and the raw origin allows framing only by the app.

    Each limit has one owner, the layer that enforces it: the API's `limit` and `offset` and the number of values
    per filter are the index's (`IndexSettings.max_limit`, `max_offset`, `max_filter_values`); the page number and
    parameter lengths are the web's.
    """

    app_origin: str = "http://127.0.0.1:8000"
    raw_origin: str = "http://127.0.0.1:8001"
    page_size: int = 20  # hits per search page
    max_page: int = 500  # deepest page reachable (deep paging is a cost, not a feature)
    max_param_chars: int = 2000  # any single parameter value longer than this is refused before parsing
    export_max_docs: int = 10000  # rows of one CSV/JSONL export
    feed_size: int = 50  # entries of one Atom feed
    chart_month_max_days: int = 731  # a date range up to this long is charted per month, else per year
    site_name: str = "公开 · 政府信息公开档案检索"
    # The request budget (web/budget.py) and the servers (gongkai/serve.py).
    rate_per_s: float = 10.0  # requests a second one client may make on average
    rate_burst: int = 60  # requests one client may make at once after being idle
    trusted_proxy_header: str = ""  # e.g. X-Forwarded-For behind a reverse proxy; empty: the socket address
    expensive_concurrency: int = 2  # exports and deep pages running at once; more get 429 + Retry-After
    deep_offset: int = 1000  # a result offset from here on is a deep page (expensive)
    request_deadline_s: float = 30.0  # after this the request's work stops (export batches, chart searches)
    threads: int = 8  # worker threads of the UI server
    raw_threads: int = 4  # worker threads of the raw origin's own server
    connection_limit: int = 1000  # open connections per server before it stops accepting
    channel_timeout_s: int = 20  # an idle connection is closed after this many seconds

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                raise ValueError(f"web setting {f.name} must be a positive integer")
            if isinstance(value, float) and not value > 0:
                raise ValueError(f"web setting {f.name} must be a positive number")
        for origin in (self.app_origin, self.raw_origin):
            _check_origin(origin)
        if self.app_origin == self.raw_origin:
            raise ValueError("raw_origin must differ from app_origin (archived pages need their own origin)")

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> WebSettings:
        """Build from a `[web]` config section (archive.coerce: typed values, unknown keys are an error)."""
        return settings_from_mapping(cls, section, "web")


def _check_origin(origin: str) -> None:
    if not origin.startswith(("http://", "https://")) or origin.count("/") != 2 or origin.endswith("/"):
        raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
