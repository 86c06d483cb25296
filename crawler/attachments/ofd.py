"""OFD (GB/T 33190), China's fixed-layout format, read from its XML: a ZIP whose OFD.xml names a Document.xml,
which lists pages; each page's Content.xml holds TextObject/TextCode elements with the text.

Written here rather than taken from a package: the only maintained readers on PyPI bring rendering stacks or
invoice tooling for what is ~80 lines of ZIP and XML. Entities are never resolved and nothing is fetched.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import Any

from crawler.attachments.model import Extraction, Unit, cap_units, failed, truncated_reason
from crawler.attachments.normalize import normalize
from crawler.attachments.office import zip_problem

MAX_PART = 64 * 1024 * 1024  # one XML part; larger is not a page


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _read(zf: zipfile.ZipFile, name: str) -> Any:
    from lxml import etree

    name = name.lstrip("/")
    info = zf.getinfo(name)
    if info.file_size > MAX_PART:
        raise ValueError(f"part too large: {name}")
    return etree.fromstring(zf.read(info), _parser())


def _first(root: Any, tag: str) -> Any:
    for el in root.iter():
        if _local(el.tag) == tag:
            return el
    return None


def _resolve(base_dir: str, loc: str) -> str:
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return posixpath.normpath(loc.lstrip("/"))
    return posixpath.normpath(posixpath.join(base_dir, loc))


def page_text(root: Any) -> str:
    """The page's text in document order: TextCode runs, a line break between text objects."""
    parts: list[str] = []
    for el in root.iter():
        if _local(el.tag) == "TextObject":
            codes = [c.text or "" for c in el.iter() if _local(c.tag) == "TextCode"]
            parts.append("".join(codes))
    return normalize("\n".join(parts))


def extract_ofd(path: Path, max_chars: int, max_unpacked: int) -> Extraction:
    problem = zip_problem(path, max_unpacked)
    if problem:
        return failed("ofd", problem, "ofd-xml")
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            root = _read(zf, names.get("ofd.xml", "OFD.xml"))
            doc_root = _first(root, "DocRoot")
            if doc_root is None or not (doc_root.text or "").strip():
                return failed("ofd", "corrupt: OFD.xml 缺少 DocRoot / OFD.xml has no DocRoot", "ofd-xml")
            doc_path = _resolve("", doc_root.text)
            document = _read(zf, doc_path)
            base = posixpath.dirname(doc_path)
            pages = [el for el in document.iter() if _local(el.tag) == "Page" and el.get("BaseLoc")]
            units: list[Unit] = []
            total = 0
            cut = False
            for number, page in enumerate(pages, start=1):
                text = page_text(_read(zf, _resolve(base, page.get("BaseLoc"))))
                if text:
                    units.append(Unit(text, page=number))
                    total += len(text)
                if total > max_chars:
                    cut = True
                    break
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
        return failed("ofd", f"corrupt: OFD 无法读取 / unreadable OFD ({str(exc)[:120]})", "ofd-xml")
    except Exception as exc:  # noqa: BLE001 - lxml's XMLSyntaxError and friends
        return failed("ofd", f"corrupt: OFD 的 XML 无效 / invalid OFD XML ({type(exc).__name__})", "ofd-xml")
    if not units:
        why = "no_text_layer: 无文字（扫描件）/ no text objects (a scan)"
        return Extraction("needs_ocr", "ofd", why, pages=len(pages), extractor="ofd-xml")
    reason = truncated_reason(max_chars) if cut else None
    return Extraction("ok", "ofd", reason, cap_units(units, max_chars), pages=len(pages), extractor="ofd-xml")
