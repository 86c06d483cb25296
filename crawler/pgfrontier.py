"""The crawl frontier in PostgreSQL, shared by any number of crawl workers on any number of machines.

Same states and runs as the SQLite frontier (crawler/frontier.py), plus leases: a worker takes a pending URL with
`FOR UPDATE SKIP LOCKED` (two workers never get the same one, and neither waits for the other), marks it in
flight with its worker id and `leased_until`, and a heartbeat thread renews its leases every third of
`lease_timeout_s`. A worker that dies (kill -9, a lost machine) stops renewing; once its leases have expired the
next worker to look returns its URLs to the queue, marked interrupted, so that worker first looks in the archive
for a capture the dead one committed (no URL is archived twice in one pass). A URL's links and its done mark
commit in one transaction after the archive committed the capture, as in SQLite. Times are the database's
clock, never a worker's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from crawler.frontier import Entry, Link
from crawler.pgbase import RUN_LOCK, Heartbeat, connect, ensure_schema, new_worker_id
from crawler.urls import host_key

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

_COLUMNS = "url, depth, kind, discovered_from, parent, outcome, meta"
# a host one worker paused for the run (blocked, unreachable, a long Retry-After) is left alone by all of them
_NOT_PAUSED = "host NOT IN (SELECT host FROM crawl_hosts WHERE paused_run = %s)"


class PgFrontier:
    """The SQLite Frontier's interface (crawler/frontier.py) over shared tables, for one worker."""

    def __init__(self, conn: psycopg.Connection[Any], url: str, worker: str, lease_s: float) -> None:
        self.conn = conn
        self.worker = worker
        self.lease_s = lease_s
        self.run_id = 0
        self.resumed = False
        self.run_started_at = 0.0
        self.seeds: list[str] = []
        self._heartbeat = Heartbeat(url, worker, lease_s)

    @classmethod
    def open(cls, url: str, *, lease_s: float, worker: str | None = None) -> PgFrontier:
        conn = connect(url)
        try:
            ensure_schema(conn)
        except BaseException:
            conn.close()
            raise
        frontier = cls(conn, url, worker or new_worker_id(), lease_s)
        frontier._heartbeat.start()
        return frontier

    def close(self) -> None:
        """Stop renewing; hand back whatever this worker still holds (an entry cut short by an error), marked
        interrupted since its capture may have committed."""
        import psycopg

        self._heartbeat.stop()
        try:
            if not self.conn.closed:
                self.conn.execute(
                    "UPDATE crawl_urls SET state = 'pending', outcome = 'interrupted', worker = NULL, "
                    "leased_until = NULL WHERE state = 'in_flight' AND worker = %s",
                    (self.worker,),
                )
                self.conn.execute(
                    "UPDATE crawl_hosts SET holder = NULL, busy_until = NULL WHERE holder = %s",
                    (self.worker,),
                )
        except psycopg.Error as exc:  # the database went away: the leases run out by themselves
            logger.warning("could not hand back this worker's leases: %s", exc)
        finally:
            self.conn.close()

    # -- runs -------------------------------------------------------------------------------------------------

    def begin_run(self, seeds: Sequence[str], *, recheck: bool = True) -> bool:
        """Start or resume a run from `seeds` (see Frontier.begin_run); a resumed run takes on new seeds."""
        hosts = sorted({host_key(s) for s in seeds})
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (RUN_LOCK,))
            row = self._latest_run()
            if row is not None and row[1] is None:
                self.run_id, self.resumed = int(row[0]), True
                known = row[3].split("\n")
                added = [s for s in seeds if s not in known]
                if added:
                    self.conn.execute(
                        "UPDATE crawl_runs SET seeds = %s WHERE run = %s",
                        ("\n".join([*known, *added]), self.run_id),
                    )
                self.seeds = [*known, *added]
            else:
                run = self.conn.execute(
                    "INSERT INTO crawl_runs(seeds) VALUES (%s) RETURNING run", ("\n".join(seeds),)
                ).fetchone()
                assert run is not None
                self.run_id, self.resumed, self.seeds = int(run[0]), False, list(seeds)
                which = "" if recheck else " AND (state = 'failed' OR kind NOT IN ('document', 'attachment'))"
                self.conn.execute(
                    "UPDATE crawl_urls SET state = 'pending', run = %s "
                    "WHERE state IN ('done', 'failed') AND host = ANY(%s)" + which,
                    (self.run_id, hosts),
                )
            self._insert([Link(seed, "seed") for seed in seeds], depth=0, discovered_from=None)
            self.run_started_at = self._started_at()
        return self.resumed

    def join_run(self) -> list[str] | None:
        """Join the unfinished run (a worker started without URLs); its seeds, or None when every run finished."""
        row = self._latest_run()
        if row is None or row[1] is not None:
            return None
        self.run_id, self.resumed, self.seeds = int(row[0]), True, row[3].split("\n")
        self.run_started_at = self._started_at()
        return list(self.seeds)

    def finish_run(self) -> None:
        self.conn.execute(
            "UPDATE crawl_runs SET finished_at = clock_timestamp() WHERE run = %s AND finished_at IS NULL",
            (self.run_id,),
        )

    def _run_over(self) -> bool:
        """This worker's run was finished by another worker: what is pending now belongs to a later run, which
        this worker did not join."""
        row = self.conn.execute(
            "SELECT finished_at IS NOT NULL FROM crawl_runs WHERE run = %s", (self.run_id,)
        ).fetchone()
        return bool(row and row[0])

    def _latest_run(self) -> tuple[Any, ...] | None:
        return self.conn.execute(
            "SELECT run, finished_at, started_at, seeds FROM crawl_runs ORDER BY run DESC LIMIT 1"
        ).fetchone()

    def _started_at(self) -> float:
        row = self.conn.execute(
            "SELECT EXTRACT(EPOCH FROM started_at)::float8 FROM crawl_runs WHERE run = %s", (self.run_id,)
        ).fetchone()
        return float(row[0]) if row else 0.0

    # -- leases -----------------------------------------------------------------------------------------------

    def next(self, hosts: Iterable[str], exclude: Iterable[str] = ()) -> Entry | None:
        """Lease the next pending URL of `hosts` to this worker; None when there is none free right now."""
        allowed = sorted(set(hosts) - set(exclude))
        if not allowed or self._run_over():
            return None
        self.reclaim()
        # the hosts fewest workers are busy with first (URLs in flight: fetching, or leased and waiting for the
        # host), then the earliest next_at, so workers spread over idle hosts instead of queueing behind one;
        # then one indexed pick per host
        order = self.conn.execute(
            "SELECT h FROM unnest(%s::text[]) AS h LEFT JOIN crawl_hosts c ON c.host = h "
            "LEFT JOIN (SELECT host, COUNT(*) AS busy FROM crawl_urls WHERE state = 'in_flight' "
            "           AND host = ANY(%s) GROUP BY host) f ON f.host = h "
            "WHERE c.paused_run IS DISTINCT FROM %s "
            "ORDER BY COALESCE(f.busy, 0), c.next_at NULLS FIRST, h",
            (allowed, allowed, self.run_id),
        ).fetchall()
        for (host,) in order:
            row = self.conn.execute(
                "UPDATE crawl_urls u SET state = 'in_flight', worker = %s, updated_at = clock_timestamp(), "
                "leased_until = clock_timestamp() + make_interval(secs => %s) "
                "FROM (SELECT id FROM crawl_urls WHERE state = 'pending' AND host = %s "
                "      ORDER BY (kind <> 'attachment'), id LIMIT 1 FOR UPDATE SKIP LOCKED) pick "
                f"WHERE u.id = pick.id RETURNING {', '.join('u.' + c for c in _COLUMNS.split(', '))}",
                (self.worker, self.lease_s, host),
            ).fetchone()
            if row is not None:
                return Entry(
                    url=row[0],
                    depth=int(row[1]),
                    kind=row[2],
                    discovered_from=row[3],
                    parent=row[4],
                    interrupted=row[5] == "interrupted",
                    meta=row[6],
                )
        return None

    def reclaim(self) -> int:
        """Return URLs whose lease expired (their worker died) to the queue, marked interrupted."""
        cur = self.conn.execute(
            "UPDATE crawl_urls SET state = 'pending', outcome = 'interrupted', worker = NULL, leased_until = NULL "
            "WHERE state = 'in_flight' AND leased_until < clock_timestamp()"
        )
        if cur.rowcount:
            logger.warning(
                "%d URL(s) of a worker that stopped renewing its leases returned to the queue", cur.rowcount
            )
        return cur.rowcount

    def work_remains(self, hosts: Iterable[str], exclude: Iterable[str] = ()) -> bool:
        """Pending URLs, or URLs in flight (another worker's links may still come; an expired lease is reclaimed
        by the next `next()`): wait, do not finish the run. One statement, so a worker's commit of its links and
        done mark is seen whole."""
        allowed = sorted(set(hosts) - set(exclude))
        if self._run_over():
            return False
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM crawl_urls WHERE host = ANY(%s) "
            f"AND state IN ('pending', 'in_flight') AND {_NOT_PAUSED})",
            (allowed, self.run_id),
        ).fetchone()
        return bool(row and row[0])

    def complete(self, entry: Entry, *, state: str, outcome: str, links: Sequence[Link] = ()) -> int:
        """Mark `entry` done or failed and enqueue its links, in one transaction. Returns how many were new."""
        with self.conn.transaction():
            added = self._insert(links, depth=entry.depth + 1, discovered_from=entry.url)
            cur = self.conn.execute(
                "UPDATE crawl_urls SET state = %s, outcome = %s, run = %s, updated_at = clock_timestamp(), "
                "worker = NULL, leased_until = NULL WHERE url = %s AND state = 'in_flight' AND worker = %s",
                (state, outcome, self.run_id, entry.url, self.worker),
            )
        if cur.rowcount == 0:
            logger.warning("lease of %s was lost before it completed (another worker has it)", entry.url)
        return added

    def release(self, entry: Entry) -> None:
        """Give an entry back untouched (its host was paused)."""
        self.conn.execute(
            "UPDATE crawl_urls SET state = 'pending', worker = NULL, leased_until = NULL "
            "WHERE url = %s AND worker = %s",
            (entry.url, self.worker),
        )

    def pause_host(self, host: str, reason: str) -> None:
        """Pause `host` for this run, for every worker (its URLs stay pending for the next run)."""
        self.conn.execute(
            "INSERT INTO crawl_hosts(host, paused_run, paused_reason) VALUES (%s, %s, %s) "
            "ON CONFLICT (host) DO UPDATE SET paused_run = EXCLUDED.paused_run, "
            "paused_reason = EXCLUDED.paused_reason",
            (host, self.run_id, reason),
        )

    def paused_hosts(self) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT host, paused_reason FROM crawl_hosts WHERE paused_run = %s", (self.run_id,)
        ).fetchall()
        return {str(host): str(reason) for host, reason in rows}

    # -- questions --------------------------------------------------------------------------------------------

    def waiting(self, url: str) -> bool:
        row = self.conn.execute("SELECT state FROM crawl_urls WHERE url = %s", (url,)).fetchone()
        return row is not None and row[0] in ("pending", "in_flight")

    def done_in_run(self, url: str) -> bool:
        row = self.conn.execute("SELECT state, run FROM crawl_urls WHERE url = %s", (url,)).fetchone()
        return row is not None and row[0] == "done" and int(row[1]) == self.run_id

    def known(self, url: str) -> bool:
        return self.conn.execute("SELECT 1 FROM crawl_urls WHERE url = %s", (url,)).fetchone() is not None

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT state, COUNT(*) FROM crawl_urls GROUP BY state").fetchall()
        return {str(state): int(n) for state, n in rows}

    def pending_count(self, hosts: Iterable[str]) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM crawl_urls WHERE state = 'pending' AND host = ANY(%s)",
            (sorted(set(hosts)),),
        ).fetchone()
        return int(row[0]) if row else 0

    def _insert(self, links: Sequence[Link], *, depth: int, discovered_from: str | None) -> int:
        """Insert the links not known yet (one statement); a known one named by a list takes the list's meta."""
        if not links:
            return 0
        unique = list({link.url: link for link in reversed(links)}.values())[::-1]  # the first of each URL
        rows = self.conn.execute(
            "INSERT INTO crawl_urls(url, host, depth, kind, discovered_from, parent, run, meta) "
            "SELECT u, h, %s, k, %s, p, %s, m FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[]) AS t(u, h, k, p, m) ON CONFLICT (url) DO NOTHING RETURNING url",
            (
                depth,
                discovered_from,
                self.run_id,
                [link.url for link in unique],
                [host_key(link.url) for link in unique],
                [link.kind for link in unique],
                [link.parent for link in unique],
                [link.meta for link in unique],
            ),
        ).fetchall()
        new = {row[0] for row in rows}
        listed = [(link.meta, link.url) for link in unique if link.url not in new and link.meta is not None]
        if listed:
            with self.conn.cursor() as cur:
                cur.executemany("UPDATE crawl_urls SET meta = %s WHERE url = %s AND meta IS NULL", listed)
        return len(new)
