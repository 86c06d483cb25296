"""What every user of the shared PostgreSQL frontier needs: its tables, connections, and the lease heartbeat.

The tables (`crawl_urls`, `crawl_runs`, `crawl_hosts`, `crawl_robots`) sit beside the catalogue's in the same
database, prefixed so they never meet its names; the first worker creates them, under an advisory lock so that
workers starting together take turns.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

SCHEMA_LOCK = 0x676B_6372  # advisory lock ids: schema creation and run start, one at a time
RUN_LOCK = 0x676B_7275
SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_urls (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    depth INTEGER NOT NULL DEFAULT 0,
    discovered_from TEXT,
    kind TEXT NOT NULL DEFAULT 'page',
    parent TEXT,
    outcome TEXT,
    run BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    meta TEXT,
    worker TEXT,
    leased_until TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS crawl_urls_pending ON crawl_urls (host, (kind <> 'attachment'), id)
    WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS crawl_urls_leased ON crawl_urls (leased_until) WHERE state = 'in_flight';
CREATE INDEX IF NOT EXISTS crawl_urls_host ON crawl_urls (host, state);
CREATE TABLE IF NOT EXISTS crawl_runs (
    run BIGSERIAL PRIMARY KEY,
    seeds TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    finished_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS crawl_hosts (
    host TEXT PRIMARY KEY,
    holder TEXT,
    busy_until TIMESTAMPTZ,
    next_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
    requests BIGINT NOT NULL DEFAULT 0,
    paused_run BIGINT,
    paused_reason TEXT
);
CREATE TABLE IF NOT EXISTS crawl_robots (
    host TEXT PRIMARY KEY,
    fetched_at TIMESTAMPTZ NOT NULL,
    status INTEGER NOT NULL,
    body BYTEA NOT NULL
);
"""


def is_postgres_url(value: str | None) -> bool:
    return bool(value) and str(value).lower().startswith(("postgresql://", "postgres://"))


def connect(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection: every statement is its own transaction unless a `transaction()` block says so."""
    import psycopg

    return psycopg.connect(url, autocommit=True, application_name="gongkai-crawl")


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def ensure_schema(conn: psycopg.Connection[Any]) -> None:
    """Create the frontier tables once (workers starting together take turns)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(SCHEMA)


class Heartbeat:
    """Renews this worker's URL and host leases every third of the lease, on its own connection and thread, so a
    long fetch or extraction never loses them while the worker lives."""

    def __init__(self, url: str, worker: str, lease_s: float) -> None:
        self.url = url
        self.worker = worker
        self.lease_s = lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gongkai-lease-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        conn = None
        while not self._stop.wait(self.lease_s / 3):
            try:
                if conn is None:
                    conn = connect(self.url)
                lease = (self.lease_s, self.worker)
                conn.execute(
                    "UPDATE crawl_urls SET leased_until = clock_timestamp() + make_interval(secs => %s) "
                    "WHERE state = 'in_flight' AND worker = %s",
                    lease,
                )
                conn.execute(
                    "UPDATE crawl_hosts SET busy_until = clock_timestamp() + make_interval(secs => %s) "
                    "WHERE holder = %s",
                    lease,
                )
            except Exception as exc:  # the database away for a moment: keep trying, the leases say how long
                logger.warning("lease heartbeat failed: %s", exc)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
