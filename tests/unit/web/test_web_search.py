from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import html5lib
from flask.testing import FlaskClient
from webcorpus import Corpus

from archive.fields import facetable

HIT_KEYS = [
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
]
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(body: bytes):  # type: ignore[no-untyped-def]
    return html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)


def api(client: FlaskClient, qs: str) -> dict[str, Any]:
    response = client.get("/api/search" + qs)
    assert response.status_code == 200, response.data
    data: dict[str, Any] = response.get_json()
    return data


def test_api_search_has_exactly_the_documented_shape(client: FlaskClient) -> None:
    data = api(client, "?q=法治政府")
    assert list(data) == ["total", "offset", "limit", "hits", "facets"]
    assert data["total"] > 0 and data["offset"] == 0 and data["limit"] == 20
    assert list(data["hits"][0]) == HIT_KEYS
    assert set(data["facets"]) == {*(spec.name for spec in facetable()), "year"}  # archive/fields.py
    assert {"agency", "topic"} <= set(data["facets"])
    assert all(
        "<mark>" in h["snippet"]
        for h in data["hits"]
        if "法治政府" in h["snippet"].replace("<mark>", "").replace("</mark>", "")
    )


def test_facet_counts_cover_all_matches_and_filters_narrow(client: FlaskClient) -> None:
    everything = api(client, "?q=枫桥&limit=1")
    assert len(everything["hits"]) == 1
    assert sum(everything["facets"]["agency"].values()) == everything["total"]
    police = api(client, "?q=枫桥&agency=市公安局")
    assert 0 < police["total"] <= everything["total"]
    assert police["total"] == everything["facets"]["agency"]["市公安局"]
    assert {h["agency"] for h in police["hits"]} == {"市公安局"}
    two = api(client, "?q=枫桥&agency=市公安局&agency=市教育局")
    assert two["total"] == everything["facets"]["agency"]["市公安局"] + everything["facets"]["agency"].get(
        "市教育局", 0
    )


def test_date_filter_and_sorts(client: FlaskClient) -> None:
    ranged = api(client, "?since=2018-01-01&until=2019-12-31&limit=100")
    assert ranged["total"] > 0
    assert all("2018-01-01" <= h["publish_date"] <= "2019-12-31" for h in ranged["hits"])
    newest = [h["publish_date"] for h in api(client, "?sort=newest&limit=100")["hits"] if h["publish_date"]]
    assert newest == sorted(newest, reverse=True)
    oldest = [h["publish_date"] for h in api(client, "?sort=oldest&limit=100")["hits"] if h["publish_date"]]
    assert oldest == sorted(oldest)
    written = api(client, "?date_field=written&since=2026-01-01&limit=100")
    assert all(h["written_date"] >= "2026-01-01" for h in written["hits"])


def test_api_paging_by_offset_and_page(client: FlaskClient) -> None:
    first = api(client, "?limit=5")
    second = api(client, "?limit=5&offset=5")
    by_page = api(client, "?limit=5&page=2")
    assert second["offset"] == 5 and by_page["hits"] == second["hits"]
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_search_page_shows_hits_with_metadata_and_keeps_the_query(
    client: FlaskClient, corpus: Corpus
) -> None:
    response = client.get("/search?q=法治政府&agency=市公安局")
    assert response.status_code == 200
    doc = parse(response.data)
    assert doc.get("lang") == "zh-CN"
    box = doc.find(".//input[@id='q']")
    assert box is not None and box.get("value") == "法治政府"
    checked = [
        i.get("value") for i in doc.iterfind(".//input[@name='agency']") if i.get("checked") is not None
    ]
    assert checked == ["市公安局"]
    hits = doc.findall(".//li[@class='hit']")
    assert hits
    assert all(h.find(".//mark") is not None for h in hits)
    text = "".join(hits[0].itertext())
    assert "发布机构" in text and "市公安局" in text and "文号" in text and "索引号" in text
    assert doc.find(".//h1[@id='results-heading']") is not None
    assert doc.find(".//figure[@class='chart']//{http://www.w3.org/2000/svg}rect") is not None
    labels = {lab.get("for") for lab in doc.iterfind(".//label")}
    for control in doc.iterfind(".//input"):
        assert control.get("id") in labels, control.attrib


def test_search_page_pager_links_are_stable(client: FlaskClient) -> None:
    doc = parse(client.get("/search?sort=newest").data)
    nxt = doc.find(".//a[@rel='next']")
    assert nxt is not None and nxt.get("href") == "/search?sort=newest&page=2"
    second = client.get(nxt.get("href"))
    assert second.status_code == 200
    assert parse(second.data).find(".//a[@aria-current='page']").text == "2"


def test_month_chart_for_a_short_range(client: FlaskClient) -> None:
    doc = parse(client.get("/search?since=2020-01-01&until=2020-12-31").data)
    caption = doc.find(".//figure[@class='chart']/figcaption")
    assert caption is not None and "月" in caption.text
    doc = parse(client.get("/search").data)
    assert "年" in doc.find(".//figure[@class='chart']/figcaption").text


def test_recent_preset_finds_the_recent_document(client: FlaskClient, corpus: Corpus) -> None:
    doc = parse(client.get("/search").data)
    preset = next(a for a in doc.iterfind(".//ul[@class='presets']//a") if a.text == "近一月")
    data = api(client, preset.get("href").replace("/search", "", 1))
    assert corpus.ids["recent"] in {h["id"] for h in data["hits"]}
    assert all(h["publish_date"] >= "2020" for h in data["hits"])


def test_unparseable_query_is_a_friendly_400_page(client: FlaskClient) -> None:
    response = client.get("/search?q=" + "(" * 2000)
    assert response.status_code == 400
    doc = parse(response.data)
    alert = doc.find(".//div[@role='alert']")
    assert alert is not None and "查询" in "".join(alert.itertext())
    assert doc.find(".//input[@id='q']") is not None


def test_api_errors_are_json(client: FlaskClient) -> None:
    for qs in (
        "?q=" + "x" * 10_000,
        "?q=" + "(" * 2000,
        "?sort=x",
        "?page=-1",
        "?limit=1000",
        "?since=2021-02-30",
    ):
        response = client.get("/api/search" + qs)
        assert response.status_code == 400, qs
        assert response.is_json and response.get_json()["error"]["message"]


def test_feed_lists_newest_matching_documents(client: FlaskClient, corpus: Corpus) -> None:
    response = client.get("/feed.atom?q=枫桥&agency=市公安局")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    entries = root.findall(f"{ATOM}entry")
    assert entries
    published = [e.findtext(f"{ATOM}published") or "" for e in entries]
    assert published == sorted(published, reverse=True)

    def href(el: Any, path: str) -> str:
        link = el.find(path)
        assert link is not None
        return str(link.get("href"))

    assert href(entries[0], f"{ATOM}link[@rel='alternate']").endswith("/documents/" + corpus.ids["recent"])
    assert href(root, f"{ATOM}link[@rel='self']").endswith(
        "/feed.atom?q=%E6%9E%AB%E6%A1%A5&agency=%E5%B8%82%E5%85%AC%E5%AE%89%E5%B1%80"
    )
    assert all(e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}updated") for e in entries)


def test_exports_hold_every_match_as_document_records(client: FlaskClient) -> None:
    total = api(client, "?q=公安")["total"]
    response = client.get("/export.csv?q=公安&headers=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == total and len({r["id"] for r in rows}) == total
    assert rows[0]["body"] and rows[0]["captured_at"]
    lines = client.get("/export.jsonl?q=公安").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert {"id", "url", "title", "body", "attachments", "captured_at", "status", "versions"} <= set(
        records[0]
    )


def test_export_in_batches_up_to_the_cap(make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import web.exports

    monkeypatch.setattr(web.exports, "_BATCH", 7)
    client = make_app(export_max_docs=50).test_client()
    total = api(client, "")["total"]
    assert total > 50
    lines = client.get("/export.jsonl?sort=oldest").get_data(as_text=True).splitlines()
    assert len(lines) == 50
    data = client.get("/export.csv?sort=oldest").get_data()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1  # one BOM, at the start
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "网址", "标题"] and len(rows) == 51
    assert sum(1 for r in rows if r and r[0] == "编号") == 1
    assert [r[0] for r in rows[1:]] == [json.loads(line)["id"] for line in lines]
    uncapped = make_app().test_client().get("/export.jsonl").get_data(as_text=True).splitlines()
    assert len(uncapped) == total


def test_csv_export_has_chinese_headers_unless_english_asked(client: FlaskClient) -> None:
    """Excel and WPS open a UTF-8 CSV right only with a byte order mark; the header row a person reads is Chinese."""
    zh = client.get("/export.csv?q=公安").get_data()
    en = client.get("/export.csv?q=公安&headers=en").get_data()
    assert zh.startswith(b"\xef\xbb\xbf") and en.startswith(b"\xef\xbb\xbf")
    zh_rows = list(csv.reader(io.StringIO(zh.decode("utf-8-sig"))))
    en_rows = list(csv.reader(io.StringIO(en.decode("utf-8-sig"))))
    assert zh_rows[0][:5] == ["编号", "网址", "标题", "索引号", "发布机构"] and en_rows[0][:3] == [
        "id",
        "url",
        "title",
    ]
    assert zh_rows[1:] == en_rows[1:] and len(zh_rows) > 1
    assert client.get("/export.csv?headers=fr").status_code == 400


def test_bad_export_and_feed_params_are_400(client: FlaskClient) -> None:
    for path in ("/export.csv", "/export.jsonl", "/feed.atom", "/search", "/"):
        for qs in ("?since=2021-99-01", "?q=" + "(" * 2000, "?sort=nope", "?page=-1", "?q=" + "x" * 10_000):
            assert client.get(path + qs).status_code == 400, path + qs


def test_openapi_describes_the_api(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/documents/{id}"} <= set(spec["paths"])
    schema = spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["total", "offset", "limit", "hits", "facets"]
    assert list(schema["properties"]["hits"]["items"]["properties"]) == [*HIT_KEYS, "attachment"]
