"""Which kind of file an attachment is, from its bytes first and its name second.

Servers send `application/octet-stream` and agencies rename files, so the extension is only a hint: a `.doc`
that is really a DOCX is read as DOCX, and the extension only tells WPS from DOC and ET from XLS (WPS Office
writes the same OLE2 compound files as Word 97-2003 and Excel 97-2003).
"""

from __future__ import annotations

import io
import zipfile

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_KINDS = ("docx", "xlsx", "ofd", "ods")
_WORD = "WordDocument".encode("utf-16-le")
_BOOK = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le") + b"\x00\x00")


def extension(name: str | None) -> str:
    if not name:
        return ""
    base = name.rsplit("/", 1)[-1].split("?", 1)[0]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def sniff(data: bytes, name: str | None = None) -> str:
    """pdf, ofd, docx, xlsx, ods, doc, wps, xls, et or unknown."""
    ext = extension(name)
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(OLE2):
        return _ole_kind(data, ext)
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        # a ZIP that cannot be opened or read is still the file the page named: its extractor says why
        return ext if kind == "unknown" and ext in ZIP_KINDS else kind
    return "unknown"


def _ole_kind(data: bytes, ext: str) -> str:
    window = data[: 4 * 1024 * 1024]
    if _WORD in window:
        return "wps" if ext == "wps" else "doc"
    if any(b in window for b in _BOOK):
        return "et" if ext == "et" else "xls"
    return {"wps": "wps", "et": "et", "xls": "xls", "doc": "doc"}.get(ext, "doc")


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return "unknown"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "OFD.xml" in names or "ofd.xml" in names:
        return "ofd"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    return "unknown"
