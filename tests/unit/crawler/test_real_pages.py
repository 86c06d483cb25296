"""The 17 real pages of ../shared/corpus/pages against MANIFEST.tsv (docs/TESTPLAN.md C13)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from archive.models import Parsed
from crawler.extract import parse_page

FIELDS = ("title", "index_no", "agency", "written_date", "publish_date", "topic", "doc_no")


def _manifest(shared_dir: Path) -> list[dict[str, str]]:
    with (shared_dir / "corpus" / "pages" / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _parse(shared_dir: Path, row: dict[str, str]) -> Parsed:
    raw = (shared_dir / "corpus" / "pages" / row["file"]).read_bytes()
    return parse_page(raw, row["original_url"])


def test_manifest_fields_all_match(shared_dir: Path) -> None:
    rows = _manifest(shared_dir)
    assert len(rows) == 17
    wrong: list[str] = []
    filled = empty = 0
    for row in rows:
        parsed = _parse(shared_dir, row)
        for field in FIELDS:
            expected = row[field] or None
            filled += expected is not None
            empty += expected is None
            if getattr(parsed, field) != expected:
                wrong.append(f"{row['file']} {field}: expected {expected!r}, got {getattr(parsed, field)!r}")
    assert wrong == []
    assert (filled, empty) == (110, 9)


def test_real_pages_decode_cleanly_and_have_bodies(shared_dir: Path) -> None:
    for row in _manifest(shared_dir):
        parsed = _parse(shared_dir, row)
        assert parsed.charset == "utf-8", row["file"]
        assert "\ufffd" not in parsed.body + (parsed.title or ""), row["file"]
        assert len(parsed.body) > 100, row["file"]
        assert "guessed_charset" not in parsed.flags


def test_page_without_block_is_flagged_and_not_guessed(shared_dir: Path) -> None:
    row = next(r for r in _manifest(shared_dir) if r["file"] == "wanzai_9c059bf058.html")
    parsed = _parse(shared_dir, row)
    assert "no_metadata_block" in parsed.flags
    assert "dates_disagree" in parsed.flags  # visible 2017-05-15 against meta PubDate 2022-04-24
    assert parsed.raw_fields == ()
    assert parsed.source is None  # 来源 is shown empty
    assert parsed.publish_at == "2017-05-15T10:49:00+08:00"


def test_govcn_fragment_joint_issuers_and_body(shared_dir: Path) -> None:
    row = next(r for r in _manifest(shared_dir) if r["file"] == "govcn_5351718.html")
    parsed = _parse(shared_dir, row)
    assert parsed.co_agencies == ("国务院办公厅", "中央军委办公厅")
    assert parsed.agency == "国务院办公厅、中央军委办公厅"
    assert parsed.body.splitlines()[3] == "国办发〔1996〕25号"
    assert "主 题 词" in dict(parsed.raw_fields)
    assert parsed.keywords is None


def test_lishui_keeps_category_apart_from_topic(shared_dir: Path) -> None:
    row = next(r for r in _manifest(shared_dir) if r["file"] == "lishui_2493752.html")
    parsed = _parse(shared_dir, row)
    assert (parsed.topic, parsed.category) == (None, "市政府文件")
    assert (parsed.disclosure, parsed.source) == ("主动公开", "市府办")
    assert parsed.publish_at == "2023-10-23T08:59:00+08:00"
    assert [a.url for a in parsed.attachments] == [
        "http://www.lishui.gov.cn/module/download/downfile.jsp?classid=0&filename=be5f1a4be0294db7abf660dd336b3fa5.pdf"
    ]
    assert not parsed.body.startswith("当前位置")


@pytest.mark.parametrize("name", ["jiangxi_1508831.html", "jiangxi_1505397.html"])
def test_jiangxi_literal_wu_and_download_servlet_attachments(shared_dir: Path, name: str) -> None:
    row = next(r for r in _manifest(shared_dir) if r["file"] == name)
    parsed = _parse(shared_dir, row)
    assert parsed.doc_no == "无"
    assert parsed.attachments
    for attachment in parsed.attachments:
        assert attachment.url.startswith("http://www.jiangxi.gov.cn/module/download/downfile.jsp?")
        assert attachment.name and attachment.name.rsplit(".", 1)[-1] in {"doc", "docx", "xls", "xlsx"}
