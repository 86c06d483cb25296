"""The verifier catches five kinds of damage at seeded random positions and never cries wolf (docs/TESTPLAN.md A2).

Seed: GONGKAI_SEED (default 20261129), printed so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import archive_damage
import pytest
from archive_factory import html_page, make_exchange, make_parsed

from archive import Archive, ArchiveSettings, DataDir, verify_archive

SEED = int(os.environ.get("GONGKAI_SEED", "20261129"))
POSITIONS = 20


def build_sample_archive(root: Path, database: str | None = None) -> DataDir:
    """Several WARC files with responses, revisits, a 304, gzip bodies, a 404 and failure rows."""
    data = DataDir(root, database=database)
    with Archive.open(data, ArchiveSettings(warc_max_bytes=6000)) as arc:
        for i in range(14):
            url = f"http://gov.example/art/{i}.html"
            content = html_page(f"文件{i}", f"第{i}号文件正文。" * (20 + i))
            capture = arc.record(
                make_exchange(url=url, content=content, gzip_body=i % 3 == 0),
                kind="document",
                reason=None,
                charset="utf-8",
            )
            arc.upsert_document(capture, make_parsed(index_no=f"A/2021-{i}", body=f"正文{i}"), url)
        for i in range(0, 14, 3):
            url = f"http://gov.example/art/{i}.html"
            content = html_page(f"文件{i}", f"第{i}号文件正文。" * (20 + i))
            arc.record(
                make_exchange(url=url, content=content, gzip_body=i % 3 == 0),
                kind="document",
                reason=None,
                charset="utf-8",
            )
        arc.record(
            make_exchange(url="http://gov.example/art/1.html", status=304),
            kind="document",
            reason=None,
            charset=None,
        )
        arc.record(
            make_exchange(url="http://gov.example/gone.html", status=404, content=b"404"),
            kind="error",
            reason="not_found",
            charset=None,
        )
        arc.record(make_exchange(status=None), kind="error", reason="timeout", charset=None)
        arc.record(
            make_exchange(url="http://gov.example/c.html", status=412, content=b"$_ts"),
            kind="blocked",
            reason="challenge",
            charset=None,
        )
    return data


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "data"
    build_sample_archive(root)
    files = list((root / "warcs").glob("*.warc.gz*"))
    assert len(files) >= 3
    return root


def _copy(sample: Path, dest: Path) -> Path:
    shutil.copytree(sample, dest)
    return dest


def test_sample_archive_is_healthy(sample: Path) -> None:
    report = verify_archive(DataDir(sample))
    assert report.ok, report.lines()
    assert report.records > 35 and report.captures_checked >= 20


@pytest.mark.parametrize("kind", archive_damage.KINDS)
def test_verifier_catches_every_damaged_copy(kind: str, sample: Path, tmp_path: Path) -> None:
    print(f"GONGKAI_SEED={SEED}")
    missed = []
    for i in range(POSITIONS):
        rng = random.Random(f"{SEED}:{kind}:{i}")
        copy = _copy(sample, tmp_path / f"copy{i}")
        damage = archive_damage.apply(kind, rng, copy, raw=i % 2 == 1)
        report = verify_archive(DataDir(copy))
        # named at record level (an offset), not only by the closed file's whole-file hash
        named = [p for p in report.problems if p.file == damage.file and p.offset is not None]
        if report.ok or not named:
            missed.append(damage)
            continue
        if kind == "offset_off_by_one":
            capture_id = int(damage.detail.split()[1])
            assert any(p.capture_id == capture_id for p in report.problems), report.lines()
        if kind in ("flipped_body_byte", "flipped_header_byte", "deleted_record"):
            assert any(p.record_id or p.offset == damage.offset for p in named), report.lines()
        shutil.rmtree(copy)
    assert missed == []


def test_no_false_alarm_on_untouched_copies(sample: Path, tmp_path: Path) -> None:
    for i in range(POSITIONS):
        copy = _copy(sample, tmp_path / f"copy{i}")
        report = verify_archive(DataDir(copy))
        assert report.ok, report.lines()
        shutil.rmtree(copy)


def test_problem_lines_name_file_offset_and_url(sample: Path, tmp_path: Path) -> None:
    copy = _copy(sample, tmp_path / "c")
    damage = archive_damage.apply("flipped_body_byte", random.Random(SEED), copy, raw=False)
    report = verify_archive(DataDir(copy))
    assert not report.ok
    lines = [line for line in report.lines() if f"{damage.file}@" in line]
    assert lines and all("http://gov.example/" in line for line in lines), report.lines()
    assert "damaged" in report.summary()


def test_catalogue_pointing_at_missing_file_is_reported(sample: Path, tmp_path: Path) -> None:
    copy = _copy(sample, tmp_path / "c")
    victim = sorted((copy / "warcs").glob("*.warc.gz"))[0]
    victim.chmod(0o644)
    victim.unlink()
    report = verify_archive(DataDir(copy))
    assert any("missing" in line for line in report.lines())


def test_writable_closed_file_is_reported(sample: Path, tmp_path: Path) -> None:
    copy = _copy(sample, tmp_path / "c")
    victim = sorted((copy / "warcs").glob("*.warc.gz"))[0]
    victim.chmod(0o644)
    assert any("writable" in line for line in verify_archive(DataDir(copy)).lines())


def test_verify_during_a_write_ignores_only_unacknowledged_tail(data_dir: DataDir) -> None:
    with Archive.open(data_dir) as arc:
        arc.record(make_exchange(url="http://g.example/1"), kind="document", reason=None, charset=None)
        (path,) = data_dir.warcs_dir.glob("*.open")
        with open(path, "ab") as fp:
            fp.write(b"\x1f\x8b\x08\x00half-written")  # a record being appended right now
        assert verify_archive(data_dir).ok
        size = path.stat().st_size
        raw = bytearray(path.read_bytes())
        raw[size // 3] ^= 0xFF  # damage inside acknowledged bytes is still reported
        path.write_bytes(bytes(raw))
        assert not verify_archive(data_dir).ok
        path.write_bytes(bytes(raw[: size - 16]))  # restore for a clean close
        raw[size // 3] ^= 0xFF
        path.write_bytes(bytes(raw[: size - 16]))
    # without a writer, a torn tail is damage
    assert verify_archive(data_dir).ok


def test_sample_archive_on_either_catalogue_verifies_and_damage_is_named(data_dir: DataDir) -> None:
    """The same checks on both engines: a healthy archive passes; a flipped WARC byte and a deleted version row
    (what no REFERENCES clause stops a hand-run DELETE from doing) are each named."""
    data = build_sample_archive(data_dir.root, data_dir.database)
    report = verify_archive(data)
    assert report.ok, report.lines()
    assert report.records > 35 and report.captures_checked >= 20
    damage = archive_damage.apply("flipped_body_byte", random.Random(SEED), data.root, raw=False)
    assert any(p.file == damage.file and p.offset is not None for p in verify_archive(data).problems)
    with Archive.open(data) as arc, arc.catalogue.transaction() as conn:
        doc_id = conn.execute("SELECT doc_id FROM documents ORDER BY seq LIMIT 1").fetchone()[0]
        conn.execute("DELETE FROM versions WHERE doc_id = ? AND n = 1", (doc_id,))
    lines = verify_archive(data).lines()
    assert any(f"documents {doc_id}" in line and "version row(s) 1 missing" in line for line in lines), lines
