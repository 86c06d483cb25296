"""`gongkai migrate --to postgresql://...` on the 320-document demo archive (issue 13, done-when 3): the same export
byte for byte after sorting, verify passes, the counts match; then the archive runs on PostgreSQL alone."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from archive import Catalogue
from gongkai.cli import main
from gongkai.config import load_config
from gongkai.serve import build_server

N_DOCS = 320


def run(data_dir: Path, *args: str, database: str | None = None) -> Any:
    env = {"GONGKAI_DATABASE_URL": database} if database else {}
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    result = run(data_dir, "demo", "--no-serve", "--docs", str(N_DOCS))
    assert result.exit_code == 0, result.output
    return data_dir


def _sorted_export(data_dir: Path, database: str | None = None) -> list[str]:
    result = run(data_dir, "export", "--format", "jsonl", database=database)
    assert result.exit_code == 0, result.output
    return sorted(result.output.splitlines())


@pytest.mark.slow
def test_migrating_the_demo_keeps_every_record_and_verify_passes(demo_dir: Path, pg_url: str) -> None:
    before = _sorted_export(demo_dir)
    assert len(before) >= N_DOCS
    migrated = run(demo_dir, "migrate", "--to", pg_url)
    assert migrated.exit_code == 0, migrated.output
    counts = [line for line in migrated.output.splitlines() if " -> " in line]
    assert len(counts) == 10 and all(
        line.split(": ")[1].split(" -> ")[0] == line.split(" -> ")[1] for line in counts
    )
    assert "documents: " in migrated.output and "(ok)" in migrated.output
    # the archive on PostgreSQL alone: the SQLite file moved away, so nothing can silently read it
    demo_dir.joinpath("catalogue.sqlite").rename(demo_dir / "catalogue.sqlite.before-migrate")
    assert _sorted_export(demo_dir, pg_url) == before
    verified = run(demo_dir, "verify", database=pg_url)
    assert verified.exit_code == 0, verified.output
    reparsed = run(demo_dir, "index", "--reparse", database=pg_url)
    assert reparsed.exit_code == 0 and "0 document(s) changed" in reparsed.output, reparsed.output
    assert _sorted_export(demo_dir, pg_url) == before
    record = json.loads(before[0])
    bundle = run(
        demo_dir, "evidence", record["id"], "--out", str(demo_dir.parent / "bundle"), database=pg_url
    )
    assert bundle.exit_code == 0, bundle.output
    assert json.loads((demo_dir.parent / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    hits = json.loads(run(demo_dir, "search", record["title"][:4], "--json", database=pg_url).output)
    assert hits["total"] >= 1
    _served_from_postgresql(demo_dir, pg_url, record["id"])
    demo_dir.joinpath("catalogue.sqlite.before-migrate").rename(demo_dir / "catalogue.sqlite")
    again = run(demo_dir, "migrate", "--to", pg_url)
    assert again.exit_code == 1
    lines = [line for line in again.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("gongkai: 错误 error: 目标数据库不是空的"), again.output
    assert "the target database is not empty" in lines[0]


def test_an_unreachable_or_empty_database_is_one_line(tmp_path: Path, pg_url: str) -> None:
    gone = "postgresql://nobody:secret@127.0.0.1:1/none"
    Catalogue(tmp_path / "catalogue.sqlite").close()  # an (empty) SQLite archive to migrate from
    for args in (("migrate", "--to", gone), ("export",), ("verify",)):
        result = run(tmp_path, *args, database=None if args[0] == "migrate" else gone)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 1 and len(lines) == 1, result.output
        assert "无法连接目录数据库" in lines[0] and "secret" not in lines[0], lines
    empty = run(tmp_path, "export", database=pg_url)
    assert empty.exit_code == 1 and "nothing to export" in empty.output, empty.output
    mistyped = run(tmp_path, "export", database="postgres:/oops")
    assert mistyped.exit_code == 1 and "postgresql:// URL" in mistyped.output, mistyped.output


def _served_from_postgresql(demo_dir: Path, pg_url: str, doc_id: str) -> None:
    """The web UI on the migrated archive: a document page, its original from the WARC, the agencies view."""
    cfg = load_config(demo_dir, {"GONGKAI_DATABASE_URL": pg_url})
    assert cfg.data_dir.database == pg_url
    server, url = build_server(cfg, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = url.rstrip("/")
        doc = requests.get(f"{base}/api/documents/{doc_id}", timeout=10).json()
        assert doc["id"] == doc_id and doc["history"]["versions"]
        viewer = requests.get(f"{base}/documents/{doc_id}/original", timeout=10).content.decode("utf-8")
        src = re.search(r'<iframe[^>]*src="([^"]+)"', viewer).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
        raw = requests.get(src if src.startswith("http") else base + src, timeout=10)
        assert raw.status_code == 200 and len(raw.content) > 200
        assert requests.get(f"{base}/agencies", timeout=10).status_code == 200
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.mark.slow
def test_the_demo_crawls_straight_into_postgresql(tmp_path: Path, pg_url: str) -> None:
    """Crawl, re-crawl with edits and removals, index and verify with only the setting: no catalogue.sqlite."""
    data_dir = tmp_path / "data"
    result = run(data_dir, "demo", "--no-serve", "--docs", "40", database=pg_url)
    assert result.exit_code == 0, result.output
    assert not (data_dir / "catalogue.sqlite").exists()
    records = [json.loads(line) for line in _sorted_export(data_dir, pg_url)]
    assert len(records) >= 40 and any(r["versions"] > 1 for r in records)
    assert any(r["status"] == "removed" for r in records)
    verified = run(data_dir, "verify", database=pg_url)
    assert verified.exit_code == 0, verified.output
    hits = json.loads(
        run(data_dir, "search", f'index_no:"{records[0]["index_no"]}"', "--json", database=pg_url).output
    )
    assert records[0]["id"] in {h["id"] for h in hits["hits"]}
