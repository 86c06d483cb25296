"""Read-only catalogues kept open between requests, for a PostgreSQL catalogue.

A web request used to open its own catalogue and close it at teardown: free for SQLite (a file open), but a new
PostgreSQL connection costs 10-20 ms (a server process is forked for it), more than a whole search. The pool
keeps a few idle read-only catalogues and hands each to one request at a time (a connection is never shared by two
requests at once). A catalogue that saw an error, or whose connection broke (a server restart), is closed, never
handed out again. SQLite targets are not pooled: each checkout opens a fresh one, as before.
"""

from __future__ import annotations

import threading
from pathlib import Path

from archive import db
from archive.catalogue import Catalogue


class CataloguePool:
    def __init__(self, target: Path | str, *, max_idle: int = 8) -> None:
        self.target = target
        self.max_idle = max_idle
        self._pooled = db.is_url(target)
        self._idle: list[Catalogue] = []
        self._lock = threading.Lock()

    def checkout(self) -> Catalogue:
        if self._pooled:
            with self._lock:
                while self._idle:
                    catalogue = self._idle.pop()
                    if not _broken(catalogue):
                        return catalogue
                    catalogue.close()
        return Catalogue(self.target, readonly=True)

    def checkin(self, catalogue: Catalogue, *, failed: bool = False) -> None:
        """Give a catalogue back after its request; `failed`: the request raised, so it is not reused."""
        if self._pooled and not failed and not _broken(catalogue):
            with self._lock:
                if len(self._idle) < self.max_idle:
                    self._idle.append(catalogue)
                    return
        catalogue.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for catalogue in idle:
            catalogue.close()


def _broken(catalogue: Catalogue) -> bool:
    raw = catalogue.conn.raw
    return bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))
