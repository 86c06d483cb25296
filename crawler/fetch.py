"""Fetcher: one polite, bounded HTTP exchange per call, returned as data.

Why it streams and decompresses by hand: the archive needs the wire bytes exactly as sent (still content-encoded),
a dripping server never trips a per-read timeout (so a total deadline is checked between reads), and a gzip bomb
must be cut at the byte cap counted after decompression. Redirects are followed manually so every hop passes the
scope and robots check. Expected failures (timeouts, resets, refused connections, TLS, redirect loops) come back
as an `Exchange` with `error` set; nothing expected raises.
"""

from __future__ import annotations

import logging
import random
import socket
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit

from archive.models import Exchange
from crawler.settings import CrawlSettings
from crawler.urls import host_key

if TYPE_CHECKING:
    import requests
    import urllib3

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024


@dataclass
class HostState:
    """Politeness book-keeping for one host: when the next request may start, and at what minimum gap."""

    next_allowed: float = 0.0
    min_delay_s: float = 0.0
    requests: int = 0
    owed_gap_s: float = 0.0  # the gap the request in flight owes the next one (told to the gate at its end)


class HostGate(Protocol):
    """Politeness shared by several processes (crawler/pgpolite.py): one request in flight per host across all
    of them, and the gap between the end of one and the start of the next. Without a gate the fetcher's own
    book-keeping is the whole story (one process, one request at a time)."""

    def acquire(self, host: str) -> None:
        """Block until this process may send the next request to `host`; it then holds the host."""

    def release(self, host: str, gap_s: float) -> None:
        """The request ended: free the host; the next request may start `gap_s` later."""

    def defer(self, host: str, seconds: float) -> None:
        """No request to `host` before `seconds` from now (Retry-After, back-off)."""


@dataclass
class _Body:
    wire: bytearray = field(default_factory=bytearray)
    content: bytearray | None = (
        None  # decoded bytes of a content-encoded body; None: identity, the wire is it
    )
    truncated: str | None = None
    error: str | None = None


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """GET with politeness per host, retries with back-off, manual redirects, deadline and byte cap.

    Single-threaded by design: the crawl loop calls it one request at a time, so there is never more than one
    request in flight to a host; the per-host `next_allowed` instant enforces the delay between them.
    """

    def __init__(
        self,
        settings: CrawlSettings,
        *,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        gate: HostGate | None = None,
    ) -> None:
        import requests  # imported on first use: urllib3 probes IPv6 with a socket when it is imported

        self.settings = settings
        self.session = session or requests.Session()
        # no proxies or netrc from the environment: the crawl goes where it says
        self.session.trust_env = False
        self.rng = rng or random.Random()
        self._sleep = sleep
        self.gate = gate
        self.hosts: dict[str, HostState] = {}
        self.requests_made = 0

    def close(self) -> None:
        self.session.close()

    # -- politeness -------------------------------------------------------------------------------------------

    def host(self, url: str) -> HostState:
        return self.hosts.setdefault(host_key(url), HostState())

    def set_min_delay(self, url: str, delay_s: float) -> None:
        """Raise a host's gap (robots.txt Crawl-delay); never lowers the configured delay."""
        state = self.host(url)
        state.min_delay_s = max(state.min_delay_s, delay_s)

    def defer(self, url: str, seconds: float) -> None:
        state = self.host(url)
        state.next_allowed = max(state.next_allowed, time.monotonic() + seconds)
        if self.gate is not None:
            self.gate.defer(host_key(url), seconds)

    def wait_s(self, url: str) -> float:
        return max(0.0, self.host(url).next_allowed - time.monotonic())

    def _wait_turn(self, url: str) -> None:
        wait = self.wait_s(url)
        if wait > 0:
            self._sleep(wait)
        state = self.host(url)
        state.owed_gap_s = max(self.settings.delay_s, state.min_delay_s)  # kept should the request raise
        if self.gate is not None:
            self.gate.acquire(host_key(url))

    def _finish_turn(self, url: str) -> None:
        state = self.host(url)
        gap = max(self.settings.delay_s, state.min_delay_s)
        gap *= 1.0 + self.rng.random() * self.settings.jitter
        state.next_allowed = max(state.next_allowed, time.monotonic() + gap)
        state.owed_gap_s = gap

    def _end_turn(self, url: str) -> None:
        """Hand the host back to the gate, whatever happened (nothing owed when nothing reached the server)."""
        if self.gate is not None:
            self.gate.release(host_key(url), self.host(url).owed_gap_s)

    # -- public -----------------------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        is_allowed: Callable[[str], str | None] | None = None,
        deadline_s: float | None = None,
        max_bytes: int | None = None,
        max_attempts: int | None = None,
    ) -> Exchange:
        """Fetch `url`, retrying network errors, 5xx and 429 with exponential back-off; never 404.

        `is_allowed(url)` returns a refusal reason for a redirect target (scope, robots) or None.
        """
        attempts = max_attempts or self.settings.max_attempts
        exchange = Exchange(url=url, final_url=url, started_at=_now_iso(), error="not_attempted")
        for attempt in range(1, attempts + 1):
            exchange = self._follow(url, headers or {}, is_allowed, deadline_s, max_bytes)
            if not self._should_retry(exchange) or attempt == attempts:
                break
            retry_after = parse_retry_after(exchange.header("Retry-After"))
            if retry_after is not None and retry_after > self.settings.max_retry_after_s:
                break  # the host asks for a long pause: the crawl loop pauses it instead of sleeping here
            backoff = self.settings.backoff_base_s * (2 ** (attempt - 1))
            backoff *= 1.0 + self.rng.random() * self.settings.jitter
            self.defer(exchange.final_url, max(backoff, retry_after or 0.0))
            logger.info("retry %s after %s (attempt %d)", url, exchange.status or exchange.error, attempt)
        if exchange.status in (429, 503):
            retry_after = parse_retry_after(exchange.header("Retry-After"))
            if retry_after is not None:
                self.defer(exchange.final_url, min(retry_after, self.settings.max_retry_after_s))
        return exchange

    @staticmethod
    def _should_retry(exchange: Exchange) -> bool:
        if exchange.error == "connection":
            return True
        return exchange.status in RETRY_STATUSES

    def _follow(
        self,
        url: str,
        headers: Mapping[str, str],
        is_allowed: Callable[[str], str | None] | None,
        deadline_s: float | None,
        max_bytes: int | None,
    ) -> Exchange:
        seen = {url}
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            exchange = self._once(current, headers, deadline_s, max_bytes)
            exchange = replace(exchange, url=url)
            if exchange.status not in REDIRECT_STATUSES:
                return exchange
            location = exchange.header("Location")
            target = urljoin(current, location.strip()) if location else None
            problem = self._redirect_problem(target, seen, is_allowed)
            if problem:
                return replace(exchange, error=problem)
            assert target is not None
            seen.add(target)
            current = target
        return replace(exchange, error="too_many_redirects")

    @staticmethod
    def _redirect_problem(
        target: str | None, seen: set[str], is_allowed: Callable[[str], str | None] | None
    ) -> str | None:
        if not target:
            return "redirect_without_location"
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            return "redirect_bad_scheme"
        if target in seen:
            return "redirect_loop"
        if is_allowed is not None:
            refusal = is_allowed(target)
            if refusal:
                return f"redirect_refused:{refusal}"
        return None

    # -- one request ------------------------------------------------------------------------------------------

    def _once(
        self, url: str, extra_headers: Mapping[str, str], deadline_s: float | None, max_bytes: int | None
    ) -> Exchange:
        self._wait_turn(url)
        try:
            return self._exchange(url, extra_headers, deadline_s, max_bytes)
        finally:
            self._end_turn(url)

    def _exchange(
        self, url: str, extra_headers: Mapping[str, str], deadline_s: float | None, max_bytes: int | None
    ) -> Exchange:
        import requests

        s = self.settings
        started_at = _now_iso()
        t0 = time.monotonic()
        deadline = t0 + (deadline_s if deadline_s is not None else s.total_deadline_s)
        cap = max_bytes if max_bytes is not None else s.max_bytes
        headers = {
            "User-Agent": s.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        headers.update(extra_headers)
        base = Exchange(url=url, final_url=url, started_at=started_at, request_headers=tuple(headers.items()))
        self.requests_made += 1
        self.host(url).requests += 1
        try:
            resp = self.session.get(
                url,
                headers=headers,
                stream=True,
                allow_redirects=False,
                timeout=(s.connect_timeout_s, s.read_timeout_s),
            )
        except requests.exceptions.SSLError:
            return self._failed(base, url, "tls", t0)
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout):
            return self._failed(base, url, "timeout", t0)
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
        ):
            return self._failed(base, url, "invalid_url", t0)
        except requests.exceptions.ConnectionError as exc:
            # nothing reached the server, so no politeness gap is owed; a name that does not resolve will not
            # resolve a second later either, so "dns" is not retried
            error = "dns" if _is_name_failure(exc) else "connection"
            return self._failed(base, url, error, t0, reached_server=False)
        try:
            body = self._read_body(resp, deadline, cap)
        finally:
            resp.close()
        self._finish_turn(url)
        wire = bytes(body.wire)
        body.wire.clear()  # one copy of a body at a time (docs/TESTPLAN.md C2 bounds memory at the cap)
        raw = resp.raw
        version = {10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(getattr(raw, "version", 11), "HTTP/1.1")
        exchange = replace(
            base,
            status=resp.status_code,
            reason=resp.reason or "",
            http_version=version,
            request_headers=tuple(resp.request.headers.items()),
            response_headers=tuple(raw.headers.items()),
            wire_body=wire,
            content=wire if body.content is None else bytes(body.content),
            truncated=body.truncated,
            error=body.error,
            elapsed_ms=int((time.monotonic() - t0) * 1000),
        )
        logger.debug(
            "fetch %s %s %d bytes %s", url, resp.status_code, len(exchange.content), body.truncated or ""
        )
        return exchange

    def _failed(
        self, base: Exchange, url: str, error: str, t0: float, *, reached_server: bool = True
    ) -> Exchange:
        if reached_server:
            self._finish_turn(url)
        else:
            self.host(url).owed_gap_s = 0.0
        logger.debug("fetch %s failed: %s", url, error)  # the crawl logs the outcome of every entry
        return replace(base, error=error, elapsed_ms=int((time.monotonic() - t0) * 1000))

    def _read_body(self, resp: requests.Response, deadline: float, cap: int) -> _Body:
        import urllib3

        encoding = (resp.headers.get("Content-Encoding") or "").strip().lower()
        decomp = _decompressor(encoding)
        body = _Body(content=None if decomp is None else bytearray())
        raw = resp.raw
        sock = _socket_of(raw)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                body.truncated = "time"
                body.error = "timeout"
                break
            if sock is not None:
                sock.settimeout(max(0.01, min(self.settings.read_timeout_s, remaining)))
            try:
                chunk = raw.read1(CHUNK_BYTES, decode_content=False)
            except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
                body.error = "timeout"
                body.truncated = "time"
                break
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError, OSError):
                body.error = "connection"
                body.truncated = "length"
                break
            if not chunk:
                break
            body.wire += chunk
            if body.content is None:  # identity: the content is the wire bytes, kept once
                if len(body.wire) > cap:
                    del body.wire[cap:]
                    body.truncated = "length"
            else:
                if len(body.wire) > cap:
                    body.truncated = "length"
                assert decomp is not None
                try:
                    out = decomp.decompress(chunk, cap + 1 - len(body.content))
                except zlib.error:
                    body.error = "bad_encoding"
                    break
                body.content += out
                if decomp.unconsumed_tail:
                    body.truncated = "length"
                if len(body.content) > cap:
                    del body.content[cap:]
                    body.truncated = "length"
            if body.truncated:
                break
        if decomp is None and encoding not in ("", "identity") and not body.error:
            body.error = f"unsupported_encoding:{encoding}"
        return body


class _Decompressor:
    """zlib for gzip and deflate (wrapped or raw), with a bounded output per call."""

    def __init__(self, wbits: int) -> None:
        self._obj = zlib.decompressobj(wbits)
        self._raw_fallback = wbits == zlib.MAX_WBITS
        self._started = False
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if not self._started and self._raw_fallback:
            self._started = True
            try:
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                probe.decompress(data[:64])
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        data = self.unconsumed_tail + data
        out = self._obj.decompress(data, max(1, max_length))
        self.unconsumed_tail = self._obj.unconsumed_tail
        return out


def _decompressor(encoding: str) -> _Decompressor | None:
    if encoding in ("gzip", "x-gzip"):
        return _Decompressor(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _Decompressor(zlib.MAX_WBITS)
    return None


def _is_name_failure(exc: BaseException) -> bool:
    """True when the host name did not resolve (urllib3 wraps NameResolutionError a few levels deep)."""
    import urllib3

    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, urllib3.exceptions.NameResolutionError) or isinstance(seen, socket.gaierror):
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = getattr(seen, "reason", None) or inner or seen.__cause__ or seen.__context__
    return False


def _socket_of(raw: urllib3.response.BaseHTTPResponse) -> socket.socket | None:
    connection = getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None
