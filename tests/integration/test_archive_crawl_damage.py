"""The verifier on copies of a real crawled archive: 5 kinds of damage x 20 seeded positions, 20 untouched copies.

The archive is made once by crawling the demo site twice (the second time with a few documents changed, so it holds
responses, revisits and requests in two WARC files, some payloads gzip-encoded). Each case damages a fresh copy
with the archive tests' own damage helpers (tests/unit/archive/archive_damage.py) and expects `verify_archive` to
name the damaged record, and `gongkai verify` to exit 1 (0 on untouched copies).
Seed: GONGKAI_SEED (default 20261129), printed.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import crawlkit as ck
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from archive import DataDir, VerifyReport, verify_archive
from demosite.site import DemoSite
from gongkai.cli import main

pytestmark = pytest.mark.slow

# The archive tests' own damage injectors, imported (not copied); by name so mypy need not see tests/ as a package.
archive_damage: Any = importlib.import_module("unit.archive.archive_damage")
SEED = int(os.environ.get("GONGKAI_SEED", "20261129"))
POSITIONS = 20
CLI_CASES = 3  # per kind, also run `gongkai verify` on the damaged copy


@dataclass(frozen=True)
class Record:
    file: str
    offset: int
    length: int
    record_id: str
    rec_type: str


@dataclass(frozen=True)
class Pristine:
    root: Path
    records: list[Record]  # every record of every WARC file, as warcio reads them


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    root = tmp_path_factory.mktemp("crawled") / "data"
    site = DemoSite(seed=3, n_docs=40)
    with ck.served(site) as (srv, switch):
        switch.gzip = (
            True  # encoded payloads too: the verifier must undo the coding to check the catalogue's hash
        )
        first = ck.crawl_into(root, ck.seeds(srv, site))
        switch.switch(DemoSite(seed=3, n_docs=40, changed=[1, 5, 8, 13, 21]))
        second = ck.crawl_into(root, ck.seeds(srv, site))
    assert first.new == 40 and second.changed == 5
    records = []
    for path in ck.warc_paths(root):
        with open(path, "rb") as fp:
            it = ArchiveIterator(fp)
            for rec in it:
                rec.content_stream().read()
                records.append(
                    Record(
                        path.name,
                        it.get_record_offset(),
                        it.get_record_length(),
                        rec.rec_headers.get_header("WARC-Record-ID"),
                        rec.rec_type,
                    )
                )
    types = {r.rec_type for r in records}
    assert {"warcinfo", "request", "response", "revisit"} <= types, types
    assert len(ck.warc_paths(root)) >= 2
    return Pristine(root, records)


def _copy(pristine: Pristine, dest: Path) -> Path:
    shutil.copytree(pristine.root, dest)
    return dest


def _damaged_record(pristine: Pristine, damage: Any, copy: Path) -> tuple[Record | None, int | None]:
    """The pristine record the damage hit (file damage), or the capture whose pointer moved (catalogue damage)."""
    if damage.kind == "offset_off_by_one":
        with (
            sqlite3.connect(pristine.root / "catalogue.sqlite") as before,
            sqlite3.connect(copy / "catalogue.sqlite") as after,
        ):
            old = dict(before.execute("SELECT capture_id, warc_offset FROM captures"))
            new = dict(after.execute("SELECT capture_id, warc_offset FROM captures"))
        moved = [cid for cid in old if old[cid] != new[cid]]
        assert len(moved) == 1, moved
        return None, moved[0]
    assert damage.offset is not None
    hit = [
        r
        for r in pristine.records
        if r.file == damage.file and r.offset <= damage.offset < r.offset + r.length
    ]
    assert len(hit) == 1, (damage, hit)
    return hit[0], None


def _names(report: VerifyReport, record: Record | None, capture_id: int | None) -> bool:
    if record is None:
        return any(p.capture_id == capture_id for p in report.problems)
    return any(
        p.file == record.file and (p.offset == record.offset or p.record_id == record.record_id)
        for p in report.problems
    )


def _cli_verify(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(root), "verify"], catch_exceptions=False)
    return result.exit_code, result.output


def test_pristine_archive_verifies(pristine: Pristine) -> None:
    report = verify_archive(DataDir(pristine.root))
    assert report.ok, report.lines()
    assert report.records == len(pristine.records)
    code, output = _cli_verify(pristine.root)
    assert code == 0, output


@pytest.mark.parametrize("kind", archive_damage.KINDS)
def test_verifier_catches_damage_at_random_positions(kind: str, pristine: Pristine, tmp_path: Path) -> None:
    print(f"GONGKAI_SEED={SEED}")
    missed, unnamed = [], []
    for i in range(POSITIONS):
        rng = random.Random(f"{SEED}:crawl:{kind}:{i}")
        copy = _copy(pristine, tmp_path / f"copy{i}")
        damage = archive_damage.apply(kind, rng, copy)
        record, capture_id = _damaged_record(pristine, damage, copy)
        report = verify_archive(DataDir(copy))
        if report.ok:
            missed.append(damage)
        elif not _names(report, record, capture_id):
            unnamed.append((damage, record, capture_id, report.lines()))
        if i < CLI_CASES:
            code, output = _cli_verify(copy)
            assert code == 1, (damage, output)
            # the line names the record by its place (file@offset) or id; a moved pointer by its capture
            if record is None:
                assert f"capture {capture_id}" in output, (damage, output)
            else:
                assert f"{record.file}@{record.offset}" in output or record.record_id in output, (
                    damage,
                    output,
                )
        shutil.rmtree(copy)
    assert missed == [], (
        f"GONGKAI_SEED={SEED}: {len(missed)}/{POSITIONS} damaged copies pass verify: {missed}"
    )
    assert unnamed == [], f"GONGKAI_SEED={SEED}: damage found but the record not named: {unnamed}"


def test_no_false_alarm_on_untouched_copies(pristine: Pristine, tmp_path: Path) -> None:
    for i in range(POSITIONS):
        copy = _copy(pristine, tmp_path / f"copy{i}")
        report = verify_archive(DataDir(copy))
        assert report.ok, (i, report.lines())
        if i < CLI_CASES:
            code, output = _cli_verify(copy)
            assert code == 0, output
        shutil.rmtree(copy)


def test_cli_failure_message_counts_the_problems(pristine: Pristine, tmp_path: Path) -> None:
    copy = _copy(pristine, tmp_path / "copy")
    archive_damage.apply("flipped_body_byte", random.Random(SEED), copy, raw=False)
    report = verify_archive(DataDir(copy))
    code, output = _cli_verify(copy)
    assert code == 1
    assert f"archive damaged: {len(report.problems)} problem(s)" in output, output


def test_damaged_request_record_is_named_by_its_own_id(pristine: Pristine, tmp_path: Path) -> None:
    """A problem line about a request record must carry that record's WARC-Record-ID, not its response's."""
    rng = random.Random(SEED)
    victim = rng.choice([r for r in pristine.records if r.rec_type == "request"])
    copy = _copy(pristine, tmp_path / "copy")
    path = copy / "warcs" / victim.file
    raw = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(raw[: victim.offset] + raw[victim.offset + victim.length :])
    path.chmod(0o444)
    report = verify_archive(DataDir(copy))
    at_victim = [p for p in report.problems if p.file == victim.file and p.offset == victim.offset]
    assert at_victim, report.lines()
    assert all(p.record_id == victim.record_id for p in at_victim), [p.line() for p in at_victim]
