"""The agencies blueprint on the web test corpus: pages and twins agree with the catalogue, agency names carrying
XSS payloads stay text, unknown or odd names are 404 (never 500), and the cached figures follow the catalogue."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from urllib.parse import quote

from flask.testing import FlaskClient
from htmlcheck import injected
from webcorpus import Corpus, Page, build_corpus, make_parsed

from archive import Catalogue
from archive.accountability import load, overview
from index import IndexSettings
from web import WebSettings, create_app


def _sql_counts(corpus: Corpus) -> dict[str, tuple[int, int, int]]:
    db = sqlite3.connect(f"file:{corpus.data_dir.catalogue_path}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT json_extract(fields_json, '$.agency'), COUNT(*), SUM(status = 'removed'), SUM(versions > 1)"
        " FROM documents GROUP BY 1"
    ).fetchall()
    db.close()
    return {r[0] or "（未标注发布机构）": (r[1], r[2], r[3]) for r in rows}


def test_overview_json_and_csv_equal_sql_counts(client: FlaskClient, corpus: Corpus) -> None:
    expected = _sql_counts(corpus)
    data = client.get("/api/agencies").get_json()
    assert {a["name"]: (a["documents"], a["removed"], a["edited"]) for a in data["agencies"]} == expected
    assert data["documents"] == sum(v[0] for v in expected.values())
    assert data["method"]["late_days"] == 20 and "第二十六条" in data["method"]["article_26"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/agencies.csv").text)))
    assert {r["name"]: int(r["documents"]) for r in rows} == {k: v[0] for k, v in expected.items()}


def test_pages_with_payload_names_are_inert(client: FlaskClient, corpus: Corpus) -> None:
    overview = client.get("/agencies")
    assert overview.status_code == 200
    assert injected(overview.data) == []
    for name in _sql_counts(corpus):
        page = client.get("/agencies/" + quote(name, safe=""))
        assert page.status_code == 200, name
        assert injected(page.data) == [], name
        report = client.get("/api/agencies/" + quote(name, safe="")).get_json()
        assert report["agency"] == name
        for topic in report["topics"]:
            view = client.get("/agencies/" + quote(name, safe=""), query_string={"topic": topic["name"]})
            assert view.status_code == 200, (name, topic["name"])
            assert injected(view.data) == [], (name, topic["name"])


def test_unknown_and_odd_names_are_404_never_500(client: FlaskClient) -> None:
    for name in ("没有这个机构", "..", "%00", "a" * 3000, "市公安局/其他", "<script>"):
        for prefix in ("/agencies/", "/api/agencies/"):
            response = client.get(prefix + quote(name, safe="/"))
            assert response.status_code == 404, (prefix, name)
    assert client.get("/api/agencies/nope/months.csv").status_code == 404
    police = "/agencies/" + quote("市公安局")
    for topic in ("没有这个主题", "", "x" * 5000):
        assert client.get(police, query_string={"topic": topic}).status_code == 404
        assert client.get("/api" + police + "/months.csv", query_string={"topic": topic}).status_code == 404


def test_the_removed_and_versioned_documents_are_listed_and_linked(
    client: FlaskClient, corpus: Corpus
) -> None:
    report = client.get("/api/agencies/" + quote("市财政局")).get_json()
    assert corpus.ids["versioned"] in {d["id"] for d in report["edited"]}
    removed_agency = next(
        a["name"] for a in client.get("/api/agencies").get_json()["agencies"] if a["removed"]
    )
    page = client.get("/agencies/" + quote(removed_agency, safe="")).text
    assert f'href="/documents/{corpus.ids["removed"]}"' in page
    assert "openapi" in client.get("/api/openapi.json").get_json()
    assert "/api/agencies/{name}" in client.get("/api/openapi.json").get_json()["paths"]


def test_cached_figures_follow_the_catalogue(tmp_path: Path) -> None:
    first = [
        Page(
            "a",
            "http://gov.example/a.html",
            make_parsed("甲", "市教育局", "教育", "2024-02-19", "正文一", written_date="2024-02-08"),
        )
    ]
    corpus = build_corpus(tmp_path / "data", first)
    with Catalogue(corpus.data_dir.catalogue_path, readonly=True) as catalogue:
        load_first = load(catalogue)
    assert len(load_first.docs) == 1
    app = create_app(WebSettings(), data_dir=corpus.data_dir, index_settings=IndexSettings())
    client = app.test_client()
    before = client.get("/api/agencies/" + quote("市教育局")).get_json()
    assert before["summary"]["documents"] == 1 and before["late"] == []
    assert before["summary"]["median_lag_working_days"] == 3  # Feb 9, 18, 19 (2024 春节)
    late = make_parsed("乙", "市教育局", "教育", "2024-03-05", "正文二", written_date="2024-01-31")
    revised = make_parsed("甲", "市教育局", "教育", "2024-02-19", "正文一（修订）", written_date="2024-02-08")
    second = [
        Page("b", "http://gov.example/b.html", late),
        Page("a", "http://gov.example/a.html", revised, removed=True),  # revised, then gone twice
    ]
    build_corpus(tmp_path / "data", second)
    after = client.get("/api/agencies/" + quote("市教育局")).get_json()
    assert after["summary"]["documents"] == 2
    assert (after["summary"]["edited"], after["summary"]["removed"]) == (1, 1)
    assert sum(m["edits"] for m in after["months"]) == 1 and sum(m["removals"] for m in after["months"]) == 1
    assert [d["lag_working_days"] for d in after["late"]] == [21]
    # an incremental load (only rows with a newer seq) gives exactly what a full load gives
    catalogue = Catalogue(corpus.data_dir.catalogue_path, readonly=True)
    try:
        incremental, full = load(catalogue, load_first), load(catalogue)
        assert sorted(incremental.docs, key=lambda d: d.doc_id) == sorted(full.docs, key=lambda d: d.doc_id)
        assert incremental.events == full.events and incremental.max_seq == full.max_seq
        assert [s.to_json() for s in overview(incremental)] == [s.to_json() for s in overview(full)]
    finally:
        catalogue.close()
