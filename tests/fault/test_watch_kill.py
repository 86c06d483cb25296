"""kill -9 `gongkai watch` 10 times over a simulated week (issue 15, "Done when").

Two watched demo sites (two hosts), re-crawled every 12 h and re-checked every 2 days on a clock the test drives
(GONGKAI_FAKE_NOW=@file): the week is walked in 6-hour steps, and at 10 seeded random steps the watcher is killed
with SIGKILL while it works, then started again at the same simulated time. The sites change during the week
(new documents, edits, a removal) and one webhook alert watches everything. Pass: every period of every source
has exactly one finished run (none skipped, none run twice), the seed pages were fetched once per run (plus at
most the page in flight at a kill), and the receiver got every event exactly once by delivery id.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

import crawlkit as ck  # noqa: E402
import watchkit as wk  # noqa: E402

from archive import Catalogue, DataDir  # noqa: E402
from demosite.site import DemoSite  # noqa: E402
from gongkai.config import load_config  # noqa: E402
from gongkai.watch.clock import FakeClock  # noqa: E402
from gongkai.watch.scheduler import Watcher  # noqa: E402
from gongkai.watch.sources import load_sources  # noqa: E402

pytestmark = [pytest.mark.kill, pytest.mark.slow]

KILLS = 10
N_DOCS = 30
START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
STEP = timedelta(hours=6)
STEPS = 28  # a week
# Simulated day -> what the sites look like from then on.
CHANGES = {1: "a-add", 2: "b-edit", 4: "a-edit"}
ADDED = 3


def _start(root: Path, clock: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GONGKAI_FAKE_NOW": f"@{clock}"}
    return subprocess.Popen(
        [sys.executable, "-m", "gongkai", "--data-dir", str(root), "watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _set_clock(clock: Path, at: datetime) -> None:
    """Atomically: the watcher reads the file at any moment."""
    tmp = clock.with_suffix(".tmp")
    tmp.write_text(at.isoformat(), encoding="utf-8")
    os.replace(tmp, clock)


def _idle(watcher: Watcher, root: Path, at: datetime) -> bool:
    if watcher.due(load_sources(root), at):
        return False
    with sqlite3.connect(f"file:{root / 'watch.sqlite'}?mode=ro", uri=True) as c:
        waiting = c.execute("SELECT COUNT(*) FROM outbox WHERE state != 'sent'").fetchone()[0]
        cursor = c.execute("SELECT COALESCE(MAX(value), 0) FROM cursor").fetchone()[0]
        alerts = c.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    with Catalogue(DataDir(root).catalogue_path, readonly=True) as cat:
        caught_up = cursor >= cat.max_event_id() or alerts == 0
    return waiting == 0 and caught_up


def _running(root: Path) -> bool:
    with sqlite3.connect(f"file:{root / 'watch.sqlite'}?mode=ro", uri=True) as c:
        return bool(
            c.execute("SELECT COUNT(*) FROM runs WHERE status IN ('running', 'crawled')").fetchone()[0]
        )


def test_kill_nine_over_a_simulated_week_skips_repeats_and_loses_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("GONGKAI_SEED", "1515"))
    print(f"GONGKAI_SEED={seed}")
    rng = random.Random(seed)
    root, clock = tmp_path / "data", tmp_path / "now.txt"
    wk.write_config(root, interval_s=43200, recheck_s=172800, jitter=0.1, alert_max_matches=1000)
    clock.write_text(START.isoformat(), encoding="utf-8")
    site_a, site_b = DemoSite(seed=21, n_docs=N_DOCS), DemoSite(seed=22, n_docs=N_DOCS)
    edited, gone = [3], [7]
    with ck.served(site_a) as (srv_a, sw_a), ck.served(site_b) as (srv_b, sw_b), wk.webhook_server() as hook:
        lines = [
            "[source.a]",
            f"seeds = {ck.seeds(srv_a, site_a)!r}".replace("'", '"'),
            'interval = "12h"',
            'recheck = "2d"',
            "",
            "[source.b]",
            f"seeds = {ck.seeds(srv_b, site_b)!r}".replace("'", '"'),
            'interval = "12h"',
            'recheck = "2d"',
            "",
        ]
        (root / "sources.toml").write_text("\n".join(lines), encoding="utf-8")
        cfg = load_config(root, {})
        watcher = Watcher(cfg, cfg.watch, FakeClock(value=START), echo=lambda _l: None)
        sources = load_sources(root)

        def periods(at: datetime) -> list[int]:
            return [watcher.period(s, kind, at) for s in sources for kind in ("crawl", "recheck")]

        # the steps at which some period begins: the watcher has work to be killed in
        busy = [
            n for n in range(1, STEPS + 1) if periods(START + n * STEP) != periods(START + (n - 1) * STEP)
        ]
        kill_steps = set(rng.sample(busy, KILLS))
        proc = _start(root, clock)
        kills = mid_run = 0
        alert_added = False
        try:
            for step in range(STEPS + 1):
                at = START + step * STEP
                day = step * STEP // timedelta(days=1)
                change = CHANGES.get(day) if step * STEP % timedelta(days=1) == timedelta(0) else None
                if change == "b-edit":
                    sw_b.switch(DemoSite(seed=22, n_docs=N_DOCS, changed=edited, removed=gone))
                elif change == "a-add":
                    sw_a.switch(DemoSite(seed=21, n_docs=N_DOCS, added=ADDED))
                elif change == "a-edit":
                    sw_a.switch(DemoSite(seed=21, n_docs=N_DOCS, added=ADDED, changed=edited))
                # a kill's moment: after 1 to 4 of the run's requests reached a site (counted before time moves)
                target = sum(len(s.access_log.entries()) for s in (srv_a, srv_b)) + rng.randint(1, 4)
                _set_clock(clock, at)
                if step in kill_steps:
                    deadline = time.monotonic() + 20
                    while time.monotonic() < deadline and proc.poll() is None:
                        if sum(len(s.access_log.entries()) for s in (srv_a, srv_b)) >= target:
                            break
                        time.sleep(0.002)
                    time.sleep(rng.uniform(0.0, 0.01))
                    mid_run += _running(root)
                    proc.send_signal(signal.SIGKILL)
                    proc.communicate(timeout=30)
                    kills += 1
                    proc = _start(root, clock)
                deadline = time.monotonic() + 90
                while not _idle(watcher, root, at):
                    assert proc.poll() is None, proc.communicate()[1].decode(errors="replace")[-2000:]
                    assert time.monotonic() < deadline, f"step {step}: the watcher did not catch up"
                    time.sleep(0.05)
                if not alert_added:  # after the first archive: the alert is about the week's changes
                    alert = subprocess.run(
                        [
                            sys.executable,
                            "-m",
                            "gongkai",
                            "--data-dir",
                            str(root),
                            "alerts",
                            "add",
                            "all",
                            "--webhook",
                            hook.url,
                            "--secret",
                            wk.SECRET,
                            "--token",
                            wk.TOKEN,
                        ],
                        capture_output=True,
                        env={**os.environ, "GONGKAI_FAKE_NOW": f"@{clock}"},
                        check=False,
                    )
                    assert alert.returncode == 0, alert.stderr
                    alert_added = True
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
            watcher.close()
        hits = {"a": srv_a.access_log.entries(), "b": srv_b.access_log.entries()}
        seeds = {"a": set(site_a.seed_paths), "b": set(site_b.seed_paths)}
        base = {"a": srv_a.url, "b": srv_b.url}

    assert kills == KILLS
    print(f"kills {kills}, of them mid-run {mid_run}")
    assert mid_run >= KILLS // 2  # most kills hit a run at work, not an idle loop
    end = START + STEPS * STEP
    with sqlite3.connect(root / "watch.sqlite") as c:
        c.row_factory = sqlite3.Row
        runs = c.execute("SELECT * FROM runs").fetchall()
    for name in ("a", "b"):
        source = next(s for s in load_sources(root) if s.name == name)
        for kind in ("crawl", "recheck"):
            first, last = watcher.period(source, kind, START), watcher.period(source, kind, end)
            done = Counter(r["period"] for r in runs if r["source"] == name and r["kind"] == kind)
            assert sorted(done) == list(range(first, last + 1)), (name, kind)  # no period skipped
            assert set(done.values()) == {1}  # one run each
        assert all(r["status"] == "done" for r in runs if r["source"] == name)
        performed = sum(1 for r in runs if r["source"] == name and r["covered_by"] is None)
        killed = sum(r["attempts"] - 1 for r in runs if r["source"] == name)
        seed_gets = [h for h in hits[name] if h.method == "GET" and h.path_qs.split("?")[0] in seeds[name]]
        per_seed = len(seed_gets) / len(seeds[name])
        # each run fetches each seed once; a kill can make the page in flight be fetched again
        assert performed <= per_seed <= performed + killed, (name, performed, per_seed, killed)

    expected = {
        ("new", base["a"] + d.path) for d in DemoSite(seed=21, n_docs=N_DOCS, added=ADDED).documents[N_DOCS:]
    }
    expected |= {("changed", base["a"] + site_a.documents[i].path) for i in edited}
    expected |= {("changed", base["b"] + site_b.documents[i].path) for i in edited}
    expected |= {("removed", base["b"] + site_b.documents[i].path) for i in gone}
    delivered = Counter(hook.events("all"))
    assert set(delivered) == expected  # 0 lost, 0 false
    assert set(delivered.values()) == {1}  # no event in two messages
    assert all(r.signature_ok for r in hook.received)
    resent = len(hook.received) - len({r.delivery_id for r in hook.received})
    print(
        f"deliveries {len(hook.received)}, resent after a kill {resent}; watch said: {out.decode()[-300:]} {err.decode()[-300:]}"
    )
    assert resent <= kills
