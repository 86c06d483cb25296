"""kill -9 of a crawl worker 5 times mid-crawl, three workers on one PostgreSQL frontier (issue 13, done-when).

Each killed worker is restarted at once (it joins the unfinished run); its leases run out after
`crawler.lease_timeout_s` and its URLs come back. Pass: 0 documents lost, 0 duplicated, each kill re-fetches at
most the one URL its worker had leased, and politeness holds throughout (the killed worker's host hold runs out
too, so no request overlaps the one it abandoned).
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from govsim.server import GovSim, serve_govsim
from pgserver import PgServer
from workerkit import (
    DELAY_S,
    data_dir,
    document_captures,
    documents,
    finish,
    gap_figures,
    overlaps,
    path_of,
    short_gaps,
    start_worker,
    user_agent_slot,
    wait_for_run,
)

from archive import verify_archive
from demosite.site import DemoSite

pytestmark = [pytest.mark.kill, pytest.mark.slow]
KILLS = 5
WORKERS = 3
N_DOCS = 60
LEASE_S = 1.0


def test_kill_nine_of_workers_loses_and_duplicates_nothing(pg_server: PgServer, tmp_path: Path) -> None:
    seed = int(os.environ.get("GONGKAI_SEED", "1313"))
    print(f"GONGKAI_SEED={seed}")
    rng = random.Random(seed)
    site = DemoSite(seed=9, n_docs=N_DOCS)
    db = pg_server.create_database()
    with serve_govsim(GovSim(base=site), process=True) as srv:
        procs: dict[int, subprocess.Popen[bytes]] = {
            0: start_worker(tmp_path, db, 0, [srv.url + "/"], lease_timeout_s=LEASE_S)
        }
        wait_for_run(db)
        for slot in range(1, WORKERS):
            procs[slot] = start_worker(tmp_path, db, slot, [], lease_timeout_s=LEASE_S)
        kills, victims, kill_times, resumed = 0, [], [], 0
        while kills < KILLS:
            target = len(srv.hits()) + rng.randint(3, 12)
            deadline = time.monotonic() + 60
            while len(srv.hits()) < target and time.monotonic() < deadline:
                if all(p.poll() is not None for p in procs.values()):
                    break
                time.sleep(0.002)
            alive = [slot for slot, p in procs.items() if p.poll() is None]
            if not alive:
                break
            time.sleep(rng.uniform(0.0, 0.03))  # a random moment, not just after a response
            # half the time the worker whose request came last (mid-request, archiving or committing: the
            # cases that could lose or duplicate), else any live one (usually waiting for the host with a lease)
            latest = user_agent_slot(srv.hits()[-1])
            victim = latest if latest in alive and rng.random() < 0.5 else rng.choice(alive)
            victims.append(victim)
            kill_times.append(time.monotonic())
            procs[victim].send_signal(signal.SIGKILL)
            _, err = procs[victim].communicate(timeout=30)
            resumed += err.count(b"(no re-fetch)")
            kills += 1
            procs[victim] = start_worker(tmp_path, db, victim, [], lease_timeout_s=LEASE_S)
        for proc in procs.values():
            resumed += finish(proc).count("(no re-fetch)")
        hits = srv.hits()
    print(f"{kills} kills (workers {victims}); {gap_figures(hits)}")
    t0 = hits[0].start
    longest = sorted(zip(hits, hits[1:], strict=False), key=lambda ab: ab[0].end - ab[1].start)[:3]
    for a, b in longest:
        print(f"  gap {b.start - a.end:.3f} s at {a.end - t0:.2f} s: {a.path_qs} -> {b.path_qs}")
    print("  kills at", [round(k - t0, 2) for k in kill_times])
    assert kills == KILLS

    expected = {d.path for d in site.documents}
    docs = documents(tmp_path, db)
    assert {path_of(u) for u in docs} == expected  # 0 lost
    pages = [h.path_qs for h in hits if h.path_qs != "/robots.txt"]
    again = sorted(p for p, n in collections.Counter(pages).items() if n > 1)
    print(f"page GETs {len(pages)}, distinct {len(set(pages))}, fetched again {len(again)}: {again}")
    # each kill re-fetches at most what its worker had leased: one URL
    assert len(pages) <= len(set(pages)) + KILLS
    assert set(docs.values()) == {1}  # 0 duplicated
    assert set(document_captures(tmp_path, db).values()) == {1}  # none archived twice
    print(f"finished from a killed worker's capture without the network: {resumed}")
    report = verify_archive(data_dir(tmp_path, db))
    assert report.ok, report.lines()
    assert overlaps(hits) == []
    assert short_gaps(hits, DELAY_S) == []
