"""A crawl worker on the shared PostgreSQL frontier: the crawl loop of crawler/run.py with shared state.

Any number of workers, on any number of machines, work on one run. Seeding is simple: a worker given URLs (and
`gongkai crawl URL...` against PostgreSQL, which is such a worker) starts a run from them, or, while a run is
unfinished, resumes it and adds them as seeds; a worker given no URLs joins the unfinished run and has nothing
to do when every run has finished. Each worker takes URLs until none is pending and no other worker holds a
live lease (a lease whose worker died runs out and its URL comes back), then marks the run finished. Per-host
politeness and robots.txt are shared through crawler/pgpolite.py; everything else (pauses after blocks,
`max_pages`, the summary) is per worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from crawler.fetch import Fetcher
from crawler.pgfrontier import PgFrontier
from crawler.pgpolite import PgHostGate, PgRobotsStore
from crawler.run import _Run, canonical_seeds
from crawler.settings import CrawlSettings
from crawler.summary import CrawlSummary

if TYPE_CHECKING:
    from archive import Archive

logger = logging.getLogger(__name__)


def crawl_worker(
    seeds: Sequence[str],
    *,
    archive: Archive,
    database: str,
    settings: CrawlSettings,
    on_progress: Callable[[CrawlSummary], None] | None = None,
    recheck: bool = True,
    worker_id: str | None = None,
) -> CrawlSummary | None:
    """Work on the shared frontier at `database` until the run has no work left; None when `seeds` is empty and
    there is no unfinished run to join."""
    started = time.monotonic()
    summary = CrawlSummary()
    canonical = canonical_seeds(seeds, summary)
    if seeds and not canonical:
        return summary
    frontier = PgFrontier.open(database, lease_s=settings.lease_timeout_s, worker=worker_id)
    try:
        if canonical:
            summary.resumed = frontier.begin_run(canonical, recheck=recheck)
            run_seeds = frontier.seeds
        else:
            joined = frontier.join_run()
            if joined is None:
                return None
            run_seeds, summary.resumed = joined, True
        gate = PgHostGate(frontier.conn, frontier.worker, settings.lease_timeout_s)
        fetcher = Fetcher(settings, gate=gate)
        try:
            logger.info("worker %s on run %d (%d seed(s))", frontier.worker, frontier.run_id, len(run_seeds))
            run = _Run(
                archive,
                frontier,
                fetcher,
                settings,
                list(run_seeds),
                summary,
                on_progress,
                robots_store=PgRobotsStore(frontier.conn),
            )
            run.loop()
        finally:
            fetcher.close()
    finally:
        frontier.close()
    summary.elapsed_s = time.monotonic() - started
    return summary
