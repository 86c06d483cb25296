"""WARC writing: what any reader sees, rotation and append-only files."""

from __future__ import annotations

import gzip
import hashlib
import stat
import subprocess
import sys
from pathlib import Path

from archive_factory import html_page, make_exchange
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, ArchiveSettings, DataDir, verify_archive


def _records(path: Path) -> list:
    out = []
    with open(path, "rb") as fp:
        for record in ArchiveIterator(fp):
            body = record.content_stream().read()
            out.append((record.rec_type, record.rec_headers, record.http_headers, body))
    return out


def _warcio(command: str, path: Path) -> list[str]:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from warcio.cli import main; sys.exit(main())",
            command,
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return [line for line in proc.stdout.splitlines() if line.strip()]


def test_gzip_chunked_response_round_trips_through_warcio(archive: Archive) -> None:
    content = html_page("标题", "正文内容" * 50)
    exchange = make_exchange(content=content, gzip_body=True, chunked=True)
    capture = archive.record(exchange, kind="document", reason=None, charset="utf-8")
    assert archive.read_payload(capture) == content
    assert capture.sha256 == hashlib.sha256(content).hexdigest()
    raw = archive.read_raw(capture)
    assert raw.status == 200
    assert raw.header("Transfer-Encoding") is None
    assert raw.header("Content-Encoding") == "gzip"
    assert raw.header("Content-Length") == str(len(exchange.wire_body))
    archive.warcs.close()
    (path,) = archive.data_dir.warcs_dir.glob("*.warc.gz")
    records = _records(path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _, rec_headers, http_headers, body = records[1]
    assert body == content  # warcio undoes Content-Encoding: the reader gets the right body
    assert rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
    assert rec_headers.protocol == "WARC/1.1"
    assert http_headers.get_header("Content-Length") == str(len(gzip.compress(content, mtime=0)))


def test_identity_body_is_stored_byte_for_byte(archive: Archive) -> None:
    content = "绍兴市公安局 镕 堃 喆".encode("gbk")
    capture = archive.record(
        make_exchange(content=content, content_type="text/html"), kind="document", reason=None, charset="gbk"
    )
    assert archive.read_payload(capture) == content
    assert capture.charset == "gbk"


def test_truncated_capture_carries_warc_truncated(archive: Archive) -> None:
    capture = archive.record(
        make_exchange(truncated="length"), kind="document", reason="byte_cap", charset=None
    )
    assert capture.truncated == "length"
    archive.warcs.close()
    (path,) = archive.data_dir.warcs_dir.glob("*.warc.gz")
    response = [r for r in _records(path) if r[0] == "response"][0]
    assert response[1].get_header("WARC-Truncated") == "length"


def test_rotation_seals_files_read_only_with_one_open_file(data_dir: DataDir) -> None:
    settings = ArchiveSettings(warc_max_bytes=4096)
    with Archive.open(data_dir, settings) as arc:
        for i in range(30):
            exchange = make_exchange(
                url=f"http://gov.example/a/{i}.html", content=html_page("t", "x" * 900 + str(i))
            )
            arc.record(exchange, kind="document", reason=None, charset="utf-8")
            assert len(list(data_dir.warcs_dir.glob("*.open"))) <= 1
        closed = sorted(data_dir.warcs_dir.glob("*.warc.gz"))
        assert len(closed) >= 3
        for path in closed:
            assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert verify_archive(data_dir).ok


def test_warcio_index_reads_every_file_and_counts_match_catalogue(data_dir: DataDir) -> None:
    settings = ArchiveSettings(warc_max_bytes=8192)
    with Archive.open(data_dir, settings) as arc:
        for i in range(12):
            url = f"http://gov.example/a/{i % 5}.html"
            arc.record(
                make_exchange(url=url, gzip_body=i % 2 == 0), kind="document", reason=None, charset="utf-8"
            )
        arc.record(make_exchange(status=None), kind="error", reason="timeout", charset=None)
        located = [r for r in arc.catalogue.iter_captures() if r["warc_file"]]
        n_files = len(list(data_dir.warcs_dir.glob("*.warc.gz*")))
    total = 0
    for path in sorted(data_dir.warcs_dir.glob("*.warc.gz*")):
        total += len(_warcio("index", path))
        assert _warcio("check", path) == []  # digests recomputed by warcio itself: no complaints
    # one warcinfo per file, a response or revisit plus its request per catalogued capture
    assert total == n_files + 2 * len(located)
    assert len(located) == 12


def test_closed_files_never_change_across_appends_and_restarts(data_dir: DataDir) -> None:
    settings = ArchiveSettings(warc_max_bytes=4096)

    def hashes() -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_dir.warcs_dir.glob("*.warc.gz")
        }

    with Archive.open(data_dir, settings) as arc:
        for i in range(10):
            arc.record(
                make_exchange(url=f"http://g.example/{i}", content=html_page("t", "y" * 1500 + str(i))),
                kind="document",
                reason=None,
                charset=None,
            )
    before = hashes()
    assert before
    for round_ in range(2):
        with Archive.open(data_dir, settings) as arc:
            for i in range(5):
                arc.record(
                    make_exchange(url=f"http://g.example/r{round_}/{i}", content=html_page("t", "z" * 1500)),
                    kind="document",
                    reason=None,
                    charset=None,
                )
            assert len(list(data_dir.warcs_dir.glob("*.open"))) <= 1
    after = hashes()
    assert {k: after[k] for k in before} == before
    assert verify_archive(data_dir).ok


def test_warcinfo_opens_every_file(archive: Archive) -> None:
    archive.record(make_exchange(), kind="document", reason=None, charset=None)
    (path,) = archive.data_dir.warcs_dir.glob("*.open")
    with open(path, "rb") as fp:
        first = next(iter(ArchiveIterator(fp)))
        assert first.rec_type == "warcinfo"
        assert b"gongkai" in first.content_stream().read()


def test_non_ascii_url_and_header_are_archived_readably(archive: Archive) -> None:
    url = "http://gov.example/附件/通知 1.pdf"
    exchange = make_exchange(
        url=url,
        content=b"%PDF-1.4 test",
        content_type="application/pdf",
        headers=(("Content-Disposition", 'attachment; filename="\u00e9.pdf"'),),
    )
    capture = archive.record(exchange, kind="attachment", reason=None, charset=None)
    assert archive.read_payload(capture) == b"%PDF-1.4 test"
    archive.close()
    assert verify_archive(archive.data_dir).ok
    (path,) = archive.data_dir.warcs_dir.glob("*.warc.gz")
    request = [r for r in _records(path) if r[0] == "request"][0]
    assert request[2].protocol == "GET"
    assert request[2].statusline.startswith("/%E9%99%84%E4%BB%B6/") and request[2].statusline.endswith(
        " HTTP/1.1"
    )


def test_post_form_is_kept_in_the_request_record(archive: Archive) -> None:
    """Hanweb's dataproxy.jsp is asked by POST: the form is part of the evidence."""
    from dataclasses import replace

    form = b"col=1&appid=1&webid=3003&columnid=1462938&startrecord=46&endrecord=90&perpage=15"
    exchange = replace(
        make_exchange("http://gov.example/module/web/jpage/dataproxy.jsp?startrecord=46"),
        method="POST",
        request_headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        request_body=form,
    )
    capture = archive.record(exchange, kind="list", reason=None, charset="utf-8")
    assert capture.location is not None
    path = Path(archive.warcs.resolve(capture.location.filename))
    requests_seen = [
        body
        for rec_type, _rec, http, body in _records(path)
        if rec_type == "request" and http.protocol == "POST"
    ]
    assert requests_seen == [form]


def test_revisits_carry_a_request_record_only_when_asked(data_dir: DataDir) -> None:
    for with_requests in (False, True):
        arc = Archive.open(data_dir, ArchiveSettings(revisit_request_records=with_requests))
        url = f"http://gov.example/revisit-{with_requests}.html"
        first = arc.record(make_exchange(url), kind="document", reason=None, charset="utf-8")
        again = arc.record(make_exchange(url), kind="document", reason=None, charset="utf-8")
        arc.close()
        assert first.record_type == "response" and again.record_type == "revisit"
        types = []
        for path in sorted(data_dir.warcs_dir.glob("*.warc.gz*")):
            types += [
                (rec_type, str(rec.get_header("WARC-Target-URI"))) for rec_type, rec, _h, _b in _records(path)
            ]
        mine = [t for t, uri in types if uri == url]
        assert mine == (
            ["response", "request", "revisit", "request"]
            if with_requests
            else ["response", "request", "revisit"]
        )
