"""The document text: the CMS body container when there is one, else the densest text block.

Why containers first: every CMS family names its content element (docs/SITES.md 2-3), and the container is also
what separates the header block from the body's 版记 in `crawler.labels`. The text-density fallback is for
layouts nobody listed; it prefers paragraphs and discounts link text, so navigation and footers lose.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.labels import BLOCK_TAGS, SKIP_TAGS, squash

# In priority order; the first one holding real text wins.
BODY_SELECTORS: tuple[tuple[str, str], ...] = (
    ("id", "UCAP-CONTENT"),
    ("id", "zoom"),
    ("class", "TRS_Editor"),
    ("class", "TRS_UEDITOR"),
    ("class", "trs_editor_view"),
    ("class", "Article_content"),
    ("id", "ivs_content"),
    ("class", "article-content"),
    ("class", "main-txt"),
    ("class", "bt-content"),
    ("class", "zw"),
    ("class", "zoom"),
    ("id", "zoomcon"),
    ("class", "pages_content"),
    ("class", "con_text"),
    ("class", "mainTextBox"),
    ("class", "zc_article_con"),
)
# Generic names that also label page wrappers: they must hold more text to count.
GENERIC_SELECTORS: tuple[tuple[str, str], ...] = (
    ("class", "view"),
    ("class", "content"),
    ("id", "content"),
    ("class", "article"),
)
_MIN_BODY_CHARS = 20
_ROW_TAGS = frozenset({"tr", "table", "tbody", "thead", "tfoot", "caption"})
# A class or id token starting with one of these marks page furniture inside a body container
# ("bdsharebuttonbox", "share-box", "fontsize-ctrl"); whole words only for the short ones ("print", "nav").
_NOISE = re.compile(
    r"^(?:bdshare|share|fenxiang|jiathis|qrcode|erweima|fontsize|font-size|font_size|zihao|toolbar|"
    r"breadcrumb|crumb|footer|copyright|sidebar|navbar|navigation)|^(?:print|printer|nav|menu|foot)$",
    re.I,
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOILERPLATE = re.compile(
    r"^(【?\s*字[体号][:：]?.*[大中小].*|打印(本页|此页)?|关闭(本页|窗口)?|【?\s*打印\s*】?|【?\s*关闭\s*】?|"
    r"扫一扫在手机打开当前页|分享到[:：]?.*|返回顶部|上一篇.*|下一篇.*)$"
)


def _xpath_for(kind: str, name: str) -> str:
    if kind == "id":
        return f'//*[@id="{name}"]'
    return f'//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]'


def _is_noise(el: Any) -> bool:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if any(_NOISE.search(token) for token in attrs.split()):
        return True
    return bool(_HIDDEN.search(el.get("style") or ""))


def body_lines(container: Any) -> list[str]:
    """Paragraphs of a container: block elements break lines, furniture and boilerplate are dropped."""
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = squash("".join(buffer))
        buffer.clear()
        if text and not _BOILERPLATE.match(text):
            lines.append(text)

    in_cell = 0  # inside a table cell, paragraphs join the row's line: one table row, one line
    walker = etree.iterwalk(container, events=("start", "end"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or (el is not container and _is_noise(el)):
                walker.skip_subtree()
                continue
            if tag in _ROW_TAGS:
                flush()
            elif tag in {"td", "th"} and el is not container:
                in_cell += 1
                buffer.append(" ")
            elif tag in BLOCK_TAGS:
                buffer.append(" ") if in_cell else flush()
            if el.text:
                buffer.append(el.text)
        else:
            if tag in {"td", "th"} and el is not container:
                in_cell = max(0, in_cell - 1)
                buffer.append(" ")
            elif tag in _ROW_TAGS or (tag in BLOCK_TAGS and tag not in SKIP_TAGS and not in_cell):
                flush()
            elif tag in BLOCK_TAGS and tag not in SKIP_TAGS:
                buffer.append(" ")
            if el.tail and el is not container:
                buffer.append(el.tail)
    flush()
    return lines


def _has_text(el: Any, minimum: int) -> bool:
    """At least `minimum` visible characters; stops early (wrappers nest hundreds deep on bad pages)."""
    total = 0
    for piece in el.itertext():
        total += len(piece.strip())
        if total >= minimum:
            return True
    return False


def find_container(root: Any) -> Any | None:
    """The first listed body container with real text; None when the page has none of them."""
    for selectors, minimum in ((BODY_SELECTORS, 1), (GENERIC_SELECTORS, _MIN_BODY_CHARS)):
        for kind, name in selectors:
            for el in root.xpath(_xpath_for(kind, name)):
                if _tag_ok(el) and _has_text(el, minimum) and not _holds_block(el):
                    return el
    return None


_BLOCK_LABEL = re.compile("索[\\s\u00a0\u2000-\u200b\u3000]*引[\\s\u00a0\u2000-\u200b\u3000]*号")


def _holds_block(el: Any) -> bool:
    """A wrapper that starts with the disclosure block is the page, not the body (bodies never say 索引号)."""
    head = "".join(t for _, t in zip(range(60), el.itertext(), strict=False))[:400]
    return bool(_BLOCK_LABEL.search(head))


def _tag_ok(el: Any) -> bool:
    return isinstance(el.tag, str) and el.tag.lower() not in {"body", "html", "head", "meta", "script"}


def densest_block(root: Any) -> Any | None:
    """The element whose direct paragraphs hold the most non-link text (readability-style fallback)."""
    scores: dict[Any, int] = {}
    for el in root.iter("p", "br", "div", "td", "span", "font"):
        parent = el.getparent()
        if parent is None:
            continue
        own = (el.text or "") if el.tag in {"p", "span", "font"} else ""
        if el.tag == "p":
            own = "".join(el.itertext())
        own = own + (el.tail or "")
        length = len("".join(own.split()))
        if length < 10:
            continue
        link_chars = (
            sum(len("".join(("".join(a.itertext())).split())) for a in el.iter("a")) if el.tag == "p" else 0
        )
        target = parent
        scores[target] = scores.get(target, 0) + max(0, length - 2 * link_chars)
    best = None
    best_score = 0
    for el, score in scores.items():
        if _tag_ok(el) and not _is_noise(el) and score > best_score:
            best, best_score = el, score
    return best if best_score >= _MIN_BODY_CHARS else None
