"""The PostgreSQL search table: one row per document, written by a rebuild (COPY) or inside the catalogue's
own transaction (`PgIndexWriter.write`), so the search can never be staler than the catalogue.

A row keeps what filters, facets, sorts and snippets read (agency, topic, dates as YYYYMMDD numbers, the shown
fields, the original body and attachment units) and what matching reads:

* `grams`, a `tsvector` without positions whose lexemes are a one-letter field tag plus every 2-character
  substring of the folded field text and its last character (tags: p title/body/文号 "the page", a
  attachments; the short fields t title, g agency, c topic, n 文号 keep every character too; k the 文号 key, i
  the 索引号 key). A GIN index over it answers a literal of two characters exactly (one lexeme), one of one
  character exactly as a prefix (`bigrams`), and gives the candidates of a longer one (its bigrams), which
  `strpos` on the folded text then confirms. No positions: tsvector positions stop at 16,383
  and at 256 per lexeme, so phrase operators would miss occurrences in long documents.
  Also the archive's frequent trigrams (`pgtri`): a 3-character literal that is one of them is one lexeme,
  exact, instead of thousands of `strpos` confirmations (11 µs for each 11 KB text read).
* A tsvector may hold at most 1 MB of lexemes. A document whose grams do not fit keeps bigrams only (level 2,
  lexeme `z`), or unigrams (level 1, lexeme `y`); queries add the shorter forms of a literal for those rows,
  and confirm them by `strpos` (`pgquery`). Nothing is dropped: recall stays complete.
* the shown fields, the original body, agency and topic as JSON text (exact even where text holds NUL,
  which PostgreSQL text cannot; the folded texts hold U+FFFD there instead).
* `words`, the jieba words (2 to 100 characters) of the texts: whole-word matches rank first.
* Both tsvectors are built in PostgreSQL's binary form (`TsVector`) and sent as they are, by binary COPY or as
  typed parameters: the server parses no tsvector text. The grams are made as packed code points in numpy.
* the folded texts (`title_f`, `body_f`, `attach_f` (units joined by END), ...), stored uncompressed and out
  of line (`toast_tuple_target` 128), so the heap row read for facets is small and `strpos` does not inflate.
"""

from __future__ import annotations

import functools
import json
import struct
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.identifiers import doc_no_key, index_no_key, parse_doc_no
from archive.models import Document
from index.analyzer import END, fold, is_word, segmenter
from index.build import attachment_units
from index.settings import IndexSettings

TABLE = "gk_search"
META = "gk_search_meta"
SCHEMA_VERSION = 3  # 2: bigrams and last characters, no unigram per character; 3: frequent trigrams
MAX_LEXEME_BYTES = 900_000  # PostgreSQL refuses a tsvector over 1 MB of lexeme text
MAX_WORD_BYTES = 400_000
MAX_WORD_CHARS = 100  # a longer "word" (a run of letters or digits: a hash, a code) ranks nothing; and a
# lexeme may hold at most 2,047 bytes
PAGE, ATTACH, TITLE, AGENCY, TOPIC, DOC_NO, DOC_KEY, INDEX_KEY = "p", "a", "t", "g", "c", "n", "k", "i"
GRAM = 2  # every bigram is kept: a literal of up to GRAM characters is one lexeme (every trigram as well
# would cost a GIN 4x slower to build and 4x larger, measured on 3,000 documents; the frequent ones, 1.6x)
TOP = 3  # a row's full level: bigrams and the archive's frequent trigrams (`pgtri`)
LEVEL_MARK = {1: "y", 2: "z"}  # the lexeme that marks a row whose long texts keep only shorter grams

COLUMNS = (
    "doc_id",
    "seq",
    "shown",
    "agency",
    "topic",
    "pnum",
    "wnum",
    "title_f",
    "doc_no_f",
    "agency_f",
    "topic_f",
    "body",
    "body_f",
    "attach_f",
    "attach_units",
    "doc_no_key",
    "index_no_key",
    "level",
    "grams",
    "words",
)
# the columns' types for COPY's binary format, in COLUMNS order (every column not named here is text)
_NOT_TEXT = {"seq": "bigint", "pnum": "integer", "wnum": "integer", "level": "smallint"}
TYPES = tuple(_NOT_TEXT.get(c, "tsvector" if c in ("grams", "words") else "text") for c in COLUMNS)


def part_name(name: str, part: int) -> str:
    return f"{name}_p{part}"


def table_ddl(name: str, parts: int = 1) -> list[str]:
    """CREATE TABLE of the search table under `name` (the live one, or a rebuild's new one), hash-partitioned
    by doc_id into `parts` tables: a rebuild builds their GIN indexes at the same time, one core each (a GIN
    build is single-threaded, and it is most of a rebuild's time)."""
    return (
        [
            f"""CREATE TABLE {name} (
            doc_id text COLLATE "C" PRIMARY KEY, seq bigint NOT NULL, shown text NOT NULL,
            agency text COLLATE "C", topic text COLLATE "C", pnum integer NOT NULL, wnum integer NOT NULL,
            title_f text NOT NULL, doc_no_f text NOT NULL,
            agency_f text NOT NULL, topic_f text NOT NULL, body text NOT NULL, body_f text NOT NULL,
            attach_f text NOT NULL, attach_units text, doc_no_key text, index_no_key text,
            level smallint NOT NULL, grams tsvector NOT NULL, words tsvector NOT NULL
        ) PARTITION BY HASH (doc_id)""",
        ]
        + [
            f"CREATE TABLE {part_name(name, i)} PARTITION OF {name} FOR VALUES WITH (MODULUS {parts}, REMAINDER {i})"
            " WITH (toast_tuple_target = 128)"
            for i in range(parts)
        ]
        + [  # set on the parent after its partitions: ALTER ... SET STORAGE recurses to them
            f"ALTER TABLE {name} ALTER COLUMN body_f SET STORAGE EXTERNAL",
            f"ALTER TABLE {name} ALTER COLUMN attach_f SET STORAGE EXTERNAL",
        ]
        + [
            # what every matching row reads (facets, title score, 文号 key) stays in the heap row: with the low
            # toast_tuple_target an EXTENDED column is moved out of line too, and a facet over 1,330 rows then
            # cost 27 ms of TOAST lookups against 0.1 ms
            f"ALTER TABLE {name} ALTER COLUMN {column} SET STORAGE MAIN"
            for column in ("title_f", "agency", "topic", "doc_no_key", "index_no_key")
        ]
    )


INDEXES = {"grams": "USING gin (grams)", "words": "USING gin (words)", "seq": "(seq)"}


def index_ddl(name: str) -> list[str]:
    """The indexes of a table (a partition, or the parent: there it builds each partition's index that is
    missing, and attaches those that exist)."""
    return [f"CREATE INDEX {name}_{suffix} ON {name} {how}" for suffix, how in INDEXES.items()]


def pg_text(text: str) -> str:
    """PostgreSQL text cannot hold NUL: it is stored, and looked for, as U+FFFD (a document holding both
    characters is the one place where the backends may differ)."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def as_json(value: Any) -> str:
    """Shown values (and agency, topic: grouped and filtered as these strings) as JSON text: exact, NUL
    included, since JSON escapes it."""
    return json.dumps(value, ensure_ascii=False)


def lexeme(text: str) -> str:
    """One lexeme quoted for tsvector and tsquery input (taken as is by the casts: no parser, no stemming)."""
    return "'" + pg_text(text).replace("\\", "\\\\").replace("'", "''") + "'"


def substrings(texts: Iterable[str], longest: int) -> set[str]:
    """Every distinct substring of 1..`longest` (at most 2) characters of the texts (C-level loops: map over
    slices)."""
    out: set[str] = set()
    for text in texts:
        out.update(text)
        if longest >= 2:
            out.update(map(str.__add__, text, text[1:]))
    return out


_BITS = 21  # a code point fits in 21 bits: a bigram's two in 42, a trigram's three in 63 (one uint64)
_MASK = (1 << _BITS) - 1


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)


@functools.lru_cache(maxsize=4)
def _trigram_codes(trigrams: frozenset[str]) -> np.ndarray:
    """The table's frequent trigrams packed and sorted, for `searchsorted` (one list per table: cached)."""
    packed = [(ord(t[0]) << 2 * _BITS) | (ord(t[1]) << _BITS) | ord(t[2]) for t in trigrams]
    return np.array(sorted(packed), dtype=np.uint64)


def _packed_text(tag: str, codes: np.ndarray, width: int) -> str:
    """The `_tagged` text of distinct grams given packed (`width` characters each), built as one array."""
    out = np.zeros((len(codes), width + 1 + len(_END)), dtype="<u4")
    out[:, 0] = ord(tag)
    for i in range(width):
        out[:, 1 + i] = (codes >> np.uint64(_BITS * (width - 1 - i))) & np.uint64(_MASK)
    return out.tobytes().decode("utf-32-le", "surrogatepass")


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (a new sorted copy when `values` is not sorted yet)."""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def bigram_piece(tag: str, texts: Iterable[str], trigrams: frozenset[str] = frozenset()) -> tuple[str, int]:
    """The piece (`_piece`) of every distinct bigram of the texts, each text's last character, and the texts'
    trigrams that are in `trigrams` (the table's frequent ones, `pgtri`). A one-character literal is then the
    prefix of a bigram or a last character: one GIN prefix lookup (`'p政':*`), exact, while the index keeps
    no unigram lexeme per character of a long text (a quarter fewer entries to build). The grams are made
    as packed code points in numpy (2.2 ms of Python strings and sets for an 11 KB text before)."""
    triples, tails, lasts = [], [], set()
    for text in texts:
        if not text:
            continue
        lasts.add(text[-1])
        if len(text) < 2:
            continue
        codes = _code_points(text)
        pair = (codes[:-1] << np.uint64(_BITS)) | codes[1:]
        tails.append(pair[-1:])  # the one pair that starts no trigram
        triples.append((pair[:-1] << np.uint64(_BITS)) | codes[2:])
    if not tails:
        return _tagged(tag, lasts), len(lasts)
    # sorted and distinct, the trigrams give the bigrams as their sorted heads: one sort for both (3x faster
    # than np.unique of each)
    each = _distinct_sorted(np.concatenate(triples))
    found = [(np.union1d(_distinct_sorted(each >> np.uint64(_BITS)), np.concatenate(tails)), 2)]
    if trigrams and len(each):
        known = _trigram_codes(trigrams)
        at = np.minimum(np.searchsorted(known, each), len(known) - 1)
        found.append((each[known[at] == each], 3))
    text = "".join(_packed_text(tag, codes, width) for codes, width in found) + _tagged(tag, lasts)
    return text, sum(len(codes) for codes, _ in found) + len(lasts)


_END = "\0\0\0"  # a lexeme's end in the binary form: its NUL, then 0 positions (two bytes)


def _tagged(tag: str, grams: Collection[str]) -> str:
    """The binary form's text of `grams`, each prefixed by `tag`: the tag rides on the separator (one join).
    No gram holds NUL: the texts they are cut from are `pg_text`."""
    return tag + (_END + tag).join(grams) + _END if grams else ""


@dataclass(frozen=True, slots=True)
class TsVector:
    """A tsvector in PostgreSQL's binary form (what tsvectorsend writes and tsvectorrecv reads: the count, then
    each lexeme NUL-terminated, with no positions). COPY and INSERT send it as it is, so the server does not
    parse tsvector text: that parse was 1.3 ms of a document's 3.4 ms of COPY (3,000 documents)."""

    count: int
    text: str  # the lexemes, each followed by _END (distinct: each from one set, under its own tag)

    @classmethod
    def of(cls, pieces: Sequence[tuple[str, int]]) -> TsVector:
        """From (`_tagged` text, its number of lexemes) pieces."""
        return cls(sum(n for _, n in pieces), "".join(text for text, _ in pieces))

    def fits(self, limit: int) -> bool:
        """Whether the lexemes' UTF-8 bytes are within `limit` (PostgreSQL's is 1 MB); encoded only when
        the characters alone cannot tell."""
        chars = len(self.text) - 3 * self.count
        return chars * 4 <= limit or len(self.text.encode("utf-8")) - 3 * self.count <= limit

    def binary(self) -> bytes:
        return struct.pack("!i", self.count) + self.text.encode("utf-8")


def sendable(conn: Any) -> None:
    """Teach `conn` to send a `TsVector` as it is, by COPY or as a parameter (a connection copies the global
    adapters when it is made, so this is per connection)."""
    conn.adapters.register_dumper(TsVector, _dumper())


@functools.cache
def _dumper() -> type:
    """Made on first use, not at import: importing psycopg reads its package metadata."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class TsVectorDumper(Dumper):
        format = Format.BINARY
        oid = 3614  # tsvector's built-in oid

        def dump(self, obj: TsVector) -> bytes:
            return obj.binary()

    return TsVectorDumper


@dataclass(frozen=True)
class Row:
    values: tuple[Any, ...]  # in COLUMNS order


def _number(value: str | None) -> int:
    digits = (value or "")[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _date(value: str | None) -> str | None:
    return value if value and len(value) >= 4 else None


def doc_row(
    doc: Document,
    attachments: Sequence[dict[str, Any]],
    settings: IndexSettings,
    trigrams: frozenset[str] = frozenset(),
) -> Row:
    """What one catalogue document becomes in the search table (the same inputs as `build.doc_fields`);
    `trigrams` are the archive's frequent ones (`pgtri`), the same for every row of one table."""
    f = doc.fields
    # as PostgreSQL text holds them (NUL as U+FFFD): so no lexeme holds NUL
    title_f, body_f = pg_text(fold(f.title or "")), pg_text(fold(f.body or ""))
    doc_no_f, agency_f = pg_text(fold(f.doc_no or "")), pg_text(fold(f.agency or ""))
    topic_f = pg_text(fold(f.topic or ""))
    units = attachment_units(attachments)
    unit_texts = [pg_text(fold(u[3])) for u in units]
    dkey = (doc_no_key(f.doc_no) if parse_doc_no(f.doc_no) else doc_no_f) if f.doc_no else None
    ikey = index_no_key(f.index_no) if f.index_no else None
    shorts = [
        _piece(tag, substrings([text], GRAM))
        for tag, text in ((TITLE, title_f), (AGENCY, agency_f), (TOPIC, topic_f), (DOC_NO, doc_no_f))
    ]
    shorts += [_piece(tag, [pg_text(key)]) for tag, key in ((DOC_KEY, dkey), (INDEX_KEY, ikey)) if key]
    grams, level = _long_grams(shorts, [title_f, body_f, doc_no_f], unit_texts, trigrams)
    cut = segmenter(settings.user_dictionary)
    tokens: set[str] = set()
    for text in (title_f, body_f, *unit_texts):
        tokens.update(cut.raw(text))
    # each distinct token tested once (a text repeats its words): the words of `cut`, of 2+ characters
    # (isalnum first: most words are letters throughout, one C call)
    word_vector = _words({w for w in tokens if 2 <= len(w) <= MAX_WORD_CHARS and (w.isalnum() or is_word(w))})
    publish, written = _date(f.publish_date), _date(f.written_date)
    shown = {
        "url": doc.url,
        "title": f.title,
        "index_no": f.index_no,
        "doc_no": f.doc_no,
        "agency": f.agency or None,
        "topic": f.topic or None,
        "status": doc.status,
        "publish_date": publish,
        "written_date": written,
    }
    values = (
        doc.doc_id,
        doc.seq,
        as_json(shown),
        as_json(f.agency) if f.agency else None,
        as_json(f.topic) if f.topic else None,
        _number(publish),
        _number(written),
        title_f,
        doc_no_f,
        agency_f,
        topic_f,
        as_json(f.body or ""),
        body_f,
        END.join(unit_texts),
        as_json(units) if units else None,
        dkey,
        ikey,
        level,
        grams,
        word_vector,
    )
    return Row(tuple(pg_text(v) if isinstance(v, str) else v for v in values))


def _piece(tag: str, grams: Collection[str]) -> tuple[str, int]:
    return _tagged(tag, grams), len(grams)


def _grams(tag: str, texts: list[str], level: int, trigrams: frozenset[str]) -> tuple[str, int]:
    if level >= GRAM:
        return bigram_piece(tag, texts, trigrams if level == TOP else frozenset())
    return _piece(tag, substrings(texts, level))


def _long_grams(
    shorts: list[tuple[str, int]], page: list[str], units: list[str], trigrams: frozenset[str]
) -> tuple[TsVector, int]:
    """The grams tsvector and its level: bigrams and frequent trigrams if they fit in a tsvector, else
    bigrams, else unigrams."""
    for level in range(TOP, 0, -1):
        pieces = [
            *shorts,
            _grams(PAGE, page, level, trigrams),
            _grams(ATTACH, units, level, trigrams),
        ]
        if level in LEVEL_MARK:
            pieces.append(_piece(LEVEL_MARK[level], [""]))
        vector = TsVector.of(pieces)
        if level == 1 or vector.fits(MAX_LEXEME_BYTES):
            return vector, level
    raise AssertionError("unreachable: unigrams always fit")


def _words(words: set[str]) -> TsVector:
    """The words' tsvector (ranking only: past MAX_WORD_BYTES the first words in order are kept)."""
    vector = TsVector.of([_piece("", words)])
    if not vector.fits(MAX_WORD_BYTES):
        kept, total = [], 0
        for word in sorted(words):
            total += len(word.encode("utf-8"))
            if total > MAX_WORD_BYTES:
                break
            kept.append(word)
        vector = TsVector.of([_piece("", kept)])
    return vector
