"""Building: incremental updates, removed documents, rebuild determinism (R8), the writer lock (R5), errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from index_testkit import ListCatalogue, make_doc

from archive.models import Document
from index import (
    IndexBusy,
    IndexMissing,
    IndexSettings,
    QueryError,
    Searcher,
    SearchQuery,
    rebuild_index,
    update_index,
)
from index.build import read_meta, writer_lock


def search_ids(index_dir: Path, settings: IndexSettings, q: str, **kw: object) -> list[str]:
    with Searcher(index_dir, settings) as s:
        return [h.id for h in s.search(SearchQuery(q=q, limit=100, **kw)).hits]  # type: ignore[arg-type]


def test_update_indexes_only_new_and_changed_documents(tmp_path: Path, settings: IndexSettings) -> None:
    index_dir = tmp_path / "index"
    cat = ListCatalogue(
        [
            make_doc("a", 1, title="第一份通知", body="公共交通安排"),
            make_doc("b", 2, title="第二份", body="医疗保障"),
        ]
    )
    assert update_index(cat, index_dir, settings) == 2  # no index yet: built from scratch
    assert read_meta(index_dir)["last_seq"] == 2
    assert update_index(cat, index_dir, settings) == 0
    cat.put(make_doc("b", 3, title="第二份（修订）", body="医疗救助"))
    cat.put(make_doc("c", 4, title="第三份", body="医疗救助与公共交通"))
    assert update_index(cat, index_dir, settings) == 2
    assert sorted(search_ids(index_dir, settings, "医疗救助")) == ["b", "c"]
    assert search_ids(index_dir, settings, "医疗保障") == []  # the old text of b is gone
    with Searcher(index_dir, settings) as s:
        assert s.doc_count() == 3


def test_removed_documents_stay_findable_with_their_status(tmp_path: Path, settings: IndexSettings) -> None:
    index_dir = tmp_path / "index"
    cat = ListCatalogue([make_doc("a", 1, title="撤下的公告", body="临时交通管制")])
    update_index(cat, index_dir, settings)
    cat.put(make_doc("a", 2, status="removed", title="撤下的公告", body="临时交通管制"))
    update_index(cat, index_dir, settings)
    with Searcher(index_dir, settings) as s:
        hits = s.search(SearchQuery(q="交通管制")).hits
    assert [(h.id, h.status) for h in hits] == [("a", "removed")]


@pytest.mark.slow
def test_rebuild_returns_identical_ids_in_identical_order(
    corpus_docs: list[Document], tmp_path: Path, settings: IndexSettings
) -> None:
    """R8 (F size): an index grown by incremental updates and its rebuild answer 100 fixed queries alike."""
    docs = corpus_docs[:120]
    index_dir = tmp_path / "index"
    cat = ListCatalogue(docs[:40])
    update_index(cat, index_dir, settings)
    for doc in docs[40:]:
        cat.put(doc)
    update_index(cat, index_dir, settings)
    pieces = [d.fields.body[i : i + 2] for d in docs[:50] for i in (10, 40)]
    queries = [f'"{p}"' for p in pieces if p.strip()]  # a blank phrase is a QueryError
    sorts = ("relevance", "newest", "oldest")

    def answers() -> list[list[str]]:
        return [search_ids(index_dir, settings, q, sort=sorts[i % 3]) for i, q in enumerate(queries)]

    before = answers()
    assert rebuild_index(cat, index_dir, settings) == 120
    assert not (tmp_path / "index.new").exists()
    assert answers() == before
    assert sum(len(a) for a in before) > 100


def test_second_writer_waits_then_gives_a_clear_error(tmp_path: Path, settings: IndexSettings) -> None:
    """R5: a real lock held on another thread; the second writer waits its timeout and raises IndexBusy."""
    index_dir = tmp_path / "index"
    cat = ListCatalogue([make_doc("a", 1, title="通知", body="内容")])
    update_index(cat, index_dir, settings)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer_lock(index_dir, 5.0):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        cat.put(make_doc("b", 2, title="新的", body="内容"))
        quick = IndexSettings(lock_timeout_s=0.3)
        with pytest.raises(IndexBusy, match="another process"):
            update_index(cat, index_dir, quick)
        with pytest.raises(IndexBusy):
            rebuild_index(cat, index_dir, quick)
    finally:
        release.set()
        holder.join()
    assert update_index(cat, index_dir, settings) == 1  # the lock is free again, nothing to clean up


def test_writer_proceeds_once_the_lock_is_released_within_its_timeout(
    tmp_path: Path, settings: IndexSettings
) -> None:
    index_dir = tmp_path / "index"
    cat = ListCatalogue([make_doc("a", 1, title="通知", body="内容")])
    held = threading.Event()

    def hold() -> None:
        with writer_lock(index_dir, 5.0):
            held.set()
            threading.Event().wait(0.3)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(5)
    assert update_index(cat, index_dir, settings) == 1
    holder.join()


def test_missing_index_is_a_clear_error(tmp_path: Path, settings: IndexSettings) -> None:
    with pytest.raises(IndexMissing, match="gongkai index"):
        with Searcher(tmp_path / "nothing", settings):
            pass


@pytest.mark.slow
def test_multiprocess_rebuild_finds_the_same_documents(
    corpus_docs: list[Document], tmp_path: Path, settings: IndexSettings
) -> None:
    docs = corpus_docs[:60]
    one, two = tmp_path / "one", tmp_path / "two"
    rebuild_index(ListCatalogue(docs), one, settings)
    procs2 = IndexSettings(procs=2)
    assert rebuild_index(ListCatalogue(docs), two, procs2) == 60
    for q in [d.fields.body[20:23] for d in docs[:20]]:
        assert search_ids(one, settings, f'"{q}"') == search_ids(two, settings, f'"{q}"')


def test_an_index_of_another_schema_version_is_refused_then_rebuilt(
    tmp_path: Path, settings: IndexSettings
) -> None:
    """Postings written by another schema would be misread silently: searching says how to fix it, and the next
    `update_index` rebuilds instead of appending to it."""
    import json

    from index.schema import META_FILE, SCHEMA_VERSION

    index_dir = tmp_path / "index"
    cat = ListCatalogue([make_doc("a", 1, title="第一份通知", body="公共交通安排")])
    update_index(cat, index_dir, settings)
    meta = json.loads((index_dir / META_FILE).read_text("utf-8"))
    (index_dir / META_FILE).write_text(json.dumps({**meta, "schema_version": SCHEMA_VERSION - 1}), "utf-8")
    with pytest.raises(IndexMissing, match="--rebuild"):
        search_ids(index_dir, settings, "交通")
    assert update_index(cat, index_dir, settings) == 1  # rebuilt, not "0 new documents"
    assert search_ids(index_dir, settings, "交通") == ["a"]


def test_a_changed_user_dictionary_rebuilds_the_index(tmp_path: Path) -> None:
    """Words depend on the user dictionary: after a change, `update_index` rebuilds rather than mixing two cuts."""
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("青岚市公安局\n", "utf-8")
    settings = IndexSettings(user_dictionary=dictionary)
    index_dir = tmp_path / "index"
    cat = ListCatalogue([make_doc("a", 1, title="青岚市公安局通知", body="法治政府建设示范")])
    assert update_index(cat, index_dir, settings) == 1
    assert update_index(cat, index_dir, settings) == 0
    with Searcher(index_dir, settings) as s:
        assert s._searcher.doc_frequency("title", "青岚市公安局") == 1  # the user word is a whole word
    dictionary.write_text("青岚市公安局\n法治政府建设示范\n", "utf-8")
    assert update_index(cat, index_dir, settings) == 1  # rebuilt with the new words
    with Searcher(index_dir, settings) as s:
        assert s._searcher.doc_frequency("body", "法治政府建设示范") == 1


def test_matching_ids_lists_every_match_in_sort_order_past_the_offset_cap(
    tmp_path: Path, settings: IndexSettings
) -> None:
    """Exports need every match; paging by offset would stop at `max_offset`."""
    import dataclasses

    index_dir = tmp_path / "index"
    docs = [make_doc(f"d{i}", i + 1, title=f"交通通知{i}", body="公共交通安排") for i in range(12)]
    update_index(ListCatalogue(docs), index_dir, settings)
    small = dataclasses.replace(settings, max_offset=5)
    with Searcher(index_dir, small) as s:
        page = s.search(SearchQuery(q="交通", sort="newest", limit=5))
        ids = s.matching_ids(SearchQuery(q="交通", sort="newest"))
        with pytest.raises(QueryError):
            s.search(SearchQuery(q="交通", sort="newest", offset=10, limit=5))
    assert len(ids) == page.total == 12
    assert ids[:5] == [h.id for h in page.hits]


@pytest.mark.parametrize("procs", [1, 2])
def test_a_rebuild_in_chunks_answers_like_one_segment(
    corpus_docs: list[Document], tmp_path: Path, settings: IndexSettings, procs: int
) -> None:
    """A rebuild writes segments every `rebuild_chunk_docs` documents (bounded memory); ids, order and totals are
    those of a one-chunk build."""
    from whoosh import index as whoosh_index

    docs = corpus_docs[:60]
    whole, chunked = tmp_path / "whole", tmp_path / "chunked"
    rebuild_index(ListCatalogue(docs), whole, settings)
    small = IndexSettings(procs=procs, rebuild_chunk_docs=7)
    assert rebuild_index(ListCatalogue(docs), chunked, small) == 60
    ix = whoosh_index.open_dir(str(chunked))
    try:
        assert len(ix._segments()) >= 60 // 7
    finally:
        ix.close()
    queries = [d.fields.body[30:33] for d in docs[:15]] + [
        d.fields.title[:2] for d in docs[15:25] if d.fields.title
    ]
    for i, q in enumerate(q for q in queries if q.strip()):
        sort = ("relevance", "newest", "oldest")[i % 3]
        assert search_ids(chunked, settings, f'"{q}"', sort=sort) == search_ids(
            whole, settings, f'"{q}"', sort=sort
        )
