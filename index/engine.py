"""Query evaluation over numpy arrays: match sets, scores, filters, facets and sorts for every match at once.

A query tree from `index.query.parse` is evaluated to a `Matches` (global docnums, sorted, and their scores).
A literal of n characters is matched exactly on a bigram field:

* n = 1: every bigram that starts with the character (each occurrence starts exactly one bigram, the last
  character of a text the one with the end marker): correct, and slower on very common characters;
* n = 2: one bigram term, no position check;
* n >= 3: its n-1 bigrams, rarest first: each further bigram is read only in the blocks that still hold
  candidates (`postings.read_postings(wanted=...)`); then positions are checked, vectorised, on the candidates
  only, with a covering subset of the bigrams (offsets 0, 2, 4, ... and n-2: two bigrams two characters apart
  already fix four characters), so a document matches exactly when its text contains the literal.

AND children are evaluated from the most selective (smallest rarest-bigram document frequency) and hand their
matches down as the next child's candidates; OR children share their parent's candidates; filters (agency,
topic, dates) become the first candidates when they are selective. Scores are BM25 over the literal's
occurrences per field (title weighted by `title_boost`), plus BM25 of the literal's whole jieba words (so a
whole-word match ranks above an incidental substring), plus a large bonus for the document whose own 文号 the
query is. Facets are `bincount`s over the match set's codes; sorts use per-generation ranks (`columns`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.identifiers import doc_no_key, index_no_key, parse_doc_no
from index.analyzer import query_bigrams, segmenter, words
from index.columns import Generation, segment_readers
from index.postcache import PostingCache
from index.postings import EMPTY_F, EMPTY_IDS, Postings, member, read_postings, term_info
from index.query import Lit, Node, Tree
from index.settings import IndexSettings

K1 = 1.2
B = 0.75
DOC_NO_BOOST = 100.0  # the document that carries a 文号 ranks above those that cite it
WORD_WEIGHT = 0.5  # a whole-word match adds this share of a literal match
# selective candidates are handed down to posting reads; beyond this share of the index, reading whole blocks
# and intersecting afterwards is cheaper than checking membership per block
CANDIDATE_SHARE = 0.5
WORD_FIELDS = {"title_ng": "title", "body_ng": "body", "attach_ng": "attach"}
# which bigram fields a literal searches, by its field (None: everywhere; page / attach: the in: narrowings)
TEXT_FIELDS = {
    None: ("title_ng", "body_ng", "doc_no_ng", "attach_ng"),
    "page": ("title_ng", "body_ng", "doc_no_ng"),
    "attach": ("attach_ng",),
}
WORD_NG = {
    None: ("title_ng", "body_ng", "attach_ng"),
    "page": ("title_ng", "body_ng"),
    "attach": ("attach_ng",),
}


@dataclass(frozen=True)
class Matches:
    docs: np.ndarray  # int32 global docnums, sorted, unique
    scores: np.ndarray  # float32 aligned

    @staticmethod
    def empty() -> Matches:
        return Matches(EMPTY_IDS, EMPTY_F)

    def __len__(self) -> int:
        return len(self.docs)


def intersect(a: Matches, b: Matches) -> Matches:
    if len(a) > len(b):
        a, b = b, a
    inside = member(a.docs, b.docs)
    docs = a.docs[inside]
    scores = a.scores[inside] + b.scores[np.searchsorted(b.docs, docs)]
    return Matches(docs.astype(np.int32, copy=False), scores.astype(np.float32))


def union(parts: Sequence[Matches]) -> Matches:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([p.docs for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    unique, inverse = np.unique(docs, return_inverse=True)
    summed = np.bincount(inverse, weights=scores, minlength=len(unique)).astype(np.float32)
    return Matches(unique.astype(np.int32, copy=False), summed)


def subtract(a: Matches, b: Matches) -> Matches:
    if not len(b) or not len(a):
        return a
    keep = ~member(a.docs, b.docs)
    return Matches(a.docs[keep], a.scores[keep])


class Evaluator:
    """Evaluates one query tree against one searcher's segments and its generation's arrays."""

    def __init__(
        self,
        searcher: Any,
        generation: Generation,
        settings: IndexSettings,
        postings: PostingCache | None = None,
    ) -> None:
        self.postings = postings
        self.reader = searcher.reader()
        self.segments = segment_readers(self.reader)
        self.gen = generation
        self.settings = settings
        self.schema = searcher.schema
        self.n_docs = max(1, generation.live_count())

    # ------------------------------------------------------------------ tree

    def evaluate(self, tree: Tree | None, wanted: np.ndarray | None) -> Matches:
        """Matches of the tree among live documents (and among `wanted`, sorted global docnums, when given)."""
        if tree is None:
            docs = np.flatnonzero(self.gen.live).astype(np.int32) if wanted is None else wanted
            return Matches(docs, np.zeros(len(docs), dtype=np.float32))
        found = self._node(tree, wanted)
        live = self.gen.live[found.docs]
        if not live.all():
            found = Matches(found.docs[live], found.scores[live])
        return found

    def evaluate_query(self, q: str, tree: Tree | None, wanted: np.ndarray | None) -> Matches:
        """`evaluate`, plus the whole query read as one 文号 written with a space ("国办发2018 128")."""
        found = self.evaluate(tree, wanted)
        stripped = q.strip()
        if " " in stripped and parse_doc_no(stripped):
            extra = self._key_term("doc_no_key", doc_no_key(stripped), DOC_NO_BOOST, wanted)
            live = self.gen.live[extra.docs]
            found = union([found, Matches(extra.docs[live], extra.scores[live])])
        return found

    def _node(self, tree: Tree, wanted: np.ndarray | None) -> Matches:
        if isinstance(tree, Lit):
            return self.literal(tree, wanted)
        if tree.op == "not":
            everything = self.evaluate(None, wanted)
            return subtract(everything, self._node(tree.children[0], everything.docs))
        if tree.op == "or":
            return union([self._node(child, wanted) for child in tree.children])
        positives = [c for c in tree.children if not (isinstance(c, Node) and c.op == "not")]
        negatives = [c.children[0] for c in tree.children if isinstance(c, Node) and c.op == "not"]
        if positives:
            positives.sort(key=self._cost)
            found = self._node(positives[0], wanted)
            for child in positives[1:]:
                if not len(found):
                    break
                found = intersect(found, self._node(child, self._candidates(found.docs)))
        else:
            found = self.evaluate(None, wanted)
        for child in negatives:
            if not len(found):
                break
            found = subtract(found, self._node(child, self._candidates(found.docs)))
        return found

    def _candidates(self, docs: np.ndarray) -> np.ndarray | None:
        return docs if len(docs) < CANDIDATE_SHARE * self.gen.size else None

    def _cost(self, tree: Tree) -> float:
        """Estimated matches: the smallest document frequency among a literal's bigrams (ORs add up)."""
        if isinstance(tree, Lit):
            text = tree.text
            fields = self._fields_of(tree)
            if len(text) < 2 or not fields:
                return float(self.gen.size)
            grams = query_bigrams(text)
            return float(
                sum(min(self._df(f, g) for g in grams) for f in fields if f.endswith("_ng")) or self.gen.size
            )
        if tree.op == "or":
            return sum(self._cost(c) for c in tree.children)
        if tree.op == "not":
            return float(self.gen.size)
        return min(self._cost(c) for c in tree.children)

    def _df(self, fieldname: str, term: str) -> int:
        return sum(self._segment_df(r, fieldname, term) for r, _ in self.segments)

    def _segment_df(self, segreader: Any, fieldname: str, term: str) -> int:
        if self.postings is not None:
            info = self.postings.info(segreader, fieldname, term)
        else:
            info = term_info(segreader, fieldname, term)
        return 0 if info is None else int(info.doc_frequency())

    def _read(
        self,
        segreader: Any,
        fieldname: str,
        term: str,
        positions: bool = False,
        wanted: np.ndarray | None = None,
    ) -> Postings:
        if self.postings is not None:
            return self.postings.postings(segreader, fieldname, term, positions, wanted)
        return read_postings(segreader, fieldname, term, positions=positions, wanted=wanted)

    @staticmethod
    def _fields_of(lit: Lit) -> tuple[str, ...]:
        if lit.field in TEXT_FIELDS:
            return TEXT_FIELDS[lit.field]
        if lit.field in ("title", "agency", "topic"):
            return (lit.field + "_ng",)
        if lit.field == "doc_no" and not parse_doc_no(lit.raw):
            return ("doc_no_ng",)
        return ()

    # ------------------------------------------------------------------ literals

    def literal(self, lit: Lit, wanted: np.ndarray | None) -> Matches:
        if lit.field == "index_no":
            return self._key_term("index_no_key", index_no_key(lit.raw), 1.0, wanted)
        if lit.field == "doc_no" and parse_doc_no(lit.raw):
            return self._key_term("doc_no_key", doc_no_key(lit.raw), DOC_NO_BOOST, wanted)
        fields = self._fields_of(lit)
        occurrences = [self.phrase(f, lit.text, wanted) for f in fields]
        matched = union([Matches(d, np.zeros(len(d), dtype=np.float32)) for d, _tf in occurrences])
        page_doc_no = lit.field in (None, "page") and parse_doc_no(lit.raw)
        if not len(matched) and not page_doc_no:
            return Matches.empty()
        idf = _idf(self.n_docs, len(matched))
        score = np.zeros(len(matched), dtype=np.float32)
        for fieldname, (docs, tf) in zip(fields, occurrences, strict=True):
            if len(docs):
                where = np.searchsorted(matched.docs, docs)
                score[where] += idf * self._boost(fieldname) * self._bm25(fieldname, docs, tf)
        found = Matches(matched.docs, score)
        if len(found) and (lit.field == "title" or lit.field in WORD_NG):
            found = self._with_words(
                found, lit, ("title_ng",) if lit.field == "title" else WORD_NG[lit.field]
            )
        if page_doc_no:
            found = union([found, self._key_term("doc_no_key", doc_no_key(lit.raw), DOC_NO_BOOST, wanted)])
        return found

    def _boost(self, fieldname: str) -> float:
        return self.settings.title_boost if fieldname in ("title_ng", "title") else 1.0

    def _bm25(self, fieldname: str, docs: np.ndarray, tf: np.ndarray) -> np.ndarray:
        lengths = self.gen.lengths.get(fieldname)
        if lengths is None:
            norm = np.ones(len(docs), dtype=np.float32)
        else:
            norm = (1 - B) + B * lengths[docs] / self.gen.averages[fieldname]
        return ((tf * (K1 + 1)) / (tf + K1 * norm)).astype(np.float32)

    def _with_words(self, found: Matches, lit: Lit, ng_fields: tuple[str, ...]) -> Matches:
        """Add BM25 of the literal's whole words (2+ characters) in the word fields, for matched documents."""
        cut = segmenter(self.settings.user_dictionary)
        wanted = self._candidates(found.docs)
        score = found.scores.copy()
        for word in list(dict.fromkeys(w for w in words(lit.text, cut) if len(w) >= 2))[:4]:
            for ng in ng_fields:
                fieldname = WORD_FIELDS[ng]
                docs, tf = self._term(fieldname, word, wanted, weight_is_boosted=True)
                if not len(docs):
                    continue
                docs_in = member(docs, found.docs)
                docs, tf = docs[docs_in], tf[docs_in]
                where = np.searchsorted(found.docs, docs)
                idf = _idf(self.n_docs, self._df(fieldname, word))
                score[where] += WORD_WEIGHT * idf * self._boost(fieldname) * self._bm25(fieldname, docs, tf)
        return Matches(found.docs, score)

    def _key_term(self, fieldname: str, key: str, boost: float, wanted: np.ndarray | None) -> Matches:
        docs, _tf = self._term(fieldname, key, wanted)
        return Matches(docs, np.full(len(docs), boost, dtype=np.float32))

    def _term(
        self, fieldname: str, term: str, wanted: np.ndarray | None, weight_is_boosted: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """One term's global docnums and term frequencies."""
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        boost = self._field_boost(fieldname) if weight_is_boosted else 1.0
        for (segreader, offset), local in self._split(wanted):
            if local is not None and not len(local):
                continue
            p = self._read(segreader, fieldname, term, wanted=local)
            ids.append(p.ids + offset)
            tfs.append(p.weights / boost if boost != 1.0 else p.weights)
        return _joined(ids, tfs)

    def _field_boost(self, fieldname: str) -> float:
        try:
            return float(self.schema[fieldname].format.field_boost)
        except KeyError:
            return 1.0

    def _split(self, wanted: np.ndarray | None) -> list[tuple[tuple[Any, int], np.ndarray | None]]:
        """Each segment with its share of `wanted` in local docnums (None: no restriction)."""
        out: list[tuple[tuple[Any, int], np.ndarray | None]] = []
        for i, (segreader, offset) in enumerate(self.segments):
            if wanted is None:
                out.append(((segreader, offset), None))
                continue
            end = self.segments[i + 1][1] if i + 1 < len(self.segments) else self.gen.size
            lo, hi = np.searchsorted(wanted, [offset, end])
            out.append(((segreader, offset), (wanted[lo:hi] - offset).astype(np.int32)))
        return out

    def phrase(self, fieldname: str, text: str, wanted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Global docnums whose field contains `text` (folded), with the number of occurrences."""
        if not text:
            return EMPTY_IDS, EMPTY_F
        if len(text) == 1:
            return self._prefix(fieldname, text, wanted)
        grams = query_bigrams(text)
        if len(grams) == 1:
            return self._term(fieldname, grams[0], wanted, weight_is_boosted=True)
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        for (segreader, offset), local in self._split(wanted):
            if local is not None and not len(local):
                continue
            docs, tf = self._segment_phrase(segreader, fieldname, grams, local)
            ids.append(docs + offset)
            tfs.append(tf)
        return _joined(ids, tfs)

    def _prefix(self, fieldname: str, char: str, wanted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """A single character: every bigram of the field that starts with it, its weights summed (the number
        of occurrences, times the field's boost)."""
        parts: list[Matches] = []
        for (segreader, offset), local in self._split(wanted):
            if local is not None and not len(local):
                continue
            for term in segreader.expand_prefix(fieldname, char):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                p = self._read(segreader, fieldname, text, wanted=local)
                parts.append(Matches(p.ids + offset, p.weights / self._field_boost(fieldname)))
        joined = union(parts)
        return joined.docs, joined.scores

    def _segment_phrase(
        self, segreader: Any, fieldname: str, grams: list[str], wanted: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Local docnums of one segment holding the bigrams at consecutive positions, with occurrence counts."""
        dfs = {g: self._segment_df(segreader, fieldname, g) for g in dict.fromkeys(grams)}
        if not all(dfs.values()):
            return EMPTY_IDS, EMPTY_F
        candidates = wanted
        for gram in sorted(dfs, key=dfs.__getitem__):
            ids = self._read(segreader, fieldname, gram, wanted=candidates).ids
            candidates = ids if candidates is None else sorted_intersect(candidates, ids)
            if not len(candidates):
                return EMPTY_IDS, EMPTY_F
        assert candidates is not None
        offsets = list(range(0, len(grams), 2))
        if offsets[-1] != len(grams) - 1:
            offsets.append(len(grams) - 1)
        keys: np.ndarray | None = None
        read: dict[str, Any] = {}
        for offset in offsets:
            gram = grams[offset]
            p = read.get(gram)
            if p is None:
                p = read[gram] = self._read(segreader, fieldname, gram, positions=True, wanted=candidates)
            assert p.positions is not None and p.pos_owner is not None
            poses = p.positions.astype(np.int64)
            ok = poses >= offset
            row = np.searchsorted(candidates, p.ids).astype(np.int64)  # each posting's candidate index
            # ids ascend and each posting's positions ascend, so the keys come out sorted and unique
            these = _sorted_unique((row[p.pos_owner[ok]] << 32) | (poses[ok] - offset))
            keys = these if keys is None else sorted_intersect(keys, these)
            if not len(keys):
                return EMPTY_IDS, EMPTY_F
        assert keys is not None
        doc_index = keys >> 32
        starts = np.concatenate([[0], np.flatnonzero(doc_index[1:] != doc_index[:-1]) + 1])
        counts = np.diff(np.concatenate([starts, [len(doc_index)]]))
        return candidates[doc_index[starts]].astype(np.int32), counts.astype(np.float32)


def sorted_intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The common values of two sorted unique arrays: binary search of the shorter in the longer (intersect1d
    sorts both again)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.searchsorted(b, a)
    inside = at < len(b)
    found = np.zeros(len(a), dtype=bool)
    found[inside] = b[at[inside]] == a[inside]
    return a[found]


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """`keys`, already sorted and unique as built; checked in one pass, sorted only if that ever failed."""
    if len(keys) > 1 and not bool((keys[1:] > keys[:-1]).all()):
        return np.unique(keys)
    return keys


def _joined(ids: list[np.ndarray], tfs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if not ids:
        return EMPTY_IDS, EMPTY_F
    if len(ids) == 1:
        return ids[0].astype(np.int32, copy=False), tfs[0].astype(np.float32, copy=False)
    return np.concatenate(ids).astype(np.int32), np.concatenate(tfs).astype(np.float32)


def _idf(n: int, df: int) -> float:
    return math.log(n / (df + 1)) + 1.0
