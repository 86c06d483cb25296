"""No false changes (issue 15): volatile parts of a page never make a version; a moved link is a move."""

from __future__ import annotations

import pytest
from archive_factory import html_page, make_exchange, make_parsed

from archive import Archive, Attachment, Capture
from archive.volatile import attachment_key, attachment_moves, session_free, stable_text

URL = "http://gov.example/art/2021/2/26/art_1_1.html"
FILE = "http://gov.example:8080/module/download/downfile.jsp?classid=0&filename=123.pdf"


def _capture(arc: Archive, url: str = URL, body: str = "a", content: bytes | None = None) -> Capture:
    return arc.record(
        make_exchange(url=url, content=content or html_page("t", body)),
        kind="document",
        reason=None,
        charset="utf-8",
    )


def _file(arc: Archive, url: str, data: bytes) -> Capture:
    return arc.record(
        make_exchange(url=url, content=data, content_type="application/pdf"),
        kind="attachment",
        reason=None,
        charset=None,
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (FILE, "https://files.gov.example/module/download/downfile.jsp?filename=123.pdf&classid=0"),
        (
            FILE,
            "http://127.0.0.1:5555/module/download/downfile.jsp;jsessionid=ABC123?classid=0&filename=123.pdf",
        ),
        ("http://a.example/x/W0.pdf;jsessionid=1F", "http://b.example:81/x/W0.pdf?_t=1700000000"),
    ],
)
def test_attachment_key_ignores_scheme_host_port_and_session(a: str, b: str) -> None:
    assert attachment_key(a) == attachment_key(b)


def test_attachment_key_keeps_what_names_the_file() -> None:
    assert attachment_key(FILE) != attachment_key(FILE.replace("123.pdf", "124.pdf"))
    assert attachment_key("http://a/x/W0.pdf") != attachment_key("http://a/y/W0.pdf")
    assert session_free("HTTP://A.example:80/f.pdf;jsessionid=9?sid=2&k=1") == "http://a.example/f.pdf?k=1"


def test_stable_text_drops_counters_and_generation_stamps_only() -> None:
    one = "发布日期：2021-02-26 浏览次数：123\n正文第一段共3项。\n页面生成时间：2026-12-01 09:00:00"
    two = "发布日期：2021-02-26 浏览次数：4,567\n正文第一段共3项。\n页面生成时间：2026-12-02 10:11:12"
    assert stable_text(one) == stable_text(two)
    assert stable_text("阅读次数：12次") == stable_text("阅读次数：99次")
    assert stable_text("正文第一段共3项。") != stable_text("正文第一段共4项。")
    assert stable_text("发布日期：2021-02-26") != stable_text("发布日期：2021-02-27")


def test_same_document_on_a_new_port_with_session_tokens_is_a_move_not_a_version(archive: Archive) -> None:
    first = archive.upsert_document(
        _capture(archive),
        make_parsed(attachments=(Attachment(FILE, "附件.pdf"),), body="正文。\n浏览次数：3"),
        URL,
    )
    moved_url = "http://gov.example:9090/art/2021/2/26/art_1_1.html"
    moved_file = (
        "http://gov.example:9090/module/download/downfile.jsp;jsessionid=FFFF?classid=0&filename=123.pdf"
    )
    again = archive.upsert_document(
        _capture(archive, moved_url),
        make_parsed(attachments=(Attachment(moved_file, "附件.pdf"),), body="正文。\n浏览次数：40"),
        moved_url,
    )
    assert again.doc_id == first.doc_id and again.change == "moved" and again.version == 1
    history = archive.catalogue.document_history(first.doc_id)
    assert len(history["versions"]) == 1
    moves = [e for e in history["events"] if e["kind"] == "moved"]
    assert moves[0]["detail"]["attachments"] == [{"from": FILE, "to": moved_file}]
    # The document now links where its file lives; the version is untouched.
    assert archive.catalogue.get_document(first.doc_id).fields.attachments[0].url == moved_file
    assert archive.catalogue.get_version(first.doc_id, 1).attachments[0].url == FILE


def test_only_attachment_host_moved_is_a_move(archive: Archive) -> None:
    parsed = make_parsed(attachments=(Attachment(FILE, "附件.pdf"),))
    first = archive.upsert_document(_capture(archive), parsed, URL)
    https = FILE.replace("http://gov.example:8080", "https://files.gov.example")
    again = archive.upsert_document(
        _capture(archive), make_parsed(attachments=(Attachment(https, "附件.pdf"),)), URL
    )
    assert (again.change, again.version, again.moved) == ("moved", 1, True)
    assert again.seq > first.seq  # the index picks up the new links
    assert attachment_moves(parsed.attachments, (Attachment(https, "附件.pdf"),)) == [
        {"from": FILE, "to": https}
    ]


def test_renamed_file_with_the_same_bytes_is_no_edit_but_new_bytes_are(archive: Archive) -> None:
    renamed = FILE.replace("123.pdf", "456.pdf")
    _file(archive, FILE, b"%PDF-1.4 same")
    _file(archive, renamed, b"%PDF-1.4 same")
    first = archive.upsert_document(
        _capture(archive), make_parsed(attachments=(Attachment(FILE, "附件.pdf"),)), URL
    )
    same = archive.upsert_document(
        _capture(archive), make_parsed(attachments=(Attachment(renamed, "附件.pdf"),)), URL
    )
    assert same.change != "changed" and same.version == 1
    other = FILE.replace("123.pdf", "789.pdf")
    _file(archive, other, b"%PDF-1.4 different")
    edited = archive.upsert_document(
        _capture(archive), make_parsed(attachments=(Attachment(other, "附件.pdf"),)), URL
    )
    assert (edited.change, edited.version) == ("changed", 2)
    changes = archive.catalogue.document_history(first.doc_id)["versions"][1]["changes"]
    assert changes == [
        {
            "field": "attachments",
            "old": [{"url": renamed, "name": "附件.pdf"}],
            "new": [{"url": other, "name": "附件.pdf"}],
        }
    ]


def test_a_real_edit_beside_a_counter_is_still_a_version(archive: Archive) -> None:
    archive.upsert_document(_capture(archive), make_parsed(body="第一段。\n浏览次数：3"), URL)
    edited = archive.upsert_document(_capture(archive), make_parsed(body="第一段已修订。\n浏览次数：9"), URL)
    assert (edited.change, edited.version) == ("changed", 2)


def test_a_new_session_token_alone_is_not_even_a_move(archive: Archive) -> None:
    with_token = FILE.replace("downfile.jsp?", "downfile.jsp;jsessionid=AAAA?")
    first = archive.upsert_document(
        _capture(archive), make_parsed(attachments=(Attachment(with_token, "附件.pdf"),)), URL
    )
    again = archive.upsert_document(
        _capture(archive),
        make_parsed(attachments=(Attachment(with_token.replace("AAAA", "BBBB"), "附件.pdf"),)),
        URL,
    )
    assert (again.change, again.seq) == ("unchanged", first.seq)
    assert [e["kind"] for e in archive.catalogue.document_history(first.doc_id)["events"]] == ["new"]
