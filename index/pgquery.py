"""A parsed query (`index.query`) as SQL over the search table of `pgstore`: the same language, the same matches.

Two parts per query:

* a candidate `tsquery` over `grams`, answered by the GIN index alone: a literal of two characters is one
  lexeme per field tag, one of one character a prefix lexeme, one of three characters that is one of the
  table's frequent trigrams (`pgtri`, looked up per query: `known`) one lexeme (all exact); a longer one is
  the AND of its bigrams and frequent trigrams (a superset). AND, OR and NOT map to & | !. It is exact for
  every row whose `level` is at least the literal's (`exact_from`); rows of a lower level (huge documents
  that keep only bigrams, or unigrams) are candidates through their shorter grams and their level lexeme,
  and NOT never excludes them on grams alone.
* an exact SQL condition checked on the candidates only: `strpos` on the folded columns, skipped for a part of
  the tree that the candidate query already decides (`level >= n`), so a query of 1-2 character terms and
  frequent 3-character ones reads no text at all.

Scores are cheap per-row terms: title occurrences (title_boost), the literal's jieba words as whole words
(a hashed semi-join on the words GIN index), the 文号 key. Ties break by id, as in the Whoosh backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.identifiers import doc_no_key, index_no_key, parse_doc_no
from index.analyzer import segmenter, words
from index.engine import DOC_NO_BOOST, WORD_WEIGHT
from index.pgstore import (
    AGENCY,
    ATTACH,
    DOC_KEY,
    DOC_NO,
    GRAM,
    INDEX_KEY,
    LEVEL_MARK,
    PAGE,
    TITLE,
    TOP,
    TOPIC,
    lexeme,
    pg_text,
)
from index.query import Lit, Node, Tree
from index.settings import IndexSettings

INF = 99
TAGS = {None: (PAGE, ATTACH), "page": (PAGE,), "attach": (ATTACH,), "title": (TITLE,), "agency": (AGENCY,)}
TAGS |= {"topic": (TOPIC,), "doc_no": (DOC_NO,)}
COLUMNS = {PAGE: ("title_f", "body_f", "doc_no_f"), ATTACH: ("attach_f",), TITLE: ("title_f",)}
COLUMNS |= {AGENCY: ("agency_f",), TOPIC: ("topic_f",), DOC_NO: ("doc_no_f",)}
LEVELED = (PAGE, ATTACH)  # the tags whose grams a huge document shortens (short fields keep trigrams)


@dataclass(frozen=True)
class Key:
    """An exact key lexeme: the 文号 key (k) or the 索引号 key (i)."""

    tag: str
    value: str


Expr = Tree | Key


@dataclass
class Sql:
    """A SQL fragment and its parameters, in order."""

    text: str
    params: list[Any] = field(default_factory=list)


def to_expr(q: str, tree: Tree | None) -> Expr | None:
    """The tree, with the whole query read as one 文号 written with a space ("国办发2018 128") OR-ed in."""
    stripped = q.strip()
    if tree is not None and " " in stripped and parse_doc_no(stripped):
        return Node("or", (tree, Key(DOC_KEY, doc_no_key(stripped))))  # type: ignore[arg-type]
    return tree


def _key_of(lit: Lit) -> Key | None:
    if lit.field == "index_no":
        return Key(INDEX_KEY, index_no_key(lit.raw))
    if lit.field == "doc_no" and parse_doc_no(lit.raw):
        return Key(DOC_KEY, doc_no_key(lit.raw))
    return None


def _page_doc_no(lit: Lit) -> Key | None:
    """A 文号 written in the text of a plain literal also matches the 文号 field (engine.literal)."""
    if lit.field in (None, "page") and parse_doc_no(lit.raw):
        return Key(DOC_KEY, doc_no_key(lit.raw))
    return None


def exact_from(expr: Expr, known: frozenset[str]) -> int:
    """The lowest row level at which the candidate query of `expr` is exact (INF: never); `known` holds the
    table's frequent trigrams among the query's (`pgtri`)."""
    if isinstance(expr, Key):
        return 1
    if isinstance(expr, Lit):
        if _key_of(expr) is not None:
            return 1
        n = len(expr.text)
        leveled = all(tag in LEVELED for tag in TAGS[expr.field])
        if n == TOP and leveled and expr.text in known:
            return TOP
        if n > GRAM:
            return INF
        return n if leveled else 1
    return max(exact_from(c, known) for c in expr.children)


def _sample(grams: list[str], most: int) -> list[str]:
    if len(grams) <= most:  # a covering sample is candidate enough; the exact check decides
        return grams
    step = (len(grams) - 1) / (most - 1)
    return list(dict.fromkeys(grams[round(i * step)] for i in range(most)))


def _conj(tag: str, text: str, n: int, known: frozenset[str] = frozenset()) -> str:
    grams = _sample(list(dict.fromkeys(text[i : i + n] for i in range(len(text) - n + 1))), 8)
    if n == GRAM and known:  # a row of the full level also holds the frequent trigrams: fewer candidates
        tris = dict.fromkeys(text[i : i + TOP] for i in range(len(text) - TOP + 1))
        grams += _sample([t for t in tris if t in known], 4)
    return "(" + " & ".join(lexeme(tag + g) for g in grams) + ")"


def _lit_candidates(lit: Lit, known: frozenset[str]) -> str:
    key = _key_of(lit)
    if key is not None:
        return lexeme(key.tag + key.value)
    parts: list[str] = []
    n = len(lit.text)
    for tag in TAGS[lit.field]:
        if tag not in LEVELED:  # a short field keeps every character and bigram
            parts.append(_conj(tag, lit.text, min(n, GRAM)))
        elif n == 1:  # long texts keep no unigrams: a prefix of their bigrams (pgstore.bigrams)
            parts.append(lexeme(tag + lit.text) + ":*")
        else:
            full_level = lexeme(tag + lit.text) if n == TOP and lit.text in known else None
            parts.append(full_level or _conj(tag, lit.text, min(n, GRAM), known))
            for level, mark in LEVEL_MARK.items():
                if n > level:
                    parts.append(f"({_conj(tag, lit.text, level)} & {lexeme(mark)})")
    extra = _page_doc_no(lit)
    if extra is not None:
        parts.append(lexeme(extra.tag + extra.value))
    return "(" + " | ".join(parts) + ")"


def candidates(expr: Expr, known: frozenset[str]) -> str | None:
    """The candidate tsquery text (None: every row is a candidate)."""
    if isinstance(expr, Key):
        return lexeme(expr.tag + expr.value)
    if isinstance(expr, Lit):
        return _lit_candidates(expr, known)
    kids = [candidates(c, known) for c in expr.children]
    if expr.op == "and":
        kept = [k for k in kids if k is not None]
        return "(" + " & ".join(kept) + ")" if kept else None
    if expr.op == "or":
        return None if any(k is None for k in kids) else "(" + " | ".join(kids) + ")"  # type: ignore[arg-type]
    inner, m = kids[0], exact_from(expr.children[0], known)
    if inner is None or m > TOP:
        return None
    marks = [lexeme(mark) for level, mark in LEVEL_MARK.items() if level < m]
    return "(" + " | ".join([f"!{inner}", *marks]) + ")"


def full(expr: Expr) -> Sql:
    """The exact condition of `expr` for any row, from the folded columns and keys."""
    if isinstance(expr, Key):
        return Sql("doc_no_key = %s" if expr.tag == DOC_KEY else "index_no_key = %s", [pg_text(expr.value)])
    if isinstance(expr, Lit):
        key = _key_of(expr)
        if key is not None:
            return full(key)
        cols = [c for tag in TAGS[expr.field] for c in COLUMNS[tag]]
        parts = [Sql(f"strpos({c}, %s) > 0", [pg_text(expr.text)]) for c in cols]
        extra = _page_doc_no(expr)
        if extra is not None:
            parts.append(full(extra))
        return _join(" OR ", parts)
    kids = [full(c) for c in expr.children]
    if expr.op == "not":
        return Sql(f"NOT ({kids[0].text})", kids[0].params)
    return _join(" AND " if expr.op == "and" else " OR ", kids)


def exact(expr: Expr, known: frozenset[str]) -> Sql | None:
    """What candidates of `expr` still need to be a match (None: nothing, the candidate query decides)."""
    m = exact_from(expr, known)
    if m <= 1:
        return None
    if m <= TOP:
        check = full(expr)
        return Sql(f"(level >= {m} OR ({check.text}))", check.params)
    if isinstance(expr, Node) and expr.op == "and":
        parts = [p for p in (exact(c, known) for c in expr.children) if p is not None]
        return _join(" AND ", parts) if parts else None
    return full(expr)


def _join(sep: str, parts: list[Sql]) -> Sql:
    params: list[Any] = []
    for p in parts:
        params.extend(p.params)
    return Sql("(" + sep.join(f"({p.text})" for p in parts) + ")", params)


def positives(expr: Expr | None) -> list[Lit | Key]:
    """The literals and keys not under a NOT: what scores."""
    out: list[Lit | Key] = []
    stack: list[Expr] = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, (Lit, Key)):
            out.append(node)
        elif node.op != "not":
            stack.extend(node.children)
    return out


def score(expr: Expr | None, settings: IndexSettings) -> Sql:
    """A per-row relevance: title hits weigh `title_boost`, whole words WORD_WEIGHT, a 文号 key DOC_NO_BOOST."""
    terms: list[Sql] = []
    cut = segmenter(settings.user_dictionary)
    for item in positives(expr):
        key = item if isinstance(item, Key) else _key_of(item) or _page_doc_no(item)
        if key is not None and key.tag == DOC_KEY:
            terms.append(
                Sql(f"(CASE WHEN doc_no_key = %s THEN {DOC_NO_BOOST} ELSE 0 END)", [pg_text(key.value)])
            )
        if not isinstance(item, Lit) or _key_of(item) is not None:
            continue
        if item.field in (None, "page", "title"):
            terms.append(
                Sql(
                    f"(CASE WHEN strpos(title_f, %s) > 0 THEN {settings.title_boost} ELSE 0 END)",
                    [pg_text(item.text)],
                )
            )
        if item.field in (None, "page", "attach"):
            whole = list(dict.fromkeys(w for w in words(item.text, cut) if len(w) >= 2))[:4]
            if whole:
                query = " & ".join(lexeme(w) for w in whole)
                terms.append(
                    Sql(
                        f"(CASE WHEN doc_id IN (SELECT doc_id FROM {{table}} WHERE words @@ %s::tsquery)"
                        f" THEN {WORD_WEIGHT} ELSE 0 END)",
                        [query],
                    )
                )
    if not terms:
        return Sql("0")
    return Sql(" + ".join(t.text for t in terms), [p for t in terms for p in t.params])


def where(expr: Expr | None, known: frozenset[str] = frozenset()) -> Sql:
    """The WHERE condition of the matches of `expr` (TRUE for no query)."""
    if expr is None:
        return Sql("TRUE")
    parts: list[Sql] = []
    cand = candidates(expr, known)
    if cand is not None:
        parts.append(Sql("grams @@ %s::tsquery", [cand]))
    check = exact(expr, known)
    if check is not None:
        parts.append(check)
    return _join(" AND ", parts) if parts else Sql("TRUE")


def query_trigrams(expr: Expr | None) -> list[str]:
    """The trigrams of the query's literals of three characters or more: what to look up in the table's list
    of frequent ones (a literal of three that is one is exact; a longer one gets them as candidates)."""
    out: dict[str, None] = {}
    stack: list[Expr] = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Lit):
            text = node.text
            if len(text) >= TOP and _key_of(node) is None:
                out.update(dict.fromkeys(text[i : i + TOP] for i in range(len(text) - TOP + 1)))
        elif isinstance(node, Node):
            stack.extend(node.children)
    return [pg_text(t) for t in out]  # PostgreSQL text holds no NUL (the list holds none either)
