"""Start-up recovery after abrupt stops: torn tails and uncatalogued records are cut, nothing acknowledged is lost."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from archive_factory import html_page, make_exchange

from archive import Archive, ArchiveSettings, DataDir, verify_archive
from archive.warcs import WarcStore


def abandon(arc: Archive) -> None:
    """What a kill -9 leaves: descriptors closed by the kernel, nothing sealed, nothing flushed by us."""
    if arc.warcs._fp is not None:
        arc.warcs._fp.close()
    arc.catalogue.close()
    arc._lock_fp.close()


def _fill(arc: Archive, n: int, prefix: str = "a") -> list[int]:
    ids = []
    for i in range(n):
        exchange = make_exchange(
            url=f"http://g.example/{prefix}/{i}", content=html_page("t", f"{prefix}{i}" * 30)
        )
        ids.append(arc.record(exchange, kind="document", reason=None, charset=None).capture_id)
    return ids


def _open_file(data: DataDir) -> Path:
    (path,) = data.warcs_dir.glob("*.open")
    return path


def _member(data: DataDir) -> bytes:
    """A complete, valid gzip member that no catalogue row knows."""
    other = DataDir(data.root.parent / "scratch")
    with Archive.open(other) as arc:
        capture = arc.record(
            make_exchange(url="http://g.example/orphan"), kind="document", reason=None, charset=None
        )
        assert capture.location is not None
        return arc.read_member(capture.location)


def test_torn_tail_is_cut_and_every_row_still_reads(data_dir: DataDir) -> None:
    arc = Archive.open(data_dir)
    ids = _fill(arc, 5)
    abandon(arc)
    path = _open_file(data_dir)
    good_size = path.stat().st_size
    with open(path, "ab") as fp:
        fp.write(_member(data_dir)[:-7])  # a write cut short by the kill
    with Archive.open(data_dir) as arc:
        assert arc.recovery.torn_tail and arc.recovery.cut_bytes > 0
        assert path.stat().st_size == good_size
        for capture_id in ids:
            capture = arc.catalogue.get_capture(capture_id)
            assert arc.read_payload(capture).startswith(b"<html>")
        _fill(arc, 2, "b")  # appending continues in the same file
        assert arc.recovery.open_file == path.name.removesuffix(".open")
    assert verify_archive(data_dir).ok


def test_fsynced_but_uncommitted_record_is_cut(data_dir: DataDir) -> None:
    arc = Archive.open(data_dir)
    _fill(arc, 3)
    abandon(arc)
    path = _open_file(data_dir)
    with open(path, "ab") as fp:
        fp.write(_member(data_dir))
    with Archive.open(data_dir) as arc:
        assert arc.recovery.orphan_records == 1 and not arc.recovery.torn_tail
    assert verify_archive(data_dir).ok


def test_clean_restart_recovers_nothing(data_dir: DataDir) -> None:
    with Archive.open(data_dir) as arc:
        _fill(arc, 3)
    with Archive.open(data_dir) as arc:
        assert arc.recovery.clean


def test_extra_open_files_are_sealed_leaving_one(data_dir: DataDir) -> None:
    arc = Archive.open(data_dir)
    _fill(arc, 2)
    abandon(arc)
    arc = Archive.open(data_dir)
    arc.warcs.close_file()  # force a second .open on the next write
    _fill(arc, 2, "b")
    abandon(arc)
    # simulate an older crash leaving a second .open file behind
    first = sorted(data_dir.warcs_dir.glob("*.warc.gz"))[0]
    first.chmod(0o600)
    first.rename(first.with_name(first.name + ".open"))
    assert len(list(data_dir.warcs_dir.glob("*.open"))) == 2
    with Archive.open(data_dir) as arc:
        assert len(arc.recovery.sealed) == 1
        assert len(list(data_dir.warcs_dir.glob("*.open"))) == 1
    assert verify_archive(data_dir).ok


def test_closed_file_mode_is_restored_without_touching_content(data_dir: DataDir) -> None:
    with Archive.open(data_dir) as arc:
        _fill(arc, 2)
    (closed,) = data_dir.warcs_dir.glob("*.warc.gz")
    digest = hashlib.sha256(closed.read_bytes()).hexdigest()
    closed.chmod(0o644)  # killed between rename and chmod
    with Archive.open(data_dir) as arc:
        assert arc.recovery.fixed_modes == [closed.name]
    assert stat.S_IMODE(closed.stat().st_mode) == 0o444
    assert hashlib.sha256(closed.read_bytes()).hexdigest() == digest


def test_damage_inside_catalogued_bytes_is_sealed_not_cut(data_dir: DataDir) -> None:
    arc = Archive.open(data_dir)
    _fill(arc, 4)
    abandon(arc)
    path = _open_file(data_dir)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    size = len(raw)
    with Archive.open(data_dir) as arc:
        assert arc.recovery.damaged == [path.name]
        assert arc.recovery.unreadable_captures
        sealed = data_dir.warcs_dir / path.name.removesuffix(".open")
        assert sealed.stat().st_size == size  # evidence kept as it was
    assert not verify_archive(data_dir).ok


def test_file_with_only_a_torn_warcinfo_is_removed(data_dir: DataDir) -> None:
    data_dir.ensure()
    store = WarcStore(data_dir.warcs_dir, ArchiveSettings())
    store._ensure_open()
    name = store.current_name
    assert name is not None and store._fp is not None
    store._fp.close()
    path = data_dir.warcs_dir / (name + ".open")
    path.write_bytes(path.read_bytes()[:20])
    with Archive.open(data_dir) as arc:
        assert arc.recovery.removed_empty == [path.name]
        _fill(arc, 1)
    assert verify_archive(data_dir).ok


def test_warcinfo_without_catalogue_row_is_registered(data_dir: DataDir) -> None:
    data_dir.ensure()
    store = WarcStore(data_dir.warcs_dir, ArchiveSettings())  # no catalogue callback: the row never commits
    store._ensure_open()
    assert store._fp is not None
    store._fp.close()
    with Archive.open(data_dir) as arc:
        files = arc.catalogue.warc_files()
        assert len(files) == 1 and next(iter(files.values()))["warcinfo_sha256"]
        _fill(arc, 1)
    assert verify_archive(data_dir).ok
