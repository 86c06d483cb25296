"""The scheduler's clock: real time, or a time the tests drive (a simulated week in seconds).

`GONGKAI_FAKE_NOW` (read by the CLI, the composition root) is either an ISO instant, a fixed time, or `@FILE`,
a file holding an ISO instant that the test rewrites as its simulated time moves on; each `now()` reads it again,
so a restarted process continues on the same simulated timeline. Under a fake clock `sleep` only yields briefly:
time moves when the test moves it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class FakeClock:
    """A fixed instant (`value`), or the instant written in `path` at each call."""

    def __init__(self, value: datetime | None = None, path: Path | None = None) -> None:
        self.value = value
        self.path = path

    def now(self) -> datetime:
        if self.path is not None:
            for _ in range(50):  # a test rewriting the file this instant: read again
                try:
                    return parse_instant(self.path.read_text(encoding="utf-8").strip())
                except (OSError, ValueError):
                    time.sleep(0.01)
            return parse_instant(self.path.read_text(encoding="utf-8").strip())
        assert self.value is not None
        return self.value

    def sleep(self, seconds: float) -> None:
        time.sleep(min(max(0.0, seconds), 0.05))


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def clock_from_env(value: str | None) -> Clock:
    """The clock `GONGKAI_FAKE_NOW` asks for; the system clock when it is unset or empty."""
    if not value:
        return SystemClock()
    if value.startswith("@"):
        path = Path(value[1:])
        parse_instant(path.read_text(encoding="utf-8").strip())  # unreadable: fail now, with the reason
        return FakeClock(path=path)
    return FakeClock(value=parse_instant(value))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
