"""Real crawls of the demo site into a tmp data dir, for the archive's end-to-end tests (issue 5).

The site is served once per test through a `SiteSwitch`, so a later crawl sees the same host and port (the same
URLs, hence the same documents) while the test swaps in a changed site or makes chosen paths answer 412/503.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import time
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive import Archive, ArchiveSettings, Catalogue, DataDir
from crawler import CrawlSettings, CrawlSummary, crawl
from demosite.server import RunningSite, serve_site
from demosite.site import DemoResponse, DemoSite

# Loopback and our own site: tiny delays keep the politeness code paths alive without making tests slow.
FAST = CrawlSettings(
    delay_s=0.002,
    jitter=0.1,
    connect_timeout_s=2.0,
    read_timeout_s=2.0,
    total_deadline_s=5.0,
    attachment_deadline_s=5.0,
    backoff_base_s=0.01,
    max_retry_after_s=2.0,
    user_agent="gongkai-test/0.1 (+https://example.org/gongkai-contact)",
)

_BLOCK_PAGE = b"<html><head><title>412</title></head><body>Access denied by WAF</body></html>"


class SiteSwitch(DemoSite):
    """A DemoSite whose answers come from `current`, plus per-path forced statuses (412 block, 503 failure) and
    stalls (the answer comes `stalled[path]` seconds late, after the crawler's read timeout).

    With `validators=False` it ignores If-None-Match/If-Modified-Since, like the many servers that never answer
    304: an unchanged page then comes back as a full 200 with identical bytes. With `gzip=True` about half the
    paths (a fixed choice per path) answer `Content-Encoding: gzip` to clients that accept it, so the archive has
    to keep encoded payloads consistent with their headers.
    """

    def __init__(self, site: DemoSite) -> None:
        super().__init__(seed=site.seed, n_docs=site.n_docs, added=site.added)
        self.current = site
        self.forced: dict[str, int] = {}
        self.stalled: dict[str, float] = {}
        self.validators = True
        self.gzip = False

    def switch(
        self,
        site: DemoSite,
        forced: Mapping[str, int] | None = None,
        *,
        stalled: Mapping[str, float] | None = None,
        validators: bool = True,
    ) -> None:
        """Answer from `site` from now on; forced statuses, stalls and validators are reset unless given."""
        self.current = site
        self.forced = dict(forced or {})
        self.stalled = dict(stalled or {})
        self.validators = validators

    def respond(
        self, method: str, path_qs: str, headers: Mapping[str, str], body: bytes = b""
    ) -> DemoResponse:
        path = path_qs.split("?")[0]
        if path in self.stalled:
            time.sleep(self.stalled[path])  # this server thread only; the crawler has given up by now
        status = self.forced.get(path)
        if status is not None and path_qs != "/robots.txt":
            page = _BLOCK_PAGE if status == 412 else b"<html><body>Service Unavailable</body></html>"
            headers_out = [
                ("Server", "nginx"),
                ("Content-Type", "text/html"),
                ("Content-Length", str(len(page))),
            ]
            return DemoResponse(status, headers_out, b"" if method.upper() == "HEAD" else page)
        if not self.validators:
            conditional = ("if-none-match", "if-modified-since")
            headers = {k: v for k, v in headers.items() if k.lower() not in conditional}
        response = self.current.respond(method, path_qs, headers, body)
        accepts = any(k.lower() == "accept-encoding" and "gzip" in v for k, v in headers.items())
        if self.gzip and accepts and response.status == 200 and response.body and gzipped_path(path_qs):
            return gzip_response(response)
        return response


def gzipped_path(path_qs: str) -> bool:
    """The fixed half of paths a gzip-serving SiteSwitch compresses."""
    return zlib.crc32(path_qs.encode("utf-8")) % 2 == 0


def gzip_response(response: DemoResponse) -> DemoResponse:
    """The same response with a gzip Content-Encoding (mtime 0: the same bytes every time, so revisits work)."""
    body = gzip.compress(response.body, mtime=0)
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"), ("Content-Length", str(len(body)))]
    return DemoResponse(response.status, headers, body)


@contextmanager
def served(site: DemoSite) -> Iterator[tuple[RunningSite, SiteSwitch]]:
    """Serve `site` on 127.0.0.1 port 0 behind a SiteSwitch."""
    switch = SiteSwitch(site)
    with serve_site(switch, host="127.0.0.1", port=0) as srv:
        yield srv, switch


def seeds(srv: RunningSite, site: DemoSite) -> list[str]:
    return [srv.url + path for path in site.seed_paths]


def crawl_into(
    root: Path,
    seed_urls: list[str],
    *,
    settings: CrawlSettings | None = None,
    archive_settings: ArchiveSettings | None = None,
    **changes: Any,
) -> CrawlSummary:
    """One complete crawl run into the data dir at `root` (created if needed); the archive is closed after."""
    data_dir = DataDir(root).ensure()
    run_settings = dataclasses.replace(settings or FAST, **changes)
    with Archive.open(data_dir, archive_settings) as archive:
        return crawl(seed_urls, archive=archive, state_dir=data_dir.crawl_dir, settings=run_settings)


def warc_paths(root: Path) -> list[Path]:
    """Every WARC file of the data dir (closed and open), in name order."""
    return sorted(p for p in DataDir(root).warcs_dir.glob("*.warc.gz*") if not p.name.startswith("."))


def warc_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in warc_paths(root))


def warc_record_types(root: Path) -> Counter[str]:
    """Record types over all WARC files, read by warcio (an independent reader, not our own parser)."""
    counts: Counter[str] = Counter()
    for path in warc_paths(root):
        with open(path, "rb") as fp:
            for record in ArchiveIterator(fp):
                counts[record.rec_type] += 1
    return counts


@contextmanager
def catalogue(root: Path) -> Iterator[Catalogue]:
    cat = Catalogue(DataDir(root).catalogue_path, readonly=True)
    try:
        yield cat
    finally:
        cat.close()


def captures(root: Path) -> list[dict[str, Any]]:
    with catalogue(root) as cat:
        return list(cat.iter_captures())


def path_of(url: str) -> str:
    """The path and query of an absolute http URL (the key the DemoSite routes on)."""
    rest = url.split("://", 1)[1]
    slash = rest.find("/")
    return "/" if slash < 0 else rest[slash:]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """What the archive held after one crawl: enough to tell what the next crawl added."""

    warc_bytes: int
    max_capture_id: int
    record_types: Counter[str]
    documents: int
    versions: int


def snapshot(root: Path) -> Snapshot:
    with catalogue(root) as cat:
        max_id = int(cat.conn.execute("SELECT COALESCE(MAX(capture_id), 0) FROM captures").fetchone()[0])
        versions = int(cat.conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0])
        documents = cat.count_documents()
    return Snapshot(warc_bytes(root), max_id, warc_record_types(root), documents, versions)
