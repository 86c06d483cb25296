"""gongkai's archive: WARC files plus a catalogue (SQLite, or PostgreSQL when shared), the source of truth every other layer derives from."""

from archive.catalogue import Catalogue, DocumentListener
from archive.documents import DocumentChange
from archive.errors import (
    ArchiveError,
    CaptureNotFound,
    CatalogueUnavailable,
    DocumentNotFound,
    SchemaTooNew,
    TruncatedCapture,
    UnsafeDataDir,
)
from archive.export import write_csv, write_evidence_bundle, write_jsonl
from archive.layout import DataDir
from archive.listside import ListFields
from archive.models import FIELD_LABELS, Attachment, Capture, Document, Exchange, Parsed, WarcLocation
from archive.records import RawResponse
from archive.recover import RecoveryReport
from archive.settings import ArchiveSettings
from archive.store import Archive, read_raw
from archive.verify import Problem, VerifyReport, verify_archive, writer_active
from archive.warcs import WarcStore

__all__ = [
    "FIELD_LABELS",
    "Archive",
    "ArchiveError",
    "ArchiveSettings",
    "Attachment",
    "Capture",
    "CaptureNotFound",
    "CatalogueUnavailable",
    "Catalogue",
    "DataDir",
    "Document",
    "DocumentChange",
    "DocumentListener",
    "DocumentNotFound",
    "Exchange",
    "ListFields",
    "Parsed",
    "Problem",
    "RawResponse",
    "RecoveryReport",
    "SchemaTooNew",
    "TruncatedCapture",
    "UnsafeDataDir",
    "VerifyReport",
    "WarcLocation",
    "WarcStore",
    "verify_archive",
    "writer_active",
    "write_csv",
    "write_evidence_bundle",
    "write_jsonl",
    "read_raw",
]
