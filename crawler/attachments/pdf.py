"""PDF text by page: PDFium (pypdfium2) first, pdfminer.six where PDFium's text layer is empty or private-use.

PDFium is fast and reads CID fonts (STSong-Light and the like) through their ToUnicode maps. Where it yields
nothing or glyph codes in the private-use area, pdfminer.six decodes the fonts itself and sometimes does better
(CMaps it knows by name). A PDF with no usable text after both is a scan or a font without Unicode: "needs OCR".
Runs in the extraction child (runner.py), under its time and memory limits.
"""

from __future__ import annotations

from pathlib import Path

from crawler.attachments.model import Extraction, Unit, cap_units, failed, truncated_reason
from crawler.attachments.normalize import normalize, private_use_share

PUA_LIMIT = 0.3  # above this share of private-use characters a page's text is not text


def _usable(texts: list[str]) -> bool:
    joined = "".join(texts)
    return bool(joined.strip()) and private_use_share(joined) <= PUA_LIMIT


def _pdfium_pages(path: Path, max_chars: int) -> tuple[list[str], int, bool]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        count = len(pdf)
        texts: list[str] = []
        total = 0
        for index in range(count):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = normalize(textpage.get_text_range())
                finally:
                    textpage.close()
            finally:
                page.close()
            texts.append(text)
            total += len(text)
            if total > max_chars:
                return texts, count, True
        return texts, count, False
    finally:
        pdf.close()


def _pdfminer_pages(path: Path, max_chars: int) -> tuple[list[str], bool]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    texts: list[str] = []
    total = 0
    for layout in extract_pages(str(path)):
        parts = [el.get_text() for el in layout if isinstance(el, LTTextContainer)]
        text = normalize("\n".join(parts))
        texts.append(text)
        total += len(text)
        if total > max_chars:
            return texts, True
    return texts, False


def extract_pdf(path: Path, max_chars: int) -> Extraction:
    import pypdfium2 as pdfium

    try:
        texts, count, cut = _pdfium_pages(path, max_chars)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            return failed("pdf", "encrypted: 文件已加密 / the PDF needs a password", "pdfium")
        return failed("pdf", f"corrupt: PDF 无法读取 / unreadable PDF ({message[:120]})", "pdfium")
    extractor = "pdfium"
    if not _usable(texts):
        try:
            mined, mined_cut = _pdfminer_pages(path, max_chars)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on odd files; the reason is kept
            mined, mined_cut = [], False
            reason = f"{type(exc).__name__}"
        else:
            reason = ""
        if _usable(mined):
            texts, cut, extractor = mined, mined_cut, "pdfminer"
        else:
            joined = "".join(texts) + "".join(mined)
            why = (
                "private_use: 文字层为私用区字符（字体缺少 Unicode 映射）/ the text layer is private-use code points"
                if private_use_share(joined) > PUA_LIMIT
                else "no_text_layer: 无文字层（扫描件）/ no text layer (a scan)"
            )
            if reason:
                why += f"; pdfminer: {reason}"
            return Extraction("needs_ocr", "pdf", why, pages=count, extractor="pdfium+pdfminer")
    units = tuple(Unit(text, page=i + 1) for i, text in enumerate(texts) if text)
    note = truncated_reason(max_chars) if cut else None
    return Extraction("ok", "pdf", note, cap_units(units, max_chars), pages=count, extractor=extractor)
