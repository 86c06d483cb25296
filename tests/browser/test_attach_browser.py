"""Attachments in headless Chromium: the document page's attachment list and text, the hit's location line,
phone width without horizontal scrolling, hostile attachment text inert, no CSP violation.

Its own small archive (webcorpus.build_corpus; attachments extracted by the real runner as `gongkai index
--reparse` does) served by waitress on 127.0.0.1 (port 0) for this module only.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from attachkit import generated

from archive import Attachment
from crawler.attachments import Limits, reextract_all
from demosite.attachfiles import docx_bytes
from demosite.attachtext import Content, make_content

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="alert(\'gk-att\')"><script>alert("gk-att2")</script>'


def _webcorpus() -> Any:
    """The web unit tests' corpus builder, loaded by path as the browser conftest does (folders are no packages)."""
    if "webcorpus" in sys.modules:
        return sys.modules["webcorpus"]
    path = Path(__file__).resolve().parents[1] / "unit" / "web" / "webcorpus.py"
    spec = importlib.util.spec_from_file_location("webcorpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["webcorpus"] = module
    spec.loader.exec_module(module)
    return module


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


@pytest.fixture(scope="module")
def att_site(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[dict[str, Any]]:
    from waitress.server import create_server

    from web import WebSettings, create_app

    corpus_mod = _webcorpus()
    pdf = generated("pdf", 1, "chromium")[0]
    base = make_content("chromium-xss")
    hostile = docx_bytes(
        Content(base.title, base.doc_no, (XSS, *base.paragraphs), base.table, base.pages, base.sheets)
    )
    files = "http://gov.example/files/"
    page = corpus_mod.Page(
        "att",
        "http://gov.example/art/att.html",
        corpus_mod.make_parsed(
            "附件浏览测试",
            "市财政局",
            "财政",
            "2025-04-04",
            "本页正文见附件。",
            attachments=[Attachment(files + "a.pdf", pdf.name), Attachment(files + "b.docx", "说明.docx")],
        ),
        attachments=[
            (files + "a.pdf", "application/pdf", pdf.data),
            (files + "b.docx", "application/octet-stream", hostile),
        ],
    )
    corpus = corpus_mod.build_corpus(
        tmp_path_factory.mktemp("attbrowser") / "data",
        [page],
        on_archive=lambda archive: reextract_all(archive, Limits(timeout_s=30)) and None,
    )
    app_sock, raw_sock = _bind(), _bind()
    app_url = f"http://127.0.0.1:{app_sock.getsockname()[1]}"
    settings = WebSettings(app_origin=app_url, raw_origin=f"http://127.0.0.1:{raw_sock.getsockname()[1]}")
    raw_sock.close()
    app = create_app(settings, data_dir=corpus.data_dir, index_settings=corpus.index_settings)
    server = create_server(app, sockets=[app_sock], threads=2, ident="gongkai")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield {"url": app_url, "doc_id": corpus.ids["att"], "pdf": pdf}
    server.close()
    thread.join(5)


def test_attachment_list_text_and_hit_location_in_chromium(browser: Any, att_site: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text))
    pdf = att_site["pdf"]
    page.goto(f"{att_site['url']}/documents/{att_site['doc_id']}")
    items = page.locator("li.attachment")
    assert items.count() == 2
    assert pdf.name in items.nth(0).inner_text() and "SHA-256" in items.nth(0).inner_text()
    text = items.nth(0).locator("details.att-text")
    assert not text.locator("pre").first.is_visible()
    text.locator("summary").click()
    assert text.locator("pre").first.is_visible()
    assert pdf.content.doc_no in text.inner_text()
    assert "第2页" in text.inner_text()
    items.nth(1).locator("details.att-text summary").click()
    assert "onerror" in items.nth(1).inner_text()  # shown as text
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    probe = pdf.content.pages[1][0][:6]
    page.goto(f"{att_site['url']}/search?q={quote(probe)}")
    where = page.locator("li.hit .hit-where")
    assert where.count() == 1 and where.inner_text() == f"附件：{pdf.name} 第2页"
    assert page.locator("li.hit .snippet mark").count() >= 1
    page.wait_for_timeout(500)
    assert dialogs == []
    assert [line for line in console if "Content Security Policy" in line or "Refused to" in line] == []
    context.close()
