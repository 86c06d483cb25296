"""The Whoosh schema and its two fast field types.

Per text (title, body) the index keeps two fields:

* a word field (`title`, `body`): jieba words of the folded text, frequencies only. It ranks (BM25F): a document
  where the query is a whole word, or in the title, scores above one where it is an incidental substring.
* a bigram field (`title_ng`, `body_ng`): character bigrams with positions. It decides which documents match: a
  literal query is a phrase over its bigrams, which is exact (no missed and no false hits).

Both fields compute their postings directly from the string (`index()` is overridden) instead of going through
Whoosh's per-token `Token` objects; the analyzer is still attached for anything that asks for tokens.
Attachment text gets the same pair (`attach`, `attach_ng`) plus its units stored for hit locations.
Metadata fields are IDs: exact values for filters and facets (sortable columns, one per filterable field of
archive/fields.py), folded keys for 文号 and 索引号.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import fields, formats
from whoosh.system import _INT_SIZE, pack_uint

from archive.fields import filterable
from index.analyzer import ProjectAnalyzer, bigrams, fold, segmenter, words

SCHEMA_VERSION = 5  # bump on every change of fields, analyzers or position encoding
META_FILE = (
    "gongkai.json"  # beside the index: schema version, filter fields and the last catalogue seq indexed
)
# The exact-value fields of the search's filters and facets, one per filterable field of archive/fields.py: a
# change of the table changes the schema, so the meta file records them and an index without them is rebuilt.
FILTER_FIELDS: tuple[str, ...] = tuple(spec.name for spec in filterable())
_FILTERS_BEFORE_THE_TABLE = ("agency", "topic")


def meta_current(meta: dict[str, Any]) -> bool:
    """Whether an index with this meta file was written by this schema (else it is rebuilt, or refused)."""
    # an index of this schema version written before the meta file listed its filters had agency and topic
    filters = meta.get("filters", list(_FILTERS_BEFORE_THE_TABLE))
    return meta.get("schema_version") == SCHEMA_VERSION and filters == list(FILTER_FIELDS)


class WordField(fields.TEXT):
    """jieba words, frequencies only (phrases go through the bigram field)."""

    def __init__(self, analyzer: ProjectAnalyzer, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=analyzer, phrase=False, field_boost=field_boost)

    def term_counts(self, value: str) -> dict[str, int]:
        return Counter(words(fold(value), segmenter(self.analyzer.user_dictionary)))

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        fb = self.format.field_boost
        for word, freq in self.term_counts(value).items():
            yield word.encode("utf-8"), freq, freq * fb, pack_uint(freq)


def encode_positions(poslist: list[int]) -> bytes:
    """A posting's positions: their count, then a machine array of uint32."""
    return pack_uint(len(poslist)) + array("I", poslist).tobytes()


def position_count(encoded: bytes) -> int:
    """How many positions `encode_positions` put in `encoded` (4 bytes of count, then 4 per position)."""
    return (len(encoded) >> 2) - 1


class ArrayPositions(formats.Positions):
    """Positions as a count plus a machine array of uint32 (Whoosh pickles a delta list per posting: slower to
    write and to read; the index is a local cache, so native byte order is fine)."""

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return array("I", valuestring[_INT_SIZE:]).tolist()


class BigramField(fields.TEXT):
    """Character bigrams of folded text with their character positions."""

    def __init__(self, analyzer: ProjectAnalyzer, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=analyzer, phrase=True, field_boost=field_boost)
        self.format = ArrayPositions(field_boost=field_boost)

    def term_values(self, value: str) -> dict[str, bytes]:
        """Each bigram with its encoded positions."""
        return {gram: encode_positions(poses) for gram, poses in bigrams(fold(value)).items()}

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        fb = self.format.field_boost
        for gram, encoded in self.term_values(value).items():
            n = position_count(encoded)
            yield gram.encode("utf-8"), n, n * fb, encoded


class StoredBytes(fields.STORED):
    """Compressed body text kept for snippets (zlib bytes)."""


def _date_number() -> fields.NUMERIC:
    return fields.NUMERIC(numtype=int, bits=32, sortable=True)  # signed=False breaks ranges in Whoosh


def build_schema(user_dictionary: Path | None, title_boost: float) -> fields.Schema:
    ana = ProjectAnalyzer(user_dictionary)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        url=fields.STORED(),
        title=WordField(ana, field_boost=title_boost),
        title_ng=BigramField(ana, field_boost=title_boost),
        body=WordField(ana),
        body_ng=BigramField(ana),
        doc_no_ng=BigramField(ana),
        agency_ng=BigramField(ana),
        topic_ng=BigramField(ana),
        # filter and facet values as shown (columns.py reads agency and topic as arrays, search.py the others)
        **{name: fields.ID(stored=True, sortable=True) for name in FILTER_FIELDS},
        doc_no_key=fields.ID(),
        index_no_key=fields.ID(),
        written_date=fields.ID(stored=True, sortable=True),
        publish_date=fields.ID(stored=True, sortable=True),
        written_year=fields.ID(sortable=True),
        publish_year=fields.ID(sortable=True),
        # dates as YYYYMMDD numbers: trie-encoded ranges and cheap reverse sorts (0 when unknown, so newest-first
        # puts undated documents last; the _asc twin uses 99999999 so that oldest-first does too)
        written_num=_date_number(),
        publish_num=_date_number(),
        written_asc=_date_number(),
        publish_asc=_date_number(),
        status=fields.ID(stored=True),
        seq=fields.STORED(),
        stored=fields.STORED(),  # title, index_no, doc_no as shown (a dict)
        body_z=StoredBytes(),
        # attachment text (PDF, OFD, DOC, DOCX, WPS, XLS, XLSX, ET): words and bigrams like the body, units
        # separated by END so that no phrase spans two pages, sheets or files; the units themselves (name,
        # page, sheet, text) stored compressed to say where a hit matched
        attach=WordField(ana),
        attach_ng=BigramField(ana),
        attach_z=StoredBytes(),
    )
