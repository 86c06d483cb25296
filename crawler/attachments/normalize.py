"""Chinese-aware clean-up of extracted text, so that what a reader sees in the file is what a query finds.

PDF and OFD text comes out as laid out lines: a line break (often `\\r\\n`) wherever the page wrapped, and
sometimes a space between every glyph. In Chinese a wrapped line is not a word break, so `穗府办\\r\\n〔2024〕12 号`
must become `穗府办〔2024〕12号` or neither a literal query nor a 文号 lookup finds it. The rule is local and
per character: a run of whitespace is dropped when the characters on both sides are Chinese (Han, CJK
punctuation, full-width forms), or one side is Chinese and the other a digit; between Latin words or numbers a
single space is kept. Private-use code points (a font without a ToUnicode map) are counted, not repaired.
"""

from __future__ import annotations

import re

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u3000\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def is_cjk(char: str) -> bool:
    """Han ideographs, CJK punctuation (〔〕《》、。), full-width forms (，：（）) and CJK compatibility forms."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK symbols and punctuation, kana, Han and Extension A
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def is_private_use(char: str) -> bool:
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def private_use_share(text: str) -> float:
    """The share of private-use code points among the non-space characters (0.0 for an empty text)."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if is_private_use(c)) / len(chars)


def _joins(left: str, right: str) -> bool:
    """Whether the whitespace between `left` and `right` is layout, not a word break."""
    if is_cjk(left):
        return is_cjk(right) or right.isdigit()
    if is_cjk(right):
        return left.isdigit()
    return False


def normalize(text: str) -> str:
    """Drop layout whitespace inside Chinese text, collapse the rest to one space, strip control characters."""
    text = _CONTROL.sub("", text)
    out: list[str] = []
    last = 0
    for match in _WS.finditer(text):
        begin, end = match.span()
        out.append(text[last:begin])
        left = text[begin - 1] if begin > 0 else ""
        right = text[end] if end < len(text) else ""
        if left and right and not _joins(left, right):
            out.append(" ")
        last = end
    out.append(text[last:])
    return "".join(out)


def normalize_lines(lines: list[str]) -> str:
    """Paragraphs (DOCX, cells): each normalised, empty ones dropped, joined by newlines."""
    return "\n".join(n for n in (normalize(line) for line in lines) if n)
