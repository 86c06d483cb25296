from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webcorpus import Corpus

APP_CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "frame-src http://127.0.0.1:5001",
)


def routes(corpus: Corpus) -> list[tuple[str, int]]:
    doc = corpus.ids["versioned"]
    return [
        ("/", 200),
        ("/search?q=公安", 200),
        ("/api/search?q=公安", 200),
        ("/feed.atom", 200),
        ("/export.csv?q=枫桥", 200),
        ("/export.jsonl?q=枫桥", 200),
        (f"/documents/{doc}", 200),
        (f"/documents/{doc}/diff", 200),
        (f"/documents/{doc}/original", 200),
        (f"/api/documents/{doc}", 200),
        ("/api/openapi.json", 200),
        ("/static/style.css", 200),
        ("/static/app.js", 200),
        ("/static/../web/__init__.py", 404),
        ("/nothing-here", 404),
        ("/api/nothing", 404),
        ("/documents/missing", 404),
        ("/search?page=-1", 400),
        ("/api/search?limit=100000", 400),
        ("/console", 404),
        ("/test-only/unsafe-original/" + doc, 404),
    ]


def test_every_response_carries_the_security_headers(client: FlaskClient, corpus: Corpus) -> None:
    for path, status in routes(corpus):
        response = client.get(path)
        response.get_data()  # streamed exports finish (and release their resources) here
        assert response.status_code == status, path
        csp = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
        for directive in APP_CSP:
            assert directive in csp, (path, directive)
        assert not any("unsafe-inline" in d or "unsafe-eval" in d for d in csp)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Server" not in response.headers and "X-Powered-By" not in response.headers
        assert "Set-Cookie" not in response.headers
        response.close()


def test_method_not_allowed_is_styled_and_protected(client: FlaskClient) -> None:
    response = client.post("/search")
    assert response.status_code == 405
    assert "Content-Security-Policy" in response.headers
    assert "不支持" in response.get_data(as_text=True)


def test_debug_is_off_and_errors_show_no_internals(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    assert app.debug is False and app.testing is False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail /srv/path")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Content-Security-Policy" in response.headers


def test_unsafe_route_exists_only_when_asked_and_is_unprotected(
    make_app: Callable[..., Flask], corpus: Corpus
) -> None:
    path = "/test-only/unsafe-original/" + corpus.ids["doc1"]
    assert make_app().test_client().get(path).status_code == 404
    response = make_app(unsafe=True).test_client().get(path)
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert b"<div id='zoom'>" in response.data


def test_unsafe_routes_cannot_be_enabled_by_settings() -> None:
    from web import WebSettings

    with pytest.raises(ValueError):
        WebSettings.from_mapping({"enable_unsafe_test_routes": True})


@pytest.mark.parametrize(
    "query", ["?q=" + "x" * 10_000, "?q=" + "(" * 2000, "?q=" + '"' * 300, "?q=*:*", "?q=a*"]
)
def test_query_abuse_never_500(client: FlaskClient, query: str) -> None:
    for path in ("/search", "/api/search", "/feed.atom", "/export.csv"):
        response = client.get(path + query)
        response.get_data()
        assert response.status_code in (200, 400)


def test_missing_index_or_catalogue_is_503_not_500(tmp_path: Path) -> None:
    from archive import Archive, DataDir
    from index import IndexSettings
    from web import WebSettings, create_app, make_raw_app

    empty = DataDir(tmp_path / "empty").ensure()
    settings = WebSettings(app_origin="http://127.0.0.1:5000", raw_origin="http://127.0.0.1:5001")
    client = create_app(settings, data_dir=empty, index_settings=IndexSettings()).test_client()
    raw = make_raw_app(settings, data_dir=empty).test_client()
    assert client.get("/search?q=x").status_code == 503  # no index yet
    assert client.get("/api/search").get_json()["error"]["status"] == 503
    assert client.get("/documents/abc").status_code == 503  # no catalogue yet
    assert raw.get("/captures/1").status_code == 503
    Archive.open(empty).close()  # a catalogue, still no index
    assert client.get("/documents/abc").status_code == 404
    response = client.get("/")
    assert response.status_code == 503 and "gongkai index" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
