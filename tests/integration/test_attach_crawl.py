"""A real crawl of pages whose attachments are 50 hostile files and a few good ones, then `reparse` without the
network, a rebuild of the index, a search that hits inside an attachment, and the document page and API.

Served by a real HTTP server on 127.0.0.1 (port 0). Each hostile file must end as one row with a status and a
reason; the crawl and the reparse finish; no extraction child and not the crawling process itself pass 1 GB;
identical payloads are extracted once; and nothing else is lost (every page is still a document).
"""

from __future__ import annotations

import dataclasses
import os
import random
import resource
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from attachkit import generated, hostile_files

from archive import Archive, Catalogue, DataDir
from crawler import CrawlSettings, crawl
from crawler.attachments import extraction_limits, reextract_all
from demosite import hanweb
from demosite.docs import HANWEB, DemoAttachment
from demosite.site import DemoSite
from index import IndexSettings, Searcher, SearchQuery, rebuild_index
from web import WebSettings, create_app

GB_KB = 1024 * 1024
SETTINGS = CrawlSettings(
    delay_s=0.0,
    connect_timeout_s=2.0,
    read_timeout_s=5.0,
    total_deadline_s=10.0,
    attachment_deadline_s=10.0,
    backoff_base_s=0.01,
    extract_timeout_s=30.0,
    user_agent="gongkai-test/0.1 (+https://example.org/gongkai-contact)",
)


class _Files(BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        found = self.routes.get(self.path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype, body = found
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Files]]]:
    handler = type("Handler", (_Files,), {"routes": {}})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _page(doc: object, files: list[tuple[str, str]]) -> str:
    attachments = tuple(DemoAttachment(path=path, href=path, name=name, kind="pdf") for path, name in files)
    paragraphs = (*doc.paragraphs[:-1], "附件：" + "、".join(n for _, n in files), doc.paragraphs[-1])  # type: ignore[attr-defined]
    return hanweb.article_html(dataclasses.replace(doc, attachments=attachments, paragraphs=paragraphs))  # type: ignore[type-var]


@pytest.mark.slow
def test_hostile_attachments_cost_one_recorded_failure_each(
    server: tuple[str, type[_Files]], tmp_path: Path
) -> None:
    base, handler = server
    seed = int(os.environ.get("GONGKAI_SEED", random.randrange(1 << 30)))
    print(f"GONGKAI_SEED={seed}")
    hostile = hostile_files(seed)
    good = [generated(kind, 1, "crawl")[0] for kind in ("pdf", "docx", "xlsx", "ofd")]
    demo_docs = [d for d in DemoSite(seed=5, n_docs=40).documents if d.layout == HANWEB][:4]
    groups: list[list[tuple[str, str]]] = [[], [], [], []]
    for i, h in enumerate(hostile):
        path = f"/files/h{i:02d}.{h.name.rsplit('.', 1)[-1]}"
        handler.routes[path] = ("application/octet-stream", h.data)
        groups[i % 2].append((path, h.name))
    for i, g in enumerate(good):
        path = f"/files/g{i}.{g.kind}"
        handler.routes[path] = ("application/octet-stream", g.data)
        groups[2].append((path, g.name))
    handler.routes["/files/copy.pdf"] = ("application/pdf", good[0].data)  # same payload, another URL
    groups[2].append(("/files/copy.pdf", "副本.pdf"))
    groups[3] = [("/files/g1.docx", good[1].name)]  # a URL another page links too
    seeds = []
    for doc, files in zip(demo_docs, groups, strict=True):
        handler.routes[doc.path] = ("text/html; charset=utf-8", _page(doc, files).encode("utf-8"))
        seeds.append(base + doc.path)

    data_dir = DataDir(tmp_path / "data")
    data_dir.ensure()
    archive = Archive.open(data_dir)
    try:
        summary = crawl(seeds, archive=archive, state_dir=data_dir.crawl_dir, settings=SETTINGS)
        assert summary.new == 4, summary.format()
        # the HTML page and the empty body served as attachments are refused by the magic-byte check, with reasons
        assert summary.attachments == 53, summary.format()
        assert summary.reasons.get("html_instead_of_file") == 1 and summary.reasons.get("empty") == 1
        report = summary.extraction
        assert report.files + report.reused == 53
        assert report.peak_rss_kb < GB_KB
        catalogue = archive.catalogue
        texts = catalogue.conn.execute("SELECT status, reason, sha256 FROM attachment_texts").fetchall()
        assert len(texts) == report.files
        for status, reason, _sha in texts:
            assert status in ("ok", "needs_ocr", "failed", "not_extracted")
            if status != "ok":
                assert reason
        assert catalogue.attachment_counts().get("needs_ocr", 0) >= 6  # 3 scans + 3 private-use PDFs
        docs = list(catalogue.iter_documents())
        by_url = {d.url: d for d in docs}
        records = {url: catalogue.attachment_records(d) for url, d in by_url.items()}
        hostile_records = records[seeds[0]] + records[seeds[1]]
        assert len(hostile_records) == 50
        for rec in hostile_records:
            if rec["extraction"]["status"] == "not_fetched":
                capture = catalogue.last_capture(rec["url"])
                assert capture is not None and capture.reason in ("html_instead_of_file", "empty"), rec[
                    "name"
                ]
            else:
                assert rec["sha256"] and rec["extraction"]["status"] != "pending", rec["name"]
        assert sum(r["extraction"]["status"] == "not_fetched" for r in hostile_records) == 2
        assert all(r["extraction"]["status"] == "ok" for r in records[seeds[2]])
        assert records[seeds[3]][0]["sha256"] == records[seeds[2]][1]["sha256"]
        assert records[seeds[3]][0]["extraction"]["status"] == "ok"
        before = {row[2]: (row[0], row[1]) for row in texts}

        again = reextract_all(archive, extraction_limits(SETTINGS))
        assert again.files == len(before)
        after = {
            r[2]: (r[0], r[1])
            for r in catalogue.conn.execute("SELECT status, reason, sha256 FROM attachment_texts")
        }
        assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
        assert again.peak_rss_kb < GB_KB
    finally:
        archive.close()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < GB_KB

    catalogue = Catalogue(data_dir.catalogue_path)
    try:
        assert rebuild_index(catalogue, data_dir.index_dir, IndexSettings()) == 4
    finally:
        catalogue.close()
    probe = good[1].content.table[2][0]  # a table cell of the DOCX
    with Searcher(data_dir.index_dir, IndexSettings()) as searcher:
        hits = searcher.search(SearchQuery(q=f"in:attachments {good[1].content.doc_no}")).hits
        assert {h.url for h in hits} >= {seeds[2], seeds[3]}
        assert all(h.attachment and h.attachment["label"].startswith("附件：") for h in hits)
        assert searcher.search(SearchQuery(q=probe)).total >= 2

    app = create_app(
        WebSettings(app_origin="http://127.0.0.1:5000", raw_origin="http://127.0.0.1:5001"),
        data_dir=data_dir,
        index_settings=IndexSettings(),
    )
    client = app.test_client()
    doc_id = by_url[seeds[2]].doc_id
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "SHA-256" in page and good[0].name in page and "已提取" in page and "第1页" in page
    data = client.get(f"/api/documents/{doc_id}").get_json()
    first = data["attachments"][0]
    assert first["type"] == "pdf" and len(first["sha256"]) == 64 and first["extraction"]["status"] == "ok"
    assert good[0].content.doc_no in first["text"]
    hostile_page = client.get(f"/documents/{by_url[seeds[0]].doc_id}").get_data(as_text=True)
    assert "需 OCR" in hostile_page and "encrypted" in hostile_page
    found = client.get("/api/search?q=" + good[1].content.doc_no).get_json()
    assert any(h.get("attachment") for h in found["hits"])
