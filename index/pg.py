"""The PostgreSQL search backend's reader: `PgSearcher` answers `search` and `matching_ids` exactly as
`index.search.Searcher` does (same `SearchQuery`, same `SearchPage`), from the table of `pgstore`.

One statement per search computes the matches once (a materialised CTE) and from it the total, the agency,
topic, year and month counts over every match, and the ids of the requested page; a second reads the page's
ten rows for their snippets, cut in Python by `index.snippets` as the Whoosh backend cuts them. Connections come
from a pool shared by the process (`PgSearchCache`, the counterpart of `IndexCache`); autocommit, so each
statement sees the latest committed catalogue, and a read replica serves unchanged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from index.attachhits import attachment_match, page_matches
from index.errors import IndexBusy, IndexMissing, QueryError
from index.pgquery import Sql, query_trigrams, score, to_expr, where
from index.pgstore import META, TABLE, as_json
from index.pgtri import TOKEN_KEY, TRI_TABLE
from index.query import parse, positive_literals, scope_of
from index.search import Hit, SearchPage, SearchQuery
from index.settings import IndexSettings
from index.snippets import make_snippet

_MISSING = (
    "搜索表不存在，请先运行 gongkai index --rebuild / no search table in the database yet:"
    " run `gongkai index --rebuild`"
)
_UNAVAILABLE = "搜索数据库暂时无法连接 / the search database is unavailable"
_DETAILS = "doc_id, shown, body, attach_units"
# the total and the four facets' counts in one pass over the matches (grouping sets), not five; `grouping()`
# says which set a row counts: a bit per column left out
_FACETS = (
    "SELECT coalesce(json_agg(json_build_array(g, agency, topic, y, mo, n)), '[]') FROM"
    " (SELECT grouping(agency, topic, y, mo) AS g, agency, topic, y, mo, count(*) AS n FROM"
    " (SELECT agency, topic, CASE WHEN num > 0 THEN num / 10000 END AS y,"
    " CASE WHEN num > 0 THEN num / 100 END AS mo FROM m) r"
    " GROUP BY GROUPING SETS ((agency), (topic), (y), (mo), ())) s"
)
_BY_AGENCY, _BY_TOPIC, _BY_YEAR, _BY_MONTH, _TOTAL = 0b0111, 0b1011, 0b1101, 0b1110, 0b1111


def connect(url: str) -> Any:
    """One autocommit connection without server-side prepared statements (each query is planned with its own
    tsquery: a generic plan cannot judge how selective a gram is), where the GIN index is always preferred."""
    import psycopg

    try:
        conn = psycopg.connect(url, autocommit=True, prepare_threshold=None)
    except psycopg.OperationalError as exc:
        raise IndexBusy(f"{_UNAVAILABLE}: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    # the planner prices `grams @@ q` on a row at nothing, not at detoasting its tsvector: on the small heap
    # (texts are out of line) it would scan every row instead of the GIN index (56 ms against 4 ms at 2,000
    # documents, and growing with the archive)
    conn.execute("SET enable_seqscan = off")
    return conn


class PgSearchCache:
    """Connections shared by one process's request threads: `checkout` lends a searcher, `checkin` returns it."""

    def __init__(self, url: str, max_idle: int = 8) -> None:
        self.url = url
        self._idle: list[Any] = []
        self._max_idle = max_idle
        self._lock = threading.Lock()

    def checkout(self, _index_dir: Any, settings: IndexSettings) -> PgSearcher:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = connect(self.url)
        return PgSearcher(self.url, settings, conn=conn, cache=self)

    def checkin(self, searcher: PgSearcher) -> None:
        conn = searcher.detach()
        if conn is None:
            return
        with self._lock:
            if len(self._idle) < self._max_idle and not conn.closed and not conn.broken:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __del__(self) -> None:
        # an app that is dropped closes its idle connections itself (not the garbage collector)
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to close cleanly
            pass


class PgSearcher:
    """`with PgSearcher(url, settings) as s: s.search(query)`; the same results as `index.Searcher`."""

    def __init__(
        self,
        url: str,
        settings: IndexSettings,
        *,
        conn: Any = None,
        cache: PgSearchCache | None = None,
        table: str = TABLE,
    ) -> None:
        self.url = url
        self.settings = settings
        self.table = table
        self._conn = conn
        self._cache = cache

    def __enter__(self) -> PgSearcher:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        if self._conn is None:
            self._conn = connect(self.url)

    def detach(self) -> Any:
        conn, self._conn = self._conn, None
        return conn

    def close(self) -> None:
        if self._cache is not None and self._conn is not None:
            self._cache.checkin(self)
            return
        conn = self.detach()
        if conn is not None:
            conn.close()

    # ------------------------------------------------------------------ queries

    def _run(self, sql: Sql) -> list[tuple[Any, ...]]:
        import psycopg

        if self._conn is None:
            raise RuntimeError("PgSearcher used outside its with-block")
        try:
            rows: list[tuple[Any, ...]] = self._conn.execute(sql.text, sql.params).fetchall()
        except psycopg.errors.UndefinedTable:
            raise IndexMissing(_MISSING) from None
        except psycopg.OperationalError as exc:
            raise IndexBusy(f"{_UNAVAILABLE}: {exc}") from None
        return rows

    def doc_count(self) -> int:
        return int(self._run(Sql(f"SELECT count(*) FROM {self.table}"))[0][0])

    def _known(self, query: SearchQuery) -> tuple[str | None, frozenset[str]]:
        """The table's frequent trigrams among the query's (`pgtri`), and the token of the list they are from."""
        wanted = query_trigrams(parse(query.q, self.settings))
        if not wanted:
            return None, frozenset()
        try:
            token, found = self._run(
                Sql(
                    f"SELECT (SELECT value FROM {META} WHERE key = %s),"
                    f" ARRAY(SELECT tri FROM {TRI_TABLE} WHERE tri = ANY(%s))",
                    [TOKEN_KEY, wanted],
                )
            )[0]
        except IndexMissing:  # a table from before the list: every candidate is confirmed
            return None, frozenset()
        return token, frozenset(found)

    def _consistent(self, query: SearchQuery, statement: Callable[[Sql, str], Sql]) -> tuple[Any, ...]:
        """The one row of `statement(matches, order)`, whose first column must be the trigram list's token as
        that statement saw it: a rebuild that swapped the table in after `_known` read the list means other
        rows, so the search runs again with the new list."""
        for _attempt in range(3):
            token, known = self._known(query)
            body, order, _ = self._matches(query, known)
            sql = statement(body, order)
            guard = Sql(
                f"SELECT (SELECT value FROM {META} WHERE key = %s), q.* FROM ({sql.text}) q", [TOKEN_KEY]
            )
            row = self._run(Sql(guard.text, guard.params + sql.params))[0]
            if token is None or row[0] == token:
                return tuple(row[1:])
        raise IndexBusy("搜索表正在重建，请重试 / the search table is being rebuilt: try again")

    def _matches(self, query: SearchQuery, known: frozenset[str] = frozenset()) -> tuple[Sql, str, bool]:
        """The CTE body of every match (doc_id, agency, topic, num, score), its ORDER BY, and whether a query ran."""
        if query.filters:  # the field table's filters beyond agency and topic (none today): never ignored
            names = ", ".join(name for name, _values in query.filters)
            raise QueryError(
                f"PostgreSQL 搜索尚不支持按 {names} 筛选 / the postgresql backend cannot filter on {names}"
            )
        tree = parse(query.q, self.settings)
        expr = to_expr(query.q, tree)
        num = "pnum" if query.date_field == "publish" else "wnum"
        # only a relevance order reads the score (its word lookup is a second scan of every matching row)
        rank = score(expr, self.settings) if query.sort == "relevance" else Sql("0")
        cond = where(expr, known)
        parts = [cond]
        if query.agencies:
            parts.append(Sql("agency = ANY(%s)", [[as_json(a) for a in query.agencies]]))
        if query.topics:
            parts.append(Sql("topic = ANY(%s)", [[as_json(t) for t in query.topics]]))
        if query.since or query.until:
            low = int((query.since or "1000-01-01").replace("-", ""))
            high = int((query.until or "9999-12-31").replace("-", ""))
            parts.append(Sql(f"{num} BETWEEN %s AND %s", [low, high]))
        # the score over the matches of every partition at once: in the partitions' scans, each would build
        # its own hash of a word's rows (the word lookup twice over, 22 ms for a common word each)
        text = (
            f"SELECT doc_id, agency, topic, num, {rank.text.format(table=self.table)} AS score FROM"
            f" (SELECT doc_id, agency, topic, {num} AS num, title_f, doc_no_key FROM {self.table} WHERE "
            + " AND ".join(f"({p.text})" for p in parts)
            + " OFFSET 0) x"
        )
        params = rank.params + [x for p in parts for x in p.params]
        if query.sort == "relevance" and expr is not None:
            order = "score DESC, doc_id"
        elif query.sort == "oldest":
            order = "(num = 0), num, doc_id"
        else:
            order = "(num = 0), num DESC, doc_id"
        return Sql(text, params), order, expr is not None

    def matching_ids(self, query: SearchQuery) -> list[str]:
        """Every matching document id in the query's sort order (exports)."""
        query.validate(self.settings)
        (ids,) = self._consistent(
            query,
            lambda body, order: Sql(
                f"SELECT ARRAY(SELECT doc_id FROM ({body.text}) m ORDER BY {order})", body.params
            ),
        )
        return list(ids)

    def search(self, query: SearchQuery) -> SearchPage:
        started = time.perf_counter()
        query.validate(self.settings)

        def statement(body: Sql, order: str) -> Sql:
            return Sql(
                f"WITH m AS MATERIALIZED ({body.text}) SELECT ({_FACETS}),"
                f" (SELECT array_agg(doc_id ORDER BY {order}) FROM"
                f" (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) p)",
                body.params + [query.limit, query.offset],
            )

        groups, page_ids = self._consistent(query, statement)
        total, agency, topic, years, months = 0, [], [], [], []
        for bits, a, t, y, mo, n in groups:
            if bits == _TOTAL:
                total = n
            elif bits == _BY_AGENCY and a is not None:
                agency.append((a, n))
            elif bits == _BY_TOPIC and t is not None:
                topic.append((t, n))
            elif bits == _BY_YEAR and y is not None:
                years.append((y, n))
            elif bits == _BY_MONTH and mo is not None:
                months.append((mo, n))
        ids: list[str] = list(page_ids or [])
        hits = self._hits(ids, query) if ids else []
        return SearchPage(
            total=int(total),
            offset=query.offset,
            limit=query.limit,
            hits=hits,
            facets={
                "agency": _ordered([(json.loads(k), c) for k, c in agency]),
                "topic": _ordered([(json.loads(k), c) for k, c in topic]),
                "year": _ordered([(f"{int(k):04d}", c) for k, c in years]),
                "month": {f"{int(k) // 100:04d}-{int(k) % 100:02d}": int(c) for k, c in sorted(months)},
            },
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _hits(self, ids: list[str], query: SearchQuery) -> list[Hit]:
        rows = self._run(Sql(f"SELECT {_DETAILS} FROM {self.table} WHERE doc_id = ANY(%s)", [ids]))
        by_id = {row[0]: row for row in rows}
        needles = positive_literals(parse(query.q, self.settings))
        attach_first = scope_of(query.q) == "attach"
        return [self._hit(by_id[i], needles, attach_first) for i in ids if i in by_id]

    def _hit(self, row: tuple[Any, ...], needles: list[str], attach_first: bool) -> Hit:
        doc_id, shown_json, body_json, units = row
        shown = json.loads(shown_json)
        title, body = shown["title"], json.loads(body_json)
        s = self.settings
        snippet = make_snippet(body or "", needles, s.snippet_chars, s.snippet_fragments)
        attachment = None
        if units and (attach_first or not page_matches(title or "", body or "", needles)):
            attachment = attachment_match(json.loads(units), needles, s.snippet_chars, s.snippet_fragments)
            if attachment is not None:
                snippet = attachment["snippet"]
        return Hit(
            id=doc_id,
            url=shown["url"],
            title=title,
            index_no=shown["index_no"],
            agency=shown["agency"],
            topic=shown["topic"],
            doc_no=shown["doc_no"],
            written_date=shown["written_date"],
            publish_date=shown["publish_date"],
            status=shown["status"] or "live",
            snippet=snippet,
            attachment=attachment,
        )


def _ordered(pairs: list[Any]) -> dict[str, int]:
    return dict(sorted(((str(k), int(c)) for k, c in pairs), key=lambda kv: (-kv[1], kv[0])))
