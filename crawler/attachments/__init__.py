"""Attachment text: the type from the bytes, one extractor per type, run out of process under limits.

Public names: `extract_bytes` (the runner, one child process per file), `extract_path` (the same extraction
in-process, for tests and the benchmark), `Limits`, `Extraction`, `Unit`, `sniff`, `normalize`, and
`extract_attachments` (the archive-facing step: find attachment captures, extract each payload once by SHA-256,
link them to their documents).
"""

from crawler.attachments.extract import Limits, extract_path
from crawler.attachments.model import STATUSES, Extraction, Unit
from crawler.attachments.normalize import normalize
from crawler.attachments.runner import extract_bytes
from crawler.attachments.sniff import sniff
from crawler.attachments.step import ExtractReport, extraction_limits, reextract_all

__all__ = [
    "STATUSES",
    "ExtractReport",
    "Extraction",
    "Limits",
    "Unit",
    "extract_bytes",
    "extract_path",
    "extraction_limits",
    "normalize",
    "reextract_all",
    "sniff",
]
