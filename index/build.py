"""The single writer: incremental updates from the catalogue and full rebuilds swapped in by rename.

Concurrency (docs/TESTPLAN.md findings 1-3): one writer at a time, enforced by an exclusive `flock` on `<index_dir>.lock`
(beside the index, so it also covers a rebuild that replaces the whole directory). The lock dies with its process,
so a killed indexer leaves nothing to clean up. A second writer polls for `lock_timeout_s` and then raises
`IndexBusy`. Readers never take the lock: every Searcher opens its own snapshot.

Progress: `<index_dir>/gongkai.json` holds the schema version and the highest catalogue `seq` indexed; it is
rewritten (temp file + rename) only after Whoosh's commit, so a crash in between re-indexes a few documents, which
`update_document` (keyed by `id`) makes harmless. Removed documents stay in the index with `status` = removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from whoosh import index as whoosh_index
from whoosh.writing import MERGE_SMALL, NO_MERGE

from archive.identifiers import doc_no_key, index_no_key, parse_doc_no
from archive.models import Document
from index.analyzer import END, fold, segmenter
from index.errors import IndexBusy
from index.fastwrite import FastMpWriter, FastSegmentWriter, collector_paused
from index.schema import FILTER_FIELDS, META_FILE, SCHEMA_VERSION, build_schema, meta_current
from index.settings import IndexSettings

UNDATED_ASC = 99_999_999


class DocumentSource(Protocol):
    """What the indexer needs of `archive.Catalogue`."""

    def iter_documents(self, since_seq: int = 0) -> Iterator[Document]: ...

    def max_seq(self) -> int: ...


# doc_id -> the document's attachments as `Catalogue.document_attachments` gives them (url, name, status, units)
AttachmentSource = Callable[[str], Sequence[dict[str, Any]]]


def attachment_units(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """[name, page, sheet, text] of every extracted unit of a document's attachments, in link order."""
    units: list[list[Any]] = []
    for row in rows:
        if row.get("status") != "ok":
            continue
        name = row.get("name") or (row.get("url") or "").rsplit("/", 1)[-1]
        for unit in row.get("units") or ():
            text = unit.get("text") or ""
            if text:
                units.append([name, unit.get("page"), unit.get("sheet"), text])
    return units


def attachment_fields(units: list[list[Any]]) -> dict[str, Any]:
    """The index values of attachment text: END between units keeps phrases inside one page or sheet."""
    if not units:
        return {}
    texts = [u[3] for u in units]
    return {
        "attach": "\n".join(texts),
        "attach_ng": END.join(texts),
        "attach_z": zlib.compress(json.dumps(units, ensure_ascii=False).encode("utf-8"), 1),
    }


@contextlib.contextmanager
def writer_lock(index_dir: Path, timeout_s: float) -> Iterator[None]:
    """Exclusive lock for any change to `index_dir`; `IndexBusy` after `timeout_s`."""
    lock_path = index_dir.parent / (index_dir.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"索引正被另一个进程更新（等待 {timeout_s:g} 秒后放弃）/ "
                        f"the index is being updated by another process (gave up after {timeout_s:g} s)"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_meta(index_dir: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((index_dir / META_FILE).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    return data


def dictionary_digest(settings: IndexSettings) -> str | None:
    """SHA-256 of the user dictionary (None without one): words depend on it, so a change means a rebuild."""
    if settings.user_dictionary is None:
        return None
    return hashlib.sha256(settings.user_dictionary.read_bytes()).hexdigest()


def _write_meta(index_dir: Path, last_seq: int, settings: IndexSettings) -> None:
    tmp = index_dir / (META_FILE + ".tmp")
    meta = {
        "schema_version": SCHEMA_VERSION,
        "filters": list(FILTER_FIELDS),
        "last_seq": last_seq,
        "dictionary": dictionary_digest(settings),
    }
    tmp.write_text(json.dumps(meta), "utf-8")
    os.replace(tmp, index_dir / META_FILE)


def _date(value: str | None) -> str:
    return value if value and len(value) >= 4 else ""


def _number(value: str, missing: int) -> int:
    digits = value[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else missing


def doc_fields(doc: Document, attachments: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """What one catalogue document becomes in the index (values for `add_document`)."""
    f = doc.fields
    title = f.title or ""
    body = f.body or ""
    publish = _date(f.publish_date)
    written = _date(f.written_date)
    values: dict[str, Any] = {
        "id": doc.doc_id,
        "url": doc.url,
        "title": title,
        "title_ng": title,
        "body": body,
        "body_ng": body,
        "status": doc.status,
        "seq": doc.seq,
        "stored": {"title": f.title, "index_no": f.index_no, "doc_no": f.doc_no},
        "body_z": zlib.compress(body.encode("utf-8"), 1),
        "publish_num": _number(publish, 0),
        "written_num": _number(written, 0),
        "publish_asc": _number(publish, UNDATED_ASC),
        "written_asc": _number(written, UNDATED_ASC),
    }
    values.update(attachment_fields(attachment_units(attachments)))
    for name in FILTER_FIELDS:  # exact values of the filters and facets (archive/fields.py)
        if value := getattr(f, name):
            values[name] = value
    if f.agency:
        values["agency_ng"] = f.agency
    if f.topic:
        values["topic_ng"] = f.topic
    if f.doc_no:
        values["doc_no_ng"] = f.doc_no
        values["doc_no_key"] = doc_no_key(f.doc_no) if parse_doc_no(f.doc_no) else fold(f.doc_no)
    if f.index_no:
        values["index_no_key"] = index_no_key(f.index_no)
    if publish:
        values["publish_date"] = publish
        values["publish_year"] = publish[:4]
    if written:
        values["written_date"] = written
        values["written_year"] = written[:4]
    return values


def _create(index_dir: Path, settings: IndexSettings) -> Any:
    index_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    schema = build_schema(settings.user_dictionary, settings.title_boost)
    return whoosh_index.create_in(str(index_dir), schema)


def _fill(
    ix: Any,
    docs: Iterator[Document],
    settings: IndexSettings,
    fresh: bool,
    attachments: AttachmentSource | None = None,
) -> tuple[int, int]:
    """Write documents; returns (count, highest seq seen).

    A fresh build holds a segment's postings in memory until the segment is written, so it writes one set of
    segments per `rebuild_chunk_docs` documents (each chunk committed without merging): memory stays bounded by
    the chunk, not by the archive (one segment per process for 100,000 documents needed about 15 GB)."""
    segmenter(settings.user_dictionary)  # before any fork: children share it
    count = 0
    last = 0
    pending = iter(docs)
    while True:
        if fresh and settings.procs > 1:
            writer = FastMpWriter(ix, procs=settings.procs)
        elif fresh:
            writer = FastSegmentWriter(ix, timeout=settings.lock_timeout_s)
        else:
            writer = ix.writer(timeout=settings.lock_timeout_s, limitmb=settings.writer_memory_mb)
        added = 0
        with collector_paused() if fresh else contextlib.nullcontext():
            try:
                for doc in pending:
                    values = doc_fields(doc, attachments(doc.doc_id) if attachments is not None else ())
                    if fresh:
                        writer.add_document(**values)
                    else:
                        writer.update_document(**values)
                    added += 1
                    last = max(last, doc.seq)
                    if fresh and added >= settings.rebuild_chunk_docs:
                        break
            except BaseException:
                writer.cancel()
                raise
            if fresh:
                writer.commit(mergetype=NO_MERGE) if added else writer.cancel()
            else:
                writer.commit(mergetype=merge_small_compound)
        count += added
        if not fresh or added < settings.rebuild_chunk_docs:
            break
    if fresh:
        # Whoosh's multiprocessing writer drops a sub-process's segment silently when it is late or dead
        with ix.searcher() as searcher:
            indexed = searcher.doc_count_all()
        if indexed != count:
            raise RuntimeError(f"index build lost documents: {indexed} of {count} written")
    return count, last


def _source(catalogue: DocumentSource) -> AttachmentSource | None:
    """The catalogue's attachment rows where it has them (a plain document source has none)."""
    found: AttachmentSource | None = getattr(catalogue, "document_attachments", None)
    return found


def merge_small_compound(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's small-segment merge, restricted to the compound segments written by updates.

    A rebuild leaves plain (non-compound) segments, which readers open file by file, lazily; merging them away
    would delete files under a searcher that has not opened them yet ("'NoneType' object is not subscriptable"
    in the concurrency test). Update segments are compound: a reader holds the one file open from the start."""
    plain = [s for s in segments if not getattr(s, "compound", False)]
    small = [s for s in segments if getattr(s, "compound", False)]
    return plain + list(MERGE_SMALL(writer, small))


def update_index(catalogue: DocumentSource, index_dir: Path, settings: IndexSettings) -> int:
    """Index documents new or changed since the last run; returns how many were written."""
    if settings.backend == "postgresql":  # the same job on the database's search table (pgwrite.py)
        from index.backends import database_url
        from index.pgwrite import update_pg

        return update_pg(catalogue, database_url(settings), settings)
    with writer_lock(index_dir, settings.lock_timeout_s):
        meta = read_meta(index_dir)
        if (
            not whoosh_index.exists_in(str(index_dir))
            or not meta_current(meta)
            or meta.get("dictionary") != dictionary_digest(settings)
        ):
            return _rebuild_locked(catalogue, index_dir, settings)
        since = int(meta.get("last_seq", 0))
        if catalogue.max_seq() <= since:
            return 0
        ix = whoosh_index.open_dir(str(index_dir))
        try:
            count, last = _fill(
                ix, catalogue.iter_documents(since), settings, fresh=False, attachments=_source(catalogue)
            )
        finally:
            ix.close()
        if count:
            _write_meta(index_dir, max(last, since), settings)
        return count


def rebuild_index(catalogue: DocumentSource, index_dir: Path, settings: IndexSettings) -> int:
    """Build a fresh index in `<index_dir>.new` from the whole catalogue and swap it in; returns the count."""
    if settings.backend == "postgresql":
        from index.backends import database_url
        from index.pgwrite import rebuild_pg

        return rebuild_pg(catalogue, database_url(settings), settings)
    with writer_lock(index_dir, settings.lock_timeout_s):
        return _rebuild_locked(catalogue, index_dir, settings)


def _rebuild_locked(catalogue: DocumentSource, index_dir: Path, settings: IndexSettings) -> int:
    new_dir = index_dir.parent / (index_dir.name + ".new")
    shutil.rmtree(new_dir, ignore_errors=True)
    ix = _create(new_dir, settings)
    try:
        count, last = _fill(
            ix, catalogue.iter_documents(0), settings, fresh=True, attachments=_source(catalogue)
        )
    finally:
        ix.close()
    _write_meta(new_dir, last, settings)
    _swap(new_dir, index_dir)
    return count


def _swap(new_dir: Path, index_dir: Path) -> None:
    """Put `new_dir` in place of `index_dir`: one atomic exchange where the kernel offers it."""
    if index_dir.exists() and _exchange(new_dir, index_dir):
        shutil.rmtree(new_dir)
        return
    old_dir = index_dir.parent / (index_dir.name + ".old")
    shutil.rmtree(old_dir, ignore_errors=True)
    if index_dir.exists():
        os.rename(index_dir, old_dir)
    os.rename(new_dir, index_dir)
    shutil.rmtree(old_dir, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE) (Linux >= 3.15); False where unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)
