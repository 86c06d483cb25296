"""A generated catalogue: documents with every disclosure field, spread over categories, and their article pages.

Some documents are listed in two categories (a list source must still fetch them once), some article pages omit
their 文号 (the list's value must fill it) and some show another 发布机构 than the list (both kept, flagged).
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

CITY = "云溪市"
AGENCIES = (
    ("云溪市人民政府办公室", "云府办"),
    ("云溪市发展和改革委员会", "云发改"),
    ("云溪市教育局", "云教"),
    ("云溪市财政局", "云财"),
    ("云溪市生态环境局", "云环"),
    ("云溪市交通运输局", "云交"),
    ("云溪市卫生健康委员会", "云卫健"),
    ("云溪市市场监督管理局", "云市监"),
)
TOPICS = ("综合政务", "国民经济管理", "财政金融", "教育", "环境保护", "交通", "卫生健康", "市场监管")
ACTIONS = ("印发", "进一步加强", "做好", "开展", "公布", "调整", "推进", "规范")
SUBJECTS = (
    "中小企业纾困发展若干措施",
    "城乡生活垃圾分类工作",
    "学前教育普惠发展行动方案",
    "政府采购项目绩效评价",
    "重点河湖水质提升",
    "公共交通优先发展",
    "基层医疗卫生服务能力建设",
    "食品安全抽检计划",
    "安全生产专项整治",
    "政务服务事项清单",
    "老旧小区改造年度计划",
    "农村公路养护管理",
)
KINDS = ("通知", "实施意见", "办法", "方案", "公告", "批复")
PHRASES = (
    "各区人民政府，市政府各部门、各直属机构",
    "经市人民政府同意，现将有关事项通知如下",
    "坚持以人民为中心的发展思想",
    "统筹推进各项工作任务落实",
    "各责任单位要明确分工、压实责任",
    "加强部门协同和信息共享",
    "建立健全长效工作机制",
    "定期开展督促检查并通报进展情况",
    "所需经费按现行财政体制分级负担",
    "本文件自印发之日起施行",
    "执行中遇到的问题请及时向主管部门反映",
    "切实提高群众满意度和获得感",
)


@dataclass
class Doc:
    key: int
    title: str
    index_no: str
    agency: str
    doc_no: str
    topic: str
    written: str
    published: str
    paragraphs: tuple[str, ...]
    categories: list[str] = field(default_factory=list)
    page_lacks_doc_no: bool = False
    page_agency: str | None = None  # the article page's 发布机构 when it differs from the list's
    abolished: bool = False

    @property
    def shown_agency(self) -> str:
        return self.page_agency or self.agency

    def body_html(self) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)


def make_docs(seed: int, sizes: dict[str, int], cross: int = 0, index_prefix: str = "11530100") -> list[Doc]:
    """Documents for categories of the given sizes (`cross` of the first category's also in the last one)."""
    rng = random.Random(seed)
    docs: list[Doc] = []
    start = date(2019, 1, 1)
    numbers: dict[tuple[str, int], int] = {}
    for category, size in sizes.items():
        for _ in range(size):
            key = len(docs) + 1
            agency, abbr = rng.choice(AGENCIES)
            written = start + timedelta(days=rng.randrange(0, 1400))
            published = written + timedelta(days=rng.randrange(0, 9))
            number = numbers[(abbr, written.year)] = numbers.get((abbr, written.year), 0) + 1
            subject = rng.choice(SUBJECTS)
            title = f"{agency}关于{rng.choice(ACTIONS)}{CITY}{subject}的{rng.choice(KINDS)}"
            paragraphs = tuple(
                "，".join(rng.sample(PHRASES, 4)) + f"（第{key}号文件第{n + 1}段）。"
                for n in range(rng.randint(3, 5))
            )
            docs.append(
                Doc(
                    key=key,
                    title=title,
                    index_no=f"{index_prefix}/{written.year}-{key:05d}",
                    agency=agency,
                    doc_no=f"{abbr}〔{written.year}〕{number}号",
                    topic=rng.choice(TOPICS),
                    written=written.isoformat(),
                    published=published.isoformat(),
                    paragraphs=paragraphs,
                    categories=[category],
                    page_lacks_doc_no=key % 23 == 0,
                    page_agency=(f"{CITY}政务服务数据管理局" if key % 31 == 0 else None),
                    abolished=key % 41 == 0,
                )
            )
    names = list(sizes)
    for doc in [d for d in docs if d.categories == [names[0]]][:cross]:
        doc.categories.append(names[-1])
    return newest_first(docs)


def scaled(sizes: dict[str, int], scale: float) -> dict[str, int]:
    """Category sizes times `scale` (smaller catalogues for tests that only need the walk, not the volume)."""
    return {k: max(3, round(v * scale)) for k, v in sizes.items()}


def newest_first(docs: list[Doc]) -> list[Doc]:
    return sorted(docs, key=lambda d: (d.published, d.key), reverse=True)


def in_category(docs: list[Doc], category: str) -> list[Doc]:
    return [d for d in docs if category in d.categories]


def page_html(title: str, block: str, body: str, *, head: str = "", charset: str = "utf-8") -> str:
    """An article page with the portal furniture around its block and body."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{html.escape(title)}_{CITY}人民政府门户网站'
        f'</title>{head}</head><body><div class="header"><a href="/">首页</a> <span>信息公开</span>'
        f'</div><div class="main">{block}<div class="content">{body}</div></div>'
        f'<div class="footer">主办：{CITY}人民政府办公室 网站标识码 5301000001</div></body></html>'
    )


def block_rows(pairs: list[tuple[str, str]], *, label_tag: str = "th") -> str:
    """A two-pairs-per-row label/value table."""
    cells = [f"<{label_tag}>{html.escape(k)}：</{label_tag}><td>{html.escape(v)}</td>" for k, v in pairs]
    rows = ["<tr>" + "".join(cells[i : i + 2]) + "</tr>" for i in range(0, len(cells), 2)]
    return "".join(rows)
