"""Frontier: the persistent queue of canonical URLs and their crawl state (crawl/frontier.sqlite).

Why SQLite in WAL: a kill -9 at any moment must lose nothing. A page's outgoing links and its
"done" mark commit in one transaction, after the archive has committed the capture, so a killed crawl re-fetches at
most the page that was in flight. At start-up, `in_flight` entries return to `pending`.

Runs: a crawl that did not finish (killed, `max_pages`) is resumed by the next `crawl()`; once a run has finished,
the next one is a re-check: every known URL of the seeds' hosts is queued again (conditional requests make the
unchanged ones cheap).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler.urls import host_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | in_flight | done | failed
    depth INTEGER NOT NULL DEFAULT 0,
    discovered_from TEXT,
    kind TEXT NOT NULL DEFAULT 'page',        -- seed | list | api | document | attachment | page
    parent TEXT,                              -- for attachments: the document that links them
    outcome TEXT,
    run INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL DEFAULT 0,
    meta TEXT                                 -- JSON: what the list that named the URL said about it
);
CREATE INDEX IF NOT EXISTS urls_state ON urls(state, host, id);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT,
    seeds TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL
);
"""


@dataclass(frozen=True)
class Entry:
    url: str
    depth: int
    kind: str
    discovered_from: str | None
    parent: str | None
    interrupted: bool = False  # was in flight when a previous process died
    meta: str | None = None  # list-side fields from the list that named it (JSON)


@dataclass(frozen=True)
class Link:
    """A URL found on a page, ready to enqueue (already canonical and in scope)."""

    url: str
    kind: str
    parent: str | None = None
    meta: str | None = None


class Frontier:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.run_id = 0
        self.resumed = False
        self.run_started_at = 0.0  # epoch seconds of the current run's first start

    @classmethod
    def open(cls, path: Path) -> Frontier:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL survives kill -9; a power loss can only drop the newest transactions, each of which is a
        # page's links together with its done mark, so the page is simply fetched again.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(urls)")}
        if "meta" not in columns:  # a frontier from before list-side fields
            conn.execute("ALTER TABLE urls ADD COLUMN meta TEXT")
        # A kill -9 left these mid-way: maybe archived, maybe not. `interrupted` lets the loop look in the archive
        # before fetching again.
        conn.execute("UPDATE urls SET state='pending', outcome='interrupted' WHERE state='in_flight'")
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    def begin_run(self, seeds: Sequence[str], *, recheck: bool = True) -> bool:
        """Start or resume a run; True when an unfinished run is resumed.

        A new run re-queues every known URL of the seeds' hosts; with `recheck=False` only the lists and pages
        (and whatever failed): known documents and attachments wait for a run that re-checks them, so a frequent
        run finds new documents without re-fetching the old ones.
        """
        row = self.conn.execute(
            "SELECT run, finished_at, started_at FROM runs ORDER BY run DESC LIMIT 1"
        ).fetchone()
        hosts = sorted({host_key(s) for s in seeds})
        with self._tx():
            if row is not None and row[1] is None:
                self.run_id, self.resumed = int(row[0]), True
                self.run_started_at = float(row[2])
            else:
                self.run_started_at = time.time()
                cur = self.conn.execute(
                    "INSERT INTO runs(seeds, started_at) VALUES (?, ?)",
                    ("\n".join(seeds), self.run_started_at),
                )
                self.run_id, self.resumed = int(cur.lastrowid or 0), False
                marks = ",".join("?" * len(hosts))
                which = "" if recheck else " AND (state = 'failed' OR kind NOT IN ('document', 'attachment'))"
                self.conn.execute(
                    f"UPDATE urls SET state='pending', run=? WHERE state IN ('done','failed') AND host IN ({marks})"
                    + which,
                    (self.run_id, *hosts),
                )
            for seed in seeds:
                self._insert(seed, depth=0, kind="seed", discovered_from=None, parent=None)
        return self.resumed

    def finish_run(self) -> None:
        with self._tx():
            self.conn.execute("UPDATE runs SET finished_at=? WHERE run=?", (time.time(), self.run_id))

    def next(self, hosts: Iterable[str], exclude: Iterable[str] = ()) -> Entry | None:
        allowed = sorted(set(hosts) - set(exclude))
        if not allowed:
            return None
        marks = ",".join("?" * len(allowed))
        row = self.conn.execute(
            f"SELECT url, depth, kind, discovered_from, parent, outcome, meta FROM urls WHERE state='pending' "
            f"AND host IN ({marks}) ORDER BY CASE kind WHEN 'attachment' THEN 0 ELSE 1 END, id LIMIT 1",
            allowed,
        ).fetchone()
        if row is None:
            return None
        with self._tx():
            self.conn.execute(
                "UPDATE urls SET state='in_flight', updated_at=? WHERE url=?", (time.time(), row[0])
            )
        return Entry(
            url=row[0],
            depth=int(row[1]),
            kind=row[2],
            discovered_from=row[3],
            parent=row[4],
            interrupted=row[5] == "interrupted",
            meta=row[6],
        )

    def complete(self, entry: Entry, *, state: str, outcome: str, links: Sequence[Link] = ()) -> int:
        """Mark `entry` done or failed and enqueue its links, atomically. Returns how many links were new."""
        added = 0
        with self._tx():
            for link in links:
                added += self._insert(
                    link.url,
                    depth=entry.depth + 1,
                    kind=link.kind,
                    discovered_from=entry.url,
                    parent=link.parent,
                    meta=link.meta,
                )
            self.conn.execute(
                "UPDATE urls SET state=?, outcome=?, run=?, updated_at=? WHERE url=?",
                (state, outcome, self.run_id, time.time(), entry.url),
            )
        return added

    def release(self, entry: Entry) -> None:
        """Give an entry back untouched (its host was paused): the next run fetches it."""
        with self._tx():
            self.conn.execute("UPDATE urls SET state='pending' WHERE url=?", (entry.url,))

    def waiting(self, url: str) -> bool:
        """Queued for this run and not finished yet (pending or being fetched)."""
        row = self.conn.execute("SELECT state FROM urls WHERE url=?", (url,)).fetchone()
        return row is not None and row[0] in ("pending", "in_flight")

    def done_in_run(self, url: str) -> bool:
        row = self.conn.execute("SELECT state, run FROM urls WHERE url=?", (url,)).fetchone()
        return row is not None and row[0] == "done" and int(row[1]) == self.run_id

    def known(self, url: str) -> bool:
        return self.conn.execute("SELECT 1 FROM urls WHERE url=?", (url,)).fetchone() is not None

    def work_remains(self, hosts: Iterable[str], exclude: Iterable[str] = ()) -> bool:
        """Work another worker may still turn into pending URLs: none, this frontier has one process."""
        return False

    def pause_host(self, host: str, reason: str) -> None:
        """A host paused for the run: the crawl loop's own exclusion is the whole story in one process."""

    def paused_hosts(self) -> dict[str, str]:
        return {}

    def counts(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())

    def pending_count(self, hosts: Iterable[str]) -> int:
        allowed = sorted(set(hosts))
        if not allowed:
            return 0
        marks = ",".join("?" * len(allowed))
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM urls WHERE state='pending' AND host IN ({marks})", allowed
        ).fetchone()
        return int(row[0])

    def _insert(
        self,
        url: str,
        *,
        depth: int,
        kind: str,
        discovered_from: str | None,
        parent: str | None,
        meta: str | None = None,
    ) -> int:
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO urls(url, host, depth, kind, discovered_from, parent, run, updated_at, meta) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, host_key(url), depth, kind, discovered_from, parent, self.run_id, time.time(), meta),
        )
        if cur.rowcount == 0 and meta is not None:
            # known from a plain link, now named by a list: keep what the list says (the first list wins)
            self.conn.execute("UPDATE urls SET meta=? WHERE url=? AND meta IS NULL", (meta, url))
        return cur.rowcount

    def _tx(self) -> _Transaction:
        return _Transaction(self.conn)


def last_run(path: Path) -> tuple[float, float | None] | None:
    """(started_at, finished_at) in epoch seconds of a frontier file's latest run; None without one.

    Lets a scheduler tell a run that was cut from one that finished just before its process died.
    """
    if not path.is_file():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute("SELECT started_at, finished_at FROM runs ORDER BY run DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return None if row is None else (float(row[0]), None if row[1] is None else float(row[1]))


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
