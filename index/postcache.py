"""What the searchers of one process share about posting lists: term infos, block directories, and the whole
decoded lists of common terms.

A segment never changes once written (deletions are a separate mask), so an entry keyed by the segment's id can
never be stale. Looking a term up in Whoosh's hash table, walking a common bigram's block headers to find the
few blocks that hold a query's candidates, and decoding the lists of the bigrams nearly every query meets
(政府, 人民, 工作 ...) were most of a query's cost, paid again by every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from index.postings import Directory, Postings, list_span, read_directory, read_term, restrict, term_info

# a term is decoded whole and kept once it is in this many documents of a segment (rarer ones are cheap to read)
CACHE_MIN_DF = 256
# and only while its positions fit in this many (a few bigrams such as 的 have millions: those stay on disk)
CACHE_MAX_POSITIONS = 1_500_000
# lists of fewer blocks gain nothing from a directory
DIRECTORY_MIN_BLOCKS_DF = 4 * 128

Key = tuple[str, str, str]
# fields whose whole vocabulary per segment is small enough to hold as a set: a literal is looked up in every
# text field of every segment, and a miss in Whoosh's hash table costs as much as a hit
SMALL_FIELDS = frozenset({"doc_no_ng", "agency_ng", "topic_ng", "doc_no_key", "index_no_key"})


def _nbytes(p: Postings) -> int:
    return sum(a.nbytes for a in (p.ids, p.weights, p.pos_owner, p.positions) if a is not None)


class PostingCache:
    """Term infos, block directories and whole posting lists of common terms, by (segment id, field, term);
    bounded LRUs (by count for infos, by bytes for the rest). Entries are immutable, shared by every thread."""

    def __init__(
        self,
        max_bytes: int = 96 * 1024 * 1024,
        max_infos: int = 200_000,
        max_directory_bytes: int = 32 * 1024 * 1024,
        min_df: int = CACHE_MIN_DF,
        min_directory_df: int = DIRECTORY_MIN_BLOCKS_DF,
    ) -> None:
        self.min_df = min_df
        self.min_directory_df = min_directory_df
        self._infos: OrderedDict[Key, Any] = OrderedDict()
        self._vocabularies: dict[tuple[str, str], frozenset[str] | None] = {}
        self._directories: OrderedDict[Key, Directory] = OrderedDict()
        self._lists: OrderedDict[tuple[str, str, str, bool], Postings] = OrderedDict()
        self._bytes = 0
        self._directory_bytes = 0
        self._max_bytes = max_bytes
        self._max_infos = max_infos
        self._max_directory_bytes = max_directory_bytes
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        return self._bytes + self._directory_bytes

    def info(self, segreader: Any, fieldname: str, text: str) -> Any | None:
        segment = segreader._segment.segment_id()
        key = (segment, fieldname, text)
        with self._lock:
            if key in self._infos:
                return self._infos[key]
        vocabulary = self._vocabulary(segreader, segment, fieldname)
        if vocabulary is not None and text not in vocabulary:
            return None
        found = term_info(segreader, fieldname, text)
        with self._lock:
            self._infos[key] = found
            if len(self._infos) > self._max_infos:
                self._infos.popitem(last=False)
        return found

    def _vocabulary(self, segreader: Any, segment: str, fieldname: str) -> frozenset[str] | None:
        """Every term of a small (or empty) field of one segment; None for the large fields."""
        key = (segment, fieldname)
        if key in self._vocabularies:
            return self._vocabularies[key]
        found: frozenset[str] | None = None
        if fieldname.endswith("_ng") and not segreader.field_length(fieldname):  # bigram fields have lengths
            found = frozenset()
        elif fieldname in SMALL_FIELDS:
            found = frozenset(
                t.decode("utf-8") if isinstance(t, bytes) else t for t in segreader.lexicon(fieldname)
            )
        with self._lock:
            self._vocabularies.setdefault(key, found)
        return found

    def directory(self, segreader: Any, info: Any, key: Key) -> Directory | None:
        """The block directory of a long list (walked and kept on first use); None for short or inlined ones."""
        if info.is_inlined() or info.doc_frequency() < self.min_directory_df:
            return None
        with self._lock:
            found = self._directories.get(key)
            if found is not None:
                self._directories.move_to_end(key)
                return found
        found, _buf = read_directory(segreader._terms._postfile, *list_span(info))
        with self._lock:
            if key not in self._directories:
                self._directories[key] = found
                self._directory_bytes += found.nbytes
                while self._directory_bytes > self._max_directory_bytes and self._directories:
                    _key, old = self._directories.popitem(last=False)
                    self._directory_bytes -= old.nbytes
        return found

    def postings(
        self, segreader: Any, fieldname: str, text: str, positions: bool, wanted: np.ndarray | None
    ) -> Postings:
        info = self.info(segreader, fieldname, text)
        if info is None:
            return Postings.empty(positions)
        segment = segreader._segment.segment_id()
        for with_positions in (True, False) if not positions else (True,):
            lkey = (segment, fieldname, text, with_positions)
            with self._lock:
                whole = self._lists.get(lkey)
                if whole is not None:
                    self._lists.move_to_end(lkey)
            if whole is not None:
                return restrict(whole, wanted, positions)
        key = (segment, fieldname, text)
        df = info.doc_frequency()
        if (
            df < self.min_df
            or (positions and info.weight() > CACHE_MAX_POSITIONS * 4)
            or (wanted is not None and len(wanted) * 4 < df)  # a few candidates: read just their blocks
        ):
            return read_term(segreader, info, positions, wanted, self.directory(segreader, info, key))
        whole = read_term(segreader, info, positions, None)
        size = _nbytes(whole)
        with self._lock:
            lkey = (segment, fieldname, text, positions)
            if lkey not in self._lists and size <= self._max_bytes // 8:
                self._lists[lkey] = whole
                self._bytes += size
                while self._bytes > self._max_bytes:
                    _key, old = self._lists.popitem(last=False)
                    self._bytes -= _nbytes(old)
        return restrict(whole, wanted, positions)
