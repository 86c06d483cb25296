"""`gongkai report agency`: one-line failures with the documented exit statuses, and text that says what the
figures are (the figures themselves are checked against the pages in tests/integration/test_agencies_demo.py)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archive import Archive, DataDir, Exchange, Parsed
from gongkai.cli import main


def _run(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "report", *args])
    return result.exit_code, result.output


def _archive_one(root: Path) -> None:
    html = b"<html><body>" + "正文".encode() * 400 + b"</body></html>"
    exchange = Exchange(
        url="http://gov.example/a.html",
        final_url="http://gov.example/a.html",
        started_at="2024-03-10T02:00:00Z",
        status=200,
        response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        wire_body=html,
        content=html,
    )
    parsed = Parsed(
        title="通知", agency="市教育局", topic="教育", written_date="2024-01-31", publish_date="2024-03-05"
    )
    with Archive.open(DataDir(root).ensure()) as archive:
        capture = archive.record(exchange, kind="document", reason=None, charset="utf-8")
        archive.upsert_document(capture, parsed, exchange.url)


def test_no_catalogue_unknown_agency_and_usage(tmp_path: Path) -> None:
    code, output = _run(tmp_path / "empty", "agency", "市教育局")
    assert code == 1 and len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert _run(tmp_path, "agency")[0] == 2  # NAME missing: usage
    _archive_one(tmp_path / "data")
    code, output = _run(tmp_path / "data", "agency", "市公安局")
    assert code == 1 and "no such agency" in output and "市教育局" in output


def test_text_and_json_for_one_late_document(tmp_path: Path) -> None:
    _archive_one(tmp_path / "data")
    code, output = _run(tmp_path / "data", "agency", "市教育局")
    assert code == 0, output
    assert "超过 20 个工作日 1 件" in output and "第二十六条" in output and "非违法认定" in output
    code, output = _run(tmp_path / "data", "agency", "市教育局", "--json")
    data = json.loads(output)
    assert data["summary"]["late"] == 1 and data["late"][0]["lag_working_days"] == 21
    assert data["late"][0]["first_captured"] == "2024-03-10"
    assert data["late"][0]["capture_lag_days"] == 5
    code, output = _run(tmp_path / "data", "agency", "市教育局", "--topic", "教育", "--json")
    assert code == 0 and json.loads(output)["topic"] == "教育"
    code, output = _run(tmp_path / "data", "agency", "市教育局", "--topic", "财政")
    assert code == 1 and "no such topic" in output
