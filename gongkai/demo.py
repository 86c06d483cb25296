"""`gongkai demo`: generate the demo site, serve it on loopback, crawl it, index it, serve the UI."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from archive import Catalogue
from crawler import CrawlSettings
from demosite.server import RunningSite, serve_site
from demosite.site import DemoSite
from gongkai.config import Config
from gongkai.jobs import JobError, run_crawl

DEMO_SEED = 20210226  # the seed page's date: the same demo site every time


def demo_crawl_settings(cfg: Config) -> CrawlSettings:
    """Politeness is for other people's servers: the demo site is ours, on loopback, so no delay."""
    return dataclasses.replace(cfg.crawler, delay_s=0.0, max_pages=None)


def revisit_with_edits(cfg: Config, srv: RunningSite, seeds: list[str], echo: Callable[[str], Any]) -> None:
    """The editing agency's habit (demosite/habits.py): its site revises some documents and takes others down,
    and the demo re-crawls as often as a removal needs consecutive misses, so edits and removals are on record."""
    site = srv.site
    changed, removed = site.habit_switches()
    srv.switch(DemoSite(seed=site.seed, n_docs=site.n_docs, changed=changed, removed=removed, habits=True))
    for _ in range(max(1, cfg.archive.removed_after)):
        ok, reason = run_crawl(
            cfg, seeds, update_index_after=True, echo=echo, settings=demo_crawl_settings(cfg)
        )
        if not ok:
            raise JobError(reason)


def holds_demo(cfg: Config, site: DemoSite) -> bool:
    """The data dir already holds this demo (a re-run of `gongkai demo`): its archive has the demo's documents.

    A re-run is a re-check of the same site on a new port: it must find nothing changed (issue 15), so it is
    served in its edited state, the one the archive last saw.
    """
    if not cfg.data_dir.has_catalogue():
        return False
    paths = {d.path for d in site.documents[:20]}
    with Catalogue(cfg.data_dir.catalogue_target, readonly=True) as catalogue:
        for doc in catalogue.iter_documents():
            if urlsplit(doc.url).path in paths:
                return True
    return False


def run_demo(
    cfg: Config,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    serve: bool = True,
    n_docs: int = 320,
    echo: Callable[[str], Any] = print,
) -> None:
    from gongkai.serve import ServeError, bind_ports

    started = time.monotonic()
    sockets = None
    if serve:  # a busy port is reported now, not after the crawl
        try:
            sockets = bind_ports(host, port)
        except ServeError as exc:
            raise JobError(f"{exc} (试试 try `gongkai demo --port 0`)") from exc
    try:
        _crawl_and_serve(cfg, host, port, n_docs, sockets, started, echo)
    finally:
        for sock in sockets or ():
            sock.close()  # after serving, or when the crawl failed: the ports are given back


def _crawl_and_serve(
    cfg: Config,
    host: str,
    port: int,
    n_docs: int,
    sockets: tuple[socket.socket, socket.socket] | None,
    started: float,
    echo: Callable[[str], Any],
) -> None:
    from gongkai.serve import build_server, run_until_interrupted

    site = DemoSite(seed=DEMO_SEED, n_docs=n_docs, habits=True)
    rerun = holds_demo(cfg, site)
    if rerun:  # the archive saw the edits already: serve the site as it is now, not as it was before them
        changed, removed = site.habit_switches()
        site = DemoSite(seed=DEMO_SEED, n_docs=n_docs, changed=changed, removed=removed, habits=True)
    with serve_site(site, host="127.0.0.1", port=0) as srv:
        echo(f"演示站点 demo site: {srv.url}/  ({len(site.documents)} documents)")
        seeds = [srv.url + path for path in site.seed_paths]
        ok, reason = run_crawl(
            cfg, seeds, update_index_after=True, echo=echo, settings=demo_crawl_settings(cfg)
        )
        if not ok:
            raise JobError(reason)
        if not rerun:
            revisit_with_edits(cfg, srv, seeds, echo)
        echo(f"演示数据已就绪 demo ready in {time.monotonic() - started:.1f} s, data dir {cfg.data_dir.root}")
        if sockets is None:
            return
        server, url = build_server(cfg, host=host, port=port, sockets=sockets)
        run_until_interrupted(server, url, echo)
