"""The crawl loop: the only crawler module that both fetches and writes.

Per URL (docs/SITES.md, docs/STYLE.md section 5): trap limits, robots, fetch (polite, bounded), classify, archive the
capture, then parse (adapter for lists, `parse_page` for articles), upsert the document, and finally commit the
page's links together with its "done" mark. That order is what makes a kill -9 lose nothing and re-fetch at most
the page in flight. Single-threaded on purpose: never two requests in flight to one host, and a crawl of a few
hosts is bounded by politeness delays, not by CPU. Several such loops in several processes share one PostgreSQL
frontier through crawler/worker.py; the loop is the same, only the frontier, the host gate and the robots.txt
store are shared.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archive import ArchiveError, listside
from archive.models import Capture, Exchange, Parsed
from crawler.attachments.step import extraction_limits, link_known, on_attachment
from crawler.classify import (
    Verdict,
    classify_attachment,
    classify_response,
    document_verdict,
    is_html,
)
from crawler.decode import decode_html
from crawler.extract import parse_page
from crawler.fetch import Fetcher
from crawler.frontier import Entry, Frontier, Link
from crawler.listmeta import list_meta, listed_fields
from crawler.pgfrontier import PgFrontier
from crawler.robots import RobotsCache, RobotsStore
from crawler.settings import CrawlSettings
from crawler.sites import Adapter, choose_adapter, generic
from crawler.sites.common import Candidate, Page, Request, is_article_url, is_endpoint_url
from crawler.summary import CrawlSummary, Progress
from crawler.urls import canonicalize, host_key, series_key, trap_reason

if TYPE_CHECKING:
    from archive import Archive

logger = logging.getLogger(__name__)

FRONTIER_FILE = "frontier.sqlite"
WAIT_POLL_S = 0.1  # a worker with nothing to take looks again this often while other workers hold leases


def canonical_seeds(seeds: Sequence[str], summary: CrawlSummary) -> list[str]:
    """The seeds' canonical URLs; each seed that is not a URL counts as a failed `invalid_url`."""
    canonical = []
    for seed in seeds:
        url = canonicalize(seed)
        if url is None:
            summary.failed += 1
            summary.count("invalid_url")
        else:
            canonical.append(url)
    return canonical


def crawl(
    seeds: Sequence[str],
    *,
    archive: Archive,
    state_dir: Path,
    settings: CrawlSettings,
    on_progress: Callable[[CrawlSummary], None] | None = None,
    fetcher: Fetcher | None = None,
    recheck: bool = True,
) -> CrawlSummary:
    """Crawl from `seeds` within their hosts; resume an interrupted run, or re-check a finished one.

    `recheck=False` (the watcher's frequent runs): a new run fetches lists, pages and new documents only.
    """
    started = time.monotonic()
    summary = CrawlSummary()
    canonical = canonical_seeds(seeds, summary)
    if not canonical:
        return summary
    frontier = Frontier.open(state_dir / FRONTIER_FILE)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    try:
        summary.resumed = frontier.begin_run(canonical, recheck=recheck)
        run = _Run(archive, frontier, fetcher, settings, canonical, summary, on_progress)
        run.loop()
    finally:
        frontier.close()
        if own_fetcher:
            fetcher.close()
    summary.elapsed_s = time.monotonic() - started
    return summary


class _Run:
    def __init__(
        self,
        archive: Archive,
        frontier: Frontier | PgFrontier,
        fetcher: Fetcher,
        settings: CrawlSettings,
        seeds: list[str],
        summary: CrawlSummary,
        on_progress: Callable[[CrawlSummary], None] | None,
        robots_store: RobotsStore | None = None,
    ) -> None:
        self.archive = archive
        self.frontier = frontier
        self.fetcher = fetcher
        self.settings = settings
        self.summary = summary
        self.on_progress = on_progress
        self.hosts = {host_key(s) for s in seeds}
        self.file_hosts = self.hosts | {h.lower() for h in settings.extra_hosts}
        self.robots = RobotsCache(
            fetcher,
            ttl_s=settings.robots_ttl_s,
            max_bytes=settings.robots_max_bytes,
            is_allowed=self._scope_refusal,
            store=robots_store,
        )
        self.blocks: dict[str, int] = {}
        self.net_failures: dict[str, int] = {}
        self.series: dict[str, str] = {}
        self.fetches = 0
        self.progress = Progress()
        self._reuse: Capture | None = None
        self.limits = extraction_limits(settings)

    # -- loop -------------------------------------------------------------------------------------------------

    def loop(self) -> None:
        finished = False
        try:
            while True:
                if self.settings.max_pages is not None and self.fetches >= self.settings.max_pages:
                    break
                entry = self.frontier.next(self.hosts, exclude=self.summary.paused_hosts)
                if entry is None:
                    if self.frontier.work_remains(self.hosts, exclude=self.summary.paused_hosts):
                        time.sleep(WAIT_POLL_S)  # other workers hold leases: their links may still come
                        continue
                    finished = True
                    break
                self.process(entry)
                pending = self.frontier.pending_count(self.hosts)
                self.progress.update(self.summary, pending)
                if self.on_progress is not None:
                    self.on_progress(self.summary)
        finally:
            self.progress.close()
        self.summary.pending = self.frontier.pending_count(self.hosts)
        for host, reason in self.frontier.paused_hosts().items():  # paused by another worker
            self.summary.paused_hosts.setdefault(host, reason)
        if finished:
            self.frontier.finish_run()

    def process(self, entry: Entry) -> None:
        s = self.settings
        trap = trap_reason(
            entry.url,
            depth=entry.depth,
            max_depth=s.max_depth,
            max_path_repeat=s.max_path_repeat,
            max_url_length=s.max_url_length,
        )
        if trap:
            self.summary.count(trap)
            self._complete(entry, state="failed", outcome=trap)
            return
        verdict = self.robots.check(entry.url)
        if not verdict.allowed:
            if verdict.reason and verdict.reason.startswith("robots:unavailable"):
                self._pause(entry.url, verdict.reason)
                self.summary.failed += 1
                self.summary.count(verdict.reason)
                self.frontier.release(entry)
                return
            self.summary.robots_denied += 1
            self.summary.count(verdict.reason)
            self._complete(entry, state="failed", outcome=verdict.reason or "robots:disallowed")
            return
        last = self.archive.last_capture(entry.url)
        if entry.interrupted and last is not None and self._reprocess(entry, last):
            return
        headers = {}
        if last is not None and last.status in (200, 304):  # a 304 carries the validators forward
            if last.etag:
                headers["If-None-Match"] = last.etag
            if last.last_modified:
                headers["If-Modified-Since"] = last.last_modified
        deadline = s.attachment_deadline_s if entry.kind == "attachment" else s.total_deadline_s
        self.fetches += 1
        exchange = self.fetcher.fetch(
            entry.url, headers=headers, is_allowed=self._redirect_refusal, deadline_s=deadline
        )
        if exchange.status is not None:
            self.summary.fetched += 1
        self._handle(entry, exchange, last)

    def _reprocess(self, entry: Entry, capture: Capture) -> bool:
        """Finish an entry whose response a killed process archived but never processed, without the network."""
        try:
            captured = datetime.fromisoformat(capture.captured_at.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return False
        if captured < self.frontier.run_started_at or capture.status != 200:
            return False
        try:
            raw = self.archive.read_raw(capture)
        except ArchiveError as exc:
            logger.warning("cannot re-read capture %s of %s: %s", capture.capture_id, entry.url, exc)
            return False
        exchange = Exchange(
            url=entry.url,
            final_url=capture.final_url,
            started_at=capture.captured_at,
            status=raw.status,
            reason=raw.reason,
            http_version=raw.http_version,
            response_headers=tuple((k, v) for k, v in raw.headers if k.lower() != "content-encoding"),
            wire_body=raw.body,
            content=raw.body,
        )
        logger.info("resuming %s from capture %s (no re-fetch)", entry.url, capture.capture_id)
        self._reuse = capture
        try:
            self._handle(entry, exchange, None)
        finally:
            self._reuse = None
        return True

    def _record(self, ex: Exchange, *, kind: str, reason: str | None, charset: str | None) -> Capture:
        if self._reuse is not None:
            return self._reuse
        return self.archive.record(ex, kind=kind, reason=reason, charset=charset)

    # -- outcomes ---------------------------------------------------------------------------------------------

    def _handle(self, entry: Entry, ex: Exchange, last: Capture | None) -> None:
        verdict = classify_response(ex)
        host = host_key(entry.url)
        self._track_host(host, ex, verdict)
        if verdict is not None and verdict.outcome == "not_modified":
            kind = last.kind if last is not None else "other"
            capture = self._record(
                ex, kind=kind, reason="not_modified", charset=last.charset if last else None
            )
            if kind == "document":
                self.archive.record_check(entry.url, capture)
                self.summary.unchanged += 1
            self._complete(entry, state="done", outcome="not_modified", ex=ex)
            return
        # XML or JSON from a list endpoint (an API URL can be a seed too)
        is_list_reply = ex.status == 200 and (entry.kind == "api" or is_endpoint_url(entry.url))
        if verdict is None and not is_list_reply and (entry.kind == "attachment" or not is_html(ex)):
            verdict = classify_attachment(ex)
            if verdict.outcome == "attachment" or entry.kind == "attachment":
                self._finish_plain(entry, ex, verdict)
                return
            verdict = Verdict("not_document", "not_html")
        if verdict is not None:
            self._finish_plain(entry, ex, verdict)
            return
        self._handle_html(entry, ex)

    def _finish_plain(self, entry: Entry, ex: Exchange, verdict: Verdict) -> None:
        """Record a response that yields no document and no links: failures, blocks, attachments, stubs."""
        charset = None
        capture = self._record(ex, kind=verdict.kind, reason=verdict.reason, charset=charset)
        if verdict.outcome == "attachment":
            self.summary.attachments += 1
            if entry.kind == "attachment" and self.settings.extract_attachments:
                payload = ex.content if ex.status == 200 and not ex.truncated else None
                on_attachment(
                    self.archive.catalogue,
                    entry.parent,
                    capture,
                    payload,
                    self.limits,
                    self.summary.extraction,
                )
            # the same link, new bytes: the document changed (archive/files.py); when its page is still to come in
            # this run, the page is handled first (see _finish_document), so one visit's edits are one version
            if entry.parent and not self.frontier.waiting(entry.parent):
                self._file_changed(entry.parent, capture)
        elif verdict.is_blocked:
            self.summary.blocked += 1
        elif verdict.kind == "error":
            self.summary.failed += 1
        if verdict.outcome != "attachment":
            self.summary.count(verdict.reason or verdict.outcome)
        if entry.kind in ("document", "page") and self.archive.record_check(entry.url, capture) == "removed":
            self.summary.removed += 1
        state = "done" if verdict.kind in ("attachment", "other", "list", "document") else "failed"
        self._complete(entry, state=state, outcome=verdict.reason or verdict.outcome, ex=ex)

    def _handle_html(self, entry: Entry, ex: Exchange) -> None:
        ctype = ex.header("Content-Type")
        decoded = decode_html(ex.content, ctype)
        page_url = canonicalize(ex.final_url) or entry.url
        article: bool | None = entry.kind == "document" or is_article_url(entry.url)
        adapter: Adapter | None = None
        if not article:
            adapter = choose_adapter(decoded.text, page_url, self.settings.adapter)
            if adapter is generic and entry.kind in ("page", "seed"):
                article = None  # unknown: a document only on metadata evidence
        if article is not False:
            parsed = parse_page(ex.content, ex.final_url, ctype)
            verdict = document_verdict(
                parsed, len(ex.content), min_bytes=self.settings.min_document_bytes, article_url=bool(article)
            )
            if verdict.outcome == "document":
                self._finish_document(entry, ex, parsed, decoded.charset)
                return
            if article:
                self._finish_plain(entry, ex, verdict)
                return
        adapter = adapter or generic
        page = Page(url=page_url, text=decoded.text, content_type=ctype)
        problem = adapter.problem(page)
        if problem is not None:
            # a mis-shaped API answer: one recorded failure, no links, so no retry loop within the run
            self._finish_plain(entry, ex, Verdict("bad_list_answer", f"{adapter.NAME}:{problem}"))
            return
        candidates = adapter.parse_list(page)
        requests = adapter.next_requests(page)
        if not candidates and not requests and adapter is not generic and entry.kind != "api":
            # a portal page that merely mentions a platform (a TRS_Editor block on a home page): follow its links
            logger.info("%s found nothing on %s; following its links generically", adapter.NAME, page.url)
            adapter = generic
            candidates = generic.parse_list(page)
        self._record(ex, kind="list", reason=adapter.NAME, charset=decoded.charset)
        self.summary.lists += 1
        links = self._list_links(entry, page, adapter, candidates, requests)
        if not candidates and not requests and entry.kind in ("list", "api"):
            self.summary.count(f"list:empty:{adapter.NAME}")
        self._complete(entry, state="done", outcome=f"list:{adapter.NAME}", links=links, ex=ex)

    def _list_links(
        self,
        entry: Entry,
        page: Page,
        adapter: Adapter,
        candidates: list[Candidate],
        requests: list[Request],
    ) -> list[Link]:
        links = [
            Link(c.url, c.kind, meta=list_meta(c, page.url, adapter.NAME))
            for c in candidates
            if self._link_ok(c.url, c.kind)
        ]
        new = sum(1 for link in links if not self.frontier.known(link.url))
        key = series_key(page.url, adapter.PAGING_PARAMS)
        digest = hashlib.sha1("\n".join(sorted(c.url for c in candidates)).encode()).hexdigest()
        follow, announced_only = True, False
        if candidates and self.series.get(key) == digest and entry.kind in ("list", "api"):
            logger.error(
                "list page %s is identical to the previous page of its list: paging ignored", page.url
            )
            self.summary.count("list:paging_ignored")
            follow = False
        elif candidates and new == 0 and entry.kind in ("list", "api"):
            # a whole page already known: the rest of this list is known too, except pages the list announced
            # (a category whose first page another category already listed can still hold new documents later)
            announced_only = True
        self.series[key] = digest
        if follow:
            for request in requests:
                if announced_only and not request.announced:
                    continue
                url = canonicalize(request.url)
                if url is not None and self._link_ok(url, request.kind):
                    links.append(Link(url, request.kind))
        return links

    def _finish_document(self, entry: Entry, ex: Exchange, parsed: Parsed, charset: str | None) -> None:
        capture = self._record(ex, kind="document", reason=None, charset=charset)
        listed = listed_fields(entry.meta)
        if listed is not None:  # kept first, so a kill before the upsert still has it for --reparse
            self.archive.record_list_fields(capture, listed)
            parsed = listside.apply(parsed, listed.fields)
        change = self.archive.upsert_document(capture, parsed, entry.url)
        if change.change == "new":
            self.summary.new += 1
        elif change.change == "changed":
            self.summary.changed += 1
        else:
            self.summary.unchanged += 1
        links = []
        if self.settings.fetch_attachments:
            for attachment in parsed.attachments:
                url = canonicalize(attachment.url, ex.final_url)
                if url is not None and self._link_ok(url, "attachment"):
                    links.append(Link(url, "attachment", parent=entry.url))
                    if self.frontier.done_in_run(url):  # fetched earlier in this run, before its page
                        fetched = self.archive.last_capture(url)
                        if fetched is not None:
                            self._file_changed(entry.url, fetched)
        urls = [link.url for link in links]
        link_known(
            self.archive.catalogue,
            change.doc_id,
            change.change != "unchanged",
            urls,
            self.settings.extract_attachments,
        )
        self._complete(entry, state="done", outcome=f"document:{change.change}", links=links, ex=ex)

    def _file_changed(self, parent: str, capture: Capture) -> None:
        if self.archive.record_file(parent, capture) == "changed":
            self.summary.changed += 1

    # -- scope, hosts -----------------------------------------------------------------------------------------

    def _link_ok(self, url: str, kind: str) -> bool:
        hosts = self.file_hosts if kind == "attachment" else self.hosts
        if host_key(url) not in hosts:
            return False
        trap = trap_reason(
            url,
            depth=0,
            max_depth=self.settings.max_depth,
            max_path_repeat=self.settings.max_path_repeat,
            max_url_length=self.settings.max_url_length,
        )
        if trap:
            self.summary.count(trap)
            return False
        return True

    def _scope_refusal(self, url: str) -> str | None:
        canonical = canonicalize(url)
        if canonical is None:
            return "bad_url"
        if host_key(canonical) not in self.file_hosts:
            return "out_of_scope"
        return None

    def _redirect_refusal(self, url: str) -> str | None:
        refusal = self._scope_refusal(url)
        if refusal:
            return refusal
        verdict = self.robots.check(url)
        return None if verdict.allowed else (verdict.reason or "robots")

    def _track_host(self, host: str, ex: Exchange, verdict: Verdict | None) -> None:
        if ex.status is None and ex.error in ("connection", "dns", "timeout", "tls"):
            self.net_failures[host] = self.net_failures.get(host, 0) + 1
            if (
                ex.error in ("connection", "dns")
                and self.net_failures[host] >= self.settings.network_failures_pause
            ):
                self._pause_host(host, f"unreachable:{ex.error}")
        else:
            self.net_failures[host] = 0
        if verdict is not None and verdict.is_blocked:
            self.blocks[host] = self.blocks.get(host, 0) + 1
            if self.blocks[host] >= self.settings.block_pause_after:
                self._pause_host(host, f"blocked:{verdict.reason}")
        else:
            self.blocks[host] = 0
        if ex.status in (429, 503) and ex.header("Retry-After"):
            wait = self.fetcher.wait_s(ex.final_url)
            if wait >= self.settings.max_retry_after_s:
                self._pause_host(host, "retry_after_too_long")

    def _complete(
        self,
        entry: Entry,
        *,
        state: str,
        outcome: str,
        links: Sequence[Link] = (),
        ex: Exchange | None = None,
    ) -> None:
        """Commit the entry with its links, and write the one log line per fetched response (docs/STYLE.md section 7;
        an entry resumed from its capture was not fetched in this run)."""
        added = self.frontier.complete(entry, state=state, outcome=outcome, links=links)
        if ex is not None and self._reuse is None:
            logger.info(
                "fetch %s %s %d bytes %s %dms +%d links",
                entry.url,
                ex.status if ex.status is not None else ex.error,
                len(ex.content),
                outcome,
                ex.elapsed_ms,
                added,
            )

    def _pause(self, url: str, reason: str) -> None:
        self._pause_host(host_key(url), reason)

    def _pause_host(self, host: str, reason: str) -> None:
        if host not in self.summary.paused_hosts:
            logger.warning("pausing host %s for this run: %s", host, reason)
            self.summary.paused_hosts[host] = reason
            self.frontier.pause_host(host, reason)  # shared: every worker on the frontier leaves it alone
