"""Politeness shared by every crawl worker through PostgreSQL: the host gate and the robots.txt cache.

Why in the database: per-process politeness multiplies with the number of workers. A `crawl_hosts` row per host
says who holds the host (`holder`, `busy_until`) and when the next request may start (`next_at`); a worker takes
the host with one conditional UPDATE (`next_at <= clock_timestamp()` and nobody holding it), so at most one
request is in flight per host across all workers, and it sets `next_at` to the end of its request plus the gap
when it hands the host back. Every comparison uses the database's clock, so the workers' clocks never matter. A
worker killed mid-request stops renewing `busy_until` (crawler/pgfrontier.py's heartbeat) and the host is free
again once that lease has run out.

robots.txt is fetched once per host and TTL: the first worker to need it takes an advisory lock on the host,
fetches and stores the answer (status and body, with the database time); the others wait on the lock and parse
the stored copy. Only definite answers are shared (2xx and 4xx); an unreachable robots.txt pauses the host for
the worker that saw it, as in a single crawl, and the next one asks again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

POLL_S = 0.02  # how often a worker looks again at a host another worker holds


class PgHostGate:
    """crawler.fetch.HostGate over the `crawl_hosts` table, for one worker."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        worker: str,
        lease_s: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.conn = conn
        self.worker = worker
        self.lease_s = lease_s
        self._sleep = sleep
        self._known: set[str] = set()
        self.waited_s = 0.0  # time spent waiting for hosts (reported by the worker)

    def acquire(self, host: str) -> None:
        self._ensure(host)
        started = time.monotonic()
        while True:
            row = self.conn.execute(
                "UPDATE crawl_hosts SET holder = %s, requests = requests + 1, "
                "busy_until = clock_timestamp() + make_interval(secs => %s) "
                "WHERE host = %s AND next_at <= clock_timestamp() "
                "AND (holder IS NULL OR busy_until < clock_timestamp()) "
                "RETURNING 1",
                (self.worker, self.lease_s, host),
            ).fetchone()
            if row is not None:
                self.waited_s += time.monotonic() - started
                return
            wait = self.conn.execute(
                "SELECT holder IS NOT NULL AND busy_until >= clock_timestamp(), "
                "EXTRACT(EPOCH FROM next_at - clock_timestamp())::float8 FROM crawl_hosts WHERE host = %s",
                (host,),
            ).fetchone()
            held, until_next = (bool(wait[0]), float(wait[1] or 0.0)) if wait else (False, 0.0)
            # held: look again soon (the holder may finish any moment); free but early: sleep until next_at
            self._sleep(POLL_S if held else min(max(until_next, 0.001), self.lease_s))

    def release(self, host: str, gap_s: float) -> None:
        cur = self.conn.execute(
            "UPDATE crawl_hosts SET holder = NULL, busy_until = NULL, "
            "next_at = GREATEST(next_at, clock_timestamp() + make_interval(secs => %s)) "
            "WHERE host = %s AND holder = %s",
            (gap_s, host, self.worker),
        )
        if cur.rowcount == 0:
            # our hold expired (this worker stalled for a whole lease) and another may have taken the host:
            # still owe the gap
            logger.warning("hold on host %s expired before the request ended", host)
            self.defer(host, gap_s)

    def defer(self, host: str, seconds: float) -> None:
        self._ensure(host)
        self.conn.execute(
            "UPDATE crawl_hosts SET next_at = GREATEST(next_at, clock_timestamp() + make_interval(secs => %s)) "
            "WHERE host = %s",
            (seconds, host),
        )

    def _ensure(self, host: str) -> None:
        if host not in self._known:
            self.conn.execute(
                "INSERT INTO crawl_hosts(host) VALUES (%s) ON CONFLICT (host) DO NOTHING", (host,)
            )
            self._known.add(host)


class PgRobotsStore:
    """robots.txt answers shared by the workers (crawler.robots.RobotsCache's `store`)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """One worker at a time per host looks up, and if need be fetches, its robots.txt. A session lock: a
        killed worker's connection closes and the lock goes with it."""
        self.conn.execute("SELECT pg_advisory_lock(hashtext(%s))", ("gongkai-robots:" + host,))
        try:
            yield
        finally:
            self.conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", ("gongkai-robots:" + host,))

    def load(self, host: str, ttl_s: float) -> tuple[int, bytes, float] | None:
        """(status, body, age in seconds) of the stored answer, when younger than `ttl_s`."""
        row = self.conn.execute(
            "SELECT status, body, EXTRACT(EPOCH FROM clock_timestamp() - fetched_at)::float8 FROM crawl_robots "
            "WHERE host = %s AND fetched_at > clock_timestamp() - make_interval(secs => %s)",
            (host, ttl_s),
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]), float(row[2]))

    def save(self, host: str, status: int, body: bytes) -> None:
        self.conn.execute(
            "INSERT INTO crawl_robots(host, fetched_at, status, body) VALUES (%s, clock_timestamp(), %s, %s) "
            "ON CONFLICT (host) DO UPDATE SET fetched_at = EXCLUDED.fetched_at, status = EXCLUDED.status, "
            "body = EXCLUDED.body",
            (host, status, body),
        )
