"""Posting lists read straight into numpy arrays, a whole list (or the blocks that matter) at a time.

Whoosh's matchers walk postings one document at a time in Python; a common bigram such as 政府 is in nearly every
document, so at 100,000 documents every query paid for ~100,000 method calls before facets and sorting. Here a
posting list is read as it lies on disk (Whoosh's W3 format, which `fastwrite` writes byte for byte): each block is
a little-endian-free pickle of (delta-encoded ids, weights, values) after a pickled info tuple (count, last id, max
weight, compression, min/max length). Ids come out as one int32 array (one cumsum over all blocks), weights as
float32, and bigram positions (each value a uint32 count followed by native uint32 positions, see
`schema.encode_positions`) as two flat arrays: the posting each position belongs to and the position.

`wanted` (sorted local docnums) lets a caller skip every block that holds none of them without unpickling it:
checking the rarest bigram first leaves a short candidate list, and the common bigrams are then read only where
they can still matter.

The reader goes through the segment's own `StructFile` (per-request, as every Whoosh reader). What is shared
between threads is a `PostingCache` (one per process, in `IndexCache`): term infos, and the decoded postings of
common terms. A segment never changes once written (deletions are a separate mask), so an entry keyed by the
segment's id can never be stale; the common bigrams (政府, 人民, 工作 ...) recur in most queries and were most of
their cost, decoded again block by block for every request.
"""

from __future__ import annotations

import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import TermNotFound

_INT = struct.Struct("!i")
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_F = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True)
class Postings:
    """One term's postings in one segment: local docnums (sorted), weights and, if asked, positions."""

    ids: np.ndarray  # int32, sorted
    weights: np.ndarray  # float32, aligned with ids
    pos_owner: np.ndarray | None = None  # int32 index into ids for each position
    positions: np.ndarray | None = None  # uint32 positions

    @staticmethod
    def empty(with_positions: bool = False) -> Postings:
        if with_positions:
            return Postings(EMPTY_IDS, EMPTY_F, EMPTY_IDS, np.zeros(0, dtype=np.uint32))
        return Postings(EMPTY_IDS, EMPTY_F)


# a term is decoded whole and kept once it is in this many documents of a segment (rarer ones are cheap to read)
CACHE_MIN_DF = 256
# and only while its positions fit in this many (a few bigrams such as 的 have millions: those stay on disk)
CACHE_MAX_POSITIONS = 1_500_000


class PostingCache:
    """Term infos and whole decoded posting lists of common terms, by (segment id, field, term); bounded LRU by
    bytes. Entries are immutable arrays, shared by every request thread."""

    def __init__(
        self, max_bytes: int = 96 * 1024 * 1024, max_infos: int = 200_000, min_df: int = CACHE_MIN_DF
    ) -> None:
        self.min_df = min_df
        self._infos: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lists: OrderedDict[tuple[str, str, str, bool], Postings] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes
        self._max_infos = max_infos
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def info(self, segreader: Any, fieldname: str, text: str) -> Any | None:
        key = (segreader._segment.segment_id(), fieldname, text)
        with self._lock:
            if key in self._infos:
                return self._infos[key]
        found = term_info(segreader, fieldname, text)
        with self._lock:
            self._infos[key] = found
            if len(self._infos) > self._max_infos:
                self._infos.popitem(last=False)
        return found

    def postings(
        self, segreader: Any, fieldname: str, text: str, positions: bool, wanted: np.ndarray | None
    ) -> Postings:
        info = self.info(segreader, fieldname, text)
        if info is None:
            return Postings.empty(positions)
        segment = segreader._segment.segment_id()
        for with_positions in (True, False) if not positions else (True,):
            with self._lock:
                whole = self._lists.get((segment, fieldname, text, with_positions))
                if whole is not None:
                    self._lists.move_to_end((segment, fieldname, text, with_positions))
            if whole is not None:
                return restrict(whole, wanted, positions)
        if info.doc_frequency() < self.min_df or (positions and info.weight() > CACHE_MAX_POSITIONS * 4):
            return _read(segreader, info, positions, wanted)
        whole = _read(segreader, info, positions, None)
        size = sum(
            a.nbytes for a in (whole.ids, whole.weights, whole.pos_owner, whole.positions) if a is not None
        )
        with self._lock:
            key = (segment, fieldname, text, positions)
            if key not in self._lists and size <= self._max_bytes // 8:
                self._lists[key] = whole
                self._bytes += size
                while self._bytes > self._max_bytes:
                    _key, old = self._lists.popitem(last=False)
                    self._bytes -= sum(
                        a.nbytes
                        for a in (old.ids, old.weights, old.pos_owner, old.positions)
                        if a is not None
                    )
        return restrict(whole, wanted, positions)


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of `values` are in `sorted_set` (sorted, unique): a binary search each (np.isin sorts both)."""
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = len(sorted_set) - 1
    return np.asarray(sorted_set[at] == values)


def restrict(whole: Postings, wanted: np.ndarray | None, positions: bool) -> Postings:
    """The postings of `whole` (a whole list) among `wanted` (sorted unique docnums; None: all)."""
    if wanted is None:
        return whole if positions or whole.positions is None else Postings(whole.ids, whole.weights)
    ids = whole.ids
    if not len(ids) or not len(wanted):
        return Postings.empty(positions)
    at = np.searchsorted(ids, wanted)
    inside = at < len(ids)
    at = at[inside]
    rows = at[ids[at] == wanted[inside]]
    if not positions:
        return Postings(ids[rows], whole.weights[rows])
    assert whole.pos_owner is not None and whole.positions is not None
    chosen = np.zeros(len(ids), dtype=bool)
    chosen[rows] = True
    keep = chosen[whole.pos_owner]
    renumber = np.cumsum(chosen, dtype=np.int32) - 1
    return Postings(ids[rows], whole.weights[rows], renumber[whole.pos_owner[keep]], whole.positions[keep])


def term_info(segreader: Any, fieldname: str, text: str) -> Any | None:
    """Whoosh's term info for a term of this segment, or None when the segment lacks it."""
    try:
        return segreader._terms.term_info(fieldname, text.encode("utf-8"))
    except (TermNotFound, KeyError):
        return None


def doc_frequency(segreader: Any, fieldname: str, text: str) -> int:
    info = term_info(segreader, fieldname, text)
    return 0 if info is None else int(info.doc_frequency())


def read_postings(
    segreader: Any,
    fieldname: str,
    text: str,
    *,
    positions: bool = False,
    wanted: np.ndarray | None = None,
) -> Postings:
    """The postings of `fieldname:text` in one segment; with `wanted`, only of those docnums (sorted int32)."""
    info = term_info(segreader, fieldname, text)
    if info is None:
        return Postings.empty(positions)
    return _read(segreader, info, positions, wanted)


def _read(segreader: Any, info: Any, positions: bool, wanted: np.ndarray | None) -> Postings:
    if info.is_inlined():
        ids_t, weights_t, values_t = info.inlined_postings()
        blocks = [(np.asarray(ids_t, dtype=np.int64), weights_t, values_t)]
    else:
        length = (
            info._length[0] if isinstance(info._length, tuple) else info._length
        )  # Whoosh unpacks a tuple
        blocks = _blocks(segreader._terms._postfile, info._offset, length, wanted)
    if not blocks:
        return Postings.empty(positions)
    ids = np.concatenate([b[0] for b in blocks]).astype(np.int32, copy=False)
    weights = np.concatenate([_weights(w, len(b[0])) for b in blocks for w in (b[1],)])
    values: list[bytes] = []
    if positions:
        for b in blocks:
            values.extend(b[2])
    keep: np.ndarray | None = None
    if wanted is not None:
        keep = member(ids, wanted)
        if keep.all():
            keep = None
    if not positions:
        if keep is not None:
            return Postings(ids[keep], weights[keep])
        return Postings(ids, weights)
    if keep is not None:
        idx = np.flatnonzero(keep)
        values = [values[i] for i in idx]
        ids, weights = ids[idx], weights[idx]
    owner, poses = decode_positions(values)
    return Postings(ids, weights, owner, poses)


def _weights(w: Any, n: int) -> np.ndarray:
    if w is None:
        return np.ones(n, dtype=np.float32)
    if isinstance(w, float):
        return np.full(n, w, dtype=np.float32)
    return np.asarray(w, dtype=np.float32)


def decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Flat (owner, position) arrays from `encode_positions` values: a count word, then native uint32s."""
    if not values:
        return EMPTY_IDS, np.zeros(0, dtype=np.uint32)
    words = np.frombuffer(b"".join(values), dtype=np.uint32)
    counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 4  # words per value
    starts = np.cumsum(counts) - counts  # index of each value's count word
    keep = np.ones(len(words), dtype=bool)
    keep[starts] = False
    owner = np.repeat(np.arange(len(values), dtype=np.int32), counts - 1)
    return owner, words[keep]


def _blocks(
    postfile: Any, offset: int, length: int, wanted: np.ndarray | None
) -> list[tuple[np.ndarray, Any, Any]]:
    """Decoded blocks (absolute ids, weights, values) of one on-disk posting list; blocks without a wanted id
    are skipped unread."""
    buf = postfile.get(offset, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("posting list does not start with Whoosh's block tag")
    out: list[tuple[np.ndarray, Any, Any]] = []
    pos = 4
    previous_max = -1
    end = len(buf)
    while pos < end:
        (blocklength,) = _INT.unpack_from(buf, pos)
        last = blocklength < 0
        blocklength = abs(blocklength)
        start = pos + 4
        stop = start + blocklength
        stream = BytesIO(buf[start:stop])
        count, maxid, _maxweight, compression, _mn, _mx = pickle.load(stream)
        if wanted is None or _overlaps(wanted, previous_max + 1, maxid):
            raw = buf[start + stream.tell() : stop]
            if compression:
                raw = zlib.decompress(raw)
            ids_d, weights, values = pickle.loads(raw)
            ids = np.cumsum(np.asarray(ids_d, dtype=np.int64))
            out.append((ids, weights, values))
        previous_max = maxid
        pos = stop
        if last:
            break
    return out


def _overlaps(wanted: np.ndarray, low: int, high: int) -> bool:
    i = int(np.searchsorted(wanted, low))
    return i < len(wanted) and int(wanted[i]) <= high
