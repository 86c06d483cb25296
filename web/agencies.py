"""Blueprint "agencies": is each agency disclosing on time, completely, and leaving it up?

`/agencies` and `/agencies/<name>` with their JSON and CSV twins under /api/. Every figure comes from
`archive.accountability` (the same numbers `gongkai report agency` prints). The snapshot is computed once per
catalogue state (max seq, max event id) and kept per app, so a page view after the first costs a state query.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request, url_for

from archive.accountability import (
    UNKNOWN_AGENCY,
    UNKNOWN_TOPIC,
    AgencyReport,
    Snapshot,
    Summary,
    agency_names,
    agency_report,
    load,
    overview,
)
from archive.coverage import (
    ARTICLE_49,
    GAP_MIN_EXPECTED,
    GAP_MIN_RATE,
    GAP_WINDOW_MONTHS,
    Gap,
    month_end,
    shift_month,
)
from archive.timeliness import ARTICLE_26, ARTICLE_26_DAYS, FLAGS
from archive.workdays import covered_range

from .agency_charts import lag_histogram, month_chart
from .resources import get_catalogue, web_context

bp = Blueprint("agencies", __name__)
_LOCK = threading.Lock()
MEMO_SIZE = 64
T = TypeVar("T")


def _cache() -> dict[str, Any]:
    cache: dict[str, Any] = current_app.extensions.setdefault("gongkai_agencies", {})
    return cache


def snapshot() -> Snapshot:
    """The app's snapshot, brought up to date when the catalogue changed (only the changed rows are read)."""
    catalogue = get_catalogue()
    token = (catalogue.location, catalogue.state_token())
    cache = _cache()
    with _LOCK:
        if cache.get("token") == token:
            found: Snapshot = cache["snapshot"]
            return found
        previous = cache.get("snapshot") if cache.get("path") == token[0] else None
    fresh = load(catalogue, previous)
    with _LOCK:
        cache.update(token=token, path=token[0], snapshot=fresh, memo=OrderedDict())
    return fresh


def memo(snap: Snapshot, key: tuple[str, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per snapshot and key (the last MEMO_SIZE kept): figures, reports and rendered pages
    depend on nothing else, so a page view on an unchanged catalogue costs a state query."""
    cache = _cache()
    with _LOCK:
        table = cache.get("memo")
        if cache.get("snapshot") is snap and table is not None and key in table:
            table.move_to_end(key)
            found: T = table[key]
            return found
    value = compute()
    with _LOCK:
        table = cache.get("memo")
        if cache.get("snapshot") is snap and table is not None:
            table[key] = value
            while len(table) > MEMO_SIZE:
                table.popitem(last=False)
    return value


def overview_rows(snap: Snapshot) -> list[Summary]:
    return memo(snap, ("overview",), lambda: overview(snap))


def warm(app: Flask) -> None:
    """Load the snapshot ahead of the first request (`gongkai serve` runs this in a background thread)."""
    with app.app_context():
        overview_rows(snapshot())


def search_link(agency: str, month: str | None = None, topic: str | None = None) -> str | None:
    """The search that lists the documents behind a figure (by 发布日期); None where no search can say
    "no agency" or "no topic" (those figures link to the page's own lists instead)."""
    if agency == UNKNOWN_AGENCY or topic == UNKNOWN_TOPIC:
        return None
    args: dict[str, Any] = {"agency": agency, "sort": "newest"}
    if topic:
        args["topic"] = topic
    if month:
        args.update(since=f"{month}-01", until=month_end(month), date_field="publish")
    return url_for("search.results", **args)


def window_link(agency: str, gap: Gap, topic: str | None = None) -> str | None:
    """The search for the documents of the months before a gap, whose rate the gap is judged against."""
    if agency == UNKNOWN_AGENCY or topic == UNKNOWN_TOPIC:
        return None
    extra: dict[str, Any] = {"topic": topic} if topic else {}
    first = shift_month(gap.first, -GAP_WINDOW_MONTHS)
    last = shift_month(gap.first, -1)
    return url_for(
        "search.results",
        agency=agency,
        since=f"{first}-01",
        until=month_end(last),
        date_field="publish",
        sort="newest",
        **extra,
    )


def _method() -> dict[str, Any]:
    first, last = covered_range()
    return {
        "article_26": ARTICLE_26,
        "article_49": ARTICLE_49,
        "late_days": ARTICLE_26_DAYS,
        "calendar_first": first.isoformat(),
        "calendar_last": last.isoformat(),
        "gap_window": GAP_WINDOW_MONTHS,
        "gap_rate": GAP_MIN_RATE,
        "gap_expected": GAP_MIN_EXPECTED,
        "flags": FLAGS,
    }


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@bp.app_template_filter("percent")
def _percent(value: float | None) -> str:
    return percent(value)


@bp.app_template_filter("number")
def _number(value: float | None) -> str:
    return number(value)


@bp.get("/agencies")
def index() -> str:
    snap = snapshot()
    return memo(
        snap,
        ("page",),
        lambda: render_template(
            "agencies.html",
            rows=overview_rows(snap),
            total=len(snap.docs),
            reference_month=snap.reference_month,
            as_of=snap.as_of.isoformat() if snap.as_of else None,
            method=_method(),
            search_link=search_link,
        ),
    )


def _topic() -> str | None:
    topic = request.args.get("topic")
    if topic is not None and (not topic or len(topic) > web_context().settings.max_param_chars):
        abort(404)
    return topic


def _report(snap: Snapshot, name: str, topic: str | None) -> AgencyReport:
    if name not in memo(snap, ("names",), lambda: agency_names(snap)):
        abort(404)  # before the memo: unknown names must not push known pages out
    if topic is not None:
        known = memo(snap, ("report", name, ""), lambda: agency_report(snap, name))
        if known is None or topic not in {t.name for t in known.topics}:
            abort(404)
    report = memo(snap, ("report", name, topic or ""), lambda: agency_report(snap, name, topic))
    if report is None:
        abort(404)
    return report


@bp.get("/agencies/<path:name>")
def show(name: str) -> str:
    snap = snapshot()
    topic = _topic()
    report = _report(snap, name, topic)
    twin: dict[str, Any] = {"name": name, "topic": topic} if topic else {"name": name}
    return memo(
        snap,
        ("page", name, topic or ""),
        lambda: render_template(
            "agencies_show.html",
            r=report,
            s=report.summary,
            topic=topic,
            chart=month_chart(report.months),
            histogram=lag_histogram(report),
            method=_method(),
            search_link=search_link,
            window_link=window_link,
            json_url=url_for("agencies.api_show", **twin),
            months_csv=url_for("agencies.api_months_csv", **twin),
            docs_csv=url_for("agencies.api_documents_csv", **twin),
        ),
    )


@bp.get("/api/agencies")
def api_index() -> Response:
    snap = snapshot()
    return jsonify(
        {
            "reference_month": snap.reference_month,
            "as_of": snap.as_of.isoformat() if snap.as_of else None,
            "documents": len(snap.docs),
            "agencies": [row.to_json() for row in overview_rows(snap)],
            "method": _method(),
        }
    )


def _csv(rows: list[dict[str, Any]], filename: str) -> Response:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    response = Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/api/agencies.csv")
def api_index_csv() -> Response:
    return _csv([row.to_json() for row in overview_rows(snapshot())], "gongkai-agencies.csv")


@bp.get("/api/agencies/<path:name>/months.csv")
def api_months_csv(name: str) -> Response:
    return _csv([vars(m) for m in _report(snapshot(), name, _topic()).months], "gongkai-agency-months.csv")


@bp.get("/api/agencies/<path:name>/documents.csv")
def api_documents_csv(name: str) -> Response:
    report = _report(snapshot(), name, _topic())
    seen: dict[str, dict[str, Any]] = {}
    for doc in (*report.late_docs, *report.edited_docs, *report.removed_docs, *report.flagged_docs):
        seen.setdefault(doc.doc_id, doc.to_json())
    return _csv(list(seen.values()), "gongkai-agency-documents.csv")


@bp.get("/api/agencies/<path:name>")
def api_show(name: str) -> Response:
    data = _report(snapshot(), name, _topic()).to_json()
    data["method"] = _method()
    return jsonify(data)
