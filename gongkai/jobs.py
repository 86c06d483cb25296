"""The jobs behind the CLI commands, as plain functions over a Config (so tests can call them directly)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from archive import (
    Archive,
    Catalogue,
    Document,
    DocumentListener,
    VerifyReport,
    verify_archive,
    write_csv,
    write_evidence_bundle,
    write_jsonl,
    writer_active,
)
from archive.fields import filterable
from archive.models import EXTRA_FIELDS
from crawler import (
    CrawlSettings,
    CrawlSummary,
    crawl,
    crawl_worker,
    is_postgres_url,
    looks_binary,
    parse_page,
)
from crawler.attachments import extraction_limits, reextract_all
from gongkai.config import Config
from index import (
    IndexBusy,
    IndexMissing,
    IndexSettings,
    PgIndexListener,
    QueryError,
    Searcher,
    SearchPage,
    SearchQuery,
    rebuild_index,
    update_index,
)
from index import open_searcher as backend_searcher

logger = logging.getLogger(__name__)
Echo = Callable[[str], Any]
# the filterable fields beyond agency and topic (archive/fields.py), passed to build_query by their names
OTHER_FILTERS: tuple[str, ...] = tuple(s.name for s in filterable() if s.name not in ("agency", "topic"))
EXPORT_PAGE = 500  # documents read from the catalogue at a time


class JobError(Exception):
    """An expected failure of a job; the CLI prints it as one line and exits 1."""


def document_listener(cfg: Config) -> DocumentListener | None:
    """What hears of each document a write transaction gives a new seq, inside that transaction
    (archive.DocumentListener): the hook for a search table in the catalogue's own database, wired here
    because archive may not import index. None while the index follows `seq` on its own (Whoosh, or a search
    table in another database than the catalogue's)."""
    if (
        cfg.index.backend == "postgresql"
        and cfg.archive.database
        and cfg.index.database == cfg.archive.database
    ):
        return PgIndexListener(cfg.index)
    return None


def open_archive(cfg: Config) -> Archive:
    """The archive for writing, with the document listener the configuration calls for."""
    return Archive.open(cfg.data_dir, cfg.archive, listener=document_listener(cfg))


def run_crawl(
    cfg: Config,
    urls: list[str],
    *,
    update_index_after: bool = True,
    echo: Echo = print,
    settings: CrawlSettings | None = None,
) -> tuple[bool, str]:
    """Crawl, archive and (unless told otherwise) index. Returns (ok, reason).

    With a PostgreSQL database this process is one crawl worker that seeds the shared frontier (crawler/worker.py).
    """
    cfg.data_dir.ensure()
    database = database_url(cfg)
    archive = open_archive(cfg)
    try:
        if database is not None:
            shared = _work(cfg, urls, archive, database, settings or cfg.crawler)
            assert shared is not None  # with seeds there is always a run
            summary = shared
        else:
            summary = crawl(
                urls,
                archive=archive,
                state_dir=cfg.data_dir.crawl_dir,
                settings=settings or cfg.crawler,
                on_progress=None,
            )
    finally:
        archive.close()
    echo(summary.format())
    if update_index_after:
        count = _update(cfg)
        echo(f"索引已更新 index updated: {count} document(s) added or changed")
    if summary.fetched == 0 and summary.failed > 0:
        reasons = ", ".join(f"{k} x{v}" for k, v in sorted(summary.reasons.items())) or "no response"
        return False, f"nothing could be fetched from {', '.join(urls)} ({reasons}); the archive is unchanged"
    return True, ""


def run_crawl_worker(cfg: Config, urls: list[str], *, echo: Echo = print) -> tuple[bool, str]:
    """`gongkai crawl --worker`: work on the shared PostgreSQL frontier until its run has no work left.

    With URLs it seeds (starts or resumes the run, as `crawl` does); without, it joins the unfinished run. It
    does not touch the search index: run `gongkai index` once the workers are done."""
    database = database_url(cfg)
    if database is None:
        raise JobError(
            "crawl --worker 需要 PostgreSQL 数据库 / needs a shared PostgreSQL database: set "
            '[archive] database = "postgresql://..." in gongkai.toml or GONGKAI_DATABASE_URL'
        )
    cfg.data_dir.ensure()
    archive = open_archive(cfg)
    try:
        summary = _work(cfg, urls, archive, database, cfg.crawler)
    finally:
        archive.close()
    if summary is None:
        echo(
            "没有未完成的抓取 / no unfinished crawl run to join: seed one with `gongkai crawl --worker URL...`"
        )
        return True, ""
    echo(summary.format())
    if urls and summary.fetched == 0 and summary.failed > 0 and summary.pending == 0:
        reasons = ", ".join(f"{k} x{v}" for k, v in sorted(summary.reasons.items())) or "no response"
        return False, f"nothing could be fetched from {', '.join(urls)} ({reasons})"
    return True, ""


def database_url(cfg: Config) -> str | None:
    """The PostgreSQL URL of `[archive] database` (or GONGKAI_DATABASE_URL), None for the embedded SQLite."""
    value = cfg.archive.database
    return value if is_postgres_url(value) else None


def _work(
    cfg: Config, urls: list[str], archive: Archive, database: str, settings: CrawlSettings
) -> CrawlSummary | None:
    """One worker on the shared frontier; a database that cannot be reached is a JobError (one line)."""
    import psycopg

    try:
        return crawl_worker(urls, archive=archive, database=database, settings=settings)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise JobError(f"数据库不可用 / database unavailable: {first}") from exc


def _update(cfg: Config) -> int:
    catalogue = Catalogue(cfg.data_dir.catalogue_target)
    try:
        return update_index(catalogue, cfg.data_dir.index_dir, cfg.index)
    finally:
        catalogue.close()


def run_index(cfg: Config, *, rebuild: bool, reparse: bool) -> str:
    if not cfg.data_dir.has_catalogue():
        raise JobError(f"no archive in {cfg.data_dir.root}: run `gongkai crawl URL` or `gongkai demo` first")
    note = ""
    if reparse:
        changed, attachments = reparse_archive(cfg)
        note = f"重新解析 re-extracted: {changed} document(s) changed; {attachments}; "
    catalogue = Catalogue(cfg.data_dir.catalogue_target)
    try:
        if rebuild:
            count = _rebuild(catalogue, cfg)
            return f"{note}索引已重建 index rebuilt: {count} document(s)"
        count = update_index(catalogue, cfg.data_dir.index_dir, cfg.index)
        return f"索引已更新 index updated: {count} document(s) added or changed"
    finally:
        catalogue.close()


def _rebuild(catalogue: Catalogue, cfg: Config) -> int:
    """rebuild_index, leaving no half-built `index.new` behind when it fails (a full disk stays full otherwise).

    IndexBusy means another rebuild holds the lock and owns `index.new`: that one is left alone.
    """
    index_dir = cfg.data_dir.index_dir
    try:
        return rebuild_index(catalogue, index_dir, cfg.index)
    except IndexBusy:
        raise
    except BaseException:
        for leftover in (index_dir.parent / (index_dir.name + ".new"),):
            shutil.rmtree(leftover, ignore_errors=True)
        raise


def reparse_archive(cfg: Config) -> tuple[int, str]:
    """Recompute every document version from its archived original with the current parser, and every
    attachment's text from its archived payload, without the network. Returns (documents changed, the
    attachment report line).

    A parser fix is not a change of the page: versions, times and history stay; only their fields are re-read.
    """
    archive = open_archive(cfg)
    try:
        changed = archive.reextract(parse_page)
        line = "附件文字未提取 attachment text off (crawler.extract_attachments = false)"
        if cfg.crawler.extract_attachments:
            line = reextract_all(archive, extraction_limits(cfg.crawler)).format()
        return changed, line
    finally:
        archive.close()


def build_query(query: str, settings: IndexSettings | None = None, **params: Any) -> SearchQuery:
    """The index's query from the CLI's (or a saved alert's) parameters: agencies, topics, the other filterable
    fields of archive/fields.py by name, dates, sort and window."""
    q = SearchQuery(
        q=query or "",
        agencies=tuple(params.get("agencies") or ()),
        topics=tuple(params.get("topics") or ()),
        filters=tuple((name, tuple(params[name])) for name in OTHER_FILTERS if params.get(name)),
        since=params.get("since"),
        until=params.get("until"),
        date_field=params.get("date_field") or "publish",
        sort=params.get("sort") or "relevance",
        offset=params.get("offset") or 0,
        limit=params["limit"] if params.get("limit") is not None else 20,
    )
    try:
        q.validate(settings)
    except QueryError as exc:
        raise JobError(str(exc)) from exc
    return q


@contextlib.contextmanager
def open_searcher(cfg: Config) -> Iterator[Searcher]:
    """A searcher of the data dir's index; a missing index or a bad query is a `JobError`."""
    try:
        with backend_searcher(cfg.data_dir.index_dir, cfg.index) as searcher:  # the configured backend's
            yield searcher
    except IndexMissing as exc:
        raise JobError(f"{exc} (data dir {cfg.data_dir.root})") from exc
    except QueryError as exc:
        raise JobError(str(exc)) from exc


def run_search(cfg: Config, query: str, **params: Any) -> SearchPage:
    sq = build_query(query, cfg.index, **params)
    with open_searcher(cfg) as searcher:
        return searcher.search(sq)


def iter_export(cfg: Config, query: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every matching document record; every document when there is no query and no filter."""
    filtered = bool(query) or any(
        params.get(k) for k in ("agencies", "topics", *OTHER_FILTERS, "since", "until")
    )
    catalogue = Catalogue(cfg.data_dir.catalogue_target, readonly=True)
    try:
        if not filtered:
            for doc in catalogue.iter_documents():
                yield _record(catalogue, doc)
            return
        sq = build_query(query, cfg.index, **{**params, "sort": "newest", "offset": 0, "limit": 1})
        with open_searcher(cfg) as searcher:
            ids = searcher.matching_ids(sq)
        for start in range(0, len(ids), EXPORT_PAGE):
            chunk = ids[start : start + EXPORT_PAGE]
            docs: dict[str, Document] = catalogue.documents_for_ids(chunk)
            yield from (_record(catalogue, docs[doc_id]) for doc_id in chunk if doc_id in docs)
    finally:
        catalogue.close()


def _record(catalogue: Catalogue, doc: Document) -> dict[str, Any]:
    """The document record with its attachments' sha256, type, extraction status and text."""
    record = doc.to_record()
    record["attachments"] = catalogue.attachment_records(doc)
    return record


def run_export(
    cfg: Config,
    query: str,
    *,
    fmt: str,
    out: TextIO = sys.stdout,
    english_headers: bool = False,
    **params: Any,
) -> int:
    if not cfg.data_dir.has_catalogue():
        raise JobError(f"no archive in {cfg.data_dir.root}: nothing to export")
    records = iter_export(cfg, query, **params)
    if fmt == "csv":
        return write_csv(records, out, english_headers=english_headers)
    return write_jsonl(records, out)


def run_evidence(cfg: Config, doc_ids: list[str], out_dir: Path) -> list[dict[str, Any]]:
    """The chosen documents' WARC records copied byte for byte, with manifest.json and manifest.tsv."""
    if not cfg.data_dir.has_catalogue():
        raise JobError(f"no archive in {cfg.data_dir.root}")
    archive = open_archive(cfg)
    try:
        return write_evidence_bundle(archive, doc_ids, out_dir)
    finally:
        archive.close()


def run_extract(path: Path, url: str | None) -> dict[str, Any]:
    """Parse one saved page; ValueError with a one-line reason for unusable input."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory, not a saved page") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    if not raw.strip():
        raise ValueError(f"{path}: the file is empty")
    if looks_binary(raw):
        raise ValueError(f"{path}: binary data, not an HTML page")
    parsed = parse_page(raw, url)
    # The document record of docs/CONTRACTS.md; id, captured_at, status and versions belong to an archive, so a
    # page parsed on its own has them null. What the parser knows beyond the record goes under "extra".
    data = parsed.to_json()
    record: dict[str, Any] = {
        "id": None,
        "url": url,
        **parsed.record_fields(),
        "captured_at": None,
        "status": None,
        "versions": None,
    }
    record["extra"] = {key: data[key] for key in (*EXTRA_FIELDS, "co_agencies")}
    record["raw_fields"] = data["raw_fields"]
    record["flags"] = data["flags"]
    record["charset"] = data["charset"]
    return record


def run_migrate(cfg: Config, url: str, *, echo: Echo = print) -> VerifyReport:
    """Copy the data dir's SQLite catalogue into the empty PostgreSQL database at `url`, print the row counts
    of both sides, then verify the archive against the copy (the WARC files stay where they are)."""
    from dataclasses import replace

    from archive.migrate import migrate

    if writer_active(cfg.data_dir.warcs_dir):
        raise JobError(
            "一个 gongkai 进程正在写入此归档，请先停止 / a gongkai process is writing this archive: stop it first"
        )
    report = migrate(cfg.data_dir.catalogue_path, url)
    for line in report.lines():
        echo(line)
    if not report.ok:
        raise JobError(f"行数不符 / row counts differ after copying to {report.target}")
    verified = verify_archive(replace(cfg.data_dir, database=url))
    echo(verified.summary())
    if verified.ok:
        echo(
            f"已迁移到 migrated to {report.target}; 今后请设置 from now on set [archive] database or GONGKAI_DATABASE_URL"
        )
    return verified


def run_verify(cfg: Config) -> VerifyReport:
    if not cfg.data_dir.has_catalogue():
        raise JobError(f"no archive in {cfg.data_dir.root}: nothing to verify")
    from gongkai.checks import check_index

    report = verify_archive(cfg.data_dir)
    report.problems += check_index(cfg.data_dir, cfg.index)
    return report
