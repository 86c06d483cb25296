"""What a re-crawl may see differ on an unchanged document, and how change detection looks past it (issue 15).

A government page carries parts that change on every visit or move with the server, not with the document: a
view counter (浏览次数：123), the time the CMS generated the page (页面生成时间：…), a session token in its links
(`;jsessionid=…`, `?sid=…`), and the scheme, host and port of its attachment links (a site moving to https or to
a new file server, or the demo site on a new port, rewrites every one of them). None of that is an edit, so none
of it may make a version; a moved link is recorded as a move. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from archive.models import Attachment

# View counters as CMSs print them; the number is volatile, the label stays.
_COUNTER = re.compile(
    r"((?:浏览|阅读|访问|点击|查看)(?:次数|量|数|人次)|点击率|访问人数)(\s*[:：]\s*|\s*)\d[\d,，]*\s*(?:次)?"
)
# Page-generation stamps: 页面生成时间：2026-12-02 01:02:03, 生成时间 2026/12/02 01:02, 更新时间：… of the page.
_GENERATED = re.compile(
    r"((?:页面)?生成(?:时间|日期)|页面更新时间|页面刷新时间)\s*[:：]?\s*"
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
_SESSION_PATH = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.IGNORECASE)
# Query parameters that carry a session or defeat caches, never the file: the link's key leaves them out.
SESSION_PARAMS = frozenset(
    {"jsessionid", "phpsessid", "sessionid", "sid", "_t", "timestamp", "rnd", "random"}
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def stable_text(text: str) -> str:
    """The text with view counters and page-generation stamps reduced to their labels."""
    if not text:
        return text
    text = _COUNTER.sub(r"\1", text)
    return _GENERATED.sub(r"\1", text)


def attachment_key(url: str) -> str:
    """An attachment's canonical path: no scheme, host or port, no session token, the query sorted.

    Two links with the same key name the same file on the site; only where the site serves it from moved.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    path = _SESSION_PATH.sub("", unquote(parts.path)) or "/"
    pairs = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS
    )
    return path + ("?" + urlencode(pairs) if pairs else "")


def session_free(url: str) -> str:
    """The URL without session tokens in its path or query (what a crawler's canonical URL would be keyed on)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    path = _SESSION_PATH.sub("", parts.path)
    pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS
    ]
    netloc = parts.netloc.lower()
    host, _, port = netloc.rpartition(":")
    if host and _DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        netloc = host
    query = urlencode(sorted(pairs))
    return f"{parts.scheme.lower()}://{netloc}{path}" + (f"?{query}" if query else "")


def attachment_moves(old: tuple[Attachment, ...], new: tuple[Attachment, ...]) -> list[dict[str, str]]:
    """Attachments whose link changed while their canonical path stayed: {"from", "to"} per moved file."""
    by_key = {attachment_key(a.url): a.url for a in old}
    moves = []
    for att in new:
        before = by_key.get(attachment_key(att.url))
        if before is not None and session_free(before) != session_free(att.url):
            moves.append({"from": before, "to": att.url})
    return moves
