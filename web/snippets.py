"""Re-sanitising highlighted snippets: the index promises escaped text with only <mark>, and we check it anyway.

The snippet is split on the two allowed tags; every other piece is unescaped once and escaped again, so stray markup
(an index bug, an entity BeautifulSoup decoded) can only ever come out as text.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

_MARK = re.compile(r"(<mark>|</mark>)")


def safe_snippet(snippet: str | None) -> Markup:
    if not snippet:
        return Markup("")
    out: list[str] = []
    depth = 0
    for piece in _MARK.split(snippet):
        if piece == "<mark>":
            if depth == 0:
                out.append("<mark>")
            depth += 1
        elif piece == "</mark>":
            if depth == 1:
                out.append("</mark>")
            depth = max(0, depth - 1)
        else:
            out.append(str(escape(html.unescape(piece))))
    if depth:
        out.append("</mark>")
    return Markup("".join(out))
