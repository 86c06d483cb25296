"""The disclosure block: label variants, the page as a stream of text cells, and the label/value pairs.

Why a cell stream rather than per-layout selectors: sites lay the block out as two-cell tables, one-cell
`<b>label：</b>value`, `<li>`, `<ol><li>[label] value`, `<dl>`, `<label>`+`<div>` or one run-together line,
and new layouts keep appearing. Flattening the page into the texts of its block-level elements (in document
order) reduces every one of them to two cases: a label and its value inside one cell, or a label cell followed
by a value cell. The block is then the densest cluster of label hits outside the body, because the body's
版记 repeats labels (公开方式, 印发日期) and the text cites other documents' 文号.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from archive.fields import FIELDS

# Field -> label variants as sites print them (archive/fields.py, docs/SITES.md). Normalised labels are looked up
# here.
FIELD_LABELS: dict[str, tuple[str, ...]] = {spec.name: spec.variants for spec in FIELDS if spec.variants}
# Joint issuers listed apart from the lead agency; they go to `co_agencies`.
JOINT_ISSUER_LABELS: tuple[str, ...] = ("联合发文单位", "联合发文机关", "会签单位")
# Kept only in raw_fields (a new mapping can be applied by re-parsing the archive).
RAW_ONLY_LABELS: tuple[str, ...] = (
    "实施日期", "废止日期", "失效日期", "施行日期", "内容概述", "公开时限", "公开范围", "语种", "信息格式",
    "所属机构", "体裁分类", "服务对象", "载体类型", "有效期", "副标题", "文件类型", "公文种类", "主送机关",
)  # fmt: skip
# Words that end a run-together value but are no field: page furniture next to the block.
STOP_LABELS: tuple[str, ...] = (
    "访问量", "浏览次数", "浏览量", "阅读次数", "点击数", "点击量", "阅读量", "字体", "字号", "分享",
    "打印", "作者", "编辑", "责任编辑", "审核", "发布人",
)  # fmt: skip

# Fields that make a cluster of labels a disclosure block (publish date and source alone are a byline).
CORE_FIELDS = frozenset(spec.name for spec in FIELDS if spec.core)

_PAD = "[\\s\u00a0\u2000-\u200b\u3000\ufeff]*"
_LABEL_SPACES = re.compile("[\\s\u00a0\u2000-\u200b\u3000\ufeff]+")
_COLON = "[:：]"
_MAX_LABEL = 12


def _label_map() -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for field, labels in FIELD_LABELS.items():
        for label in labels:
            table[label] = field
    for label in JOINT_ISSUER_LABELS:
        table[label] = "co_agencies"
    for label in RAW_ONLY_LABELS:
        table[label] = ""
    for label in STOP_LABELS:
        table[label] = None
    return table


LABEL_TO_FIELD: dict[str, str | None] = _label_map()  # "" = raw only, None = stop word
_ALTERNATION = "|".join(
    _PAD.join(re.escape(ch) for ch in label) for label in sorted(LABEL_TO_FIELD, key=len, reverse=True)
)
_HIT = re.compile(
    rf"(?P<open>[\[【]{_PAD})?(?P<label>{_ALTERNATION}){_PAD}(?P<close>[\]】])?{_PAD}(?P<colon>{_COLON})?"
)
_UNKNOWN_LABEL = re.compile(rf"[\s\u00a0\u3000]+[\u4e00-\u9fff]{{2,6}}{_PAD}{_COLON}")
_CJK = re.compile(r"[\u3400-\u9fff]")


_RUNS = re.compile("[ \t\n\r\f\v\u00a0\u200b\ufeff]+")


def squash(text: str) -> str:
    """Collapse runs of spaces and line breaks; U+3000 inside a value is kept as shown (标题 uses it)."""
    return _RUNS.sub(" ", text).strip(" \u3000")


def short_text(el: Any, limit: int) -> str:
    """The element's text up to about `limit` characters: bounded work on huge or deeply nested pages."""
    parts: list[str] = []
    total = 0
    for piece in el.itertext():
        parts.append(piece[: limit + 1 - total])
        total += len(piece)
        if total > limit:
            break
    return "".join(parts)


def normalise_label(label: str) -> str:
    """NFKC, padding removed (spaces, NBSP, U+2000-U+200B, U+3000), brackets and a trailing colon stripped."""
    text = _LABEL_SPACES.sub("", unicodedata.normalize("NFKC", label))
    return text.strip("[]【】:：")


# --- the cell stream -----------------------------------------------------------------------------------

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section table tbody td tfoot th thead tr ul br label "
    "legend details summary".split()
)
# Elements that are closed cells: an empty one is an empty value, not nothing.
CELL_TAGS = frozenset("td th dd dt li p label".split())
SKIP_TAGS = frozenset(
    "script style noscript template textarea select option button head title object".split()
)


# Marks where inline elements start and end inside a cell (`<b>发文机关</b>国务院` has no colon but a boundary).
SEP = "\x1f"
_SEP_RUN = re.compile("\x1f+")


@dataclass
class Cell:
    text: str  # as shown, spaces collapsed
    in_body: bool
    empty_marker: bool = False
    marked: str = ""  # the same text with SEP at inline-element boundaries; label hits index into it


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


# libxml2 stops reading a document nested deeper than this; the rest of such a page is lost.
PARSER_DEPTH_LIMIT = 255


def build_cells(root: Any, body: Any | None) -> tuple[list[Cell], int]:
    """The texts of the page's block-level elements in document order, and the tree's depth.

    Iterative, so deeply nested pages cannot exhaust the Python stack.
    """
    cells: list[Cell] = []
    depth = max_depth = 0
    buffer: list[str] = []
    body_depth = 0
    emitted_at: list[int] = []

    def flush() -> None:
        marked = squash(_SEP_RUN.sub(SEP, "".join(buffer))).strip(" \u3000" + SEP)
        buffer.clear()
        text = squash(marked.replace(SEP, ""))
        if text:
            cells.append(Cell(text, body_depth > 0, marked=marked))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = _tag(el)
        if event == "start":
            depth += 1
            max_depth = max(max_depth, depth)
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if body is not None and el is body:
                flush()
                body_depth += 1
            if tag in BLOCK_TAGS:
                flush()
                emitted_at.append(len(cells))
            else:
                buffer.append(SEP)
            if el.text:
                buffer.append(el.text)
        else:
            depth -= 1
            if tag in BLOCK_TAGS and tag not in SKIP_TAGS:
                flush()
                start = emitted_at.pop() if emitted_at else len(cells)
                if tag in CELL_TAGS and start == len(cells):
                    cells.append(Cell("", body_depth > 0, empty_marker=True))
            elif tag not in SKIP_TAGS:
                buffer.append(SEP)
            if body is not None and el is body:
                flush()
                body_depth -= 1
            if el.tail:
                buffer.append(el.tail)
    flush()
    return cells, max_depth


def _is_label_text(text: str) -> bool:
    norm = normalise_label(text)
    return bool(norm) and LABEL_TO_FIELD.get(norm) is not None


def unfold_vertical_tables(root: Any, body: Any | None) -> None:
    """Rewrite a row of labels followed by a row of values (索引号 | 文号 over their values) into pairs.

    The cell stream reads label/value in document order; a vertical table puts all labels first, so its
    value cells are moved next to their labels. Only rows made entirely of known labels qualify.
    """
    for row in list(root.iter("tr")):
        cells = [c for c in row if _tag(c) in {"td", "th"}]
        following = row.getnext()
        if len(cells) < 2 or following is None or _tag(following) != "tr":
            continue
        if body is not None and any(ancestor is body for ancestor in row.iterancestors()):
            continue  # tables in the body are text, left as written
        values = [c for c in following if _tag(c) in {"td", "th"}]
        if len(values) != len(cells) or not all(_is_label_text(short_text(c, 40)) for c in cells):
            continue
        if any(_is_label_text(short_text(v, 40)) for v in values):
            continue
        for label_cell, value_cell in zip(cells, values, strict=True):
            label_cell.addnext(value_cell)
        following.getparent().remove(following)


# --- label hits and pairs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    label: str  # as shown, trimmed
    field: str | None  # record field; "" for raw-only labels
    value: str | None  # as shown, trimmed; None when blank
    cell: int
    in_body: bool


_BLANK_VALUES = frozenset({"", "-", "--", "---", "—", "——", "/", ":", "：", "暂无"})


def clean_value(value: str) -> str | None:
    text = squash(value.replace(SEP, "")).strip(" \t\r\n\u00a0\u3000\ufeff")
    text = re.sub(r"^[:：]+", "", text).strip(" \t\r\n\u00a0\u3000")
    return None if text in _BLANK_VALUES else text


def _accept_hit(text: str, match: re.Match[str], after_hit: bool, lead: int, tail: int) -> bool:
    """`lead`/`tail`: where the cell's text starts and ends without surrounding spaces (computed once)."""
    start = match.start()
    norm = normalise_label(match.group("label"))
    bracketed = bool(match.group("open") and match.group("close"))
    colon = bool(match.group("colon"))
    gap = text[match.end("label") : match.end()]
    # The label is a whole inline element (<b>发文机关</b>value): a boundary counts as a colon.
    ends_element = SEP in gap
    if start <= lead:
        spaced = len(norm) >= 3 and any(ch.isspace() for ch in gap)  # "索引号　0000…" at the start of a cell
        return colon or bracketed or ends_element or spaced or match.end() >= tail
    if not (colon or bracketed or (ends_element and text[start - 1] == SEP)):
        return False
    before = text[start - 1]
    # A two-character label glued to Chinese text (单位名称：) is a label only inside a run-together block line.
    return after_hit or len(norm) > 2 or not _CJK.match(before)


def _hits(text: str) -> list[re.Match[str]]:
    hits: list[re.Match[str]] = []
    lead = len(text) - len(text.lstrip())  # str.strip() also removes SEP
    tail = len(text.rstrip())
    for match in _HIT.finditer(text):
        if len(normalise_label(match.group("label"))) <= _MAX_LABEL and _accept_hit(
            text, match, bool(hits), lead, tail
        ):
            hits.append(match)
    return hits


def find_pairs(cells: list[Cell]) -> list[Pair]:
    """Every label hit with its value, whether inside its own cell or in the following cell."""
    pairs: list[Pair] = []
    hits_by_cell = [_hits(cell.marked) if not cell.empty_marker else [] for cell in cells]
    consumed: set[int] = set()
    for index, cell in enumerate(cells):
        if index in consumed:
            continue
        hits = hits_by_cell[index]
        for position, match in enumerate(hits):
            end = hits[position + 1].start() if position + 1 < len(hits) else len(cell.marked)
            raw_value = cell.marked[match.end() : end]
            unknown = _UNKNOWN_LABEL.search(raw_value)
            if unknown:
                raw_value = raw_value[: unknown.start()]
            value = clean_value(raw_value)
            is_last = position + 1 == len(hits)
            if value is None and is_last and not raw_value.strip() and index + 1 < len(cells):
                following = cells[index + 1]
                if following.empty_marker:
                    consumed.add(index + 1)
                elif following.in_body == cell.in_body:
                    next_hits = hits_by_cell[index + 1]
                    if not next_hits:
                        value = clean_value(following.marked)
                        consumed.add(index + 1)
                    elif next_hits[0].start() > 0:  # "value 公开方式：Y": the value runs up to the next label
                        value = clean_value(following.marked[: next_hits[0].start()])
            label_shown = squash(match.group("label"))
            field = LABEL_TO_FIELD.get(normalise_label(match.group("label")))
            pairs.append(Pair(label_shown, field, value, index, cell.in_body))
    return pairs


def choose_block(pairs: Iterable[Pair], max_gap: int = 8) -> list[Pair]:
    """The densest run of label pairs outside the body (docs/SITES.md 4: confine extraction to the header)."""
    ordered = [p for p in pairs if p.field is not None]
    groups: list[list[Pair]] = []
    for pair in ordered:
        if groups and pair.in_body == groups[-1][-1].in_body and pair.cell - groups[-1][-1].cell <= max_gap:
            groups[-1].append(pair)
        else:
            groups.append([pair])

    def score(group: list[Pair]) -> tuple[int, int]:
        # Filled fields first: templates often carry an empty twin of the block (a hidden mobile copy).
        filled = len({p.field for p in group if p.field in CORE_FIELDS and p.value is not None})
        return filled, len({p.field for p in group if p.field in CORE_FIELDS})

    def qualifies(group: list[Pair]) -> bool:
        fields = {p.field for p in group}
        return score(group)[1] >= 2 or "index_no" in fields

    outside = [g for g in groups if not g[0].in_body and qualifies(g)]
    if outside:
        return max(outside, key=score)  # max() keeps the first of equal scores: the header comes first
    return []


def block_from_body_head(pairs: Iterable[Pair], first_body_cell: int, window: int = 15) -> list[Pair]:
    """A block pasted at the very top of the body (some templates put it inside the content container)."""
    head = [p for p in pairs if p.in_body and p.field is not None and p.cell - first_body_cell <= window]
    fields = {p.field for p in head if p.field in CORE_FIELDS}
    return head if len(fields) >= 2 or "index_no" in fields else []
