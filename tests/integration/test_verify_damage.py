"""`gongkai verify` names every kind of damage at its real place (issue 16 items 6 and 8) and raises no false alarm.

One real demo archive (crawled from the demo site on loopback, indexed); each test damages a copy of it the way
an operator, a tool or a crash would, then runs the real command.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gongkai.cli import main

pytestmark = pytest.mark.slow


def run(data_dir: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("verify") / "data"
    result = run(data_dir, "demo", "--no-serve", "--docs", "40")
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture
def copy(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(pristine, target)
    return target


def sql(data_dir: Path, query: str, *args: Any) -> list[Any]:
    conn = sqlite3.connect(data_dir / "catalogue.sqlite")
    try:
        rows = conn.execute(query, args).fetchall()
        conn.commit()
    finally:
        conn.close()
    return rows


def damaged(data_dir: Path) -> list[str]:
    result = run(data_dir, "verify")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output.splitlines()


def a_document(data_dir: Path) -> tuple[str, int, str]:
    doc_id, capture_id, url = sql(
        data_dir, "SELECT doc_id, capture_id, url FROM documents ORDER BY seq LIMIT 1"
    )[0]
    return doc_id, capture_id, url


def test_a_clean_archive_and_index_verify(pristine: Path) -> None:
    result = run(pristine, "verify")
    assert result.exit_code == 0, result.output
    assert "完好 (ok)" in result.output


def test_deleted_document_row_is_named_with_what_points_at_it(copy: Path) -> None:
    doc_id, _, _ = a_document(copy)
    sql(copy, "DELETE FROM documents WHERE doc_id = ?", doc_id)
    lines = damaged(copy)
    assert any(f"documents {doc_id}: document row is missing" in line and "version" in line for line in lines)
    assert f"index: document {doc_id} is in the index but not in the catalogue" in lines


@pytest.mark.parametrize(
    ("table", "where", "expected"),
    [
        ("versions", "doc_id = ? AND n = 1", "version row(s) 1 missing"),
        ("doc_captures", "doc_id = ?", "is not linked in doc_captures"),
        ("events", "doc_id = ? AND kind = 'new'", "its 'new' event is missing"),
        ("doc_keys", "doc_id = ? AND key LIKE 'u:%'", "its URL key u:"),
    ],
)
def test_deleted_child_rows_are_named_at_their_document(
    copy: Path, table: str, where: str, expected: str
) -> None:
    doc_id, _, _ = a_document(copy)
    sql(copy, f"DELETE FROM {table} WHERE {where}", doc_id)
    lines = damaged(copy)
    assert any(line.startswith(f"catalogue: documents {doc_id}: ") and expected in line for line in lines), (
        lines
    )


def test_deleted_capture_row_is_named_twice(copy: Path) -> None:
    doc_id, capture_id, _ = a_document(copy)
    sql(copy, "DELETE FROM captures WHERE capture_id = ?", capture_id)
    lines = damaged(copy)
    assert f"catalogue: documents {doc_id}: current capture {capture_id} is not in captures" in lines
    assert any("record not in the catalogue" in line for line in lines)


def test_flipped_byte_names_its_capture(copy: Path) -> None:
    _, capture_id, _ = a_document(copy)
    name, offset, length = sql(
        copy, "SELECT warc_file, warc_offset, warc_length FROM captures WHERE capture_id = ?", capture_id
    )[0]
    path = next((copy / "warcs").glob(name + "*"))
    data = bytearray(path.read_bytes())
    member = gzip.decompress(bytes(data[offset : offset + length]))
    at = member.index(b"\r\n\r\n", member.index(b"\r\n\r\n") + 4) + 10  # inside the HTTP body
    flipped = member[:at] + bytes([member[at] ^ 0x01]) + member[at + 1 :]
    packed = gzip.compress(flipped, mtime=0)
    path.chmod(0o644)
    path.write_bytes(bytes(data[:offset]) + packed + bytes(data[offset + length :]))
    lines = damaged(copy)
    assert any(f"@{offset} capture {capture_id}" in line and "Digest" in line for line in lines), lines


def test_torn_tail_is_not_blamed_on_the_last_intact_record(copy: Path) -> None:
    path = sorted((copy / "warcs").glob("*.warc.gz*"))[-1]
    size = path.stat().st_size
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000, mtime=0)[:300]
    path.chmod(0o644)
    with open(path, "ab") as fp:
        fp.write(torn)
    lines = damaged(copy)
    tail = [line for line in lines if f"@{size}" in line]
    assert tail and all("capture" not in line and "torn tail" in line for line in tail), lines


def test_truncation_inside_a_record_names_that_record(copy: Path) -> None:
    name, offset, length, capture_id = sql(
        copy,
        "SELECT warc_file, warc_offset, warc_length, capture_id FROM captures WHERE warc_file IS NOT NULL"
        " ORDER BY warc_offset DESC LIMIT 1",
    )[0]
    path = next((copy / "warcs").glob(name + "*"))
    path.chmod(0o644)
    with open(path, "r+b") as fp:
        fp.truncate(offset + length // 2)
    lines = damaged(copy)
    assert any(f"@{offset} capture {capture_id}" in line for line in lines), lines


def test_deleted_warc_file_is_named(copy: Path) -> None:
    path = sorted((copy / "warcs").glob("*.warc.gz*"))[0]
    path.unlink()
    lines = damaged(copy)
    assert any("WARC file is missing" in line for line in lines)


@pytest.mark.parametrize("suffix", [".pst", ".trm", "._stored.col", ".id.col", "._body_len.col"])
def test_deleted_index_segment_file_is_named(copy: Path, suffix: str) -> None:
    victim = next((copy / "index").glob(f"MAIN_*{suffix}"))
    victim.unlink()
    lines = damaged(copy)
    assert any(
        line.startswith("index: segment ")
        and ("missing" in line or "cannot be opened" in line or "unreadable" in line)
        for line in lines
    ), lines
    assert run(copy, "index", "--rebuild").exit_code == 0
    assert run(copy, "verify").exit_code == 0


def test_index_behind_the_catalogue_is_named(copy: Path) -> None:
    doc_id, _, _ = a_document(copy)
    (top,) = sql(copy, "SELECT MAX(seq) FROM documents")[0]
    sql(copy, "UPDATE documents SET seq = ? WHERE doc_id = ?", top + 1, doc_id)
    lines = damaged(copy)
    assert any(f"behind the catalogue: seq {top} indexed of {top + 1}" in line for line in lines), lines
    assert run(copy, "index").exit_code == 0
    assert run(copy, "verify").exit_code == 0


def test_documents_a_running_crawl_has_not_indexed_yet_are_pending_not_damage(copy: Path) -> None:
    import fcntl

    doc_id, _, _ = a_document(copy)
    (top,) = sql(copy, "SELECT MAX(seq) FROM documents")[0]
    sql(copy, "UPDATE documents SET seq = ? WHERE doc_id = ?", top + 1, doc_id)
    with open(copy / "warcs" / ".writer.lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a crawl in progress holds it
        result = run(copy, "verify")
    assert result.exit_code == 0, result.output
