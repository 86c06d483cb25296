"""A faster segment writer for fresh builds: postings grouped by term in memory, no external sort.

Whoosh's `SegmentWriter` sends every posting through a tuple, a size estimate and an external merge sort that
pickles runs to disk once `limitmb` is reached; with character bigrams (about 2,000 distinct terms per document)
that machinery costs more than the analysis. A fresh build adds documents in docnum order, so grouping postings per
(field, term) in a dict already yields each posting list in docnum order: only the distinct terms need sorting.
Field lengths are kept in memory for the block statistics instead of being read back from the column file; each
term's postings go to Whoosh's postings writer a block at a time; a term found in a single document is inlined
in the term table (Whoosh supports reading that, but its writer calls a misnamed method, see `_TermInfo`), which
spares a posting block for most bigrams.

Used only for documents added to a new segment (rebuilds); updates and deletions go through Whoosh's own writer.
`FastMpWriter` runs one such writer per process through Whoosh's multiprocessing writer (multisegment: each process
leaves its own segment, no final merge).
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


class _Lengths:
    def __init__(self, lengths: dict[str, dict[int, int]]) -> None:
        self.lengths = lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self.lengths.get(fieldname, {}).get(docnum, default)

    def close(self) -> None:
        pass


def fast_codec() -> W3Codec:
    """Whoosh's codec without zlib per posting block: most bigram blocks are tiny, and zlib's per-call setup
    cost more than the bytes it saved (the flag is per block, so readers handle both)."""
    return W3Codec(compression=0)


class _TermInfo(W3TermInfo):
    # W3PostingsWriter.finish_postings calls set_inline, W3TermInfo defines set_inlined (whoosh-reloaded 2.7.5)
    set_inline = W3TermInfo.set_inlined


def _fill_blocks(pw: Any, postings: list[Any], lens: dict[int, int]) -> None:
    """Hand one term's postings to Whoosh's postings writer a block at a time, with the same block contents and
    statistics its per-posting `add_posting` would build (ids, weights, non-empty values, min/max length, max
    weight), leaving the last block for `finish_term`."""
    ids = postings[0::3]
    weights = postings[1::3]
    values = postings[2::3]
    limit = pw._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            pw._write_block()
        chunk = ids[start : start + limit]
        chunk_weights = weights[start : start + limit]
        pw._ids = array("I", chunk)
        pw._weights = array("f", chunk_weights)
        pw._values = [v for v in values[start : start + limit] if v]
        lengths = [n for n in (lens.get(d, 0) for d in chunk) if n]
        pw._minlength = min(lengths) if lengths else None
        pw._maxlength = max(lengths) if lengths else 0
        pw._maxweight = max(0, max(chunk_weights))


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", fast_codec())
        kwargs.setdefault("compound", False)  # readers open segment files directly instead of copying parts
        super().__init__(ix, **kwargs)
        self._terms: dict[tuple[str, bytes], list[Any]] = {}
        self._lens: dict[str, dict[int, int]] = {}

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        terms = self._terms
        perdocwriter.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in field.index(value):
                    if scorable:
                        length += freq
                    key = (fieldname, tbytes)
                    found = terms.get(key)
                    if found is None:
                        terms[key] = [docnum, weight, vbytes]
                    else:
                        found += (docnum, weight, vbytes)
                if scorable:
                    lens = self._lens.get(fieldname)
                    if lens is None:
                        lens = self._lens[fieldname] = {}
                    lens[docnum] = byte_to_length(length_to_byte(length))
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def update_document(self, **fields: Any) -> None:
        raise NotImplementedError("FastSegmentWriter only adds to a fresh index")

    def delete_by_term(self, fieldname: str, text: str, searcher: Any = None) -> int:
        raise NotImplementedError("FastSegmentWriter only adds to a fresh index")

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        schema = self.schema
        terms = self._terms
        lastfn: str | None = None
        lens: dict[int, int] = {}
        for key in sorted(terms):
            fieldname, tbytes = key
            if fieldname != lastfn:
                if lastfn is not None:
                    fw.finish_field()
                fieldobj = schema[fieldname]
                fw.start_field(fieldname, fieldobj)
                lastfn = fieldname
                lens = self._lens.get(fieldname, {})
                # a term in one document only keeps its posting inside the term table (no posting block); only for
                # formats whose every posting has a value, which Whoosh's inlined ListMatcher expects
                inline = isinstance(fieldobj.format, (formats.Positions, formats.Frequency))
                fw._postwriter._inlinelimit = 2 if inline else 1
            fw._btext = tbytes
            fw._postwriter.start_postings(fw._fieldobj.format, _TermInfo())
            _fill_blocks(fw._postwriter, terms[key], lens)
            fw.finish_term()
        if lastfn is not None:
            fw.finish_field()
        terms.clear()
        fw.close()


class _FastTask(SubWriterTask):
    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
            return
        segment = writer._finalize_segment()
        self.resultqueue.put((None, set(), segment), timeout=60)


class FastMpWriter(MpWriter):
    """Whoosh's multiprocessing writer with a `FastSegmentWriter` in every process; never merges."""

    def __init__(self, ix: Any, procs: int, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)

    def _new_task(self) -> _FastTask:
        task = _FastTask(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True)
        self.tasks.append(task)
        task.start()
        return task
