"""One crawl worker against three on one PostgreSQL frontier and catalogue, over three hosts (issue 13).

Three gov-sim servers (three hosts, each in its own process so its request log is not skewed) serve three demo
sites; the same crawl of all three runs once with one `gongkai crawl --worker` process and once with three, each
into a fresh database and data dir. Reported per run: wall time, requests, documents, the smallest gap between
two requests to one host (politeness: never below the delay) and whether two requests to one host ever
overlapped; and the ratio one/three of wall time (above 1: the workers share the work). Bounded: about 100
requests per run.

    python bench/workers_bench.py [--docs 20] [--delay 0.05] [--database postgresql://user@host:port/postgres]

Without --database a throw-away server is started as the tests do (tests/pgserver.py: initdb + pg_ctl).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from govsim.server import GovSim, serve_govsim  # noqa: E402

from archive import Catalogue, DataDir  # noqa: E402
from demosite.site import DemoSite  # noqa: E402


def _env(database: str, slot: int, delay: float) -> dict[str, str]:
    return {
        **os.environ,
        "GONGKAI_DATABASE_URL": database,
        "GONGKAI_ARCHIVE_WORKER_ID": f"w{slot}",
        "GONGKAI_CRAWLER_DELAY_S": str(delay),
        "GONGKAI_CRAWLER_JITTER": "0",
        "GONGKAI_CRAWLER_USER_AGENT": "gongkai-bench/0.1 (+https://example.org/gongkai)",
    }


def _worker(root: Path, database: str, slot: int, seeds: list[str], delay: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gongkai", "--data-dir", str(root), "crawl", "--worker", *seeds],
        env=_env(database, slot, delay),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_run(database: str) -> None:
    import psycopg

    for _ in range(600):
        with psycopg.connect(database, autocommit=True) as conn:
            if conn.execute("SELECT to_regclass('crawl_runs')").fetchone() != (None,):
                if conn.execute("SELECT 1 FROM crawl_runs").fetchone():
                    return
        time.sleep(0.05)
    raise SystemExit("the seeding worker started no run")


def run(
    workers: int, sites: list[DemoSite], new_db: Callable[[], str], delay: float, work: Path
) -> dict[str, Any]:
    database, root = new_db(), work / f"data-{workers}-{uuid.uuid4().hex[:6]}"
    servers = [serve_govsim(GovSim(base=site), process=True) for site in sites]
    running = [s.__enter__() for s in servers]
    try:
        seeds = [srv.url + "/" for srv in running]
        started = time.perf_counter()
        procs = [_worker(root, database, 0, seeds, delay)]
        _wait_for_run(database)
        procs += [_worker(root, database, slot, [], delay) for slot in range(1, workers)]
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise SystemExit(err.decode(errors="replace")[-2000:])
        elapsed = time.perf_counter() - started
        per_host = [srv.hits() for srv in running]
    finally:
        for s in reversed(servers):
            s.__exit__(None, None, None)
    gaps, overlaps = [], 0
    for hits in per_host:
        for a, b in zip(hits, hits[1:], strict=False):
            gaps.append(b.start - a.end)
            overlaps += b.start < a.end
    catalogue = Catalogue(DataDir(root, database=database).catalogue_target, readonly=True)
    try:
        docs = defaultdict(int)
        for d in catalogue.iter_documents():
            docs[d.url] += 1
    finally:
        catalogue.close()
    return {
        "workers": workers,
        "elapsed_s": elapsed,
        "span_s": max(h[-1].end for h in per_host if h) - min(h[0].start for h in per_host if h),
        "requests": sum(len(h) for h in per_host),
        "documents": len(docs),
        "duplicates": sum(n - 1 for n in docs.values()),
        "min_gap_s": min(gaps),
        "median_gap_s": sorted(gaps)[len(gaps) // 2],
        "overlaps": overlaps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=20, help="documents per site")
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--database", help="a server URL to create the two databases on (default: start one)")
    args = parser.parse_args()
    sites = [DemoSite(seed=40 + n, n_docs=args.docs) for n in range(3)]
    with tempfile.TemporaryDirectory(prefix="gongkai-workers-bench-") as tmp:
        work = Path(tmp)
        stop: list[str] | None = None
        if args.database:
            new_db = _creator(args.database)
        else:
            from pgserver import start_server

            pg_base = Path(tempfile.mkdtemp(prefix="gongkai-pg-"))  # its own: the server's user must reach it
            server, stop = start_server(pg_base)
            new_db = server.create_database
        try:
            rows = [run(n, sites, new_db, args.delay, work) for n in (1, 3)]
        finally:
            if stop is not None:
                subprocess.run(stop, capture_output=True, **_as_postgres())  # type: ignore[call-overload]
                shutil.rmtree(pg_base, ignore_errors=True)
    print(f"\n{args.docs} documents on each of 3 hosts, delay {args.delay} s\n")
    print(
        "| workers | wall s | first to last request s | requests | documents | duplicates | gap per host min / median s | overlaps |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['workers']} | {r['elapsed_s']:.1f} | {r['span_s']:.1f} | {r['requests']} | {r['documents']} | {r['duplicates']} "
            f"| {r['min_gap_s']:.4f} / {r['median_gap_s']:.4f} | {r['overlaps']} |"
        )
    print(
        f"\none/three workers: wall time {rows[0]['elapsed_s'] / rows[1]['elapsed_s']:.2f}, "
        f"first to last request {rows[0]['span_s'] / rows[1]['span_s']:.2f}"
    )


def _creator(server_url: str) -> Callable[[], str]:
    def create() -> str:
        import psycopg

        name = "bench_" + uuid.uuid4().hex[:10]
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
        return server_url.rsplit("/", 1)[0] + "/" + name

    return create


def _as_postgres() -> dict[str, int]:
    import pwd

    if os.geteuid() != 0:
        return {}
    owner = pwd.getpwnam("postgres")
    return {"user": owner.pw_uid, "group": owner.pw_gid}


if __name__ == "__main__":
    main()
