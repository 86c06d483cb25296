"""Searching: `SearchQuery` in, `SearchPage` out, through a `Searcher` opened per request or per thread.

A Whoosh searcher is a snapshot of the index; sharing one between threads while it is refreshed corrupts reads
(Whoosh's files are read with seek + read), so a `Searcher` is never shared: open one per request (it is cheap)
and close it. What may be shared is an `IndexCache` (per-segment arrays, per-generation ranks and recent results,
all immutable once built and keyed by the generation's segments, so a new generation can never see a stale entry).

One `search` answers everything a results page needs: total, facets (agency, topic, year, month) over every
match, and the page of hits with snippets; `matching_ids` gives every match in order (exports). The work is done
by `engine.Evaluator` on numpy arrays; ties in relevance are broken by id so that a rebuilt index returns the
same order. An empty query lists every document newest first.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.index import EmptyIndexError

from archive.fields import FIELDS, facetable
from index.attachhits import attachment_match, load_units, page_matches
from index.columns import ArrayCache, Generation, segment_readers
from index.engine import Evaluator, Matches
from index.errors import IndexMissing, QueryError
from index.postcache import PostingCache
from index.query import parse, positive_literals, scope_of
from index.schema import FILTER_FIELDS, META_FILE, meta_current
from index.settings import IndexSettings
from index.snippets import make_snippet

# The orders and the date fields a query may name, with the labels the search page shows for them.
SORTS: dict[str, str] = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
DATE_FIELDS: dict[str, str] = {"publish": "发布日期", "written": "成文日期"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What each hit carries of a document (a field marked in_hit needs its attribute on Hit; tests/unit/archive/test_fields.py)
HIT_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.in_hit)
# Every facet of a search: the facetable fields of archive/fields.py, then the year (the month is the web chart's).
FACETS: tuple[str, ...] = (*(spec.name for spec in facetable()), "year")
# The filters columns.py keeps as per-document code arrays (the others are read from their posting lists).
_COLUMNS = ("agency", "topic")
# The filters with a field of their own in SearchQuery (the public contract); the table's others go in `filters`.
_NAMED_FILTERS = {"agency": "agencies", "topic": "topics"}


@dataclass(frozen=True)
class SearchQuery:
    """One search. `agencies` and `topics` are the agency and topic filters; `filters` holds the values of any
    other filterable field of archive/fields.py as (name, values) pairs. Each filter is any-of, filters are
    combined with AND."""

    q: str = ""
    agencies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    date_field: str = "publish"
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def chosen(self) -> dict[str, tuple[str, ...]]:
        """Every filter that has values, by field name (the order of FILTER_FIELDS)."""
        given = {"agency": self.agencies, "topic": self.topics, **dict(self.filters)}
        return {name: given[name] for name in FILTER_FIELDS if given.get(name)}

    def validate(self, settings: IndexSettings | None = None) -> SearchQuery:
        """Raise QueryError for anything that cannot run; returns self for chaining."""
        s = settings or IndexSettings()
        if len(self.q) > s.max_query_chars:
            raise QueryError(
                f"查询过长（最多 {s.max_query_chars} 个字符）/ query too long (at most {s.max_query_chars} characters)"
            )
        if self.sort not in SORTS:
            raise QueryError(f"未知的排序方式 / unknown sort: {self.sort!r} ({', '.join(SORTS)})")
        if self.date_field not in DATE_FIELDS:
            raise QueryError(
                f"未知的日期字段 / unknown date field: {self.date_field!r} ({', '.join(DATE_FIELDS)})"
            )
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
        for name, _values in self.filters:
            if name not in FILTER_FIELDS or name in _NAMED_FILTERS:
                raise QueryError(
                    f"不能按 {name} 筛选 / no filter named {name!r} ({', '.join(FILTER_FIELDS)})"
                )
        for name, values in self.chosen().items():
            if len(values) > s.max_filter_values or any(len(v) > s.max_query_chars for v in values):
                raise QueryError(
                    f"筛选条件 {name} 过多或过长（最多 {s.max_filter_values} 个） / too many or too long {name}"
                    f" values (at most {s.max_filter_values})"
                )
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
    attachment: dict[str, Any] | None = None  # where it matched when not on the page (attachhits.py)

    def to_json(self) -> dict[str, Any]:
        """The fields of archive/fields.py marked in_hit, in the table's order, then the snippet."""
        data: dict[str, Any] = {name: getattr(self, name) for name in HIT_FIELDS}
        data["snippet"] = self.snippet
        if self.attachment is not None:
            data["attachment"] = {k: v for k, v in self.attachment.items() if k != "snippet"}
        return data


@dataclass(frozen=True)
class SearchPage:
    total: int
    offset: int
    limit: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Exactly the `search --json` shape of docs/CONTRACTS.md."""
        return {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "hits": [h.to_json() for h in self.hits],
            "facets": {name: dict(self.facets.get(name, {})) for name in FACETS},
        }


class Ranked:
    """A query's every match with its facets, and how to order them: what the result cache keeps per query.

    The order is by `primary` (smaller first), then `secondary`. A page near the top is chosen by a partition
    (the page's rows and their ties only), not by sorting every match; the whole order is sorted once, when a
    deep page or an export asks for it."""

    def __init__(
        self,
        docs: np.ndarray,
        primary: np.ndarray,
        secondary: np.ndarray,
        facets: dict[str, dict[str, int]],
    ) -> None:
        self.docs = docs
        self.primary = primary
        self.secondary = secondary
        self.facets = facets
        self._order: np.ndarray | None = None

    @property
    def total(self) -> int:
        return len(self.docs)

    @property
    def order(self) -> np.ndarray:
        """Every match (global docnums) in result order."""
        if self._order is None:
            self._order = self.docs[np.lexsort((self.secondary, self.primary))]
        return self._order

    def window(self, offset: int, limit: int) -> np.ndarray:
        end = min(offset + limit, self.total)
        if offset >= end:
            return self.docs[:0]
        if self._order is not None or end * 8 >= self.total:
            return self.order[offset:end]
        kth = np.partition(self.primary, end - 1)[end - 1]
        top = np.flatnonzero(self.primary <= kth)  # the first `end` rows and every tie of the last
        ranked = top[np.lexsort((self.secondary[top], self.primary[top]))]
        return self.docs[ranked[offset:end]]


_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")


def index_state(index_dir: Path) -> tuple[int, int, int] | None:
    """What identifies the index generation now on disk: the directory's inode (a rebuild swaps in another
    directory) and its newest table of contents; None when there is no index."""
    try:
        inode = os.stat(index_dir).st_ino
        names = os.listdir(index_dir)
    except OSError:
        return None
    gens = [int(m.group(1)) for name in names if (m := _TOC.match(name))]
    return (inode, max(gens), len(gens)) if gens else None


class IndexCache:
    """What searchers of one process share: segment arrays and generations (`columns.ArrayCache`), the ranked
    results of recent queries keyed by the generation (repeated and paged queries cost a slice; a changed index
    can never answer from an older one), and idle searchers of the current generation.

    A searcher is never shared: `checkout` hands an idle one to one request at a time and `checkin` takes it
    back, closing it instead when the index has changed since it was opened (a Whoosh searcher refreshed or
    shared while the index changes misreads its files; one used by one thread at a time over an unchanged
    snapshot does not)."""

    # a cached result holds 12-16 bytes per match (ids, two sort keys, the order once sorted): 2,000,000 matches
    # is ~32 MB, beside the posting cache's 96 + 32 MB (a serving process stays under 500 MB at 100,000 documents)
    def __init__(self, max_results: int = 128, max_result_docs: int = 2_000_000, max_idle: int = 8) -> None:
        self.arrays = ArrayCache()
        self.postings = PostingCache()
        self._results: OrderedDict[tuple[Any, ...], Ranked] = OrderedDict()
        self._docs = 0
        self._max_results = max_results
        self._max_docs = max_result_docs
        self._max_idle = max_idle
        self._idle: dict[tuple[str, Any], list[Searcher]] = {}
        self._lock = threading.Lock()

    def checkout(self, index_dir: Path, settings: IndexSettings) -> Searcher:
        """An open searcher of the index as it is now, for the caller alone until `checkin`."""
        key = (str(index_dir), index_state(index_dir))
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop()
        searcher = Searcher(index_dir, settings, self)
        searcher.open()
        searcher.pool_key = key
        return searcher

    def checkin(self, searcher: Searcher) -> None:
        key = (str(searcher.index_dir), index_state(searcher.index_dir))
        stale: list[Searcher] = []
        with self._lock:
            keep = searcher.pool_key == key and key[1] is not None
            if keep:
                idle = self._idle.setdefault(key, [])
                keep = len(idle) < self._max_idle
                if keep:
                    idle.append(searcher)
            for other in [k for k in self._idle if k[0] == key[0] and k != key]:
                stale.extend(self._idle.pop(other))
        if not keep:
            stale.append(searcher)
        for old in stale:
            old.close()

    def get(self, key: tuple[Any, ...]) -> Ranked | None:
        with self._lock:
            found = self._results.get(key)
            if found is not None:
                self._results.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], ranked: Ranked) -> None:
        with self._lock:
            if key in self._results:
                return
            self._results[key] = ranked
            self._docs += ranked.total
            while self._results and (len(self._results) > self._max_results or self._docs > self._max_docs):
                _key, old = self._results.popitem(last=False)
                self._docs -= old.total


class Searcher:
    """One snapshot of the index for one request or thread: `with Searcher(dir, settings) as s: s.search(q)`.

    `cache` (one per process, shared by its threads) keeps arrays and results between searchers; without it
    each searcher builds what it needs itself (the command line)."""

    def __init__(self, index_dir: Path, settings: IndexSettings, cache: IndexCache | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.settings = settings
        self.cache = cache
        self._ix: Any = None
        self._searcher: Any = None
        self._generation: Generation | None = None
        self.pool_key: tuple[str, Any] | None = None  # set by IndexCache.checkout

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
                self._generation = self._load_generation()
                return
            except (EmptyIndexError, FileNotFoundError):
                self.close()
                if attempt == 2:
                    raise IndexMissing(
                        "索引不存在，请先运行 gongkai index / no index yet: run `gongkai index`"
                    ) from None
                time.sleep(0.05)

    def _load_generation(self) -> Generation:
        """The arrays of this snapshot. Every file the searcher reads later is opened here, before a rebuild
        can swap the directory away (an open file outlives the rename; a lazily opened one would not)."""
        reader = self._searcher.reader()
        cache = self.cache.arrays if self.cache is not None else ArrayCache()
        generation = cache.generation(reader, str(self.index_dir.resolve()))
        for segreader, _offset in segment_readers(reader):
            if segreader._perdoc._cached_reader("_stored", STORED_COLUMN) is None:
                raise FileNotFoundError("stored fields vanished: the index directory was swapped")
        return generation

    def _check_schema_version(self) -> None:
        """An index written by another schema would be misread silently: refuse it with the remedy."""
        try:
            meta = json.loads((self.index_dir / META_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return  # no index yet (open() says so) or a meta file being replaced this instant
        if not meta_current(meta):
            raise IndexMissing(
                "索引由旧版本建立，请运行 gongkai index --rebuild / the index was built by another version of"
                " gongkai: run `gongkai index --rebuild`"
            )

    def __del__(self) -> None:
        # an idle searcher of a cache that is dropped closes its files itself (not the garbage collector)
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to close cleanly
            pass

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        self._generation = None

    def doc_count(self) -> int:
        return int(self._searcher.doc_count())

    @property
    def generation(self) -> Generation:
        if self._generation is None or self._searcher is None:
            raise RuntimeError("Searcher used outside its with-block")
        return self._generation

    def search(self, query: SearchQuery) -> SearchPage:
        started = time.perf_counter()
        query.validate(self.settings)
        ranked = self._ranked(query)
        tree = parse(query.q, self.settings)
        needles = positive_literals(tree)
        window = ranked.window(query.offset, query.limit)
        attach_first = scope_of(query.q) == "attach"
        hits = [self._hit(int(docnum), needles, attach_first) for docnum in window]
        return SearchPage(
            total=ranked.total,
            offset=query.offset,
            limit=query.limit,
            hits=hits,
            facets=ranked.facets,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def matching_ids(self, query: SearchQuery) -> list[str]:
        """Every matching document id in the query's sort order, without offset or limit caps (exports)."""
        query.validate(self.settings)
        ids = self.generation.ids
        return [ids[int(d)] for d in self._ranked(query).order]

    def _ranked(self, query: SearchQuery) -> Ranked:
        gen = self.generation
        key = (
            str(self.index_dir),
            gen.key,
            replace(query, offset=0, limit=1),
            self.settings.title_boost,
            str(self.settings.user_dictionary),
        )
        found = self.cache.get(key) if self.cache is not None else None
        if found is not None:
            return found
        tree = parse(query.q, self.settings)
        evaluator = Evaluator(
            self._searcher, gen, self.settings, self.cache.postings if self.cache is not None else None
        )
        allowed = self._filter(query, gen)
        wanted = None
        if allowed is not None:
            wanted = np.flatnonzero(allowed & gen.live).astype(np.int32)
        matches = evaluator.evaluate_query(query.q, tree, wanted)
        if allowed is not None and len(matches):
            keep = allowed[matches.docs]
            matches = Matches(matches.docs[keep], matches.scores[keep])
        primary, secondary = self._sort_keys(query, tree is None, matches, gen)
        ranked = Ranked(
            matches.docs, primary, secondary, _facets(matches, gen, query, self._searcher.reader())
        )
        if self.cache is not None:
            self.cache.put(key, ranked)
        return ranked

    def _filter(self, query: SearchQuery, gen: Generation) -> np.ndarray | None:
        """Boolean mask of the documents the filters allow (None: no filter)."""
        mask: np.ndarray | None = None
        for name, values in query.chosen().items():
            if name in _COLUMNS:
                allowed = np.isin(getattr(gen, name), gen.codes_of(name, values))
            else:
                allowed = np.zeros(gen.size, dtype=bool)
                for docs in _value_docs(self._searcher.reader(), name, values):
                    allowed[docs] = True
            mask = allowed if mask is None else mask & allowed
        if query.since or query.until:
            nums = gen.dates[query.date_field]
            low = _number(query.since or "1000-01-01")
            high = _number(query.until or "9999-12-31")
            dated = (nums >= low) & (nums <= high)
            mask = dated if mask is None else mask & dated
        return mask

    @staticmethod
    def _sort_keys(
        query: SearchQuery, no_query: bool, matches: Matches, gen: Generation
    ) -> tuple[np.ndarray, np.ndarray]:
        """Result order as (primary, secondary) keys of each match: relevance (score, then id), or a date (then
        id, in the generation's precomputed rank), undated last."""
        docs = matches.docs
        if query.sort == "relevance" and not no_query:
            return -matches.scores, gen.id_rank[docs]
        direction = "oldest" if query.sort == "oldest" else "newest"
        rank = gen.sort_rank(query.date_field, direction)[docs]
        return rank, rank

    def _hit(self, docnum: int, needles: list[str], attach_first: bool = False) -> Hit:
        stored = self._searcher.stored_fields(docnum)
        shown = stored.get("stored") or {}
        body = zlib.decompress(stored["body_z"]).decode("utf-8") if stored.get("body_z") else ""
        snippet = make_snippet(body, needles, self.settings.snippet_chars, self.settings.snippet_fragments)
        attachment = None
        if stored.get("attach_z") and (
            attach_first or not page_matches(shown.get("title") or "", body, needles)
        ):
            attachment = attachment_match(
                load_units(stored["attach_z"]),
                needles,
                self.settings.snippet_chars,
                self.settings.snippet_fragments,
            )
            if attachment is not None:
                snippet = attachment["snippet"]
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
            attachment=attachment,
        )


def _facets(matches: Matches, gen: Generation, query: SearchQuery, reader: Any) -> dict[str, dict[str, int]]:
    """Counts over every match: each facetable field of archive/fields.py, year and month of the query's date."""
    docs = matches.docs
    out: dict[str, dict[str, int]] = {}
    for name in FACETS[:-1]:
        if name in _COLUMNS:
            codes, names = getattr(gen, name), getattr(gen, name + "_names")
            counts = np.bincount(codes[docs] + 1, minlength=len(names) + 1)[1:]
            out[name] = _ordered({names[i]: int(counts[i]) for i in np.flatnonzero(counts)})
        else:
            out[name] = _ordered(_term_counts(reader, name, docs, gen.size))
    nums = gen.dates[query.date_field][docs]
    nums = nums[nums > 0]
    out["year"] = _ordered({f"{int(y):04d}": c for y, c in _counts(nums // 10000)})
    months = nums // 100
    out["month"] = {
        f"{m // 12:04d}-{m % 12 + 1:02d}": c for m, c in _counts(months // 100 * 12 + months % 100 - 1)
    }
    return out


def _counts(values: np.ndarray) -> list[tuple[int, int]]:
    """(value, count) of each distinct value, ascending: a bincount over the value range (no sort)."""
    if not len(values):
        return []
    low = int(values.min())
    counts = np.bincount(values - low)
    present = np.flatnonzero(counts)
    return [(int(v) + low, int(counts[v])) for v in present]


def _value_docs(reader: Any, name: str, values: tuple[str, ...]) -> list[np.ndarray]:
    """The global docnums holding each of `values` in the exact-value field `name` (its posting lists)."""
    found = []
    for value in values:
        if (name, value) in reader:
            found.append(np.fromiter(reader.postings(name, value).all_ids(), dtype=np.int64))
    return found


def _term_counts(reader: Any, name: str, docs: np.ndarray, size: int) -> dict[str, int]:
    """Matches per value of an exact-value field without a column array: each value's posting list against
    the matches (fields of few values, such as 公开方式; agency and topic read columns.py's arrays instead)."""
    matched = np.zeros(size, dtype=bool)
    matched[docs] = True
    counts: dict[str, int] = {}
    for term in reader.lexicon(name):
        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        ids = np.fromiter(reader.postings(name, value).all_ids(), dtype=np.int64)
        if n := int(matched[ids].sum()):
            counts[value] = n
    return counts


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _number(iso: str) -> int:
    return int(iso.replace("-", ""))
