"""Serve the web UI and the raw origin of archived originals under waitress, in one process.

Archived pages are third-party HTML, so they are served from their own origin (a second port): the app's CSP
frames only that origin and the raw responses carry the sandbox CSP. Both listening sockets are bound first,
so port 0 works and the origins the apps are told are the real ones.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from waitress.server import create_server

from gongkai.config import Config
from web import create_app, make_raw_app

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


def build_server(
    cfg: Config,
    *,
    host: str,
    port: int,
    raw_port: int | None = None,
    threads: int = 4,
    sockets: tuple[socket.socket, socket.socket] | None = None,
) -> tuple[Server, str]:
    """Bind both ports (unless `sockets` from bind_ports) and return (waitress server, UI URL);
    `server.run()` serves until interrupted."""
    app_sock, raw_sock = sockets or bind_ports(host, port, raw_port)
    actual_port = app_sock.getsockname()[1]
    actual_raw = raw_sock.getsockname()[1]
    web_settings = cfg.web
    if not _explicit_origins(cfg):
        web_settings = dataclasses.replace(
            cfg.web, app_origin=_origin(host, actual_port), raw_origin=_origin(host, actual_raw)
        )
    app = create_app(web_settings, data_dir=cfg.data_dir, index_settings=cfg.index)
    threading.Thread(target=_warm, args=(app,), name="gongkai-warm", daemon=True).start()
    raw_app = make_raw_app(web_settings, data_dir=cfg.data_dir)
    raw_port_text = str(actual_raw)

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target: WSGIApp = raw_app if environ.get("SERVER_PORT") == raw_port_text else app
        return target(environ, start_response)

    for sock in (app_sock, raw_sock):
        sock.listen(128)
    server: Server = create_server(dispatch, sockets=[app_sock, raw_sock], threads=threads, ident="gongkai")
    return server, _origin(host, actual_port) + "/"


def _warm(app: Any) -> None:
    """Load the accountability snapshot before the first visitor asks for /agencies (0.5 s at 8,000 documents)."""
    from web.agencies import warm

    try:
        warm(app)
    except Exception as exc:  # no catalogue yet, or a damaged one: the request will say so, not this thread
        logger.debug("agencies warm-up skipped: %s", exc)


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
