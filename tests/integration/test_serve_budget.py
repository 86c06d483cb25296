"""`gongkai serve` under waitress (issue 16 item 4): idle sockets cannot starve either origin, the origins have
their own servers, and no response names the server software. A real demo archive, a real server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.config import Config, load_config
from gongkai.serve import build_server

IDLE = 200  # more than waitress's default connection_limit of 100


@pytest.fixture(scope="module")
def demo_cfg(tmp_path_factory: pytest.TempPathFactory) -> Config:
    data_dir = tmp_path_factory.mktemp("served") / "data"
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "demo", "--no-serve", "--docs", "40"])
    assert result.exit_code == 0, result.output
    return load_config(data_dir, {"GONGKAI_WEB_RATE_PER_S": "1000", "GONGKAI_WEB_RATE_BURST": "1000"})


@pytest.fixture(scope="module")
def served(demo_cfg: Config) -> Iterator[tuple[str, str]]:
    cfg = demo_cfg
    servers, url = build_server(cfg, host="127.0.0.1", port=0)
    thread = threading.Thread(target=servers.run, daemon=True)
    thread.start()
    raw_port = servers.raw_server.effective_port
    try:
        yield url.rstrip("/"), f"http://127.0.0.1:{raw_port}"
    finally:
        servers.close()
        thread.join(timeout=5)


def _first_capture(app: str) -> str:
    hit = requests.get(f"{app}/api/search", params={"q": "公安"}, timeout=10).json()["hits"][0]
    record = requests.get(f"{app}/api/documents/{hit['id']}", timeout=10).json()
    return str(record["history"]["captures"][0]["capture_id"])


@pytest.mark.slow
def test_no_response_names_the_server_software(served: tuple[str, str]) -> None:
    app, raw = served
    capture = _first_capture(app)
    for url in (
        f"{app}/",
        f"{app}/api/search?q=公安",
        f"{app}/nope",
        f"{raw}/captures/{capture}",
        f"{raw}/x",
    ):
        response = requests.get(url, timeout=10)
        assert "Server" not in response.headers, url
        assert "waitress" not in " ".join(f"{k}: {v}" for k, v in response.headers.items()).lower(), url


@pytest.mark.slow
def test_idle_sockets_starve_neither_origin(served: tuple[str, str]) -> None:
    app, raw = served
    capture = _first_capture(app)
    with ExitStack() as stack:
        for base in (app, raw):
            host, port = base.rsplit("//", 1)[1].rsplit(":", 1)
            for n in range(IDLE):
                sock = stack.enter_context(socket.create_connection((host, int(port)), timeout=5))
                if n % 2:
                    sock.sendall(b"GET /api/search?q=")  # a request started and never finished
        time.sleep(0.3)  # let the servers accept them all
        started = time.monotonic()
        search = requests.get(f"{app}/api/search", params={"q": "公安"}, timeout=10)
        original = requests.get(f"{raw}/captures/{capture}", timeout=10)
        elapsed = time.monotonic() - started
    assert search.status_code == 200 and search.json()["total"] > 0
    assert original.status_code == 200 and original.headers["Content-Security-Policy"].startswith("sandbox")
    print(f"search and original with {IDLE} idle sockets on each origin: {elapsed:.3f} s")


def _open_idle(stack: ExitStack, base: str, count: int) -> None:
    host, port = base.rsplit("//", 1)[1].rsplit(":", 1)
    for n in range(count):
        sock = stack.enter_context(socket.create_connection((host, int(port)), timeout=5))
        if n % 2:
            sock.sendall(b"GET /api/search?q=")


@pytest.mark.slow
def test_closing_the_servers_under_open_connections_ends_both_loops_cleanly(
    demo_cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close() comes from another thread while each event loop waits on its sockets; CI once saw the loop's
    select() raise EBADF on a socket closed under it, an unhandled thread exception. Neither loop may raise."""
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    for _ in range(15):
        servers, url = build_server(demo_cfg, host="127.0.0.1", port=0)
        thread = threading.Thread(target=servers.run, daemon=True)
        thread.start()
        raw = f"http://127.0.0.1:{servers.raw_server.effective_port}"
        with ExitStack() as stack:
            assert requests.get(f"{url}api/search", params={"q": "公安"}, timeout=10).status_code == 200
            _open_idle(stack, url.rstrip("/"), 30)
            _open_idle(stack, raw, 30)
            time.sleep(0.05)
            servers.close()
            thread.join(timeout=5)
            assert servers._raw_thread is not None
            servers._raw_thread.join(timeout=5)
        assert not thread.is_alive() and not servers._raw_thread.is_alive()
    assert errors == []
