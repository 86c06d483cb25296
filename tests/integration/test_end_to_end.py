"""crawl -> archive -> index -> search -> web, end to end, through the `gongkai` command and a real server.

The demo site runs on a loopback port chosen by the OS; the data directory is a fresh tmp_path.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from demosite.site import DemoSite
from gongkai.cli import main
from gongkai.config import environ, load_config
from gongkai.demo import DEMO_SEED
from gongkai.serve import build_server

N_DOCS = 60
HIT_KEYS = {
    "id",
    "url",
    "title",
    "index_no",
    "agency",
    "topic",
    "doc_no",
    "written_date",
    "publish_date",
    "status",
    "snippet",
}


def run(data_dir: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    result = run(data_dir, "demo", "--no-serve", "--docs", str(N_DOCS))
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.mark.slow
def test_demo_then_search_json_prints_hits_in_the_documented_shape(demo_dir: Path) -> None:
    result = run(demo_dir, "search", "公安", "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert set(page) >= {"total", "offset", "limit", "hits", "facets"}
    assert page["total"] >= 1 and page["hits"]
    assert set(page["facets"]) >= {"agency", "topic", "year"}
    for hit in page["hits"]:
        assert set(hit) >= HIT_KEYS
        assert "<mark>" in hit["snippet"]
        assert hit["status"] in ("live", "removed")  # the editing agency's habit takes some documents down
    # facet counts are over all matches, not just the page shown
    assert sum(page["facets"]["agency"].values()) == page["total"]


@pytest.mark.slow
def test_every_demo_document_is_archived_and_searchable_by_its_index_no(demo_dir: Path) -> None:
    result = run(demo_dir, "export", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    # the demo site's agency habits (demosite/habits.py) add the silent agency's monthly series
    expected = len(DemoSite(seed=DEMO_SEED, n_docs=N_DOCS, habits=True).documents)
    assert len(records) == expected > N_DOCS
    assert len({r["id"] for r in records}) == expected
    for record in records[:10]:
        assert record["index_no"] and record["title"] and record["body"]
        found = json.loads(run(demo_dir, "search", f'index_no:"{record["index_no"]}"', "--json").output)
        assert [h["id"] for h in found["hits"]] == [record["id"]]


@pytest.mark.slow
def test_filters_narrow_results_and_export_csv_matches_search(demo_dir: Path) -> None:
    everything = json.loads(run(demo_dir, "search", "", "--json", "--limit", "1").output)
    agency, count = next(iter(everything["facets"]["agency"].items()))
    narrowed = json.loads(run(demo_dir, "search", "", "--agency", agency, "--json", "--limit", "100").output)
    assert narrowed["total"] == count
    assert {h["agency"] for h in narrowed["hits"]} == {agency}
    exported = run(demo_dir, "export", "--agency", agency, "--format", "csv")
    assert exported.output.startswith("\ufeff")  # Excel and WPS need the byte order mark
    rows = list(csv.DictReader(io.StringIO(exported.output.removeprefix("\ufeff"))))
    assert len(rows) == count
    assert {r["发布机构"] for r in rows} == {agency}
    english = run(demo_dir, "export", "--agency", agency, "--format", "csv", "--english-headers")
    assert [r["agency"] for r in csv.DictReader(io.StringIO(english.output.removeprefix("\ufeff")))] == [
        r["发布机构"] for r in rows
    ]


@pytest.mark.slow
def test_verify_passes_and_rebuild_keeps_the_same_results(demo_dir: Path) -> None:
    verified = run(demo_dir, "verify")
    assert verified.exit_code == 0, verified.output
    queries = ["公安", "法治政府", "通知", "2021", "教育"]
    before = [json.loads(run(demo_dir, "search", q, "--json").output)["hits"] for q in queries]
    rebuilt = run(demo_dir, "index", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    after = [json.loads(run(demo_dir, "search", q, "--json").output)["hits"] for q in queries]
    assert [[h["id"] for h in hits] for hits in after] == [[h["id"] for h in hits] for hits in before]
    # re-extraction from the archived originals with the same parser changes nothing
    reparsed = run(demo_dir, "index", "--reparse")
    assert reparsed.exit_code == 0, reparsed.output
    assert "re-extracted: 0 document(s) changed" in reparsed.output
    again = [json.loads(run(demo_dir, "search", q, "--json").output)["hits"] for q in queries]
    assert [[h["id"] for h in hits] for hits in again] == [[h["id"] for h in hits] for hits in before]


@pytest.mark.slow
def test_evidence_bundle_of_a_demo_document_stands_on_its_own(demo_dir: Path, tmp_path: Path) -> None:
    import hashlib

    from warcio.archiveiterator import ArchiveIterator

    record = json.loads(run(demo_dir, "export").output.splitlines()[0])
    result = run(demo_dir, "evidence", record["id"], "--out", str(tmp_path / "bundle"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    # the demo re-crawls for the editing agency's habit, so each page has its first capture and two re-checks
    assert {c["index_no"] for c in manifest["captures"]} == {record["index_no"]}
    assert len(manifest["captures"]) >= 1
    with open(tmp_path / "bundle" / "evidence.warc.gz", "rb") as fp:
        payloads = [r.content_stream().read() for r in ArchiveIterator(fp) if r.rec_type == "response"]
    assert payloads
    assert {hashlib.sha256(p).hexdigest() for p in payloads} == {
        c["payload_sha256"] for c in manifest["captures"]
    }
    missing = run(demo_dir, "evidence", "no-such-document", "--out", str(tmp_path / "x"))
    assert missing.exit_code == 1 and "Traceback" not in missing.output


@pytest.fixture(scope="module")
def served(demo_dir: Path) -> Iterator[str]:
    cfg = load_config(demo_dir, environ())
    server, url = build_server(cfg, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield url.rstrip("/")
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.mark.slow
def test_the_served_ui_finds_highlighted_hits_and_serves_the_original_sandboxed(served: str) -> None:
    page = requests.get(f"{served}/search", params={"q": "公安"}, timeout=10)
    assert page.status_code == 200
    assert "<mark>" in page.content.decode("utf-8")
    api = requests.get(f"{served}/api/search", params={"q": "公安"}, timeout=10).json()
    doc_id = api["hits"][0]["id"]
    doc = requests.get(f"{served}/api/documents/{doc_id}", timeout=10).json()
    assert doc["id"] == doc_id and "history" in doc
    viewer = requests.get(f"{served}/documents/{doc_id}/original", timeout=10)
    assert viewer.status_code == 200
    html = viewer.content.decode("utf-8")
    assert "<iframe" in html and "sandbox" in html
    frame = re.search(r"<iframe[^>]*>", html)
    assert frame is not None and 'sandbox=""' in frame.group(0)
    raw_src = re.search(r'src="([^"]+)"', frame.group(0)).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    raw = requests.get(raw_src if raw_src.startswith("http") else served + raw_src, timeout=10)
    assert raw.status_code == 200
    csp = raw.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "allow-scripts" not in csp
    assert raw.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.slow
def test_crawl_of_an_unreachable_site_fails_fast_with_one_line(tmp_path: Path) -> None:
    # A port nothing listens on: bind, note the port, close.
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    result = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(tmp_path / "d"),
            "crawl",
            f"http://127.0.0.1:{port}/col/col1/index.html",
            "--delay",
            "0",
        ],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("gongkai: 错误 error:")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "empty"), (bytes(range(256)) * 8, "binary")],
)
def test_extract_rejects_unusable_files_with_one_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    target = tmp_path / "page.html"
    if content is not None:
        target.write_bytes(content)
    result = CliRunner().invoke(main, ["extract", str(target), "--json"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


@pytest.mark.slow
def test_demo_attachments_are_searchable_exported_and_reparsed(demo_dir: Path) -> None:
    from demosite.attachments import attachment_content
    from demosite.site import DemoSite
    from gongkai.demo import DEMO_SEED

    site = DemoSite(seed=DEMO_SEED, n_docs=N_DOCS)
    with_text = [(d, a) for d in site.live_documents for a in d.attachments if attachment_content(d, a)]
    assert with_text, "the demo site links no attachment with text"
    doc, att = with_text[0]
    content = attachment_content(doc, att)
    assert content is not None
    page = json.loads(run(demo_dir, "search", f"in:attachments {content.title}", "--json").output)
    hit = next(h for h in page["hits"] if h["title"] == doc.title)
    assert hit["attachment"]["name"] == att.name
    assert hit["attachment"]["label"].startswith(f"附件：{att.name}")
    exported = [
        json.loads(line)
        for line in run(demo_dir, "export", content.title, "--format", "jsonl").output.splitlines()
    ]
    record = next(r for r in exported if r["title"] == doc.title)
    first = record["attachments"][0]
    assert first["extraction"]["status"] == "ok" and len(first["sha256"]) == 64
    assert content.doc_no in first["text"]
    reparsed = run(demo_dir, "index", "--reparse")
    assert reparsed.exit_code == 0, reparsed.output
    assert "附件文字 attachment text" in reparsed.output
    again = json.loads(run(demo_dir, "search", f"in:attachments {content.title}", "--json").output)
    assert [h["id"] for h in again["hits"]] == [h["id"] for h in page["hits"]]
