"""The catalogue on SQLite and on PostgreSQL, same documents, same run: archiving (WARC append + fsync + catalogue
commit, then the document upsert), reading every document back, and `migrate` from one to the other.

Prints documents per second per engine and the PostgreSQL/SQLite ratio (the baseline is SQLite, in this run).
Starts its own PostgreSQL with tests/pgserver.py (initdb + pg_ctl in a temp dir); needs the server binaries. That
server runs with fsync=off (a test server), so PostgreSQL's commit is cheaper here than in production; SQLite
keeps synchronous=FULL. Both pay the WARC fsync before each commit.

    python bench/catalogue_bench.py --docs 400
"""

from __future__ import annotations

import argparse
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "unit" / "archive")]

from archive_factory import html_page, make_exchange, make_parsed  # noqa: E402
from pgserver import _run_as, start_server  # noqa: E402

from archive import Archive, Catalogue, DataDir  # noqa: E402
from archive.migrate import migrate  # noqa: E402


def archive_docs(data: DataDir, n: int, rng: random.Random) -> float:
    started = time.perf_counter()
    with Archive.open(data) as arc:
        for i in range(n):
            url = f"http://gov.example/art/{i}.html"
            body = "".join(rng.choice("政府信息公开条例第十三条规定行政机关") for _ in range(800))
            capture = arc.record(
                make_exchange(url, html_page(f"文件{i}", body)), kind="document", reason=None, charset=None
            )
            arc.upsert_document(capture, make_parsed(index_no=f"B/{i}", body=body), url)
    return time.perf_counter() - started


def read_docs(data: DataDir) -> float:
    started = time.perf_counter()
    with Catalogue(data.catalogue_target, readonly=True) as cat:
        ids = [doc.doc_id for doc in cat.iter_documents()]
        for doc_id in ids:
            cat.get_document(doc_id)
            cat.attachment_records(cat.get_document(doc_id))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=400)
    args = parser.parse_args()
    seed = int(os.environ.get("GONGKAI_SEED", "20261202"))
    print(f"GONGKAI_SEED={seed} docs={args.docs}")
    base = Path(tempfile.mkdtemp(prefix="gongkai-catbench-"))
    pg_base = Path(tempfile.mkdtemp(prefix="gongkai-catbench-pg-"))  # chowned to postgres when root
    server, stop = start_server(pg_base)
    try:
        rows = []
        sqlite_dir = DataDir(base / "sqlite")
        pg_dir = DataDir(base / "pg-data", database=server.create_database())
        times = {}
        for name, data in (("sqlite", sqlite_dir), ("postgresql", pg_dir)):
            times[name] = (archive_docs(data, args.docs, random.Random(seed)), read_docs(data))
        started = time.perf_counter()
        migrate(sqlite_dir.catalogue_path, server.create_database())
        migrated = time.perf_counter() - started
        for name, (write, read) in times.items():
            rows.append(f"| {name} | {args.docs / write:,.0f} | {args.docs / read:,.0f} |")
        print("| engine | archived docs/s | read docs/s |\n| --- | --- | --- |\n" + "\n".join(rows))
        w = times["sqlite"][0] / times["postgresql"][0]
        r = times["sqlite"][1] / times["postgresql"][1]
        print(f"PostgreSQL/SQLite throughput: archiving x{w:.2f}, reading x{r:.2f}")
        print(f"migrate SQLite -> PostgreSQL: {args.docs / migrated:,.0f} docs/s ({migrated:.2f} s)")
    finally:
        owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        subprocess.run(stop, capture_output=True, **_run_as(owner))  # type: ignore[arg-type]
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(pg_base, ignore_errors=True)


if __name__ == "__main__":
    main()
