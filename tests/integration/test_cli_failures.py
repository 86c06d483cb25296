"""Every expected failure of every command is one line and exit 1, and leaves nothing half-done (issue 16 item 7).

A real demo archive; the full disk and the read-only mount are real tmpfs mounts (skipped with a reason where
this process may not mount); the rest (a corrupt config or catalogue, a lock held by another process, a missing
index) need nothing special.
"""

from __future__ import annotations

import errno
import fcntl
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.config import load_config
from gongkai.failures import describe
from gongkai.jobs import run_index

pytestmark = pytest.mark.slow


def run(data_dir: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def one_line_failure(result: Any) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert "Traceback" not in result.output
    assert lines[-1].startswith("gongkai: 错误 error: "), lines
    return str(lines[-1])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("failures") / "data"
    result = run(data_dir, "demo", "--no-serve", "--docs", "30")
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture
def copy(pristine: Path, tmp_path: Path) -> Path:
    shutil.copytree(pristine, tmp_path / "data")
    return tmp_path / "data"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.ENOSPC, "disk full"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission denied"),
        (errno.EDQUOT, "quota"),
    ],
)
def test_os_errors_read_as_one_line(code: int, text: str) -> None:
    line = describe(OSError(code, "x", "/data/warcs/a.warc.gz.open"))
    assert line is not None and text in line and "/data/warcs/a.warc.gz.open" in line and "\n" not in line


def test_sqlite_errors_read_as_one_line() -> None:
    assert "disk full" in (describe(sqlite3.OperationalError("database or disk is full"), where="/d") or "")
    assert "locked" in (describe(sqlite3.OperationalError("database is locked"), where="/d") or "")
    assert "damaged" in (describe(sqlite3.DatabaseError("file is not a database"), where="/d") or "")
    assert describe(ValueError("a bug")) is None


def test_corrupt_config_is_one_line(copy: Path) -> None:
    (copy / "gongkai.toml").write_text("[web\nrate_per_s = ", encoding="utf-8")
    for args in (("search", "公安"), ("index",), ("verify",), ("serve", "--port", "0")):
        assert "gongkai.toml" in one_line_failure(run(copy, *args))


def test_corrupt_catalogue_is_one_line(copy: Path) -> None:
    (copy / "catalogue.sqlite").write_bytes(b"this is not a database" * 100)
    for path in copy.glob("catalogue.sqlite-*"):
        path.unlink()
    for args in (
        ("index",),
        ("index", "--rebuild"),
        ("export",),
        ("evidence", "x", "--out", str(copy / "e")),
    ):
        one_line_failure(run(copy, *args))


def test_missing_index_is_one_line(copy: Path) -> None:
    shutil.rmtree(copy / "index")
    assert "index" in one_line_failure(run(copy, "search", "公安")).lower()
    assert "index" in one_line_failure(run(copy, "export", "公安")).lower()


def test_a_held_writer_lock_is_one_line(copy: Path) -> None:
    with open(copy / "warcs" / ".writer.lock", "wb") as fp:
        fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
        line = one_line_failure(run(copy, "evidence", "x", "--out", str(copy / "e")))
    assert "another process" in line


def test_a_failed_rebuild_leaves_no_index_new(copy: Path) -> None:
    conn = sqlite3.connect(copy / "catalogue.sqlite")
    conn.execute("UPDATE documents SET fields_json = '{' WHERE seq = (SELECT MAX(seq) FROM documents)")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError):
        run_index(load_config(copy, {}), rebuild=True, reparse=False)
    assert not (copy / "index.new").exists()
    assert (copy / "index").is_dir()


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A 40 MB tmpfs of our own (root only; skipped elsewhere)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave_kb: int) -> Path:
    filler = mount / "filler"
    free_kb = shutil.disk_usage(mount).free // 1024
    with open(filler, "wb") as fp:
        fp.truncate(0)
        for _ in range(max(0, free_kb - leave_kb) // 1024):
            fp.write(b"\0" * (1 << 20))
    return filler


class Process:
    """A `gongkai` run in its own process, as an operator would start it (nothing of it stays open here)."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "gongkai", "--data-dir", str(data_dir), *args],
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.exit_code = done.returncode
        self.output = done.stdout + done.stderr


def test_full_disk_and_read_only_runs_are_one_line_then_recover(pristine: Path, small_mount: Path) -> None:
    run = Process  # noqa: N806 - the same calls as the in-process tests, in a process of their own
    data = small_mount / "data"
    shutil.copytree(pristine, data)
    filler = _fill(small_mount, leave_kb=64)
    assert "disk full" in one_line_failure(run(data, "index", "--rebuild"))
    assert not (data / "index.new").exists()
    assert "disk full" in one_line_failure(run(data, "demo", "--no-serve", "--docs", "30"))
    filler.unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    try:
        for args in (("index",), ("index", "--rebuild"), ("demo", "--no-serve", "--docs", "30")):
            assert "read-only" in one_line_failure(run(data, *args))
        assert run(data, "search", "公安").exit_code == 0  # reading needs no write access
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_mount)], check=True)
    assert run(data, "demo", "--no-serve", "--docs", "30").exit_code == 0
    result = run(data, "verify")
    assert result.exit_code == 0, result.output
