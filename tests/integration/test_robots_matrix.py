"""docs/TESTPLAN.md C7: robots.txt decisions, 30 cases (RFC 9309 and the edge cases that trip common parsers).

Each case serves a robots.txt (status, body, delay) from a loopback server and asks `RobotsCache`, the crawler's
only gate, about URLs whose answer is known: every URL listed as disallowed must be refused and every URL listed
as allowed must pass. `test_robots_matrix` in test_crawl_fetch.py shows the crawl obeys the gate."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from govsim.harness import fast_settings

from crawler.fetch import Fetcher
from crawler.robots import RobotsCache


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class Server:
    """Serves `replies[path]` (robots.txt and anything else a case needs); counts requests per path."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.requests: list[str] = []
        replies, requests = self.replies, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                requests.append(self.path)
                reply = replies.get(self.path, Reply(404, b"not found"))
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@contextmanager
def serving() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@contextmanager
def gate(server: Server, ttl_s: float = 3600.0) -> Iterator[RobotsCache]:
    # the harness's UA, gongkai-test/0.1: its group and the "gongkai" group are both checked
    fetcher = Fetcher(fast_settings(delay_s=0.0, backoff_base_s=0.01))
    try:
        yield RobotsCache(fetcher, ttl_s=ttl_s, max_bytes=500 * 1024)
    finally:
        fetcher.close()


PAD = "# " + "x" * 1000 + "\n"

CASES: list[tuple[str, str, int, list[str], list[str]]] = [
    # (case, robots.txt, status, allowed paths, disallowed paths)
    ("empty file", "", 200, ["/", "/a/b.html"], []),
    ("disallow all", "User-agent: *\nDisallow: /\n", 200, [], ["/", "/index.html", "/a/b?c=d"]),
    ("empty disallow allows all", "User-agent: *\nDisallow:\n", 200, ["/", "/x.html"], []),
    (
        "longest match wins",
        "User-agent: *\nDisallow: /a\nAllow: /a/b\n",
        200,
        ["/a/b", "/a/b/c.html", "/b"],
        ["/a", "/a/c.html", "/abc"],
    ),
    ("allow wins a tie", "User-agent: *\nDisallow: /page\nAllow: /page\n", 200, ["/page"], []),
    (
        "wildcard inside",
        "User-agent: *\nDisallow: /*.pdf\n",
        200,
        ["/a.doc", "/pdf"],
        ["/a.pdf", "/x/y.pdfx"],
    ),
    (
        "end anchor",
        "User-agent: *\nDisallow: /*.pdf$\n",
        200,
        ["/a.pdf?x=1", "/a.pdfx"],
        ["/a.pdf", "/x/b.pdf"],
    ),
    ("trailing wildcard is redundant", "User-agent: *\nDisallow: /private*\n", 200, ["/pub"], ["/private/a"]),
    (
        "our group beats *",
        "User-agent: gongkai\nAllow: /\n\nUser-agent: *\nDisallow: /\n",
        200,
        ["/", "/a.html"],
        [],
    ),
    (
        "our group disallows, * allows",
        "User-agent: *\nAllow: /\n\nUser-agent: gongkai\nDisallow: /\n",
        200,
        [],
        ["/", "/a.html"],
    ),
    ("user-agent is case-insensitive", "User-agent: GONGKAI\nDisallow: /x/\n", 200, ["/y/"], ["/x/a.html"]),
    ("other robots' groups do not apply", "User-agent: Baiduspider\nDisallow: /\n", 200, ["/a.html"], []),
    (
        "several user-agent lines share a group",
        "User-agent: Googlebot\nUser-agent: gongkai\nDisallow: /shared/\n",
        200,
        ["/mine/"],
        ["/shared/a.html"],
    ),
    (
        "groups for the same agent are merged",
        "User-agent: gongkai\nDisallow: /one/\n\nUser-agent: other\nDisallow: /\n\nUser-agent: gongkai\n"
        "Disallow: /two/\n",
        200,
        ["/three/"],
        ["/one/a", "/two/a"],
    ),
    (
        "percent-encoded rule, raw URL",
        "User-agent: *\nDisallow: /%E5%85%AC%E5%BC%80/\n",
        200,
        ["/open/"],
        ["/%E5%85%AC%E5%BC%80/a.html"],
    ),
    (
        "UTF-8 rule, encoded URL",
        "User-agent: *\nDisallow: /公开/\n",
        200,
        ["/open/"],
        ["/%E5%85%AC%E5%BC%80/a.html"],
    ),
    (
        "comments ignored",
        "# whole line\nUser-agent: * # trailing\nDisallow: /c/ # why\n",
        200,
        ["/d/"],
        ["/c/a.html"],
    ),
    ("byte order mark", "\ufeffUser-agent: *\nDisallow: /bom/\n", 200, ["/ok/"], ["/bom/a.html"]),
    ("CRLF line endings", "User-agent: *\r\nDisallow: /crlf/\r\n", 200, ["/ok/"], ["/crlf/a.html"]),
    (
        "unknown directives ignored",
        "User-agent: *\nSitemap: /sitemap.xml\nHost: example.org\nClean-param: ref\nDisallow: /u/\n",
        200,
        ["/v/"],
        ["/u/a.html"],
    ),
    (
        "query strings",
        "User-agent: *\nDisallow: /search?q=\n",
        200,
        ["/search", "/search?p=1"],
        ["/search?q=x"],
    ),
    (
        "rules before any user-agent",
        "Disallow: /early/\nUser-agent: *\nDisallow: /late/\n",
        200,
        ["/early/a"],
        ["/late/a"],
    ),
    (
        "garbage lines skipped",
        "User-agent: *\nthis is not a rule\nDisallow /nocolon/\nDisallow: /g/\n",
        200,
        ["/h/"],
        ["/g/a"],
    ),
    ("whitespace around values", "User-agent:   *   \nDisallow:    /ws/   \n", 200, ["/x/"], ["/ws/a"]),
    ("robots.txt itself always allowed", "User-agent: *\nDisallow: /\n", 200, ["/robots.txt"], ["/a"]),
    ("404: no rules", "", 404, ["/", "/a.html"], []),
    ("410: no rules", "", 410, ["/", "/a.html"], []),
    ("500: everything disallowed", "", 500, [], ["/", "/a.html"]),
    ("401: permission unknown, disallowed", "", 401, [], ["/a.html"]),
    (
        "file over 500 KiB: rules past the limit ignored",
        "User-agent: *\nDisallow: /early/\n" + PAD * 560 + "Disallow: /late/\n",
        200,
        ["/late/a"],
        ["/early/a"],
    ),
]


@pytest.mark.parametrize(
    ("robots", "status", "allowed", "disallowed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_robots_decisions(robots: str, status: int, allowed: list[str], disallowed: list[str]) -> None:
    with serving() as server, gate(server) as robots_gate:
        server.replies["/robots.txt"] = Reply(status, robots.encode("utf-8"))
        robots_gate.check(server.url + "/")
        asked = server.requests.count("/robots.txt")  # once; a 5xx is retried by the fetcher's back-off
        wrongly_blocked = [p for p in allowed if not robots_gate.check(server.url + p).allowed]
        wrongly_allowed = [p for p in disallowed if robots_gate.check(server.url + p).allowed]
        assert asked == (robots_gate.fetcher.settings.max_attempts if status >= 500 else 1)
        assert server.requests.count("/robots.txt") == asked  # cached for the crawl
    assert wrongly_blocked == [] and wrongly_allowed == []


def test_the_matrix_has_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_unavailable_robots_is_asked_again_after_the_ttl() -> None:
    """5xx or timeout: the host is disallowed for now, and asked again later (here: after a 0.3 s TTL)."""
    with serving() as server, gate(server, ttl_s=0.3) as robots_gate:
        server.replies["/robots.txt"] = Reply(503, b"busy")
        verdict = robots_gate.check(server.url + "/a.html")
        assert not verdict.allowed and verdict.reason == "robots:unavailable:http_503"
        server.replies["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /b/\n")
        assert not robots_gate.check(server.url + "/a.html").allowed  # still cached
        time.sleep(0.35)
        assert robots_gate.check(server.url + "/a.html").allowed
        assert not robots_gate.check(server.url + "/b/x.html").allowed


def test_robots_timeout_disallows_the_host() -> None:
    with serving() as server, gate(server) as robots_gate:
        server.replies["/robots.txt"] = Reply(200, b"User-agent: *\nAllow: /\n", delay_s=1.5)
        verdict = robots_gate.check(server.url + "/a.html")
    assert (
        not verdict.allowed and verdict.reason is not None and verdict.reason.startswith("robots:unavailable")
    )


def test_robots_redirect_on_the_same_host_is_followed() -> None:
    """RFC 9309 2.3.1.2: follow at least five redirects; the rules at the end apply."""
    with serving() as server, gate(server) as robots_gate:
        server.replies["/robots.txt"] = Reply(301, b"", headers={"Location": "/robots-real.txt"})
        server.replies["/robots-real.txt"] = Reply(200, b"User-agent: *\nDisallow: /moved/\n")
        assert robots_gate.check(server.url + "/a.html").allowed
        assert not robots_gate.check(server.url + "/moved/a.html").allowed
