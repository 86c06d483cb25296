"""Searching: `SearchQuery` in, `SearchPage` out, through a `Searcher` opened per request or per thread.

A Whoosh searcher is a snapshot of the index; sharing one between threads while it is refreshed corrupts reads
(TESTPLAN finding 2), so a `Searcher` is never shared: open one per request (it is cheap) and close it.
Facets are counted by Whoosh's grouping over every match, not the page; ties in relevance are broken by id so that
a rebuilt index returns the same order.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.index import EmptyIndexError

from index.errors import IndexMissing, QueryError
from index.query import build_query
from index.schema import META_FILE, SCHEMA_VERSION
from index.settings import IndexSettings
from index.snippets import make_snippet

SORTS = ("relevance", "newest", "oldest")
DATE_FIELDS = ("publish", "written")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    agencies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    date_field: str = "publish"
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20

    def validate(self, settings: IndexSettings | None = None) -> SearchQuery:
        """Raise QueryError for anything that cannot run; returns self for chaining."""
        s = settings or IndexSettings()
        if len(self.q) > s.max_query_chars:
            raise QueryError(
                f"查询过长（最多 {s.max_query_chars} 个字符）/ query too long (at most {s.max_query_chars} characters)"
            )
        if self.sort not in SORTS:
            raise QueryError(f"未知的排序方式 / unknown sort: {self.sort!r} (relevance, newest, oldest)")
        if self.date_field not in DATE_FIELDS:
            raise QueryError(f"未知的日期字段 / unknown date field: {self.date_field!r} (publish, written)")
        for name, value in (("since", self.since), ("until", self.until)):
            if value is not None:
                if not _DATE.match(value):
                    raise QueryError(f"日期格式应为 YYYY-MM-DD / {name} must be YYYY-MM-DD: {value!r}")
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise QueryError(f"日期无效 / invalid date for {name}: {value!r}") from None
        if self.since and self.until and self.since > self.until:
            raise QueryError("起始日期晚于结束日期 / since is after until")
        if not 0 <= self.offset <= s.max_offset:
            raise QueryError(f"偏移量应在 0 到 {s.max_offset} 之间 / offset must be 0..{s.max_offset}")
        if not 1 <= self.limit <= s.max_limit:
            raise QueryError(f"每页条数应在 1 到 {s.max_limit} 之间 / limit must be 1..{s.max_limit}")
        for values in (self.agencies, self.topics):
            if len(values) > 50 or any(len(v) > s.max_query_chars for v in values):
                raise QueryError("筛选条件过多或过长 / too many or too long filter values")
        return self


@dataclass(frozen=True)
class Hit:
    id: str
    url: str | None
    title: str | None
    index_no: str | None
    agency: str | None
    topic: str | None
    doc_no: str | None
    written_date: str | None
    publish_date: str | None
    status: str
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "index_no": self.index_no,
            "agency": self.agency,
            "topic": self.topic,
            "doc_no": self.doc_no,
            "written_date": self.written_date,
            "publish_date": self.publish_date,
            "status": self.status,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class SearchPage:
    total: int
    offset: int
    limit: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Exactly the `search --json` shape of INTERFACES.md."""
        return {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "hits": [h.to_json() for h in self.hits],
            "facets": {name: dict(self.facets.get(name, {})) for name in ("agency", "topic", "year")},
        }


def _any_of(fieldname: str, values: tuple[str, ...]) -> wq.Query:
    return wq.Or([wq.Term(fieldname, v) for v in values])


class Searcher:
    """One snapshot of the index for one request or thread: `with Searcher(dir, settings) as s: s.search(q)`."""

    def __init__(self, index_dir: Path, settings: IndexSettings) -> None:
        self.index_dir = Path(index_dir)
        self.settings = settings
        self._ix: Any = None
        self._searcher: Any = None

    def __enter__(self) -> Searcher:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        self._check_schema_version()
        for attempt in range(3):  # a rebuild may be swapping the directory in this instant
            try:
                self._ix = whoosh_index.open_dir(str(self.index_dir))
                self._searcher = self._ix.searcher()
                return
            except (EmptyIndexError, FileNotFoundError):
                if attempt == 2:
                    raise IndexMissing(
                        "索引不存在，请先运行 gongkai index / no index yet: run `gongkai index`"
                    ) from None
                time.sleep(0.05)

    def _check_schema_version(self) -> None:
        """An index written by another schema would be misread silently: refuse it with the remedy."""
        try:
            meta = json.loads((self.index_dir / META_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return  # no index yet (open() says so) or a meta file being replaced this instant
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexMissing(
                "索引由旧版本建立，请运行 gongkai index --rebuild / the index was built by another version of"
                " gongkai: run `gongkai index --rebuild`"
            )

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    def doc_count(self) -> int:
        return int(self._searcher.doc_count())

    def search(self, query: SearchQuery) -> SearchPage:
        started = time.perf_counter()
        query.validate(self.settings)
        if self._searcher is None:
            raise RuntimeError("Searcher used outside its with-block")
        whole, needles = self._whole(query)
        sortedby = self._sort(query)
        year_col = query.date_field + "_year"
        groups = {
            "agency": sorting.FieldFacet("agency", maptype=sorting.Count),
            "topic": sorting.FieldFacet("topic", maptype=sorting.Count),
            "year": sorting.FieldFacet(year_col, maptype=sorting.Count),
        }
        results = self._searcher.search(
            whole, limit=query.offset + query.limit, sortedby=sortedby, groupedby=groups, terms=False
        )
        facets = {
            name: {str(k): int(v) for k, v in sorted(results.groups(name).items(), key=_facet_order) if k}
            for name in groups
        }
        hits = [
            self._hit(results[i], needles)
            for i in range(query.offset, min(len(results), query.offset + query.limit))
        ]
        return SearchPage(
            total=len(results),
            offset=query.offset,
            limit=query.limit,
            hits=hits,
            facets=facets,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _whole(self, query: SearchQuery) -> tuple[wq.Query, list[str]]:
        """The query with its filters, and the literal needles snippets look for."""
        main, needles = build_query(query.q, self.settings)
        filters: list[wq.Query] = [main]
        if query.agencies:
            filters.append(_any_of("agency", query.agencies))
        if query.topics:
            filters.append(_any_of("topic", query.topics))
        if query.since or query.until:
            filters.append(
                wq.NumericRange(
                    query.date_field + "_num",
                    _number(query.since or "1000-01-01"),
                    _number(query.until or "9999-12-31"),
                )
            )
        whole = filters[0] if len(filters) == 1 else wq.And(filters)
        return whole, needles

    def matching_ids(self, query: SearchQuery) -> list[str]:
        """Every matching document id in the query's sort order, without offset or limit caps (exports)."""
        query.validate(self.settings)
        if self._searcher is None:
            raise RuntimeError("Searcher used outside its with-block")
        whole, _needles = self._whole(query)
        results = self._searcher.search(whole, limit=None, sortedby=self._sort(query), terms=False)
        # ids from the sortable id column: loading stored fields would also decompress every body
        ids = self._searcher.reader().column_reader("id", translate=True)
        return [str(ids[docnum]) for docnum, _score in results.items()]

    @staticmethod
    def _sort(query: SearchQuery) -> Any:
        by_id = sorting.FieldFacet("id")
        if query.sort == "newest":
            return [sorting.FieldFacet(query.date_field + "_num", reverse=True), by_id]
        if query.sort == "oldest":
            return [sorting.FieldFacet(query.date_field + "_asc"), by_id]
        return [sorting.ScoreFacet(), by_id]

    def _hit(self, hit: Any, needles: list[str]) -> Hit:
        stored = hit.fields()
        shown = stored.get("stored") or {}
        body = zlib.decompress(stored["body_z"]).decode("utf-8") if stored.get("body_z") else ""
        snippet = make_snippet(body, needles, self.settings.snippet_chars, self.settings.snippet_fragments)
        return Hit(
            id=stored["id"],
            url=stored.get("url"),
            title=shown.get("title"),
            index_no=shown.get("index_no"),
            agency=stored.get("agency"),
            topic=stored.get("topic"),
            doc_no=shown.get("doc_no"),
            written_date=stored.get("written_date"),
            publish_date=stored.get("publish_date"),
            status=stored.get("status") or "live",
            snippet=snippet,
        )


def _number(iso: str) -> int:
    return int(iso.replace("-", ""))


def _facet_order(item: tuple[Any, int]) -> tuple[int, str]:
    return (-item[1], str(item[0]))
