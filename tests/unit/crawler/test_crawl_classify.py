"""Every response gets an outcome before it can become a document (docs/SITES.md 7, docs/TESTPLAN.md C9, C11)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from archive.models import Exchange, Parsed
from crawler import parse_page
from crawler.classify import (
    classify_attachment,
    classify_response,
    document_verdict,
    sniff_magic,
)
from crawler.sites.common import is_article_url

RUISHU = (
    b"<html><head><meta id=\"x\" content=\"abc\" r='m'><script>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
    b"</script><script src=\"/x.js\" r='m'></script></head><body></body></html>"
)


def ex(status: int | None, body: bytes = b"", ctype: str = "text/html", **kw: object) -> Exchange:
    headers = [("Content-Type", ctype)] + list(kw.pop("headers", []))  # type: ignore[call-overload]
    return Exchange(
        url="http://a.gov.cn/x.html",
        final_url="http://a.gov.cn/x.html",
        started_at="2026-01-01T00:00:00Z",
        status=status,
        response_headers=tuple(headers),
        content=body,
        wire_body=body,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("status", [412, 202, 200])
def test_ruishu_challenge_at_any_status(status: int) -> None:
    verdict = classify_response(ex(status, RUISHU))
    assert verdict is not None and verdict.outcome == "challenge" and verdict.reason == "challenge:ruishu"
    assert verdict.kind == "blocked" and verdict.is_blocked


def test_jiasule_521_cookie_page() -> None:
    body = b"<script>document.cookie=('__jsl_clearance_s=1');location.href=location.pathname</script>"
    verdict = classify_response(ex(521, body, headers=[("Set-Cookie", "__jsluid_s=abc; path=/")]))
    assert verdict is not None and verdict.reason == "challenge:jiasule"


def test_cookie_reload_shell_without_known_names() -> None:
    body = b"<html><script>document.cookie='k=v';location.reload()</script></html>"
    verdict = classify_response(ex(200, body))
    assert verdict is not None and verdict.outcome == "challenge"


def test_normal_sized_verification_page_is_a_block() -> None:
    body = (
        "<html><head><title>安全验证</title></head><body>" + "<p>请完成验证</p>" * 500 + "</body></html>"
    ).encode()
    verdict = classify_response(ex(200, body))
    assert verdict is not None and verdict.outcome == "waf_block"


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        ("<html><head><title>404 页面不存在</title></head><body>x</body></html>", "soft_404"),
        ("<html><head><title>提示</title></head><body>抱歉，您访问的页面不存在</body></html>", "soft_404"),
        ("<html><head><title>登录</title></head><body><input type='password' name=p></body></html>", "login"),
    ],
)
def test_soft_404_and_login_wall(body: str, outcome: str) -> None:
    verdict = classify_response(ex(200, body.encode()))
    assert verdict is not None and verdict.outcome == outcome


@pytest.mark.parametrize(
    ("status", "outcome", "kind"),
    [
        (404, "not_found", "error"),
        (410, "not_found", "error"),
        (429, "rate_limited", "blocked"),
        (403, "waf_block", "blocked"),
        (503, "server_error", "error"),
        (304, "not_modified", "other"),
    ],
)
def test_status_outcomes(status: int, outcome: str, kind: str) -> None:
    verdict = classify_response(ex(status, b"<html><body>x</body></html>"))
    assert verdict is not None and (verdict.outcome, verdict.kind) == (outcome, kind)


def test_network_failures_and_truncation() -> None:
    assert classify_response(ex(None, error="timeout")).outcome == "timeout"  # type: ignore[union-attr]
    assert classify_response(ex(None, error="connection")).outcome == "network_error"  # type: ignore[union-attr]
    cut = classify_response(ex(200, b"<html>" + b"x" * 100, truncated="length"))
    assert cut is not None and cut.outcome == "truncated" and cut.kind == "other"


def test_ordinary_html_needs_the_adapter() -> None:
    body = (
        b"<html><head><title>\xe9\x80\x9a\xe7\x9f\xa5</title></head><body>"
        + b"<p>text</p>" * 200
        + b"</body></html>"
    )
    assert classify_response(ex(200, body)) is None


@pytest.mark.parametrize(
    ("body", "magic"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "ole"),
        (b"PK\x03\x04rest", "zip"),
        (b"plain", None),
    ],
)
def test_magic_bytes(body: bytes, magic: str | None) -> None:
    assert sniff_magic(body) == magic


def test_html_served_in_place_of_a_pdf_is_not_an_attachment() -> None:
    verdict = classify_attachment(
        ex(200, b"<!DOCTYPE html><html><body>404</body></html>", ctype="application/pdf")
    )
    assert verdict.outcome == "not_attachment"
    assert (
        classify_attachment(ex(200, b"%PDF-1.4 ...", ctype="application/octet-stream")).outcome
        == "attachment"
    )


def test_document_needs_positive_evidence() -> None:
    block = Parsed(
        title="关于印发某某办法的通知", index_no="113306/2021-1", agency="市政府", body="正文" * 20
    )
    assert document_verdict(block, 5000, min_bytes=600, article_url=False).outcome == "document"
    assert document_verdict(block, 300, min_bytes=600, article_url=True).outcome == "stub"
    no_title = Parsed(index_no="1", agency="a", body="x" * 200)
    assert document_verdict(no_title, 5000, min_bytes=600, article_url=True).outcome == "not_document"
    portal = Parsed(title="首页", body="新闻" * 200)
    assert document_verdict(portal, 9000, min_bytes=600, article_url=False).outcome == "not_document"
    assert document_verdict(portal, 9000, min_bytes=600, article_url=True).outcome == "document"


def test_short_notice_with_metadata_block_is_a_document() -> None:
    notice = Parsed(
        title="停电通知", index_no="11330600/2021-1", written_date="2021-02-26", body="明日停电。"
    )
    assert document_verdict(notice, 2500, min_bytes=600, article_url=True).outcome == "document"


def test_real_pages_are_documents_and_recognised_as_articles(shared_dir: Path) -> None:
    pages = shared_dir / "corpus" / "pages"
    with open(pages / "MANIFEST.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) >= 17
    outcomes = {}
    for row in rows:
        raw = (pages / row["file"]).read_bytes()
        url = row["original_url"]
        assert is_article_url(url), url
        parsed = parse_page(raw, url)
        outcomes[row["file"]] = document_verdict(parsed, len(raw), min_bytes=600, article_url=True).outcome
        assert classify_response(ex(200, raw)) is None, row["file"]
    assert set(outcomes.values()) == {"document"}, outcomes
