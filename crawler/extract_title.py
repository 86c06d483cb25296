"""The document's title: the full one, never a truncated list label, and flagged when only guessed.

Why this order: the block's 标题/名称 is what the agency registered; the 2017 `ArticleTitle` meta tag is the
uniform source but is sometimes cut with an ellipsis (then the page's own heading that continues it wins);
Hanweb template markers bracket the title in the HTML; headings and `<title>` (minus the site name) are
guesses and say so in `flags`.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

from crawler.labels import Cell, short_text, squash

_TITLE_SEPARATORS = re.compile(r"\s*(?:[|｜_]|--|——|—|–|\s-\s)\s*")
_ELLIPSIS = re.compile(r"(…+|\.{3,}|。{3,})$")
_TEMPLATE_BEGIN = re.compile(r"<!--\s*<\$\[标题[^\]]{0,20}\]>\s*begin\s*-->")
_TEMPLATE_END = re.compile(r"<!--\s*<\$\[标题[^\]]{0,20}\]>\s*end\s*-->")
_TAGS = re.compile(r"<[^>]*>")
# Class/id tokens of site headers and navigation: whole tokens only ("article-head" wraps the title itself).
_FURNITURE = re.compile(
    r"^(?:header|head|top|menu|footer|foot)$|^(?:logo|nav|banner|site-?name|zz-name)",
    re.I,
)
_HEADING_ATTR = re.compile(r"title|biaoti|bt_|headline", re.I)
_HEADING_ATTR_EXCLUDE = re.compile(r"subtitle|sub-title|fu-title|title_?bar|site|logo|column|lanmu", re.I)


def _clean_title(text: str | None) -> str | None:
    if not text:
        return None
    value = squash(text)
    return value if len(value) >= 2 else None


def _title_tag_text(root: Any) -> str | None:
    for el in root.iter("title"):
        return _clean_title(short_text(el, 1000))
    return None


def _strip_site_suffix(title: str) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) > 1:
        return max(parts, key=len).strip()
    words = title.split(" ")
    if len(words) > 1 and len(words[-1]) >= 2 * max(len(w) for w in words[:-1]):
        return words[-1]  # "江西省人民政府 政策文件 <title>": site and column first
    return title


def _in_page_furniture(el: Any) -> bool:
    """Site headers, logos and navigation carry h1s with the site's name, not the document's."""
    node = el
    for _ in range(8):
        if node is None:
            return False
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        attrs = f"{node.get('class') or ''} {node.get('id') or ''}"
        if tag in {"header", "nav", "footer"} or any(_FURNITURE.search(token) for token in attrs.split()):
            return True
        node = node.getparent()
    return False


def _template_title(raw_text: str) -> str | None:
    """Hanweb's `<!--<$[标题名称(html)]>begin-->…<!--…end-->`; bounded, a page may repeat the opener."""
    for begin in itertools.islice(_TEMPLATE_BEGIN.finditer(raw_text, 0, 1_000_000), 3):
        end = _TEMPLATE_END.search(raw_text, begin.end(), begin.end() + 2000)
        if end:
            text = _clean_title(_TAGS.sub("", raw_text[begin.end() : end.start()]))
            if text:
                return text
    return None


def _headings(root: Any, site_name: str | None) -> list[str]:
    found: list[str] = []
    for el in root.iter("h1", "h2", "h3", "div", "p", "td", "span", "ucaptitle"):
        tag = el.tag
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        if tag in {"h1", "h2", "h3", "ucaptitle"} or (
            _HEADING_ATTR.search(attrs) and not _HEADING_ATTR_EXCLUDE.search(attrs)
        ):
            text = _clean_title(short_text(el, 400))
            if text and 4 <= len(text) <= 200 and text != site_name and not _in_page_furniture(el):
                found.append(text)
    return found


def choose_title(
    block_title: str | None,
    metas: dict[str, str],
    raw_text: str,
    root: Any,
    cells: list[Cell],
    flags: list[str],
) -> str | None:
    """The title by the order of the module docstring; appends to `flags` when it is only a guess."""
    # a walk over the whole page: only for a truncated declared title or when none is declared
    headings = functools.cache(lambda: _headings(root, metas.get("sitename")))
    title_tag = _title_tag_text(root)
    for declared in (block_title, _clean_title(metas.get("articletitle"))):
        if not declared:
            continue
        stem = _ELLIPSIS.sub("", declared)
        if stem != declared:  # truncated: a heading or line that continues it is the full title
            texts = [*headings(), *(c.text for c in cells), title_tag or ""]
            longer = [t for t in texts if t.startswith(stem) and len(stem) < len(t) <= 200]
            if longer:
                return _strip_site_suffix(longer[0]) if longer[0] == title_tag else longer[0]
        return declared
    marker = _template_title(raw_text)
    if marker:
        return marker
    if headings():
        if title_tag:
            inside = [h for h in headings() if h in title_tag]
            if inside:
                flags.append("title_from_heading")
                return max(inside, key=len)
        flags.append("title_from_heading")
        return headings()[0]
    if title_tag:
        flags.append("title_from_title_tag")
        return _strip_site_suffix(title_tag)
    flags.append("no_title")
    return None
