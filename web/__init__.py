"""gongkai: web. The Flask app (search, documents, API) and the separate raw origin for archived originals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .raw import make_raw_app
from .resources import close_app
from .settings import WebSettings
from .watch import WatchHooks

if TYPE_CHECKING:
    from flask import Flask

    from archive import DataDir
    from index import IndexSettings

__all__ = ["WatchHooks", "WebSettings", "close_app", "create_app", "make_raw_app"]


def is_web_url(value: object) -> bool:
    """Only http(s) URLs become links; anything else an archive holds is shown as text."""
    if not isinstance(value, str):
        return False
    try:
        return urlsplit(value.strip()).scheme.lower() in ("http", "https")
    except ValueError:
        return False


def create_app(
    settings: WebSettings,
    *,
    data_dir: DataDir,
    index_settings: IndexSettings,
    enable_unsafe_test_routes: bool = False,
    watch: WatchHooks | None = None,
    index_cache: Any = None,
) -> Flask:
    """Build the app; blueprints are imported here, not at module import (flaskr's pattern).

    `watch` (from the composition root) gives `/watch` the watcher's state and, when it carries `save_alert`,
    turns on the token-protected write side; without it the site is read-only. `index_cache` (default: a Whoosh
    `IndexCache`) lends each request its searcher: the composition root passes the configured backend's. `enable_unsafe_test_routes` exists only for the isolation test's positive control; it is a keyword of this
    function, not a setting, so no config file or environment variable can switch it on.
    """
    from flask import Flask, Response
    from flask.logging import default_handler

    from index import IndexCache

    from . import agencies, documents, errors, exports, openapi, search
    from . import watch as watch_views
    from .budget import install_budget
    from .resources import WebContext, install_context
    from .security import add_app_headers
    from .snippets import safe_snippet
    from .timefmt import beijing_time

    app = Flask(__name__)
    app.config.update(
        DEBUG=False,
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    # gongkai.logs configures the handlers; Flask's own would print every traceback a second time.
    app.logger.removeHandler(default_handler)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    install_context(
        app,
        WebContext(
            settings=settings,
            data_dir=data_dir,
            index_settings=index_settings,
            index_cache=index_cache if index_cache is not None else IndexCache(),
            enable_unsafe_test_routes=enable_unsafe_test_routes,
        ),
    )
    app.register_blueprint(search.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(agencies.bp)
    watch_views.install(app, watch)
    errors.register_error_handlers(app)
    install_budget(app, settings, errors.refusal)
    app.jinja_env.filters["snippet"] = safe_snippet
    app.jinja_env.filters["beijing"] = beijing_time
    app.jinja_env.tests["web_url"] = is_web_url
    if enable_unsafe_test_routes:
        app.add_url_rule("/test-only/unsafe-original/<doc_id>", "unsafe_original", documents.unsafe_original)

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_app_headers(response, settings.raw_origin)

    return app
