"""A real archive + index for the web tests: pages recorded as Exchanges, documents upserted, a Whoosh index built.

Shared by tests/unit/web and tests/browser (the browser conftest loads this file by path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from archive import Archive, Attachment, Capture, DataDir, Exchange, Parsed
from index import IndexSettings, update_index

AGENCIES = ("市公安局", "市教育局", "市交通运输局", "市财政局")
TOPICS = ("公安", "教育", "交通", "财政")
PHRASES = (
    "推进法治政府建设，严格规范公正文明执法。",
    "坚持和发展新时代枫桥经验，化解基层矛盾纠纷。",
    "做好义务教育阶段招生入学工作，保障适龄儿童入学。",
    "加快综合交通运输体系建设，提升公路养护水平。",
    "加强预算绩效管理，提高财政资金使用效益。",
)


@dataclass
class Page:
    """One archived document page (and its later versions)."""

    key: str
    url: str
    parsed: Parsed
    html: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    charset: str | None = "utf-8"
    later: list[Parsed] = field(default_factory=list)
    removed: bool = False
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # (url, content type, bytes)


@dataclass
class Corpus:
    data_dir: DataDir
    index_settings: IndexSettings
    ids: dict[str, str]  # page key -> doc_id
    captures: dict[str, int]  # page key -> current capture id (and attachment url -> capture id)


def page_html(parsed: Parsed, extra: str = "") -> bytes:
    """A disclosure page in the seed page's shape (the web never parses it; the raw origin serves it)."""
    rows = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in parsed.raw_fields)
    text = "".join(f"<p>{p}</p>" for p in parsed.body.split("\n"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>"
        f"<table class='xxgk'>{rows}</table><div id='zoom'>{text}</div>{extra}</body></html>"
    ).encode()


def make_parsed(
    title: str,
    agency: str,
    topic: str,
    publish_date: str,
    body: str,
    *,
    doc_no: str | None = None,
    index_no: str | None = None,
    written_date: str | None = None,
    source: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> Parsed:
    raw = [("索引号", index_no), ("发布机构", agency), ("成文日期", written_date), ("主题分类", topic)]
    raw += [("发文字号", doc_no), ("发布日期", publish_date)]
    return Parsed(
        title=title,
        index_no=index_no,
        agency=agency,
        topic=topic,
        doc_no=doc_no,
        disclosure="主动公开",
        source=source,
        written_date=written_date,
        publish_date=publish_date,
        body=body,
        attachments=tuple(attachments),
        raw_fields=tuple((label, value) for label, value in raw if value),
        charset="utf-8",
    )


def standard_pages(today: dt.date) -> list[Page]:
    """24 ordinary documents over 2015-2026, plus recent, versioned, removed, attachment and GBK cases."""
    pages: list[Page] = []
    for i in range(24):
        agency, topic = AGENCIES[i % 4], TOPICS[(i // 2) % 4]
        year = 2015 + (i % 12)
        date = f"{year}-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}"
        body = "\n".join([PHRASES[i % 5], PHRASES[(i + 2) % 5], f"本文件编号第{i}号，自发布之日起施行。"])
        parsed = make_parsed(
            f"关于第{i}项工作的通知{agency}",
            agency,
            topic,
            date,
            body,
            doc_no=f"绍市政发〔{year}〕{i + 1}号",
            index_no=f"11330600002{i:05d}/{year}-{i:05d}",
            written_date=date,
        )
        pages.append(Page(f"doc{i}", f"http://gov.example/art/{year}/art_{i}.html", parsed))
    recent = (today - dt.timedelta(days=5)).isoformat()
    pages.append(
        Page(
            "recent",
            "http://gov.example/art/recent.html",
            make_parsed(
                "近期发布的枫桥经验通知", "市公安局", "公安", recent, PHRASES[1], doc_no="绍市公通〔2026〕9号"
            ),
        )
    )
    v1 = make_parsed(
        "版本测试文件",
        "市财政局",
        "财政",
        "2022-03-01",
        "第一段不变。\n原来的第二段。",
        doc_no="绍财〔2022〕1号",
    )
    v2 = make_parsed(
        "版本测试文件",
        "市财政局",
        "财政",
        "2022-03-01",
        "第一段不变。\n修改后的第二段。",
        doc_no="绍财〔2022〕2号",
    )
    pages.append(Page("versioned", "http://gov.example/art/versioned.html", v1, later=[v2]))
    pages.append(
        Page(
            "removed",
            "http://gov.example/art/removed.html",
            make_parsed("已删除的公告", "市教育局", "教育", "2019-05-05", PHRASES[2]),
            removed=True,
        )
    )
    pdf_url = "http://gov.example/module/download/downfile.jsp?classid=0&filename=" + quote("预算表.pdf")
    pages.append(
        Page(
            "attach",
            "http://gov.example/art/attach.html",
            make_parsed(
                "带附件的预算公开",
                "市财政局",
                "财政",
                "2021-06-06",
                PHRASES[4],
                attachments=[Attachment(pdf_url, "预算表.pdf")],
            ),
            attachments=[(pdf_url, "application/pdf", b"%PDF-1.4\n% gongkai test\n")],
        )
    )
    gbk = make_parsed("镕堃喆编码测试", "市交通运输局", "交通", "2020-02-02", "国标扩展字符：镕 堃 喆。")
    pages.append(
        Page(
            "gbk",
            "http://gov.example/xxgk/t20200202_1.html",
            gbk,
            html=(
                "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'></head>"
                "<body><p>国标扩展字符：镕 堃 喆。</p></body></html>"
            ).encode("gbk"),
            content_type="text/html",
            charset="gbk",
        )
    )
    return pages


def xss_pages(payloads: Sequence[str]) -> list[Page]:
    """One document per payload, with the payload in every stored field (and in the page itself)."""
    pages = []
    for i, p in enumerate(payloads):
        parsed = Parsed(
            title=f"跨站测试{i} {p}",
            index_no=f"XSS-{i}-{p}",
            agency=f"测试机构{i % 3}{p}" if i % 2 else "市公安局",
            topic=f"专题{p}" if i % 3 == 0 else "公安",
            doc_no=f"测〔2024〕{i}号{p}",
            disclosure=p,
            source=p,
            written_date="2024-01-01",
            publish_date="2024-01-02",
            body=f"跨站测试 {p}\n第二段 {p} 法治政府",
            attachments=(Attachment(p if i % 2 else f"http://gov.example/{p}.pdf", p),),
            raw_fields=(("索引号", p), (p, "值"), ("发布机构", p)),
            charset="utf-8",
        )
        pages.append(Page(f"xss{i}", f"http://gov.example/xss/{i}.html?q={quote(p)}", parsed))
    return pages


def _exchange(url: str, body: bytes, content_type: str, at: str, status: int = 200) -> Exchange:
    return Exchange(
        url=url,
        final_url=url,
        started_at=at,
        status=status,
        reason="OK" if status == 200 else "Not Found",
        request_headers=(("User-Agent", "gongkai-test"),),
        response_headers=(("Content-Type", content_type), ("Content-Length", str(len(body)))),
        wire_body=body,
        content=body,
    )


def build_corpus(
    root: Path,
    pages: Sequence[Page],
    *,
    on_archive: Callable[[Archive], None] | None = None,
) -> Corpus:
    data_dir = DataDir(root).ensure()
    index_settings = IndexSettings()
    ids: dict[str, str] = {}
    captures: dict[str, int] = {}
    clock = dt.datetime(2026, 1, 1, 8, 0, 0)

    def tick() -> str:
        nonlocal clock
        clock += dt.timedelta(minutes=1)
        return clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    archive = Archive.open(data_dir)
    try:
        for page in pages:
            html = page.html or page_html(page.parsed)
            capture: Capture = archive.record(
                _exchange(page.url, html, page.content_type, tick()),
                kind="document",
                reason=None,
                charset=page.charset,
            )
            ids[page.key] = archive.upsert_document(capture, page.parsed, page.url).doc_id
            captures[page.key] = capture.capture_id
            for later in page.later:
                capture = archive.record(
                    _exchange(page.url, page_html(later), page.content_type, tick()),
                    kind="document",
                    reason=None,
                    charset=page.charset,
                )
                archive.upsert_document(capture, later, page.url)
                captures[page.key] = capture.capture_id
            for url, ctype, data in page.attachments:
                att = archive.record(
                    _exchange(url, data, ctype, tick()), kind="attachment", reason=None, charset=None
                )
                captures[url] = att.capture_id
            if page.removed:
                for _ in range(2):
                    gone = archive.record(
                        _exchange(page.url, b"not found", "text/html", tick(), status=404),
                        kind="error",
                        reason="not_found",
                        charset=None,
                    )
                    archive.record_check(page.url, gone)
        if on_archive is not None:
            on_archive(archive)
        update_index(archive.catalogue, data_dir.index_dir, index_settings)
    finally:
        archive.close()
    return Corpus(data_dir=data_dir, index_settings=index_settings, ids=ids, captures=captures)
