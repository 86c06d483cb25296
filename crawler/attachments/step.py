"""The archive-facing step: extract an attachment capture's payload once per SHA-256, store the text, and link
it to the document that lists it. Used by the crawl loop (run.py) after each attachment and by `reparse`, which
redoes every payload from the WARCs without the network.

The crawler never learns about the index: storing text or a new link gives the document a new sequence number
in the catalogue, and the indexer follows sequence numbers.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from archive import ArchiveError, Capture, Catalogue, Document
from crawler.attachments.extract import Limits
from crawler.attachments.report import ExtractReport
from crawler.attachments.runner import extract_bytes
from crawler.settings import CrawlSettings
from crawler.urls import canonicalize

if TYPE_CHECKING:
    from archive import Archive

logger = logging.getLogger(__name__)


def extraction_limits(settings: CrawlSettings) -> Limits:
    return Limits(
        timeout_s=settings.extract_timeout_s,
        memory_mb=settings.extract_memory_mb,
        max_chars=settings.extract_max_chars,
    )


def extract_capture(
    catalogue: Catalogue,
    capture: Capture,
    payload: bytes,
    name: str | None,
    limits: Limits,
    report: ExtractReport,
    *,
    force: bool = False,
) -> None:
    """Extract and store the payload's text unless a row for its SHA-256 exists (or `force`)."""
    sha = capture.sha256
    if not sha:
        return
    if not force and catalogue.attachment_text(sha) is not None:
        report.reused += 1
        return
    started = time.monotonic()
    result, peak = extract_bytes(payload, name, limits)
    report.add(result, len(payload), peak, time.monotonic() - started)
    if result.status != "ok":
        logger.info("attachment %s (%s): %s %s", capture.url, result.type, result.status, result.reason)
    values = result.to_json()
    values["size_bytes"] = len(payload)
    catalogue.store_attachment_text(sha, values)


def attachment_name(doc: Document, url: str) -> str | None:
    """The link text the document gives the attachment at canonical `url`."""
    for attachment in doc.fields.attachments:
        if canonicalize(attachment.url, doc.url) == url:
            return attachment.name
    return None


def link_capture(catalogue: Catalogue, doc: Document, capture: Capture) -> None:
    catalogue.link_attachment(
        doc.doc_id, capture.url, attachment_name(doc, capture.url), capture.capture_id, capture.sha256
    )


def on_attachment(
    catalogue: Catalogue,
    parent_url: str | None,
    capture: Capture,
    payload: bytes | None,
    limits: Limits,
    report: ExtractReport,
) -> None:
    """After the crawl archived an attachment: extract its payload (once per SHA-256, out of process; None when
    the body was not a complete 200) and link it to the document at `parent_url` that lists it."""
    doc = catalogue.document_by_url(parent_url) if parent_url else None
    if payload is not None and capture.sha256:
        name = attachment_name(doc, capture.url) if doc is not None else None
        extract_capture(catalogue, capture, payload, name, limits, report)
    if doc is not None and capture.status == 200:
        link_capture(catalogue, doc, capture)


def link_known(catalogue: Catalogue, doc_id: str, changed: bool, urls: list[str], enabled: bool) -> None:
    """After the crawl archived a document: links to attachments archived already (the frontier fetches a URL
    once, however many pages list it), and, for a new or changed version, none to those it no longer lists."""
    if changed:
        catalogue.prune_attachment_links(doc_id, urls)
    if not enabled:
        return
    doc = None
    for url in urls:
        capture = catalogue.last_attachment_capture(url)
        if capture is not None:
            doc = doc or catalogue.get_document(doc_id)
            link_capture(catalogue, doc, capture)


def reextract_all(archive: Archive, limits: Limits) -> ExtractReport:
    """Every document's attachments from their latest archived captures: text redone once per payload, links
    rebuilt (and dropped for attachments a document no longer lists). No network."""
    catalogue = archive.catalogue
    report = ExtractReport()
    done: set[str] = set()
    for doc_id in catalogue.document_ids():  # ids first: linking gives documents new seq numbers
        doc = catalogue.get_document(doc_id)
        keep: list[str] = []
        for attachment in doc.fields.attachments:
            url = canonicalize(attachment.url, doc.url)
            if url is None:
                continue
            keep.append(url)
            capture = catalogue.last_attachment_capture(url)
            if capture is None or not capture.sha256:
                continue
            if capture.sha256 not in done:
                done.add(capture.sha256)
                try:
                    payload = archive.read_raw(capture).body
                except ArchiveError as exc:
                    logger.warning("cannot re-read attachment %s: %s", url, exc)
                    continue
                extract_capture(catalogue, capture, payload, attachment.name, limits, report, force=True)
            else:
                report.reused += 1
            catalogue.link_attachment(doc.doc_id, url, attachment.name, capture.capture_id, capture.sha256)
        catalogue.prune_attachment_links(doc.doc_id, keep)
    return report
