"""Property tests (docs/TESTPLAN.md C12, F tier): generated and mutated pages through decode and parse.

2,000 pages per run: 900 generated from label/layout building blocks, 900 mutations of the fixture pages
and 200 arbitrary byte strings, plus a few pathological shapes. No exception may escape and every result keeps
the record's invariants. Speed is not asserted here: bench/parse_bench.py times the pathological shapes against a
plain page of the same size. Runs are derandomized, so a failure reproduces.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Parsed
from crawler.decode import decode_html
from crawler.extract import looks_binary, parse_page
from crawler.labels import LABEL_TO_FIELD

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.html"))]
FUZZ = settings(
    max_examples=900,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PADS = ["", " ", "\u00a0", "\u2002", "\u3000", "&nbsp;", "&ensp;", "\t"]
COLONS = ["", "：", ":", " : ", "]", "】"]
TAGS = [
    "td",
    "li",
    "dd",
    "dt",
    "div",
    "p",
    "span",
    "b",
    "label",
    "font",
    "th",
    "tr",
    "table",
    "ul",
    "ol",
    "dl",
]
CHARSETS = ["utf-8", "gbk", "gb2312", "gb18030", "iso-8859-1", "big5", "utf-16", "bogus", "UTF8"]


NOISE = [
    "<script>var x='索引号：1';</script>", "<style>p{}</style>", "<!-- c -->", "<br>", "<hr/>", "&amp;", "&#x3000;",
    "<a href='a.pdf'>附件</a>", "<a href=\"/d?fileName=x.WPS\">x</a>", "<iframe src='v?file=y.pdf'>", "<![CDATA[x]]>",
    "<span onclick=\"downloadFj('a.doc','/a.doc')\">a</span>", "<base href='//h.gov.cn/'>", "</div></td></tr>", "<",
    "<meta name='PubDate' content='2021-02-30 25:61'>", "<meta charset='gbk'>", "<?xml encoding='utf-8'?>", "\x00",
]  # fmt: skip


FIXED_VALUES = [
    "000014349/2021-00001",
    "国办发〔2018〕128号",
    "2021年02月26日",
    "无",
    "--",
    "",
    "：",
    "主动公开",
]
LABELS = sorted(LABEL_TO_FIELD)
CONTAINERS = ["div id='zoom'", "div class='TRS_Editor'", "td id='UCAP-CONTENT'", "div", "section"]


def _labelled(rnd: random.Random, values: list[str]) -> str:
    label = rnd.choice(LABELS)
    shown = rnd.choice(PADS).join(label) if rnd.random() < 0.5 else label
    if rnd.random() < 0.3:
        shown = "[" + shown
    tag = rnd.choice(TAGS)
    value = rnd.choice(values)
    colon = rnd.choice(COLONS)
    if rnd.random() < 0.5:
        return f"<{tag}>{shown}{colon}</{tag}><{tag}>{value}</{tag}>"
    closing = f"</{tag}>" if rnd.random() < 0.5 else ""  # unclosed tags are part of the wild
    return f"<{tag}><b>{shown}{colon}</b>{value}{closing}"


@st.composite
def generated_page(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """Building blocks picked by a Hypothesis-controlled Random (fast), free text drawn by Hypothesis."""
    rnd = draw(st.randoms(use_true_random=False))
    free = draw(st.lists(st.text(max_size=40), min_size=1, max_size=3))
    values = FIXED_VALUES + free
    parts = [
        _labelled(rnd, values) if rnd.random() < 0.6 else rnd.choice(NOISE) for _ in range(rnd.randint(0, 16))
    ]
    charset = rnd.choice(CHARSETS)
    container = rnd.choice(CONTAINERS)
    text = (
        f"<html><head><meta http-equiv='Content-Type' content='text/html; charset={charset}'>"
        f"<title>{rnd.choice(values)}</title></head><body>{''.join(parts)}<{container}>{rnd.choice(free)}"
        f"</{container.split()[0]}></body></html>"
    )
    raw = text.encode(rnd.choice(["utf-8", "gb18030", "utf-16", "utf-8-sig"]), errors="replace")
    header = rnd.choice([None, "text/html", f"text/html; charset={charset}", "text/html; charset="])
    return raw, header


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete", "dup", "truncate"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(max_size=64))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 512))]
        elif kind == "dup":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 2048))]
        elif kind == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = draw(
                st.sampled_from([b"<table>", b"</td>", b"<li>[", b"\xef\xbb\xbf", b"<div>" * 300])
            )
    return bytes(data)


def _run(raw: bytes, content_type: str | None = None) -> Parsed:
    decoded = decode_html(raw, content_type)
    parsed = parse_page(raw, "http://www.example.gov.cn/art/2021/2/26/art_1_2.html", content_type)
    looks_binary(raw)
    assert isinstance(decoded.text, str)
    assert parsed.charset
    for value in parsed.field_values().values():
        assert value is None or (isinstance(value, str) and value != "")
    assert all(isinstance(label, str) and isinstance(value, str) for label, value in parsed.raw_fields)
    return parsed


@FUZZ
@given(generated_page())
def test_generated_pages_never_raise(page: tuple[bytes, str | None]) -> None:
    raw, header = page
    _run(raw, header)


@FUZZ
@given(mutated_page())
def test_mutated_fixture_pages_never_raise(raw: bytes) -> None:
    _run(raw)


@settings(FUZZ, max_examples=200)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _run(raw)


PATHOLOGICAL = {
    "nested_title_wrappers": '<span class="title">' * 250 + "字" * 50_000 + "</span>" * 250,
    "nested_content_wrappers": '<div class="content">' * 250
    + "<p>"
    + "字" * 50_000
    + "</p>"
    + "</div>" * 250,
    "thousands_of_labels": "<ul>" + "<li>索引号：123</li>" * 5_000 + "</ul>",
    "one_line_of_labels": "<p>" + "发布日期：2021-01-01 " * 10_000 + "</p>",
    "vertical_label_rows": "<table>" + "<tr><td>索引号</td><td>文号</td></tr>" * 2_000 + "</table>",
    "repeated_title_markers": "<!--<$[标题]>begin-->" * 20_000,
    "onclick_literals": "".join(
        f"<span onclick=\"downloadFj('a{i}.doc','/a{i}.doc')\">a</span>" for i in range(5_000)
    ),
    "open_brackets": "[" * 200_000,
    "deep_nesting": "<div>" * 100_000 + "<p>索引号：1</p>" + "</div>" * 100_000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_shapes_stay_bounded(name: str) -> None:
    """Shapes that made naive versions quadratic (per-hit slicing, unbounded regex scans, nested wrappers)."""
    raw = f"<html><head><title>t</title></head><body>{PATHOLOGICAL[name]}</body></html>".encode()
    _run(raw)
