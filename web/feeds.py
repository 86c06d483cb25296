"""Atom feed of a search: built with ElementTree so every field is escaped by the XML writer, not by hand."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all (archived text can hold them); they are dropped from the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class FeedEntry:
    doc_id: str
    title: str
    link: str  # absolute URL of the document page
    updated: str  # ISO 8601
    published: str | None
    summary: str
    original_url: str | None


def clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def date_to_instant(date: str | None) -> str | None:
    """A YYYY-MM-DD disclosure date as the Atom instant of its start in Asia/Shanghai."""
    if not date:
        return None
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return None
    return f"{date}T00:00:00+08:00"


def build_feed(
    *, feed_id: str, title: str, self_url: str, html_url: str, updated: str, entries: Sequence[FeedEntry]
) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean(v) for k, v in attrs.items()})
        if text is not None:
            el.text = clean(text)
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", updated)
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=html_url, type="text/html")
    author = sub(feed, "author")
    sub(author, "name", "gongkai")
    sub(feed, "generator", "gongkai")
    for item in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", item.link)
        sub(entry, "title", item.title or "（无标题）")
        sub(entry, "updated", item.updated)
        if item.published:
            sub(entry, "published", item.published)
        sub(entry, "link", rel="alternate", href=item.link, type="text/html")
        if item.original_url:
            sub(entry, "link", rel="related", href=item.original_url)
        sub(entry, "summary", item.summary, type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
