"""Blueprint "watch": the change feeds, the watcher's state, and the (token-protected) saving of alerts.

- `/changes.atom?...`: every new version (a new document is version 1) and every removal, newest first, filtered
  by the same parameters as `/search`; `/documents/<id>/changes.atom`: one document's versions and removal.
- `/watch`, `/api/watch`: sources (last/next run, failures, counts) and alerts (active or paused).
- `/alerts/new` (form) and `POST /api/alerts`: only when the composition root handed over a `save_alert`
  (the write side is on), and only with the write token. The public site stays read-only otherwise.

The web layer never imports the watcher: the composition root passes plain callables in `WatchHooks`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for

from .diffs import FIELD_LABELS
from .feeds import FeedEntry, build_feed
from .queryargs import FILTERS, SearchArgs, parse_search_args, to_search_query
from .resources import get_catalogue, get_searcher, web_context

bp = Blueprint("watch", __name__)

FEED_KINDS = ("new", "changed", "removed")
KIND_TITLE = {"new": "新文件", "changed": "修改", "removed": "已删除"}
SCAN_BATCH = 500
SCAN_MAX = 50_000  # events looked at for one filtered feed, at most


@dataclass(frozen=True)
class WatchHooks:
    status: Callable[[], dict[str, Any]]
    save_alert: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # None: the write side is off
    token: str = ""


def hooks() -> WatchHooks | None:
    found: WatchHooks | None = current_app.extensions.get("gongkai_watch")
    return found


def install(app: Any, watch: WatchHooks | None) -> None:
    app.extensions["gongkai_watch"] = watch
    app.register_blueprint(bp)

    @app.context_processor
    def _write_side() -> dict[str, Any]:
        return {"watch_write": watch is not None and watch.save_alert is not None}


def _entries(events: list[dict[str, Any]]) -> list[FeedEntry]:
    docs = get_catalogue().documents_for_ids(sorted({e["id"] for e in events}))
    out = []
    for e in events:
        doc = docs.get(e["id"])
        title = (doc.fields.title if doc else None) or e["id"]
        if e["kind"] == "changed":
            fields = "、".join(FIELD_LABELS.get(f, f) for f in e["detail"].get("fields") or [])
            summary = f"第 {e['detail'].get('version')} 版；修改：{fields}"
        elif e["kind"] == "removed":
            summary = f"原网页已删除（HTTP {e['detail'].get('status')}），最后见于 {e['detail'].get('last_seen_at')}"
        else:
            summary = f"新收录；发布日期：{(doc.fields.publish_date if doc else None) or '未注明'}"
        link = url_for("documents.show", doc_id=e["id"], _external=True)
        out.append(
            FeedEntry(
                doc_id=e["id"],
                title=f"[{KIND_TITLE[e['kind']]}] {title}",
                link=f"{link}#event-{e['event_id']}",
                updated=e["at"],
                published=None,
                summary=summary,
                original_url=doc.url if doc else None,
            )
        )
    return out


def _matching(search: SearchArgs) -> set[str] | None:
    """The documents a filtered feed is restricted to; None when it is not filtered."""
    if not (search.q or search.is_filtered()):
        return None
    query = to_search_query(search, offset=0, limit=1, sort="newest", settings=web_context().index_settings)
    return set(get_searcher().matching_ids(query))


@bp.get("/changes.atom")
def changes_feed() -> Response:
    settings = web_context().settings
    search = parse_search_args(request.args, settings)
    allowed = _matching(search)
    catalogue = get_catalogue()
    events: list[dict[str, Any]] = []
    before: int | None = None
    scanned = 0
    while len(events) < settings.feed_size and scanned < SCAN_MAX:
        batch = catalogue.recent_events(FEED_KINDS, before=before, limit=SCAN_BATCH)
        if not batch:
            break
        scanned += len(batch)
        before = batch[-1]["event_id"]
        events += [e for e in batch if allowed is None or e["id"] in allowed]
    events = events[: settings.feed_size]
    query = search.query_string(page=1, sort="relevance")
    chosen = [v for spec in FILTERS for v in search.values(spec.name)]
    described = "、".join(filter(None, [search.q, *chosen])) or "全部文件"
    body = build_feed(
        feed_id=url_for("watch.changes_feed", _external=True) + query,
        title=f"{settings.site_name}：变化 {described}",
        self_url=url_for("watch.changes_feed", _external=True) + query,
        html_url=url_for("search.results", _external=True) + search.query_string(page=1, sort="newest"),
        updated=max((e["at"] for e in events), default="1970-01-01T00:00:00Z"),
        entries=_entries(events),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/documents/<doc_id>/changes.atom")
def document_feed(doc_id: str) -> Response:
    doc = get_catalogue().get_document(doc_id)  # DocumentNotFound: 404
    events = get_catalogue().recent_events((*FEED_KINDS, "restored"), doc_id=doc_id, limit=200)
    shown = [e for e in events if e["kind"] in FEED_KINDS]
    body = build_feed(
        feed_id=url_for("watch.document_feed", doc_id=doc_id, _external=True),
        title=f"{web_context().settings.site_name}：{doc.fields.title or doc_id} 的变化",
        self_url=url_for("watch.document_feed", doc_id=doc_id, _external=True),
        html_url=url_for("documents.show", doc_id=doc_id, _external=True),
        updated=max((e["at"] for e in shown), default=doc.captured_at),
        entries=_entries(shown),
    )
    return Response(body, mimetype="application/atom+xml")


def _state() -> dict[str, Any]:
    watch = hooks()
    if watch is None:
        return {"enabled": False, "sources": [], "alerts": []}
    return {"enabled": True, "write": watch.save_alert is not None, **watch.status()}


@bp.get("/api/watch")
def api_watch() -> Response:
    return jsonify(_state())


@bp.get("/watch")
def watch_page() -> str:
    return render_template("watch.html", state=_state())


def _authorised(watch: WatchHooks, given: str | None) -> bool:
    return (
        bool(watch.token) and bool(given) and hmac.compare_digest(str(given).encode(), watch.token.encode())
    )


def _write_side() -> WatchHooks:
    watch = hooks()
    if watch is None or watch.save_alert is None:
        abort(404)  # the read-only site has no write routes at all
    return watch


@bp.get("/alerts/new")
def alert_form() -> str:
    _write_side()
    search = parse_search_args(request.args, web_context().settings)
    return render_template("alert_new.html", search=search, message=None, saved=None)


@bp.post("/alerts/new")
def alert_submit() -> tuple[str, int]:
    watch = _write_side()
    search = parse_search_args(request.form, web_context().settings)
    if not _authorised(watch, request.form.get("token")):
        return render_template("alert_new.html", search=search, message="写入口令不对", saved=None), 403
    spec = _spec(search, request.form)
    try:
        saved = watch.save_alert(spec)  # type: ignore[misc]
    except ValueError as exc:
        return render_template("alert_new.html", search=search, message=str(exc), saved=None), 400
    return render_template("alert_new.html", search=search, message=None, saved=saved), 201


@bp.post("/api/alerts")
def api_save_alert() -> tuple[Response, int]:
    watch = _write_side()
    header = request.headers.get("Authorization", "")
    if not _authorised(
        watch, header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    ):
        return jsonify({"error": {"status": 403, "message": "写入口令不对 / wrong or missing token"}}), 403
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(
            {"error": {"status": 400, "message": "需要 JSON 对象 / a JSON object is required"}}
        ), 400
    params = {k: v for k, v in data.items() if k in ("q", "agency", "topic", "since", "until", "date_field")}
    flat = [
        (k, x) for k, v in params.items() for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)
    ]
    from werkzeug.datastructures import MultiDict

    search = parse_search_args(MultiDict(flat), web_context().settings)
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    channel = data.get("channel")
    spec = _spec(search, form, channel if isinstance(channel, dict) else None)
    try:
        saved = watch.save_alert(spec)  # type: ignore[misc]
    except ValueError as exc:
        return jsonify({"error": {"status": 400, "message": str(exc)}}), 400
    return jsonify(saved), 201


def _spec(search: SearchArgs, form: Any, channel: dict[str, Any] | None = None) -> dict[str, Any]:
    if channel is None:
        kind = form.get("channel", "webhook")
        if kind == "email":
            channel = {"type": "email", "to": [form.get("email", "")], "smtp": form.get("smtp", "")}
        elif kind == "apprise":
            channel = {"type": "apprise", "url": form.get("notify", "")}
        else:
            channel = {"type": "webhook", "url": form.get("webhook", ""), "secret": form.get("secret", "")}
    query: dict[str, Any] = {
        "q": search.q,
        "agencies": list(search.agencies),
        "topics": list(search.topics),
        "since": search.since,
        "until": search.until,
        "date_field": search.date_field if search.date_field != "publish" else None,
    }
    if search.filters:  # the other filterable fields of archive/fields.py
        query["filters"] = {name: list(values) for name, values in search.filters}
    return {
        "name": str(form.get("name") or "")[:80],
        "query": query,
        "frequency": str(form.get("frequency") or "immediate"),
        "channel": channel,
    }
