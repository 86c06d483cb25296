"""Watch settings: the scheduler's cycles, the alerts' limits and the write side's switch, in one place."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WatchSettings:
    # A source without its own `interval` is re-crawled (lists and new documents) this often.
    interval_s: float = 6 * 3600.0
    # A source without its own `recheck` re-checks every known document (conditional requests) this often.
    recheck_s: float = 7 * 86400.0
    # Each source's schedule is shifted by a fixed share (0..jitter) of its interval, so sources do not all start
    # on the hour.
    jitter: float = 0.1
    # How often the scheduler wakes to look for due work (seconds).
    poll_s: float = 30.0
    # An alert whose search matches more documents than this, now or in one cycle, is refused with the reason.
    alert_max_matches: int = 200
    # Consecutive failed deliveries before an alert is paused (shown as paused; `gongkai alerts resume ID`).
    alert_pause_after: int = 5
    # Daily digests go out at this hour, Beijing time; weekly ones on Mondays at the same hour.
    digest_hour: int = 8
    # Timeout of one webhook POST or SMTP session (seconds).
    channel_timeout_s: float = 15.0
    # The write side (saving alerts and sources from the web UI and API) is off unless this is set.
    write_enabled: bool = False
    # The token the write side requires (`Authorization: Bearer …` on the web, `--token` on the CLI).
    write_token: str = ""

    def __post_init__(self) -> None:
        if self.interval_s < 1 or self.recheck_s < 1:
            raise ValueError("interval_s and recheck_s must be at least 1 second")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.alert_max_matches < 1 or self.alert_pause_after < 1:
            raise ValueError("alert_max_matches and alert_pause_after must be at least 1")
        if not 0 <= self.digest_hour <= 23:
            raise ValueError("digest_hour must be 0..23")
        if self.write_enabled and len(self.write_token) < 16:
            raise ValueError("write_enabled needs a write_token of at least 16 characters")

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> WatchSettings:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ValueError(f"unknown watch setting(s): {', '.join(unknown)}")
        return cls(**dict(section))
