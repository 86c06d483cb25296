"""An attachment replaced under the same link changes its document (archive/files.py): a new version when the page
itself did not change, folded into the page's new version when both changed in one visit, never twice."""

from __future__ import annotations

from archive_factory import html_page, make_exchange, make_parsed

from archive import Archive, Attachment, Capture

URL = "http://gov.example/art/2021/2/26/art_1_1.html"
FILE = "http://gov.example/module/download/downfile.jsp?classid=0&filename=budget.xlsx"


def _page(arc: Archive, body: str = "a") -> Capture:
    return arc.record(
        make_exchange(url=URL, content=html_page("t", body)), kind="document", reason=None, charset="utf-8"
    )


def _file(arc: Archive, data: bytes, url: str = FILE) -> Capture:
    return arc.record(
        make_exchange(url=url, content=data, content_type="application/octet-stream"),
        kind="attachment",
        reason=None,
        charset=None,
    )


def test_new_bytes_under_the_same_link_are_a_new_version_once(archive: Archive) -> None:
    parsed = make_parsed(attachments=(Attachment(FILE, "预算表.xlsx"),))
    doc = archive.upsert_document(_page(archive), parsed, URL)
    assert (
        archive.record_file(URL, _file(archive, b"PK\x03\x04 v1")) is None
    )  # first sight: nothing to compare
    assert archive.upsert_document(_page(archive), parsed, URL).change == "unchanged"
    assert archive.record_file(URL, _file(archive, b"PK\x03\x04 v1")) is None  # same bytes
    replaced = _file(archive, b"PK\x03\x04 v2")
    assert archive.record_file(URL, replaced) == "changed"
    assert archive.record_file(URL, replaced) is None  # a resumed crawl handing the same capture over again
    history = archive.catalogue.document_history(doc.doc_id)
    assert [v["n"] for v in history["versions"]] == [1, 2]
    [change] = history["versions"][1]["changes"]
    assert (
        change["field"] == "attachment_content" and change["url"] == FILE and change["old"] != change["new"]
    )
    assert [e["kind"] for e in history["events"]] == ["new", "changed"]
    current = archive.catalogue.get_document(doc.doc_id)
    assert current.versions == 2 and current.fields == parsed and current.seq > doc.seq
    assert archive.catalogue.get_version(doc.doc_id, 2) == archive.catalogue.get_version(doc.doc_id, 1)


def test_an_edit_and_a_replaced_file_in_one_visit_are_one_version(archive: Archive) -> None:
    parsed = make_parsed(attachments=(Attachment(FILE, "预算表.xlsx"),))
    doc = archive.upsert_document(_page(archive), parsed, URL)
    _file(archive, b"PK\x03\x04 v1")
    edited = archive.upsert_document(
        _page(archive, "b"), make_parsed(body="改过的正文。", attachments=parsed.attachments), URL
    )
    assert edited.change == "changed" and edited.version == 2
    assert archive.record_file(URL, _file(archive, b"PK\x03\x04 v2")) == "amended"
    history = archive.catalogue.document_history(doc.doc_id)
    assert len(history["versions"]) == 2
    assert {c["field"] for c in history["versions"][1]["changes"]} == {"body", "attachment_content"}
    assert history["events"][-1]["detail"]["fields"][-1] == "attachment_content"


def test_files_of_other_documents_or_failed_fetches_change_nothing(archive: Archive) -> None:
    archive.upsert_document(_page(archive), make_parsed(attachments=(Attachment(FILE, "x"),)), URL)
    other = FILE.replace("budget", "other")
    _file(archive, b"one", other)
    assert archive.record_file(URL, _file(archive, b"two", other)) is None  # not linked from this document
    _file(archive, b"one")
    gone = archive.record(
        make_exchange(url=FILE, status=404, content=b"no"), kind="error", reason="not_found", charset=None
    )
    assert archive.record_file(URL, gone) is None
    assert archive.record_file("http://gov.example/unknown.html", _file(archive, b"three")) is None
