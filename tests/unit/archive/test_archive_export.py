"""Exports: document records as JSONL/CSV and evidence bundles that stand on their own."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from archive_factory import html_page, make_exchange, make_parsed
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, Attachment, write_csv, write_evidence_bundle, write_jsonl
from archive.records import sha1_digest


def _doc(arc: Archive, url: str, page: str, **fields: object) -> str:
    capture = arc.record(
        make_exchange(url=url, content=html_page("t", page)), kind="document", reason=None, charset="utf-8"
    )
    return arc.upsert_document(capture, make_parsed(**fields), url).doc_id


def test_jsonl_and_csv_carry_every_record_key(archive: Archive) -> None:
    _doc(
        archive,
        "http://g/1",
        "一",
        index_no="A/1",
        body='第一行\n第二行, "引号"',
        attachments=(Attachment("http://g/a.pdf", "附件1"),),
    )
    _doc(archive, "http://g/2", "二", index_no="A/2", doc_no=None)
    records = [d.to_record() for d in archive.catalogue.iter_documents()]
    out = io.StringIO()
    assert write_jsonl(records, out) == 2
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == records
    assert "第一行" in lines[0]  # ensure_ascii=False
    out = io.StringIO()
    assert write_csv(records, out, english_headers=True, bom=False) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["body"] == '第一行\n第二行, "引号"'
    assert json.loads(rows[0]["attachments"]) == [{"url": "http://g/a.pdf", "name": "附件1"}]
    assert rows[1]["doc_no"] == ""  # null in CSV is an empty cell
    assert set(rows[0]) == set(records[0])


def test_evidence_bundle_copies_records_and_lists_their_hashes(archive: Archive, tmp_path: Path) -> None:
    doc_id = _doc(archive, "http://g/1", "原文", index_no="11330600002577508J/2021-200062")
    # an unchanged re-capture is a revisit: the bundle must carry its original too
    again = archive.record(
        make_exchange(url="http://g/1", content=html_page("t", "原文")),
        kind="document",
        reason=None,
        charset="utf-8",
    )
    archive.upsert_document(again, make_parsed(index_no="11330600002577508J/2021-200062"), "http://g/1")
    _doc(archive, "http://g/2", "别的", index_no="B/2")
    entries = write_evidence_bundle(archive, [doc_id], tmp_path / "bundle")
    assert [e["record_type"] for e in entries] == ["response", "revisit"]
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    warc = tmp_path / "bundle" / "evidence.warc.gz"
    assert manifest["warc_sha256"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    assert manifest["captures"] == entries
    payload = archive.read_payload(archive.catalogue.get_capture(entries[0]["capture_id"]))
    assert entries[0]["payload_sha256"] == hashlib.sha256(payload).hexdigest()
    assert entries[0]["index_no"] == "11330600002577508J/2021-200062"
    with open(warc, "rb") as fp:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(fp)
        ]
    assert [r[0] for r in records] == ["response", "request", "revisit"]  # a revisit has no request record
    assert all(r[1] == "http://g/1" for r in records)
    assert sha1_digest(records[0][2]) == entries[0]["payload_digest"]
    tsv = (tmp_path / "bundle" / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0].split("\t")[:4] == ["doc_id", "capture_id", "captured_at", "url"]
    assert len(tsv) == 3


def test_csv_cells_that_look_like_formulas_are_not_formulas(archive: Archive) -> None:
    _doc(
        archive, "http://g/f", "f", index_no="A/9", title='=HYPERLINK("http://evil","点我")', source="@SUM(1)"
    )
    records = [d.to_record() for d in archive.catalogue.iter_documents()]
    out = io.StringIO()
    write_csv(records, out, english_headers=True, bom=False)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["title"] == '\'=HYPERLINK("http://evil","点我")'
    assert row["source"] == "'@SUM(1)"
    assert row["index_no"] == "A/9"  # ordinary cells untouched


def test_csv_opens_in_excel_with_a_bom_and_chinese_headers(archive: Archive) -> None:
    """Excel and WPS read a UTF-8 CSV right only with a byte order mark; the default header row is Chinese."""
    _doc(archive, "http://g/1", "原文", index_no="A/1")
    records = [d.to_record() for d in archive.catalogue.iter_documents()]
    out = io.StringIO()
    write_csv(records, out)
    data = out.getvalue().encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["编号", "网址", "标题", "索引号", "发布机构"]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in name) for name in rows[0])
    assert rows[1][0] == records[0]["id"] and rows[1][3] == "A/1"
    out = io.StringIO()
    write_csv(records, out, english_headers=True)
    assert next(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))[:3] == ["id", "url", "title"]


@pytest.mark.parametrize(
    "value", ["＝HYPERLINK(1)", "＋1", "－1", "＠SUM(1)", " =1+1", "\n=1+1", "\u3000=1", "\t=1", "\r=1"]
)
def test_csv_neutralises_full_width_and_blank_led_formulas(value: str) -> None:
    buffer = io.StringIO()
    write_csv([{"id": "x", "title": value, "body": "正文"}], buffer, english_headers=True)
    row = next(csv.DictReader(io.StringIO(buffer.getvalue().lstrip("\ufeff"))))
    assert row["title"] == "'" + value
    assert row["body"] == "正文"
