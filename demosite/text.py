"""Phrase banks and the prose builder of the demo site: government-style text written by this project.

Nothing here is copied from a real document: titles and paragraphs are assembled from short original phrases,
numbers, years and the names of a fictional city (青岚市), so that queries such as 公安, 法治政府, 枫桥, 医保,
垃圾分类 or 学前教育 each return a different set of documents. Every choice goes through the `random.Random`
passed in, so the same seed always writes the same text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from demosite.phrases import GENERAL, HEADINGS, MEASURES, OPENERS, PROBLEMS

CITY = "青岚市"
DISTRICTS: tuple[str, ...] = ("清溪区", "临江区", "云门区", "白沙县", "凤鸣县", "青岚经济技术开发区")
TOWNS: tuple[str, ...] = ("南塘镇", "北岸街道", "梅林镇", "石桥乡", "东渡街道", "杏花乡")
# Contact names; 镕 堃 喆 exist in GBK but not in GB2312, a trap for pages that declare gb2312.
CONTACTS: tuple[str, ...] = ("王镕", "李堃", "张喆", "陈立新", "周晓燕", "刘建国", "孙海涛", "赵雅琴")
GBK_ONLY_CONTACTS: frozenset[str] = frozenset({"王镕", "李堃", "张喆"})


@dataclass(frozen=True)
class Agency:
    name: str  # as the block shows it (发布机构)
    topic: str  # its usual 主题分类
    doc_prefix: str  # 机关代字 of its 发文字号
    org_code: str  # 8 digits; the check digit and the 18-character USCC are derived
    office: str  # the office that prints documents and is often the 信息来源

    @property
    def full_name(self) -> str:
        return CITY + self.name[1:]


AGENCIES: tuple[Agency, ...] = (
    Agency("市公安局", "公安", "岚公发", "00257750", "市公安局办公室"),
    Agency("市财政局", "财政", "岚财预", "00257761", "市财政局办公室"),
    Agency("市教育局", "教育", "岚教发", "00257783", "市教育局办公室"),
    Agency("市卫生健康委员会", "卫生健康", "岚卫发", "00257804", "市卫生健康委员会办公室"),
    Agency("市生态环境局", "生态环境", "岚环发", "00257826", "市生态环境局办公室"),
    Agency("市住房和城乡建设局", "城乡建设", "岚建发", "00257847", "市住房和城乡建设局办公室"),
    Agency("市交通运输局", "交通", "岚交发", "00257869", "市交通运输局办公室"),
    Agency("市市场监督管理局", "市场监管", "岚市监", "00257882", "市市场监督管理局办公室"),
    Agency("市人力资源和社会保障局", "劳动就业", "岚人社发", "00257905", "市人力资源和社会保障局办公室"),
    Agency("市人民政府办公室", "综合政务", "岚政办发", "00257920", "市府办"),
)

TOPICS: tuple[str, ...] = tuple(a.topic for a in AGENCIES)


@dataclass(frozen=True)
class Kind:
    name: str  # 文种
    group: str  # list column family: "policy", "report", "notice"
    weight: int
    numbered: bool  # carries a 发文字号


KINDS: tuple[Kind, ...] = (
    Kind("通知", "policy", 24, True),
    Kind("实施意见", "policy", 8, True),
    Kind("管理办法", "policy", 8, True),
    Kind("实施方案", "policy", 8, True),
    Kind("决定", "policy", 6, True),
    Kind("工作要点", "report", 6, True),
    Kind("工作报告", "report", 7, False),
    Kind("年度报告", "report", 12, False),
    Kind("公告", "notice", 13, False),
    Kind("批复", "notice", 8, True),
)


_SLOT = re.compile(r"\{(\w+)\}")


def _slot(rng: random.Random, name: str, theme: str, year: int) -> str:
    """A fresh value for each slot occurrence, so numbers in one sentence differ."""
    if name == "n":
        return str(rng.randint(2, 60))
    if name == "n3":
        return str(rng.randint(100, 999))
    if name == "n4":
        return str(rng.randint(1000, 98000))
    if name == "pct":
        return f"{rng.randint(3, 45)}.{rng.randint(0, 9)}%"
    if name == "pct2":
        return f"{rng.randint(85, 99)}.{rng.randint(0, 9)}%"
    if name == "money":
        return f"{rng.randint(120, 9800)}.{rng.randint(0, 9)}"
    if name == "money2":
        return f"{rng.randint(2, 90)}.{rng.randint(1, 9)}"
    if name == "small":
        return f"{rng.randint(1, 4)}.{rng.randint(1, 9)}"
    if name == "place":
        return rng.choice(DISTRICTS)
    if name == "town":
        return rng.choice(TOWNS)
    if name == "theme":
        return theme
    if name == "year":
        return str(year)
    raise KeyError(name)


def _fill(rng: random.Random, template: str, theme: str, year: int) -> str:
    return _SLOT.sub(lambda m: _slot(rng, m.group(1), theme, year), template)


def cn_date(iso: str) -> str:
    """2021-02-22 -> 2021年2月22日, the way documents sign off."""
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


NUMERALS = "一二三四五六七八九十"
LEADS: dict[str, str] = {
    "实施意见": "提出如下实施意见：",
    "管理办法": "制定本办法。",
    "实施方案": "制定本方案。",
    "决定": "决定如下：",
    "工作要点": "制定本工作要点。",
}
ORDINALS = ("一是", "二是", "三是", "四是")


def make_title(rng: random.Random, kind: str, agency: Agency, theme: str, year: int) -> str:
    """A full title in the usual pattern 发文机关 + 关于 + 事由 + 文种."""
    full = agency.full_name
    if kind == "通知":
        pattern = rng.choice(
            (
                "{a}关于印发《{c}{t}工作方案》的通知",
                "{a}关于做好{y}年{t}工作的通知",
                "{a}关于开展{t}专项行动的通知",
                "{a}关于进一步加强{t}工作的通知",
            )
        )
    elif kind == "实施意见":
        pattern = "{a}关于进一步加强{t}的实施意见"
    elif kind == "管理办法":
        pattern = rng.choice(("{c}{t}管理办法", "{c}{t}管理办法实施细则"))
    elif kind == "实施方案":
        pattern = "{c}{t}三年行动实施方案（{y}—{y2}年）"
    elif kind == "决定":
        pattern = rng.choice(
            ("{a}关于表彰{y0}年度{t}工作先进集体和先进个人的决定", "{a}关于废止部分{t}规范性文件的决定")
        )
    elif kind == "工作要点":
        pattern = "{c}{y}年{t}工作要点"
    elif kind == "工作报告":
        pattern = rng.choice(("{a}关于{y0}年{t}工作情况的报告", "{a}{y0}年工作总结和{y}年工作思路"))
    elif kind == "年度报告":
        pattern = rng.choice(("{a}{y0}年法治政府建设年度报告", "{a}{y0}年政府信息公开工作年度报告"))
    elif kind == "公告":
        pattern = rng.choice(("{a}关于{t}有关事项的公告", "{a}关于{y}年{t}项目的公示"))
    else:  # 批复
        pattern = "{a}关于{p}{t}项目实施方案的批复"
    if kind == "管理办法":
        theme = theme.removesuffix("管理")  # 道路交通安全管理 + 管理办法 would say 管理 twice
    return pattern.format(a=full, c=CITY, t=theme, y=year, y0=year - 1, y2=year + 2, p=rng.choice(DISTRICTS))


def make_body(
    rng: random.Random,
    *,
    kind: str,
    title: str,
    agency: Agency,
    topic: str,
    theme: str,
    year: int,
    written_date: str,
    cite: tuple[str, str] | None,
    has_banji: bool,
    contact: str | None,
) -> list[str]:
    """Paragraphs of plain text; the first is the salutation, the last ones sign off (and the 版记 if any).

    `cite` is (title, 文号) of another document of the site: quoted inside a sentence, where a parser must not
    take it for this document's own 文号.
    """
    paras: list[str] = []
    measures = list(MEASURES[topic])
    headings = list(HEADINGS[topic])
    general = list(GENERAL)
    rng.shuffle(measures)
    rng.shuffle(headings)
    rng.shuffle(general)

    def take() -> str:
        """The next measure sentence, mostly topical, never the same one twice in a document."""
        source = measures if measures and (rng.random() < 0.8 or not general) else general
        if not source:
            source = measures or general
        if not source:
            return "认真抓好各项工作落实，确保取得实效"
        return _fill(rng, source.pop(), theme, year)

    dept = agency.name == "市人民政府办公室"
    cited = f"《{cite[0]}》（{cite[1]}）" if cite else f"《{CITY}{theme}工作规则》"
    if kind == "批复":
        place = next((d for d in DISTRICTS if d in title), rng.choice(DISTRICTS))
        paras.append(f"{place}人民政府：" if place.endswith(("区", "县")) else f"{place}管委会：")
        paras.append(
            f"你单位《关于{place}{theme}项目实施方案的请示》（{place[:2]}政〔{year}〕{rng.randint(2, 60)}号）收悉。"
            f"经研究，现批复如下："
        )
        for i in range(rng.randint(2, 4)):
            paras.append(f"{NUMERALS[i]}、原则同意{take()}。")
        paras.append(f"请严格按照{cited}要求组织实施，加强资金管理，确保工程质量和安全。")
        paras.append("此复。")
    elif kind == "公告":
        paras.append(f"根据{cited}等有关规定，现将{year}年{theme}有关事项公告如下：")
        for i in range(rng.randint(2, 4)):
            paras.append(f"{NUMERALS[i]}、{take()}。")
        paras.append(f"公示期间，如有异议，请以书面形式向{agency.full_name}反映。")
        paras.append("特此公告。")
    elif kind == "年度报告" and "政府信息公开" in title:
        sections = (
            (
                "总体情况",
                f"{year - 1}年，{agency.full_name}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                + _fill(rng, "主动公开政府信息{n3}条，其中规范性文件{n}件，政策解读{n}篇。", theme, year),
            ),
            (
                "主动公开政府信息情况",
                _fill(
                    rng,
                    "通过政府门户网站发布信息{n3}条，政务新媒体发布{n3}条，召开新闻发布会{n}场。",
                    theme,
                    year,
                ),
            ),
            (
                "收到和处理政府信息公开申请情况",
                _fill(rng, "全年共收到政府信息公开申请{n}件，均在法定期限内予以答复。", theme, year),
            ),
            ("政府信息公开行政复议、行政诉讼情况", "全年未发生因政府信息公开引起的行政复议和行政诉讼案件。"),
            ("存在的主要问题及改进情况", rng.choice(PROBLEMS).format(theme=theme)),
            ("其他需要报告的事项", "本年度未收取信息处理费。"),
        )
        paras.append(
            f"本报告根据《中华人民共和国政府信息公开条例》要求编制，数据统计期限为{year - 1}年1月1日至12月31日。"
        )
        for i, (head, text) in enumerate(sections):
            paras.append(f"{NUMERALS[i]}、{head}")
            paras.append(text)
    else:
        if kind in ("工作报告", "年度报告"):
            paras.append("市委、市政府：")
            paras.append(
                f"{year - 1}年，{agency.full_name}在市委、市政府的坚强领导下，认真贯彻落实党中央、国务院和省委、省政府决策部署，"
                f"紧紧围绕{theme}中心工作，依法履职尽责，各项工作取得明显成效。现将有关情况报告如下："
            )
        else:
            target = (
                "各区、县（市）人民政府，市政府各部门、各直属单位："
                if dept
                else "各区、县（市）有关单位，局机关各处室、直属各单位："
            )
            paras.append(target)
            opener = _fill(rng, rng.choice(OPENERS), theme, year)
            paras.append(
                f"{opener}，根据{cited}等有关规定，结合我市实际，{LEADS.get(kind, '现将有关事项通知如下：')}"
            )
        n_sections = rng.randint(3, 5)
        for i in range(n_sections):
            heading = headings[i % len(headings)]
            parts = [f"{NUMERALS[i]}、{heading}。"]
            for j in range(rng.randint(2, 3)):
                parts.append(f"{ORDINALS[j]}{take()}。")
            paras.append("".join(parts))
        if kind in ("工作报告", "年度报告"):
            paras.append(f"{NUMERALS[n_sections]}、存在的问题和下一步工作打算")
            paras.append(
                rng.choice(PROBLEMS).format(theme=theme)
                + f"{year}年，我们将坚持问题导向，持续推进{theme}各项工作。"
            )
        elif kind == "管理办法":
            paras.append(f"本办法自{cn_date(written_date)}起施行，有效期{rng.choice((2, 3, 5))}年。")
        elif kind == "通知":
            paras.append("特此通知。")
    if contact:
        paras.append(f"联系人：{contact}，联系电话：0578-{rng.randint(2000000, 8999999)}。")
    paras.append(agency.full_name)
    paras.append(cn_date(written_date))
    if has_banji:
        paras.append("（此件公开发布）")
        paras.append("抄送：市委办公室，市人大常委会办公室，市政协办公室，市纪委市监委。")
        paras.append("公开方式：主动公开")
        printer = CITY + ("人民政府办公室" if agency.office == "市府办" else agency.office[1:])
        paras.append(f"{printer}　　{cn_date(written_date)}印发")
    return paras
