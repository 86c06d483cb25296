"""A record whose write or catalogue commit fails leaves no bytes behind (issue 16 item 7): before, a crawl
stopped by a full disk sealed the uncommitted records into a closed file and `verify` found them as extras."""

from __future__ import annotations

import resource
import signal
import sqlite3
from collections.abc import Iterator

import pytest
from archive_factory import html_page, make_exchange

from archive import Archive, ArchiveSettings, DataDir, verify_archive


def _warc_bytes(data_dir: DataDir) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in data_dir.warcs_dir.glob("*.warc.gz*")}


def test_a_failed_catalogue_commit_takes_its_records_back(data_dir: DataDir) -> None:
    with Archive.open(data_dir, ArchiveSettings()) as archive:
        archive.record(
            make_exchange(content=html_page("一", "正文一")), kind="document", reason=None, charset="utf-8"
        )
        before = _warc_bytes(data_dir)
        # A real failure of the commit (what a full disk does to the database), raised by the engine itself.
        if data_dir.database is None:
            archive.catalogue.conn.execute(
                "CREATE TRIGGER no_room BEFORE INSERT ON captures"
                " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
            error: type[Exception] = sqlite3.Error
        else:
            import psycopg

            archive.catalogue.conn.execute(
                "CREATE FUNCTION no_room() RETURNS trigger LANGUAGE plpgsql"
                " AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$"
            )
            archive.catalogue.conn.execute(
                "CREATE TRIGGER no_room BEFORE INSERT ON captures FOR EACH ROW EXECUTE FUNCTION no_room()"
            )
            error = psycopg.Error
        with pytest.raises(error):
            archive.record(
                make_exchange("http://gov.example/b.html", html_page("二", "正文二")),
                kind="document",
                reason=None,
                charset="utf-8",
            )
        assert _warc_bytes(data_dir) == before
        archive.catalogue.conn.execute("DROP TRIGGER no_room" + (" ON captures" if data_dir.database else ""))
        archive.record(
            make_exchange("http://gov.example/c.html", html_page("三", "正文三")),
            kind="document",
            reason=None,
            charset="utf-8",
        )
    report = verify_archive(data_dir)
    assert report.ok, report.lines()
    assert report.captures_checked == 2


@pytest.fixture
def file_size_limit() -> Iterator[None]:
    """RLIMIT_FSIZE makes the kernel refuse writes past a size (EFBIG), as a full disk refuses them (ENOSPC)."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)


def test_a_write_cut_short_leaves_no_partial_member(data_dir: DataDir, file_size_limit: None) -> None:
    with Archive.open(data_dir, ArchiveSettings()) as archive:
        archive.record(
            make_exchange(content=html_page("一", "正文一")), kind="document", reason=None, charset="utf-8"
        )
        before = _warc_bytes(data_dir)
        (size,) = before.values()
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 200, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        big = html_page("二", "正文" * 20000)
        with pytest.raises(OSError):
            archive.record(
                make_exchange("http://gov.example/b.html", big), kind="document", reason=None, charset="utf-8"
            )
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        assert _warc_bytes(data_dir) == before
        archive.record(
            make_exchange("http://gov.example/c.html", html_page("三", "正文三")),
            kind="document",
            reason=None,
            charset="utf-8",
        )
    report = verify_archive(data_dir)
    assert report.ok, report.lines()
