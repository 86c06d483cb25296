"""The raw origin: archived bytes exactly as captured, served from their own origin under the sandbox CSP.

A separate WSGI app (a second port in `gongkai serve`), so archived pages never share the app's origin. Every
response, errors included, carries `Content-Security-Policy: sandbox; default-src 'none' ...` and nosniff; only a
short allowlist of types is shown inline, everything else downloads under its original name.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

from flask import Flask, Response, abort

from archive import ArchiveError, Capture, CaptureNotFound, DataDir

from .budget import install_budget
from .queryargs import parse_id
from .resources import WebContext, get_catalogue, install_context, read_capture
from .security import add_raw_headers
from .settings import WebSettings

INLINE_TYPES = frozenset({"text/html", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp"})
_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')
_CD_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


def _mime(capture: Capture, header: str | None) -> str:
    value = capture.content_type or header or "application/octet-stream"
    return value.split(";", 1)[0].strip().lower() or "application/octet-stream"


def original_name(capture: Capture, content_disposition: str | None) -> str:
    """The file name the agency's server gave, else the one its URL carries, made safe for a header."""
    name = ""
    if content_disposition:
        match = _CD_FILENAME.search(content_disposition)
        if match:
            name = unquote(match.group(1))
    if not name:
        parts = urlsplit(capture.final_url or capture.url)
        query = parse_qs(parts.query)
        for key in ("filename", "fileName", "name"):
            if query.get(key):
                name = query[key][0]
                break
        else:
            name = unquote(parts.path.rsplit("/", 1)[-1])
    name = _BAD_NAME_CHARS.sub("_", name).strip(" ._")[:150]
    return name or f"capture-{capture.capture_id}"


def content_disposition(name: str) -> str:
    name = _BAD_NAME_CHARS.sub("_", name)
    fallback = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def serve_capture(capture_ref: str) -> Response:
    # Werkzeug's int converter takes any Unicode digit and leading zeros (/captures/１, /captures/01): one
    # capture, one address.
    capture_id = parse_id(capture_ref)
    if capture_id is None:
        abort(404)
    capture = get_catalogue().get_capture(capture_id)
    if capture.location is None:
        raise CaptureNotFound(capture_id)
    raw = read_capture(capture)
    mime = _mime(capture, raw.header("Content-Type"))
    if mime == "application/xhtml+xml":
        mime = "text/html"
    response = Response(raw.body)
    if mime in INLINE_TYPES:
        charset = capture.charset if mime.startswith("text/") else None
        response.headers["Content-Type"] = f"{mime}; charset={charset}" if charset else mime
    else:
        response.headers["Content-Type"] = "application/octet-stream"
        name = original_name(capture, raw.header("Content-Disposition"))
        response.headers["Content-Disposition"] = content_disposition(name)
    return response


def _text_error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _refusal(status: int, message: str, retry_after_s: int) -> Response:
    response = _text_error(status, message)
    response.headers["Retry-After"] = str(max(1, retry_after_s))
    return response


def make_raw_app(settings: WebSettings, *, data_dir: DataDir) -> Flask:
    """The WSGI app of the raw origin; serve it on its own port (never mounted inside the main app)."""
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.config.update(DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    install_context(app, WebContext(settings=settings, data_dir=data_dir))
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # gongkai.logs has the handlers: one traceback, not two
    install_budget(app, settings, _refusal)
    app.add_url_rule("/captures/<capture_ref>", "capture", serve_capture)

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_raw_headers(response, settings.app_origin)

    @app.errorhandler(CaptureNotFound)
    def _missing(exc: CaptureNotFound) -> Response:
        return _text_error(404, "archived capture not found / 没有这次抓取")

    @app.errorhandler(ArchiveError)
    def _archive(exc: ArchiveError) -> Response:
        return _text_error(503, "archive unavailable / 存档暂时无法读取")

    @app.errorhandler(404)
    def _not_found(exc: Exception) -> Response:
        return _text_error(404, "not found / 未找到")

    @app.errorhandler(405)
    def _method(exc: Exception) -> Response:
        return _text_error(405, "method not allowed / 不支持的请求方法")

    @app.errorhandler(500)
    def _internal(exc: Exception) -> Response:
        return _text_error(500, "internal error / 服务器出错")

    return app
