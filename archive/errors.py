"""Domain errors of the archive layer: what a caller can reasonably catch and turn into a message."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every expected archive failure (bad data dir, refused write, damaged record)."""


class CaptureNotFound(ArchiveError, LookupError):
    """No capture with that id, or its WARC bytes are gone."""


class DocumentNotFound(ArchiveError, LookupError):
    """No document with that id."""


class UnsafeDataDir(ArchiveError):
    """A data directory others could write to: refusing to run rather than archive into it."""


class TruncatedCapture(ArchiveError, ValueError):
    """A capture cut by the byte cap or the deadline cannot become a document."""


class SchemaTooNew(ArchiveError):
    """The catalogue was written by a newer gongkai; migrating backwards would lose data."""


class CatalogueUnavailable(ArchiveError):
    """The PostgreSQL catalogue cannot be reached (server down, wrong URL, refused login): the environment
    failed, nothing is known about the archive, so `verify` says so instead of calling it damaged."""
