"""Request arguments <-> SearchQuery, and the URLs of facets, presets and pages.

Pure: takes a MultiDict-like mapping, returns values or raises ArgsError; it never touches the request or the
index. One canonical parameter order keeps every search URL stable, so the same search is the same bookmark.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol
from urllib.parse import urlencode

from archive.fields import FieldSpec, filterable
from index import DATE_FIELDS, SORTS, IndexSettings, SearchQuery

from .settings import WebSettings

# the any-of filters of a search, by URL parameter (archive/fields.py); agency and topic have fields of their own
FILTERS: tuple[FieldSpec, ...] = filterable()
_NAMED = {"agency": "agencies", "topic": "topics"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(
    r"[0-9]{1,9}"
)  # ASCII only: str.isdigit and \d accept ² ① ١, which int() refuses or misreads
_ID = re.compile(r"[1-9][0-9]{0,17}")  # a row id in its one canonical spelling (not 01, not １)


def parse_id(value: str | None) -> int | None:
    """A catalogue row id written exactly as we write it, else None."""
    if value is None or not _ID.fullmatch(value):
        return None
    return int(value)


class ArgsError(ValueError):
    """A parameter the user (or a link) got wrong; the message is shown to them as is."""


class MultiArgs(Protocol):
    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...


@dataclass(frozen=True)
class SearchArgs:
    """What a search URL says, validated; `page` is 1-based. `filters` holds the values of the filterable
    fields other than agency and topic, as (name, values) pairs in FILTERS order."""

    q: str = ""
    agencies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    date_field: str = "publish"
    sort: str = "relevance"
    page: int = 1
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def values(self, name: str) -> tuple[str, ...]:
        """The chosen values of one filter."""
        if name in _NAMED:
            chosen: tuple[str, ...] = getattr(self, _NAMED[name])
            return chosen
        return dict(self.filters).get(name, ())

    def with_values(self, name: str, values: tuple[str, ...]) -> SearchArgs:
        """This search with one filter's values replaced (page 1)."""
        if name == "agency":
            return replace(self, page=1, agencies=values)
        if name == "topic":
            return replace(self, page=1, topics=values)
        others = {**dict(self.filters), name: values}
        kept = tuple((spec.name, others[spec.name]) for spec in FILTERS if others.get(spec.name))
        return replace(self, page=1, filters=kept)

    def to_params(self) -> list[tuple[str, str]]:
        """The canonical (ordered, defaults omitted) parameter list of this search."""
        params: list[tuple[str, str]] = []
        if self.q:
            params.append(("q", self.q))
        for spec in FILTERS:
            params += [(spec.name, v) for v in self.values(spec.name)]
        if self.since:
            params.append(("since", self.since))
        if self.until:
            params.append(("until", self.until))
        if self.date_field != "publish":
            params.append(("date_field", self.date_field))
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.page != 1:
            params.append(("page", str(self.page)))
        return params

    def query_string(self, **changes: object) -> str:
        """`?...` for this search with some fields changed; changing anything but the page goes back to page 1."""
        if changes and "page" not in changes:
            changes["page"] = 1
        target = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        params = target.to_params()
        return "?" + urlencode(params) if params else ""

    def toggle(self, facet: str, value: str) -> str:
        """Query string with one value of a filter switched on or off."""
        current = self.values(facet)
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.with_values(facet, chosen).query_string()

    def cleared(self) -> str:
        """Query string of the same query without any filter or date range."""
        return self.query_string(agencies=(), topics=(), filters=(), since=None, until=None)

    def is_filtered(self) -> bool:
        return any(self.values(spec.name) for spec in FILTERS) or bool(self.since or self.until)


def _single(args: MultiArgs, key: str, settings: WebSettings) -> str | None:
    values = args.getlist(key)
    if not values:
        return None
    if len(values) > 1:
        raise ArgsError(f"参数 {key} 只能出现一次")
    value = values[0]
    if len(value) > settings.max_param_chars:
        raise ArgsError(f"参数 {key} 过长（最多 {settings.max_param_chars} 个字符）")
    return value


def _date(value: str | None, key: str) -> str | None:
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not _DATE.fullmatch(value):
        raise ArgsError(f"日期 {key} 格式应为 YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ArgsError(f"日期 {key} 不是有效日期") from None
    return value


def _int(value: str | None, key: str, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not _INT.fullmatch(value.strip()):
        raise ArgsError(f"参数 {key} 应为 {low} 到 {high} 之间的整数")
    number = int(value)
    if not low <= number <= high:
        raise ArgsError(f"参数 {key} 应为 {low} 到 {high} 之间的整数")
    return number


def _values(args: MultiArgs, key: str, settings: WebSettings) -> tuple[str, ...]:
    """A filter's values, each bounded; how many one filter may have is the index's to say (max_filter_values)."""
    raw = args.getlist(key)
    out: list[str] = []
    for value in raw:
        if len(value) > settings.max_param_chars:
            raise ArgsError(f"参数 {key} 过长")
        value = value.strip()
        if value and value not in out:
            out.append(value)
    return tuple(out)


def parse_search_args(args: MultiArgs, settings: WebSettings) -> SearchArgs:
    """Validate the search parameters of /search, /api/search, the exports and the feed."""
    q = _single(args, "q", settings) or ""
    if "\x00" in q:
        raise ArgsError("查询中含有不允许的字符")
    since = _date(_single(args, "since", settings), "since")
    until = _date(_single(args, "until", settings), "until")
    if since and until and since > until:
        raise ArgsError("起始日期晚于结束日期")
    date_field = _single(args, "date_field", settings) or "publish"
    if date_field not in DATE_FIELDS:
        raise ArgsError(f"date_field 只能是 {' 或 '.join(DATE_FIELDS)}")
    sort = _single(args, "sort", settings) or "relevance"
    if sort not in SORTS:
        raise ArgsError(f"sort 只能是 {'、'.join(SORTS)}")
    page = _int(_single(args, "page", settings), "page", default=1, low=1, high=settings.max_page)
    chosen = {spec.name: _values(args, spec.name, settings) for spec in FILTERS}
    return SearchArgs(
        q=q.strip(),
        agencies=chosen.get("agency", ()),
        topics=chosen.get("topic", ()),
        filters=tuple((name, values) for name, values in chosen.items() if values and name not in _NAMED),
        since=since,
        until=until,
        date_field=date_field,
        sort=sort,
        page=page,
    )


def parse_window(
    args: MultiArgs, settings: WebSettings, search: SearchArgs, index_settings: IndexSettings | None = None
) -> tuple[int, int]:
    """(offset, limit) of the API: explicit offset/limit, else the page of the HTML view. Their bounds are the
    index's (max_limit, max_offset), which enforces them for every caller."""
    bounds = index_settings or IndexSettings()
    limit = _int(
        _single(args, "limit", settings), "limit", default=settings.page_size, low=1, high=bounds.max_limit
    )
    if "offset" in args:
        offset = _int(_single(args, "offset", settings), "offset", default=0, low=0, high=bounds.max_offset)
    else:
        offset = (search.page - 1) * limit
    return offset, limit


def to_search_query(
    search: SearchArgs,
    *,
    offset: int,
    limit: int,
    sort: str | None = None,
    settings: IndexSettings | None = None,
) -> SearchQuery:
    """The index's query object; validate() turns what the index cannot take into QueryError."""
    query = SearchQuery(
        q=search.q,
        agencies=search.agencies,
        topics=search.topics,
        filters=search.filters,
        since=search.since,
        until=search.until,
        date_field=search.date_field,
        sort=sort or search.sort,
        offset=offset,
        limit=limit,
    )
    query.validate(settings)
    return query


def date_presets(search: SearchArgs, today: dt.date) -> list[tuple[str, str, bool]]:
    """(label, query string, is_current) of 全部 / 近一月 / 近一年; custom dates go through the form."""
    month_ago = (today - dt.timedelta(days=30)).isoformat()
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    presets = [("不限", None), ("近一月", month_ago), ("近一年", year_ago)]
    out = []
    for label, since in presets:
        current = search.since == since and search.until is None
        out.append((label, search.query_string(since=since, until=None), current))
    return out


def facet_items(
    counts: Mapping[str, int], chosen: Iterable[str], *, limit: int = 30
) -> list[tuple[str, int, bool]]:
    """(value, count, checked): chosen values always shown, then the biggest counts."""
    chosen = list(chosen)
    items = [(v, int(counts.get(v, 0)), True) for v in chosen]
    rest = sorted(((v, int(c)) for v, c in counts.items() if v not in chosen), key=lambda vc: (-vc[1], vc[0]))
    items += [(v, c, False) for v, c in rest[: max(0, limit - len(items))]]
    return items
