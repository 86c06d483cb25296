"""Security headers: one function per origin, applied to every response (errors and static files included).

The app's pages run only the app's own script; archived bytes live on a separate raw origin whose responses are
sandboxed by CSP (docs/TESTPLAN.md finding 12: the response CSP is the essential layer, the iframe attribute the second).
"""

from __future__ import annotations

from flask import Response, g

COMMON_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def app_csp(raw_origin: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        f"base-uri 'none'; form-action 'self'; frame-ancestors 'none'; frame-src {raw_origin}"
    )


def raw_csp(app_origin: str) -> str:
    """Sandboxed, nothing from the live web: images/styles/fonts only from the raw origin itself."""
    return (
        "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {app_origin}"
    )


def _strip_server(response: Response) -> None:
    for name in ("Server", "X-Powered-By"):
        response.headers.pop(name, None)


def add_app_headers(response: Response, raw_origin: str) -> Response:
    if g.get("unsafe_test_response"):
        # The positive control of the isolation test: deliberately served without protection.
        return response
    response.headers["Content-Security-Policy"] = app_csp(raw_origin)
    response.headers["X-Frame-Options"] = "DENY"
    for name, value in COMMON_HEADERS.items():
        response.headers[name] = value
    _strip_server(response)
    return response


def add_raw_headers(response: Response, app_origin: str) -> Response:
    response.headers["Content-Security-Policy"] = raw_csp(app_origin)
    for name, value in COMMON_HEADERS.items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "private, max-age=300"
    _strip_server(response)
    return response
