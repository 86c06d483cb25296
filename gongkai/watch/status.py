"""The watcher's state as data: each source's last and next runs, failures and counts; each alert's status.

One dict for `gongkai sources list --json`, the web page `/watch` and `/api/watch` (given to the web app as a
callable by the composition root: the web layer never imports this package).
"""

from __future__ import annotations

from typing import Any

from gongkai.config import Config
from gongkai.watch.alerts import list_alerts
from gongkai.watch.clock import Clock, iso
from gongkai.watch.scheduler import Watcher
from gongkai.watch.sources import SourceError, format_duration, load_sources
from gongkai.watch.store import WATCH_FILE, WatchStore


def watch_status(cfg: Config, clock: Clock) -> dict[str, Any]:
    root = cfg.data_dir.root
    try:
        sources = load_sources(root)
        error = None
    except SourceError as exc:
        sources, error = [], str(exc)
    if not (root / WATCH_FILE).exists() and not sources:
        return {"now": iso(clock.now()), "sources": [], "alerts": [], "error": error}
    watcher = Watcher(cfg, cfg.watch, clock, echo=lambda _line: None)
    try:
        now = clock.now()
        shown = []
        for source in sources:
            runs = watcher.store.last_runs(source.name)
            last = next((r for r in runs if r["status"] in ("done", "failed")), None)
            running = next((r for r in runs if r["status"] in ("running", "crawled")), None)
            next_runs = {}
            for kind in ("crawl", "recheck"):
                period = watcher.period(source, kind, now)
                row = watcher.store.run(source.name, kind, period)
                done = row is not None and row["status"] in ("done", "failed")
                next_runs[kind] = iso(watcher.period_start(source, kind, period + 1 if done else period))
            shown.append(
                {
                    **source.to_json(),
                    "interval": format_duration(watcher.interval(source, "crawl")),
                    "recheck": format_duration(watcher.interval(source, "recheck")),
                    "running": running is not None,
                    "last_run": _run(last),
                    "next_crawl": next_runs["crawl"],
                    "next_recheck": next_runs["recheck"],
                    "failures": watcher.store.failures(source.name),
                }
            )
        alerts = [a.public() for a in list_alerts(watcher.store)]
        return {"now": iso(now), "sources": shown, "alerts": alerts, "error": error}
    finally:
        watcher.close()


def _run(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "kind": row["kind"],
        "status": row["status"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "fetched": row["fetched"],
        "new": row["new"],
        "changed": row["changed"],
        "removed": row["removed"],
        "failed": row["failed"],
        "error": row["error"],
    }


def open_store(cfg: Config) -> WatchStore:
    cfg.data_dir.ensure()
    return WatchStore.open(cfg.data_dir.root)


def save_alert(
    cfg: Config,
    clock: Clock,
    *,
    name: str,
    query: dict[str, Any],
    frequency: str,
    channel: dict[str, Any],
) -> dict[str, Any]:
    """Validate and save an alert (CLI and web): the query as `gongkai search` reads it, the channel usable,
    the search not too broad. Raises AlertError or ValueError with a one-line reason."""
    from archive import Catalogue
    from gongkai.jobs import JobError, build_query
    from gongkai.watch.alerts import AlertError, add_alert
    from gongkai.watch.channels import check_channel
    from index import IndexMissing, QueryError, open_searcher

    check_channel(channel)
    try:
        sq = build_query(query.get("q") or "", cfg.index, **{**query, "sort": "newest", "limit": 1})
    except JobError as exc:
        raise AlertError(str(exc)) from None
    matches = 0
    last_event = 0
    if cfg.data_dir.has_catalogue():
        with Catalogue(cfg.data_dir.catalogue_target, readonly=True) as catalogue:
            last_event = catalogue.max_event_id()
        try:
            with open_searcher(cfg.data_dir.index_dir, cfg.index) as searcher:
                matches = len(searcher.matching_ids(sq))
        except IndexMissing:
            matches = 0
        except QueryError as exc:
            raise AlertError(str(exc)) from None
    with open_store(cfg) as store:
        alert = add_alert(
            store,
            name=name,
            query={k: v for k, v in query.items() if v not in (None, "", (), [])},
            frequency=frequency,
            channel=channel,
            matches_now=matches,
            settings=cfg.watch,
            last_event=last_event,
            now=clock.now(),
        )
    return {**alert.public(), "matches_now": matches}
