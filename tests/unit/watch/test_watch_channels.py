"""The channels against loopback receivers: a signed webhook, SMTP (aiosmtpd), and apprise (its json:// plugin
posting to a loopback server, the same code path as the DingTalk/WeCom/Feishu plugins up to the service's URL)."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration"))

import watchkit as wk  # noqa: E402

from gongkai.watch.channels import ChannelError, check_channel, deliver, render_text, sign  # noqa: E402

PAYLOAD: dict[str, Any] = {
    "delivery_id": "gongkai-1-10-12",
    "alert": {"id": 1, "name": "征地", "query": {"q": "征地补偿"}, "frequency": "immediate"},
    "created_at": "2026-12-02T09:00:00+08:00",
    "counts": {"new": 1, "changed": 1, "removed": 1},
    "events": [
        {
            "kind": "new",
            "id": "a1",
            "title": "关于征地补偿标准的通知",
            "url": "http://gov.example/a1.html",
            "publish_date": "2026-11-30",
            "at": "2026-12-02T00:59:00Z",
            "archived_at": "2026-12-02T00:59:00Z",
        },
        {
            "kind": "changed",
            "id": "b2",
            "title": "征地补偿安置方案",
            "url": "http://gov.example/b2.html",
            "changes": [{"field": "doc_no", "old": "岚政〔2026〕1号", "new": "岚政〔2026〕2号"}],
            "added_text": "补偿标准提高至每亩六万元。",
            "body_changed": True,
            "at": "2026-12-02T01:00:00Z",
        },
        {
            "kind": "removed",
            "id": "c3",
            "title": "征地公告",
            "url": "http://gov.example/c3.html",
            "removed_at": "2026-12-02T01:01:00Z",
            "last_seen_at": "2026-11-25T01:00:00Z",
            "at": "2026-12-02T01:01:00Z",
        },
    ],
}


@contextmanager
def plain_receiver(status: int = 200) -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    got: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append((dict(self.headers), self.rfile.read(int(self.headers.get("Content-Length") or 0))))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", got
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_webhook_is_signed_over_the_exact_body_and_a_refusal_is_an_error() -> None:
    with wk.webhook_server() as hook:
        deliver({"type": "webhook", "url": hook.url, "secret": wk.SECRET}, PAYLOAD, timeout_s=5)
        with pytest.raises(ChannelError, match="HTTP 401"):  # the receiver refuses a wrong signature
            deliver(
                {"type": "webhook", "url": hook.url, "secret": "another-secret-entirely"},
                PAYLOAD,
                timeout_s=5,
            )
    assert [r.signature_ok for r in hook.received] == [True, False]
    assert hook.received[0].delivery_id == "gongkai-1-10-12" and hook.received[0].payload == PAYLOAD
    body = json.dumps(PAYLOAD, ensure_ascii=False, sort_keys=True).encode()
    assert sign(body, "k") == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    with plain_receiver(status=500) as (address, _got), pytest.raises(ChannelError, match="HTTP 500"):
        deliver({"type": "webhook", "url": f"http://{address}/", "secret": wk.SECRET}, PAYLOAD, timeout_s=5)


def test_email_over_smtp_says_what_happened() -> None:
    with wk.smtp_server() as box:
        channel = {
            "type": "email",
            "to": ["a@example.org"],
            "smtp": f"{box.host}:{box.port}",
            "from": "g@example.org",
        }
        deliver(channel, PAYLOAD, timeout_s=5)
    [message] = box.messages
    assert message["Message-ID"] == "<gongkai-1-10-12@gongkai>" and "征地" in message["Subject"]
    text = message.get_content()
    assert "发布于 published 2026-11-30" in text
    assert "文号：岚政〔2026〕1号 → 岚政〔2026〕2号" in text and "补偿标准提高至每亩六万元。" in text
    assert "删除于 removed 2026-12-02T01:01:00Z" in text
    assert sorted(box.events()) == [
        ("changed", "http://gov.example/b2.html"),
        ("new", "http://gov.example/a1.html"),
        ("removed", "http://gov.example/c3.html"),
    ]
    with pytest.raises(ChannelError, match="email"):
        deliver({**channel, "smtp": f"127.0.0.1:{wk.free_port()}"}, PAYLOAD, timeout_s=2)


def test_apprise_carries_the_same_text() -> None:
    with plain_receiver() as (address, got):
        deliver({"type": "apprise", "url": f"json://{address}/notify"}, PAYLOAD, timeout_s=5)
    [(_headers, body)] = got
    sent = json.loads(body)
    assert (
        sent["title"].startswith("【gongkai 提醒】征地")
        and sent["message"].strip() == render_text(PAYLOAD).strip()
    )
    with pytest.raises(ChannelError, match="apprise"):
        deliver({"type": "apprise", "url": f"json://127.0.0.1:{wk.free_port()}/x"}, PAYLOAD, timeout_s=2)


@pytest.mark.parametrize(
    ("channel", "needle"),
    [
        ({"type": "webhook", "url": "ftp://x", "secret": "0123456789abcdef"}, "http(s) URL"),
        ({"type": "webhook", "url": "http://x/", "secret": "short"}, "at least 16"),
        ({"type": "email", "to": ["nobody"], "smtp": "h:25"}, "recipient"),
        ({"type": "email", "to": ["a@b.c"]}, "SMTP server"),
        ({"type": "apprise", "url": "nope://x"}, "does not know this URL"),
        ({"type": "pigeon"}, "channel must be one of"),
    ],
)
def test_unusable_channels_are_refused_before_saving(channel: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_channel(channel)
    assert needle in str(caught.value)


def test_chat_services_urls_are_understood() -> None:
    for url in ("dingtalk://" + "a" * 64 + "/", "wecombot://" + "b" * 32, "feishu://" + "c" * 32):
        check_channel({"type": "apprise", "url": url})
