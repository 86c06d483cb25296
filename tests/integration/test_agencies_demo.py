"""The accountability views on the real demo archive (`gongkai demo --no-serve`): they find exactly the habits
demosite/habits.py planted (late, silent, edited, removed: 0 missed, 0 invented), and every number on the pages
equals a SQL count over the catalogue, computed here without the code under test."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import html5lib
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from archive import DataDir
from demosite.habits import EDITING_AGENCY, LATE_AGENCY, SILENT_AGENCY, silent_quarter
from demosite.site import DemoSite
from gongkai.cli import main
from gongkai.demo import DEMO_SEED
from index import IndexSettings
from web import WebSettings, create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("agencies") / "data"
    result = CliRunner().invoke(
        main, ["--data-dir", str(data_dir), "demo", "--no-serve"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    """The generator's own record of what it planted, keyed by URL path."""
    site = DemoSite(seed=DEMO_SEED, habits=True)
    changed, removed = site.habit_switches()
    return {
        "late": {d.path for d in site.documents if d.habit == "late"},
        "changed": {d.path for d in site.documents if d.index in changed},
        "removed": {d.path for d in site.documents if d.index in removed},
        "silent": silent_quarter(site.documents),
        "docs": {d.path: d for d in site.documents},
    }


@pytest.fixture(scope="module")
def db(demo_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{demo_dir / 'catalogue.sqlite'}?mode=ro", uri=True)


@pytest.fixture
def client(demo_dir: Path) -> FlaskClient:
    # one test client is one client address: the request budget is tested on its own (test_web_budget.py)
    app = create_app(
        WebSettings(rate_per_s=1000.0, rate_burst=1000),
        data_dir=DataDir(demo_dir),
        index_settings=IndexSettings(),
    )
    return app.test_client()


def _paths(db: sqlite3.Connection, ids: set[str]) -> set[str]:
    rows = db.execute("SELECT doc_id, url FROM documents").fetchall()
    return {urlsplit(url).path for doc_id, url in rows if doc_id in ids}


def _report(client: FlaskClient, name: str) -> dict[str, Any]:
    response = client.get(f"/api/agencies/{name}")
    assert response.status_code == 200
    data: dict[str, Any] = response.get_json()
    return data


def _agencies(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT json_extract(fields_json, '$.agency') FROM documents")]


def test_the_views_find_exactly_the_planted_habits(
    client: FlaskClient, db: sqlite3.Connection, truth: Any
) -> None:
    late: set[str] = set()
    edited: set[str] = set()
    removed: set[str] = set()
    gaps: list[tuple[str, str, str]] = []
    for name in _agencies(db):
        report = _report(client, name)
        late |= {d["id"] for d in report["late"]}
        edited |= {d["id"] for d in report["edited"]}
        removed |= {d["id"] for d in report["removed"]}
        gaps += [(name, g["first_month"], g["last_month"]) for g in report["gaps"]]
        assert report["lag_flagged"] == []  # every demo page shows both dates, all inside the calendar
    assert truth["late"] and _paths(db, late) == truth["late"]
    assert truth["changed"] and _paths(db, edited) == truth["changed"]
    assert truth["removed"] and _paths(db, removed) == truth["removed"]
    quarter = truth["silent"]
    assert quarter is not None and gaps == [(SILENT_AGENCY, quarter[0], quarter[-1])]
    assert {truth["docs"][p].agency for p in truth["late"]} == {LATE_AGENCY}
    assert {truth["docs"][p].agency for p in truth["changed"] | truth["removed"]} == {EDITING_AGENCY}


def _cells(markup: bytes) -> dict[str, dict[str, str]]:
    """{agency: {figure: text}} from the overview table's data-figure cells."""
    doc = html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)
    out: dict[str, dict[str, str]] = {}
    for row in doc.iter("tr"):
        agency = row.get("data-agency")
        if agency:
            out[agency] = {
                c.get("data-figure"): "".join(c.itertext()).strip() for c in row if c.get("data-figure")
            }
    return out


SQL_LATE = (
    "SELECT COUNT(*) FROM documents WHERE json_extract(fields_json, '$.agency') = ?"
    " AND julianday(json_extract(fields_json, '$.publish_date'))"
    " - julianday(json_extract(fields_json, '$.written_date')) > 30"
)


def test_every_number_on_the_overview_equals_a_sql_count(client: FlaskClient, db: sqlite3.Connection) -> None:
    response = client.get("/agencies")
    assert response.status_code == 200
    cells = _cells(response.data)
    assert set(cells) == set(_agencies(db))
    for name, figures in cells.items():
        where = "json_extract(fields_json, '$.agency') = ?"
        count = db.execute(f"SELECT COUNT(*) FROM documents WHERE {where}", (name,)).fetchone()[0]
        gone = db.execute(f"SELECT COUNT(*) FROM documents WHERE {where} AND status = 'removed'", (name,))
        edits = db.execute(f"SELECT COUNT(*) FROM documents WHERE {where} AND versions > 1", (name,))
        # natural demo lags are at most 12 calendar days, planted ones at least 45: > 30 days is "over 20 working"
        late = db.execute(SQL_LATE, (name,)).fetchone()[0]
        assert figures["documents"] == str(count), name
        assert figures["removed"] == str(gone.fetchone()[0]), name
        assert figures["edited"] == str(edits.fetchone()[0]), name
        assert figures["late"] == str(late), name
        assert figures["late_share"] == f"{late / count * 100:.1f}%", name
        assert figures["gaps"] == ("1" if name == SILENT_AGENCY else "0"), name


def test_monthly_figures_equal_sql_counts_and_link_to_their_documents(
    client: FlaskClient, db: sqlite3.Connection
) -> None:
    for name in (SILENT_AGENCY, EDITING_AGENCY):
        where = "json_extract(d.fields_json, '$.agency') = ?"
        published = dict(
            db.execute(
                f"SELECT substr(json_extract(d.fields_json, '$.publish_date'), 1, 7), COUNT(*) FROM documents d"
                f" WHERE {where} GROUP BY 1",
                (name,),
            ).fetchall()
        )
        events = {
            kind: dict(
                db.execute(
                    "SELECT strftime('%Y-%m', e.at, '+8 hours'), COUNT(*) FROM events e JOIN documents d"
                    f" ON d.doc_id = e.doc_id WHERE e.kind = ? AND {where} GROUP BY 1",
                    (kind, name),
                ).fetchall()
            )
            for kind in ("changed", "removed")
        }
        rows = list(csv.DictReader(io.StringIO(client.get(f"/api/agencies/{name}/months.csv").text)))
        assert rows
        for row in rows:
            assert int(row["documents"]) == published.get(row["month"], 0), (name, row)
            assert int(row["edits"]) == events["changed"].get(row["month"], 0), (name, row)
            assert int(row["removals"]) == events["removed"].get(row["month"], 0), (name, row)
        assert sum(int(r["documents"]) for r in rows) == sum(published.values())
        # the page's own month table says the same: every cell against the SQL counts
        page = html5lib.parse(
            client.get(f"/agencies/{name}").data, treebuilder="etree", namespaceHTMLElements=False
        )
        shown = {
            tr.get("data-month"): ["".join(td.itertext()).strip() for td in tr.findall("td")]
            for tr in page.iter("tr")
            if tr.get("data-month")
        }
        assert set(shown) == {r["month"] for r in rows}
        for month, cells in shown.items():
            expected = [
                published.get(month, 0),
                events["changed"].get(month, 0),
                events["removed"].get(month, 0),
            ]
            assert [int(cells[0]), int(cells[2]), int(cells[3])] == expected, (name, month)
        summary = {
            dd.get("data-figure"): "".join(dd.itertext()).strip()
            for dd in page.iter("dd")
            if dd.get("data-figure")
        }
        total = db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where}", (name,)).fetchone()[0]
        versions = db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where} AND versions > 1", (name,))
        gone = db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where} AND status = 'removed'", (name,))
        assert (summary["documents"], summary["edited"], summary["removed"]) == (
            str(total),
            str(versions.fetchone()[0]),
            str(gone.fetchone()[0]),
        )
        # the link behind each month's count finds exactly that many documents (by 发布日期, through the index)
        doc = html5lib.parse(
            client.get(f"/agencies/{name}").data, treebuilder="etree", namespaceHTMLElements=False
        )
        checked = 0
        for row in doc.iter("tr"):
            month = row.get("data-month")
            cells = row.findall("td")
            link = next((a.get("href") for a in cells[0].iter("a")), None) if cells else None
            if month and link:
                query = urlsplit(link).query
                found = client.get("/api/search?" + query + "&limit=1").get_json()
                assert found["total"] == published[month], (month, link)
                checked += 1
        assert checked == len(published)
    # the rate a gap is judged against links to exactly the documents it counts
    silent = html5lib.parse(
        client.get(f"/agencies/{SILENT_AGENCY}").data, treebuilder="etree", namespaceHTMLElements=False
    )
    item = next(li for li in silent.iter("li") if li.get("data-gap"))
    window = next(a for a in item.iter("a"))
    found = client.get("/api/search?" + urlsplit(window.get("href")).query + "&limit=1").get_json()
    gap = _report(client, SILENT_AGENCY)["gaps"][0]
    assert found["total"] == int(window.text.split()[0]) == gap["window_documents"] >= 12


def test_annual_reports_are_those_the_site_published(
    client: FlaskClient, truth: Any, db: sqlite3.Connection
) -> None:
    for name in _agencies(db):
        report = _report(client, name)
        found = {d["title"] for row in report["annual_reports"] for d in row["documents"]}
        planted = {
            d.title
            for d in truth["docs"].values()
            if d.agency == name and "政府信息公开工作年度报告" in d.title
        }
        assert found == planted, name
        for row in report["annual_reports"]:
            assert row["status"] in ("on_time", "late", "missing")
            assert (row["status"] == "missing") == (not row["documents"])


def test_pages_and_twins_answer_and_unknown_agencies_are_404(client: FlaskClient) -> None:
    page = client.get(f"/agencies/{LATE_AGENCY}")
    assert page.status_code == 200
    text = page.text
    for needed in (
        "第二十六条",
        "第四十九条",
        "档案无法知道",
        "<svg",
        'id="months-table"',
        'id="late-table"',
    ):
        assert needed in text
    assert client.get("/api/agencies.csv").headers["Content-Type"].startswith("text/csv")
    assert client.get(f"/api/agencies/{LATE_AGENCY}/documents.csv").status_code == 200
    assert client.get("/agencies/没有这个机构").status_code == 404
    missing = client.get("/api/agencies/没有这个机构")
    assert missing.status_code == 404 and "error" in missing.get_json()


def test_report_command_prints_the_same_figures(demo_dir: Path, client: FlaskClient) -> None:
    result = CliRunner().invoke(
        main, ["--data-dir", str(demo_dir), "report", "agency", LATE_AGENCY, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["summary"] == _report(client, LATE_AGENCY)["summary"]
    text = CliRunner().invoke(main, ["--data-dir", str(demo_dir), "report", "agency", LATE_AGENCY])
    assert text.exit_code == 0 and "超过 20 个工作日" in text.output
    unknown = CliRunner().invoke(main, ["--data-dir", str(demo_dir), "report", "agency", "无此机构"])
    assert unknown.exit_code == 1 and "no such agency" in unknown.output


def test_topic_views_split_the_agency_and_equal_sql_counts(
    client: FlaskClient, db: sqlite3.Connection
) -> None:
    name = "市人民政府办公室"  # the demo's one agency that files under several topics
    topics = _report(client, name)["topics"]
    assert len(topics) > 1
    for topic in topics:
        view = client.get(f"/api/agencies/{name}", query_string={"topic": topic["name"]}).get_json()
        count = db.execute(
            "SELECT COUNT(*) FROM documents WHERE json_extract(fields_json, '$.agency') = ?"
            " AND json_extract(fields_json, '$.topic') = ?",
            (name, topic["name"]),
        ).fetchone()[0]
        assert view["topic"] == topic["name"] and view["summary"]["documents"] == count == topic["documents"]
        assert sum(m["documents"] for m in view["months"]) == count and view["annual_reports"] == []
        page = client.get(f"/agencies/{name}", query_string={"topic": topic["name"]})
        assert page.status_code == 200 and "主题：" in page.text
    assert sum(t["documents"] for t in topics) == _report(client, name)["summary"]["documents"]
    assert client.get(f"/agencies/{name}", query_string={"topic": "没有这个主题"}).status_code == 404
