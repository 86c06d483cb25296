"""Bytes to text in one place, in the order of docs/SITES.md 6; the archived bytes are never changed.

Why this order: a GBK decoder accepts UTF-8 bytes and returns plausible mojibake, while strict UTF-8 never
accepts GBK bytes by accident, so strict UTF-8 goes first whenever the declarations allow it. gb2312 and gbk
labels are read as gb18030 (a superset; pages labelled gb2312 routinely use GBK-only characters such as 镕).
A Western single-byte label accepts every byte string (and is `requests`' classic wrong default), so it is
tried only after GB18030 has failed. Statistical detection is the last resort and marks the result guessed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_PRESCAN_BYTES = 2048
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml\b[^>]*?encoding\s*=\s*[\"']\s*([A-Za-z0-9._:\-]+)", re.I)

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "x-gbk", "gb_2312-80", "csgb2312"}
_SINGLE_BYTE_PREFIXES = ("ascii", "iso8859", "latin", "cp125", "cp437", "cp850", "mac-", "koi8", "tis-620")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    """The text of a response and how it was obtained (recorded on the capture)."""

    text: str
    charset: str  # the codec actually used, e.g. "utf-8", "gb18030"
    declared: tuple[str, ...]  # labels found: header, then meta/XML, lower-cased
    rule: str  # "empty", "bom", "utf-8-strict", "declared", "gb18030", "guessed"
    guessed: bool
    replacements: int  # U+FFFD in the output that the bytes did not contain as U+FFFD


def _codec_name(label: str) -> str | None:
    """Python's codec for a declared label, with the GB family read as gb18030; None when unknown."""
    lowered = label.strip().strip("\"'").lower()
    if lowered in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(lowered).name
    except LookupError:
        return None
    if name in {"gb2312", "gbk", "hz"}:
        return "gb18030"
    if name == "utf-8-sig":
        return "utf-8"
    return name


def _is_single_byte(codec: str) -> bool:
    """Western (and other) single-byte codecs decode any byte string, so they prove nothing."""
    return codec.startswith(_SINGLE_BYTE_PREFIXES)


def _declared_labels(raw: bytes, content_type: str | None) -> list[str]:
    labels: list[str] = []
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match:
            labels.append(match.group(1).lower())
    head = raw[:_PRESCAN_BYTES]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        for found in pattern.finditer(head):
            labels.append(found.group(1).decode("ascii", "replace").lower())
    return labels


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _result(text: str, raw_fffd: int, charset: str, declared: tuple[str, ...], rule: str) -> Decoded:
    replacements = max(0, text.count("\ufffd") - raw_fffd)
    return Decoded(text, charset, declared, rule, rule == "guessed", replacements)


def decode_html(raw: bytes, content_type: str | None = None) -> Decoded:
    """Decode a response body following docs/SITES.md 6; never raises on any byte string."""
    raw_fffd = raw.count("\ufffd".encode())  # a page may legitimately contain U+FFFD; count only new ones
    declared = tuple(_declared_labels(raw, content_type))
    if not raw:
        return Decoded("", "utf-8", declared, "empty", False, 0)
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(codec, errors="replace")
            return _result(text, raw_fffd, codec, declared, "bom")

    codecs_declared: list[str] = []
    for label in declared:
        name = _codec_name(label)
        if name and name not in codecs_declared:
            codecs_declared.append(name)
    western = [c for c in codecs_declared if _is_single_byte(c)]
    others = [c for c in codecs_declared if not _is_single_byte(c)]
    utf8_allowed = all(c in {"utf-8", "gb18030"} or _is_single_byte(c) for c in codecs_declared)

    if utf8_allowed:
        strict = _strict(raw, "utf-8")
        if strict is not None:
            return _result(strict, raw_fffd, "utf-8", declared, "utf-8-strict")
    for codec in others:
        strict = _strict(raw, codec)
        if strict is not None:
            return _result(strict, raw_fffd, codec, declared, "declared")
    if not utf8_allowed:
        strict = _strict(raw, "utf-8")
        if strict is not None:
            return _result(strict, raw_fffd, "utf-8", declared, "utf-8-strict")
    strict = _strict(raw, "gb18030")
    if strict is not None:
        return _result(strict, raw_fffd, "gb18030", declared, "gb18030")
    for codec in western:
        strict = _strict(raw, codec)
        if strict is not None:
            return _result(strict, raw_fffd, codec, declared, "declared")

    best = charset_normalizer.from_bytes(raw).best()
    guess = (_codec_name(best.encoding) if best is not None else None) or "gb18030"
    return _result(raw.decode(guess, errors="replace"), raw_fffd, guess, declared, "guessed")
