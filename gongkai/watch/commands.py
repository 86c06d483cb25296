"""The watch commands: `gongkai sources list|add|check`, `gongkai watch` (and `gongkai alerts`, alert_commands.py).

Registered on the main group by `gongkai/cli.py`. The write side (adding or removing sources and alerts) is off
unless `watch.write_enabled` is set, and then needs `--token` (or $GONGKAI_TOKEN) equal to `watch.write_token`.
"""

from __future__ import annotations

import hmac
import json
import os
import signal
from typing import Any

import click

from gongkai.cli import Context, Failure, pass_ctx
from gongkai.config import Config

token_option = click.option(
    "--token", envvar="GONGKAI_TOKEN", help="the write token (watch.write_token); also $GONGKAI_TOKEN"
)


def require_write(cfg: Config, token: str | None) -> None:
    if not cfg.watch.write_enabled:
        raise Failure(
            "写入功能未开启：在 gongkai.toml 中设置 [watch] write_enabled 与 write_token / the write side is off:"
            " set [watch] write_enabled and write_token in gongkai.toml"
        )
    if not token or not hmac.compare_digest(token.encode(), cfg.watch.write_token.encode()):
        raise Failure("写入口令不对 / wrong or missing --token for the write side")


def _clock() -> Any:
    from gongkai.watch.clock import clock_from_env

    try:
        return clock_from_env(os.environ.get("GONGKAI_FAKE_NOW"))
    except (OSError, ValueError) as exc:
        raise Failure(f"GONGKAI_FAKE_NOW 无法读取 / cannot be read: {exc}") from None


def _bj(instant: str | None) -> str:
    """An ISO instant as Beijing time, 2026-12-02 10:01 (what people read); the JSON keeps the instant."""
    if not instant:
        return "—"
    from datetime import timedelta, timezone

    from gongkai.watch.clock import parse_instant

    return parse_instant(instant).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


# -- sources ----------------------------------------------------------------------------------------------------


@click.group()
def sources() -> None:
    """Watched catalogues (sources.toml in the data dir)."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def sources_list(obj: Context, as_json: bool) -> None:
    """Each source with its last and next runs and failures."""
    from gongkai.watch.status import watch_status

    state = watch_status(obj.config(), _clock())
    if state["error"]:
        raise Failure(state["error"])
    if as_json:
        click.echo(json.dumps(state, ensure_ascii=False))
        return
    if not state["sources"]:
        click.echo("没有监视的来源 no sources: add one with `gongkai sources add NAME URL`")
    for s in state["sources"]:
        last = s["last_run"]
        shown = (
            "从未 never"
            if last is None
            else f"{_bj(last['finished_at'])} {last['status']} 新{last['new']} 改{last['changed']} 删{last['removed']}"
        )
        click.echo(f"{s['name']}  {s['label'] or ''}  每 every {s['interval']} / 复查 recheck {s['recheck']}")
        click.echo(f"    {' '.join(s['seeds'])}")
        click.echo(
            f"    上次 last: {shown}  下次 next: {_bj(s['next_crawl'])}  失败 failures: {s['failures']}"
        )


@sources.command("add")
@click.argument("name")
@click.argument("urls", nargs=-1, required=True)
@click.option("--label", default="")
@click.option("--interval", help="re-crawl every (6h, 30m, 1d)")
@click.option("--recheck", help="re-check every known document every (7d)")
@click.option("--delay", type=click.FloatRange(0.0), help="seconds between requests to the host")
@click.option("--max-pages", type=click.IntRange(1))
@click.option("--adapter", default="auto")
@click.option("--extra-host", "extra_hosts", multiple=True, help="attachment host (repeatable)")
@token_option
@pass_ctx
def sources_add(obj: Context, name: str, urls: tuple[str, ...], token: str | None, **opts: Any) -> None:
    """Add (or replace) a source in sources.toml."""
    from gongkai.watch.sources import SourceError, load_sources, make_source, save_sources

    cfg = obj.config()
    require_write(cfg, token)
    table: dict[str, Any] = {"seeds": list(urls), "label": opts["label"], "adapter": opts["adapter"]}
    for key, value in (
        ("interval", opts["interval"]),
        ("recheck", opts["recheck"]),
        ("delay_s", opts["delay"]),
        ("max_pages", opts["max_pages"]),
    ):
        if value is not None:
            table[key] = value
    if opts["extra_hosts"]:
        table["extra_hosts"] = list(opts["extra_hosts"])
    try:
        source = make_source(name, table)
        existing = [s for s in load_sources(cfg.data_dir.root) if s.name != name]
        cfg.data_dir.ensure()
        path = save_sources(cfg.data_dir.root, [*existing, source])
    except SourceError as exc:
        raise Failure(str(exc)) from None
    click.echo(f"已保存 saved source {source.name} ({len(source.seeds)} seed(s)) in {path.name}")


@sources.command("check")
@click.option("--fetch/--no-fetch", default=True, help="also fetch each seed once to see that it answers")
@pass_ctx
def sources_check(obj: Context, fetch: bool) -> None:
    """Read sources.toml (a bad entry: one line, exit 1) and try each seed once."""
    import requests

    from gongkai.watch.sources import SourceError, load_sources

    cfg = obj.config()
    try:
        found = load_sources(cfg.data_dir.root)
    except SourceError as exc:
        raise Failure(str(exc)) from None
    bad = 0
    for source in found:
        for seed in source.seeds if fetch else ():
            try:
                answer = requests.get(
                    seed,
                    timeout=cfg.crawler.connect_timeout_s,
                    headers={"User-Agent": cfg.crawler.user_agent},
                )
                status = str(answer.status_code)
                bad += answer.status_code >= 400
            except requests.RequestException as exc:
                status, bad = f"无法访问 unreachable ({type(exc).__name__})", bad + 1
            click.echo(f"{source.name}: {seed} -> {status}")
    if bad:
        raise Failure(f"{bad} 个起始网址无法正常访问 / seed(s) did not answer 2xx/3xx")
    click.echo(f"sources.toml 正常 ok: {len(found)} source(s)")


# -- watch ------------------------------------------------------------------------------------------------------


@click.command()
@click.option("--once", is_flag=True, help="do what is due now, then exit (for cron or a systemd timer)")
@pass_ctx
def watch(obj: Context, once: bool) -> None:
    """Re-crawl every source when due, re-check known documents, send alerts; runs until stopped."""
    from gongkai.watch.scheduler import Watcher
    from gongkai.watch.sources import SourceError, load_sources

    cfg = obj.config()
    try:
        found = load_sources(cfg.data_dir.root)
    except SourceError as exc:
        raise Failure(str(exc)) from None
    if not found:
        raise Failure("没有监视的来源 / no sources: add one with `gongkai sources add NAME URL`")

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # mid-run is fine: every step is kill-safe, an open transaction rolls back

    signal.signal(signal.SIGTERM, _stop)
    watcher = Watcher(cfg, cfg.watch, _clock(), echo=click.echo)
    try:
        if once:
            watcher.store.recover()
            watcher.tick()
        else:
            click.echo(f"gongkai watch: {len(found)} source(s), data dir {cfg.data_dir.root}")
            watcher.forever()
    except KeyboardInterrupt:
        click.echo("已停止 stopped")
    finally:
        watcher.close()


def register(main: click.Group) -> None:
    from gongkai.watch.alert_commands import alerts

    for command in (sources, watch, alerts):
        main.add_command(command)
