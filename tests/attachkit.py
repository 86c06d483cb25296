"""Attachment files for the extraction, search and crawl tests: generated files of every type with known text,
and hostile files that must each cost one recorded failure.

Known text comes from demosite.attachtext (the ground truth); PDF, OFD, DOCX and XLSX are written by
demosite.attachfiles; DOC, WPS, XLS and ET are the DOCX and XLSX converted by LibreOffice (WPS Office writes the
same OLE2 formats under those extensions) and ODS likewise, so those tests skip with a reason where `soffice`
is absent.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from demosite.attachfiles import WRITERS, docx_bytes, pdf_bytes
from demosite.attachtext import Content, make_content

FAST_TYPES = ("pdf", "ofd", "docx", "xlsx")
LEGACY_TYPES = ("doc", "wps", "xls", "et", "ods")
PER_TYPE = 20


@dataclass(frozen=True)
class Sample:
    label: str
    kind: str
    name: str  # file name as a page would link it
    data: bytes
    content: Content


def generated(kind: str, n: int = PER_TYPE, prefix: str = "g") -> list[Sample]:
    out = []
    for i in range(n):
        label = f"{prefix}{kind}{i:02d}"
        content = make_content(label)
        out.append(Sample(label, kind, f"{content.title}.{kind}", WRITERS[kind](content), content))
    return out


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(samples: list[Sample], target: str, new_kind: str) -> list[Sample]:
    """LibreOffice headless, one run for the whole batch (`target` is doc or xls)."""
    program = soffice()
    assert program is not None
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-test-") as tmp:
        paths = []
        for i, sample in enumerate(samples):
            path = Path(tmp) / f"f{i:03d}.{sample.kind}"
            path.write_bytes(sample.data)
            paths.append(path)
        profile = Path(tmp, "profile").as_uri()
        subprocess.run(
            [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", target]
            + ["--outdir", tmp, *map(str, paths)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return [
            Sample(
                s.label,
                new_kind,
                s.name.rsplit(".", 1)[0] + "." + new_kind,
                p.with_suffix("." + target).read_bytes(),
                s.content,
            )
            for s, p in zip(samples, paths, strict=True)
        ]


def legacy(n: int = PER_TYPE) -> dict[str, list[Sample]]:
    words = convert(generated("docx", n, "w"), "doc", "doc")
    sheets = convert(generated("xlsx", n, "s"), "xls", "xls")
    half = n // 2
    return {
        "doc": words[:half]
        + [_renamed(s, "doc") for s in convert(generated("docx", n - half, "v"), "doc", "doc")],
        "wps": [_renamed(s, "wps") for s in words],
        "xls": sheets[:half]
        + [_renamed(s, "xls") for s in convert(generated("xlsx", n - half, "t"), "xls", "xls")],
        "et": [_renamed(s, "et") for s in sheets],
        "ods": convert(generated("xlsx", n, "o"), "ods", "ods"),
    }


def _renamed(sample: Sample, kind: str) -> Sample:
    return Sample(sample.label, kind, sample.name.rsplit(".", 1)[0] + "." + kind, sample.data, sample.content)


# -- hostile files ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    category: str
    expect: tuple[str, ...]  # acceptable statuses
    reason: str = ""  # a word the reason must contain ("" for no check)


def _pdf_objects(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def private_use_pdf(glyphs: int = 40) -> bytes:
    """A PDF whose font's ToUnicode map sends every glyph to the private-use area (as some converters write)."""
    codes = "".join(f"{i:04X}" for i in range(1, glyphs + 1))
    stream = f"BT /F1 14 Tf 72 720 Td <{codes}> Tj ET".encode("ascii")
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /PUA def"
        " 1 begincodespacerange <0000> <FFFF> endcodespacerange"
        f" 1 beginbfrange <0001> <{glyphs:04X}> <E001> endbfrange endcmap"
        " CMapName currentdict /CMap defineresource pop end end"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /FZKTK /Encoding /Identity-H /DescendantFonts [6 0 R]"
        b" /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /FZKTK /CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>",
        b"<< /Length " + str(len(cmap)).encode() + b" >>\nstream\n" + cmap + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /FZKTK /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0"
        b" /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    return _pdf_objects(objects)


def scan_pdf() -> bytes:
    """A page with drawing but no text (what a scanner's PDF looks like to a text extractor)."""
    stream = b"0.5 g 72 72 468 648 re f 0 g 100 600 m 500 600 l S"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    return _pdf_objects(objects)


def encrypted_pdf(label: str) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("user-secret", "owner-secret", canPrint=0)
    pdf = canvas.Canvas(buf, encrypt=enc, invariant=1)
    pdf.drawString(72, 720, f"secret {label}")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def long_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    for i in range(pages):
        pdf.drawString(72, 720, f"page {i + 1} of the annual report")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def zip_bomb_docx(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A DOCX whose document.xml inflates from a few dozen kB to `inflated` bytes."""
    base = docx_bytes(make_content("bomb"))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "word/document.xml":
                bomb = zipfile.ZipInfo("word/document.xml", date_time=(2020, 1, 1, 0, 0, 0))
                bomb.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(bomb, "w") as fp:
                    chunk = b" " * (1024 * 1024)
                    for _ in range(inflated // len(chunk)):
                        fp.write(chunk)
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def xlsx_bomb(inflated: int = 48 * 1024 * 1024) -> bytes:
    out = io.BytesIO()
    content = make_content("xbomb")
    with (
        zipfile.ZipFile(io.BytesIO(WRITERS["xlsx"](content))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open("xl/worksheets/sheet1.xml", "w") as fp:
                    fp.write(
                        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    )
                    chunk = b"<row/>" * 100_000
                    for _ in range(inflated // len(chunk)):
                        fp.write(chunk)
                    fp.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def ofd_variant(kind: str) -> bytes:
    """OFDs broken in their XML: no DocRoot, an entity bomb, a page that is not XML."""
    content = make_content("ofd-" + kind)
    good = WRITERS["ofd"](content)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if kind == "no_root" and info.filename == "OFD.xml":
                data = data.replace(b"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>", b"")
            elif kind == "entities" and info.filename.endswith("Page_0/Content.xml"):
                expansions = ["lol"] + [f"&l{i - 1};" * 10 for i in range(1, 10)]
                lol = "".join(f'<!ENTITY l{i} "{text}">' for i, text in enumerate(expansions))
                data = f'<?xml version="1.0"?><!DOCTYPE p [{lol}]><p>&l9;</p>'.encode()
            elif kind == "not_xml" and info.filename.endswith("Content.xml"):
                data = b"\x00\xff not xml at all <<<"
            dst.writestr(info, data)
    return out.getvalue()


def hostile_files(seed: int) -> list[Hostile]:
    """50 files: each must end as one recorded failure (or a correct result for a merely misnamed file)."""
    rng = random.Random(seed)
    good = {kind: WRITERS[kind](make_content("h-" + kind)) for kind in FAST_TYPES}
    files: list[Hostile] = []
    for i in range(5):
        files.append(Hostile(f"加密{i}.pdf", encrypted_pdf(str(i)), "encrypted", ("failed",), "encrypted"))
    for i, kind in enumerate(("docx", "xlsx", "ofd", "docx", "xlsx", "ofd", "docx", "xlsx")):
        data = good[kind]
        cut = len(data) * (i + 2) // 12
        files.append(Hostile(f"截断{i}.{kind}", data[:cut], "truncated", ("failed",), "corrupt"))
    for i in range(3):
        files.append(Hostile(f"炸弹{i}.docx", zip_bomb_docx(), "zip_bomb", ("failed",), "zip_bomb"))
    for i in range(2):
        files.append(Hostile(f"表格炸弹{i}.xlsx", xlsx_bomb(), "zip_bomb", ("failed",), "zip_bomb"))
    files.append(Hostile("年报2000页.pdf", long_pdf(2000), "long", ("ok", "failed")))
    misnamed = [
        ("pdf", "xlsx"),
        ("docx", "pdf"),
        ("xlsx", "doc"),
        ("ofd", "pdf"),
        ("pdf", "doc"),
        ("docx", "xls"),
    ]
    for real, shown in misnamed:
        files.append(Hostile(f"改名{real}.{shown}", good[real], "misnamed", ("ok",)))
    files.append(
        Hostile(
            "网页.pdf",
            b"<!DOCTYPE html><html><body>404</body></html>" * 20,
            "misnamed",
            ("not_extracted",),
            "unsupported",
        )
    )
    files.append(
        Hostile(
            "文本.doc", "这是纯文本，不是文档。".encode() * 50, "misnamed", ("not_extracted",), "unsupported"
        )
    )
    for i, name in enumerate(("随机.pdf", "随机.doc", "随机.xlsx", "随机.ofd", "随机.wps", "随机.et")):
        files.append(
            Hostile(f"{i}{name}", rng.randbytes(rng.randint(100, 50_000)), "random", ("not_extracted",))
        )
    files.append(
        Hostile("头部.pdf", b"%PDF-1.7\n" + rng.randbytes(20_000), "random", ("failed", "needs_ocr"))
    )
    files.append(
        Hostile(
            "头部.doc",
            bytes.fromhex("D0CF11E0A1B11AE1") + rng.randbytes(20_000),
            "random",
            ("failed",),
            "corrupt",
        )
    )
    ole_book = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + rng.randbytes(600)
        + "Workbook".encode("utf-16-le")
        + rng.randbytes(9000)
    )
    files.append(Hostile("头部.xls", ole_book, "random", ("failed",)))
    files.append(Hostile("头部.et", ole_book[:-100], "random", ("failed",)))
    for i in range(3):
        files.append(
            Hostile(f"私用区{i}.pdf", private_use_pdf(30 + i), "private_use", ("needs_ocr",), "private_use")
        )
    for i in range(3):
        files.append(
            Hostile(f"扫描件{i}.pdf", scan_pdf() + b" " * i, "scan", ("needs_ocr",), "no_text_layer")
        )
    files.append(Hostile("空.pdf", b"", "empty", ("not_extracted",)))
    files.append(Hostile("一字节.docx", b"P", "empty", ("not_extracted",)))
    for kind in ("no_root", "entities", "not_xml"):
        files.append(Hostile(f"坏{kind}.ofd", ofd_variant(kind), "ofd_xml", ("failed", "needs_ocr")))
    files.append(Hostile("空压缩包.docx", _empty_zip(), "truncated", ("failed", "not_extracted")))
    files.append(
        Hostile("乱码页.pdf", pdf_bytes(make_content("ok-pdf"))[:-400], "truncated", ("ok", "failed"))
    )
    assert len(files) == 50, len(files)
    return files


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w"):
        pass
    return buf.getvalue()
