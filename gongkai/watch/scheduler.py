"""`gongkai watch`: re-crawl each source when due, re-check known documents on a slower cycle, then alert.

Time is cut into periods per source and kind: period = floor((now - offset) / interval), where the offset is a
fixed share (hash of the name, up to `watch.jitter`) of the interval, so sources spread out instead of all
starting on the hour. A period's run is recorded in watch.sqlite before it starts and resumed if it was cut
(the crawler's frontier continues where it stopped), so a restart skips no period and repeats none. A recheck
run (every known document, conditional requests) also counts as the crawl of its moment. Runs are one at a
time, so never two sources fetch from one host at once; each run logs one line.

After every run: the index follows the catalogue, the catalogue's new events are matched against the saved
searches, due messages are composed into the outbox and the outbox is delivered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from archive import Catalogue
from crawler import FRONTIER_FILE, crawl, last_run
from gongkai.config import Config
from gongkai.jobs import open_archive
from gongkai.watch import alerts as alerts_mod
from gongkai.watch.channels import ChannelError, deliver
from gongkai.watch.clock import Clock, iso
from gongkai.watch.settings import WatchSettings
from gongkai.watch.sources import Source, SourceError, load_sources
from gongkai.watch.store import WatchStore
from index import IndexBusy, IndexMissing, open_searcher, update_index

logger = logging.getLogger(__name__)
Echo = Callable[[str], Any]
KINDS = ("recheck", "crawl")


@dataclass(frozen=True)
class Due:
    source: Source
    kind: str
    period: int


class Watcher:
    def __init__(self, cfg: Config, settings: WatchSettings, clock: Clock, *, echo: Echo = print) -> None:
        self.cfg = cfg
        self.settings = settings
        self.clock = clock
        self.echo = echo
        self.store = WatchStore.open(cfg.data_dir.root)
        self._sources: list[Source] = []
        self._bad_sources = ""

    def close(self) -> None:
        self.store.close()

    # -- the schedule -----------------------------------------------------------------------------------------

    def interval(self, source: Source, kind: str) -> float:
        if kind == "recheck":
            return source.recheck_s or self.settings.recheck_s
        return source.interval_s or self.settings.interval_s

    def offset(self, source: Source, kind: str) -> float:
        share = int(hashlib.sha256(f"{source.name}/{kind}".encode()).hexdigest()[:8], 16) / 2**32
        return share * self.settings.jitter * self.interval(source, kind)

    def period(self, source: Source, kind: str, now: datetime) -> int:
        return int((now.timestamp() - self.offset(source, kind)) // self.interval(source, kind))

    def period_start(self, source: Source, kind: str, period: int) -> datetime:
        seconds = period * self.interval(source, kind) + self.offset(source, kind)
        return datetime.fromtimestamp(seconds, UTC)

    def due(self, sources: list[Source], now: datetime) -> list[Due]:
        """What has not been done in its current period, oldest period start first."""
        found = []
        for source in sources:
            for kind in KINDS:
                period = self.period(source, kind, now)
                row = self.store.run(source.name, kind, period)
                if row is None or row["status"] in ("running", "crawled"):
                    found.append(Due(source, kind, period))
                    break  # a due recheck is also this moment's crawl
        return sorted(found, key=lambda d: self.period_start(d.source, d.kind, d.period))

    # -- one pass ---------------------------------------------------------------------------------------------

    def tick(self) -> int:
        """Do every due run, then alerts; returns the number of runs done."""
        try:
            sources = load_sources(self.cfg.data_dir.root)
            self._sources = sources
        except SourceError as exc:  # edited into a bad state while running: keep the last good list
            if str(exc) != self._bad_sources:
                self.echo(
                    f"watch: sources.toml 有误，沿用上次的来源 / is bad, keeping the last good one: {exc}"
                )
            self._bad_sources = str(exc)
            sources = self._sources
        else:
            self._bad_sources = ""
        done = 0
        for item in self.due(sources, self.clock.now()):
            self.run(item)
            done += 1
        self.alerts()
        return done

    def run(self, item: Due) -> None:
        source, kind = item.source, item.kind
        now = self.clock.now()
        row = self.store.start_run(source.name, kind, item.period, iso(now))
        started = time.monotonic()
        state_dir = self.cfg.data_dir.crawl_dir / "sources" / source.name
        if row["status"] == "running" and not self._finished_before_kill(row, state_dir):
            counts, error = self._crawl(source, kind, state_dir)
            self.store.mark_crawled(row["run_id"], iso(self.clock.now()), counts, error)
        final = self.store.run(source.name, kind, item.period)
        assert final is not None
        row = final
        cover = ("crawl", self.period(source, "crawl", now)) if kind == "recheck" else None
        self.store.finish_run(row, iso(self.clock.now()), cover=cover)
        self.echo(
            f"watch {source.name} {kind} period={item.period} attempt={row['attempts']}"
            f" fetched={row['fetched']} new={row['new']} changed={row['changed']} removed={row['removed']}"
            f" failed={row['failed']} {time.monotonic() - started:.1f}s"
            + (f" error={row['error']}" if row["error"] else "")
        )

    def _finished_before_kill(self, row: Any, state_dir: Any) -> bool:
        """A crawl that finished after this run started, in a process killed before it could say so."""
        if row["attempts"] <= 1:
            return False
        latest = last_run(state_dir / FRONTIER_FILE)
        if latest is None or latest[1] is None or row["started_epoch"] is None:
            return False
        return latest[0] >= row["started_epoch"]

    def _crawl(self, source: Source, kind: str, state_dir: Any) -> tuple[dict[str, int], str | None]:
        base = self.cfg.crawler
        settings = dataclasses.replace(
            base,
            delay_s=source.delay_s if source.delay_s is not None else base.delay_s,
            max_pages=source.max_pages,
            extra_hosts=tuple(dict.fromkeys((*base.extra_hosts, *source.extra_hosts))),
            adapter=source.adapter,
        )
        self.cfg.data_dir.ensure()
        state_dir.mkdir(parents=True, exist_ok=True)
        archive = open_archive(self.cfg)
        try:
            summary = crawl(
                list(source.seeds),
                archive=archive,
                state_dir=state_dir,
                settings=settings,
                recheck=kind == "recheck",
            )
        finally:
            archive.close()
        counts = {
            "fetched": summary.fetched,
            "new": summary.new,
            "changed": summary.changed,
            "removed": summary.removed,
            "failed": summary.failed,
        }
        error = None
        if summary.fetched == 0 and summary.failed > 0:
            error = ",".join(f"{k}x{v}" for k, v in sorted(summary.reasons.items())) or "unreachable"
        return counts, error

    def _update_index(self) -> bool:
        """Bring the index up to the catalogue; False when another writer holds it (try again next tick)."""
        try:
            with Catalogue(self.cfg.data_dir.catalogue_target) as catalogue:
                update_index(catalogue, self.cfg.data_dir.index_dir, self.cfg.index)
        except IndexBusy as exc:
            logger.warning("index busy, alerts wait for the next cycle: %s", exc)
            return False
        return True

    # -- alerts -----------------------------------------------------------------------------------------------

    def alerts(self) -> None:
        """Index, match, compose, deliver. Events are matched only up to the last one that existed before the
        index was brought up to date, so no event is judged against an index that does not hold it yet."""
        if not self.cfg.data_dir.has_catalogue():
            return
        now = self.clock.now()
        with Catalogue(self.cfg.data_dir.catalogue_target, readonly=True) as catalogue:
            upto = catalogue.max_event_id()
        indexed = self._update_index()
        if not alerts_mod.list_alerts(self.store):
            with self.store.tx() as c:  # nobody to tell: later alerts start from their own creation anyway
                self.store.set_cursor(c, max(upto, self.store.cursor()))
        elif indexed:
            with Catalogue(self.cfg.data_dir.catalogue_target, readonly=True) as catalogue:
                try:
                    with open_searcher(self.cfg.data_dir.index_dir, self.cfg.index) as searcher:
                        alerts_mod.match_events(self.store, catalogue, searcher, upto=upto)
                except IndexMissing:
                    pass  # nothing archived and indexed yet
        alerts_mod.compose(self.store, self.settings, now)
        self.deliver(now)

    def deliver(self, now: datetime) -> None:
        for message in self.store.pending_messages(iso(now)):
            try:
                alert = alerts_mod.get_alert(self.store, message["alert_id"])
            except alerts_mod.AlertError:
                continue  # removed a moment ago (its messages went with it)
            if alert.status != "active":
                continue
            with self.store.tx() as c:
                c.execute(
                    "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE message_id = ?",
                    (message["message_id"],),
                )
            payload = json.loads(message["payload_json"])
            try:
                deliver(alert.channel, payload, timeout_s=self.settings.channel_timeout_s)
            except ChannelError as exc:
                self._failed(alert, message, str(exc), now)
                continue
            with self.store.tx() as c:
                c.execute(
                    "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE message_id = ?",
                    (iso(now), message["message_id"]),
                )
                c.execute(
                    "UPDATE alerts SET failures = 0, last_error = NULL WHERE alert_id = ?", (alert.alert_id,)
                )
            self.echo(
                f"alert {alert.name} sent {payload['delivery_id']} ({len(payload['events'])} document(s))"
            )

    def _failed(self, alert: alerts_mod.Alert, message: Any, reason: str, now: datetime) -> None:
        failures = alert.failures + 1
        paused = failures >= self.settings.alert_pause_after
        retry = now + timedelta(seconds=min(3600.0, 60.0 * 2 ** min(message["attempts"], 6)))
        with self.store.tx() as c:
            c.execute(
                "UPDATE outbox SET state = 'pending', last_error = ?, next_attempt_at = ? WHERE message_id = ?",
                (reason, iso(retry), message["message_id"]),
            )
            c.execute(
                "UPDATE alerts SET failures = ?, last_error = ?, status = ? WHERE alert_id = ?",
                (failures, reason, "paused" if paused else alert.status, alert.alert_id),
            )
        logger.warning("alert %s: delivery failed (%d in a row): %s", alert.name, failures, reason)
        self.echo(
            f"alert {alert.name} failed ({failures}x): {reason}" + (" — paused 已暂停" if paused else "")
        )

    # -- the loop ---------------------------------------------------------------------------------------------

    def forever(self, *, should_stop: Callable[[], bool] = lambda: False) -> None:
        resent = self.store.recover()
        if resent:
            logger.info("%d message(s) cut mid-send go back to the outbox", resent)
        while not should_stop():
            self.tick()
            self.clock.sleep(self.settings.poll_s)
