"""`archive.migrate`: a SQLite catalogue copied into PostgreSQL row for row, ids kept; a non-empty target refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from archive_factory import html_page, make_exchange, make_parsed

from archive import (
    Archive,
    ArchiveError,
    Attachment,
    Catalogue,
    DataDir,
    ListFields,
    accountability,
    verify_archive,
)
from archive.migrate import TABLE_ORDER, migrate

URL = "http://gov.example/art/{}.html"
FILE = "http://gov.example/files/{}.pdf"


def _build(data: DataDir) -> None:
    """Every table gets rows: documents with versions, moves and removals, list fields, attachments and texts."""
    with Archive.open(data) as arc:
        for i in range(6):
            url = URL.format(i)
            page = arc.record(
                make_exchange(url, html_page(f"标题{i}", f"正文{i}")),
                kind="document",
                reason=None,
                charset="utf-8",
            )
            arc.record_list_fields(
                page, ListFields("http://gov.example/list", "test", {"doc_no": f"云府〔2021〕{i}号"})
            )
            files = (Attachment(FILE.format(i), f"附件{i}.pdf"), Attachment(FILE.format(i + 10), "二.pdf"))
            change = arc.upsert_document(
                page, make_parsed(index_no=f"A/{i}", body=f"正文{i}", attachments=files), url
            )
            for attachment in reversed(files):  # links inserted out of URL order: their order must survive
                capture = arc.record(
                    make_exchange(
                        attachment.url, b"%PDF-1.4 " + attachment.url.encode(), content_type="application/pdf"
                    ),
                    kind="attachment",
                    reason=None,
                    charset=None,
                )
                arc.catalogue.link_attachment(
                    change.doc_id, attachment.url, attachment.name, capture.capture_id, capture.sha256
                )
                arc.catalogue.store_attachment_text(
                    capture.sha256 or "",
                    {"status": "ok", "type": "pdf", "units": [{"page": 1, "text": f"附件文字{i}"}]},
                )
        url = URL.format(0)
        arc.upsert_document(
            arc.record(
                make_exchange(url, html_page("改", "改过")), kind="document", reason=None, charset=None
            ),
            make_parsed(index_no="A/0", body="改过"),
            url,
        )
        for _ in range(2):
            arc.record_check(
                URL.format(1),
                arc.record(
                    make_exchange(URL.format(1), b"x", status=404),
                    kind="error",
                    reason="not_found",
                    charset=None,
                ),
            )
        arc.record(make_exchange(status=None), kind="error", reason="timeout", charset=None)


def _rows(target: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    with Catalogue(target, readonly=True) as cat:
        out = {}
        for table in TABLE_ORDER:
            rows = cat.conn.execute(f"SELECT * FROM {table}").fetchall()
            out[table] = sorted(
                (tuple(dict(r)[k] for k in sorted(dict(r)) if k != "rowid") for r in rows), key=repr
            )
        return out


def test_every_row_of_every_table_is_copied_with_its_ids(tmp_path: Path, pg_url: str) -> None:
    data = DataDir(tmp_path / "data")
    _build(data)
    report = migrate(data.catalogue_path, pg_url)
    assert report.ok and set(report.counts) == set(TABLE_ORDER)
    assert all(n > 0 for n, _ in report.counts.values()), report.lines()
    assert _rows(data.catalogue_path) == _rows(pg_url)
    shared = DataDir(data.root, database=pg_url)
    assert verify_archive(shared).ok
    with Catalogue(data.catalogue_path, readonly=True) as old, Catalogue(pg_url, readonly=True) as new:
        for doc_id in old.document_ids():
            assert new.document_attachments(doc_id) == old.document_attachments(doc_id)  # link order kept
            assert new.document_history(doc_id) == old.document_history(doc_id)
        assert new.document_facts() == old.document_facts()
        assert new.change_events() == old.change_events() and new.state_token() == old.state_token()
        assert accountability.overview(accountability.load(new)) == accountability.overview(
            accountability.load(old)
        )
        last_capture, last_event = (
            old.conn.execute("SELECT MAX(capture_id) FROM captures").fetchone()[0],
            old.max_event_id(),
        )
    with Archive.open(shared) as arc:  # the identities continue after the copied ids
        capture = arc.record(make_exchange(URL.format(99)), kind="document", reason=None, charset=None)
        arc.upsert_document(capture, make_parsed(index_no="B/99"), URL.format(99))
        assert capture.capture_id == last_capture + 1 and arc.catalogue.max_event_id() == last_event + 1
    assert verify_archive(shared).ok


def test_a_target_holding_rows_is_refused_and_left_alone(tmp_path: Path, pg_url: str) -> None:
    data = DataDir(tmp_path / "data")
    _build(data)
    migrate(data.catalogue_path, pg_url)
    before = _rows(pg_url)
    with pytest.raises(ArchiveError, match=r"^目标数据库不是空的.* / the target database is not empty"):
        migrate(data.catalogue_path, pg_url)
    assert _rows(pg_url) == before


def test_a_dangling_reference_in_sqlite_fails_the_copy_and_writes_no_row(tmp_path: Path, pg_url: str) -> None:
    data = DataDir(tmp_path / "data")
    _build(data)
    import sqlite3

    conn = sqlite3.connect(data.catalogue_path)
    conn.execute(
        "DELETE FROM documents WHERE rowid = (SELECT MIN(rowid) FROM documents)"
    )  # foreign_keys off here
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveError, match="dangling references"):
        migrate(data.catalogue_path, pg_url)
    assert all(not rows for rows in _rows(pg_url).values())
