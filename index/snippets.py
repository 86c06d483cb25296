"""Snippets from stored text by plain string search: escaped HTML, matches in <mark>, no Whoosh highlighter.

Whoosh's highlighter re-tokenizes the whole document for every hit (most of the ~170 ms per query measured with
the stock setup). Here the literals of the query are already folded, folding keeps offsets (analyzer.fold), so
`str.find` on the folded body gives offsets into the original text; a window around the first matches is cut,
every piece is escaped with `html.escape`, and only the matched pieces are wrapped in <mark>.
"""

from __future__ import annotations

import html

from index.analyzer import fold
from index.settings import IndexSettings


def _spans(folded: str, needles: list[str], limit: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for needle in needles:
        start = folded.find(needle)
        found = 0
        while start >= 0 and found < limit:
            spans.append((start, start + len(needle)))
            found += 1
            start = folded.find(needle, start + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def make_snippet(text: str, needles: list[str], width: int = 120, fragments: int = 2) -> str:
    """HTML: up to `fragments` windows of about `width` characters around matches, joined by an ellipsis.

    Only as much of the text is folded as the windows need: a prefix first (4,096 characters), four times longer
    while the windows are not yet settled (a match could still begin before the last window's end)."""
    needles = sorted({n for n in needles if n and n.strip()}, key=len, reverse=True)
    longest = len(needles[0]) if needles else 0
    size = 4096
    while True:
        complete = size >= len(text)
        line = " ".join(text[:size].split())  # one line; collapsing whitespace only shortens
        spans = _spans(fold(line), needles, 50) if needles else []
        windows = _windows(spans, len(line), width, fragments)
        settled = len(windows) >= fragments and windows[-1][1] + longest < len(line)
        if complete or not needles or settled:
            break
        size *= 4
    if not spans:
        head = line[:width]
        return html.escape(head) + ("…" if len(line) > width or not complete else "")
    parts: list[str] = []
    for lo, hi in windows:
        piece: list[str] = ["…" if lo > 0 else ""]
        cursor = lo
        for begin, end in spans:
            if end <= lo or begin >= hi:
                continue
            begin, end = max(begin, lo), min(end, hi)
            piece.append(html.escape(line[cursor:begin]))
            piece.append("<mark>" + html.escape(line[begin:end]) + "</mark>")
            cursor = end
        piece.append(html.escape(line[cursor:hi]))
        piece.append("…" if hi < len(line) or not complete else "")
        parts.append("".join(piece))
    return " ".join(parts)


def _windows(spans: list[tuple[int, int]], length: int, width: int, fragments: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for begin, end in spans:
        if windows and begin < windows[-1][1]:
            continue
        lo = max(0, begin - width // 3)
        hi = min(length, max(end, lo + width))
        windows.append((lo, hi))
        if len(windows) >= fragments:
            break
    return windows


def mark_all(text: str, needles: list[str]) -> str:
    """HTML: the whole (short) text escaped, every match of the needles in <mark>; for titles."""
    needles = sorted({n for n in needles if n and n.strip()}, key=len, reverse=True)
    spans = _spans(fold(text), needles, 50) if needles else []
    out: list[str] = []
    cursor = 0
    for begin, end in spans:
        out.append(html.escape(text[cursor:begin]))
        out.append("<mark>" + html.escape(text[begin:end]) + "</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def highlight(text: str, q: str, settings: IndexSettings) -> str:
    """`text` marked with the literals of query `q` as snippets mark them (a query that does not parse: none)."""
    from index.errors import QueryError
    from index.query import parse, positive_literals

    try:
        needles = positive_literals(parse(q, settings))
    except QueryError:
        needles = []
    return mark_all(text, needles)
