"""The scheduler's bookkeeping without a site: jittered periods, a failing source recorded and counted, a bad
sources.toml edited in while running, and the alert commands of the write side."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration"))

import watchkit as wk  # noqa: E402

from gongkai.cli import main  # noqa: E402
from gongkai.config import load_config  # noqa: E402
from gongkai.watch.clock import FakeClock, clock_from_env  # noqa: E402
from gongkai.watch.scheduler import Watcher  # noqa: E402
from gongkai.watch.sources import make_source, save_sources  # noqa: E402
from gongkai.watch.status import watch_status  # noqa: E402

NOW = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)


def _watcher(root: Path, lines: list[str]) -> Watcher:
    cfg = load_config(root, {})
    return Watcher(cfg, cfg.watch, FakeClock(value=NOW), echo=lines.append)


def test_periods_are_shifted_per_source_within_the_jitter(tmp_path: Path) -> None:
    wk.write_config(tmp_path, jitter=0.5)
    watcher = _watcher(tmp_path, [])
    a, b = (
        make_source("a", {"seeds": ["http://127.0.0.1:1/"]}),
        make_source("b", {"seeds": ["http://127.0.0.1:1/"]}),
    )
    offsets = [watcher.offset(s, "crawl") for s in (a, b)]
    assert all(0 <= o < 0.5 * 3600 for o in offsets) and offsets[0] != offsets[1]
    p = watcher.period(a, "crawl", NOW)
    start = watcher.period_start(a, "crawl", p)
    assert start <= NOW < start + timedelta(hours=1)
    assert watcher.period(a, "crawl", start - timedelta(seconds=1)) == p - 1
    watcher.close()


def test_an_unreachable_source_is_a_failed_run_counted_and_not_retried_in_its_period(tmp_path: Path) -> None:
    wk.write_config(tmp_path)
    save_sources(tmp_path, [make_source("down", {"seeds": [f"http://127.0.0.1:{wk.free_port()}/"]})])
    lines: list[str] = []
    watcher = _watcher(tmp_path, lines)
    assert watcher.tick() == 1 and watcher.tick() == 0  # one run per period, failed or not
    assert "error=" in lines[0] and "fetched=0" in lines[0]
    state = watch_status(watcher.cfg, watcher.clock)
    assert state["sources"][0]["failures"] == 1 and state["sources"][0]["last_run"]["status"] == "failed"
    watcher.clock = FakeClock(value=NOW + timedelta(hours=1))
    assert watcher.tick() == 1
    assert watch_status(watcher.cfg, watcher.clock)["sources"][0]["failures"] == 2
    (tmp_path / "sources.toml").write_text("[source.down\n", encoding="utf-8")  # broken while running
    watcher.clock = FakeClock(value=NOW + timedelta(hours=2))
    assert watcher.tick() == 1  # the last good list goes on
    assert watcher.tick() == 0
    assert sum("is bad, keeping the last good one" in line for line in lines) == 1
    watcher.close()


def test_alert_commands_list_remove_resume(tmp_path: Path) -> None:
    wk.write_config(tmp_path)
    env = {"GONGKAI_TOKEN": wk.TOKEN}

    def cli(*args: str) -> str:
        result = CliRunner().invoke(
            main, ["--data-dir", str(tmp_path), *args], env=env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.output

    cli(
        "alerts",
        "add",
        "one",
        "公告",
        "--webhook",
        "http://127.0.0.1:9/x",
        "--secret",
        wk.SECRET,
        "--every",
        "weekly",
    )
    cli("alerts", "add", "two", "--topic", "教育", "--notify", "json://127.0.0.1:9/x")
    listed = json.loads(cli("alerts", "list", "--json"))
    assert [(a["name"], a["frequency"], a["channel"]["type"]) for a in listed] == [
        ("one", "weekly", "webhook"),
        ("two", "immediate", "apprise"),
    ]
    assert listed[0]["query"] == {"q": "公告"} and "secret" not in listed[0]["channel"]
    again = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(tmp_path),
            "alerts",
            "add",
            "one",
            "--webhook",
            "http://127.0.0.1:9/x",
            "--secret",
            wk.SECRET,
        ],
        env=env,
    )
    assert again.exit_code == 1 and "exists already" in again.output
    bad = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path), "alerts", "add", "bad", "--webhook", "x"], env=env
    )
    assert bad.exit_code == 1 and "http(s) URL" in bad.output
    both = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(tmp_path),
            "alerts",
            "add",
            "x",
            "--webhook",
            "http://a/",
            "--notify",
            "json://a/",
        ],
        env=env,
    )
    assert both.exit_code == 2
    assert "resumed alert 2 two" in cli("alerts", "resume", "two")
    assert "removed alert 1 one" in cli("alerts", "remove", "1")
    assert [a["name"] for a in json.loads(cli("alerts", "list", "--json"))] == ["two"]
    missing = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "alerts", "remove", "nine"], env=env)
    assert missing.exit_code == 1 and "no such alert" in missing.output


def test_fake_clock_from_the_environment(tmp_path: Path) -> None:
    assert clock_from_env("2026-12-01T08:00:00+08:00").now() == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    moving = tmp_path / "now"
    moving.write_text("2026-12-01T00:00:00Z")
    clock = clock_from_env(f"@{moving}")
    moving.write_text("2026-12-08T00:00:00Z")
    assert clock.now() == datetime(2026, 12, 8, tzinfo=UTC)
    assert type(clock_from_env("")).__name__ == "SystemClock"


def test_the_served_apps_write_side_follows_the_setting(tmp_path: Path) -> None:
    from gongkai.serve import watch_hooks

    off = tmp_path / "off"
    off.mkdir()
    assert watch_hooks(load_config(off, {})).save_alert is None
    wk.write_config(tmp_path / "on")
    hooks = watch_hooks(load_config(tmp_path / "on", {}))
    assert hooks.save_alert is not None and hooks.token == wk.TOKEN
    spec = {
        "name": "网页",
        "query": {"q": "通知"},
        "frequency": "daily",
        "channel": {"type": "webhook", "url": "http://127.0.0.1:9/", "secret": wk.SECRET},
    }
    saved = hooks.save_alert(spec)
    assert saved["name"] == "网页" and saved["matches_now"] == 0 and "secret" not in saved["channel"]
    assert [a["name"] for a in hooks.status()["alerts"]] == ["网页"]


def test_digest_periods_turn_at_the_digest_hour_beijing_time() -> None:
    from gongkai.watch.alerts import digest_key

    monday_0759 = datetime(2026, 11, 29, 23, 59, tzinfo=UTC)  # Monday 07:59 in Beijing
    monday_0800 = monday_0759 + timedelta(minutes=1)
    assert (
        digest_key("daily", monday_0759, 8) == "2026-11-29"
        and digest_key("daily", monday_0800, 8) == "2026-11-30"
    )
    assert digest_key("weekly", monday_0759, 8) != digest_key("weekly", monday_0800, 8)
    assert digest_key("weekly", monday_0800, 8) == digest_key("weekly", monday_0800 + timedelta(days=6), 8)


def test_watch_refuses_to_start_without_sources_or_with_an_unreadable_clock(tmp_path: Path) -> None:
    none = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "watch", "--once"])
    assert none.exit_code == 1 and "no sources" in none.output and "Traceback" not in none.output
    save_sources(tmp_path, [make_source("a", {"seeds": ["http://127.0.0.1:9/"]})])
    clock = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path), "watch", "--once"], env={"GONGKAI_FAKE_NOW": "@/nonexistent/now"}
    )
    assert clock.exit_code == 1 and "GONGKAI_FAKE_NOW" in clock.output and "Traceback" not in clock.output
    garbled = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path), "watch", "--once"], env={"GONGKAI_FAKE_NOW": "soon"}
    )
    assert garbled.exit_code == 1 and "GONGKAI_FAKE_NOW" in garbled.output
