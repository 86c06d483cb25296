"""CLI usage errors in Chinese first (click's English after), exit status 2; a busy port reported before any work."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.usage import chinese_message


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args, chinese, english",
    [
        (["search", "--limit", "x"], "--limit 的值无效：'x' 不是整数", "Invalid value for '--limit'"),
        (["search", "--limit", "0"], "不在范围", "is not in the range"),
        (["crawl"], "缺少参数 URLS...", "Missing argument 'URLS...'"),
        (["nosuch"], "没有命令 nosuch", "No such command 'nosuch'"),
        (["search", "--bogus"], "没有选项 --bogus", "No such option"),
        (["export", "--format", "xml"], "只能是 'jsonl', 'csv' 之一", "is not one of"),
        (["search", "--since", "2021-13-01"], "不是 YYYY-MM-DD 格式的日期", "is not a date"),
        (["crawl", "ftp://x"], "不是 http(s) 网址", "is not an http(s) URL"),
        (["search", "a", "b"], "多余的参数：b", "unexpected extra argument"),
        (["search", "--sort"], "选项 --sort 需要一个值", "requires an argument"),
    ],
)
def test_usage_errors_are_chinese_first_with_exit_status_2(
    tmp_path: Path, args: list[str], chinese: str, english: str
) -> None:
    code, output = run(tmp_path, *args)
    assert code == 2, output
    line = next(line for line in output.splitlines() if "错误 error:" in line)
    assert chinese in line and english in line
    assert line.index(chinese) < line.index(" / ") < line.index(english)
    assert "Traceback" not in output
    assert not (tmp_path / "data").exists()  # a usage error touches nothing


def test_unknown_messages_keep_their_english() -> None:
    assert chinese_message("Something new from click.") == "用法错误 / Something new from click."


def test_help_is_still_help(tmp_path: Path) -> None:
    code, output = run(tmp_path, "search", "--help")
    assert code == 0 and "--limit" in output


@pytest.fixture
def busy_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


def test_a_busy_port_stops_the_demo_before_it_crawls(tmp_path: Path, busy_port: int) -> None:
    code, output = run(tmp_path, "demo", "--port", str(busy_port), "--docs", "5")
    assert code == 1, output
    assert "无法监听" in output and f"127.0.0.1:{busy_port}" in output and "--port 0" in output
    assert "演示站点" not in output  # the demo site was never started, nothing crawled
    assert not (tmp_path / "data" / "catalogue.sqlite").exists()


def test_a_busy_port_stops_serve_with_one_line(tmp_path: Path, busy_port: int) -> None:
    code, output = run(tmp_path, "serve", "--port", str(busy_port))
    assert code == 1
    assert output.count("\n") == 1 and "无法监听" in output and "cannot listen" in output
