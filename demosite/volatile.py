"""The parts of a real article page that change on every visit, not with the document (issue 15).

With `DemoSite(volatile=n)` every article is served as a CMS renders it on visit n: a view counter that has
grown, the time the page was generated, and a session token in its attachment links and in its print link.
Two visits differ in bytes (and so in ETag) while the document is the same: the tests' proof that a re-crawl
makes no version of them. Pure string functions; the same (document, visit) always gives the same page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

_HANWEB_COUNTER = re.compile(r"浏览次数：<script[^>]*></script>")
_HANWEB_FILE = "/module/download/downfile.jsp?"
# a TRS article's attachment links: ./W0….pdf, .ofd, .wps, .et, … (any file name that is not a page)
_TRS_FILE = re.compile(r'href="(\./[^"/]+\.(?!html?")[A-Za-z0-9]{2,5})"')
_TRS_FILE_ANY = re.compile(r'href="(\./[^"/]+\.(?!html?")[A-Za-z0-9]{2,5}(?:;[^"]*)?)"')
_TRS_BUTTONS = '<div class="btns">'
_BODY_END = "</body>"
# The demo clock of visits: visit 1 is this time, each later visit a day after it.
_FIRST_VISIT = dt.datetime(2026, 11, 1, 9, 0, 0)


def token(key: str, visit: int) -> str:
    """A session id as Java servlets print it: 32 upper-case hex digits, new on every visit."""
    return hashlib.md5(f"{key}#{visit}".encode()).hexdigest().upper()


def views(key: str, visit: int) -> int:
    """The view counter: a per-page base that grows with every visit."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:4], 16) % 900 + 37 * visit


def generated_at(key: str, visit: int) -> str:
    seconds = int(hashlib.sha1(key.encode()).hexdigest()[4:8], 16) % 3600
    return (_FIRST_VISIT + dt.timedelta(days=visit - 1, seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def hanweb_visit(html: str, key: str, visit: int) -> str:
    sid = token(key, visit)
    html = _HANWEB_COUNTER.sub(f"浏览次数：{views(key, visit)}", html, count=1)
    html = html.replace(_HANWEB_FILE, f"/module/download/downfile.jsp;jsessionid={sid}?")
    return _stamp(html, key, visit)


def trs_visit(html: str, key: str, visit: int) -> str:
    sid = token(key, visit)
    html = _TRS_FILE.sub(rf'href="\1;jsessionid={sid}"', html)
    html = html.replace(
        _TRS_BUTTONS, f'{_TRS_BUTTONS}<span class="hits">阅读次数：{views(key, visit)}次</span> ', 1
    )
    return _stamp(html, key, visit)


def _stamp(html: str, key: str, visit: int) -> str:
    at = generated_at(key, visit)
    stamp = f'<!-- 页面生成时间 {at} --><div class="page-gen">页面生成时间：{at}</div>\n'
    return html.replace(_BODY_END, stamp + _BODY_END, 1)


def absolute_files(html: str, article_path: str, base: str) -> str:
    """Attachment links as absolute URLs on a separate file host (`base`, e.g. http://127.0.0.1:8001)."""
    base = base.rstrip("/")
    html = html.replace('href="/module/download/', f'href="{base}/module/download/')
    folder = article_path.rsplit("/", 1)[0]
    return _TRS_FILE_ANY.sub(lambda m: f'href="{base}{folder}/{m.group(1)[2:]}"', html)


def strip_session(path: str) -> str:
    """The path a servlet routes on: without `;jsessionid=…`."""
    return re.sub(r";jsessionid=[^/?]*", "", path, flags=re.IGNORECASE)
