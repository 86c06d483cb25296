"""Saved searches against a fixture site that changes between re-crawls (issue 15, "Done when").

One demo site, watched through `sources.toml` and `gongkai watch --once` on a simulated clock (GONGKAI_FAKE_NOW):
cycle 0 archives it; then the alerts are saved; cycle 1 sees 3 new, some edited and some removed documents while
every page also has a new view counter, generation time and session tokens and every attachment moved to another
port; cycle 2 sees only such volatile changes (and the attachments moving back); cycle 3 is the daily digest
hour. Each alert must be told exactly the real new/changed/removed documents its search matches (0 missed, 0
false) within the cycle they happened in: webhooks checked by a loopback receiver that verifies the HMAC, email
by a loopback SMTP server; a too-broad search is refused; an alert whose channel keeps failing is paused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import crawlkit as ck
import pytest
import watchkit as wk
from click.testing import CliRunner, Result

from demosite.docs import DemoDoc
from demosite.server import serve_site
from demosite.site import DemoSite
from gongkai.cli import main

pytestmark = pytest.mark.slow

SITE_SEED, N_DOCS, ADDED = 5, 60, 3
T0 = datetime(2026, 11, 1, 18, 10, tzinfo=UTC)  # 02:10 Beijing; the daily digest hour is 08:00 Beijing
AGENCY, TOPIC, WORD, DEAD_AGENCY = "市市场监督管理局", "城乡建设", "方案", "市交通运输局"


def _pick(docs: list[DemoDoc]) -> tuple[list[int], list[int]]:
    """Edited and removed documents: some matching each alert, some matching none of them."""
    by = {
        "agency": [d.index for d in docs if d.agency == AGENCY],
        "topic": [d.index for d in docs if d.topic == TOPIC],
        "dead": [d.index for d in docs if d.agency == DEAD_AGENCY],
        "word": [d.index for d in docs if WORD in d.title],
        "none": [
            d.index
            for d in docs
            if d.agency not in (AGENCY, DEAD_AGENCY) and d.topic != TOPIC and WORD not in d.title + d.body
        ],
    }
    changed = sorted({by["agency"][0], by["topic"][0], by["dead"][0], by["word"][0], by["none"][0]})
    removed = sorted({i for i in (by["agency"][-1], by["topic"][-1], by["none"][-1]) if i not in changed})
    return changed, removed


def _expected(
    base: DemoSite,
    after: DemoSite,
    changed: list[int],
    removed: list[int],
    match: Callable[[DemoDoc], bool],
    url: str,
) -> set[tuple[str, str]]:
    new = {("new", d.url(url)) for d in after.documents[N_DOCS:] if match(d)}
    edits = {("changed", after.documents[i].url(url)) for i in changed if match(after.documents[i])}
    gone = {("removed", base.documents[i].url(url)) for i in removed if match(base.documents[i])}
    return new | edits | gone


def test_alerts_fire_exactly_for_real_changes_within_one_cycle(tmp_path: Path) -> None:
    root, clock_file = tmp_path / "data", tmp_path / "now.txt"
    wk.write_config(root)
    env = {
        "GONGKAI_FAKE_NOW": f"@{clock_file}",
        "GONGKAI_TOKEN": wk.TOKEN,
        "GONGKAI_WEBHOOK_SECRET": wk.SECRET,
    }

    def cli(*args: str) -> Result:
        return CliRunner().invoke(main, ["--data-dir", str(root), *args], env=env, catch_exceptions=False)

    def cycle(at: datetime) -> str:
        clock_file.write_text(at.isoformat(), encoding="utf-8")
        result = cli("watch", "--once")
        assert result.exit_code == 0, result.output
        return result.output

    plain = DemoSite(seed=SITE_SEED, n_docs=N_DOCS)
    changed, removed = _pick(plain.documents)
    with (
        ck.served(plain) as (srv, switch),
        serve_site(switch) as other,
        wk.webhook_server() as hook,
        wk.smtp_server() as box,
    ):
        files_a, files_b = srv.url, other.url  # the attachment host moves between these two ports

        def site(visit: int, files: str, *, edited: bool) -> DemoSite:
            if not edited:
                return DemoSite(seed=SITE_SEED, n_docs=N_DOCS, volatile=visit, files_base=files)
            return DemoSite(
                seed=SITE_SEED,
                n_docs=N_DOCS,
                added=ADDED,
                changed=changed,
                removed=removed,
                volatile=visit,
                files_base=files,
            )

        base = site(1, files_a, edited=False)
        switch.switch(base)
        port_b = other.url.rsplit(":", 1)[1]
        added = cli(
            "sources",
            "add",
            "demo",
            *ck.seeds(srv, plain),
            "--interval",
            "1h",
            "--recheck",
            "1h",
            "--label",
            "演示站",
            "--extra-host",
            f"127.0.0.1:{port_b}",
        )
        assert added.exit_code == 0, added.output
        out0 = cycle(T0)
        assert "watch demo recheck" in out0 and f"new={N_DOCS}" in out0

        # The saved searches, after the first archive (an alert is about what happens from now on).
        saved = {
            "agency": cli("alerts", "add", "agency", "--agency", AGENCY, "--webhook", hook.url),
            "word": cli(
                "alerts",
                "add",
                "word",
                WORD,
                "--email",
                "watcher@example.org",
                "--smtp",
                f"{box.host}:{box.port}",
            ),
            "topic": cli(
                "alerts", "add", "topic", "--topic", TOPIC, "--every", "daily", "--webhook", hook.url
            ),
            "dead": cli(
                "alerts",
                "add",
                "dead",
                "--agency",
                DEAD_AGENCY,
                "--webhook",
                f"http://127.0.0.1:{wk.free_port()}/x",
            ),
        }
        for name, result in saved.items():
            assert result.exit_code == 0, (name, result.output)
        broad = cli("alerts", "add", "everything", "--webhook", hook.url)
        assert (
            broad.exit_code == 1
            and "超过提醒上限" in broad.output
            and "more than the alert limit" in broad.output
        )
        assert "Traceback" not in broad.output

        after = site(2, files_b, edited=True)
        switch.switch(after)
        out1 = cycle(T0 + timedelta(hours=1))
        assert f"new={ADDED} changed={len(changed)} removed={len(removed)}" in out1, out1
        url = srv.url
        truth = {
            "agency": _expected(plain, after, changed, removed, lambda d: d.agency == AGENCY, url),
            "word": _expected(plain, after, changed, removed, lambda d: WORD in d.title + "\n" + d.body, url),
            "topic": _expected(plain, after, changed, removed, lambda d: d.topic == TOPIC, url),
        }
        for name, expected in truth.items():
            assert {k for k, _ in expected} >= {"changed"}, (name, expected)
        # Within the cycle: the immediate alerts have been told, the daily digest waits for its hour.
        assert set(hook.events("agency")) == truth["agency"] and len(hook.events("agency")) == len(
            truth["agency"]
        )
        assert sorted(box.events()) == sorted(truth["word"])
        assert hook.events("topic") == []
        assert all(r.signature_ok for r in hook.received)

        # Only volatile parts (counter, generation time, session tokens) and the attachment host change now.
        switch.switch(site(3, files_a, edited=True))
        versions_before = ck.snapshot(root).versions
        out2 = cycle(T0 + timedelta(hours=2))
        assert "new=0 changed=0 removed=0" in out2, out2
        assert ck.snapshot(root).versions == versions_before
        assert set(hook.events("agency")) == truth["agency"] and len(box.messages) == 1

        out3 = cycle(T0 + timedelta(hours=14))  # 08:10 Beijing the next day: the digest
        assert "new=0 changed=0 removed=0" in out3
        assert sorted(hook.events("topic")) == sorted(truth["topic"])
        assert len(hook.events("agency")) == len(truth["agency"])  # nothing sent twice

        listed: list[dict[str, Any]] = json.loads(cli("alerts", "list", "--json").output)
        status = {a["name"]: a for a in listed}
        assert status["dead"]["status"] == "paused" and status["dead"]["failures"] == 2
        assert status["agency"]["status"] == "active" and "secret" not in status["agency"]["channel"]
        state = json.loads(cli("sources", "list", "--json").output)
        last = state["sources"][0]["last_run"]
        assert last["status"] == "done" and state["sources"][0]["failures"] == 0

    # The messages say what happened: publication date of new documents, field changes and added text of edits.
    payloads = [r.payload for r in hook.received if r.payload["alert"]["name"] == "agency"]
    events = [e for p in payloads for e in p["events"]]
    for e in events:
        if e["kind"] == "new":
            assert e["publish_date"] and e["archived_at"]
        if e["kind"] == "changed":
            assert e["changes"] or e["added_text"]
    text = box.messages[0].get_content()
    assert "发布于" in text or "新增内容" in text or "删除于" in text
