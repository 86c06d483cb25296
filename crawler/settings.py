"""Crawl settings: every knob of politeness, robustness and limits, with its default, in one place.

Defaults follow docs/SITES.md section 10 (2 s per host, 10 s connect, 30 s read, a total deadline per response, 3
attempts). Tests pass scaled-down values (0.05 s delays, 1 s deadlines) instead of patching anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archive.coerce import settings_from_mapping

DEFAULT_CONTACT_URL = "https://github.com/gongkai-archive/gongkai"
# "auto" and the NAME of every module in crawler/sites (tests/unit/watch checks the two agree).
ADAPTER_HINTS = (
    "auto",
    "gd_gkmlpt",
    "generic",
    "govcn",
    "govcn_library",
    "hanweb_jpaas",
    "hanweb_jpage",
    "hanweb_xxgk",
    "trs_static",
    "trs_was5",
)
DEFAULT_USER_AGENT = f"gongkai/0.1 (government disclosure archive; +{DEFAULT_CONTACT_URL})"


@dataclass(frozen=True)
class CrawlSettings:
    """How one crawl behaves. Frozen; build with `from_mapping` from a config section."""

    attachment_deadline_s: float = 60.0  # total time allowed for one attachment response
    backoff_base_s: float = 1.0  # first retry waits this long, then doubles (plus jitter)
    block_pause_after: int = 5  # consecutive blocked responses before a host is paused for the run
    connect_timeout_s: float = 10.0
    delay_s: float = 2.0  # minimum gap between the end of one request and the start of the next, per host
    fetch_attachments: bool = True
    jitter: float = 0.3  # the delay is stretched by a random 0..jitter fraction (never shortened)
    max_attempts: int = 3  # per URL and run, for network errors, 5xx and 429 only
    max_bytes: int = 20 * 1024 * 1024  # byte cap, counted after decompression
    max_depth: int = 20  # link hops from a seed
    max_pages: int | None = None  # stop after this many fetches (None: no limit)
    max_path_repeat: int = 2  # a path segment may appear at most this many times
    max_redirects: int = 10
    max_retry_after_s: float = 600.0  # a longer Retry-After pauses the host instead of waiting
    max_url_length: int = 2083
    min_document_bytes: int = 600  # below this no HTML page is a document (challenge shells are smaller)
    network_failures_pause: int = 3  # consecutive connection failures before a host is given up for the run
    read_timeout_s: float = 30.0
    robots_max_bytes: int = 500 * 1024
    robots_ttl_s: float = 24 * 3600.0
    total_deadline_s: float = 60.0  # a dripping server never trips the read timeout; this stops it
    user_agent: str = DEFAULT_USER_AGENT
    extra_hosts: tuple[str, ...] = ()  # hosts outside the seeds' that may be fetched (attachment storage)
    extract_attachments: bool = True  # extract attachment text (PDF, OFD, DOC, DOCX, WPS, XLS, XLSX, ET)
    extract_timeout_s: float = 60.0  # wall time for one attachment's extraction child
    extract_memory_mb: int = 1024  # address-space limit of the extraction child (setrlimit)
    extract_max_chars: int = 2_000_000  # characters of text kept per attachment (output cap)
    adapter: str = "auto"  # a site adapter to try first (a watched source's hint); "auto": fingerprints only
    # PostgreSQL frontier only: a worker's URL and host leases expire this long after its last heartbeat, so a
    # URL leased by a killed worker (kill -9, a lost machine) returns to the queue (a live worker renews them)
    lease_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if self.max_pages is not None and self.max_pages <= 0:
            object.__setattr__(self, "max_pages", None)
        if self.delay_s < 0 or self.jitter < 0:
            raise ValueError("delay_s and jitter must not be negative")
        if self.adapter not in ADAPTER_HINTS:
            raise ValueError(f"adapter must be one of {', '.join(ADAPTER_HINTS)}, not {self.adapter!r}")
        if self.max_attempts < 1 or self.max_redirects < 0:
            raise ValueError("max_attempts must be at least 1 and max_redirects not negative")
        if not 0.1 <= self.lease_timeout_s <= 86400:
            raise ValueError(
                f"lease_timeout_s must be between 0.1 and 86400 seconds, not {self.lease_timeout_s}"
            )

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> CrawlSettings:
        """Build from a config section (archive.coerce: typed values, unknown keys are an error)."""
        return settings_from_mapping(cls, section, "crawler")
