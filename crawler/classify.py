"""The outcome of a response, decided before anything can become a document (docs/SITES.md section 7).

Marker lists are always one block page behind, so the rule is the other way round: a page is a `document` only
with positive evidence (status 200, HTML, a real template's size, no challenge or block signs, a title plus a body
or a metadata block). Everything else is an outcome with a reason, archived as evidence at most. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.models import Exchange, Parsed

# outcome -> the archive's capture kind
ARCHIVE_KIND = {
    "document": "document",
    "list": "list",
    "attachment": "attachment",
    "challenge": "blocked",
    "waf_block": "blocked",
    "geo_block": "blocked",
    "login": "blocked",
    "rate_limited": "blocked",
    "not_found": "error",
    "server_error": "error",
    "network_error": "error",
    "timeout": "error",
    "tls_error": "error",
    "redirect_error": "error",
    "bad_list_answer": "error",  # an API answer of the wrong shape (HTML error page, cut JSON, error body)
    "truncated": "other",
    "stub": "other",
    "soft_404": "other",
    "not_document": "other",
    "not_attachment": "other",
    "not_modified": "other",
    "client_error": "error",
}
BLOCKED = frozenset(k for k, v in ARCHIVE_KIND.items() if v == "blocked")

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_CHALLENGE_MARKERS: tuple[tuple[str, bytes], ...] = (
    ("challenge:ruishu", rb"$_ts=window['$_ts']"),
    ("challenge:ruishu", rb"$_ts = window['$_ts']"),
    ("challenge:ruishu", rb"r='m'"),
    ("challenge:ruishu", rb'r="m"'),
    ("challenge:jiasule", rb"__jsluid"),
    ("challenge:jiasule", rb"__jsl_clearance"),
    ("challenge:cookie_shell", rb"C3VK="),
    ("challenge:cookie_shell", rb"wzws_cid"),
)
_COOKIE_RELOAD = re.compile(rb"document\.cookie\s*=.{0,400}?location\.(reload|href|replace)", re.DOTALL)
_BLOCK_TITLES = (
    "访问验证",
    "安全验证",
    "访问被拒绝",
    "请稍候",
    "访问异常",
    "access denied",
    "验证码",
    "安全检测",
    "拦截",
)
_SOFT_404_TITLES = (
    "404",
    "页面不存在",
    "页面未找到",
    "找不到",
    "页面已删除",
    "not found",
    "出错了",
    "错误页面",
)
_SOFT_404_BODY = ("页面不存在", "您访问的页面不存在", "页面未找到", "找不到您要访问的页面", "页面已被删除")
_PASSWORD_INPUT = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0", "ole"),  # DOC, XLS, WPS
    (b"PK\x03\x04", "zip"),  # DOCX, XLSX, OFD
    (b"Rar!", "rar"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"{\\rtf", "rtf"),
)


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str | None = None

    @property
    def kind(self) -> str:
        return ARCHIVE_KIND.get(self.outcome, "other")

    @property
    def is_blocked(self) -> bool:
        return self.outcome in BLOCKED


def page_title(raw: bytes) -> str:
    match = _TITLE.search(raw[:65536])
    if not match:
        return ""
    for charset in ("utf-8", "gb18030"):
        try:
            return match.group(1).decode(charset).strip()
        except UnicodeDecodeError:
            continue
    return match.group(1).decode("latin-1").strip()


def is_html(exchange: Exchange) -> bool:
    ctype = (exchange.header("Content-Type") or "").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    head = exchange.content[:512].lstrip().lower()
    return not ctype and (head.startswith(b"<!doctype html") or head.startswith(b"<html"))


def sniff_magic(content: bytes) -> str | None:
    for magic, name in _MAGIC:
        if content.startswith(magic):
            return name
    return None


def classify_response(exchange: Exchange) -> Verdict | None:
    """A final outcome from status, transport and block markers; None when the page needs its adapter."""
    if exchange.status is None:
        error = exchange.error or "network_error"
        outcome = {"timeout": "timeout", "tls": "tls_error"}.get(error, "network_error")
        return Verdict(outcome, error)
    status = exchange.status
    challenge = challenge_marker(exchange)
    if challenge:
        return Verdict("challenge", challenge)
    if status in (412, 521) or (status == 202 and len(exchange.content) < 4096):
        return Verdict("challenge", f"challenge:http_{status}")
    if exchange.error and exchange.error.startswith(("redirect", "too_many_redirects")):
        return Verdict("redirect_error", exchange.error)
    if status == 304:
        return Verdict("not_modified", "not_modified")
    if status in (404, 410):
        return Verdict("not_found", f"http_{status}")
    if status == 429:
        return Verdict("rate_limited", "http_429")
    if status in (401, 403):
        if _PASSWORD_INPUT.search(exchange.content):
            return Verdict("login", f"login:http_{status}")
        return Verdict("waf_block", f"blocked:http_{status}")
    if status >= 500:
        return Verdict("server_error", f"http_{status}")
    if status >= 400:
        return Verdict("client_error", f"http_{status}")
    if exchange.truncated:
        return Verdict("truncated", f"truncated:{exchange.truncated}")
    if exchange.error:
        return Verdict("network_error", exchange.error)
    if status != 200:
        return Verdict("not_document", f"http_{status}")
    if is_html(exchange):
        return _classify_html_200(exchange.content)
    return None


def challenge_marker(exchange: Exchange) -> str | None:
    """The anti-bot mechanism a response shows, judged from its cookies and its first bytes."""
    for name, value in exchange.response_headers:
        if name.lower() == "set-cookie" and ("__jsluid" in value or "__jsl_clearance" in value):
            return "challenge:jiasule"
    head = exchange.content[:16384]
    for reason, marker in _CHALLENGE_MARKERS:
        if marker in head:
            return reason
    if len(exchange.content) < 4096 and _COOKIE_RELOAD.search(head):
        return "challenge:cookie_shell"
    return None


def _classify_html_200(content: bytes) -> Verdict | None:
    title = page_title(content).lower()
    if any(word in title for word in _BLOCK_TITLES):
        return Verdict("waf_block", "blocked:verification_page")
    if "reason:geobl" in content[:16384].decode("latin-1").lower():
        return Verdict("geo_block", "blocked:geo")
    if any(word in title for word in _SOFT_404_TITLES):
        return Verdict("soft_404", "soft_404:title")
    if len(content) < 8192:
        text = content.decode("utf-8", errors="ignore") + content.decode("gb18030", errors="ignore")
        if any(phrase in text for phrase in _SOFT_404_BODY):
            return Verdict("soft_404", "soft_404:body")
    if _PASSWORD_INPUT.search(content):
        return Verdict("login", "login:password_form")
    return None


def classify_attachment(exchange: Exchange) -> Verdict:
    """An attachment must be a file: HTML served in place of a PDF is not one."""
    content = exchange.content
    magic = sniff_magic(content)
    if magic:
        return Verdict("attachment", f"magic:{magic}")
    head = content[:1024].lstrip().lower()
    if is_html(exchange) or head.startswith((b"<!doctype", b"<html", b"<script", b"<head")):
        return Verdict("not_attachment", "html_instead_of_file")
    if not content:
        return Verdict("not_attachment", "empty")
    return Verdict("attachment", "magic:unknown")


def has_metadata(parsed: Parsed) -> bool:
    fields = (parsed.index_no, parsed.agency, parsed.doc_no, parsed.written_date, parsed.topic)
    return sum(1 for value in fields if value) >= 2


def document_verdict(parsed: Parsed, size_bytes: int, *, min_bytes: int, article_url: bool) -> Verdict:
    """Positive evidence: a title plus a metadata block, or (on an adapter's article URL) a title plus a real
    body. Challenge shells and stubs are below `min_bytes` and never get this far."""
    if size_bytes < min_bytes:
        return Verdict("stub", "stub:small")
    if not parsed.title:
        return Verdict("not_document", "no_title")
    body_len = len(parsed.body.strip())
    if has_metadata(parsed):
        return Verdict("document", None)  # a short notice with a block is a document (docs/TESTPLAN.md C9)
    if article_url and body_len >= 50:
        return Verdict("document", "no_metadata_block")
    return Verdict("not_document", "no_evidence")
