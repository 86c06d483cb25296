"""The one table of document fields: what every layer needs to know about a field, said once.

Each layer derives its own view from `FIELDS` instead of naming fields itself: the parsed record's field lists
(`models.RECORD_FIELDS`, `EXTRA_FIELDS`), the Chinese labels (document page, version changes, feeds, CSV
header), the label variants a disclosure block prints (crawler/labels.py), the index's filter and facet fields
(index/schema.py, index/build.py, index/search.py), the query's field prefixes (index/query.py), the search
page's filters and facets (web/queryargs.py, web/pageparts.py, the template), the API description
(web/openapi.py) and the export columns (archive/export.py). Making a field filterable is then one flag here.

Pure data, no I/O: archive is the bottom layer, so crawler, index and web may all import it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a field's value lives: the page's disclosure block as the public record shows it ("record"), the block
# beyond the record ("extra"), the page's text ("content") or the catalogue's bookkeeping ("catalogue").
PARTS = ("record", "extra", "content", "catalogue")
KINDS = ("text", "date", "datetime", "number", "list")


@dataclass(frozen=True)
class FieldSpec:
    """One document field.

    name: the record's key, the CSV/JSON export name, the URL parameter of a filter and the index field name.
    label: the Chinese label the UI, the CSV header and change summaries show.
    part / kind: see PARTS and KINDS (a "date" is YYYY-MM-DD).
    variants: the labels disclosure blocks print for it (the parser maps them to `name`).
    core: its label counts towards recognising a disclosure block (a byline of 发布日期 and 来源 alone is none).
    filterable: an any-of filter of the search (`?name=v1&name=v2`, `SearchQuery`), indexed as an exact value.
    facetable: counted over every match of a search (`SearchPage.facets[name]`) and offered as checkboxes.
    prefixes: field prefixes of the query language that search this field's text (`机构:公安`).
    in_hit: part of every search hit (`Hit`, `/api/search`).
    export: a column of the CSV export (JSON lines carry the whole record).
    english: the API description's words for it.
    """

    name: str
    label: str
    part: str = "record"
    kind: str = "text"
    variants: tuple[str, ...] = ()
    core: bool = False
    filterable: bool = False
    facetable: bool = False
    prefixes: tuple[str, ...] = ()
    in_hit: bool = False
    export: bool = True
    english: str = ""

    def __post_init__(self) -> None:
        if self.part not in PARTS or self.kind not in KINDS:
            raise ValueError(f"field {self.name}: unknown part {self.part!r} or kind {self.kind!r}")
        if self.facetable and not self.filterable:
            raise ValueError(
                f"field {self.name}: a facet is a filter too (its values are chosen by ticking them)"
            )


# In display order: the document page, the CSV columns and the API's record follow it.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "编号", part="catalogue", in_hit=True, english="document id"),
    FieldSpec("url", "网址", part="catalogue", in_hit=True, english="URL of the page"),
    FieldSpec(
        "title",
        "标题",
        variants=("标题", "名称", "文件名称"),
        prefixes=("title", "标题"),
        in_hit=True,
        english="title",
    ),
    FieldSpec(
        "index_no",
        "索引号",
        variants=("索引号", "索引號", "信息索引号"),
        core=True,
        prefixes=("index_no", "索引号"),
        in_hit=True,
        english="index number (索引号)",
    ),
    FieldSpec(
        "agency",
        "发布机构",
        variants=(
            "发布机构",
            "发文机关",
            "发文机构",
            "发文单位",
            "责任部门",
            "公开责任部门",
            "发布单位",
            "发布部门",
            "发文部门",
            "制发机关",
        ),  # fmt: skip
        core=True,
        filterable=True,
        facetable=True,
        prefixes=("agency", "机构", "发布机构"),
        in_hit=True,
        english="issuing agency",
    ),
    FieldSpec(
        "topic",
        "主题分类",
        variants=("主题分类", "信息分类", "分类"),
        core=True,
        filterable=True,
        facetable=True,
        prefixes=("topic", "主题"),
        in_hit=True,
        english="topic classification",
    ),
    FieldSpec(
        "doc_no",
        "文号",
        variants=("发文字号", "文号", "文件编号", "发文编号", "文件字号"),
        core=True,
        prefixes=("doc_no", "文号", "发文字号"),
        in_hit=True,
        english="document number (文号)",
    ),
    FieldSpec(
        "disclosure",
        "公开方式",
        variants=("公开方式", "公开属性", "公开形式"),
        core=True,
        english="disclosure mode (主动公开 / 依申请公开)",
    ),
    FieldSpec("source", "信息来源", variants=("信息来源", "来源"), english="information source"),
    FieldSpec(
        "written_date",
        "成文日期",
        kind="date",
        variants=(
            "成文日期",
            "生成日期",
            "发文日期",
            "印发日期",
            "产生日期",
            "成文时间",
            "制发日期",
            "签发日期",
        ),
        core=True,
        in_hit=True,
        english="date written",
    ),
    FieldSpec(
        "publish_date",
        "发布日期",
        kind="date",
        variants=("发布日期", "发布时间", "公开日期", "公开时间", "上网日期", "上网时间"),
        in_hit=True,
        english="date published",
    ),
    FieldSpec("publish_at", "发布时间", part="extra", kind="datetime", export=False),
    FieldSpec("category", "组配分类", part="extra", variants=("组配分类",), core=True, export=False),
    FieldSpec("keywords", "主题词", part="extra", variants=("主题词", "关键词"), export=False),
    FieldSpec(
        "validity", "有效性", part="extra", variants=("有效性", "效力状态", "时效性"), core=True, export=False
    ),
    FieldSpec("unified_no", "统一编号", part="extra", variants=("统一编号",), core=True, export=False),
    FieldSpec("body", "正文", part="content", english="text of the page"),
    FieldSpec("attachments", "附件", part="content", kind="list", english="attachments"),
    FieldSpec("attachment_content", "附件内容", part="content", export=False),
    FieldSpec("captured_at", "存档时间", part="catalogue", kind="datetime", english="capture time (UTC)"),
    FieldSpec("status", "状态", part="catalogue", in_hit=True, english="live or removed"),
    FieldSpec("versions", "版本数", part="catalogue", kind="number", english="versions archived"),
)

BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}


def names(part: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in FIELDS if spec.part == part)


def filterable() -> tuple[FieldSpec, ...]:
    """The search's any-of filters, in display order (agency and topic first, as the page shows them)."""
    return tuple(spec for spec in FIELDS if spec.filterable)


def facetable() -> tuple[FieldSpec, ...]:
    return tuple(spec for spec in FIELDS if spec.facetable)


def label(name: str) -> str:
    spec = BY_NAME.get(name)
    return spec.label if spec is not None else name
