"""Attachments in the web app: the document page lists type, size, SHA-256, status and text; the API and the
exports carry the same; a search hit says where in which attachment it matched; hostile text stays text.

A real archive (webcorpus.build_corpus) whose pages link generated attachments (tests/attachkit.py), extracted
by the real runner (`reextract_all`, as `gongkai index --reparse` does) before the index is built.
"""

from __future__ import annotations

import csv
import io
import json

import html5lib
import pytest
from attachkit import encrypted_pdf, generated, scan_pdf
from flask.testing import FlaskClient
from webcorpus import Corpus, Page, build_corpus, make_parsed

from archive import Attachment
from archive.attachtexts import STATUS_LABELS
from crawler.attachments import Limits, reextract_all
from demosite.attachfiles import docx_bytes
from demosite.attachtext import make_content
from web import WebSettings, create_app

XSS = '<script>alert("gk-att")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def att_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, dict[str, object]]:
    pdf = generated("pdf", 1, "web")[0]
    content = make_content("web-xss")
    hostile = docx_bytes(
        type(content)(
            content.title,
            content.doc_no,
            (XSS, *content.paragraphs),
            content.table,
            content.pages,
            content.sheets,
        )
    )
    base = "http://gov.example/files/"
    good = Page(
        "good",
        "http://gov.example/art/good.html",
        make_parsed(
            "部门预算公开",
            "市财政局",
            "财政",
            "2024-03-01",
            "现将部门预算公开如下。",
            attachments=[
                Attachment(base + "budget.pdf", pdf.name),
                Attachment(base + "notes.docx", "说明.docx"),
            ],
        ),
        attachments=[
            (base + "budget.pdf", "application/pdf", pdf.data),
            (base + "notes.docx", "application/octet-stream", hostile),
        ],
    )
    bad = Page(
        "bad",
        "http://gov.example/art/bad.html",
        make_parsed(
            "扫描件公开",
            "市财政局",
            "财政",
            "2024-03-02",
            "附件为扫描件。",
            attachments=[
                Attachment(base + "locked.pdf", "加密.pdf"),
                Attachment(base + "scan.pdf", "扫描.pdf"),
                Attachment(base + "missing.pdf", "未抓取.pdf"),
            ],
        ),
        attachments=[
            (base + "locked.pdf", "application/pdf", encrypted_pdf("w")),
            (base + "scan.pdf", "application/pdf", scan_pdf()),
        ],
    )
    corpus = build_corpus(
        tmp_path_factory.mktemp("attweb") / "data",
        [good, bad],
        on_archive=lambda archive: reextract_all(archive, Limits(timeout_s=30)) and None,
    )
    return corpus, {"pdf": pdf, "docx": content}


@pytest.fixture
def att_client(att_corpus: tuple[Corpus, dict[str, object]]) -> FlaskClient:
    corpus, _ = att_corpus
    settings = WebSettings(app_origin="http://127.0.0.1:5000", raw_origin="http://127.0.0.1:5001")
    return create_app(settings, data_dir=corpus.data_dir, index_settings=corpus.index_settings).test_client()


def test_document_page_lists_each_attachment(
    att_client: FlaskClient, att_corpus: tuple[Corpus, dict[str, object]]
) -> None:
    corpus, known = att_corpus
    body = att_client.get(f"/documents/{corpus.ids['good']}").get_data(as_text=True)
    pdf = known["pdf"]
    assert pdf.name in body and "类型" in body and "SHA-256" in body  # type: ignore[attr-defined]
    assert "第1页" in body and "第2页" in body and STATUS_LABELS["ok"] in body
    assert pdf.content.doc_no in body  # type: ignore[attr-defined]
    tree = html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)
    scripts = [el for el in tree.iter("script") if "gk-att" in (el.text or "")]
    imgs = [el for el in tree.iter("img") if el.get("onerror")]
    assert scripts == [] and imgs == []
    assert "&lt;script&gt;alert" in body
    bad = att_client.get(f"/documents/{corpus.ids['bad']}").get_data(as_text=True)
    assert STATUS_LABELS["failed"] in bad and "encrypted" in bad
    assert STATUS_LABELS["needs_ocr"] in bad and STATUS_LABELS["not_fetched"] in bad


def test_api_record_carries_sha256_type_extraction_and_text(
    att_client: FlaskClient, att_corpus: tuple[Corpus, dict[str, object]]
) -> None:
    corpus, known = att_corpus
    data = att_client.get(f"/api/documents/{corpus.ids['good']}").get_json()
    pdf, docx = data["attachments"]
    assert pdf["type"] == "pdf" and len(pdf["sha256"]) == 64 and pdf["size"] > 0
    assert pdf["extraction"] == {"status": "ok", "reason": None, "pages": 2}
    assert [u["page"] for u in pdf["units"]] == [1, 2]
    assert known["pdf"].content.doc_no in pdf["text"]  # type: ignore[attr-defined]
    assert docx["type"] == "docx" and XSS in docx["text"]
    bad = att_client.get(f"/api/documents/{corpus.ids['bad']}").get_json()["attachments"]
    assert [a["extraction"]["status"] for a in bad] == ["failed", "needs_ocr", "not_fetched"]
    assert bad[0]["extraction"]["reason"].startswith("encrypted")


def test_search_hit_says_where_it_matched(
    att_client: FlaskClient, att_corpus: tuple[Corpus, dict[str, object]]
) -> None:
    corpus, known = att_corpus
    pdf = known["pdf"]
    last_row = pdf.content.pages[1][-1]  # type: ignore[attr-defined]
    probe = last_row[:6]
    found = att_client.get(f"/api/search?q={probe}").get_json()
    hit = next(h for h in found["hits"] if h["id"] == corpus.ids["good"])
    assert hit["attachment"]["label"] == f"附件：{pdf.name} 第2页"  # type: ignore[attr-defined]
    assert "<mark>" in hit["snippet"]
    assert att_client.get(f"/api/search?q=in:page {probe}").get_json()["total"] == 0
    page = att_client.get(f"/search?q={probe}").get_data(as_text=True)
    assert f"附件：{pdf.name} 第2页" in page  # type: ignore[attr-defined]
    assert att_client.get("/api/search?q=in:attachments 部门预算公开").get_json()["total"] == 0


def test_exports_carry_attachments(
    att_client: FlaskClient, att_corpus: tuple[Corpus, dict[str, object]]
) -> None:
    corpus, known = att_corpus
    doc_no = known["pdf"].content.doc_no  # type: ignore[attr-defined]
    lines = att_client.get(f"/export.jsonl?q={doc_no}").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    record = next(r for r in records if r["id"] == corpus.ids["good"])
    assert record["attachments"][0]["sha256"] and doc_no in record["attachments"][0]["text"]
    text = att_client.get(f"/export.csv?q={doc_no}").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    listed = json.loads(next(r for r in rows if r["编号"] == corpus.ids["good"])["附件"])
    assert listed[0]["extraction"]["status"] == "ok" and "text" not in listed[0]


def test_an_attachment_archived_before_extraction_is_pending(client: FlaskClient, corpus: Corpus) -> None:
    data = client.get(f"/api/documents/{corpus.ids['attach']}").get_json()
    (attachment,) = data["attachments"]
    assert attachment["extraction"]["status"] == "pending"
    assert attachment["capture_id"] == corpus.captures[attachment["url"]]
    page = client.get(f"/documents/{corpus.ids['attach']}").get_data(as_text=True)
    assert STATUS_LABELS["pending"] in page
