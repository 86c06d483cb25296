"""Value types shared by the browser conftest and tests (a module of its own: test folders are not packages)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Canary:
    """A stand-in for the live web on another loopback address: it only counts."""

    url: str
    hits: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()

    def paths(self) -> set[str]:
        with self.lock:
            return {path.split("?")[0] for _, path in self.hits}


@dataclass
class Site:
    app_url: str
    raw_url: str
    corpus: Any
    canary: Canary
    payloads: tuple[str, ...]
