"""The WARC files of a real crawl read cleanly with warcio, agree with the catalogue, and hold the served bytes.

Two crawls of the demo site (the second with some documents changed and some removed) give responses, revisits,
requests and 404s, UTF-8 (Hanweb) and GBK (TRS) pages, binary attachments, and (about half the paths) gzip
Content-Encoding. warcio is the independent reader (issue 5: "read without error by `warcio index` and their
record counts match the catalogue"); the DemoSite's pure `respond()` is the oracle for what the server sent
(docs/TESTPLAN.md A5, byte fidelity).
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import crawlkit as ck
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, DataDir
from archive.catalogue import capture_from_row
from archive.records import decode_content
from demosite.site import DemoSite

pytestmark = pytest.mark.slow

SITE_SEED = 20210226
N_DOCS = 60
CHANGED = (2, 9, 17, 30)
REMOVED = (4, 11)
GBK_ONLY = "镕堃喆"


@dataclass(frozen=True)
class Crawled:
    root: Path
    base: str
    sites: tuple[DemoSite, DemoSite]  # what the server answered during crawl 1 and crawl 2
    first_max_capture: int


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    root = tmp_path_factory.mktemp("interop") / "data"
    first_site = DemoSite(seed=SITE_SEED, n_docs=N_DOCS)
    second_site = DemoSite(seed=SITE_SEED, n_docs=N_DOCS, changed=CHANGED, removed=REMOVED)
    with ck.served(first_site) as (srv, switch):
        switch.gzip = True
        seed_urls = ck.seeds(srv, first_site)
        ck.crawl_into(root, seed_urls)
        first_max = ck.snapshot(root).max_capture_id
        switch.switch(second_site)  # gzip stays on
        second = ck.crawl_into(root, seed_urls)
    assert second.changed == len(CHANGED)
    return Crawled(root, srv.url, (first_site, second_site), first_max)


def _warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _catalogue_records(rows: list[dict[str, Any]], name: str) -> Counter[tuple[str, int, int]]:
    """(type, offset, length) of every record the catalogue points at in one file."""
    found: Counter[tuple[str, int, int]] = Counter()
    for row in rows:
        if row["warc_file"] != name:
            continue
        found[(row["record_type"], row["warc_offset"], row["warc_length"])] += 1
        if row["request_offset"] is not None:
            found[("request", row["request_offset"], row["request_length"])] += 1
    return found


def test_warcio_index_reads_every_file_and_matches_the_catalogue(crawled: Crawled) -> None:
    rows = ck.captures(crawled.root)
    paths = ck.warc_paths(crawled.root)
    assert len(paths) >= 2
    total: Counter[str] = Counter()
    for path in paths:
        result = _warcio("index", "-f", "warc-type,warc-target-uri,offset,length", str(path))
        assert result.returncode == 0 and result.stderr == "", result.stderr
        entries = [json.loads(line) for line in result.stdout.splitlines()]
        assert entries[0]["warc-type"] == "warcinfo"
        indexed = Counter(
            (e["warc-type"], int(e["offset"]), int(e["length"]))
            for e in entries
            if e["warc-type"] != "warcinfo"
        )
        assert indexed == _catalogue_records(rows, path.name), path.name
        total.update(e["warc-type"] for e in entries)
    located = [r for r in rows if r["warc_file"] is not None]
    assert total["response"] == sum(r["record_type"] == "response" for r in located)
    assert total["revisit"] == sum(r["record_type"] == "revisit" for r in located)
    assert total["request"] == sum(r["request_offset"] is not None for r in located)
    assert total["warcinfo"] == len(paths)
    assert total["response"] > N_DOCS and total["revisit"] > N_DOCS // 2


def test_warcio_check_passes_every_digest(crawled: Crawled) -> None:
    for path in ck.warc_paths(crawled.root):
        result = _warcio("check", "-v", str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "digest pass" in result.stdout
        assert "fail" not in result.stdout.replace("digest pass", ""), result.stdout


def _served(crawled: Crawled, capture_id: int, method: str, path_qs: str, body: bytes) -> bytes:
    """What the demo site answers to the same request, from the site that was being served at that crawl."""
    site = crawled.sites[0] if capture_id <= crawled.first_max_capture else crawled.sites[1]
    return site.respond(method, path_qs, {}, body).body


@dataclass(frozen=True)
class ResponseRecord:
    record_id: str
    encoding: str | None
    wire: bytes  # the payload as stored (still content-encoded)
    decoded: bytes  # what warcio's content_stream() gives a reader
    method: str  # of the concurrent request record
    target: str
    request_body: bytes


def _response_records(path: Path) -> list[ResponseRecord]:
    """Each response record with its request, read twice by warcio: once raw, once decoded."""
    requests: dict[str, tuple[str, str, bytes]] = {}  # response record id -> method, target, body
    wire: dict[str, tuple[str | None, bytes]] = {}
    with open(path, "rb") as fp:
        for rec in ArchiveIterator(fp):
            if rec.rec_type == "request":
                target = rec.http_headers.statusline.split(" ")[0]
                requests[rec.rec_headers.get_header("WARC-Concurrent-To")] = (
                    rec.http_headers.protocol,
                    target,
                    rec.content_stream().read(),
                )
            elif rec.rec_type == "response":
                encoding = rec.http_headers.get_header("Content-Encoding")
                wire[rec.rec_headers.get_header("WARC-Record-ID")] = (encoding, rec.raw_stream.read())
    decoded: dict[str, bytes] = {}
    with open(path, "rb") as fp:
        for rec in ArchiveIterator(fp):
            if rec.rec_type == "response":
                decoded[rec.rec_headers.get_header("WARC-Record-ID")] = rec.content_stream().read()
    return [
        ResponseRecord(rid, encoding, raw, decoded[rid], *requests[rid])
        for rid, (encoding, raw) in wire.items()
    ]


def test_response_payloads_are_the_bytes_the_site_served(crawled: Crawled) -> None:
    rows = {r["record_id"]: r for r in ck.captures(crawled.root) if r["record_id"]}
    checked = Counter[str]()
    gbk_only_seen = 0
    for path in ck.warc_paths(crawled.root):
        for rec in _response_records(path):
            row = rows[rec.record_id]
            assert ck.path_of(row["final_url"]) == rec.target
            served = _served(crawled, row["capture_id"], rec.method, rec.target, rec.request_body)
            # the server compressed exactly these, and the WARC keeps the compressed bytes it sent
            should_gzip = row["status"] == 200 and bool(served) and ck.gzipped_path(rec.target)
            assert (rec.encoding == "gzip") == should_gzip, (row["url"], rec.encoding)
            sent = gzip.compress(served, mtime=0) if should_gzip else served
            assert rec.wire == sent, row["url"]
            # and every reader gets the body the page has: warcio's decoding, ours, the catalogue's hash
            assert rec.decoded == served, row["url"]
            assert decode_content(rec.wire, rec.encoding) == served
            assert ck.sha256_hex(served) == row["sha256"], row["url"]
            checked["gzip" if should_gzip else "identity"] += 1
            content_type = (row["content_type"] or "").lower()
            if content_type == "text/html":  # TRS: GBK bytes, charset only in the <meta>
                text = rec.decoded.decode("gbk")
                assert text == served.decode("gbk")
                checked["gbk"] += 1
                gbk_only_seen += any(ch in text for ch in GBK_ONLY)
            elif content_type.startswith("text/html"):
                checked["utf8"] += 1
            else:
                checked["other"] += 1
    assert checked["gbk"] >= N_DOCS // 3 and checked["utf8"] >= N_DOCS // 3 and checked["other"] >= 1, checked
    assert checked["gzip"] >= N_DOCS // 4 and checked["identity"] >= N_DOCS // 4, checked
    print(f"byte fidelity: {dict(checked)} responses; {gbk_only_seen} GBK pages with GBK-only characters")


def test_archive_reads_back_served_bytes_for_every_capture(crawled: Crawled) -> None:
    """Through the archive's own API: responses and revisits (resolved to their original) give the served body."""
    rows = [r for r in ck.captures(crawled.root) if r["warc_file"] is not None]
    kinds: Counter[str] = Counter()
    with Archive.open(DataDir(crawled.root)) as archive:
        for row in rows:
            capture = capture_from_row(row)
            if capture.status == 304 or row["record_type"] == "revisit":
                # a revisit confirms the content of the capture it refers to, served by the site of that crawl
                original = archive.catalogue.get_capture(row["refers_to"])
                payload = archive.read_payload(capture)
                assert ck.sha256_hex(payload) == original.sha256 == row["sha256"]
                kinds["revisit"] += 1
                continue
            payload = archive.read_payload(capture)
            assert ck.sha256_hex(payload) == row["sha256"]
            served = _served(crawled, row["capture_id"], "GET", ck.path_of(row["final_url"]), b"")
            assert payload == served, row["url"]
            kinds[str(row["status"])] += 1
    assert kinds["revisit"] > N_DOCS // 2 and kinds["200"] > N_DOCS and kinds["404"] >= len(REMOVED), kinds
