"""Blueprint "search": the search page and its JSON twin, the Atom feed and the exports, all from one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from archive import FIELD_LABELS
from index import DATE_FIELDS, SORTS, IndexSettings, QueryError, SearchPage

from .budget import check_deadline
from .charts import Chart, build_chart, is_short_range
from .feeds import FeedEntry, build_feed, date_to_instant
from .pageparts import any_of_facets, filter_chips, marked_titles
from .queryargs import (
    FILTERS,
    ArgsError,
    SearchArgs,
    date_presets,
    facet_items,
    parse_search_args,
    parse_window,
    to_search_query,
)
from .resources import get_searcher, web_context
from .timefmt import BEIJING

bp = Blueprint("search", __name__)


def _today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def run_search(search: SearchArgs, *, offset: int, limit: int, sort: str | None = None) -> SearchPage:
    check_deadline()  # a request past its deadline starts no further search
    settings = web_context().index_settings
    query = to_search_query(search, offset=offset, limit=limit, sort=sort, settings=settings)
    page: SearchPage = get_searcher().search(query)
    return page


def _chart(search: SearchArgs, page: SearchPage) -> Chart | None:
    """Matches per month over a short date range, else per year: both counted by the index in the same search."""
    settings = web_context().settings
    if is_short_range(search.since, search.until, _today(), settings.chart_month_max_days):
        months = page.facets.get("month")
        if months is not None:
            return build_chart(months, "月", start=search.since, end=search.until or _today().isoformat())
    return build_chart(page.facets.get("year", {}), "年")


def _page_context(search: SearchArgs, page: SearchPage | None, message: str | None) -> dict[str, Any]:
    ctx = web_context()
    settings = ctx.settings
    total = page.total if page else 0
    last_page = min(settings.max_page, max(1, -(-total // settings.page_size)))
    facets = _ui_facets(search, page) if page else {}
    return {
        "search": search,
        "page": page,
        "message": message,
        "total": total,
        "last_page": last_page,
        "facet_groups": [
            (spec, facet_items(facets.get(spec.name, {}), search.values(spec.name)))
            for spec in FILTERS
            if spec.facetable
        ],
        "presets": date_presets(search, _today()),
        "sorts": SORTS,
        "date_fields": DATE_FIELDS,
        "chart": _chart(search, page) if page and total else None,
        "pages": _pager(search.page, last_page),
        "max_query_chars": (ctx.index_settings or IndexSettings()).max_query_chars,
        "chips": filter_chips(search),
        "titles": marked_titles(page, search.q, ctx.index_settings or IndexSettings()) if page else {},
        "back": search.to_params(),
    }


def _ui_facets(search: SearchArgs, page: SearchPage) -> dict[str, Mapping[str, int]]:
    """Any-of facet counts (web/pageparts.py): one extra small query per facet that has a value chosen."""
    return any_of_facets(search, page, lambda s: run_search(s, offset=0, limit=1))


def _pager(current: int, last: int) -> list[int | None]:
    """Page numbers around the current one, None for a gap."""
    wanted = {1, last, *range(current - 2, current + 3)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(p for p in wanted if 1 <= p <= last):
        if previous and n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


@bp.get("/")
@bp.get("/search")
def results() -> Response | tuple[str, int] | str:
    settings = web_context().settings
    try:
        search = parse_search_args(request.args, settings)
    except ArgsError as exc:
        kept = SearchArgs(q=request.args.get("q", "")[: settings.max_param_chars])
        return render_template("search.html", **_page_context(kept, None, str(exc))), 400
    offset = (search.page - 1) * settings.page_size
    try:
        page = run_search(search, offset=offset, limit=settings.page_size)
    except QueryError as exc:
        return render_template("search.html", **_page_context(search, None, f"无法理解这个查询：{exc}")), 400
    return render_template("search.html", **_page_context(search, page, None))


@bp.get("/api/search")
def api_search() -> Response:
    settings = web_context().settings
    search = parse_search_args(request.args, settings)
    offset, limit = parse_window(request.args, settings, search, web_context().index_settings)
    page = run_search(search, offset=offset, limit=limit)
    return jsonify(page.to_json())


@bp.get("/feed.atom")
def feed() -> Response:
    settings = web_context().settings
    search = parse_search_args(request.args, settings)
    page = run_search(search, offset=0, limit=settings.feed_size, sort="newest")
    entries = []
    for hit in page.hits:
        published = date_to_instant(hit.publish_date)
        parts = [
            f"{FIELD_LABELS[name]}：{value}"
            for name, value in (
                ("agency", hit.agency),
                ("doc_no", hit.doc_no),
                ("index_no", hit.index_no),
                ("publish_date", hit.publish_date),
            )
            if value
        ]
        entries.append(
            FeedEntry(
                doc_id=hit.id,
                title=hit.title or "",
                link=url_for("documents.show", doc_id=hit.id, _external=True),
                updated=published or "1970-01-01T00:00:00Z",
                published=published,
                summary="；".join(parts),
                original_url=hit.url,
            )
        )
    query = search.query_string(page=1, sort="relevance")
    chosen = [v for spec in FILTERS for v in search.values(spec.name)]
    described = "、".join(filter(None, [search.q, *chosen])) or "全部文件"
    updated = max((e.updated for e in entries), default="1970-01-01T00:00:00Z")
    body = build_feed(
        feed_id=url_for("search.feed", _external=True) + query,
        title=f"{settings.site_name}：{described}",
        self_url=url_for("search.feed", _external=True) + query,
        html_url=url_for("search.results", _external=True) + search.query_string(page=1, sort="newest"),
        updated=updated,
        entries=entries,
    )
    return Response(body, mimetype="application/atom+xml")
