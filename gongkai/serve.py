"""Serve the web UI and the raw origin of archived originals under waitress, in one process, two servers.

Archived pages are third-party HTML, so they are served from their own origin (a second port): the app's CSP
frames only that origin and the raw responses carry the sandbox CSP. Both listening sockets are bound first,
so port 0 works and the origins the apps are told are the real ones. Each origin has its own waitress server
(event loop and threads), a connection limit well above what idle sockets can hold and a short idle timeout,
so neither idle connections nor one busy origin can starve the other (issue 16 item 4).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from waitress import wasyncore
from waitress.server import create_server

from gongkai.config import Config
from index import search_cache
from web import WatchHooks, WebSettings, close_app, create_app, make_raw_app

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ServeError(RuntimeError):
    pass


class Server(Protocol):
    """What the CLI needs of waitress's server (waitress ships no type hints)."""

    def run(self) -> None: ...

    def close(self) -> None: ...


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(
            f"无法监听 {host}:{port}（端口已被占用？）/ cannot listen on {host}:{port}: {exc.strerror}"
        ) from None
    return sock


def bind_ports(host: str, port: int, raw_port: int | None = None) -> tuple[socket.socket, socket.socket]:
    """Both listening sockets, bound now: a busy port is found before any long work (the demo's crawl)."""
    app_sock = _bind(host, port)
    actual_port = app_sock.getsockname()[1]
    try:
        raw_sock = _bind(host, raw_port if raw_port is not None else (actual_port + 1 if port else 0))
    except ServeError:
        app_sock.close()
        raise
    return app_sock, raw_sock


def _origin(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class Servers:
    """The UI server and the raw origin's own server: two waitress servers, each with its own event loop and
    worker threads, so a flood of one origin (slow originals, idle sockets) cannot stall the other."""

    def __init__(self, app_server: Any, raw_server: Any, release: Callable[[], None] | None = None) -> None:
        self.app_server, self.raw_server = app_server, raw_server
        self._release = release  # the app's pooled connections, closed once both loops are over
        self._raw_thread: threading.Thread | None = None
        self._looping: set[int] = set()  # id() of the servers whose event loop is running

    def run(self) -> None:
        """Serve both until close() or KeyboardInterrupt; the raw origin runs in a thread of its own."""
        self._raw_thread = threading.Thread(
            target=self._serve, args=(self.raw_server,), name="gongkai-raw", daemon=True
        )
        self._raw_thread.start()
        self._serve(self.app_server)

    def _serve(self, server: Any) -> None:
        self._looping.add(id(server))
        try:
            server.run()
        finally:
            self._looping.discard(id(server))

    def close(self) -> None:
        """Stop both loops with every connection closed. The sockets are closed in each loop's own thread:
        closed from here, under a running select(), the loop raised EBADF (seen in CI), and waitress's own
        close() leaves open connections in the map, so the loop went on serving them."""
        for server in (self.app_server, self.raw_server):
            _stop(server, looping=id(server) in self._looping)
        if self._raw_thread is not None:
            self._raw_thread.join(timeout=5)
        if self._release is not None:
            self._release()


def _stop(server: Any, *, looping: bool) -> None:
    closed = threading.Event()

    def close_all() -> None:
        wasyncore.close_all(server._map, ignore_all=True)  # the map _waitress gave it; empty, the loop ends
        closed.set()

    if looping:
        with contextlib.suppress(Exception):
            server.trigger.pull_trigger(close_all)  # waitress runs the callable in the loop's thread
    if not closed.wait(5 if looping else 0):
        close_all()  # no loop (never started, or over): nothing races us
    server.task_dispatcher.shutdown(timeout=5)


def _waitress(app: WSGIApp, sock: socket.socket, settings: WebSettings, threads: int) -> Any:
    return create_server(
        app,
        map={},  # its own socket map: its own event loop
        sockets=[sock],
        threads=threads,
        ident=None,  # no Server header naming the software
        connection_limit=settings.connection_limit,
        channel_timeout=settings.channel_timeout_s,
        cleanup_interval=max(1, min(30, settings.channel_timeout_s // 2)),
        backlog=1024,
        asyncore_use_poll=True,  # poll(), not select(): no FD_SETSIZE (1024) cap under connection_limit
    )


def build_server(
    cfg: Config,
    *,
    host: str,
    port: int,
    raw_port: int | None = None,
    sockets: tuple[socket.socket, socket.socket] | None = None,
) -> tuple[Servers, str]:
    """Bind both ports (unless `sockets` from bind_ports) and return (servers, UI URL);
    `servers.run()` serves until interrupted."""
    app_sock, raw_sock = sockets or bind_ports(host, port, raw_port)
    actual_port = app_sock.getsockname()[1]
    actual_raw = raw_sock.getsockname()[1]
    web_settings = cfg.web
    if not _explicit_origins(cfg):
        web_settings = dataclasses.replace(
            cfg.web, app_origin=_origin(host, actual_port), raw_origin=_origin(host, actual_raw)
        )
    app = create_app(
        web_settings,
        data_dir=cfg.data_dir,
        index_settings=cfg.index,
        watch=watch_hooks(cfg),
        index_cache=search_cache(cfg.index),  # the configured backend (Whoosh or PostgreSQL)
    )
    threading.Thread(target=_warm, args=(app,), name="gongkai-warm", daemon=True).start()
    raw_app = make_raw_app(web_settings, data_dir=cfg.data_dir)
    for sock in (app_sock, raw_sock):
        sock.listen(1024)
    servers = Servers(
        _waitress(app, app_sock, web_settings, web_settings.threads),
        _waitress(raw_app, raw_sock, web_settings, web_settings.raw_threads),
        release=lambda: close_apps(app, raw_app),
    )
    return servers, _origin(host, actual_port) + "/"


def close_apps(*apps: Any) -> None:
    for app in apps:
        close_app(app)


def _warm(app: Any) -> None:
    """Load the accountability snapshot before the first visitor asks for /agencies (0.5 s at 8,000 documents)."""
    from web.agencies import warm

    try:
        warm(app)
    except Exception as exc:  # no catalogue yet, or a damaged one: the request will say so, not this thread
        logger.debug("agencies warm-up skipped: %s", exc)


def watch_hooks(cfg: Config) -> WatchHooks:
    """The watcher's state for /watch, and the write side (saving alerts) only when it is switched on."""
    from gongkai.watch.clock import SystemClock
    from gongkai.watch.status import save_alert, watch_status

    clock = SystemClock()

    def save(spec: dict[str, Any]) -> dict[str, Any]:
        return save_alert(cfg, clock, **spec)

    return WatchHooks(
        status=lambda: watch_status(cfg, clock),
        save_alert=save if cfg.watch.write_enabled else None,
        token=cfg.watch.write_token,
    )


def _explicit_origins(cfg: Config) -> bool:
    defaults = type(cfg.web)()
    return (cfg.web.app_origin, cfg.web.raw_origin) != (defaults.app_origin, defaults.raw_origin)


def run_until_interrupted(server: Server, url: str, echo: Callable[[str], Any]) -> None:
    echo(f"gongkai 检索服务 serving on {url}  (Ctrl-C 停止 to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        echo("已停止 stopped")
    finally:
        server.close()


def serve_forever(
    cfg: Config, *, host: str, port: int, raw_port: int | None, echo: Callable[[str], Any]
) -> None:
    from gongkai.jobs import JobError

    try:
        server, url = build_server(cfg, host=host, port=port, raw_port=raw_port)
    except ServeError as exc:
        raise JobError(str(exc)) from exc
    run_until_interrupted(server, url, echo)
