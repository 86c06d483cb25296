"""Attachment files of the demo site with real magic bytes (%PDF-, OLE2 D0 CF 11 E0, ZIP PK\\x03\\x04), so that a
crawler's magic-byte check has something true to confirm. Small, deterministic, and different per document.

PDF, OFD, DOCX and XLSX attachments are real files with Chinese text (attachtext.py says what, attachfiles.py
writes them), so a crawl of the demo finds attachment hits; DOC stays a bare OLE2 shell, which no reader can
extract: an honest failure the archive records with its reason.
"""

from __future__ import annotations

import functools

from demosite.attachfiles import WRITERS
from demosite.attachtext import Content, make_content
from demosite.docs import DemoAttachment, DemoDoc

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ofd": "application/ofd",
}


def _doc(label: str) -> bytes:
    """An OLE2 compound-file header (what Word 97-2003 and WPS files start with), then text sectors."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    header[24:26] = b"\x3e\x00"  # minor version
    header[26:28] = b"\x03\x00"  # major version 3
    header[28:30] = b"\xfe\xff"  # byte order
    header[30:32] = b"\x09\x00"  # sector size 512
    header[32:34] = b"\x06\x00"  # mini sector size 64
    payload = f"青岚市演示附件 {label}".encode("utf-16-le")
    sector = payload + bytes(512 - len(payload) % 512)
    return bytes(header) + sector


def attachment_label(doc: DemoDoc) -> str:
    return f"{doc.art_id}-v{doc.version}"


def attachment_content(doc: DemoDoc, attachment: DemoAttachment) -> Content | None:
    """What the attachment says (None for the DOC shell, which has no extractable text)."""
    if attachment.kind not in WRITERS:
        return None
    return make_content(attachment_label(doc))


@functools.lru_cache(maxsize=256)
def _rendered(kind: str, label: str) -> bytes:
    return WRITERS[kind](make_content(label))


def attachment_bytes(doc: DemoDoc, attachment: DemoAttachment) -> bytes:
    label = attachment_label(doc)
    if attachment.kind == "doc":
        return _doc(label)
    return _rendered(attachment.kind, label)
