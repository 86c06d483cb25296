"""Per-request resources on `g`: a read-only catalogue and a fresh index searcher, closed on teardown.

Whoosh searchers are not shared across threads (docs/STYLE.md anti-pattern 9) and SQLite connections are not either,
so each request opens its own, lazily, and `close_resources` releases them whatever happened. A PostgreSQL
catalogue comes from a pool instead (a new connection costs more than a search) and goes back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g

from archive import Capture, Catalogue, DataDir, RawResponse, read_raw
from archive.pool import CataloguePool
from index import IndexCache, IndexSettings, Searcher

from .settings import WebSettings


@dataclass(frozen=True)
class WebContext:
    """Everything the views need, fixed when the app is built (config is loaded once, at the edge)."""

    settings: WebSettings
    data_dir: DataDir
    index_settings: IndexSettings | None = None
    enable_unsafe_test_routes: bool = False
    # arrays and recent results shared by this app's request threads; each request still opens its own searcher
    index_cache: IndexCache | None = None


def install_context(app: Flask, context: WebContext) -> None:
    app.extensions["gongkai"] = context
    app.teardown_appcontext(close_resources)


def close_app(app: Flask) -> None:
    """Close what an app keeps between requests (pooled catalogues, the index cache's idle connections) when its
    server stops, rather than leave open PostgreSQL connections to the garbage collector."""
    pool = app.extensions.pop("gongkai_catalogues", None)
    if pool is not None:
        pool.close()
    context = app.extensions.get("gongkai")
    close = getattr(context and context.index_cache, "close", None)
    if close is not None:
        close()


def web_context() -> WebContext:
    context: WebContext = current_app.extensions["gongkai"]
    return context


def get_catalogue() -> Catalogue:
    if "catalogue" not in g:
        g.catalogue = catalogue_pool().checkout()
    catalogue: Catalogue = g.catalogue
    return catalogue


def catalogue_pool() -> CataloguePool:
    """This app's read-only catalogues (kept open between requests for PostgreSQL, archive/pool.py)."""
    extensions = current_app.extensions
    if "gongkai_catalogues" not in extensions:
        extensions["gongkai_catalogues"] = CataloguePool(web_context().data_dir.catalogue_target)
    pool: CataloguePool = extensions["gongkai_catalogues"]
    return pool


def get_searcher() -> Searcher:
    if "searcher" not in g:
        context = web_context()
        if context.index_settings is None:
            raise RuntimeError("this app was built without index settings")
        if context.index_cache is not None:
            g.searcher = context.index_cache.checkout(context.data_dir.index_dir, context.index_settings)
        else:
            g.searcher = Searcher(context.data_dir.index_dir, context.index_settings).__enter__()
    found: Searcher = g.searcher
    return found


def read_capture(capture: Capture) -> RawResponse:
    """The archived response of a capture, read without opening the archive for writing (no recovery run)."""
    raw: RawResponse = read_raw(get_catalogue(), web_context().data_dir.warcs_dir, capture)
    return raw


def release_searcher() -> None:
    """Close this request's searcher early (a streamed export needs only the catalogue after its one search)."""
    searcher: Any = g.pop("searcher", None)
    if searcher is not None:
        searcher.__exit__(None, None, None)


def close_resources(exc: BaseException | None = None) -> None:
    searcher: Any = g.pop("searcher", None)
    catalogue: Any = g.pop("catalogue", None)
    try:
        if searcher is not None:
            cache = web_context().index_cache
            if cache is not None and exc is None:
                cache.checkin(searcher)
            else:
                searcher.close()
    finally:
        if catalogue is not None:
            catalogue_pool().checkin(catalogue, failed=exc is not None)
