"""Loopback receivers for the watch tests: a webhook server that checks the HMAC, an SMTP server (aiosmtpd).

Both record everything they receive; both are started and stopped by the test that needs them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SECRET = "s3cret-for-the-loopback-receiver"
TOKEN = "write-token-for-tests-0123456789"


@dataclass
class Received:
    delivery_id: str
    payload: dict[str, Any]
    signature_ok: bool


@dataclass
class Webhook:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200

    def events(self, alert: str) -> list[tuple[str, str]]:
        """(kind, url) of every event delivered for `alert`, one per delivery id (a resend counted once)."""
        seen: dict[str, Received] = {}
        for r in self.received:
            seen.setdefault(r.delivery_id, r)
        return [
            (e["kind"], e["url"])
            for r in seen.values()
            if r.payload["alert"]["name"] == alert
            for e in r.payload["events"]
        ]


@contextmanager
def webhook_server(status: int = 200) -> Iterator[Webhook]:
    hook = Webhook(url="", status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            given = self.headers.get("X-Gongkai-Signature") or ""
            ok = hmac.compare_digest(expected, given)
            if hook.status == 200:
                hook.received.append(
                    Received(self.headers.get("X-Gongkai-Delivery") or "", json.loads(body), ok)
                )
            self.send_response(hook.status if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Any] = field(default_factory=list)

    def events(self) -> list[tuple[str, str]]:
        """(kind, url) pairs read back from the plain-text messages."""
        found = []
        for message in self.messages:
            kind = None
            for line in message.get_content().splitlines():
                head = re.match(r"^\[(\S+) (new|changed|removed)\] ", line)
                if head:
                    kind = head.group(2)
                elif kind and line.strip().startswith("http"):
                    found.append((kind, line.strip()))
                    kind = None
        return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def write_config(root: Path, **watch: Any) -> None:
    """gongkai.toml for a test data dir: fast loopback crawling, removals on the first 404, the write side on."""
    root.mkdir(parents=True, exist_ok=True)
    settings = {
        "interval_s": 3600,
        "recheck_s": 3600,
        "jitter": 0.0,
        "poll_s": 0.05,
        "alert_max_matches": 40,
        "alert_pause_after": 2,
        "write_enabled": True,
        "write_token": TOKEN,
        **watch,
    }
    lines = [
        "[crawler]",
        "delay_s = 0.002",
        "jitter = 0.1",
        "connect_timeout_s = 2.0",
        "read_timeout_s = 2.0",
        "total_deadline_s = 5.0",
        "attachment_deadline_s = 5.0",
        "backoff_base_s = 0.01",
        'user_agent = "gongkai-test/0.1 (+https://example.org/gongkai-contact)"',
        "[archive]",
        "removed_after = 1",
        "[watch]",
    ]
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    (root / "gongkai.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
