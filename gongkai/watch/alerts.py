"""Saved searches and what they are told: catalogue events matched once, grouped into messages by frequency.

An alert is a search (query + filters, the same as `gongkai search`), a frequency and a channel. After each
crawl the catalogue's new events (new, changed, removed documents) are matched against every alert through the
index's public API (`Searcher.matching_ids`), so an alert finds exactly what the search page would find. The
matches become `items`; items become one message per alert when its frequency says so (immediately, or the
daily/weekly digest at `watch.digest_hour` Beijing time) and wait in the outbox until a channel takes them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from archive import Catalogue
from gongkai.watch.settings import WatchSettings
from gongkai.watch.store import WatchStore
from index import QueryError, Searcher, SearchQuery

FREQUENCIES = ("immediate", "daily", "weekly")
EVENT_KINDS = ("new", "changed", "removed")
BEIJING = timezone(timedelta(hours=8))
EVENT_BATCH = 2000
ADDED_TEXT_CHARS = 600


class AlertError(ValueError):
    """A refused alert (bad frequency, too broad a search, unknown name): one line, Chinese first."""


@dataclass(frozen=True)
class Alert:
    alert_id: int
    name: str
    query: dict[str, Any]
    frequency: str
    channel: dict[str, Any]
    status: str
    failures: int
    last_error: str | None
    created_at: str
    from_event: int
    last_digest: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Alert:
        return cls(
            alert_id=row["alert_id"],
            name=row["name"],
            query=json.loads(row["query_json"]),
            frequency=row["frequency"],
            channel=json.loads(row["channel_json"]),
            status=row["status"],
            failures=row["failures"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            from_event=row["from_event"],
            last_digest=row["last_digest"],
        )

    def search_query(self) -> SearchQuery:
        q = self.query
        return SearchQuery(
            q=q.get("q") or "",
            agencies=tuple(q.get("agencies") or ()),
            topics=tuple(q.get("topics") or ()),
            filters=tuple((str(name), tuple(values)) for name, values in (q.get("filters") or {}).items()),
            since=q.get("since"),
            until=q.get("until"),
            date_field=q.get("date_field") or "publish",
            sort="newest",
            limit=1,
        )

    def public(self) -> dict[str, Any]:
        """What lists and the web show: never the channel's secret or password."""
        channel = {k: v for k, v in self.channel.items() if k not in ("secret", "password")}
        return {
            "id": self.alert_id,
            "name": self.name,
            "query": self.query,
            "frequency": self.frequency,
            "channel": channel,
            "status": self.status,
            "failures": self.failures,
            "last_error": self.last_error,
            "created_at": self.created_at,
        }


def digest_key(frequency: str, now: datetime, hour: int) -> str:
    """The digest period `now` is in: a Beijing day (or ISO week) that starts at `hour`."""
    local = now.astimezone(BEIJING) - timedelta(hours=hour)
    if frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m-%d")


def list_alerts(store: WatchStore) -> list[Alert]:
    return [
        Alert.from_row(r) for r in store.conn.execute("SELECT * FROM alerts ORDER BY alert_id").fetchall()
    ]


def get_alert(store: WatchStore, key: str | int) -> Alert:
    row = store.conn.execute(
        "SELECT * FROM alerts WHERE alert_id = ? OR name = ?",
        (int(key) if str(key).isdigit() else -1, str(key)),
    ).fetchone()
    if row is None:
        raise AlertError(f"没有这个提醒 / no such alert: {key}")
    return Alert.from_row(row)


def add_alert(
    store: WatchStore,
    *,
    name: str,
    query: dict[str, Any],
    frequency: str,
    channel: dict[str, Any],
    matches_now: int,
    settings: WatchSettings,
    last_event: int,
    now: datetime,
) -> Alert:
    """Save an alert; refused when its search is too broad to be an alert (it would flood the channel)."""
    if frequency not in FREQUENCIES:
        raise AlertError(
            f"频率应为 {'/'.join(FREQUENCIES)} / frequency must be one of {', '.join(FREQUENCIES)}"
        )
    if not name.strip() or len(name) > 80:
        raise AlertError("提醒名称不能为空且不超过 80 字 / an alert needs a name of 1 to 80 characters")
    if matches_now > settings.alert_max_matches:
        raise AlertError(
            f"该检索现有 {matches_now} 份匹配文件，超过提醒上限 {settings.alert_max_matches}，请缩小检索范围 / this search"
            f" matches {matches_now} documents, more than the alert limit of {settings.alert_max_matches}: narrow it"
        )
    stamp = now.astimezone(BEIJING).isoformat(timespec="seconds")
    try:
        with store.tx() as c:
            cur = c.execute(
                "INSERT INTO alerts (name, query_json, frequency, channel_json, created_at, from_event, last_digest)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    json.dumps(query, ensure_ascii=False, sort_keys=True),
                    frequency,
                    json.dumps(channel, ensure_ascii=False, sort_keys=True),
                    stamp,
                    last_event,
                    digest_key(frequency, now, settings.digest_hour),
                ),
            )
    except sqlite3.IntegrityError:
        raise AlertError(f"已有同名提醒 / an alert named {name!r} exists already") from None
    return get_alert(store, int(cur.lastrowid or 0))


def remove_alert(store: WatchStore, key: str) -> Alert:
    alert = get_alert(store, key)
    with store.tx() as c:
        for table in ("items", "outbox", "alerts"):
            c.execute(f"DELETE FROM {table} WHERE alert_id = ?", (alert.alert_id,))
    return alert


def set_status(store: WatchStore, key: str, status: str) -> Alert:
    alert = get_alert(store, key)
    with store.tx() as c:
        c.execute("UPDATE alerts SET status = ?, failures = 0 WHERE alert_id = ?", (status, alert.alert_id))
    return get_alert(store, alert.alert_id)


def match_events(store: WatchStore, catalogue: Catalogue, searcher: Searcher, *, upto: int) -> int:
    """Match the catalogue's events after the cursor (up to event `upto`) against every alert; the items and the
    cursor commit together, so an event is matched exactly once whatever stops the process."""
    total = 0
    while True:
        events = [e for e in catalogue.events_after(store.cursor(), EVENT_BATCH) if e["event_id"] <= upto]
        if not events:
            return total
        relevant = [e for e in events if e["kind"] in EVENT_KINDS]
        alerts = list_alerts(store)
        doc_ids = {e["id"] for e in relevant}
        matched: dict[int, set[str]] = {}
        if relevant:
            for alert in alerts:
                try:
                    matched[alert.alert_id] = set(searcher.matching_ids(alert.search_query())) & doc_ids
                except QueryError as exc:  # saved before an index could judge it: it can never match
                    with store.tx() as c:
                        c.execute(
                            "UPDATE alerts SET last_error = ? WHERE alert_id = ?",
                            (f"检索无法执行 / the search cannot run: {exc}", alert.alert_id),
                        )
        docs = catalogue.documents_for_ids(sorted(doc_ids)) if relevant else {}
        rows = []
        for alert in alerts:
            for event in relevant:
                if event["event_id"] > alert.from_event and event["id"] in matched.get(alert.alert_id, ()):
                    detail = describe(event, docs.get(event["id"]), catalogue)
                    rows.append(
                        (alert.alert_id, event["event_id"], event["id"], event["kind"], _dump(detail))
                    )
        with store.tx() as c:
            c.executemany(
                "INSERT OR IGNORE INTO items (alert_id, event_id, doc_id, kind, detail_json) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            store.set_cursor(c, events[-1]["event_id"])
        total += len(rows)


def describe(event: dict[str, Any], doc: Any, catalogue: Catalogue) -> dict[str, Any]:
    """What a message says about one event: the document, when it was published and archived, what changed."""
    fields = doc.fields if doc is not None else None
    out: dict[str, Any] = {
        "kind": event["kind"],
        "id": event["id"],
        "at": event["at"],
        "title": fields.title if fields else None,
        "url": doc.url if doc is not None else None,
        "agency": fields.agency if fields else None,
        "doc_no": fields.doc_no if fields else None,
        "publish_date": fields.publish_date if fields else None,
    }
    if event["kind"] == "new":
        out["archived_at"] = event["at"]
    elif event["kind"] == "changed":
        version = catalogue.version_row(event["id"], int(event["detail"].get("version") or 0))
        changes = version["changes"] if version else []
        out["version"] = event["detail"].get("version")
        out["changes"] = [c for c in changes if c.get("field") != "body"]
        added = [
            line[1:]
            for line in (version["diff"] if version else "").splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        text = "\n".join(a for a in added if a.strip())
        out["added_text"] = text[:ADDED_TEXT_CHARS] + ("…" if len(text) > ADDED_TEXT_CHARS else "")
        out["body_changed"] = any(c.get("field") == "body" for c in changes)
    elif event["kind"] == "removed":
        out["removed_at"] = event["at"]
        out["last_seen_at"] = event["detail"].get("last_seen_at")
    return out


def compose(store: WatchStore, settings: WatchSettings, now: datetime) -> int:
    """Turn open items into outbox messages where the alert's frequency is due; returns messages created."""
    created = 0
    for alert in list_alerts(store):
        key = (
            digest_key(alert.frequency, now, settings.digest_hour) if alert.frequency != "immediate" else None
        )
        if key is not None and key == alert.last_digest:
            continue
        items = store.open_items(alert.alert_id)
        with store.tx() as c:
            if key is not None:
                c.execute("UPDATE alerts SET last_digest = ? WHERE alert_id = ?", (key, alert.alert_id))
            if not items:
                continue
            first, last = items[0]["event_id"], items[-1]["event_id"]
            delivery = f"gongkai-{alert.alert_id}-{first}-{last}"
            payload = message_payload(
                alert, [json.loads(i["detail_json"]) for i in items], settings, now, delivery
            )
            cur = c.execute(
                "INSERT INTO outbox (alert_id, delivery_id, created_at, payload_json, next_attempt_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (alert.alert_id, delivery, payload["created_at"], _dump(payload), _utc(now)),
            )
            c.execute(
                "UPDATE items SET message_id = ? WHERE alert_id = ? AND message_id IS NULL AND event_id <= ?",
                (cur.lastrowid, alert.alert_id, last),
            )
            created += 1
    return created


def message_payload(
    alert: Alert, events: list[dict[str, Any]], settings: WatchSettings, now: datetime, delivery: str
) -> dict[str, Any]:
    counts = {kind: sum(1 for e in events if e["kind"] == kind) for kind in EVENT_KINDS}
    payload: dict[str, Any] = {
        "delivery_id": delivery,
        "alert": {
            "id": alert.alert_id,
            "name": alert.name,
            "query": alert.query,
            "frequency": alert.frequency,
        },
        "created_at": now.astimezone(BEIJING).isoformat(timespec="seconds"),
        "counts": counts,
        "events": events,
    }
    if len(events) > settings.alert_max_matches:
        # A flood (a site redesign, a mass re-issue) is not something to list one by one in a chat window.
        payload["events"] = []
        payload["refused"] = (
            f"本次有 {len(events)} 份匹配文件，超过提醒上限 {settings.alert_max_matches}，未逐条列出 / {len(events)}"
            f" matching documents at once, more than the alert limit of {settings.alert_max_matches}: not listed"
        )
    return payload


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
