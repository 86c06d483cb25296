"""Where messages go: a signed webhook, email over SMTP, or a chat service through apprise.

- webhook: POST of the JSON payload; `X-Gongkai-Signature: sha256=<hex>` is the HMAC-SHA256 of the exact body
  bytes under the alert's secret, `X-Gongkai-Delivery` the message's delivery id (the same on a resend, so a
  receiver can drop duplicates).
- email: a plain-text message (Chinese first) with `Message-ID: <delivery id@gongkai>`.
- apprise: DingTalk (`dingtalk://`), WeCom (`wecombot://`), Feishu (`feishu://`) and every other service
  apprise knows, with the same text.

`deliver` raises `ChannelError` with a one-line reason on any failure; the caller counts it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from archive import FIELD_LABELS

CHANNEL_TYPES = ("webhook", "email", "apprise")
KIND_LABEL = {"new": "新文件 new", "changed": "已修改 changed", "removed": "已删除 removed"}
# the field table's labels (archive/fields.py); an attachment's content change is shown by its digest
FIELD_LABEL: dict[str, str] = {**FIELD_LABELS, "attachment_content": "附件内容（SHA-256）"}


class ChannelError(RuntimeError):
    pass


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def subject(payload: dict[str, Any]) -> str:
    c = payload["counts"]
    return (
        f"【gongkai 提醒】{payload['alert']['name']}：新文件 {c['new']} 份，已修改 {c['changed']} 份，"
        f"已删除 {c['removed']} 份"
    )


def render_text(payload: dict[str, Any]) -> str:
    """The message as people read it: one block per document."""
    lines = [subject(payload), f"检索 query: {json.dumps(payload['alert']['query'], ensure_ascii=False)}", ""]
    if payload.get("refused"):
        lines.append(payload["refused"])
    for e in payload["events"]:
        title = e.get("title") or e["id"]
        lines.append(f"[{KIND_LABEL[e['kind']]}] {title}")
        if e["kind"] == "new":
            lines.append(
                f"  发布于 published {e.get('publish_date') or '未注明 not stated'}，收录于 archived {e['at']}"
            )
        elif e["kind"] == "changed":
            for change in e.get("changes", []):
                label = FIELD_LABEL.get(change["field"], change["field"])
                lines.append(f"  {label}：{_short(change.get('old'))} → {_short(change.get('new'))}")
            if e.get("added_text"):
                lines.append("  新增内容 added text:")
                lines.extend(f"    {line}" for line in e["added_text"].splitlines())
            elif e.get("body_changed"):
                lines.append("  正文有删改 the text was edited (nothing added)")
        elif e["kind"] == "removed":
            lines.append(
                f"  删除于 removed {e.get('removed_at')}，最后见于 last seen {e.get('last_seen_at')}"
            )
        if e.get("url"):
            lines.append(f"  {e['url']}")
        lines.append("")
    return "\n".join(lines)


def deliver(channel: dict[str, Any], payload: dict[str, Any], *, timeout_s: float) -> None:
    import requests  # urllib3 probes IPv6 with a socket when imported: not at import time of this module

    kind = channel.get("type")
    try:
        if kind == "webhook":
            _webhook(channel, payload, timeout_s)
        elif kind == "email":
            _email(channel, payload, timeout_s)
        elif kind == "apprise":
            _apprise(channel, payload)
        else:
            raise ChannelError(f"unknown channel type {kind!r}")
    except (OSError, smtplib.SMTPException, requests.RequestException) as exc:
        raise ChannelError(f"{kind}: {type(exc).__name__}: {exc}") from None


def _webhook(channel: dict[str, Any], payload: dict[str, Any], timeout_s: float) -> None:
    import requests

    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "gongkai-alerts/0.1",
        "X-Gongkai-Delivery": payload["delivery_id"],
        "X-Gongkai-Signature": sign(body, channel.get("secret") or ""),
    }
    response = requests.post(
        channel["url"], data=body, headers=headers, timeout=timeout_s, allow_redirects=False
    )
    if not 200 <= response.status_code < 300:
        raise ChannelError(f"webhook answered HTTP {response.status_code}")


def _email(channel: dict[str, Any], payload: dict[str, Any], timeout_s: float) -> None:
    message = EmailMessage()
    message["Subject"] = subject(payload)
    message["From"] = channel.get("from") or "gongkai@localhost"
    message["To"] = ", ".join(channel["to"])
    message["Message-ID"] = f"<{payload['delivery_id']}@gongkai>"
    message.set_content(render_text(payload))
    host, _, port = channel["smtp"].rpartition(":")
    with smtplib.SMTP(host or channel["smtp"], int(port or 25), timeout=timeout_s) as smtp:
        if channel.get("starttls"):
            smtp.starttls(context=ssl.create_default_context())
        if channel.get("user"):
            smtp.login(channel["user"], channel.get("password") or "")
        smtp.send_message(message)


def _apprise(channel: dict[str, Any], payload: dict[str, Any]) -> None:
    import apprise  # only when a chat channel is used: it loads many plugins

    sender = apprise.Apprise()
    if not sender.add(channel["url"]):
        raise ChannelError("apprise: 无法识别的地址 / not a URL apprise knows")
    if not sender.notify(body=render_text(payload), title=subject(payload)):
        raise ChannelError("apprise: 发送失败 / the service refused or could not be reached")


def check_channel(channel: dict[str, Any]) -> None:
    """Refuse a channel that can never work, before it is saved (ValueError, one line)."""
    for key, value in channel.items():
        is_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not (value is None or isinstance(value, (str, bool)) or is_list):
            raise ValueError(f"渠道参数 {key} 的类型不对 / channel field {key!r} has the wrong type")
    if "to" in channel and not isinstance(channel["to"], list):
        raise ValueError("to 应为邮箱地址列表 / 'to' must be a list of addresses")
    kind = channel.get("type")
    if kind == "webhook":
        if not str(channel.get("url", "")).startswith(("http://", "https://")):
            raise ValueError("webhook 地址必须是 http(s) 网址 / a webhook needs an http(s) URL")
        if not isinstance(channel.get("secret") or "", str) or len(channel.get("secret") or "") < 16:
            raise ValueError("webhook 密钥至少 16 个字符 / a webhook secret needs at least 16 characters")
    elif kind == "email":
        if not channel.get("to") or not all("@" in a for a in channel["to"]):
            raise ValueError("需要收件地址 / email needs recipient addresses")
        if not channel.get("smtp"):
            raise ValueError("需要 SMTP 服务器 host:port / email needs an SMTP server host:port")
    elif kind == "apprise":
        import apprise  # parses the URL with the service's own plugin; sends nothing

        if "://" not in str(channel.get("url", "")) or not apprise.Apprise().add(str(channel["url"])):
            raise ValueError(
                "apprise 无法识别这个地址，如 dingtalk://TOKEN / apprise does not know this URL (e.g. dingtalk://TOKEN)"
            )
    else:
        raise ValueError(
            f"渠道应为 {'/'.join(CHANNEL_TYPES)} / channel must be one of {', '.join(CHANNEL_TYPES)}"
        )


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, list):
        value = "、".join(
            str(v.get("name") or v.get("url")) if isinstance(v, dict) else str(v) for v in value
        )
    text = "（无）" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
