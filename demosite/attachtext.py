"""What the demo site's attachments say: a budget or work plan with a 文号, paragraphs and a table, generated
from a label, so the same label always gives the same text. It is the ground truth of the attachment tests:
every piece of text here must come back out of the rendered file at its page or sheet.

Pieces are written the way an extractor is expected to return them (no spaces inside Chinese text). Renderers
(attachfiles.py) wrap long pieces across lines, and only between two Chinese characters or a Chinese character
and a digit, the places where a line break is layout and not a word break.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

_UNITS = (
    "青岚市财政局",
    "青岚市教育局",
    "青岚市卫生健康委员会",
    "清溪区人民政府",
    "临江区交通运输局",
    "白沙县农业农村局",
)
_PREFIX = ("岚财预", "岚教发", "岚卫健", "清政办", "临交发", "白农函", "穗府办")
_ITEMS = (
    "一般公共预算收入",
    "政府性基金预算收入",
    "教育支出",
    "社会保障和就业支出",
    "卫生健康支出",
    "节能环保支出",
    "城乡社区支出",
    "农林水支出",
    "交通运输支出",
    "住房保障支出",
    "债务付息支出",
    "“三公”经费",
)
_SENTENCES = (
    "坚持以人民为中心的发展思想，统筹推进{topic}各项工作",
    "严格执行预算法和政府信息公开条例，按规定公开部门预决算",
    "{year}年全市{topic}经费安排{amount}万元，较上年增长{rate}%",
    "各单位要压实主体责任，确保资金使用安全规范高效",
    "本方案自印发之日起施行，由{unit}负责解释",
    "重点保障枫桥式基层治理、学前教育普惠扩容和医保基金监管",
    "对照年度目标逐项梳理完成情况，形成问题清单和整改台账",
)
_TOPICS = ("部门预算", "财政决算", "乡村振兴", "公共卫生", "学前教育", "交通建设", "生态环境")


@dataclass(frozen=True)
class Content:
    """One attachment's text. `pages` for PDF and OFD (page i+1), `sheets` for workbooks, `paragraphs` and
    `table` for word-processor files; `pieces()` says where each piece must be found."""

    title: str
    doc_no: str
    paragraphs: tuple[str, ...]
    table: tuple[tuple[str, ...], ...]  # header row first
    pages: tuple[tuple[str, ...], ...]
    sheets: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]

    def pieces(self, kind: str) -> list[tuple[int | str | None, str]]:
        """(page number, sheet name or None for a whole file, text) of every piece the file must give back."""
        if kind in ("pdf", "ofd"):
            return [(i + 1, piece) for i, page in enumerate(self.pages) for piece in page]
        if kind in ("xlsx", "xls", "et", "ods"):
            return [(name, cell) for name, rows in self.sheets for row in rows for cell in row if cell]
        whole: list[tuple[int | str | None, str]] = [
            (None, p) for p in (self.title, self.doc_no, *self.paragraphs)
        ]
        return whole + [(None, cell) for row in self.table for cell in row if cell]


def _rng(label: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(label.encode("utf-8")).digest()[:8], "big"))


def make_content(label: str) -> Content:
    rng = _rng(label)
    year = rng.randint(2016, 2025)
    topic = rng.choice(_TOPICS)
    unit = rng.choice(_UNITS)
    doc_no = f"{rng.choice(_PREFIX)}〔{year}〕{rng.randint(1, 180)}号"
    title = f"{unit}{year}年{topic}公开说明（{label}）"
    paragraphs = []
    for template in rng.sample(_SENTENCES, k=4):
        paragraphs.append(
            template.format(
                topic=topic, year=year, unit=unit, amount=rng.randint(120, 98000), rate=rng.randint(1, 30)
            )
            + "。"
        )
    paragraphs.insert(1, f"根据《关于做好{year}年{topic}工作的通知》（{doc_no}）要求，现将有关情况说明如下。")
    items = rng.sample(_ITEMS, k=5)
    header = ("项目名称", "预算数（万元）", "备注")
    rows = [header] + [
        (
            item,
            f"{rng.randint(10, 90000)}.{rng.randint(1, 9)}",
            rng.choice(("同比持平", "新增项目", "压减一般性支出", "")),
        )
        for item in items
    ]
    table = tuple(tuple(r) for r in rows)
    pages = (
        (title, doc_no, *paragraphs[:3]),
        (*paragraphs[3:], *("".join(c for c in row if c) for row in table[1:])),
    )
    income = (("收入项目", "金额"), *((r[0], r[1]) for r in table[1:3]))
    spend = (("支出项目", "金额", "说明"), *table[3:], ("文号", doc_no, title))
    sheets = (("收入预算", income), (f"{year}年支出", spend))
    return Content(title, doc_no, tuple(paragraphs), table, pages, sheets)
