"""A faster segment writer for fresh builds: postings grouped by term in memory, written term by term in bulk.

Whoosh's `SegmentWriter` sends every posting through a tuple, a size estimate and an external merge sort that
pickles runs to disk once `limitmb` is reached, then through `W3PostingsWriter.add_posting` one at a time; with
character bigrams (about 2,000 distinct terms per document) that machinery costs more than the analysis. A fresh
build adds documents in docnum order, so grouping postings per field and term in a dict already yields each posting
list in docnum order: only the distinct terms need sorting. Bigram positions are encoded to bytes once per document
(bytes are never scanned by the garbage collector); field lengths are kept in memory for the block statistics.

At the flush, `_TermWriter` writes what `W3FieldWriter`, `W3PostingsWriter` and `OrderedHashWriter` would write,
byte for byte (a test builds the same documents with Whoosh's own writer and compares every term, posting, stored
field and length; during development the files were compared byte for byte), but from finished posting lists into
two in-memory buffers: no per-posting method calls, block statistics computed over lists, hash tables written in
one call each. A term found in a single document is inlined in the term table (a format Whoosh reads, though its
own writer never produces it: `W3PostingsWriter` calls `set_inline`, `W3TermInfo` defines `set_inlined`), which
spares a posting block for most bigrams; only for formats whose every posting has a value, which Whoosh's inlined
`ListMatcher` expects.

Used only for documents added to a new segment (rebuilds); updates and deletions go through Whoosh's own writer.
`FastMpWriter` runs one such writer per process through Whoosh's multiprocessing writer (multisegment: each process
leaves its own segment, no final merge).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import struct
from array import array
from collections.abc import Iterator
from hashlib import md5
from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index.schema import BigramField, WordField, position_count


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a fresh segment is built. The writer keeps a few hundred
    thousand posting lists alive until the flush, and every full collection walks all of them again (about a tenth
    of a build's time); building makes no reference cycles worth collecting meanwhile (peak memory measured the
    same). The collector is re-enabled, and catches up, when the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def fast_codec() -> W3Codec:
    """Whoosh's codec without zlib per posting block: most bigram blocks are tiny, and zlib's per-call setup
    cost more than the bytes it saved (the flag is per block, so readers handle both)."""
    return W3Codec(compression=0)


# W3TermInfo: flags, weight, doc freq, min/max length byte, max weight, first/last id
_TERMINFO = struct.Struct("!BfIBBfII")
_SPILL_BYTES = (
    8 * 1024 * 1024
)  # the term writer's buffers go to disk at this size, not at the end of the segment
_KV_LENGTHS = struct.Struct("!ii")  # the hash file's key and value lengths before each pair
_INT = struct.Struct("!i")
# Posting data is pickled with protocol 5, not Whoosh's 2: protocol 2 writes every bytes value (each posting's
# positions) as a str plus a call to codecs.encode, which made unpickling a block ~10x slower than the bytes it
# holds; Whoosh's readers accept any protocol (pickle.loads finds it in the stream).
_PICKLE = 5
_LONG = struct.Struct("!q")


def _md5_hash(key: bytes) -> int:
    """Whoosh's `filetables.md5_hash` (the low 32 bits of the MD5), without its detour through hex."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")


class _OrderedHashWriter(OrderedHashWriter):
    """Whoosh's ordered hash file, with its 256 hash tables written in one call each (same slots, same bytes)."""

    def _write_hashes(self) -> None:
        dbfile = self.dbfile
        for entries in self.buckets:
            numslots = 2 * len(entries)
            self.directory.append((dbfile.tell(), numslots))
            table: list[tuple[int, int] | None] = [None] * numslots
            for hashval, position in entries:
                slot = (hashval >> 8) % numslots
                while table[slot] is not None:
                    slot = (slot + 1) % numslots
                table[slot] = (hashval, position)
            flat: list[int] = []
            for entry in table:
                flat += entry or (0, 0)
            dbfile.write(struct.pack("!" + "Iq" * numslots, *flat))


class _TermWriter:
    """Writes one field's terms the way Whoosh's `W3FieldWriter` + `W3PostingsWriter` + `OrderedHashWriter` would,
    byte for byte, but a term at a time from finished posting lists into two in-memory buffers: posting blocks
    (pickled ids/weights/values with a pickled block header), term infos, the ordered hash's key positions and
    buckets. A term found in one document is inlined in its term info when the field's every posting has a value
    (see `_flush_segment`)."""

    def __init__(self, fw: Any, blocklimit: int) -> None:
        self.tindex = fw._tindex
        self.tindex.__class__ = _OrderedHashWriter
        self.tbase = self.tindex.dbfile.tell()
        self.tbuf = bytearray()
        self.postfile = fw._postfile
        self.pbase = self.postfile.tell()
        self.pbuf = bytearray()
        self.blocklimit = blocklimit

    def field(self, fieldid: int, fixedsize: int | None, inline: bool, lens: dict[int, int]) -> None:
        self.prefix = pack_ushort(fieldid)
        self.fixedsize = fixedsize
        self.inline = inline
        self.lens = lens

    def term(self, tbytes: bytes, ids: list[int], weights: list[float], values: list[bytes]) -> None:
        if len(ids) == 1 and self.inline:
            docnum, weight = ids[0], weights[0]
            length = self.lens.get(docnum, 0)
            fweight = array("f", weights)[0]
            value = values[0]
            info = _TERMINFO.pack(
                1,
                fweight,
                1,
                length_to_byte(length) if length else 0,
                length_to_byte(length),
                max(0, weight),
                docnum,
                docnum,
            ) + dumps(((docnum,), (fweight,), (value,) if value else ()), _PICKLE)
        else:
            info = self._blocks(ids, weights, values)
        self._add(self.prefix + tbytes, info)
        if len(self.pbuf) + len(self.tbuf) > _SPILL_BYTES:
            self.spill()

    def _blocks(self, ids: list[int], weights: list[float], values: list[bytes]) -> bytes:
        pbuf = self.pbuf
        start = self.pbase + len(pbuf)
        pbuf += WHOOSH3_HEADER_MAGIC
        limit = self.blocklimit
        lens = self.lens
        fixedsize = self.fixedsize
        total_weight = 0.0
        minlength: int | None = None
        maxlength = 0
        maxweight = 0.0
        count = len(ids)
        for first in range(0, count, limit):
            if count <= limit:
                chunk, chunk_weights, chunk_values = ids, weights, values
            else:
                chunk = ids[first : first + limit]
                chunk_weights = weights[first : first + limit]
                chunk_values = values[first : first + limit]
            n = len(chunk)
            fweights = array("f", chunk_weights)
            total_weight += sum(fweights)
            block_max_weight = max(0, max(chunk_weights))
            if lens:
                lengths = [lens.get(d, 0) for d in chunk]
                if 0 in lengths:
                    lengths = [length for length in lengths if length]
                block_min = min(lengths) if lengths else None
                block_max = max(lengths) if lengths else 0
            else:
                block_min, block_max = None, 0
            if block_min is not None and (minlength is None or block_min < minlength):
                minlength = block_min
            if block_max > maxlength:
                maxlength = block_max
            if block_max_weight > maxweight:
                maxweight = block_max_weight
            deltas = [chunk[0]]
            deltas += [b - a for a, b in itertools.pairwise(chunk)]
            first_weight = fweights[0]
            if fweights.count(1.0) == n:
                mini_weights: Any = None
            elif fweights.count(first_weight) == n:
                mini_weights = first_weight
            else:
                mini_weights = tuple(fweights)
            if fixedsize == 0:
                mini_values: Any = None
            else:
                block_values = [v for v in chunk_values if v]
                mini_values = (
                    tuple(block_values) if fixedsize is None or fixedsize < 0 else b"".join(block_values)
                )
            data = dumps((tuple(deltas), mini_weights, mini_values), _PICKLE)
            header = dumps(
                (n, chunk[-1], block_max_weight, 0, length_to_byte(block_min), length_to_byte(block_max)), 2
            )
            size = len(header) + len(data)
            pbuf += _INT.pack(-size if first + limit >= count else size)
            pbuf += header
            pbuf += data
        length = self.pbase + len(pbuf) - start
        return (
            _TERMINFO.pack(
                0,
                total_weight,
                count,
                0 if minlength is None else length_to_byte(minlength),
                length_to_byte(maxlength),
                maxweight,
                ids[0],
                ids[-1],
            )
            + _LONG.pack(start)
            + _INT.pack(length)
        )

    def _add(self, key: bytes, value: bytes) -> None:
        tindex = self.tindex
        pos = self.tbase + len(self.tbuf)
        tindex.index.append(pos)
        self.tbuf += _KV_LENGTHS.pack(len(key), len(value))
        self.tbuf += key
        self.tbuf += value
        h = _md5_hash(key)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = key

    def spill(self) -> None:
        """Write the buffers out and start new ones (offsets continue from where the files now end)."""
        self.tindex.dbfile.write(self.tbuf)
        self.tbase += len(self.tbuf)
        self.tbuf = bytearray()
        self.postfile.write(self.pbuf)
        self.pbase += len(self.pbuf)
        self.pbuf = bytearray()

    close = spill


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", fast_codec())
        kwargs.setdefault("compound", False)  # readers open segment files directly instead of copying parts
        super().__init__(ix, **kwargs)
        # postings per field and term, in docnum order: [docnum, payload, docnum, payload, ...]; the payload is the
        # encoded positions (bigram fields: bytes, which the garbage collector never scans), a frequency (word
        # fields) or (weight, value bytes) (any other field)
        self._postings: dict[str, dict[Any, list[Any]]] = {}
        self._lens: dict[str, dict[int, int]] = {}

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        perdocwriter.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                terms = self._postings.get(fieldname)
                if terms is None:
                    terms = self._postings[fieldname] = {}
                if isinstance(field, BigramField):
                    payloads: dict[Any, Any] = field.term_values(value)
                    length = len(value)  # every character starts one bigram (the last one with END)
                elif isinstance(field, WordField):
                    payloads = field.term_counts(value)
                    length = sum(payloads.values())
                else:
                    payloads = {}
                    for tbytes, freq, weight, vbytes in field.index(value):
                        length += freq
                        payloads[tbytes] = (weight, vbytes)
                for term, payload in payloads.items():
                    found = terms.get(term)
                    if found is None:
                        terms[term] = [docnum, payload]
                    else:
                        found.append(docnum)
                        found.append(payload)
                if field.scorable:
                    lens = self._lens.get(fieldname)
                    if lens is None:
                        lens = self._lens[fieldname] = {}
                    lens[docnum] = byte_to_length(length_to_byte(length))
                else:
                    length = 0
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
        out = _TermWriter(fw, self.codec._blocklimit)
        for fieldname in sorted(self._postings):
            field = self.schema[fieldname]
            fieldid = fw._fieldmap.setdefault(fieldname, len(fw._fieldmap))
            fmt = field.format
            boost = fmt.field_boost
            # a term in one document only keeps its posting inside the term table (no posting block); only for
            # formats whose every posting has a value, which Whoosh's inlined ListMatcher expects
            inline = isinstance(fmt, (formats.Positions, formats.Frequency))
            out.field(fieldid, fmt.fixed_value_size(), inline, self._lens.get(fieldname, {}))
            weights_values = _weights_values(field, boost)
            terms = self._postings[fieldname]
            # str terms sort in code point order, which is the order of their UTF-8 bytes
            for term in sorted(terms):
                postings = terms[term]
                weights, values = weights_values(postings[1::2])
                out.term(
                    term.encode("utf-8") if isinstance(term, str) else term, postings[0::2], weights, values
                )
            terms.clear()
        out.close()
        fw.close()


def _weights_values(field: Any, boost: float) -> Any:
    """How a field's payloads (see `FastSegmentWriter._postings`) become Whoosh's posting weights and values."""
    if isinstance(field, BigramField):
        return lambda payloads: ([position_count(p) * boost for p in payloads], payloads)
    if isinstance(field, WordField):
        return lambda payloads: ([n * boost for n in payloads], [pack_uint(n) for n in payloads])
    return lambda payloads: ([w for w, _ in payloads], [v for _, v in payloads])


class _FastTask(SubWriterTask):
    def run(self) -> None:
        with collector_paused():
            self._run()

    def _run(self) -> None:
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
