"""The demo site's documents as ground truth: what each page shows, where it lives, and how it was made.

`generate_documents` is deterministic for a seed: it draws everything from its own `random.Random`, never the
global one. Added documents and changed versions use separate generators seeded from the same seed, so turning a
switch on never alters the other documents.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace

from demosite import text
from demosite.phrases import THEMES
from demosite.text import AGENCIES, KINDS, Agency

FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)
ADDED_FIRST_DAY = dt.date(2026, 11, 2)
# Last-Modified of every page a switch touched: after every base date, so old validators never match.
SWITCH_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))

HANWEB = "hanweb"
TRS = "trs"


@dataclass(frozen=True)
class Column:
    key: str  # "1571301" for Hanweb, "zcwj" for TRS
    layout: str
    name: str
    group: str  # text.Kind.group

    @property
    def path(self) -> str:
        if self.layout == HANWEB:
            return f"/col/col{self.key}/index.html"
        return f"/xxgk/{self.key}/index.html"


COLUMNS: tuple[Column, ...] = (
    Column("1571301", HANWEB, "政策文件", "policy"),
    Column("1571305", HANWEB, "计划总结", "report"),
    Column("zcwj", TRS, "部门文件", "policy"),
    Column("ghzj", TRS, "规划计划", "report"),
    Column("tzgg", TRS, "通知公告", "notice"),
)


def column_for(layout: str, group: str) -> Column:
    if layout == HANWEB and group == "notice":
        group = "policy"  # the Hanweb site files notices under 政策文件
    for col in COLUMNS:
        if col.layout == layout and col.group == group:
            return col
    raise KeyError((layout, group))


@dataclass(frozen=True)
class DemoAttachment:
    path: str  # URL path (with query for the Hanweb servlet)
    href: str  # as written in the article (relative for TRS)
    name: str  # link text
    kind: str  # "pdf", "ofd", "doc", "docx" or "xlsx"


@dataclass(frozen=True)
class DemoDoc:
    """One document of the demo site and the values a correct parser must extract from its page."""

    index: int  # generation order; base documents 0..n_docs-1, added ones after
    path: str  # URL path of the article page
    layout: str  # HANWEB or TRS
    column: Column
    art_id: int
    kind: str  # 文种
    title: str
    index_no: str
    agency: str
    topic: str
    doc_no: str | None  # None when the cell is empty; "无" is kept literally
    disclosure: str
    source: str
    written_date: str  # YYYY-MM-DD
    publish_date: str  # YYYY-MM-DD
    publish_time: str  # HH:MM
    paragraphs: tuple[str, ...]
    attachments: tuple[DemoAttachment, ...] = ()
    block: str = "table"  # metadata block markup: "table" (Hanweb), "ol" or "sub" (TRS)
    version: int = 1
    status: str = "live"  # "live" or "removed"
    habit: str | None = None  # "late" or "series" when an agency habit (demosite/habits.py) made it so

    @property
    def url_path(self) -> str:
        return self.path

    def url(self, base: str) -> str:
        """The absolute URL on a running site, e.g. doc.url(srv.url)."""
        return base.rstrip("/") + self.path

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def publish_at(self) -> str:
        return f"{self.publish_date}T{self.publish_time}:00+08:00"

    @property
    def modified_at(self) -> dt.datetime:
        if self.version > 1:
            return SWITCH_AT
        return dt.datetime.fromisoformat(self.publish_at)

    def list_title(self, limit: int) -> str:
        """The label of the list entry: long titles are cut with "…" (the full one is in title=)."""
        return self.title if len(self.title) <= limit else self.title[: limit - 1] + "…"

    def expected_fields(self) -> dict[str, str | None]:
        """The record fields (archive.models.RECORD_FIELDS) as the page shows them, plus publish_at."""
        return {
            "title": self.title,
            "index_no": self.index_no,
            "agency": self.agency,
            "topic": self.topic,
            "doc_no": self.doc_no,
            "disclosure": self.disclosure,
            "source": self.source,
            "written_date": self.written_date,
            "publish_date": self.publish_date,
            "publish_at": self.publish_at,
        }


def _check_char_org(code8: str) -> str:
    """GB 11714 check character of an organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(ch) * w for ch, w in zip(code8, weights, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(org8: str, division: str = "331200") -> str:
    """An 18-character 统一社会信用代码 with valid GB 32100 check characters (1 = 机构编制, 1 = 机关)."""
    body = "11" + division + org8 + _check_char_org(org8)
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


class _Generator:
    """Holds the counters (article ids, serials) so added documents continue the base numbering."""

    def __init__(self) -> None:
        self.next_id = {HANWEB: 2401000, TRS: 5103000}
        self.index_serial: dict[tuple[str, int], int] = {}
        self.doc_serial: dict[tuple[str, int], int] = {}
        self.numbered: list[DemoDoc] = []

    def make(
        self,
        rng: random.Random,
        index: int,
        day: dt.date,
        *,
        agency: Agency | None = None,
        kind: text.Kind | None = None,
    ) -> DemoDoc:
        """One document; `agency`/`kind` fix those choices (habits) but the draws are made either way."""
        drawn_agency = rng.choice(AGENCIES)
        drawn_kind = rng.choices(KINDS, weights=[k.weight for k in KINDS])[0]
        agency = agency or drawn_agency
        kind = kind or drawn_kind
        topic = agency.topic
        if agency.name == "市人民政府办公室" and rng.random() < 0.4:
            topic = rng.choice(text.TOPICS)
        theme = rng.choice(THEMES[topic])
        year = day.year
        title = text.make_title(rng, kind.name, agency, theme, year)
        if "法治政府" in title:
            theme = "法治政府建设"
        written = max(FIRST_DAY, day - dt.timedelta(days=rng.randint(0, 12)))
        publish_time = f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        layout = HANWEB if rng.random() < 0.5 else TRS
        column = column_for(layout, kind.group)
        self.next_id[layout] += rng.randint(3, 40)
        art_id = self.next_id[layout]
        index_no = self._index_no(rng, agency, written.year)
        doc_no = self._doc_no(rng, agency, kind, written.year)
        cite = None
        if self.numbered and rng.random() < 0.35:
            other = rng.choice(self.numbered[-40:])
            cite = (other.title, other.doc_no or "")
        contact = rng.choice(text.CONTACTS) if rng.random() < 0.3 else None
        paragraphs = text.make_body(
            rng,
            kind=kind.name,
            title=title,
            agency=agency,
            topic=topic,
            theme=theme,
            year=year,
            written_date=written.isoformat(),
            cite=cite,
            has_banji=kind.numbered and rng.random() < 0.45,
            contact=contact,
        )
        if layout == HANWEB:
            path = f"/art/{day.year}/{day.month}/{day.day}/art_{column.key}_{art_id}.html"
            block = "table"
        else:
            path = f"/xxgk/{column.key}/{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html"
            block = "ol" if art_id % 3 == 0 else "sub"
        attachments = self._attachments(rng, layout, column, day, theme) if rng.random() < 0.08 else ()
        if attachments:
            sign = len(paragraphs) - 1 - paragraphs[::-1].index(agency.full_name)
            paragraphs.insert(sign, "附件：" + "、".join(a.name for a in attachments))
        doc = DemoDoc(
            index=index,
            path=path,
            layout=layout,
            column=column,
            art_id=art_id,
            kind=kind.name,
            title=title,
            index_no=index_no,
            agency=agency.name,
            topic=topic,
            doc_no=doc_no,
            disclosure="主动公开" if rng.random() < 0.95 else "依申请公开",
            source=agency.name if rng.random() < 0.7 else agency.office,
            written_date=written.isoformat(),
            publish_date=day.isoformat(),
            publish_time=publish_time,
            paragraphs=tuple(paragraphs),
            attachments=attachments,
            block=block,
        )
        if doc_no and "号" in doc_no:
            self.numbered.append(doc)
        return doc

    def _index_no(self, rng: random.Random, agency: Agency, year: int) -> str:
        key = (agency.name, year)
        serial = self.index_serial.get(key, rng.randint(0, 300)) + rng.randint(1, 9)
        self.index_serial[key] = serial
        width_style = int(agency.org_code) % 2
        shown = f"{200000 + serial}" if width_style else f"{serial:05d}"
        return f"{make_uscc(agency.org_code)}/{year}-{shown}"

    def _doc_no(self, rng: random.Random, agency: Agency, kind: text.Kind, year: int) -> str | None:
        if not kind.numbered:
            return None if rng.random() < 0.5 else "无"
        if rng.random() < 0.05:
            return "无"
        prefix = agency.doc_prefix
        if kind.name == "批复":
            prefix = prefix[:-1] + "函" if prefix.endswith("发") else prefix + "函"
        key = (prefix, year)
        serial = self.doc_serial.get(key, 0) + rng.randint(1, 4)
        self.doc_serial[key] = serial
        if year < 2017 and rng.random() < 0.2:
            return f"{prefix}[{year}]{serial}号"
        return f"{prefix}〔{year}〕{serial}号"

    def _attachments(
        self, rng: random.Random, layout: str, column: Column, day: dt.date, theme: str
    ) -> tuple[DemoAttachment, ...]:
        kind = rng.choices(("pdf", "xlsx", "doc"), weights=(6, 3, 2))[0]
        # newer formats without another draw from rng, so the rest of the site stays as it was
        serial = day.toordinal() + len(theme)
        if kind == "pdf" and serial % 4 == 0:
            kind = "ofd"
        elif kind == "doc" and serial % 2 == 0:
            kind = "docx"
        name = {
            "pdf": f"{day.year}年{theme}工作方案.pdf",
            "ofd": f"{day.year}年{theme}部门预算.ofd",
            "xlsx": f"{day.year}年{theme}项目明细表.xlsx",
            "doc": f"{theme}申请表.doc",
            "docx": f"{theme}实施细则.docx",
        }[kind]
        if layout == HANWEB:
            token = f"{day:%y%m%d}{rng.randint(10**9, 10**10 - 1)}"
            path = f"/module/download/downfile.jsp?classid=0&filename={token}.{kind}"
            href = path
        else:
            file = f"W0{day:%Y%m%d}{rng.randint(10**11, 10**12 - 1)}.{kind}"
            path = f"/xxgk/{column.key}/{day:%Y%m}/{file}"
            href = f"./{file}"
        return (DemoAttachment(path=path, href=href, name=name, kind=kind),)


def _stratified_days(rng: random.Random, n: int, first: dt.date, last: dt.date) -> list[dt.date]:
    """One random day in each of n equal slices of the range: every year is covered, order is by date."""
    span = (last - first).days + 1
    days = []
    for i in range(n):
        lo = span * i // n
        hi = max(lo, span * (i + 1) // n - 1)
        days.append(first + dt.timedelta(days=rng.randint(lo, hi)))
    return days


def generate_documents(
    seed: int,
    n_docs: int,
    *,
    changed: Iterable[int] = (),
    removed: Iterable[int] = (),
    added: int = 0,
    habits: bool = False,
) -> list[DemoDoc]:
    """Base documents 0..n_docs-1 (dates 2015-01-01..2026-10-31), then `added` newer ones, then (with `habits`)
    the silent agency's monthly series; agency habits and switches applied."""
    from demosite import habits as agency_habits

    gen = _Generator()
    rng = random.Random(seed)
    docs = [gen.make(rng, i, day) for i, day in enumerate(_stratified_days(rng, n_docs, FIRST_DAY, LAST_DAY))]
    if added:
        add_rng = random.Random(f"{seed}:added")
        last = ADDED_FIRST_DAY + dt.timedelta(days=max(0, min(16, added - 1)))
        days = _stratified_days(add_rng, added, ADDED_FIRST_DAY, last)
        docs += [gen.make(add_rng, n_docs + i, day) for i, day in enumerate(days)]
    if habits:
        docs = agency_habits.apply_late(seed, docs)
        series_rng = random.Random(f"{seed}:series")
        agency, kind = agency_habits.series_agency_and_kind()
        for day in agency_habits.series_days(series_rng, agency_habits.silent_quarter(docs)):
            made = gen.make(series_rng, len(docs), day, agency=agency, kind=kind)
            docs.append(replace(made, habit="series"))
    return apply_switches(seed, docs, changed=changed, removed=removed)


def apply_switches(
    seed: int, docs: list[DemoDoc], *, changed: Iterable[int] = (), removed: Iterable[int] = ()
) -> list[DemoDoc]:
    """The documents with the `changed` ones in their second version and the `removed` ones marked removed."""
    docs = list(docs)
    for i in sorted(set(changed)):
        docs[i] = change_document(seed, docs[i])
    for i in sorted(set(removed)):
        docs[i] = replace(docs[i], status="removed")
    return docs


def change_document(seed: int, doc: DemoDoc) -> DemoDoc:
    """The second version of a document: new body text and a different 信息来源; URL and title stay."""
    rng = random.Random(f"{seed}:changed:{doc.index}")
    agency = next(a for a in AGENCIES if a.name == doc.agency)
    theme = rng.choice(THEMES[doc.topic])
    year = int(doc.publish_date[:4])
    paragraphs = text.make_body(
        rng,
        kind=doc.kind,
        title=doc.title,
        agency=agency,
        topic=doc.topic,
        theme=theme,
        year=year,
        written_date=doc.written_date,
        cite=None,
        has_banji=False,
        contact=None,
    )
    paragraphs.insert(1, f"（本文已于{text.cn_date(SWITCH_AT.date().isoformat())}修订。）")
    if doc.attachments:  # the revised text keeps its attachments, as a revised notice would
        sign = len(paragraphs) - 1 - paragraphs[::-1].index(agency.full_name)
        paragraphs.insert(sign, "附件：" + "、".join(a.name for a in doc.attachments))
    source = agency.office if doc.source == agency.name else agency.name
    return replace(doc, paragraphs=tuple(paragraphs), source=source, version=2)
