"""Settings of the index layer: one frozen dataclass, defaults documented here, built by the composition root.

Nothing here reads files or the environment; `gongkai/config.py` passes a mapping (the `[index]` section of
gongkai.toml merged with GONGKAI_* variables) to `IndexSettings.from_mapping`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.coerce import settings_from_mapping

BACKENDS = ("whoosh", "postgresql")


@dataclass(frozen=True)
class IndexSettings:
    """Index and search knobs.

    lock_timeout_s: how long a writer waits for the index lock before `IndexBusy` (Whoosh's default of 0 makes two
        nearly simultaneous indexers fail at once; docs/TESTPLAN.md finding 1).
    user_dictionary: optional user dictionary in jieba's format (`word [freq] [tag]` per line: agency names, policy
        terms), loaded once per process before the first cut. Changing it changes words: rebuild the index.
    snippet_chars: length of the text window shown per hit; snippet_fragments: how many windows are joined.
    max_query_chars / max_query_terms / max_nesting: caps applied before any parsing (docs/TESTPLAN.md finding 11).
    max_limit: the largest page size a caller may ask for (the API's `limit` too); max_offset: the deepest offset.
    max_filter_values: values one filter (agency, topic, ...) may list; more is a QueryError (the web's 400).
    procs: processes used by a full rebuild (Whoosh's multiprocessing writer; on PostgreSQL also the search
        table's partitions, whose GIN indexes are built at the same time); 1 builds in-process.
    title_boost: weight of a title match against a body match.
    rebuild_chunk_docs: a rebuild writes its segments every this many documents (a fresh segment's postings are
        held in memory until it is written: about 150 KB per average document).
    backend: "whoosh" (the index directory beside the archive) or "postgresql" (a table in the database, see
        index/pg.py; the same queries, results and guarantees).
    database: the PostgreSQL URL of the "postgresql" backend; empty: the archive's database.
    """

    lock_timeout_s: float = 10.0
    user_dictionary: Path | None = None
    snippet_chars: int = 120
    snippet_fragments: int = 2
    max_query_chars: int = 256
    max_query_terms: int = 32
    max_nesting: int = 8
    max_limit: int = 100
    max_offset: int = 10_000
    max_filter_values: int = 50
    procs: int = 1
    title_boost: float = 4.0
    writer_memory_mb: int = 256
    rebuild_chunk_docs: int = 20_000
    backend: str = "whoosh"
    database: str = ""

    def __post_init__(self) -> None:
        for name in (
            "snippet_chars",
            "snippet_fragments",
            "max_query_chars",
            "max_query_terms",
            "max_nesting",
            "max_filter_values",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.database and not self.database.startswith(("postgresql://", "postgres://")):
            raise ValueError("database must be a postgresql:// URL")
        if self.rebuild_chunk_docs < 1:
            raise ValueError("rebuild_chunk_docs must be at least 1")
        if self.max_limit < 1 or self.max_offset < 0 or self.procs < 1 or self.lock_timeout_s < 0:
            raise ValueError(
                "max_limit and procs must be at least 1, max_offset and lock_timeout_s not negative"
            )

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> IndexSettings:
        """Build from a config section (archive.coerce: typed values, unknown keys are an error)."""
        return settings_from_mapping(cls, section, "index")
