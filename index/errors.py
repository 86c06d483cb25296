"""Domain errors of the index layer; the web and the CLI turn them into HTTP 400/503 and exit 1."""

from __future__ import annotations


class IndexError_(Exception):
    """Base of the index layer's errors (not Python's built-in IndexError)."""


class QueryError(IndexError_, ValueError):
    """The user's query or filters cannot be run. The message is bilingual, Chinese first, safe to show."""


class IndexBusy(IndexError_):
    """Another writer held the index lock for longer than the configured timeout."""


class IndexMissing(IndexError_):
    """There is no index yet in the directory (run `gongkai index`)."""
