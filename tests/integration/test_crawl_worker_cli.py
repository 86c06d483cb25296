"""`gongkai crawl` and `gongkai crawl --worker` against a real PostgreSQL: seeding, joining, nothing to join."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from crawlkit import served

from archive import Catalogue, DataDir
from demosite.site import DemoSite
from gongkai.cli import main

pytestmark = pytest.mark.slow
FAST_ENV = {
    "GONGKAI_CRAWLER_DELAY_S": "0",
    "GONGKAI_CRAWLER_JITTER": "0",
    "GONGKAI_CRAWLER_USER_AGENT": "gongkai-test/0.1 (+https://example.org/gongkai-contact)",
}


def _run(root: Path, database: str, *args: str) -> tuple[int, str]:
    env = {"GONGKAI_DATABASE_URL": database, **FAST_ENV}
    result = CliRunner().invoke(main, ["--data-dir", str(root), *args], env=env)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def test_a_worker_without_urls_and_no_run_has_nothing_to_do(tmp_path: Path, pg_url: str) -> None:
    code, output = _run(tmp_path / "data", pg_url, "crawl", "--worker")
    assert code == 0, output
    assert "no unfinished crawl run to join" in output


def test_crawl_seeds_the_shared_frontier_then_a_worker_finds_the_run_finished(
    tmp_path: Path, pg_url: str
) -> None:
    site = DemoSite(seed=2, n_docs=8)
    root = tmp_path / "data"
    with served(site) as (srv, _switch):
        code, output = _run(root, pg_url, "crawl", srv.url + "/")
        assert code == 0, output
        assert "新文件 new 8" in output and "索引已更新 index updated" in output
        with psycopg.connect(pg_url) as conn:
            runs = conn.execute("SELECT COUNT(*), COUNT(finished_at) FROM crawl_runs").fetchone()
            states = dict(conn.execute("SELECT state, COUNT(*) FROM crawl_urls GROUP BY state").fetchall())
        assert runs == (1, 1) and set(states) <= {"done", "failed"}  # nothing pending or leased
        assert not (root / "crawl" / "frontier.sqlite").exists()  # the frontier is in the database
        code, output = _run(root, pg_url, "crawl", "--worker")
        assert code == 0 and "no unfinished crawl run to join" in output
        # the same URL again: a re-check run, as with SQLite (nothing new, nothing resumed)
        code, output = _run(root, pg_url, "crawl", "--worker", srv.url + "/")
        assert code == 0 and "新文件 new 0" in output and "续抓" not in output
    catalogue = Catalogue(DataDir(root, database=pg_url).catalogue_target, readonly=True)
    try:
        assert catalogue.count_documents() == 8
    finally:
        catalogue.close()
