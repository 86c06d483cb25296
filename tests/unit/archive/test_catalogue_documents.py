"""Documents: identity across moves, versions with field and text diffs, removal and restoration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_factory import html_page, make_exchange, make_parsed

from archive import Archive, ArchiveSettings, Capture, DataDir, DocumentNotFound, Parsed

URL = "http://gov.example/art/2021/2/26/art_1_1.html"


def _capture(
    arc: Archive, url: str = URL, body: str = "a", status: int | None = 200, kind: str = "document"
) -> Capture:
    return arc.record(
        make_exchange(url=url, content=html_page("t", body), status=status),
        kind=kind,
        reason=None,
        charset="utf-8",
    )


def test_new_then_unchanged_then_changed_with_field_and_text_diff(archive: Archive) -> None:
    first = archive.upsert_document(_capture(archive, body="v1"), make_parsed(), URL)
    assert (first.change, first.version) == ("new", 1)
    same = archive.upsert_document(_capture(archive, body="v1"), make_parsed(flags=("x",)), URL)
    assert same.change == "unchanged" and same.seq == first.seq
    new_body = "第一段。\n第二段已修订。\n第三段。"
    changed = archive.upsert_document(
        _capture(archive, body="v2"), make_parsed(body=new_body, source="绍兴市人民政府办公室"), URL
    )
    assert (changed.change, changed.version) == ("changed", 2)
    assert changed.seq > first.seq
    history = archive.catalogue.document_history(changed.doc_id)
    json.dumps(history, ensure_ascii=False)  # JSON-ready
    v2 = history["versions"][1]
    fields = {c["field"]: c for c in v2["changes"]}
    assert set(fields) == {"source", "body"}
    assert fields["source"]["old"] == "绍兴市公安局" and fields["source"]["new"] == "绍兴市人民政府办公室"
    assert "-第二段。" in v2["diff"] and "+第二段已修订。" in v2["diff"]
    assert [e["kind"] for e in history["events"]] == ["new", "changed"]
    assert archive.catalogue.get_version(changed.doc_id, 1).body == make_parsed().body
    assert archive.catalogue.get_version(changed.doc_id, 2).source == "绍兴市人民政府办公室"
    doc = archive.catalogue.get_document(changed.doc_id)
    assert doc.versions == 2 and doc.fields.body == new_body
    assert doc.to_record()["versions"] == 2
    assert [d.doc_id for d in archive.catalogue.list_changed_documents()] == [changed.doc_id]


def test_same_index_no_on_new_url_is_the_same_document(archive: Archive) -> None:
    first = archive.upsert_document(_capture(archive), make_parsed(), URL)
    new_url = "http://gov.example/xxgk/202102/t20210226_1.html"
    moved = archive.upsert_document(_capture(archive, url=new_url), make_parsed(), new_url)
    assert moved.doc_id == first.doc_id
    assert moved.change == "moved" and moved.moved
    assert archive.catalogue.get_document(first.doc_id).url == new_url
    assert archive.catalogue.count_documents() == 1
    kinds = [e["kind"] for e in archive.catalogue.document_history(first.doc_id)["events"]]
    assert kinds == ["new", "moved"]


def test_without_index_no_doc_no_and_agency_identify(archive: Archive) -> None:
    parsed = make_parsed(index_no=None)
    first = archive.upsert_document(_capture(archive), parsed, URL)
    other = "http://gov.example/new/1.html"
    again = archive.upsert_document(
        _capture(archive, url=other), make_parsed(index_no=None, doc_no="绍市公发[2021]3号"), other
    )
    assert again.doc_id == first.doc_id


def test_different_index_no_on_a_moved_from_url_is_a_new_document(archive: Archive) -> None:
    first = archive.upsert_document(_capture(archive), make_parsed(), URL)
    archive.upsert_document(
        _capture(archive, url="http://gov.example/new.html"), make_parsed(), "http://gov.example/new.html"
    )
    reuse = archive.upsert_document(
        _capture(archive, body="other"), make_parsed(index_no="X/2022-1", doc_no=None, body="另一文件"), URL
    )
    assert reuse.change == "new" and reuse.doc_id != first.doc_id


def test_doc_no_wu_never_joins_documents(archive: Archive) -> None:
    a = archive.upsert_document(
        _capture(archive, url="http://g/1"), make_parsed(index_no=None, doc_no="无"), "http://g/1"
    )
    b = archive.upsert_document(
        _capture(archive, url="http://g/2"), make_parsed(index_no=None, doc_no="无", body="x"), "http://g/2"
    )
    assert a.doc_id != b.doc_id


def test_removed_after_two_consecutive_404s_with_last_seen(archive: Archive) -> None:
    doc = archive.upsert_document(_capture(archive), make_parsed(), URL)
    seen_at = archive.catalogue.get_document(doc.doc_id).captured_at
    assert archive.record_check(URL, _capture(archive, status=404)) is None
    assert archive.catalogue.get_document(doc.doc_id).status == "live"
    gone = _capture(archive, status=410)
    assert archive.record_check(URL, gone) == "removed"
    removed = archive.catalogue.get_document(doc.doc_id)
    assert removed.status == "removed" and removed.removed_at == gone.captured_at
    assert removed.seq > doc.seq
    history = archive.catalogue.document_history(doc.doc_id)
    assert history["last_seen_at"] == seen_at
    assert history["events"][-1]["kind"] == "removed"
    assert history["events"][-1]["detail"]["last_seen_at"] == seen_at
    assert removed.to_record()["status"] == "removed"
    # a later 200 restores it
    assert archive.record_check(URL, _capture(archive)) == "restored"
    assert archive.catalogue.get_document(doc.doc_id).status == "live"


@pytest.mark.parametrize("status,kind", [(412, "blocked"), (None, "error"), (503, "error"), (200, "blocked")])
def test_blocked_failed_and_5xx_checks_neither_count_nor_reset(
    archive: Archive, status: int | None, kind: str
) -> None:
    doc = archive.upsert_document(_capture(archive), make_parsed(), URL)
    assert archive.record_check(URL, _capture(archive, status=404)) is None
    for _ in range(3):
        assert archive.record_check(URL, _capture(archive, status=status, kind=kind)) is None
        assert archive.catalogue.get_document(doc.doc_id).status == "live"
    # the earlier 404 still counts: one more makes two consecutive misses
    assert archive.record_check(URL, _capture(archive, status=404)) == "removed"


def test_a_200_between_404s_resets_the_count(archive: Archive) -> None:
    archive.upsert_document(_capture(archive), make_parsed(), URL)
    assert archive.record_check(URL, _capture(archive, status=404)) is None
    assert archive.record_check(URL, _capture(archive)) is None
    assert archive.record_check(URL, _capture(archive, status=404)) is None


def test_removed_after_is_a_setting(data_dir: DataDir) -> None:
    with Archive.open(data_dir, ArchiveSettings(removed_after=3)) as arc:
        arc.upsert_document(_capture(arc), make_parsed(), URL)
        assert [arc.record_check(URL, _capture(arc, status=404)) for _ in range(3)] == [None, None, "removed"]


def test_iter_documents_follows_seq_and_events_span_the_archive(archive: Archive) -> None:
    ids = [
        archive.upsert_document(
            _capture(archive, url=f"http://g/{i}"), make_parsed(index_no=f"A/2021-{i}"), f"http://g/{i}"
        ).doc_id
        for i in range(3)
    ]
    mark = archive.catalogue.max_seq()
    archive.upsert_document(
        _capture(archive, url="http://g/1", body="n"),
        make_parsed(index_no="A/2021-1", body="改"),
        "http://g/1",
    )
    assert [d.doc_id for d in archive.catalogue.iter_documents()] == [ids[0], ids[2], ids[1]]
    assert [d.doc_id for d in archive.catalogue.iter_documents(since_seq=mark)] == [ids[1]]
    kinds = [e["kind"] for e in archive.catalogue.iter_events()]
    assert kinds == ["new", "new", "new", "changed"]
    last_new_at = list(archive.catalogue.iter_events())[2]["at"]
    assert [e["kind"] for e in archive.catalogue.iter_events(since=last_new_at)] == ["changed"]
    assert set(archive.catalogue.documents_for_ids([ids[0], "nope", ids[2]])) == {ids[0], ids[2]}


def test_unknown_document_raises(archive: Archive) -> None:
    with pytest.raises(DocumentNotFound):
        archive.catalogue.get_document("000000000000")
    with pytest.raises(DocumentNotFound):
        archive.catalogue.document_history("000000000000")


def test_doc_id_is_stable_across_archives(tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        with Archive.open(DataDir(tmp_path / name)) as arc:
            ids.append(arc.upsert_document(_capture(arc), make_parsed(), URL).doc_id)
    assert ids[0] == ids[1] and len(ids[0]) == 12


def test_blocked_capture_cannot_become_a_document(archive: Archive) -> None:
    from archive import ArchiveError

    with pytest.raises(ArchiveError):
        archive.upsert_document(_capture(archive, status=412, kind="blocked"), Parsed(title="安全验证"), URL)


def test_move_with_new_text_is_changed_and_moved(archive: Archive) -> None:
    first = archive.upsert_document(_capture(archive), make_parsed(), URL)
    new_url = "http://gov.example/new/1.html"
    change = archive.upsert_document(
        _capture(archive, url=new_url, body="b"), make_parsed(body="新正文"), new_url
    )
    assert (change.doc_id, change.change, change.moved, change.version) == (first.doc_id, "changed", True, 2)
    kinds = [e["kind"] for e in archive.catalogue.document_history(first.doc_id)["events"]]
    assert kinds == ["new", "changed", "moved"]
    assert archive.catalogue.document_history(first.doc_id)["versions"][1]["url"] == new_url


def test_reappearing_removed_document_is_restored_by_upsert(archive: Archive) -> None:
    doc = archive.upsert_document(_capture(archive), make_parsed(), URL)
    for _ in range(2):
        archive.record_check(URL, _capture(archive, status=404))
    assert archive.catalogue.get_document(doc.doc_id).status == "removed"
    again = archive.upsert_document(_capture(archive), make_parsed(), URL)
    assert again.restored and again.change == "unchanged" and again.seq > doc.seq
    restored = archive.catalogue.get_document(doc.doc_id)
    assert restored.status == "live" and restored.removed_at is None
    assert archive.catalogue.document_history(doc.doc_id)["events"][-1]["kind"] == "restored"


def test_check_of_unknown_url_is_ignored(archive: Archive) -> None:
    assert archive.record_check("http://gov.example/unknown", _capture(archive, status=404)) is None
