"""`gongkai alerts add|list|remove|resume`: saved searches with a frequency and a channel (the write side needs
`watch.write_enabled` and the token, see `gongkai/watch/commands.py`)."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from gongkai.cli import Context, Failure, filter_options, pass_ctx
from gongkai.jobs import OTHER_FILTERS
from gongkai.watch.commands import _clock, require_write, token_option


@click.group()
def alerts() -> None:
    """Saved searches that send what is new, changed or removed."""


@alerts.command("add")
@click.argument("name")
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--every",
    "frequency",
    type=click.Choice(["immediate", "daily", "weekly"]),
    default="immediate",
    show_default=True,
    help="after each crawl, or a daily/weekly digest",
)
@click.option("--webhook", help="POST the JSON (signed, HMAC-SHA256) to this URL")
@click.option("--secret", envvar="GONGKAI_WEBHOOK_SECRET", help="the webhook's HMAC secret (16+ characters)")
@click.option("--email", "emails", multiple=True, help="send email to this address (repeatable)")
@click.option("--smtp", help="SMTP server HOST:PORT for --email")
@click.option("--smtp-from", default="gongkai@localhost")
@click.option("--smtp-user")
@click.option("--smtp-password-env", help="name of the environment variable holding the SMTP password")
@click.option("--starttls", is_flag=True)
@click.option("--notify", help="an apprise URL: dingtalk://…, wecombot://…, feishu://…")
@token_option
@pass_ctx
def alerts_add(obj: Context, name: str, query: str, frequency: str, token: str | None, **o: Any) -> None:
    """Save a search as an alert."""
    from gongkai.watch.alerts import AlertError
    from gongkai.watch.status import save_alert

    cfg = obj.config()
    require_write(cfg, token)
    chosen = [k for k in ("webhook", "emails", "notify") if o[k]]
    if len(chosen) != 1:
        raise click.UsageError("choose exactly one channel: --webhook, --email or --notify")
    if o["webhook"]:
        channel: dict[str, Any] = {"type": "webhook", "url": o["webhook"], "secret": o["secret"] or ""}
    elif o["emails"]:
        password = os.environ.get(o["smtp_password_env"]) if o["smtp_password_env"] else None
        channel = {
            "type": "email",
            "to": list(o["emails"]),
            "smtp": o["smtp"] or "",
            "from": o["smtp_from"],
            "user": o["smtp_user"],
            "password": password,
            "starttls": o["starttls"],
        }
    else:
        channel = {"type": "apprise", "url": o["notify"]}
    params = {
        "q": query,
        "agencies": list(o["agencies"]),
        "topics": list(o["topics"]),
        "since": o["since"],
        "until": o["until"],
        "date_field": o["date_field"] if o["date_field"] != "publish" else None,
    }
    others = {name: list(o[name]) for name in OTHER_FILTERS if o.get(name)}  # archive/fields.py
    if others:
        params["filters"] = others
    try:
        saved = save_alert(cfg, _clock(), name=name, query=params, frequency=frequency, channel=channel)
    except (AlertError, ValueError) as exc:
        raise Failure(str(exc)) from None
    click.echo(
        f"已保存提醒 saved alert {saved['id']} {saved['name']} ({frequency}, {channel['type']};"
        f" matches {saved['matches_now']} document(s) now)"
    )


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def alerts_list(obj: Context, as_json: bool) -> None:
    """Every alert with its status (active, or paused after repeated channel failures)."""
    from gongkai.watch.alerts import list_alerts
    from gongkai.watch.status import open_store

    with open_store(obj.config()) as store:
        shown = [a.public() for a in list_alerts(store)]
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False))
        return
    for a in shown:
        status = "已暂停 paused" if a["status"] == "paused" else "有效 active"
        click.echo(
            f"{a['id']:>3}  {a['name']}  {status}  {a['frequency']}  {a['channel']['type']}  "
            f"{json.dumps(a['query'], ensure_ascii=False)}"
            + (f"  ({a['last_error']})" if a["last_error"] else "")
        )
    if not shown:
        click.echo("没有提醒 no alerts")


@alerts.command("remove")
@click.argument("alert")
@token_option
@pass_ctx
def alerts_remove(obj: Context, alert: str, token: str | None) -> None:
    """Delete an alert (by id or name) and its unsent messages."""
    _change(obj, alert, token, remove=True)


@alerts.command("resume")
@click.argument("alert")
@token_option
@pass_ctx
def alerts_resume(obj: Context, alert: str, token: str | None) -> None:
    """Resume a paused alert (its waiting messages are sent at the next cycle)."""
    _change(obj, alert, token, remove=False)


def _change(obj: Context, key: str, token: str | None, *, remove: bool) -> None:
    from gongkai.watch.alerts import AlertError, remove_alert, set_status
    from gongkai.watch.status import open_store

    cfg = obj.config()
    require_write(cfg, token)
    with open_store(cfg) as store:
        try:
            alert = remove_alert(store, key) if remove else set_status(store, key, "active")
        except AlertError as exc:
            raise Failure(str(exc)) from None
    click.echo(f"{'已删除 removed' if remove else '已恢复 resumed'} alert {alert.alert_id} {alert.name}")
