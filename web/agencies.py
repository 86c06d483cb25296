"""Blueprint "agencies": is each agency disclosing on time, completely, and leaving it up?

`/agencies` and `/agencies/<name>` with their JSON and CSV twins under /api/. Every figure comes from
`archive.accountability` (the same numbers `gongkai report agency` prints). The snapshot is computed once per
catalogue state (max seq, max event id) and kept per app, so a page view after the first costs a state query.
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, url_for

from archive.accountability import AgencyReport, Snapshot, agency_report, load, overview
from archive.coverage import ARTICLE_49, GAP_MIN_EXPECTED, GAP_MIN_RATE, GAP_WINDOW_MONTHS, month_end
from archive.timeliness import ARTICLE_26, ARTICLE_26_DAYS, FLAGS
from archive.workdays import covered_range

from .agency_charts import lag_histogram, month_chart
from .resources import get_catalogue

bp = Blueprint("agencies", __name__)
_LOCK = threading.Lock()


def snapshot() -> Snapshot:
    catalogue = get_catalogue()
    token = (str(catalogue.path), catalogue.state_token())
    cache: dict[str, Any] = current_app.extensions.setdefault("gongkai_agencies", {})
    with _LOCK:
        if cache.get("token") == token:
            found: Snapshot = cache["snapshot"]
            return found
    fresh = load(catalogue)
    with _LOCK:
        cache["token"], cache["snapshot"] = token, fresh
    return fresh


def search_link(agency: str, month: str | None = None, topic: str | None = None) -> str:
    """The search that lists the documents behind a figure (by 发布日期)."""
    args: dict[str, Any] = {"agency": agency, "sort": "newest"}
    if topic:
        args["topic"] = topic
    if month:
        args.update(since=f"{month}-01", until=month_end(month), date_field="publish")
    return url_for("search.results", **args)


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
    rows = overview(snap)
    return render_template(
        "agencies.html",
        rows=rows,
        total=len(snap.docs),
        reference_month=snap.reference_month,
        as_of=snap.as_of.isoformat() if snap.as_of else None,
        method=_method(),
        search_link=search_link,
    )


def _report(name: str) -> AgencyReport:
    report = agency_report(snapshot(), name)
    if report is None:
        abort(404)
    return report


@bp.get("/agencies/<path:name>")
def show(name: str) -> str:
    report = _report(name)
    return render_template(
        "agencies_show.html",
        r=report,
        s=report.summary,
        chart=month_chart(report.months),
        histogram=lag_histogram(report),
        method=_method(),
        search_link=search_link,
    )


@bp.get("/api/agencies")
def api_index() -> Response:
    snap = snapshot()
    return jsonify(
        {
            "reference_month": snap.reference_month,
            "as_of": snap.as_of.isoformat() if snap.as_of else None,
            "documents": len(snap.docs),
            "agencies": [row.to_json() for row in overview(snap)],
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
    return _csv([row.to_json() for row in overview(snapshot())], "gongkai-agencies.csv")


@bp.get("/api/agencies/<path:name>/months.csv")
def api_months_csv(name: str) -> Response:
    return _csv([vars(m) for m in _report(name).months], "gongkai-agency-months.csv")


@bp.get("/api/agencies/<path:name>/documents.csv")
def api_documents_csv(name: str) -> Response:
    report = _report(name)
    seen: dict[str, dict[str, Any]] = {}
    for doc in (*report.late_docs, *report.edited_docs, *report.removed_docs, *report.flagged_docs):
        seen.setdefault(doc.doc_id, doc.to_json())
    return _csv(list(seen.values()), "gongkai-agency-documents.csv")


@bp.get("/api/agencies/<path:name>")
def api_show(name: str) -> Response:
    data = _report(name).to_json()
    data["method"] = _method()
    return jsonify(data)
