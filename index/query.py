"""The query language: user text -> a small syntax tree, evaluated by `index.engine`. Whoosh's parser is never used.

Language (documented in bench/README.md and the search page):
  words          all required:  法治政府 公安局
  OR / |         either:        公安 OR 交通
  - / NOT        exclude:       公安 -交通    公安 NOT 交通
  "…" “…”        literal phrase, spaces kept:  "公安局 交通"
  ( … )          grouping:      (公安 OR 交通) 2021
  field:value    title: agency: topic: doc_no: index_no: attachment:  (also 标题: 机构: 主题: 文号: 索引号: 附件:)
  in:attachments / in:page   every plain word only in attachment text / only in the page (也作 范围:附件 范围:正文)
Every word or phrase is matched literally (after folding, see analyzer.py) in the title, body or attachment text. A 文号 in any
bracket style (or the whole query being one) also matches the 文号 field; index_no: is an exact 索引号 lookup.
A single character matches every document where it occurs (prefix of the bigram terms; slower on common characters).

Caps are checked on the raw string before anything is parsed, so that no query can cost more than a bounded
amount of work whatever its shape: length, parenthesis nesting
and number of terms, each a `QueryError` with a bilingual message. The parser is a loop over tokens with an explicit
nesting limit, so no input can reach Python's recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.fields import FIELDS as TABLE
from index.analyzer import fold
from index.errors import QueryError
from index.settings import IndexSettings

# field prefix -> the field it searches: each field's prefixes in archive/fields.py, and the attachment text
FIELDS: dict[str, str] = {
    **{prefix.lower(): spec.name for spec in TABLE if spec.prefixes for prefix in spec.prefixes},
    "attachment": "attach",
    "附件": "attach",
}
# `foo:公安` reads as a field, so an unknown one is an error (quoted, it is text)
_FIELD_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,19}")
_FIELD_NAMES = (
    " ".join(p for p in FIELDS if not p.isascii())
    + " 或 "
    + " ".join(p for p in FIELDS if p.isascii())
    + "（范围 in:attachments in:page）"
)
_ENGLISH_NAMES = " ".join(p for p in FIELDS if p.isascii())
# in:attachments / in:page narrow every plain word of the query to attachment text or to the page itself
SCOPES = {
    "attachments": "attach",
    "attachment": "attach",
    "附件": "attach",
    "page": "page",
    "正文": "page",
    "页面": "page",
}
_SCOPE = re.compile(r"^(?:in|范围)[:：](.+)$", re.IGNORECASE)
_OPEN = "(（"
_CLOSE = ")）"
_QUOTES = {'"': '"', "“": "”", "「": "」"}
# a 文号 year in round brackets, alone or with its serial: the brackets belong to the literal, they are no group
_BRACKETED_YEAR = re.compile(r"[(（]\d{4}[)）](?:\d{1,6}号?)?")
_CHUNK = re.compile(r'[(（]*(?:[^\s:："“「()（）]+[:：])?(?:"[^"]*"?|“[^”]*”?|「[^」]*」?)[)）]*|\S+')


def tokenize(q: str) -> list[str]:
    """Whitespace-separated chunks; quoted parts keep their spaces. Parentheses are operators only at the edges
    of a chunk, and only those the word inside does not need to balance its own brackets, so 国办发(2018)128号,
    国办发（2018）128号 and (国办发（2018）128号) keep the 文号 whole."""
    tokens: list[str] = []
    for chunk in _CHUNK.findall(q):
        if _BRACKETED_YEAR.fullmatch(chunk):
            tokens.append(chunk)
            continue
        lead = len(chunk) - len(chunk.lstrip(_OPEN))
        trail = len(chunk) - len(chunk.rstrip(_CLOSE))
        if lead == len(chunk):
            tokens.extend(chunk)
            continue
        core = chunk[lead : len(chunk) - trail]
        missing = _count(core, _OPEN) - _count(core, _CLOSE)
        if missing > 0:  # 国办发（2018） : give the core its closing brackets back
            give = min(missing, trail)
            core, trail = chunk[lead : len(chunk) - trail + give], trail - give
        elif missing < 0:
            give = min(-missing, lead)
            core, lead = chunk[lead - give : len(chunk) - trail], lead - give
        tokens.extend(chunk[:lead])
        if core:
            tokens.append(core)
        tokens.extend(chunk[len(chunk) - trail :] if trail else "")
    return tokens


def _count(text: str, chars: str) -> int:
    return sum(text.count(c) for c in chars)


@dataclass(frozen=True)
class Lit:
    text: str  # folded
    field: str | None = None  # None: title, body or attachments; "page": title or body; "attach": attachments
    raw: str = ""


@dataclass(frozen=True)
class Node:
    op: str  # "and", "or", "not"
    children: tuple[Node | Lit, ...]


Tree = Node | Lit


def check_caps(q: str, settings: IndexSettings) -> None:
    if len(q) > settings.max_query_chars:
        raise QueryError(
            f"查询过长（最多 {settings.max_query_chars} 个字符）/ query too long (at most {settings.max_query_chars} characters)"
        )
    depth = 0
    for char in q:
        if char in _OPEN:
            depth += 1
            if depth > settings.max_nesting:
                raise QueryError(
                    f"括号嵌套过深（最多 {settings.max_nesting} 层）/ parentheses nested too deeply (at most {settings.max_nesting})"
                )
        elif char in _CLOSE:
            depth -= 1


def _lit(token: str) -> Lit | None:
    if token[0] in _QUOTES:
        inner = token[1:]
        if inner.endswith(_QUOTES[token[0]]):
            inner = inner[:-1]
        text = fold(inner).strip()
        return Lit(text, None, inner) if text else None
    name, sep, value = token.partition(":")
    if not sep:
        name, sep, value = token.partition("：")
    if sep and name.lower() in FIELDS and value:
        if value[0] in _QUOTES:
            value = value[1:].rstrip("".join(_QUOTES.values()))
        return Lit(fold(value).strip(), FIELDS[name.lower()], value) if value.strip() else None
    if sep and value and _FIELD_LIKE.fullmatch(name) and not value.startswith("//"):
        raise QueryError(
            f'没有名为 {name} 的字段（可用：{_FIELD_NAMES}；要检索原文请加引号 "{token}"）'
            f" / no field named {name} (fields: {_ENGLISH_NAMES}; quote it to search the text)"
        )
    return Lit(fold(token), None, token)


def parse(q: str, settings: IndexSettings) -> Tree | None:
    """Parse after the caps; None for an empty query. Raises QueryError on unbalanced parentheses."""
    check_caps(q, settings)
    tokens = tokenize(q)
    # stack of groups; each group is a list of (negated, tree) clauses joined by AND with OR markers in between
    stack: list[list[object]] = [[]]
    negate = False
    terms = 0
    scope: str | None = None
    for token in tokens:
        group = stack[-1]
        scoped = _SCOPE.match(token)
        if scoped and scoped.group(1).lower() in SCOPES:
            scope = SCOPES[scoped.group(1).lower()]
            negate = False
            continue
        if token in _OPEN:
            stack.append(["NEG" if negate else "POS"])
            negate = False
            continue
        if token in _CLOSE:
            if len(stack) == 1:
                raise QueryError("括号不匹配 / unbalanced parentheses")
            done = stack.pop()
            sign = done[0]
            tree = _reduce(done[1:])
            if tree is not None:
                stack[-1].append(Node("not", (tree,)) if sign == "NEG" else tree)
            continue
        if token in ("OR", "|"):
            group.append("OR")
            continue
        if token in ("AND", "&"):
            continue
        if token == "NOT" or token in ("-", "－"):
            negate = True
            continue
        if token[0] in ("-", "－") and len(token) > 1:
            negate, token = True, token[1:]
        lit = _lit(token)
        if lit is not None and lit.text:
            terms += 1
            if terms > settings.max_query_terms:
                raise QueryError(
                    f"查询词过多（最多 {settings.max_query_terms} 个）/ too many terms (at most {settings.max_query_terms})"
                )
            group.append(Node("not", (lit,)) if negate else lit)
        negate = False
    if len(stack) != 1:
        raise QueryError("括号不匹配 / unbalanced parentheses")
    tree = _reduce(stack[0])
    if tree is None and tokens and scope is None:
        raise QueryError(
            "查询中只有运算符或引号，没有要检索的词 / the query has operators or quotes but no words"
        )
    return _scoped(tree, scope) if scope is not None and tree is not None else tree


def scope_of(q: str) -> str | None:
    """The in: narrowing of a query ("attach" or "page"), or None."""
    scope = None
    for token in tokenize(q):
        scoped = _SCOPE.match(token)
        if scoped and scoped.group(1).lower() in SCOPES:
            scope = SCOPES[scoped.group(1).lower()]
    return scope


def _scoped(tree: Tree, scope: str) -> Tree:
    """Every literal without a field, narrowed to `scope` ("attach" or "page")."""
    if isinstance(tree, Lit):
        return Lit(tree.text, scope, tree.raw) if tree.field is None else tree
    return Node(tree.op, tuple(_scoped(c, scope) for c in tree.children))


def _reduce(items: list[object]) -> Tree | None:
    """AND of clauses, where `a OR b` binds tighter than the implicit AND."""
    clauses: list[list[Tree]] = []
    pending_or = False
    for item in items:
        if item == "OR":
            pending_or = bool(clauses)
            continue
        assert isinstance(item, (Node, Lit))
        if pending_or and clauses:
            clauses[-1].append(item)
        else:
            clauses.append([item])
        pending_or = False
    ands: list[Tree] = [c[0] if len(c) == 1 else Node("or", tuple(c)) for c in clauses]
    if not ands:
        return None
    return ands[0] if len(ands) == 1 else Node("and", tuple(ands))


def positive_literals(tree: Tree | None) -> list[str]:
    """The folded texts a hit is expected to contain (for snippet marks)."""
    out: list[str] = []
    stack: list[Tree] = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Lit):
            if node.field in (None, "title", "page", "attach") and node.text:
                out.append(node.text)
        elif node.op != "not":
            stack.extend(node.children)
    return out
