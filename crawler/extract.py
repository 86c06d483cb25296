"""One saved page (bytes + URL) to a `Parsed` record: pure, no network, never raises on any input.

Why it never raises: bad HTML is data. A page the parser cannot read still becomes a record whose `flags` say
what went wrong, so the crawler stores it, the catalogue shows it needs a look, and an improved parser can
re-read it from the archive. Only programming errors propagate.

Sources, in order of trust: the disclosure block (`crawler.labels`), then the visible byline (发布日期 /
来源 lines above the body), then the 2017 guideline `<meta>` tags, then headings and `<title>`. A visible
date beats a meta date, and a disagreement is flagged rather than resolved silently.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from archive.identifiers import find_doc_no, normalise_date, parse_publish_at
from archive.models import EXTRA_FIELDS, RECORD_FIELDS, Parsed
from crawler.decode import decode_html
from crawler.extract_body import body_lines, densest_block, find_container
from crawler.extract_links import find_attachments
from crawler.extract_title import choose_title
from crawler.labels import (
    PARSER_DEPTH_LIMIT,
    Pair,
    block_from_body_head,
    build_cells,
    choose_block,
    find_pairs,
    squash,
    unfold_vertical_tables,
)

_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!",
    b"7z\xbc\xaf", b"\x1f\x8b", b"\x00\x00\x01\x00", b"ID3", b"OggS", b"fLaC", b"RIFF", b"MZ",
)  # fmt: skip
_TEXT_CONTROLS = set(b"\t\n\r\f\x1b")
_MAX_BYLINE = 50  # label pairs above the body that are no block: a byline has a handful


def looks_binary(raw: bytes) -> bool:
    """True for bytes that are no web page (PDF, Office, images, archives, executables); False for b""."""
    if not raw:
        return False
    if raw.startswith(_BINARY_MAGIC):
        return True
    head = raw[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs by design
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls > len(head) // 10


def _parse_tree(text: str) -> Any | None:
    cleaned = text.replace("\x00", "")
    if not cleaned.strip():
        return None
    # Plain etree elements (not lxml.html's): no per-element class lookup, noticeably faster on big pages.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(cleaned.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _meta_tags(root: Any) -> dict[str, str]:
    """Meta name/http-equiv/property -> content, names lower-cased, first non-empty value kept."""
    metas: dict[str, str] = {}
    for el in root.iter("meta"):
        name = el.get("name") or el.get("http-equiv") or el.get("property")
        content = el.get("content")
        if not name or content is None:
            continue
        key = name.strip().lower()
        value = squash(content)
        if value and not metas.get(key):
            metas[key] = value
        elif key not in metas:
            metas[key] = ""
    return metas


def _doc_no_value(value: str | None) -> str | None:
    """Sichuan runs 文号 into the next text: keep the number when the value starts with one."""
    if value is None:
        return None
    found = find_doc_no(value)
    if found and value.startswith(found) and len(value) > len(found):
        return found
    return value


def _co_agencies(agency: str | None, joint: str | None) -> tuple[str, ...]:
    """Every issuer of a joint document (the lead first); empty for a single issuer."""
    names: list[str] = []
    for value, separators in ((agency, r"[、；;]"), (joint, r"[、；;，,]")):
        names.extend(p.strip() for p in re.split(separators, value or ""))
    unique = tuple(dict.fromkeys(n for n in names if n))
    return unique if len(unique) > 1 else ()


def _publish_from_meta(metas: dict[str, str]) -> str | None:
    for key in ("pubdate", "firstpublishedtime", "publishdate", "publishtime", "article:published_time"):
        if metas.get(key):
            return metas[key]
    return None


def _meta_time(value: str | None) -> str | None:
    """The time of a meta date; Hanweb writes 00:00 for "no time", so midnight counts as none."""
    moment = parse_publish_at(value)
    return None if moment is None or "T00:00:00" in moment else moment


def _publish(
    block_value: str | None, byline: list[Pair], metas: dict[str, str], flags: list[str]
) -> tuple[str | None, str | None]:
    """(publish_date, publish_at): the block, then the visible byline, then meta; visible wins, conflicts flagged."""
    shown_dates = [p.value for p in byline if p.field == "publish_date" and normalise_date(p.value)]
    shown = block_value if normalise_date(block_value) else next(iter(shown_dates), None)
    publish_date = normalise_date(shown)
    publish_at = parse_publish_at(shown)
    if publish_date and publish_at is None:  # the block shows the day, the byline often the time of that day
        timed = [v for v in shown_dates if normalise_date(v) == publish_date and parse_publish_at(v)]
        publish_at = parse_publish_at(timed[0]) if timed else None
    meta_value = _publish_from_meta(metas)
    meta_date = normalise_date(meta_value)
    if publish_date is None and meta_date is not None:
        flags.append("publish_date_from_meta")
        return meta_date, _meta_time(meta_value)
    if publish_date and meta_date and publish_date != meta_date:
        flags.append("dates_disagree")
    elif publish_date and meta_date and publish_at is None:
        publish_at = _meta_time(meta_value)
    return publish_date, publish_at


def _standalone_doc_no(lines: list[str]) -> str | None:
    """A 文号 standing alone on a line near the top (docs/SITES.md 9.2): just above the body (Fujian's
    `.rules_tit1`) or among its first lines, never from inside a sentence."""
    for line in lines:
        found = find_doc_no(line)
        if found and found == line.strip():
            return found
    return None


def parse_page(raw: bytes, url: str | None = None, content_type: str | None = None) -> Parsed:
    """Read one page (docs/SITES.md 4-6, 8); see the module docstring. Never raises on any byte string."""
    decoded = decode_html(raw, content_type)
    flags: list[str] = []
    if decoded.guessed:
        flags.append("guessed_charset")
    if decoded.replacements:
        flags.append("replacement_chars")
    if not raw.strip():
        return Parsed(flags=(*flags, "empty_input"), charset=decoded.charset)
    root = _parse_tree(decoded.text)
    if root is None:
        return Parsed(flags=(*flags, "unparseable"), charset=decoded.charset)
    try:
        return _extract(root, decoded.text, url, decoded.charset, flags)
    except RecursionError:
        return Parsed(flags=(*flags, "recursion_limit"), charset=decoded.charset)


def _extract(root: Any, text: str, url: str | None, charset: str, flags: list[str]) -> Parsed:
    metas = _meta_tags(root)
    container = find_container(root)
    from_density = False
    if container is None:
        container = densest_block(root)
        from_density = container is not None
    unfold_vertical_tables(root, container)
    cells, depth = build_cells(root, container)
    if depth >= PARSER_DEPTH_LIMIT:
        flags.append("nesting_truncated")  # the parser dropped everything below its depth limit
    pairs = find_pairs(cells)
    block = choose_block(pairs)
    if not block:
        first_body = next((i for i, c in enumerate(cells) if c.in_body), len(cells))
        block = block_from_body_head(pairs, first_body)
    if not block:
        flags.append("no_metadata_block")

    values: dict[str, str | None] = {}
    for pair in block:
        if pair.field and values.get(pair.field) is None:
            values[pair.field] = pair.value
    labels_seen = {p.field for p in block}
    body_start = next((i for i, c in enumerate(cells) if c.in_body), len(cells))
    in_block = {id(p) for p in block}
    byline = [p for p in pairs if not p.in_body and p.cell < body_start and id(p) not in in_block][
        :_MAX_BYLINE
    ]

    lines = body_lines(container) if container is not None else []
    if from_density and lines:
        flags.append("body_from_density")
    if not lines:
        flags.append("no_body")

    publish_date, publish_at = _publish(values.get("publish_date"), byline, metas, flags)

    source = values.get("source")
    if source is None and "source" not in labels_seen:
        byline_source = next((p for p in byline if p.field == "source"), None)
        if byline_source is not None:
            source = byline_source.value
        else:
            source = metas.get("contentsource") or None

    doc_no = _doc_no_value(values.get("doc_no"))
    if doc_no is None and "doc_no" not in labels_seen:
        above_body = [c.text for c in cells[max(0, body_start - 6) : body_start] if not c.in_body]
        doc_no = _standalone_doc_no(above_body + lines[:8])
        if doc_no:
            flags.append("doc_no_from_body")

    title = choose_title(values.get("title"), metas, text, root, cells, flags)
    agency = values.get("agency")
    # every field of the table as the block gave it (archive/fields.py), then those that have more sources
    shown: dict[str, str | None] = {name: values.get(name) for name in (*RECORD_FIELDS, *EXTRA_FIELDS)}
    shown.update(
        title=title,
        doc_no=doc_no,
        source=source,
        written_date=normalise_date(values.get("written_date")),
        publish_date=publish_date,
        publish_at=publish_at,
    )
    return Parsed(
        **shown,
        co_agencies=_co_agencies(agency, values.get("co_agencies")),
        body="\n".join(lines),
        attachments=find_attachments(root, url, container),
        raw_fields=tuple((p.label, p.value or "") for p in block),
        flags=tuple(dict.fromkeys(flags)),
        charset=charset,
    )
