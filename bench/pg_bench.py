"""The PostgreSQL search backend in the scale benchmark (engine `pg` of scale_bench.py): built by
`gongkai`'s own rebuild (COPY, GIN built once) into a database, served by `gongkai serve` with
`[index] backend = "postgresql"` and queried over HTTP exactly like the `gongkai` engine.

The database is `GONGKAI_BENCH_PG_URL` when set, else a throwaway server started by this module (initdb +
pg_ctl in a temp dir, as the tests do: tests/pgserver.py), stopped at exit. Each size gets a fresh database.

    taskset -c 0,1 python bench/scale_bench.py --sizes 8224 --engines gongkai,pg --queries 200
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from index import IndexSettings, SearchQuery, rebuild_index  # noqa: E402
from index.pg import PgSearcher  # noqa: E402

_SERVER: dict[str, Any] = {}
# a server set up for its machine (24 GB here), as a deployment would be; the tests' server keeps the defaults
SERVER_SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "effective_cache_size": "16GB",
    "random_page_cost": "1.1",
    "max_wal_size": "8GB",
}


def _admin_url() -> str:
    """A PostgreSQL URL to create databases on: the given one, or a server of our own."""
    given = os.environ.get("GONGKAI_BENCH_PG_URL")
    if given:
        return given
    if "url" not in _SERVER:
        from pgserver import start_server  # the tests' harness: initdb + pg_ctl on a free port

        base = Path(tempfile.mkdtemp(prefix="gongkai-pgbench-"))
        server, stop = start_server(base, SERVER_SETTINGS)
        _SERVER["url"] = server.url()

        def _stop() -> None:
            kwargs: dict[str, Any] = {}
            if os.geteuid() == 0:
                import pwd

                owner = pwd.getpwnam("postgres")
                kwargs = {"user": owner.pw_uid, "group": owner.pw_gid}
            subprocess.run(stop, capture_output=True, **kwargs)
            shutil.rmtree(base, ignore_errors=True)

        _SERVER["stop"] = _stop
        atexit.register(_stop)
    return str(_SERVER["url"])


def release(where: Path) -> None:
    """Free what the engine built at `where` once it is measured, so the engines measured after it do not share
    the machine with its table: our own server is stopped (and started afresh if needed again), a given
    server's database dropped."""
    import psycopg

    url = (where / "pg_url").read_text("utf-8") if (where / "pg_url").exists() else None
    if "stop" in _SERVER:
        stop = _SERVER.pop("stop")
        _SERVER.pop("url")
        atexit.unregister(stop)
        stop()
    elif url is not None:
        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def database() -> str:
    """A fresh database (on our own server, started on first use), made before the build's clock starts."""
    import psycopg

    admin = _admin_url()
    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    return admin.rsplit("/", 1)[0] + "/" + name


def build_pg(url: str, catalogue: Any, where: Path, procs: int) -> None:
    """The search table of `catalogue` in the database at `url`; the URL is kept in `where/pg_url` (for
    --reuse)."""
    settings = IndexSettings(procs=procs, backend="postgresql", database=url)
    rebuild_index(catalogue, where / "index", settings)
    (where / "pg_url").write_text(url, "utf-8")


def table_mb(url: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        size = conn.execute(  # the table is partitioned: the parent holds nothing itself
            "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('gk_search')"
        ).fetchone()
    return float(size[0] if size else 0) / 1e6


def query_pg(
    where: Path,
    server_class: Callable[[Path], Any],
    api_path: Callable[[dict[str, Any]], str],
    warmup: list[dict[str, Any]],
    queries: list[dict[str, Any]],
    probes: list[str],
    phrases: list[str],
    row: dict[str, float],
) -> tuple[list[float], dict[str, list[str]]]:
    """The `gongkai` engine's measurement on the PostgreSQL backend: HTTP latencies and every probe's ids."""
    url = (where / "pg_url").read_text("utf-8")
    row["size_mb"] = table_mb(url)
    saved = {k: os.environ.get(k) for k in ("GONGKAI_INDEX_BACKEND", "GONGKAI_INDEX_DATABASE")}
    os.environ.update(GONGKAI_INDEX_BACKEND="postgresql", GONGKAI_INDEX_DATABASE=url)
    times: list[float] = []
    try:
        server = server_class(where)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        for spec in warmup:
            server.get(api_path(spec))
        for spec in queries:
            t0 = time.perf_counter()
            server.get(api_path(spec))
            times.append((time.perf_counter() - t0) * 1000)
        row["rss_mb"] = server.peak_rss_mb()
    finally:
        server.close()
    found: dict[str, list[str]] = {}
    settings = IndexSettings(max_offset=10_000, backend="postgresql", database=url)
    with PgSearcher(url, settings) as s:
        for p in probes:
            found[p] = s.matching_ids(SearchQuery(q=p))
        for p in phrases:
            found[p] = s.matching_ids(SearchQuery(q=f'"{p}"'))
    return times, found
