"""DemoSite: the whole synthetic disclosure site as one pure function from a request to a response.

`respond()` does no I/O and keeps no per-request state, so tests call it directly and `server.py` (or any WSGI
server, through `wsgi_app`) only moves bytes. The documents are the ground truth (`site.documents`): a crawl of
the site is correct when it extracted exactly these fields from exactly these URLs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from demosite import hanweb, pages, trs, volatile
from demosite.attachments import CONTENT_TYPES, attachment_bytes
from demosite.docs import (
    COLUMNS,
    HANWEB,
    SWITCH_AT,
    Column,
    DemoAttachment,
    DemoDoc,
    apply_switches,
    generate_documents,
)

HTML_UTF8 = "text/html; charset=UTF-8"
# The site "went live" with its current templates at this time: Last-Modified of pages that no document changes.
SITE_AT = dt.datetime(2026, 10, 31, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
_COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")
_TRS_LIST = re.compile(r"^/xxgk/(\w+)/(?:index(?:_([1-9]\d*))?\.html)?$")
_FORM = "application/x-www-form-urlencoded"

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class DemoResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True)
class _Page:
    """A routed answer before conditional-request handling."""

    status: int
    content_type: str
    body: bytes
    modified_at: dt.datetime
    extra: tuple[tuple[str, str], ...] = ()


class DemoSite:
    """A deterministic site: the same arguments always give the same documents, URLs and bytes.

    `changed`, `removed` are document indices (`DemoDoc.index`); `added` appends that many newer documents,
    which come first in every list. A removed document answers 404 and leaves its list. `habits` turns on the
    agency habits of demosite/habits.py (a late agency, a silent quarter; `habit_switches` for the third).
    `volatile` > 0 serves every article as on that visit: a grown view counter, a generation time, session tokens
    in its links (`demosite.volatile`); 0 serves the same bytes every time. `files_base` (an origin such as
    http://127.0.0.1:8001) makes attachment links absolute on that separate file host.
    """

    def __init__(
        self,
        seed: int = 0,
        n_docs: int = 320,
        changed: Iterable[int] = frozenset(),
        removed: Iterable[int] = frozenset(),
        added: int = 0,
        habits: bool = False,
        volatile: int = 0,
        files_base: str | None = None,
    ) -> None:
        self.volatile = volatile
        self.files_base = files_base
        self.changed = frozenset(changed)
        self.removed = frozenset(removed)
        base = generate_documents(seed, n_docs, added=added, habits=habits)
        total = len(base)
        bad = sorted(i for i in self.changed | self.removed if not 0 <= i < total)
        if bad:
            raise ValueError(f"document indices out of range 0..{total - 1}: {bad}")
        self.seed = seed
        self.n_docs = n_docs
        self.added = added
        self.habits = habits
        self.documents: list[DemoDoc] = apply_switches(seed, base, changed=self.changed, removed=self.removed)
        self._by_path = {d.path: d for d in self.documents}
        self._lists: dict[str, list[DemoDoc]] = {}
        self._list_at: dict[str, dt.datetime] = {}
        for col in COLUMNS:
            members = [d for d in self.documents if d.column.key == col.key]
            live = sorted(
                (d for d in members if d.status == "live"),
                key=lambda d: (d.publish_at, d.art_id),
                reverse=True,
            )
            self._lists[col.key] = live
            stamps = [d.modified_at for d in live] or [SITE_AT]
            if any(d.status == "removed" for d in members):
                stamps.append(SWITCH_AT)
            self._list_at[col.key] = max(stamps)
        self._files: dict[str, tuple[DemoDoc, DemoAttachment]] = {}
        for doc in self.documents:
            for att in doc.attachments:
                key = parse_qs(urlsplit(att.path).query)["filename"][0] if doc.layout == HANWEB else att.path
                self._files[key] = (doc, att)

    def habit_switches(self) -> tuple[frozenset[int], frozenset[int]]:
        """(changed, removed) for the editing agency's habit: pass them to a new DemoSite and re-crawl."""
        from demosite.habits import edit_switches

        return edit_switches(self.documents)

    @property
    def live_documents(self) -> list[DemoDoc]:
        return [d for d in self.documents if d.status == "live"]

    @property
    def seed_paths(self) -> list[str]:
        """The list entry points of every column and section ("/" links to all of them as well)."""
        return [c.path for c in COLUMNS]

    def list_documents(self, column: Column) -> list[DemoDoc]:
        """The live documents of a column, newest first, as its list pages show them."""
        return list(self._lists[column.key])

    def respond(
        self, method: str, path_qs: str, headers: Mapping[str, str], body: bytes = b""
    ) -> DemoResponse:
        method = method.upper()
        if method not in ("GET", "HEAD", "POST"):
            return self._finish(
                method, _html(405, pages.not_found_html(), SITE_AT, (("Allow", "GET, HEAD, POST"),)), {}
            )
        lower = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(path_qs)
        path = volatile.strip_session(unquote(parts.path)) or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        if method == "POST" and lower.get("content-type", "").split(";")[0].strip().lower() == _FORM:
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                query.setdefault(key, []).extend(values)
        routed = self._route(method, path, query)
        return self._finish(method, routed, lower)

    def _route(self, method: str, path: str, query: dict[str, list[str]]) -> _Page:
        if path == "/module/web/jpage/dataproxy.jsp":
            return self._dataproxy(query)
        if path == "/module/search/index.jsp":
            word = (query.get("searchWord") or [""])[0]
            return _html(200, pages.search_html(word, self.live_documents), SITE_AT)
        if method == "POST":
            return _html(405, pages.not_found_html(), SITE_AT, (("Allow", "GET, HEAD"),))
        if path in ("/", "/index.html"):
            return _html(200, pages.home_html(), SITE_AT)
        if path == "/robots.txt":
            return _Page(200, "text/plain", pages.ROBOTS_TXT.encode("utf-8"), SITE_AT)
        if path == "/module/download/downfile.jsp":
            return self._download((query.get("filename") or [""])[0])
        doc = self._by_path.get(path)
        if doc is not None:
            return self._article(doc)
        if path in self._files:
            return self._file(*self._files[path])
        match = _COLUMN.match(path)
        if match:
            col = _column(match.group(1))
            if col is not None and col.layout == HANWEB:
                return _html(200, hanweb.column_html(col, self._lists[col.key]), self._list_at[col.key])
        match = _TRS_LIST.match(path)
        if match:
            col = _column(match.group(1))
            page_no = int(match.group(2) or 0)
            if col is not None and col.layout != HANWEB:
                docs = self._lists[col.key]
                if page_no < trs.page_count(len(docs)):
                    return _Page(200, "text/html", trs.list_html(col, docs, page_no), self._list_at[col.key])
        return _html(404, pages.not_found_html(), SITE_AT)

    def _dataproxy(self, query: dict[str, list[str]]) -> _Page:
        col = _column((query.get("columnid") or [""])[0])
        if col is not None and col.layout != HANWEB:
            col = None
        start = _int(query.get("startrecord"), 1)
        end = _int(query.get("endrecord"), start + hanweb.GROUP - 1)
        docs = self._lists[col.key] if col is not None else []
        xml = hanweb.proxy_response(col, docs, start, end)
        stamp = self._list_at[col.key] if col is not None else SITE_AT
        return _Page(200, "text/xml;charset=UTF-8", xml.encode("utf-8"), stamp)

    def _article(self, doc: DemoDoc) -> _Page:
        if doc.status != "live":
            return _html(404, pages.not_found_html(), SWITCH_AT)
        if doc.layout == HANWEB:
            html = hanweb.article_html(doc)
            if self.volatile:
                html = volatile.hanweb_visit(html, doc.path, self.volatile)
            if self.files_base:
                html = volatile.absolute_files(html, doc.path, self.files_base)
            return _html(200, html, doc.modified_at)
        text = trs.article_html(doc).decode(trs.CHARSET)
        if self.volatile:
            text = volatile.trs_visit(text, doc.path, self.volatile)
        if self.files_base:
            text = volatile.absolute_files(text, doc.path, self.files_base)
        return _Page(200, "text/html", text.encode(trs.CHARSET), doc.modified_at)

    def _download(self, filename: str) -> _Page:
        found = self._files.get(filename)
        if found is None or found[0].status != "live":
            # The servlet's "file not found" is an HTML page with status 200, not a 404 (docs/SITES.md section 7.3).
            return _html(200, pages.missing_file_html(), SITE_AT)
        doc, att = found
        disposition = (("Content-Disposition", f'attachment; filename="{filename}"'),)
        return _Page(
            200, "application/octet-stream", attachment_bytes(doc, att), doc.modified_at, disposition
        )

    def _file(self, doc: DemoDoc, att: DemoAttachment) -> _Page:
        if doc.status != "live":
            return _html(404, pages.not_found_html(), SWITCH_AT)
        return _Page(200, CONTENT_TYPES[att.kind], attachment_bytes(doc, att), doc.modified_at)

    def _finish(self, method: str, page: _Page, lower: Mapping[str, str]) -> DemoResponse:
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
        modified = format_datetime(page.modified_at.astimezone(dt.UTC), usegmt=True)
        validators = [("ETag", etag), ("Last-Modified", modified)]
        if page.status == 200 and method in ("GET", "HEAD") and _not_modified(lower, etag, page.modified_at):
            return DemoResponse(304, [("Server", "nginx"), *validators], b"")
        headers = [
            ("Server", "nginx"),
            ("Content-Type", page.content_type),
            ("Content-Length", str(len(page.body))),
            *validators,
            *page.extra,
        ]
        return DemoResponse(page.status, headers, b"" if method == "HEAD" else page.body)

    def wsgi_app(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """WSGI entry point: a thin adapter around `respond()`."""
        path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/;=,@:!$&'()*+~-._")
        qs = environ.get("QUERY_STRING", "")
        headers = {
            key[5:].replace("_", "-"): str(value) for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        response = self.respond(
            environ.get("REQUEST_METHOD", "GET"), path + ("?" + qs if qs else ""), headers, body
        )
        start_response(f"{response.status} {HTTPStatus(response.status).phrase}", response.headers)
        return [response.body]


def _html(status: int, html: str, at: dt.datetime, extra: tuple[tuple[str, str], ...] = ()) -> _Page:
    return _Page(status, HTML_UTF8, html.encode("utf-8"), at, extra)


def _column(key: str) -> Column | None:
    return next((c for c in COLUMNS if c.key == key), None)


def _int(values: list[str] | None, default: int) -> int:
    try:
        return int(values[0]) if values else default
    except ValueError:
        return default


def _not_modified(lower: Mapping[str, str], etag: str, modified_at: dt.datetime) -> bool:
    """RFC 9110: If-None-Match decides when present (weak comparison); else If-Modified-Since."""
    inm = lower.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = lower.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        return modified_at.replace(microsecond=0) <= since
    return False
