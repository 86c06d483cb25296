"""watch.sqlite: the scheduler's memory, so a restart or a kill -9 loses nothing and repeats nothing.

- `runs` has one row per (source, kind, period): a period's run is started once, resumed if it was cut, and
  never run again once done; that is what "no source skipped, none crawled twice in one period" rests on.
- `items` and the `cursor` over the catalogue's events are written in one transaction: an event is matched
  against the saved searches exactly once.
- `outbox` holds every message before it is sent (the transactional outbox): composing a message and marking
  its items taken commit together; sending happens after, and a message is marked sent only once the channel
  took it. A kill between the two resends it under the same delivery id, which the receiver can deduplicate.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WATCH_FILE = "watch.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,               -- crawl | recheck
    period INTEGER NOT NULL,          -- floor((now - offset) / interval) on the watch clock
    status TEXT NOT NULL,             -- running | crawled | done | failed
    attempts INTEGER NOT NULL DEFAULT 1,
    started_at TEXT NOT NULL,
    started_epoch REAL,               -- real time of the first start (the frontier's runs use real time)
    crawled_at TEXT,
    finished_at TEXT,
    fetched INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    covered_by INTEGER,               -- a crawl period done by a recheck run of the same moment
    UNIQUE (source, kind, period)
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    query_json TEXT NOT NULL,
    frequency TEXT NOT NULL,          -- immediate | daily | weekly
    channel_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',  -- active | paused
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    from_event INTEGER NOT NULL,      -- only catalogue events after this one concern the alert
    last_digest TEXT
);
CREATE TABLE IF NOT EXISTS cursor (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    alert_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    kind TEXT NOT NULL,               -- new | changed | removed
    detail_json TEXT NOT NULL,
    message_id INTEGER,
    PRIMARY KEY (alert_id, event_id)
);
CREATE TABLE IF NOT EXISTS outbox (
    message_id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL,
    delivery_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, next_attempt_at);
"""


class WatchStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # an outbox row marked sent must stay sent
        self.conn.executescript(SCHEMA)
        if created:
            path.chmod(0o600)  # channel secrets live here

    @classmethod
    def open(cls, root: Path) -> WatchStore:
        return cls(root / WATCH_FILE)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> WatchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------------------------

    def run(self, source: str, kind: str, period: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM runs WHERE source = ? AND kind = ? AND period = ?", (source, kind, period)
        ).fetchone()
        return row

    def start_run(self, source: str, kind: str, period: int, at: str) -> sqlite3.Row:
        """The period's run row: a new one, or the cut one again (attempts + 1)."""
        with self.tx() as c:
            c.execute(
                "INSERT INTO runs (source, kind, period, status, started_at, started_epoch)"
                " VALUES (?, ?, ?, 'running', ?, ?)"
                " ON CONFLICT (source, kind, period) DO UPDATE SET attempts = attempts + 1",
                (source, kind, period, at, time.time()),
            )
        row = self.run(source, kind, period)
        assert row is not None
        return row

    def mark_crawled(self, run_id: int, at: str, counts: dict[str, int], error: str | None) -> None:
        with self.tx() as c:
            c.execute(
                "UPDATE runs SET status = 'crawled', crawled_at = ?, fetched = ?, new = ?, changed = ?,"
                " removed = ?, failed = ?, error = ? WHERE run_id = ?",
                (
                    at,
                    counts["fetched"],
                    counts["new"],
                    counts["changed"],
                    counts["removed"],
                    counts["failed"],
                    error,
                    run_id,
                ),
            )

    def finish_run(self, row: sqlite3.Row, at: str, *, cover: tuple[str, int] | None = None) -> None:
        status = "failed" if row["error"] else "done"
        with self.tx() as c:
            c.execute(
                "UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", (status, at, row["run_id"])
            )
            if cover is not None:  # a recheck also does the crawl of its moment
                c.execute(
                    "INSERT OR IGNORE INTO runs (source, kind, period, status, started_at, finished_at,"
                    " covered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (row["source"], cover[0], cover[1], status, row["started_at"], at, row["run_id"]),
                )

    def last_runs(self, source: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM runs WHERE source = ? AND covered_by IS NULL ORDER BY run_id DESC LIMIT 20",
            (source,),
        ).fetchall()

    def failures(self, source: str) -> int:
        """Consecutive failed runs, newest first."""
        count = 0
        for row in self.last_runs(source):
            if row["status"] == "failed":
                count += 1
            elif row["status"] == "done":
                break
        return count

    # -- cursor, items, outbox --------------------------------------------------------------------------------

    def cursor(self, name: str = "events") -> int:
        row = self.conn.execute("SELECT value FROM cursor WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def set_cursor(c: sqlite3.Connection, value: int, name: str = "events") -> None:
        c.execute(
            "INSERT INTO cursor (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def open_items(self, alert_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM items WHERE alert_id = ? AND message_id IS NULL ORDER BY event_id", (alert_id,)
        ).fetchall()

    def pending_messages(self, now: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT o.* FROM outbox o JOIN alerts a USING (alert_id) WHERE o.state = 'pending'"
            " AND o.next_attempt_at <= ? AND a.status = 'active' ORDER BY o.message_id",
            (now,),
        ).fetchall()

    def recover(self) -> int:
        """Messages a killed process was sending go back to pending (resent under the same delivery id)."""
        with self.tx() as c:
            return c.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'").rowcount

    def messages(self, alert_id: int | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM outbox", ()
        if alert_id is not None:
            sql, args = sql + " WHERE alert_id = ?", (alert_id,)  # type: ignore[assignment]
        rows = self.conn.execute(sql + " ORDER BY message_id", args).fetchall()
        return [{**dict(r), "payload": json.loads(r["payload_json"])} for r in rows]
