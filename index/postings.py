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

A posting list's block headers, once walked, are a `Directory` of arrays (where each block's data lies, the
id range it covers): with it, the blocks that hold a candidate are found by one vectorised search and read by
themselves, instead of walking every header of a common bigram for a handful of candidates. `postcache` keeps
directories and whole lists of common terms between requests.

The reader goes through the segment's own `StructFile` (per-request, as every Whoosh reader), so nothing here is
shared between threads.
"""

from __future__ import annotations

import pickle
import struct
import zlib
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
    return read_term(segreader, info, positions, wanted)


def read_term(
    segreader: Any,
    info: Any,
    positions: bool,
    wanted: np.ndarray | None,
    directory: Directory | None = None,
) -> Postings:
    if info.is_inlined():
        ids_t, weights_t, values_t = info.inlined_postings()
        block = (np.asarray(ids_t, dtype=np.int64), _weights(weights_t, len(ids_t)), list(values_t or ()))
    else:
        postfile = segreader._terms._postfile
        buf = None
        if directory is None:
            directory, buf = read_directory(postfile, *list_span(info))
        block = read_blocks(postfile, directory, wanted, buf, positions)
    ids64, weights, all_values = block
    if not len(ids64):
        return Postings.empty(positions)
    ids = ids64.astype(np.int32)
    values: list[bytes] = all_values if positions else []
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


def list_span(info: Any) -> tuple[int, int]:
    """Where a (not inlined) term's posting list lies in the segment's postings file."""
    length = info._length[0] if isinstance(info._length, tuple) else info._length  # Whoosh unpacks a tuple
    return int(info._offset), int(length)


@dataclass(frozen=True)
class Directory:
    """The blocks of one on-disk posting list: file offsets of each block's data and the ids it can hold."""

    start: np.ndarray  # int64 file offset of the block's pickled data (after its header)
    stop: np.ndarray  # int64 end of the block
    low: np.ndarray  # int64 smallest id the block can hold (the previous block's last id + 1)
    high: np.ndarray  # int64 the block's last id
    compressed: np.ndarray  # bool
    offset: int  # where the list starts

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.start, self.stop, self.low, self.high, self.compressed)) + 64


def read_directory(postfile: Any, offset: int, length: int) -> tuple[Directory, bytes]:
    """Walk a posting list's block headers once; returns the directory and the list's bytes."""
    buf = postfile.get(offset, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("posting list does not start with Whoosh's block tag")
    starts: list[int] = []
    stops: list[int] = []
    highs: list[int] = []
    flags: list[bool] = []
    pos = 4
    end = len(buf)
    while pos < end:
        (blocklength,) = _INT.unpack_from(buf, pos)
        last = blocklength < 0
        blocklength = abs(blocklength)
        start = pos + 4
        stop = start + blocklength
        stream = BytesIO(buf[start:stop])
        _count, maxid, _maxweight, compression, _mn, _mx = pickle.load(stream)
        starts.append(start + stream.tell())
        stops.append(stop)
        highs.append(maxid)
        flags.append(bool(compression))
        pos = stop
        if last:
            break
    high = np.asarray(highs, dtype=np.int64)
    low = np.concatenate([np.zeros(1, dtype=np.int64), high[:-1] + 1]) if len(high) else high
    return Directory(
        start=np.asarray(starts, dtype=np.int64) + offset,
        stop=np.asarray(stops, dtype=np.int64) + offset,
        low=low,
        high=high,
        compressed=np.asarray(flags, dtype=bool),
        offset=offset,
    ), buf


def read_blocks(
    postfile: Any,
    directory: Directory,
    wanted: np.ndarray | None,
    buf: bytes | None = None,
    positions: bool = True,
) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Absolute ids, weights and (with `positions`) values of one posting list, decoded and joined; with
    `wanted`, only of the blocks whose id range holds one of them (found by one search, read alone when `buf`
    is not at hand). Deltas of all blocks are joined first and summed once: each block's first delta is its
    absolute first id, made relative to the previous block read by that block's known last id."""
    if wanted is None:
        which = np.arange(len(directory.start))
    else:
        lo = np.searchsorted(wanted, directory.low)
        hi = np.searchsorted(wanted, directory.high, side="right")
        which = np.flatnonzero(hi > lo)
    base = directory.offset
    if buf is None and len(which) > 4:  # one read of the span beats a read per block
        base = int(directory.start[which[0]])
        buf = postfile.get(base, int(directory.stop[which[-1]]) - base)
    deltas: list[int] = []
    counts: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    for i in which.tolist():
        start, stop = int(directory.start[i]), int(directory.stop[i])
        if buf is not None:
            raw = buf[start - base : stop - base]
        else:
            raw = postfile.get(start, stop - start)
        if directory.compressed[i]:
            raw = zlib.decompress(raw)
        ids_d, block_weights, block_values = pickle.loads(raw)
        deltas.extend(ids_d)
        counts.append(len(ids_d))
        if block_weights is None:
            weights.extend([1.0] * len(ids_d))
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * len(ids_d))
        else:
            weights.extend(block_weights)
        if positions and block_values:
            values.extend(block_values)
    if not deltas:
        return EMPTY_IDS.astype(np.int64), EMPTY_F, []
    joined = np.asarray(deltas, dtype=np.int64)
    if len(which) > 1:
        firsts = np.cumsum(counts[:-1])  # index of each later block's first delta
        joined[firsts] -= directory.high[which[:-1]]
    return np.cumsum(joined), np.asarray(weights, dtype=np.float32), values
