"""Real-shaped attachment files written from `Content`: a PDF in a CID font (reportlab's STSong-Light, as
Chinese office software writes them), a DOCX with a table (python-docx), an XLSX with two sheets and an OFD
(GB/T 33190: a ZIP of XML, text in TextCode elements), all byte-for-byte deterministic.

Long lines are wrapped the way layout engines do, including inside a 文号, so that extraction has to join
them again; breaks fall only between two Chinese characters or a Chinese character and a digit.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from demosite.attachtext import Content

FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def _cjk(char: str) -> bool:
    code = ord(char)
    return 0x3000 <= code <= 0x9FFF or 0xFF00 <= code <= 0xFFEF


def _breakable(left: str, right: str) -> bool:
    return (_cjk(left) and (_cjk(right) or right.isdigit())) or (left.isdigit() and _cjk(right))


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most about `width` characters, broken only where a break is layout."""
    lines: list[str] = []
    start = 0
    while len(text) - start > width:
        cut = start + width
        while cut > start + 1 and not _breakable(text[cut - 1], text[cut]):
            cut -= 1
        if cut <= start + 1:
            cut = start + width
            while cut < len(text) and not _breakable(text[cut - 1], text[cut]):
                cut += 1
        lines.append(text[start:cut])
        start = cut
    lines.append(text[start:])
    return lines


def pdf_bytes(content: Content, width: int = 28) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    pdf.setTitle(content.title)
    for page in content.pages:
        pdf.setFont("STSong-Light", 12)
        y = 780
        for piece in page:
            for line in wrap(piece, width):
                pdf.drawString(60, y, line)
                y -= 18
            y -= 6
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _fixed_zip(parts: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def docx_bytes(content: Content) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = content.title
    document.add_paragraph(content.title)
    document.add_paragraph(content.doc_no)
    for paragraph in content.paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=len(content.table), cols=len(content.table[0]))
    for r, row in enumerate(content.table):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    raw = io.BytesIO()
    document.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zf:  # python-docx stamps the current time
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    parts = [(n, d) for n, d in parts if n != "docProps/core.xml"] + [("docProps/core.xml", _core(content))]
    return _fixed_zip(parts)


def _core(content: Content) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>'
        f"{escape(content.title)}</dc:title></cp:coreProperties>"
    ).encode()


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _cell_xml(ref: str, value: str) -> str:
    if value.replace(".", "", 1).isdigit():
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def xlsx_bytes(content: Content) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(content.sheets) + 1)
    )
    parts: list[tuple[str, str]] = [
        (
            "[Content_Types].xml",
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
            f' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        ),
        (
            "_rels/.rels",
            f'{head}<Relationships xmlns="{_NS_PKG}"><Relationship Id="rId1" Type="{_NS_REL}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        ),
    ]
    sheets = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(content.sheets, 1)
    )
    parts.append(
        (
            "xl/workbook.xml",
            f'{head}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheets>{sheets}</sheets></workbook>',
        )
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(content.sheets) + 1)
    )
    parts.append(
        ("xl/_rels/workbook.xml.rels", f'{head}<Relationships xmlns="{_NS_PKG}">{rels}</Relationships>')
    )
    for i, (_name, rows) in enumerate(content.sheets, 1):
        body = "".join(
            f'<row r="{r}">'
            + "".join(_cell_xml(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row) if v)
            + "</row>"
            for r, row in enumerate(rows, 1)
        )
        parts.append(
            (
                f"xl/worksheets/sheet{i}.xml",
                f'{head}<worksheet xmlns="{_NS_MAIN}"><sheetData>{body}</sheetData></worksheet>',
            )
        )
    return _fixed_zip([(n, s.encode("utf-8")) for n, s in parts])


_OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(content: Content, width: int = 28) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    ofd = (
        f'{head}<ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{abs(hash(content.title)) % 10**12:012d}</ofd:DocID><ofd:Title>{escape(content.title)}</ofd:Title>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    pages = "".join(
        f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(content.pages))
    )
    document = (
        f'{head}<ofd:Document xmlns:ofd="{_OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f"<ofd:Pages>{pages}</ofd:Pages></ofd:Document>"
    )
    res = (
        f'{head}<ofd:Res xmlns:ofd="{_OFD_NS}" BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
    )
    parts = [("OFD.xml", ofd), ("Doc_0/Document.xml", document), ("Doc_0/PublicRes.xml", res)]
    object_id = 100
    for i, page in enumerate(content.pages):
        objects = []
        y = 20.0
        for piece in page:
            for line in wrap(piece, width):
                object_id += 1
                objects.append(
                    f'<ofd:TextObject ID="{object_id}" Boundary="20 {y:.1f} 170 6" Font="2" Size="4.2">'
                    f'<ofd:TextCode X="0" Y="4.2" DeltaX="g {len(line) - 1} 4.2">{escape(line)}</ofd:TextCode>'
                    "</ofd:TextObject>"
                )
                y += 6.5
        layer = f'<ofd:Layer ID="{object_id + 500}">{"".join(objects)}</ofd:Layer>'
        parts.append(
            (
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'{head}<ofd:Page xmlns:ofd="{_OFD_NS}"><ofd:Content>{layer}</ofd:Content></ofd:Page>',
            )
        )
    return _fixed_zip([(n, s.encode("utf-8")) for n, s in parts])


WRITERS = {"pdf": pdf_bytes, "docx": docx_bytes, "xlsx": xlsx_bytes, "ofd": ofd_bytes}
