from __future__ import annotations

import datetime as dt

import html5lib
from flask.testing import FlaskClient
from webcorpus import Corpus

from web import WebSettings


def parse(body: bytes):  # type: ignore[no-untyped-def]
    return html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)


def text_of(el) -> str:  # type: ignore[no-untyped-def]
    return "".join(el.itertext())


def test_document_page_shows_original_labels_text_and_citation(client: FlaskClient, corpus: Corpus) -> None:
    doc_id = corpus.ids["doc3"]
    response = client.get(f"/documents/{doc_id}")
    assert response.status_code == 200
    page = parse(response.data)
    rows = {
        text_of(tr.find("th")): text_of(tr.find("td")) for tr in page.iterfind(".//table[@class='meta']//tr")
    }
    assert rows["发布机构"] == "市财政局"  # AGENCIES[3 % 4]
    assert rows["发文字号"].startswith("绍市政发〔")
    assert rows["索引号"].startswith("11330600002")
    body = text_of(page.find(".//div[@class='body-text']"))
    assert "本文件编号第3号" in body
    record = client.get(f"/api/documents/{doc_id}").get_json()
    citation = page.find(".//textarea[@id='citation']").text
    for part in (
        record["title"],
        record["agency"],
        record["doc_no"],
        record["index_no"],
        record["url"],
    ):
        assert part in citation
    assert "SHA-256" in citation
    # the capture time as the page shows it: Beijing time to the minute, not UTC with seconds
    archived = dt.datetime.fromisoformat(record["captured_at"].replace("Z", "+00:00"))
    shown = archived.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert f"存档于 {shown}（北京时间）" in citation and record["captured_at"] not in citation
    assert shown in text_of(page.find(".//section[@class='timeline']"))
    assert page.find(".//button[@data-copy-target='citation']") is not None
    original = page.find(f".//a[@href='/documents/{doc_id}/original']")
    assert original is not None


def test_api_document_is_the_record_plus_history(client: FlaskClient, corpus: Corpus) -> None:
    data = client.get(f"/api/documents/{corpus.ids['versioned']}").get_json()
    keys = [
        "id",
        "url",
        "title",
        "index_no",
        "agency",
        "topic",
        "doc_no",
        "disclosure",
        "source",
        "written_date",
    ]
    keys += ["publish_date", "body", "attachments", "captured_at", "status", "versions", "history"]
    assert list(data) == keys
    assert data["versions"] == 2 and data["doc_no"] == "绍财〔2022〕2号"
    assert len(data["history"]["versions"]) == 2
    assert {c["capture_id"] for c in data["history"]["captures"]} >= {corpus.captures["versioned"]}


def test_history_and_diff_between_versions(client: FlaskClient, corpus: Corpus) -> None:
    doc_id = corpus.ids["versioned"]
    page = parse(client.get(f"/documents/{doc_id}").data)
    history = text_of(page.find(".//table[@class='history']"))
    assert "首个版本" in history and "文号" in history
    assert page.find(".//form[@class='diff-form']") is not None
    diff = client.get(f"/documents/{doc_id}/diff?a=1&b=2")
    assert diff.status_code == 200
    view = parse(diff.data)
    changes = view.find(".//table[@class='meta changes']")
    assert "绍财〔2022〕1号" in text_of(changes) and "绍财〔2022〕2号" in text_of(changes)
    assert [text_of(p) for p in view.iterfind(".//p[@class='del']//del")] == ["原来的第二段。"]
    assert [text_of(p) for p in view.iterfind(".//p[@class='ins']//ins")] == ["修改后的第二段。"]
    for bad in ("a=0", "a=3", "a=x", "b=-1"):
        assert client.get(f"/documents/{doc_id}/diff?{bad}").status_code == 400
    assert client.get(f"/documents/{corpus.ids['doc1']}/diff").status_code == 400


def test_removed_document_says_so(client: FlaskClient, corpus: Corpus) -> None:
    page = client.get(f"/documents/{corpus.ids['removed']}").get_data(as_text=True)
    assert "原网页已删除" in page
    assert client.get(f"/api/documents/{corpus.ids['removed']}").get_json()["status"] == "removed"


def test_attachments_link_live_and_archived_copies(client: FlaskClient, corpus: Corpus) -> None:
    page = parse(client.get(f"/documents/{corpus.ids['attach']}").data)
    links = {a.text: a.get("href") for a in page.iterfind(".//ul[@class='attachments']//a")}
    assert links["预算表.pdf"].startswith("http://gov.example/module/download/")
    pdf_url = links["预算表.pdf"]
    assert (
        links["存档副本"]
        == f"{WebSettings(raw_origin='http://127.0.0.1:5001').raw_origin}/captures/{corpus.captures[pdf_url]}"
    )


def test_original_page_frames_the_raw_origin_sandboxed(client: FlaskClient, corpus: Corpus) -> None:
    doc_id = corpus.ids["doc2"]
    response = client.get(f"/documents/{doc_id}/original")
    assert response.status_code == 200
    page = parse(response.data)
    frames = page.findall(".//iframe")
    assert len(frames) == 1
    assert frames[0].get("sandbox") == ""
    assert frames[0].get("src") == f"http://127.0.0.1:5001/captures/{corpus.captures['doc2']}"
    banner = text_of(page.find(".//section[@class='original-banner']"))
    assert "抓取于" in banner and "http://gov.example/art/" in banner
    assert "frame-src http://127.0.0.1:5001" in response.headers["Content-Security-Policy"]


def test_original_of_an_earlier_capture_and_foreign_captures(client: FlaskClient, corpus: Corpus) -> None:
    doc_id = corpus.ids["versioned"]
    history = client.get(f"/api/documents/{doc_id}").get_json()["history"]
    first = history["versions"][0]["capture_id"]
    page = parse(client.get(f"/documents/{doc_id}/original?capture={first}").data)
    assert page.find(".//iframe").get("src").endswith(f"/captures/{first}")
    foreign = corpus.captures["doc1"]
    assert client.get(f"/documents/{doc_id}/original?capture={foreign}").status_code == 404
    assert client.get(f"/documents/{doc_id}/original?capture=abc").status_code == 400


def test_unknown_documents_are_404_in_html_and_json(client: FlaskClient) -> None:
    for path in (
        "/documents/nope",
        "/documents/nope/original",
        "/documents/nope/diff",
        "/documents/" + "x" * 5000,
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "未找到" in response.get_data(as_text=True)
    response = client.get("/api/documents/nope")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
