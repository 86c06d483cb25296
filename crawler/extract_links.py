"""Attachment links of a page: by path extension, by a file name in the query, by `download=`, by onclick.

Why so many places: download gateways hide the extension in a query value (`fileName=…wps`), JPaaS puts the
real name only in `<a download>`, and Chongqing/Tianjin put the URL only inside `onclick` string literals
(read as literals, never run). Navigation and footers are skipped: they link site-wide PDFs that belong to
no document.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from archive.models import Attachment
from crawler.labels import short_text, squash

EXTENSIONS = frozenset("pdf doc docx wps xls xlsx et ofd zip rar 7z ppt pptx txt csv".split())
_NAME_PARAMS = frozenset({"filename", "name", "file", "downloadname", "title", "fname", "fileurl", "path"})
_EXT = re.compile(r"\.([A-Za-z0-9]{2,5})$")
_LITERAL = re.compile(r"""(['"])((?:(?!\1).){1,500})\1""")
_SKIP_AREA = re.compile(r"(^|[\s_-])(nav|navbar|menu|footer|foot|copyright|header|sidebar)([\s_-]|$)", re.I)
_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "file:", "data:", "about:")


def _extension(value: str | None) -> str | None:
    if not value:
        return None
    match = _EXT.search(unquote(value).strip().split("#")[0])
    if match and match.group(1).lower() in EXTENSIONS:
        return match.group(1).lower()
    return None


def _url_extension(url: str) -> tuple[str | None, str | None]:
    """(extension, file name from the query) of a URL: the path first, then name-like query values."""
    parts = urlsplit(url)
    ext = _extension(parts.path)
    if ext:
        return ext, None
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in _NAME_PARAMS or key.lower().endswith("name"):
            ext = _extension(value)
            if ext:
                return ext, value
    return None, None


def _is_fetchable(href: str) -> bool:
    lowered = href.strip().lower()
    if not lowered or lowered.startswith(_BAD_SCHEMES) or lowered.startswith("#"):
        return False
    return not re.match(r"^[a-z]:\\", lowered)  # C:\… pasted from the author's PC


def _base_url(root: Any, url: str | None) -> str | None:
    for base in root.iter("base"):
        href = base.get("href")
        if href and _is_fetchable(href):
            return urljoin(url or "", href.strip())
    return url


def _onclick_candidates(onclick: str) -> tuple[str | None, str | None]:
    """(url, name) from string literals such as downloadFj('name','url') or window.open('….pdf')."""
    literals = [m.group(2) for m in _LITERAL.finditer(onclick)]
    with_ext = [lit for lit in literals if _url_extension(lit)[0]]
    url = next((lit for lit in with_ext if "/" in lit), with_ext[0] if with_ext else None)
    if url is None:
        return None, None
    others = [lit for lit in literals if lit != url and not lit.startswith(("http", "/", "."))]
    name = next((lit for lit in others if _extension(lit)), others[0] if others else None)
    return url, name


def _in_skipped_area(el: Any, body: Any | None) -> bool:
    """Inside navigation, header or footer (and not inside the body, whatever its wrappers are called)."""
    node = el.getparent()
    while node is not None:
        if node is body:
            return False
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in {"nav", "footer", "header"}:
            return True
        if _SKIP_AREA.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        node = node.getparent()
    return False


def find_attachments(root: Any, url: str | None, body: Any | None = None) -> tuple[Attachment, ...]:
    """Attachment links in document order, resolved against `<base>` and the page URL, without duplicates."""
    base = _base_url(root, url)
    found: dict[str, Attachment] = {}
    for el in root.iter("a", "iframe", "embed", "object", "area", "span", "button", "input"):
        tag = el.tag
        href = el.get("href") if tag in {"a", "area"} else el.get("src") or el.get("data")
        name: str | None = None
        if not href or not _url_extension(href)[0]:
            onclick = el.get("onclick") or ""
            if "'" in onclick or '"' in onclick:
                href, name = _onclick_candidates(onclick)
        if not href or not _is_fetchable(href):
            continue
        ext, query_name = _url_extension(href)
        download = el.get("download")
        text = squash(short_text(el, 300))
        if ext is None and not (_extension(download) or _extension(text) or _extension(el.get("title"))):
            continue  # a gateway link counts when its download name, text or title names a file
        if _in_skipped_area(el, body):
            continue
        if "pdfjs" in href.lower() or "viewer" in href.lower():
            inner = dict((k.lower(), v) for k, v in parse_qsl(urlsplit(href).query)).get("file")
            if inner and _extension(inner):
                href = inner
        absolute = urljoin(base or "", href.strip())
        if query_name:
            query_name = unquote(query_name).rsplit("/", 1)[-1] or None
        name = download or name or (text if text else None) or el.get("title") or query_name
        if name is None:
            name = unquote(urlsplit(absolute).path.rsplit("/", 1)[-1]) or None
        if absolute not in found:
            found[absolute] = Attachment(url=absolute, name=name)
    return tuple(found.values())
