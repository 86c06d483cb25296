"""A threaded loopback HTTP server for a DemoSite, with an access log that tests use as their oracle.

The log records every request (also 304s and 404s) with monotonic start and end times, so politeness, robots
and re-fetch counts can be checked from the server's side. The server never writes to stderr per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from demosite.site import DemoSite


@dataclass(frozen=True)
class AccessEntry:
    start: float  # time.monotonic() when the request line was read
    end: float  # time.monotonic() when all but the last byte of the response was written
    method: str
    path_qs: str
    status: int
    headers: dict[str, str]  # request headers (last value wins)
    bytes_sent: int  # body bytes (0 for HEAD and 304)


class AccessLog(list[AccessEntry]):
    """A list of AccessEntry that handler threads append to under a lock; `entries()` is a snapshot copy."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def append(self, entry: AccessEntry) -> None:
        with self._lock:
            super().append(entry)

    def entries(self) -> list[AccessEntry]:
        with self._lock:
            return list(self)

    def paths(self) -> list[str]:
        return [e.path_qs for e in self.entries()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes; with Nagle on, the body waits for the client's delayed ACK (~40 ms
    # per response on Linux loopback), which made a 360-page crawl take 17 s instead of well under one.
    disable_nagle_algorithm = True
    server: _DemoHTTPServer

    def _serve(self) -> None:
        start = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {key: value for key, value in self.headers.items()}
        response = self.server.site.respond(self.command, self.path, headers, body)
        lines = [f"{self.protocol_version} {response.status} {HTTPStatus(response.status).phrase}"]
        lines += [f"{key}: {value}" for key, value in response.headers]
        lines.append(f"Date: {formatdate(usegmt=True)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command != "HEAD":
            data += response.body
        # Log before the last byte leaves: a client that has the whole response always finds its entry.
        self.wfile.write(data[:-1])
        self.wfile.flush()
        entry = AccessEntry(
            start, time.monotonic(), self.command, self.path, response.status, headers, len(response.body)
        )
        self.server.access_log.append(entry)
        self.wfile.write(data[-1:])
        self.wfile.flush()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the access log is the record."""


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], site: DemoSite) -> None:
        self.site = site
        self.access_log = AccessLog()
        super().__init__(address, _Handler)


class RunningSite:
    """A DemoSite served on loopback; `url` has no trailing slash."""

    def __init__(self, httpd: _DemoHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self.host = str(httpd.server_address[0])
        self.port = int(httpd.server_address[1])
        self.url = f"http://{self.host}:{self.port}"
        self.access_log = httpd.access_log
        self.site = httpd.site

    def switch(self, site: DemoSite) -> None:
        """Serve `site` from the next request on (a re-crawl then sees its changes and removals)."""
        self._httpd.site = site
        self.site = site

    def stop(self) -> None:
        """Stop accepting requests and close the socket; idempotent."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()


@contextmanager
def serve_site(site: DemoSite, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningSite]:
    """Serve `site` in a daemon thread until the block ends (port 0: the OS picks a free port)."""
    httpd = _DemoHTTPServer((host, port), site)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    running = RunningSite(httpd, thread)
    try:
        yield running
    finally:
        running.stop()
