"""Archive settings: every default in one place, built from a mapping by the composition root."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.coerce import settings_from_mapping


@dataclass(frozen=True)
class ArchiveSettings:
    # Rotate the open WARC file once it reaches this size (1 GB is the usual WARC file size).
    warc_max_bytes: int = 1_000_000_000
    # File name prefix: gongkai-<UTC time>-<serial>.warc.gz
    warc_prefix: str = "gongkai"
    # Consecutive 404/410 re-checks before a document is marked removed (a blocked/failed check never counts).
    removed_after: int = 2
    # Total bytes of challenge/block bodies kept in rejects/ for diagnosis; beyond it only the catalogue row remains.
    rejects_max_bytes: int = 20_000_000
    # Largest single reject body kept (bytes); longer ones are cut.
    reject_body_max_bytes: int = 1_000_000
    # Lines of context in the unified diff stored with each version.
    diff_context_lines: int = 2
    # Software name written into warcinfo records.
    software: str = "gongkai"
    # Write a request record beside each revisit too. Off by default: an unchanged re-check is then one small
    # revisit record (about 0.5 KB), which keeps a re-crawl of an unchanged site under 5 % of its first size;
    # the conditional headers sent are still in the catalogue row.
    revisit_request_records: bool = False
    # The catalogue in PostgreSQL instead of the embedded catalogue.sqlite: a postgresql:// URL (the environment's
    # GONGKAI_DATABASE_URL wins). For several crawl workers and web servers on one archive; see the README.
    database: str | None = field(default=None, repr=False)
    # This writer's name when several write one archive (PostgreSQL): its WARC files are called
    # <warc_prefix>-<worker_id>-<time>-<serial>.warc.gz and its writer lock is its own, so workers sharing one
    # warcs/ directory never write, recover or seal each other's files. Letters, digits, _ and -.
    worker_id: str | None = None

    def __post_init__(self) -> None:
        if self.warc_max_bytes < 1024:
            raise ValueError("warc_max_bytes must be at least 1024")
        if self.removed_after < 1:
            raise ValueError("removed_after must be at least 1")
        if self.rejects_max_bytes < 0 or self.reject_body_max_bytes < 0:
            raise ValueError("rejects limits must not be negative")
        if self.database is not None and not self.database.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "database 须为 postgresql:// 地址 / database must be a postgresql:// URL (or unset for SQLite)"
            )
        if self.worker_id is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,39}", self.worker_id):
            raise ValueError(
                "worker_id 只能含字母、数字、_ 和 -，以字母开头 / worker_id: a letter, then letters, digits, _ or -"
            )

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any] | None) -> ArchiveSettings:
        """Build from a config section (archive.coerce: typed values, unknown keys are an error)."""
        return settings_from_mapping(cls, section, "archive")
