"""Stored and reflected XSS (docs/TESTPLAN.md S2, F tier): every payload in every stored field and every parameter."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import html5lib
import pytest
from flask.testing import FlaskClient
from htmlcheck import injected
from webcorpus import Corpus
from xss_payloads import PAYLOADS

from web.snippets import safe_snippet

PARAMS = ("q", "agency", "topic", "since", "until", "date_field", "sort", "page")


def check(client: FlaskClient, path: str) -> bytes:
    response = client.get(path)
    body = response.get_data()
    assert response.status_code in (200, 400, 404), (path, response.status_code)
    if response.mimetype == "text/html":
        problems = injected(body)
        assert problems == [], (path, problems)
    return body


def test_the_checker_sees_injections() -> None:
    """Positive control: the checker must flag what an unescaped template would produce."""
    page = "<html><body><p>%s</p><a href='javascript:x'>a</a></body></html>"
    assert injected(page % "ok") == ["href='javascript:x' on <a>"]
    for payload in ("<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<script>alert(1)</script>"):
        assert injected(f"<html><body><p>{payload}</p></body></html>")


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_payload_in_every_parameter(client: FlaskClient, index: int) -> None:
    payload = quote(PAYLOADS[index])
    for name in PARAMS:
        check(client, f"/search?{name}={payload}")
        api = client.get(f"/api/search?{name}={payload}")
        assert api.status_code in (200, 400) and api.is_json
    # chosen filter values are echoed (checked, with a zero count) next to real facets and pager links
    check(client, f"/search?agency={payload}&topic={payload}&agency=%E5%B8%82%E5%85%AC%E5%AE%89%E5%B1%80")
    check(client, f"/documents/{payload}")
    check(client, f"/documents/{payload}/original")
    check(client, f"/{payload}")


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_payload_in_every_stored_field(client: FlaskClient, corpus: Corpus, index: int) -> None:
    doc_id = corpus.ids[f"xss{index}"]
    body = check(client, f"/documents/{doc_id}")
    check(client, f"/documents/{doc_id}/original")
    check(client, f"/search?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95{index}")
    if "{{7*7}}" in PAYLOADS[index]:
        assert b"{{7*7}}gkx36" in body and b"49gkx36" not in body


def test_result_lists_of_payload_documents(client: FlaskClient) -> None:
    """Every payload document in result lists, facets (agency/topic values are payloads) and pager."""
    for page in (1, 2, 3, 4):
        body = check(client, f"/search?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95&page={page}")
        assert b"gkx" in body or page > 1


def test_api_snippets_hold_only_mark_elements(client: FlaskClient) -> None:
    data = client.get("/api/search?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95&limit=100").get_json()
    assert data["total"] >= len(PAYLOADS)
    for hit in data["hits"]:
        fragment = html5lib.parseFragment(hit["snippet"], treebuilder="etree", namespaceHTMLElements=False)
        assert {el.tag for el in fragment.iter() if isinstance(el.tag, str)} <= {"DOCUMENT_FRAGMENT", "mark"}
        assert not any(el.attrib for el in fragment.iter())


def test_feed_carries_payloads_as_text(client: FlaskClient) -> None:
    response = client.get("/feed.atom?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95")
    root = ET.fromstring(response.data)
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>alert('gkx1')</script>" in t for t in titles)


@pytest.mark.parametrize(
    "snippet",
    [
        "<mark>a</mark><script>x</script>",
        "</mark><img src=x onerror=1><mark>",
        "<mark><mark>a</mark>",
        "&lt;b&gt;<mark>c",
    ],
)
def test_safe_snippet_rebuilds_only_marks(snippet: str) -> None:
    out = str(safe_snippet(snippet))
    fragment = html5lib.parseFragment(out, treebuilder="etree", namespaceHTMLElements=False)
    assert {el.tag for el in fragment.iter() if isinstance(el.tag, str)} <= {"DOCUMENT_FRAGMENT", "mark"}
    assert out.count("<mark>") == out.count("</mark>")
