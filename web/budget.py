"""The request budget: what one client may ask of the server, and how much expensive work runs at once.

Three limits, all checked before a view runs so a refused request costs almost nothing:
- a token bucket per client (the socket's address, or the last address a configured trusted proxy header
  names: behind nginx every request comes from 127.0.0.1, so without the header all clients would share one);
- a small number of slots for expensive routes (exports, deep pages), held until the response body is closed,
  so four broad exports cannot take every worker thread; a full house is a 429 with Retry-After, never a queue;
- a deadline per request that long-running work (export batches, chart searches) checks, so the work stops
  when the time is up rather than only the client giving up.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, g, request

from .settings import WebSettings

EXPENSIVE_PATHS = frozenset({"/export.csv", "/export.jsonl"})
_MAX_CLIENTS = 10000  # buckets kept; full (idle) ones are dropped first when there are more


class DeadlineExceeded(Exception):
    """The request's time is up; the work stops here (a 503 with Retry-After when nothing was sent yet)."""


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets keyed by client: `rate` tokens a second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_CLIENTS:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.rate >= self.burst]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


class _Slot:
    """One held expensive slot; released once, whichever of response close or teardown comes first."""

    def __init__(self, semaphore: threading.BoundedSemaphore) -> None:
        self._semaphore, self._held = semaphore, True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._semaphore.release()


def client_key(settings: WebSettings) -> str:
    """The socket's peer, or what the trusted proxy says the client was (the last, proxy-written entry)."""
    if settings.trusted_proxy_header:
        value = request.headers.get(settings.trusted_proxy_header, "")
        last = value.rsplit(",", 1)[-1].strip()
        if last:
            return last[:100]
    return request.remote_addr or "-"


def is_expensive(settings: WebSettings) -> bool:
    if request.path in EXPENSIVE_PATHS:
        return True
    for name, scale in (("offset", 1), ("page", settings.page_size)):
        value = request.args.get(name, "")
        if (
            value.isascii()
            and value.isdigit()
            and len(value) < 10
            and int(value) * scale >= settings.deep_offset
        ):
            return True
    return False


def check_deadline() -> None:
    """Raise DeadlineExceeded once the current request has used up its time."""
    deadline = g.get("deadline")
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded


def deadline_passed() -> bool:
    deadline = g.get("deadline")
    return deadline is not None and time.monotonic() > deadline


def install_budget(app: Flask, settings: WebSettings, refuse: Callable[[int, str, int], Response]) -> None:
    """Hook the limits into `app`; `refuse(status, message, retry_after_s)` builds the refusal in its style."""
    limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
    slots = threading.BoundedSemaphore(settings.expensive_concurrency)

    @app.before_request
    def _admit() -> Response | None:
        g.deadline = time.monotonic() + settings.request_deadline_s
        wait = limiter.take(client_key(settings))
        if wait > 0:
            return refuse(429, "请求过于频繁，请稍后再试。/ too many requests, slow down", math.ceil(wait))
        if is_expensive(settings):
            if not slots.acquire(blocking=False):
                return refuse(
                    429, "导出和深层翻页的名额已满，请稍后再试。/ busy with exports, retry later", 5
                )
            g.budget_slot = _Slot(slots)
        return None

    @app.after_request
    def _hand_over(response: Response) -> Response:
        if response.is_streamed:
            slot: _Slot | None = g.pop("budget_slot", None)
            if slot is not None:
                # A streamed export holds its slot until its body is closed (finished, or the client left).
                response.call_on_close(slot.release)
        return response

    @app.teardown_request
    def _release(exc: BaseException | None = None) -> None:
        slot: _Slot | None = g.pop("budget_slot", None)
        if slot is not None:
            slot.release()
