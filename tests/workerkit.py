"""Crawl workers in their own processes against one PostgreSQL frontier, judged from the server's request log.

A worker is the real command, `gongkai --data-dir DIR crawl --worker [URL...]`, configured through the
environment as a user would (GONGKAI_DATABASE_URL, GONGKAI_ARCHIVE_WORKER_ID, GONGKAI_CRAWLER_*). All workers
share one data directory (each writes its own WARC files, named by its worker id) and the catalogue in the same
PostgreSQL database as the frontier, so a worker that takes over a killed one's URL finds its committed capture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from archive import Catalogue, DataDir

DELAY_S = 0.05
SCHED_SLACK_S = (
    0.03  # the server stamps an end after its last write; a loaded 2-core machine delays that stamp
)
ABANDON_SLACK_S = 0.04  # a response the killed client abandoned ends when the server notices the hang-up


def worker_env(database: str, slot: int, **crawler: Any) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGKAI_DATABASE_URL": database,
        "GONGKAI_CRAWLER_DELAY_S": str(DELAY_S),
        "GONGKAI_CRAWLER_JITTER": "0",
        "GONGKAI_CRAWLER_CONNECT_TIMEOUT_S": "2",
        "GONGKAI_CRAWLER_READ_TIMEOUT_S": "2",
        "GONGKAI_CRAWLER_TOTAL_DEADLINE_S": "5",
        "GONGKAI_CRAWLER_USER_AGENT": f"gongkai-test/0.1 worker-{slot} (+https://example.org/gongkai-contact)",
        "GONGKAI_ARCHIVE_WORKER_ID": f"w{slot}",
    }
    env.update({f"GONGKAI_CRAWLER_{k.upper()}": str(v) for k, v in crawler.items()})
    return env


def data_root(base: Path) -> Path:
    return base / "data"


def start_worker(
    base: Path, database: str, slot: int, seeds: list[str], **crawler: Any
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gongkai", "-v", "--data-dir", str(data_root(base)), "crawl", "--worker"]
    return subprocess.Popen(
        [*command, *seeds],
        env=worker_env(database, slot, **crawler),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def seed_run(database: str, seeds: list[str]) -> None:
    """Start a run from `seeds` on the shared frontier without crawling, as a seeding worker's first step does,
    so that workers started together all join it (none has a head start of its process's start-up)."""
    from crawler.pgfrontier import PgFrontier
    from crawler.run import canonical_seeds
    from crawler.summary import CrawlSummary

    frontier = PgFrontier.open(database, lease_s=30.0, worker="seeder")
    try:
        frontier.begin_run(canonical_seeds(seeds, CrawlSummary()))
    finally:
        frontier.close()


def wait_for_run(database: str, timeout_s: float = 30.0) -> None:
    """Until the seeding worker's run is visible (workers without URLs join it)."""
    import psycopg

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with psycopg.connect(database, autocommit=True) as conn:
            if conn.execute("SELECT to_regclass('crawl_runs')").fetchone() != (None,):
                if conn.execute("SELECT 1 FROM crawl_runs").fetchone() is not None:
                    return
        time.sleep(0.05)
    raise AssertionError("the seeding worker started no run")


def finish(proc: subprocess.Popen[bytes], timeout_s: float = 300.0) -> str:
    out, err = proc.communicate(timeout=timeout_s)
    text = out.decode(errors="replace") + err.decode(errors="replace")
    assert proc.returncode == 0, text[-3000:]
    return text


def data_dir(base: Path, database: str) -> DataDir:
    return DataDir(data_root(base), database=database)


def document_captures(base: Path, database: str) -> Counter[str]:
    """Document captures per URL in the shared catalogue."""
    catalogue = Catalogue(data_dir(base, database).catalogue_target, readonly=True)
    try:
        return Counter(c["url"] for c in catalogue.iter_captures() if c["kind"] == "document")
    finally:
        catalogue.close()


def documents(base: Path, database: str) -> Counter[str]:
    """Document rows per URL in the shared catalogue."""
    catalogue = Catalogue(data_dir(base, database).catalogue_target, readonly=True)
    try:
        return Counter(d.url for d in catalogue.iter_documents())
    finally:
        catalogue.close()


def user_agent_slot(hit: Any) -> int:
    """Which worker sent a request (each names its slot in its User-Agent); -1 when none did."""
    agent = str(hit.headers.get("User-Agent", ""))
    return int(agent.split("worker-", 1)[1].split(" ", 1)[0]) if "worker-" in agent else -1


def path_of(url: str) -> str:
    rest = url.split("://", 1)[1]
    return rest[rest.find("/") :]


def overlaps(hits: list[Any]) -> list[tuple[str, str]]:
    return [(a.path_qs, b.path_qs) for a, b in zip(hits, hits[1:], strict=False) if b.start < a.end]


def short_gaps(hits: list[Any], delay_s: float) -> list[tuple[str, float]]:
    return [
        (f"{a.path_qs} -> {b.path_qs}", round(b.start - a.end, 4))
        for a, b in zip(hits, hits[1:], strict=False)
        if b.start - a.end < delay_s - SCHED_SLACK_S - (ABANDON_SLACK_S if a.aborted else 0.0)
    ]


def gap_figures(hits: list[Any]) -> str:
    gaps = sorted(b.start - a.end for a, b in zip(hits, hits[1:], strict=False))
    if not gaps:
        return "no gaps"
    median = gaps[len(gaps) // 2]
    return f"{len(hits)} requests, gaps min {gaps[0]:.4f} s, median {median:.4f} s, max {gaps[-1]:.4f} s"
