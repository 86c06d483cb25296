"""DOCX (python-docx, tables in body order), spreadsheets (python-calamine: XLSX, XLS, ET, ODS) and OFD.

Every ZIP-based format is checked before it is parsed: the declared sizes of its members are summed, so a
decompression bomb is refused from its central directory without inflating a byte (the memory limit of the
extraction child is the second line of defence).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from crawler.attachments.model import Extraction, Unit, cap_units, failed, truncated_reason
from crawler.attachments.normalize import normalize

MAX_RATIO = 200  # a member that inflates more than this (and past 10 MB) is a bomb, not a document


def zip_problem(path: Path, max_unpacked: int) -> str | None:
    """Why a ZIP container must not be opened, or None."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return f"corrupt: ZIP 文件损坏 / broken ZIP container ({type(exc).__name__})"
    total = sum(i.file_size for i in infos)
    if total > max_unpacked:
        return f"zip_bomb: 解压后 {total} 字节，超过上限 / unpacks to {total} bytes, over the {max_unpacked} limit"
    for info in infos:
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"zip_bomb: {info.filename} 压缩比异常 / inflates {info.file_size // max(info.compress_size, 1)}x"
    return None


def extract_docx(path: Path, max_chars: int, max_unpacked: int) -> Extraction:
    problem = zip_problem(path, max_unpacked)
    if problem:
        return failed("docx", problem, "python-docx")
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors on bad files
        return failed(
            "docx", f"corrupt: DOCX 无法读取 / unreadable DOCX ({type(exc).__name__})", "python-docx"
        )
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(normalize(Paragraph(child, document).text))
        elif tag == "tbl":  # cells normalised one by one: a tab between two cells is a real break
            lines.extend(_table_rows(Table(child, document)))
    text = "\n".join(line for line in lines if line.strip())
    return _single("docx", text, max_chars, "python-docx")


def _table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats across the cells it spans
                continue
            seen.add(id(cell._tc))
            cells.append(normalize(cell.text))
        rows.append("\t".join(cells))
    return rows


def _single(kind: str, text: str, max_chars: int, extractor: str) -> Extraction:
    if not text.strip():
        return Extraction("ok", kind, "no_text: 文件中没有文字 / the file has no text", extractor=extractor)
    reason = truncated_reason(max_chars) if len(text) > max_chars else None
    return Extraction("ok", kind, reason, cap_units([Unit(text)], max_chars), extractor=extractor)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return normalize(str(value))


def extract_sheets(path: Path, kind: str, max_chars: int, max_unpacked: int) -> Extraction:
    if kind in ("xlsx", "ods"):
        problem = zip_problem(path, max_unpacked)
        if problem:
            return failed(kind, problem, "calamine")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types per format
        return failed(kind, f"corrupt: 表格无法读取 / unreadable workbook ({str(exc)[:120]})", "calamine")
    units: list[Unit] = []
    total = 0
    cut = False
    for name in names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception as exc:  # noqa: BLE001
            return failed(
                kind, f"corrupt: 工作表 {name} 无法读取 / unreadable sheet ({str(exc)[:80]})", "calamine"
            )
        lines = ["\t".join(_cell(v) for v in row).rstrip("\t") for row in rows]
        text = "\n".join(line for line in lines if line)
        if text:
            units.append(Unit(text, sheet=name))
            total += len(text)
        if total > max_chars:
            cut = True
            break
    if not units:
        return Extraction("ok", kind, "no_text: 表格为空 / the workbook has no text", extractor="calamine")
    reason = truncated_reason(max_chars) if cut else None
    return Extraction("ok", kind, reason, cap_units(units, max_chars), extractor="calamine")
