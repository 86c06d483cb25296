"""gov-sim: the demo site plus the pathologies of docs/TESTPLAN.md section 5, on 127.0.0.1 port 0.

The base site (demosite.site.DemoSite) answers every path the pathologies do not claim. The pathologies need
control over the socket (stalls, drips, endless bodies), so this is its own threaded server. Its access log
records start and end of every request; a response the client abandoned is marked `aborted`, and its end is the
moment the server noticed (it polls the socket, so that is within a few milliseconds).
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import io
import json
import multiprocessing
import select
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from demosite.site import DemoSite
from govsim.pages import JSL, PATHOLOGY_LINKS, RUISHU, login_page, soft404, verify_page

ROBOTS = "User-agent: *\nDisallow: /module/search/\nDisallow: /patho/secret\n"


@dataclass(frozen=True)
class Hit:
    start: float
    end: float
    method: str
    path_qs: str
    status: int
    headers: dict[str, str]
    bytes_sent: int
    aborted: bool = False


@dataclass
class Timings:
    """Scaled-down times: a stall longer than the client's read timeout, a drip longer than its deadline."""

    stall_s: float = 3.0
    drip_interval_s: float = 0.02
    drip_bytes: int = 400
    big_bytes: int = 64 * 1024 * 1024
    bomb_bytes: int = 64 * 1024 * 1024
    retry_after_s: int = 1


@dataclass
class GovSim:
    """The base site, the pathologies and per-path counters (503-then-200, 429-then-200)."""

    base: DemoSite | None = None
    timings: Timings = field(default_factory=Timings)
    robots: str | None = ROBOTS
    robots_status: int = 200
    flaky_paths: frozenset[str] = frozenset()  # answer 503 twice, then the base site
    throttled_paths: frozenset[str] = frozenset()  # answer 429 + Retry-After once, then the base site
    extra_links: tuple[str, ...] = ()  # more links on /patho/index.html (absolute or relative)
    only_extra_links: bool = False  # /patho/index.html links only `extra_links`
    jpaas_ignores_page_no: bool = True  # the unit API answers page 1 whatever pageNo says (seen from abroad)
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lock", None)  # a lock does not cross into the server process; it gets a fresh one
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def count(self, path: str) -> int:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]

    def bomb(self) -> bytes:
        return _bomb_bytes(self.timings.bomb_bytes)


@functools.lru_cache(maxsize=2)
def _bomb_bytes(size: int) -> bytes:
    """Compressed once per process (about half a second), before any client can time out waiting for it; a MiB
    at a time, so that making the bomb does not cost its own size in memory."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        block = b"\0" * (1024 * 1024)
        for start in range(0, size, len(block)):
            gz.write(block[: size - start])
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _GovSimServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the access log is the record."""

    def setup(self) -> None:
        super().setup()
        # headers and body go out as two writes; without this, Nagle + delayed ACK add 40 ms to every response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._start = time.monotonic()
        self._sent = 0
        self._aborted = False
        self._status = 0
        sim = self.server.sim
        path = self.path.split("?", 1)[0]
        handler: Callable[[], None] | None = getattr(
            self, "_p_" + path.rsplit("/", 1)[-1].replace(".", "_"), None
        )
        try:
            if path.startswith("/patho/trap/"):
                self._trap(path)
            elif path.startswith("/patho/") and handler is not None:
                handler()
            elif path.startswith("/api-gateway/jpaas-publish-server/"):
                self._unit_api()
            elif path == "/robots.txt" and sim.robots is not None:
                self._send(sim.robots_status, sim.robots.encode(), "text/plain")
            elif path in sim.flaky_paths and sim.count(path) <= 2:
                self._send(503, b"<html><body>busy</body></html>", "text/html")
            elif path in sim.throttled_paths and sim.count(path) <= 1:
                self._send(429, b"slow down", "text/plain", [("Retry-After", str(sim.timings.retry_after_s))])
            else:
                self._base()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self._aborted = True
            self.close_connection = True
        self._log()

    do_HEAD = do_GET

    def _log(self) -> None:
        headers = {k: v for k, v in self.headers.items()}
        self.server.log.append(
            Hit(
                self._start,
                time.monotonic(),
                self.command,
                self.path,
                self._status,
                headers,
                self._sent,
                self._aborted,
            )
        )

    # -- helpers ----------------------------------------------------------------------------------------------

    def _head(self, status: int, headers: list[tuple[str, str]]) -> None:
        self._status = status
        self.send_response_only(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Date", formatdate(usegmt=True))
        self.end_headers()

    def _send(self, status: int, body: bytes, ctype: str, extra: list[tuple[str, str]] | None = None) -> None:
        self._head(status, [("Content-Type", ctype), ("Content-Length", str(len(body))), *(extra or [])])
        self.wfile.write(body)
        self.wfile.flush()
        self._sent = len(body)

    def _client_gone(self) -> bool:
        sock: socket.socket = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _wait(self, seconds: float) -> bool:
        """Sleep in small steps; False as soon as the client hung up."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if self._client_gone():
                self._aborted = True
                self.close_connection = True
                return False
            time.sleep(0.005)
        return True

    def _base(self) -> None:
        sim = self.server.sim
        if sim.base is None:
            self._send(404, b"<html><body>not here</body></html>", "text/html")
            return
        headers = {k: v for k, v in self.headers.items()}
        response = sim.base.respond(self.command, self.path, headers)
        self._status = response.status
        self.send_response_only(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Date", formatdate(usegmt=True))
        if response.status != 304 and not any(k.lower() == "content-length" for k, _ in response.headers):
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)
        self.wfile.flush()
        self._sent = len(response.body)

    def _trap(self, path: str) -> None:
        """Crawler traps: an endless calendar, a path that repeats itself, a query that grows on every page."""
        query = self.path.partition("?")[2]
        month = sum(1 for part in path.split("/") if part == "m") if "/cal/" in path else 0
        links = [
            f"/patho/trap/cal/{'m/' * (month + 1)}index.html",
            f"{path.rsplit('/', 1)[0]}/a/index.html",
            f"{path}?{query}x" if query else f"{path}?q=x",
            f"{path};jsessionid={time.monotonic_ns()}",
        ]
        body = "".join(f'<a href="{link}">下一页</a>' for link in links)
        page = f"<html><head><meta charset='utf-8'><title>日历</title></head><body>{body}</body></html>"
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def _unit_api(self) -> None:
        """A JPaaS unit reply: 40 items, 15 per page; page 1 for every pageNo when the switch says so."""
        from urllib.parse import parse_qs, urlsplit

        page_no = int(parse_qs(urlsplit(self.path).query).get("pageNo", ["1"])[0])
        if self.server.sim.jpaas_ignores_page_no:
            page_no = 1
        items = "".join(
            f'<li><a title="标题{page_no}-{i}" href="/col/col1229/art/2024/art_{page_no:02d}{i:030x}.html">x</a>'
            f"<span>2024-01-02</span></li>"
            for i in range(15 if page_no < 3 else 10)
        )
        pager = f'<div class="pager" count="40" rows="15" pageNo="{page_no}"></div>'
        body = json.dumps({"success": True, "code": 200, "data": {"html": f"<ul>{items}</ul>{pager}"}})
        self._send(200, body.encode(), "application/json;charset=UTF-8")

    # -- pathologies (method names follow the last path segment) -----------------------------------------------

    def _p_jpaas_html(self) -> None:
        body = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>信息公开</title></head><body>"
            '<script src="/module/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/'
            "build/unit\" queryData=\"{'webId':'3096','pageId':'1229','parseType':'bulidstatic','pageType':"
            "'column','tagId':'信息列表','tplSetId':'52'}\"></script></body></html>"
        )
        self._send(200, body.encode(), "text/html; charset=utf-8")

    def _p_index_html(self) -> None:
        sim = self.server.sim
        targets = sim.extra_links if sim.only_extra_links else (*PATHOLOGY_LINKS, *sim.extra_links)
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in targets)
        body = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>异常页面</title></head><body><ul>{links}</ul></body></html>'
        self._send(200, body.encode(), "text/html; charset=utf-8")

    def _p_ruishu_html(self) -> None:
        cookie = [("Set-Cookie", "FSSBBIl1UgzbN7NS=60ZfQx; Path=/; HttpOnly")]
        self._send(412, RUISHU.encode(), "text/html", cookie)

    def _p_ruishu202_html(self) -> None:
        self._send(202, RUISHU.encode(), "text/html", [("Set-Cookie", "NOh8RTWx6K2dS=60Zf; Path=/")])

    def _p_jsl_html(self) -> None:
        self._send(521, JSL.encode(), "text/html", [("Set-Cookie", "__jsluid_s=6f3c2a; Path=/; HttpOnly")])

    def _p_verify_html(self) -> None:
        self._send(200, verify_page().encode(), "text/html; charset=utf-8")

    def _p_missing_html(self) -> None:
        self._send(200, soft404().encode(), "text/html; charset=utf-8")

    def _p_login_html(self) -> None:
        self._send(200, login_page().encode(), "text/html; charset=utf-8")

    def _p_secret_html(self) -> None:
        self._send(
            200,
            b"<html><head><title>secret</title></head><body>disallowed by robots</body></html>",
            "text/html",
        )

    def _p_fake_pdf(self) -> None:
        self._send(200, soft404().replace("提示信息", "下载").encode(), "application/pdf")

    def _p_loop1_html(self) -> None:
        self._send(302, b"", "text/html", [("Location", "/patho/loop2.html")])

    def _p_loop2_html(self) -> None:
        self._send(302, b"", "text/html", [("Location", "/patho/loop1.html")])

    def _p_chain_html(self) -> None:
        n = int(self.path.rsplit("n=", 1)[-1]) if "n=" in self.path else 0
        self._send(302, b"", "text/html", [("Location", f"/patho/chain.html?n={n + 1}")])

    def _p_ftp_html(self) -> None:
        self._send(302, b"", "text/html", [("Location", "ftp://127.0.0.1/file.txt")])

    def _p_stall_html(self) -> None:
        self._status = 200
        if self._wait(self.server.sim.timings.stall_s):
            self._send(200, b"<html><body>late</body></html>", "text/html")

    def _p_drip_html(self) -> None:
        t = self.server.sim.timings
        self._head(200, [("Content-Type", "text/html"), ("Content-Length", str(t.drip_bytes))])
        for _ in range(t.drip_bytes):
            if not self._wait(t.drip_interval_s):
                return
            self.wfile.write(b"x")
            self.wfile.flush()
            self._sent += 1

    def _p_big_html(self) -> None:
        total = self.server.sim.timings.big_bytes
        self._head(200, [("Content-Type", "text/html"), ("Content-Length", str(total))])
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        while self._sent < total:
            if self._client_gone():
                self._aborted = True
                self.close_connection = True
                return
            self.wfile.write(chunk)
            self._sent += len(chunk)

    def _p_bomb_html(self) -> None:
        body = self.server.sim.bomb()
        self._send(200, body, "text/html", [("Content-Encoding", "gzip")])

    def _p_dups_html(self) -> None:
        sim = self.server.sim
        host = str(self.server.server_address[0])
        port = int(self.server.server_address[1])
        links: list[str] = []
        docs = sim.base.documents[:3] if sim.base is not None else []
        for doc in docs:
            p = doc.path
            links += [
                p,
                f"{p}#top",
                f"{p}?from=timeline",
                f"http://{host.upper()}:{port}{p}#x",
                f"//{host}:{port}{p}",
                f"./../..{p}",
            ]
        links += ["javascript:void(0)", "mailto:gk@example.org", "/patho/secret.html", "/patho/fake.pdf"]
        body = "".join(f'<a href="{link}">链接</a>' for link in links)
        self._send(
            200,
            f"<html><head><meta charset='utf-8'><title>链接</title></head><body>{body}</body></html>".encode(),
            "text/html; charset=utf-8",
        )


class _GovSimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], sim: GovSim) -> None:
        self.sim = sim
        self.log = _Log()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (the kill test's SIGKILL, an abandoned drip) is expected here, not an error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, TimeoutError)):
            return
        super().handle_error(request, client_address)


@dataclass
class _Log:
    _hits: list[Hit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    path: Path | None = None  # in a server process: one JSON line per hit, read back by the test process

    def append(self, hit: Hit) -> None:
        with self._lock:
            if self.path is None:
                self._hits.append(hit)
                return
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(dataclasses.asdict(hit), ensure_ascii=False) + "\n")

    def entries(self) -> list[Hit]:
        with self._lock:
            if self.path is None:
                hits = list(self._hits)
            else:
                lines = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
                hits = [Hit(**json.loads(line)) for line in lines if line.endswith("}")]
        return sorted(hits, key=lambda h: h.start)


@dataclass
class RunningGovSim:
    url: str
    log: _Log
    sim: GovSim

    def hits(self) -> list[Hit]:
        return self.log.entries()

    def paths(self) -> list[str]:
        return [h.path_qs for h in self.hits()]


@contextmanager
def serve_govsim(sim: GovSim, host: str = "127.0.0.1", *, process: bool = False) -> Iterator[RunningGovSim]:
    """Serve in a thread, or (`process=True`) in a separate process so its timestamps are not skewed by the
    crawler holding the GIL (the politeness oracle needs that; switches like `sim.base = ...` then do not apply)."""
    if process:
        with _serve_in_process(sim, host) as running:
            yield running
        return
    sim.bomb()
    httpd = _GovSimServer((host, 0), sim)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield RunningGovSim(f"http://{host}:{httpd.server_address[1]}", httpd.log, sim)
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def _child(sim: GovSim, host: str, log_path: str, ports: Any) -> None:
    # a handler thread stamps its end right after its last write, not up to 5 ms later when another server
    # thread (a drip, the log writer) hands over the GIL
    sys.setswitchinterval(1e-4)
    sim.bomb()
    httpd = _GovSimServer((host, 0), sim)
    httpd.log.path = Path(log_path)
    ports.send(int(httpd.server_address[1]))
    ports.close()
    httpd.serve_forever(poll_interval=0.05)


@contextmanager
def _serve_in_process(sim: GovSim, host: str) -> Iterator[RunningGovSim]:
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="govsim-") as tmp:
        log_path = Path(tmp) / "access.jsonl"
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(sim, host, str(log_path), send), daemon=True)
        proc.start()
        send.close()
        try:
            if not receive.poll(60):
                raise RuntimeError("gov-sim server process did not start")
            port = int(receive.recv())
            yield RunningGovSim(f"http://{host}:{port}", _Log(path=log_path), sim)
        finally:
            receive.close()
            proc.terminate()
            proc.join(10)
