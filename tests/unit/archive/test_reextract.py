"""Re-extraction: a newer parser re-reads archived originals without the network and without faking history."""

from __future__ import annotations

from archive_factory import html_page, make_exchange, make_parsed

from archive import Archive, Parsed


def _page(version: str) -> bytes:
    return html_page(
        "关于印发某某办法的通知", f"第一段。\n{version}", index_no="11330600002577508J/2021-200062"
    )


def _old_parser(raw: bytes, url: str, content_type: str | None) -> Parsed:
    """A parser with a bug: it loses the 文号 and reads the body from the raw bytes."""
    return make_parsed(doc_no=None, body=raw.decode("utf-8").split("<div id='zoom'>")[1].split("</div>")[0])


def _new_parser(raw: bytes, url: str, content_type: str | None) -> Parsed:
    return make_parsed(body=raw.decode("utf-8").split("<div id='zoom'>")[1].split("</div>")[0])


def test_reextract_rewrites_fields_of_every_version_and_keeps_history(archive: Archive) -> None:
    url = "http://gov.example/art/2021/2/26/art_1_1.html"
    for text in ("第二段。", "第二段（修订）。"):
        raw = _page(text)
        capture = archive.record(make_exchange(url, raw), kind="document", reason=None, charset="utf-8")
        change = archive.upsert_document(capture, _old_parser(raw, url, None), url)
    before = archive.catalogue.get_document(change.doc_id)
    history_before = archive.catalogue.document_history(change.doc_id)
    assert before.versions == 2 and before.fields.doc_no is None

    assert archive.reextract(_new_parser) == 1
    after = archive.catalogue.get_document(change.doc_id)
    assert after.fields.doc_no == "绍市公发〔2021〕3号"  # the fix reaches the current fields
    assert (
        archive.catalogue.get_version(change.doc_id, 1).doc_no == "绍市公发〔2021〕3号"
    )  # and the old version
    assert after.versions == 2  # a parser fix is not a new version
    assert (after.captured_at, after.first_seen_at, after.last_checked_at) == (
        before.captured_at,
        before.first_seen_at,
        before.last_checked_at,
    )
    assert after.seq > before.seq  # the indexer picks it up
    history_after = archive.catalogue.document_history(change.doc_id)
    assert len(history_after["versions"]) == len(history_before["versions"])
    assert len(history_after["events"]) == len(history_before["events"])
    changes = history_after["versions"][-1]["changes"]
    assert [c["field"] for c in changes] == ["body"]  # doc_no did not change between versions

    assert archive.reextract(_new_parser) == 0  # idempotent
    assert archive.catalogue.get_document(change.doc_id).seq == after.seq
