"""What every adapter shares: the page it reads, what it returns, and pure link helpers.

An adapter never fetches: it reads a decoded `Page` and returns `Candidate`s (links with the full title from
`title=` and a date hint) and `Request`s (further list pages or API calls). The crawl loop does the rest.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.urls import canonicalize


@dataclass(frozen=True)
class Page:
    url: str  # canonical URL the bytes came from (final URL after redirects)
    text: str  # decoded text
    content_type: str | None = None


@dataclass(frozen=True)
class Candidate:
    url: str  # canonical absolute URL
    title: str | None = None  # full title from `title=`, else the link text
    date_hint: str | None = None  # YYYY-MM-DD from the list; the article's own date wins
    kind: str = "page"  # document | attachment | list | page
    # list-side fields in record field names (doc_no, publish_date, agency, ...): the page's own block wins
    fields: tuple[tuple[str, str], ...] = ()
    item: str | None = None  # the platform's list row as JSON text, kept beside the document's capture


@dataclass(frozen=True)
class Request:
    url: str
    kind: str = "list"  # list | api
    # the list announced this page (a count of records or pages): it is asked for even when the page that
    # announced it added nothing new, and never beyond the count
    announced: bool = False


LIST_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/col/col\d+/(index\.html?)?$"),
    re.compile(r"/index(_\d+)?\.s?html?$"),
    re.compile(r"/$"),
)
ATTACHMENT_EXTENSIONS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "wps",
        "et",
        "ofd",
        "zip",
        "rar",
        "7z",
        "ppt",
        "pptx",
        "txt",
        "tif",
        "jpg",
        "png",
    }
)
FILE_NAME_PARAMS = ("filename", "fileName", "name", "file", "downloadName")
NEVER_PAGES = re.compile(r"\.(js|css|ico|gif|svg|woff2?|ttf|eot|mp4|mp3|swf|flv)$", re.IGNORECASE)
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TAGS = re.compile(r"<[^>]+>")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_BASE = re.compile(r"<base\b[^>]*href\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_ONCLICK_LITERAL = re.compile(
    r"""['"]((?:https?:)?/[^'"\s]+|[^'"\s]+\.(?:pdf|docx?|xlsx?|wps|ofd|zip|rar))['"]""", re.I
)


def attrs_of(tag_inner: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(tag_inner):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found.setdefault(name, html.unescape(value).strip())
    return found


def clean_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def date_hint(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def is_article_url(url: str) -> bool:
    """Whether some adapter vouches for `url` as one of its platform's article pages."""
    from crawler.sites import article_patterns  # the adapters own the shapes; the package has loaded them all

    path = urlsplit(url).path
    return any(p.search(path) for p in article_patterns())


def is_endpoint_url(url: str) -> bool:
    """Whether `url` is some adapter's list endpoint (an API answering XML or JSON, never a document)."""
    from crawler.sites import endpoint_patterns

    path = urlsplit(url).path
    return any(p.search(path) for p in endpoint_patterns())


def is_list_url(url: str) -> bool:
    parts = urlsplit(url)
    return any(p.search(parts.path) for p in LIST_PATTERNS) and "/module/" not in parts.path


def attachment_name(url: str) -> str | None:
    """The file name when the URL points at a file, by path extension or a file-name query parameter."""
    parts = urlsplit(url)
    last = parts.path.rsplit("/", 1)[-1]
    if "." in last and last.rsplit(".", 1)[1].lower() in ATTACHMENT_EXTENSIONS:
        return last
    params = dict(parse_qsl(parts.query))
    for key in FILE_NAME_PARAMS:
        value = params.get(key)
        if value and "." in value and value.rsplit(".", 1)[1].lower() in ATTACHMENT_EXTENSIONS:
            return value.rsplit("/", 1)[-1]
    return None


def guess_kind(url: str) -> str | None:
    """document / attachment / list / page for a link, or None for links that are never worth fetching."""
    path = urlsplit(url).path
    if attachment_name(url):
        return "attachment"
    if NEVER_PAGES.search(path):
        return None
    if is_article_url(url):
        return "document"
    if "/module/" in path or "/api-gateway/" in path or is_endpoint_url(url):
        return None  # endpoints are requested by adapters, never followed as links
    if is_list_url(url):
        return "list"
    return "page"


def page_base(page: Page) -> str:
    match = _BASE.search(page.text[:8192])
    return urljoin(page.url, html.unescape(match.group(1))) if match else page.url


def anchors(fragment: str, base: str) -> list[Candidate]:
    """Every usable link of an HTML fragment, with the full title, a date hint and a kind guess."""
    found: list[Candidate] = []
    for match in _ANCHOR.finditer(fragment):
        attrs = attrs_of(match.group(1))
        targets = [attrs.get("href", "")]
        onclick = attrs.get("onclick", "")
        if onclick:
            targets += [m.group(1) for m in _ONCLICK_LITERAL.finditer(onclick)]
        title = attrs.get("title") or clean_text(match.group(2)) or None
        hint = date_hint(fragment[match.end() : match.end() + 200])
        for target in targets:
            if not target or target.lower().startswith(
                ("javascript:", "mailto:", "tel:", "#", "data:", "file:")
            ):
                continue
            url = canonicalize(target, base)
            if url is None:
                continue
            kind = guess_kind(url)
            if kind is not None:
                found.append(Candidate(url=url, title=title, date_hint=hint, kind=kind))
    return found


def unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    out = []
    for c in candidates:
        if c.url not in seen:
            seen.add(c.url)
            out.append(c)
    return out
