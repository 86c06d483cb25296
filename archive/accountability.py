"""Accountability views over the catalogue: per agency, is it disclosing on time, completely, and leaving it up?

Read-only and pure apart from `load`: the catalogue gives every document's dates and status (no bodies) and the
changed/removed events; `overview` and `agency_report` turn them into figures that the web pages, their CSV and
JSON twins and `gongkai report agency` all print, so the three can never disagree.

What the archive cannot know, said wherever these figures appear: documents it never captured (an agency that
published nothing here may have published elsewhere, or before the crawl began), dates the page does not show,
and edits or removals between two visits of the crawler (it sees the state at each visit, dated by the visit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archive.catalogue import Catalogue
from archive.coverage import AnnualRow, Gap, annual_reports, count_by_month, find_gaps, month_range
from archive.timeliness import DocFacts, beijing_date, facts_from_row, median

UNKNOWN_AGENCY = "（未标注发布机构）"
UNKNOWN_TOPIC = "（未标注主题）"


@dataclass(frozen=True)
class Snapshot:
    """Everything the views read, loaded once and then brought up to date with what changed."""

    docs: tuple[DocFacts, ...]
    events: tuple[tuple[str, str, str], ...]  # (doc_id, kind, Beijing month)
    reference_month: str | None  # the newest 发布日期 month in the archive: silence is judged up to it
    as_of: dt.date | None  # the newest first capture (Beijing): reports due after it are not judged
    max_seq: int = 0
    max_event: int = 0


def load(catalogue: Catalogue, previous: Snapshot | None = None) -> Snapshot:
    """The snapshot; with `previous`, only documents with a newer seq and newer events are read (every write to
    a document gives it a new seq), unless the catalogue shrank, when everything is read again."""
    max_seq, max_event, count = catalogue.state_token()
    if previous is not None and (max_seq < previous.max_seq or max_event < previous.max_event):
        previous = None
    since_seq = previous.max_seq if previous else 0
    since_event = previous.max_event if previous else 0
    by_id = {d.doc_id: d for d in previous.docs} if previous else {}
    for row in catalogue.document_facts(since_seq):
        by_id[str(row["doc_id"])] = facts_from_row(row)
    if previous is not None and len(by_id) != count:
        return load(catalogue)
    events = list(previous.events) if previous else []
    for row in catalogue.change_events(since_event):
        day = beijing_date(row["at"])
        if day is not None:
            events.append((str(row["doc_id"]), str(row["kind"]), day.isoformat()[:7]))
    docs = tuple(by_id.values())
    months = [d.publish_month for d in docs if d.publish_month]
    seen = [d.first_seen for d in docs if d.first_seen]
    return Snapshot(
        docs=docs,
        events=tuple(events),
        reference_month=max(months) if months else None,
        as_of=dt.date.fromisoformat(max(seen)) if seen else None,
        max_seq=max_seq,
        max_event=max_event,
    )


def agency_of(doc: DocFacts) -> str:
    return doc.agency or UNKNOWN_AGENCY


@dataclass(frozen=True)
class Summary:
    """One agency's (or one topic's within an agency) headline figures."""

    name: str
    documents: int
    live: int
    removed: int  # status removed now
    edited: int  # more than one version
    with_lag: int  # documents whose lag could be computed
    late: int  # lag over 20 working days
    flagged: int  # lag not computable (see timeliness.FLAGS)
    median_lag: float | None
    median_capture_lag: float | None
    gaps: int = 0
    first_month: str | None = None
    last_month: str | None = None

    @property
    def late_share(self) -> float | None:
        return self.late / self.with_lag if self.with_lag else None

    def to_json(self) -> dict[str, Any]:
        share = self.late_share
        return {
            "name": self.name,
            "documents": self.documents,
            "live": self.live,
            "removed": self.removed,
            "edited": self.edited,
            "with_lag": self.with_lag,
            "late": self.late,
            "late_share": round(share, 4) if share is not None else None,
            "lag_flagged": self.flagged,
            "median_lag_working_days": self.median_lag,
            "median_capture_lag_days": self.median_capture_lag,
            "gaps": self.gaps,
            "first_month": self.first_month,
            "last_month": self.last_month,
        }


def summarise(name: str, docs: Sequence[DocFacts], gaps: int = 0) -> Summary:
    lags = [d.lag for d in docs if d.lag is not None]
    captures = [d.capture_lag for d in docs if d.capture_lag is not None]
    months = sorted(d.publish_month for d in docs if d.publish_month)
    return Summary(
        name=name,
        documents=len(docs),
        live=sum(1 for d in docs if d.status != "removed"),
        removed=sum(1 for d in docs if d.status == "removed"),
        edited=sum(1 for d in docs if d.versions > 1),
        with_lag=len(lags),
        late=sum(1 for d in docs if d.late),
        flagged=sum(1 for d in docs if d.flag is not None),
        median_lag=median(lags),
        median_capture_lag=median(captures),
        gaps=gaps,
        first_month=months[0] if months else None,
        last_month=months[-1] if months else None,
    )


@dataclass(frozen=True)
class MonthRow:
    month: str
    documents: int
    late: int
    edits: int  # changed events seen this month
    removals: int  # removed events seen this month
    silent: bool  # inside a gap


@dataclass(frozen=True)
class AgencyReport:
    summary: Summary
    months: tuple[MonthRow, ...]
    gaps: tuple[Gap, ...]
    topics: tuple[Summary, ...]
    annual: tuple[AnnualRow, ...]
    late_docs: tuple[DocFacts, ...]
    edited_docs: tuple[DocFacts, ...]
    removed_docs: tuple[DocFacts, ...]
    flagged_docs: tuple[DocFacts, ...]
    lags: tuple[int, ...] = ()
    reference_month: str | None = None
    as_of: str | None = None
    topic: str | None = None  # a topic view of the agency

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.summary.name,
            "topic": self.topic,
            "summary": self.summary.to_json(),
            "reference_month": self.reference_month,
            "as_of": self.as_of,
            "months": [vars(m) for m in self.months],
            "gaps": [g.to_json() for g in self.gaps],
            "topics": [t.to_json() for t in self.topics],
            "annual_reports": [a.to_json() for a in self.annual],
            "late": [d.to_json() for d in self.late_docs],
            "edited": [d.to_json() for d in self.edited_docs],
            "removed": [d.to_json() for d in self.removed_docs],
            "lag_flagged": [d.to_json() for d in self.flagged_docs],
        }


def _by_agency(snapshot: Snapshot) -> dict[str, list[DocFacts]]:
    groups: dict[str, list[DocFacts]] = {}
    for doc in snapshot.docs:
        groups.setdefault(agency_of(doc), []).append(doc)
    return groups


def _gaps(docs: Sequence[DocFacts], reference_month: str | None) -> list[Gap]:
    counts = count_by_month(d.publish_month for d in docs)
    if not counts or reference_month is None:
        return []
    return find_gaps(counts, min(counts), reference_month)


def overview(snapshot: Snapshot) -> list[Summary]:
    """Every agency, most documents first (ties by name)."""
    rows = [
        summarise(name, docs, gaps=len(_gaps(docs, snapshot.reference_month)))
        for name, docs in _by_agency(snapshot).items()
    ]
    return sorted(rows, key=lambda s: (-s.documents, s.name))


def agency_names(snapshot: Snapshot) -> set[str]:
    return set(_by_agency(snapshot))


def agency_report(snapshot: Snapshot, name: str, topic: str | None = None) -> AgencyReport | None:
    """One agency, or with `topic` one topic of it (the same figures over its documents; annual reports are the
    agency's, so a topic view has none). None for an agency or topic the archive does not have."""
    docs = _by_agency(snapshot).get(name)
    if docs is not None and topic is not None:
        docs = [d for d in docs if (d.topic or UNKNOWN_TOPIC) == topic] or None
    if docs is None:
        return None
    gaps = _gaps(docs, snapshot.reference_month)
    silent = {m for g in gaps for m in month_range(g.first, g.last)}
    ids = {d.doc_id for d in docs}
    edits = count_by_month(
        month for doc_id, kind, month in snapshot.events if kind == "changed" and doc_id in ids
    )
    removals = count_by_month(
        month for doc_id, kind, month in snapshot.events if kind == "removed" and doc_id in ids
    )
    published = count_by_month(d.publish_month for d in docs)
    late = count_by_month(d.publish_month for d in docs if d.late)
    keys = set(published) | set(edits) | set(removals)
    rows: list[MonthRow] = []
    if keys:
        last = max(max(keys), snapshot.reference_month or "")
        rows = [
            MonthRow(m, published.get(m, 0), late.get(m, 0), edits.get(m, 0), removals.get(m, 0), m in silent)
            for m in month_range(min(keys), last)
        ]
    topics: dict[str, list[DocFacts]] = {}
    for doc in docs:
        topics.setdefault(doc.topic or UNKNOWN_TOPIC, []).append(doc)
    newest = sorted(docs, key=lambda d: (d.publish_date or "", d.doc_id), reverse=True)
    return AgencyReport(
        summary=summarise(name, docs, gaps=len(gaps)),
        months=tuple(rows),
        gaps=tuple(gaps),
        topics=tuple(
            sorted((summarise(t, ds) for t, ds in topics.items()), key=lambda s: (-s.documents, s.name))
        ),
        annual=tuple(annual_reports(name, docs, snapshot.as_of) if snapshot.as_of and topic is None else ()),
        late_docs=tuple(d for d in newest if d.late),
        edited_docs=tuple(d for d in newest if d.versions > 1),
        removed_docs=tuple(d for d in newest if d.status == "removed"),
        flagged_docs=tuple(d for d in newest if d.flag is not None),
        lags=tuple(d.lag for d in docs if d.lag is not None),
        reference_month=snapshot.reference_month,
        as_of=snapshot.as_of.isoformat() if snapshot.as_of else None,
        topic=topic,
    )
