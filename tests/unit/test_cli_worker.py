"""`gongkai crawl --worker`: a clear one-line error without PostgreSQL; usage as before without URLs."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gongkai.cli import main


def test_worker_needs_a_postgresql_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path / "data"), "crawl", "--worker"], env={"GONGKAI_DATABASE_URL": ""}
    )
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("gongkai: 错误 error: crawl --worker 需要 PostgreSQL")
    assert "GONGKAI_DATABASE_URL" in lines[0]
    assert not (tmp_path / "data").exists()  # nothing written


def test_crawl_without_urls_is_still_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "crawl", "--no-index"])
    assert result.exit_code == 2 and "缺少参数 URLS..." in result.output
