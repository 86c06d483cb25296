from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from webcorpus import Corpus

from web.raw import content_disposition

TRAVERSALS = (
    "../catalogue.sqlite",
    "..%2f..%2fcatalogue.sqlite",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252f",
    "%c0%ae%c0%ae/",
    "..\\..\\catalogue.sqlite",
    "/etc/passwd",
    "1%00.html",
    "CON",
    "-1",
    "1.5",
    "0x10",
    "9" * 30,
    "a" * 10_000,
)


def assert_sandboxed(headers) -> None:  # type: ignore[no-untyped-def]
    csp = headers["Content-Security-Policy"]
    directives = [d.strip() for d in csp.split(";")]
    assert directives[0] == "sandbox"
    assert "default-src 'none'" in directives
    assert "allow-scripts" not in csp and "allow-same-origin" not in csp
    assert "frame-ancestors http://127.0.0.1:5000" in directives
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in headers


def test_every_document_capture_is_served_sandboxed_with_its_charset(
    raw_client: FlaskClient, corpus: Corpus
) -> None:
    for key, capture_id in corpus.captures.items():
        if key.startswith("http"):
            continue
        response = raw_client.get(f"/captures/{capture_id}")
        assert response.status_code == 200, key
        assert_sandboxed(response.headers)
        assert response.headers["Content-Type"].startswith("text/html"), key


def test_gbk_page_keeps_its_bytes_and_names_its_charset(raw_client: FlaskClient, corpus: Corpus) -> None:
    response = raw_client.get(f"/captures/{corpus.captures['gbk']}")
    assert response.headers["Content-Type"] == "text/html; charset=gbk"
    assert response.data.decode("gbk").count("镕") == 1


def test_non_html_downloads_under_its_original_name(raw_client: FlaskClient, corpus: Corpus) -> None:
    pdf = next(cid for key, cid in corpus.captures.items() if key.startswith("http"))
    response = raw_client.get(f"/captures/{pdf}")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E9%A2%84%E7%AE%97%E8%A1%A8.pdf" in response.headers["Content-Disposition"]
    assert_sandboxed(response.headers)


def test_content_disposition_neutralises_header_tricks() -> None:
    value = content_disposition('a"\r\nSet-Cookie: x=1.pdf')
    assert "\r" not in value and "\n" not in value
    assert value.count('"') == 2


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_and_junk_ids_are_404_and_still_sandboxed(raw_client: FlaskClient, path: str) -> None:
    response = raw_client.get("/captures/" + path)
    assert response.status_code in (400, 404)
    assert b"SQLite" not in response.data and b"root:" not in response.data
    assert_sandboxed(response.headers)


def test_unknown_capture_and_other_paths_are_404_sandboxed(raw_client: FlaskClient) -> None:
    for path in ("/captures/999999", "/", "/documents/x", "/static/style.css"):
        response = raw_client.get(path)
        assert response.status_code == 404, path
        assert_sandboxed(response.headers)
    response = raw_client.post("/captures/1")
    assert response.status_code == 405
    assert_sandboxed(response.headers)
