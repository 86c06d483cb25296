"""TRS WAS5 full-text search lists (`/was5/web/search?channelid=…`, docs/SITES.md 3.3): sometimes the only complete list.

An outline template answers `<RECORDCOUNT>` and one `<REC>` per document with `<TITLE>`, `<URL>`, `<WH>` (文号),
`<DOCRELTIME>` (发布日期), `<FWDW>` (发文单位), values as text or CDATA; older templates write `<TITLE>=value`
lines inside `<REC>` instead. Paged by `page` (from 1); the page size is the first answer's row count, so
every later page is asked for from page 1 (a page past the end repeats the last one on some servers).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from crawler.sites import listapi
from crawler.sites.common import Candidate, Page, Request, attachment_name, unique
from crawler.urls import canonicalize

NAME = "trs_was5"
PAGING_PARAMS = frozenset({"page"})
ARTICLE_PATTERNS: tuple[re.Pattern[str], ...] = ()
ENDPOINT_PATTERNS: tuple[re.Pattern[str], ...] = (re.compile(r"/was5/web/search$"),)

_REC = re.compile(r"<REC>(.*?)(?=<REC>|</REC>|</RESULT>|\Z)", re.S)
_COUNT = re.compile(r"<RECORDCOUNT>\s*(?:<!\[CDATA\[)?\s*=?\s*(\d+)", re.I)
_TAGGED = re.compile(r"<([A-Z][A-Z0-9_]*)>\s*(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))\s*</\1>", re.S)
_LINE = re.compile(r"^\s*<([A-Z][A-Z0-9_]*)>=(.*)$", re.M)


def _is_search(url: str) -> bool:
    return any(p.search(urlsplit(url).path) for p in ENDPOINT_PATTERNS)


def detect(text: str, url: str) -> bool:
    return _is_search(url) or ("<RECORDCOUNT>" in text and "<REC>" in text)


def records(text: str) -> list[dict[str, str]]:
    """Every `<REC>` as {field: value}, from either template form."""
    found = []
    for match in _REC.finditer(text):
        body = match.group(1)
        values = {
            m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _TAGGED.finditer(body)
        }
        for line in _LINE.finditer(body):
            values.setdefault(line.group(1), line.group(2))
        found.append({k: html.unescape(v).strip() for k, v in values.items()})
    return found


def record_count(text: str) -> int | None:
    match = _COUNT.search(text)
    return int(match.group(1)) if match else None


def problem(page: Page) -> str | None:
    if not _is_search(page.url):
        return None
    if record_count(page.text) is None:
        return "no_recordcount"  # an HTML error page, a cut answer, a search that failed
    return None


def parse_list(page: Page) -> list[Candidate]:
    found = []
    for rec in records(page.text):
        url = canonicalize(rec.get("URL") or rec.get("DOCPUBURL") or "", page.url)
        if url is None:
            continue
        title = rec.get("TITLE") or rec.get("DOCTITLE") or None
        fields = listapi.fields_of(
            {
                "title": title,
                "doc_no": rec.get("WH") or rec.get("FILENUM"),
                "publish_date": listapi.date_of(rec.get("DOCRELTIME") or rec.get("PUBDATE")),
                "written_date": listapi.date_of(rec.get("CWRQ")),
                "agency": rec.get("FWDW") or rec.get("PUBORG"),
                "index_no": rec.get("SYH") or rec.get("IDXID"),
            }
        )
        kind = "attachment" if attachment_name(url) else "document"
        hint = dict(fields).get("publish_date")
        found.append(Candidate(url, title, hint, kind, fields, listapi.item_json(rec)))
    return unique(found)


def next_requests(page: Page) -> list[Request]:
    if not _is_search(page.url):
        return []
    number = listapi.as_int(listapi.query_of(page.url).get("page")) or 1
    on_page = len(records(page.text))
    if number != 1 or on_page == 0:
        return []
    return listapi.later_pages(page.url, "page", 1, listapi.page_count(record_count(page.text), on_page))
