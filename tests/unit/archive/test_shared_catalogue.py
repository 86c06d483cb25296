"""The catalogue as several writers share it (PostgreSQL), and the document-written hook both engines offer.

Writers here are real processes on one real PostgreSQL database with one shared warcs/ directory: what the
issue's crawl workers on several machines do, minus the network.
"""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path
from typing import Any

import pytest
from archive_factory import html_page, make_exchange, make_parsed

from archive import Archive, ArchiveSettings, Catalogue, DataDir, verify_archive
from archive.db import Connection, pg_sql
from archive.pool import CataloguePool


class Recorder:
    """A listener as the PostgreSQL search backend would be: it reads the row in the writer's transaction."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, str, bool]] = []

    def document_written(self, conn: Connection, doc_id: str) -> None:
        row = conn.execute("SELECT seq, status FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        version = conn.execute("SELECT MAX(n) FROM versions WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        self.seen.append((doc_id, int(row["seq"]), row["status"], version is not None))


def _page(arc: Archive, url: str, body: str, status: int = 200) -> Any:
    content = html_page("标题", body) if status == 200 else b"gone"
    kind = "document" if status == 200 else "error"
    return arc.record(make_exchange(url, content, status=status), kind=kind, reason=None, charset="utf-8")


def test_listener_hears_every_document_write_inside_its_transaction(data_dir: DataDir) -> None:
    recorder = Recorder()
    with Archive.open(data_dir, listener=recorder) as arc:
        url = "http://gov.example/a.html"
        first = arc.upsert_document(_page(arc, url, "一"), make_parsed(body="一"), url)
        assert recorder.seen == [(first.doc_id, first.seq, "live", True)]
        arc.upsert_document(_page(arc, url, "一"), make_parsed(body="一"), url)  # unchanged: no new seq
        assert len(recorder.seen) == 1
        changed = arc.upsert_document(_page(arc, url, "二"), make_parsed(body="二"), url)
        for _ in range(2):
            arc.record_check(url, _page(arc, url, "", status=404))
        assert [s[1:3] for s in recorder.seen[1:]] == [(changed.seq, "live"), (changed.seq + 1, "removed")]
        arc.reextract(lambda raw, u, ctype: make_parsed(body="重新解析"))
        assert recorder.seen[-1][0] == first.doc_id and len(recorder.seen) == 4

        class Failing:
            def document_written(self, conn: Connection, doc_id: str) -> None:
                raise RuntimeError("search table full")

        arc.catalogue.listener = Failing()
        with pytest.raises(RuntimeError):
            arc.upsert_document(_page(arc, url, "三"), make_parsed(body="三"), url)
        # the listener's failure rolled the document write back: catalogue and search never disagree
        assert arc.catalogue.get_document(first.doc_id).fields.body == "重新解析"


def test_pg_sql_translates_placeholders_percent_and_json() -> None:
    assert pg_sql("SELECT 1 FROM t WHERE a = ? AND b LIKE 'u:%' AND c = '?'") == (
        "SELECT 1 FROM t WHERE a = %s AND b LIKE 'u:%%' AND c = '?'"
    )
    assert pg_sql("SELECT json_extract(fields_json, '$.agency') AS agency") == (
        "SELECT (fields_json::jsonb ->> 'agency') AS agency"
    )


def _worker(database: str, root: str, worker: str, urls: list[str], out: Any) -> None:
    settings = ArchiveSettings(worker_id=worker, warc_max_bytes=4000)
    with Archive.open(DataDir(Path(root), database=database), settings) as arc:
        results = []
        for url in urls:
            capture = arc.record(
                make_exchange(url, html_page("标题", f"{url} 正文" * 20)),
                kind="document",
                reason=None,
                charset="utf-8",
            )
            # every worker also writes the same shared page: one document, however the writes interleave
            shared = "http://gov.example/shared.html"
            same = arc.record(
                make_exchange(shared, html_page("公共", "公共正文")),
                kind="document",
                reason=None,
                charset=None,
            )
            arc.upsert_document(same, make_parsed(index_no="SHARED/1", body="公共正文"), shared)
            change = arc.upsert_document(capture, make_parsed(index_no=f"X/{url}", body=url), url)
            results.append((change.doc_id, change.seq))
        out.put((worker, results))


def test_three_writer_processes_share_one_catalogue_and_one_warcs_dir(pg_url: str, tmp_path: Path) -> None:
    root = tmp_path / "data"
    DataDir(root, database=pg_url).ensure()
    Catalogue(pg_url).close()  # the schema once, as the first worker to start would
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    urls = {w: [f"http://gov.example/{w}/{i}.html" for i in range(12)] for w in ("w1", "w2", "w3")}
    procs = [context.Process(target=_worker, args=(pg_url, str(root), w, u, out)) for w, u in urls.items()]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0, 0, 0]
    results = dict(out.get(timeout=10) for _ in procs)
    with Catalogue(pg_url, readonly=True) as cat:
        seqs = [int(r[0]) for r in cat.conn.execute("SELECT seq FROM documents ORDER BY seq")]
        assert seqs == sorted(set(seqs)) and cat.count_documents() == 3 * 12 + 1
        shared = cat.conn.execute("SELECT versions FROM documents WHERE url LIKE '%shared.html'").fetchall()
        assert [r[0] for r in shared] == [1]
        keys = cat.conn.execute("SELECT key, COUNT(*) FROM doc_keys GROUP BY key HAVING COUNT(*) > 1")
        assert keys.fetchall() == []
        files = {r[0] for r in cat.conn.execute("SELECT DISTINCT warc_file FROM captures")}
    for worker, got in results.items():
        assert [seq for _, seq in got] == sorted(seq for _, seq in got)  # each worker's seqs only grow
        mine = {f for f in files if f.startswith(f"gongkai-{worker}-")}
        assert len(mine) >= 2  # rotated at 4000 bytes: several files, each named by its worker
    assert all(re.fullmatch(r"gongkai-w[123]-\d{8}T\d{6}Z-\d{5}\.warc\.gz", f) for f in files)
    report = verify_archive(DataDir(root, database=pg_url))
    assert report.ok, report.lines()
    assert report.captures_checked == 3 * 12 * 2


def test_a_worker_recovers_only_its_own_open_file(pg_url: str, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data", database=pg_url)
    one, two = ArchiveSettings(worker_id="w1"), ArchiveSettings(worker_id="w2")
    arc_one = Archive.open(data, one)
    _page(arc_one, "http://gov.example/1.html", "一")
    with Archive.open(data, two) as arc_two:  # w1 is still writing: w2 leaves its .open file alone
        _page(arc_two, "http://gov.example/2.html", "二")
        assert arc_two.recovery.clean and arc_one.warcs.current_name is not None
        (open_one,) = data.warcs_dir.glob("gongkai-w1-*.open")
        with pytest.raises(Exception, match="another process"):
            Archive.open(data, one)
    size = open_one.stat().st_size
    with Archive.open(
        data
    ) as unnamed:  # e.g. `gongkai evidence` beside the workers: leaves their files alone
        assert unnamed.recovery.clean and open_one.stat().st_size == size
    arc_one.close()
    assert not list(data.warcs_dir.glob("*.open"))
    assert verify_archive(data).ok and open_one.with_suffix("").exists()


def test_pool_reuses_healthy_postgresql_catalogues_only(data_dir: DataDir) -> None:
    with Archive.open(data_dir) as arc:
        _page(arc, "http://gov.example/p.html", "正文")
    pool = CataloguePool(data_dir.catalogue_target)
    first = pool.checkout()
    assert first.conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0] == 1
    pool.checkin(first)
    second = pool.checkout()
    assert (second is first) == (data_dir.database is not None)  # SQLite: a fresh one each time, as before
    pool.checkin(second, failed=True)  # a request that raised: closed, not reused
    third = pool.checkout()
    assert third is not first
    third.conn.close()  # a connection that broke (a server restart) is not pooled again
    pool.checkin(third)
    fourth = pool.checkout()
    assert fourth is not third and fourth.count_documents() == 0
    pool.checkin(fourth)
    pool.close()
