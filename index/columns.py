"""Per-document arrays of one index generation: what filters, facets, sorts and ranking read for every match.

Reading a stored field or a column value per matching document was most of a query's cost on common terms
(facets counted by Whoosh's grouping, sorts through its column readers, one Python call per match). Here every
segment's columns are read once into numpy arrays (agency and topic as codes, dates as YYYYMMDD numbers, field
lengths, id ranks) and kept, keyed by the segment's id: segments never change except by deletions, so a new
generation only reads its new segments. A `Generation` joins its segments' arrays in Whoosh's docnum order (the
same order `MultiReader` numbers documents in) with the live-document mask of that generation.

Arrays are built once and only read afterwards, so a `Generation` may be shared by every thread of a process;
the Whoosh readers used to build it are not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

# the bigram and word fields whose lengths ranking reads (BM25 length normalisation)
LENGTH_FIELDS = (
    "title_ng",
    "body_ng",
    "title",
    "body",
    "agency_ng",
    "topic_ng",
    "doc_no_ng",
    "attach_ng",
    "attach",
)
_BYTE_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


@dataclass(frozen=True)
class SegmentArrays:
    """The columns of one segment (immutable: a segment's documents never change, only its deletions)."""

    segment_id: str
    doc_count: int
    ids: list[str]
    agency: list[str | None]
    topic: list[str | None]
    publish_num: np.ndarray  # int32 YYYYMMDD, 0 when unknown
    written_num: np.ndarray
    lengths: dict[str, np.ndarray]  # float32 per LENGTH_FIELDS
    field_totals: dict[str, float]


def segment_readers(reader: Any) -> list[tuple[Any, int]]:
    """(segment reader, docnum offset) pairs in Whoosh's docnum order."""
    if hasattr(reader, "readers"):
        return list(zip(reader.readers, reader.doc_offsets, strict=True))
    return [(reader, 0)]


def _column(segreader: Any, name: str) -> list[Any]:
    if not segreader.has_column(name):
        if name == "id":
            raise FileNotFoundError("id column vanished: the index directory was swapped")
        return [None] * segreader.doc_count_all()
    return list(segreader.column_reader(name, translate=True))


def _lengths(segreader: Any, fieldname: str, n: int) -> np.ndarray:
    reader = segreader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if reader is None:
        if segreader.field_length(fieldname):
            raise FileNotFoundError(f"length column of {fieldname} vanished: the index directory was swapped")
        return np.zeros(n, dtype=np.float32)
    raw = np.fromiter((reader[i] for i in range(n)), dtype=np.uint8, count=n)
    return _BYTE_LENGTH[raw]


def read_segment(segreader: Any) -> SegmentArrays:
    n = segreader.doc_count_all()
    segment = segreader._segment
    return SegmentArrays(
        segment_id=segment.segment_id(),
        doc_count=n,
        ids=[str(v) for v in _column(segreader, "id")],
        agency=[v or None for v in _column(segreader, "agency")],
        topic=[v or None for v in _column(segreader, "topic")],
        publish_num=np.asarray(_column(segreader, "publish_num"), dtype=np.int32),
        written_num=np.asarray(_column(segreader, "written_num"), dtype=np.int32),
        lengths={f: _lengths(segreader, f, n) for f in LENGTH_FIELDS},
        field_totals={f: float(segreader.field_length(f)) for f in LENGTH_FIELDS},
    )


def _codes(values: list[str | None]) -> tuple[np.ndarray, list[str]]:
    names = sorted({v for v in values if v})
    index = {name: i for i, name in enumerate(names)}
    return np.fromiter(
        (index.get(v, -1) if v else -1 for v in values), dtype=np.int32, count=len(values)
    ), names


@dataclass
class Generation:
    """Every document of one index generation as arrays indexed by global docnum."""

    key: tuple[tuple[str, int], ...]
    offsets: list[int]
    ids: list[str]
    live: np.ndarray  # bool
    agency: np.ndarray  # int32 code, -1 none
    agency_names: list[str]
    topic: np.ndarray
    topic_names: list[str]
    dates: dict[str, np.ndarray]  # "publish"/"written" -> int32 YYYYMMDD (0 unknown)
    lengths: dict[str, np.ndarray]
    averages: dict[str, float]
    id_rank: np.ndarray  # int32: position of each id in sorted order (ties of relevance break by id)
    _orders: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self) -> int:
        return len(self.ids)

    def live_count(self) -> int:
        return int(self.live.sum())

    def codes_of(self, facet: str, values: tuple[str, ...]) -> np.ndarray:
        names = self.agency_names if facet == "agency" else self.topic_names
        index = {name: i for i, name in enumerate(names)}
        return np.array([index[v] for v in values if v in index], dtype=np.int32)

    def sort_rank(self, date_field: str, direction: str) -> np.ndarray:
        """Rank of every document in the newest-first (or oldest-first) order of one date, ties by id; undated
        documents last either way. Computed once per generation."""
        key = (date_field, direction)
        found = self._orders.get(key)
        if found is None:
            with self._lock:
                found = self._orders.get(key)
                if found is None:
                    nums = self.dates[date_field].astype(np.int64)
                    undated = nums == 0
                    primary = -nums if direction == "newest" else nums
                    order = np.lexsort((self.id_rank, primary, undated))
                    found = np.empty(len(order), dtype=np.int32)
                    found[order] = np.arange(len(order), dtype=np.int32)
                    self._orders[key] = found
        return found


def build_generation(parts: list[SegmentArrays], deleted: list[set[int]]) -> Generation:
    offsets: list[int] = []
    total = 0
    for part in parts:
        offsets.append(total)
        total += part.doc_count
    ids = [i for part in parts for i in part.ids]
    live = np.ones(total, dtype=bool)
    for offset, dead in zip(offsets, deleted, strict=True):
        if dead:
            live[offset + np.fromiter(dead, dtype=np.int64, count=len(dead))] = False
    agency, agency_names = _codes([v for part in parts for v in part.agency])
    topic, topic_names = _codes([v for part in parts for v in part.topic])
    cat = np.concatenate if parts else (lambda arrays: np.zeros(0, dtype=np.int32))
    dates = {
        "publish": cat([p.publish_num for p in parts]).astype(np.int32),
        "written": cat([p.written_num for p in parts]).astype(np.int32),
    }
    lengths = {f: (cat([p.lengths[f] for p in parts]).astype(np.float32)) for f in LENGTH_FIELDS}
    count = max(1, total)
    averages = {f: max(1.0, sum(p.field_totals[f] for p in parts) / count) for f in LENGTH_FIELDS}
    order = sorted(range(total), key=ids.__getitem__)
    id_rank = np.empty(total, dtype=np.int32)
    id_rank[np.asarray(order, dtype=np.int64)] = np.arange(total, dtype=np.int32)
    key = tuple((p.segment_id, len(d)) for p, d in zip(parts, deleted, strict=True))
    return Generation(
        key=key,
        offsets=offsets,
        ids=ids,
        live=live,
        agency=agency,
        agency_names=agency_names,
        topic=topic,
        topic_names=topic_names,
        dates=dates,
        lengths=lengths,
        averages=averages,
        id_rank=id_rank,
    )


class ArrayCache:
    """Segment arrays and generations of one process, shared by every request thread (bounded LRU)."""

    def __init__(self, max_segments: int = 64, max_generations: int = 4) -> None:
        self._segments: OrderedDict[str, SegmentArrays] = OrderedDict()
        self._generations: OrderedDict[tuple[Any, ...], Generation] = OrderedDict()
        self._max_segments = max_segments
        self._max_generations = max_generations
        self._lock = threading.Lock()

    def generation(self, reader: Any, scope: str) -> Generation:
        """The generation of `reader` (a Whoosh reader of the index at `scope`), built from cached segments."""
        pairs = segment_readers(reader)
        deleted = [set(r._perdoc.deleted_docs()) if r.has_deletions() else set() for r, _ in pairs]
        key = (
            scope,
            tuple((r._segment.segment_id(), len(d)) for (r, _), d in zip(pairs, deleted, strict=True)),
        )
        with self._lock:
            found = self._generations.get(key)
            if found is not None:
                self._generations.move_to_end(key)
                return found
        parts = [self._segment(scope, r) for r, _ in pairs]
        built = build_generation(parts, deleted)
        with self._lock:
            self._generations[key] = built
            while len(self._generations) > self._max_generations:
                self._generations.popitem(last=False)
        return built

    def _segment(self, scope: str, segreader: Any) -> SegmentArrays:
        key = scope + "/" + segreader._segment.segment_id()
        with self._lock:
            found = self._segments.get(key)
            if found is not None:
                self._segments.move_to_end(key)
                return found
        built = read_segment(segreader)
        with self._lock:
            self._segments[key] = built
            while len(self._segments) > self._max_segments:
                self._segments.popitem(last=False)
        return built
