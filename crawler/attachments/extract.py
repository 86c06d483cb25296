"""One file in, one `Extraction` out: the type from the bytes, then that type's extractor.

Pure of the process around it: the runner calls this inside a child process that has its limits set; tests
call it directly on generated files. Any exception an extractor lets through becomes a failure with its type.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from crawler.attachments.model import Extraction, failed
from crawler.attachments.sniff import sniff


@dataclass(frozen=True)
class Limits:
    """Per file: wall time, address space of the child, characters of text kept, bytes a ZIP may unpack to."""

    timeout_s: float = 60.0
    memory_mb: int = 1024
    max_chars: int = 2_000_000
    max_unpacked: int = 512 * 1024 * 1024


def extract_path(
    path: Path, name: str | None, limits: Limits, programs: tuple[str, ...] | None = None
) -> Extraction:
    started = time.monotonic()
    head = path.read_bytes() if path.stat().st_size <= 8 * 1024 * 1024 else _head(path)
    kind = sniff(head, name)
    try:
        result = _dispatch(path, kind, limits, programs)
    except MemoryError:
        result = failed(kind, "memory: 超过内存上限 / over the memory limit")
    except RecursionError:
        result = failed(kind, "corrupt: 结构嵌套过深 / structure nested too deeply")
    except Exception as exc:  # noqa: BLE001 - a hostile file may break any library in any way; it is recorded
        result = failed(kind, f"error: {type(exc).__name__}: {str(exc)[:160]}")
    return replace(result, elapsed_ms=int((time.monotonic() - started) * 1000))


def _head(path: Path) -> bytes:
    with open(path, "rb") as fp:
        return fp.read(8 * 1024 * 1024)


def _dispatch(path: Path, kind: str, limits: Limits, programs: tuple[str, ...] | None) -> Extraction:
    if kind == "pdf":
        from crawler.attachments.pdf import extract_pdf

        return extract_pdf(path, limits.max_chars)
    if kind == "docx":
        from crawler.attachments.office import extract_docx

        return extract_docx(path, limits.max_chars, limits.max_unpacked)
    if kind in ("xlsx", "xls", "et", "ods"):
        from crawler.attachments.office import extract_sheets

        return extract_sheets(path, kind, limits.max_chars, limits.max_unpacked)
    if kind == "ofd":
        from crawler.attachments.ofd import extract_ofd

        return extract_ofd(path, limits.max_chars, limits.max_unpacked)
    if kind in ("doc", "wps"):
        from crawler.attachments.legacy import extract_doc

        return extract_doc(path, kind, limits.max_chars, limits.timeout_s * 0.9, programs)
    return Extraction(
        "not_extracted", kind, "unsupported: 不支持的文件类型 / not a PDF, OFD, Word, WPS or spreadsheet file"
    )
