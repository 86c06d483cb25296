"""Archive.record: revisits, failures as data, rejects, truncation."""

from __future__ import annotations

import pytest
from archive_factory import html_page, make_exchange, make_parsed
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, ArchiveSettings, DataDir, TruncatedCapture, verify_archive
from archive.warcs import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED


def _revisits(arc: Archive) -> list:
    arc.warcs.close()
    found = []
    for path in sorted(arc.data_dir.warcs_dir.glob("*.warc.gz")):
        with open(path, "rb") as fp:
            found += [r.rec_headers for r in ArchiveIterator(fp) if r.rec_type == "revisit"]
    return found


def test_identical_payload_becomes_revisit_pointing_at_original(archive: Archive) -> None:
    url = "http://gov.example/art/1.html"
    first = archive.record(make_exchange(url=url), kind="document", reason=None, charset="utf-8")
    second = archive.record(make_exchange(url=url), kind="document", reason=None, charset="utf-8")
    third = archive.record(make_exchange(url=url), kind="document", reason=None, charset="utf-8")
    assert first.record_type == "response"
    assert second.record_type == third.record_type == "revisit"
    assert second.payload_digest == first.payload_digest
    assert archive.read_payload(third) == archive.read_payload(first)
    assert second.location is not None and first.location is not None
    assert second.location.length < first.location.length
    headers = _revisits(archive)
    assert len(headers) == 2
    for h in headers:
        assert h.get_header("WARC-Profile") == PROFILE_IDENTICAL
        assert h.get_header("WARC-Refers-To-Target-URI") == url
        assert (
            h.get_header("WARC-Refers-To-Date") == first.captured_at
        )  # the original, not the previous revisit


def test_changed_payload_is_a_new_response(archive: Archive) -> None:
    url = "http://gov.example/art/2.html"
    archive.record(
        make_exchange(url=url, content=html_page("a", "一")), kind="document", reason=None, charset=None
    )
    changed = archive.record(
        make_exchange(url=url, content=html_page("a", "二")), kind="document", reason=None, charset=None
    )
    assert changed.record_type == "response"


def test_same_payload_on_other_url_is_stored_in_full(archive: Archive) -> None:
    content = html_page("a", "同样")
    archive.record(
        make_exchange(url="http://g.example/1", content=content), kind="document", reason=None, charset=None
    )
    other = archive.record(
        make_exchange(url="http://g.example/2", content=content), kind="document", reason=None, charset=None
    )
    assert other.record_type == "response"


def test_304_is_a_not_modified_revisit_of_the_last_capture(archive: Archive) -> None:
    url = "http://gov.example/art/3.html"
    first = archive.record(make_exchange(url=url), kind="document", reason=None, charset="utf-8")
    check = archive.record(make_exchange(url=url, status=304), kind="document", reason=None, charset=None)
    assert check.record_type == "revisit"
    assert check.status == 304
    assert check.kind == "document"
    assert check.sha256 == first.sha256
    assert check.charset == "utf-8"
    raw = archive.read_raw(check)
    assert raw.status == 200 and raw.body == archive.read_payload(first)
    (headers,) = _revisits(archive)
    assert headers.get_header("WARC-Profile") == PROFILE_NOT_MODIFIED
    assert headers.get_header("WARC-Refers-To-Date") == first.captured_at


def test_timeout_is_a_catalogue_row_without_warc_record(archive: Archive) -> None:
    capture = archive.record(
        make_exchange(status=None, error="timeout"), kind="error", reason="timeout", charset=None
    )
    assert capture.status is None and capture.location is None
    assert capture.reason == "timeout"
    assert archive.catalogue.get_capture(capture.capture_id) == capture
    assert list(archive.data_dir.warcs_dir.glob("*.warc.gz*")) == []


def test_blocked_bodies_go_to_capped_rejects_not_warcs(data_dir: DataDir) -> None:
    settings = ArchiveSettings(rejects_max_bytes=2500, reject_body_max_bytes=1000)
    with Archive.open(data_dir, settings) as arc:
        for i in range(5):
            body = (f"<script>$_ts={i}</script>" + "x" * 2000).encode()
            capture = arc.record(
                make_exchange(url=f"http://g.example/{i}", content=body, status=412),
                kind="blocked",
                reason="challenge:ruishu",
                charset=None,
            )
            assert capture.location is None and capture.reason == "challenge:ruishu"
        rows = list(arc.catalogue.iter_captures())
    kept = [r["reject_file"] for r in rows if r["reject_file"]]
    assert len(kept) == 2  # 1,000 bytes each under a 2,500-byte budget
    total = sum(p.stat().st_size for p in data_dir.rejects_dir.iterdir())
    assert total <= 2500
    assert list(data_dir.warcs_dir.glob("*.warc.gz*")) == []


def test_truncated_capture_never_becomes_a_document(archive: Archive) -> None:
    capture = archive.record(
        make_exchange(truncated="length"), kind="document", reason="byte_cap", charset=None
    )
    with pytest.raises(TruncatedCapture, match="cut"):
        archive.upsert_document(capture, make_parsed(), capture.url)
    assert archive.catalogue.count_documents() == 0


def test_truncated_capture_is_not_a_revisit_base(archive: Archive) -> None:
    url = "http://g.example/t"
    archive.record(make_exchange(url=url, truncated="length"), kind="document", reason=None, charset=None)
    assert archive.last_capture(url) is None
    again = archive.record(make_exchange(url=url), kind="document", reason=None, charset=None)
    assert again.record_type == "response"


def test_404_response_is_archived_as_evidence(archive: Archive) -> None:
    capture = archive.record(
        make_exchange(status=404, content=b"not found"), kind="error", reason="not_found", charset=None
    )
    assert capture.record_type == "response"
    assert archive.read_raw(capture).status == 404
    archive.close()
    assert verify_archive(archive.data_dir).ok


def test_second_writer_is_refused(archive: Archive, data_dir: DataDir) -> None:
    from archive import ArchiveError

    with pytest.raises(ArchiveError, match="another process"):
        Archive.open(data_dir)
