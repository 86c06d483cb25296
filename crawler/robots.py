"""robots.txt per RFC 9309, parsed by Protego (the stdlib parser gets wildcards and longest match wrong).

Cached per host for the crawl (and `robots_ttl_s`). 2xx: obey the groups for gongkai and `*`, honour Crawl-delay;
404 and other 4xx: everything allowed; 5xx, timeout, connection or TLS failure: everything disallowed for this run
(the URLs stay pending and the next run asks again); 401/403: permission unknown, treated as disallowed.
With a `store` (crawler/pgpolite.py) the definite answers (2xx, 4xx) are shared by every crawl worker: fetched
once per host and TTL, parsed by each.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from crawler.fetch import Fetcher
from crawler.urls import host_key

logger = logging.getLogger(__name__)

ROBOTS_UA_TOKEN = "gongkai"


@dataclass
class RobotsEntry:
    fetched_at: float
    status: int | None
    parser: Protego | None  # None: no rules (allow all) or unusable (see `available`)
    available: bool  # False: 5xx/timeout/403: disallow everything for now
    reason: str | None = None
    body: bytes = b""  # the answer's body (up to robots_max_bytes), for a store shared with other workers


@dataclass(frozen=True)
class RobotsVerdict:
    allowed: bool
    reason: str | None = None  # "robots:disallowed", "robots:unavailable:<why>"


class RobotsStore(Protocol):
    """Where several crawl workers share robots.txt answers (crawler/pgpolite.py's PgRobotsStore)."""

    def turn(self, host: str) -> AbstractContextManager[None]: ...

    def load(self, host: str, ttl_s: float) -> tuple[int, bytes, float] | None: ...

    def save(self, host: str, status: int, body: bytes) -> None: ...


class RobotsCache:
    def __init__(
        self,
        fetcher: Fetcher,
        *,
        ttl_s: float,
        max_bytes: int,
        is_allowed: Callable[[str], str | None] | None = None,
        store: RobotsStore | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self.is_allowed = is_allowed
        self.store = store
        self.entries: dict[str, RobotsEntry] = {}
        self.fetched = 0  # robots.txt requests this cache made (the others came from the store)

    def check(self, url: str) -> RobotsVerdict:
        entry = self._entry(url)
        if not entry.available:
            return RobotsVerdict(False, f"robots:unavailable:{entry.reason}")
        if entry.parser is None:
            return RobotsVerdict(True)
        if entry.parser.can_fetch(url, self.fetcher.settings.user_agent) and entry.parser.can_fetch(
            url, ROBOTS_UA_TOKEN
        ):
            return RobotsVerdict(True)
        return RobotsVerdict(False, "robots:disallowed")

    def _entry(self, url: str) -> RobotsEntry:
        key = host_key(url)
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry.fetched_at > self.ttl_s:
            entry = self._load(url) if self.store is None else self._shared(url, key, self.store)
            self.entries[key] = entry
        return entry

    def _shared(self, url: str, key: str, store: RobotsStore) -> RobotsEntry:
        with store.turn(key):
            stored = store.load(key, self.ttl_s)
            if stored is not None:
                status, body, age = stored
                return self._answer(url, status, body, time.monotonic() - age)
            entry = self._load(url)
            if entry.status is not None and (entry.available or entry.status in (401, 403)):
                store.save(key, entry.status, entry.body)
            return entry

    def _load(self, url: str) -> RobotsEntry:
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        self.fetched += 1
        ex = self.fetcher.fetch(robots_url, is_allowed=self.is_allowed, max_bytes=self.max_bytes)
        now = time.monotonic()
        status = ex.status
        if status is None or (ex.error and ex.error.startswith("redirect")):
            logger.warning("robots.txt of %s unavailable: %s", parts.netloc, ex.error)
            return RobotsEntry(now, status, None, False, ex.error or "no_response")
        return self._answer(url, status, ex.content, now)

    def _answer(self, url: str, status: int, content: bytes, now: float) -> RobotsEntry:
        """The entry for a definite HTTP answer (fetched now, or stored by another worker)."""
        body = content[: self.max_bytes]
        if 200 <= status < 300:
            # utf-8-sig: a byte order mark would otherwise glue itself to the first "User-agent" and void its group
            parser = Protego.parse(body.decode("utf-8-sig", errors="replace"))
            delay = parser.crawl_delay(ROBOTS_UA_TOKEN)
            if delay:
                self.fetcher.set_min_delay(url, float(delay))
            return RobotsEntry(now, status, parser, True, body=body)
        if status in (401, 403):
            return RobotsEntry(now, status, None, False, f"http_{status}", body=body)
        if 400 <= status < 500:
            return RobotsEntry(now, status, None, True, body=body)
        return RobotsEntry(now, status, None, False, f"http_{status}")
