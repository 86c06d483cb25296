"""parse_page on the project's own fixture pages (layouts the real pages lack) and on focused cases."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from archive.identifiers import doc_no_key
from crawler.extract import looks_binary, parse_page
from crawler.labels import FIELD_LABELS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
EXPECTED = sorted(FIXTURES.glob("*.expected.json"))


def _page(
    block: str, body: str = "<p>正文第一段，内容足够长，用于测试正文提取。</p>", head: str = ""
) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}<title>页面标题 - 测试网站</title></head>'
        f'<body><div class="nav"><a href="/">首页</a></div>{block}<div id="zoom">{body}</div>'
        '<div class="footer">版权所有 测试网站</div></body></html>'
    ).encode()


def test_fixture_pages_exist_for_every_layout() -> None:
    names = {p.name.removesuffix(".expected.json") for p in EXPECTED}
    assert {"beijing_ol_li", "wuhan_div_sub", "govcn_full", "zhejiang_xxgktab", "jiangxi_b_cells", "suzhou_dl",
            "gbk_trs", "sichuan_runtogether", "no_block"} <= names  # fmt: skip


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_fixture_page_fields(expected_path: Path) -> None:
    expected: dict[str, Any] = json.loads(expected_path.read_text(encoding="utf-8"))
    raw = expected_path.with_name(expected_path.name.replace(".expected.json", ".html")).read_bytes()
    parsed = parse_page(raw, expected["url"], expected.get("content_type"))
    assert {k: getattr(parsed, k) for k in expected["fields"]} == expected["fields"]
    assert [{"url": a.url, "name": a.name} for a in parsed.attachments] == expected["attachments"]
    for text in expected.get("body_contains", []):
        assert text in parsed.body
    for text in expected.get("body_lacks", []):
        assert text not in parsed.body
    for flag in expected.get("flags_present", []):
        assert flag in parsed.flags
    for flag in expected.get("flags_absent", []):
        assert flag not in parsed.flags
    if "co_agencies" in expected:
        assert list(parsed.co_agencies) == expected["co_agencies"]
    if "charset" in expected:
        assert parsed.charset == expected["charset"]
    if "doc_no_key" in expected:
        assert parsed.doc_no is not None and doc_no_key(parsed.doc_no) == expected["doc_no_key"]
    for pair in expected.get("raw_fields_include", []):
        assert tuple(pair) in parsed.raw_fields
    assert "\ufffd" not in parsed.body


# --- labels and layouts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "索引号",
        "索 引 号",
        "索\u00a0\u00a0引\u00a0\u00a0号",
        "索\u2002引\u2002号",
        "索\u3000引\u3000号",
        "[索引号]",
        "【索引号】",
        "索引號",
    ],
)
@pytest.mark.parametrize("colon", ["：", ":", " : "])
def test_padded_label_variants_all_read(label: str, colon: str) -> None:
    block = f"<table><tr><td>{label}{colon}</td><td>000014349/2017-00110</td><td>发布机构：</td><td>测试局</td></tr></table>"
    parsed = parse_page(_page(block))
    assert parsed.index_no == "000014349/2017-00110"
    assert parsed.agency == "测试局"


@pytest.mark.parametrize(
    ("field", "label"), [(f, lab) for f, labels in FIELD_LABELS.items() for lab in labels]
)
def test_every_label_variant_maps_to_its_field(field: str, label: str) -> None:
    value = {"written_date": "2021-02-26", "publish_date": "2021-02-26"}.get(field, "测试值甲乙")
    context = [
        ("索引号", "index_no", "000014349/2021-00001"),
        ("公开方式", "disclosure", "主动公开"),
        ("发布机构", "agency", "测试局"),
    ]
    items = "".join([f"<li>{lab}：{val}</li>" for lab, f, val in context if f != field][:2])
    block = f"<ul>{items}<li>{label}：{value}</li></ul>"
    parsed = parse_page(_page(block))
    assert getattr(parsed, field) == value
    assert (label, value) in parsed.raw_fields


def test_label_and_value_in_one_cell_two_pairs_per_row() -> None:
    block = (
        "<table><tr><td><b>索引号：</b>000014349/2021-00001</td><td><b>发文字号：</b>国办发〔2021〕3号</td></tr>"
        "<tr><td><b>成文日期：</b>2021年02月20日</td><td><b>主题分类：</b>综合政务\\其他</td></tr></table>"
    )
    parsed = parse_page(_page(block))
    assert (parsed.index_no, parsed.doc_no) == ("000014349/2021-00001", "国办发〔2021〕3号")
    assert (parsed.written_date, parsed.topic) == ("2021-02-20", "综合政务\\其他")


def test_one_text_line_with_several_labels() -> None:
    parsed = parse_page(_page("<div>索引号: 000014349/2021-00009 公开方式: 主动公开 发布机构: 测试厅</div>"))
    assert (parsed.index_no, parsed.disclosure, parsed.agency) == (
        "000014349/2021-00009",
        "主动公开",
        "测试厅",
    )


@pytest.mark.parametrize(
    "block",
    [
        "<ul><li><span>索引号</span><span>000014349/2021-00012</span></li><li><span>发布机构</span><em>测试局</em></li></ul>",
        "<table><tr><td><strong>索引号</strong>000014349/2021-00012</td><td><strong>发布机构</strong>测试局</td></tr></table>",
        "<div><b>索引号</b> 000014349/2021-00012 <b>发布机构</b> 测试局</div>",
        "<div><p>索引号\u3000000014349/2021-00012</p><p>发布机构　测试局</p></div>",
    ],
)
def test_labels_without_colon_marked_by_markup_or_spacing(block: str) -> None:
    parsed = parse_page(_page(block))
    assert (parsed.index_no, parsed.agency) == ("000014349/2021-00012", "测试局")


def test_vertical_table_labels_over_values() -> None:
    block = (
        "<table><tr><th>索引号</th><th>发文字号</th><th>发布日期</th></tr>"
        "<tr><td>000014349/2021-00013</td><td>测发〔2021〕2号</td><td>2021-03-01</td></tr></table>"
    )
    parsed = parse_page(_page(block))
    assert (parsed.index_no, parsed.doc_no, parsed.publish_date) == (
        "000014349/2021-00013",
        "测发〔2021〕2号",
        "2021-03-01",
    )


def test_labels_inside_sentences_are_not_labels() -> None:
    parsed = parse_page(_page("<p>本机构发布机构改革方案，索引号码另行公布。</p><p>单位名称：某某</p>"))
    assert "no_metadata_block" in parsed.flags
    assert parsed.title == "页面标题"


def test_wu_is_literal_and_blank_values_are_null() -> None:
    block = (
        "<table><tr><td>索引号</td><td>000014349/2021-00002</td><td>发文字号</td><td>无</td></tr>"
        "<tr><td>主题分类</td><td>--</td><td>成文日期</td><td></td></tr>"
        "<tr><td>公开方式：</td><td>：</td><td>发布机构</td><td>测试局</td></tr></table>"
    )
    parsed = parse_page(_page(block))
    assert parsed.doc_no == "无"
    assert (parsed.topic, parsed.written_date, parsed.disclosure) == (None, None, None)
    assert parsed.agency == "测试局"  # a blank value never takes the next label's value


def test_only_the_header_block_is_read_never_the_body() -> None:
    block = "<ul><li>索引号：000014349/2021-00003</li><li>发布机构：测试局</li></ul>"
    body = (
        "<p>根据《测试办法》（国办发〔2019〕15号）要求，现通知如下。</p><p>正文内容。</p>"
        "<p>公开方式：依申请公开</p><p>发文字号：测发〔2000〕1号</p><p>印发日期：2000年1月1日</p>"
    )
    parsed = parse_page(_page(block, body))
    assert parsed.doc_no is None
    assert parsed.disclosure is None
    assert parsed.written_date is None
    assert all(label != "发文字号" for label, _ in parsed.raw_fields)


def test_an_empty_twin_of_the_block_loses_to_the_filled_one() -> None:
    empty = '<div class="m-only" style="display:none"><p>索引号：</p><p>发布机构：</p><p>成文日期：</p></div>'
    filled = (
        "<table><tr><td>索引号</td><td>000014349/2021-00016</td><td>发布机构</td><td>测试局</td></tr></table>"
    )
    spacer = "".join(f"<p>导航{i}</p>" for i in range(12))
    parsed = parse_page(_page(empty + spacer + filled))
    assert (parsed.index_no, parsed.agency) == ("000014349/2021-00016", "测试局")


def test_doc_no_on_a_standalone_line_at_the_top_of_the_body_without_a_block() -> None:
    body = "<p>测试局关于示范工作的通知</p><p>测发〔2020〕7号</p><p>各单位：根据（国发〔2019〕1号）文件，现通知如下。</p>"
    parsed = parse_page(_page("", body))
    assert parsed.doc_no == "测发〔2020〕7号"
    assert "doc_no_from_body" in parsed.flags
    assert "no_metadata_block" in parsed.flags


def test_doc_no_on_its_own_line_above_the_body() -> None:
    block = '<h1>测试厅关于示范工作的通知</h1><div class="rules_tit1">闽测〔2020〕12号</div>'
    parsed = parse_page(_page(block))
    assert parsed.doc_no == "闽测〔2020〕12号"


def test_joint_issuers_go_to_co_agencies() -> None:
    parsed = parse_page(
        _page("<ul><li>索引号：000014349/2021-00004</li><li>发文机关：甲部、乙局、丙委</li></ul>")
    )
    assert parsed.agency == "甲部、乙局、丙委"
    assert parsed.co_agencies == ("甲部", "乙局", "丙委")


def test_joint_issuer_label_adds_to_co_agencies() -> None:
    block = "<ul><li>索引号：000014349/2021-00014</li><li>发布机构：甲部</li><li>联合发文单位：乙局、丙委</li></ul>"
    parsed = parse_page(_page(block))
    assert parsed.agency == "甲部"
    assert parsed.co_agencies == ("甲部", "乙局", "丙委")


def test_topic_is_never_split_on_enumeration_comma() -> None:
    parsed = parse_page(_page("<ul><li>索引号：000014349/2021-00005</li><li>主题分类：工业、交通</li></ul>"))
    assert parsed.topic == "工业、交通"
    assert parsed.co_agencies == ()


# --- fallbacks: meta tags, byline, headings, <title> -------------------------------------------------------


def test_meta_tags_are_case_insensitive_and_http_equiv_pubdate_counts() -> None:
    head = (
        '<META NAME="articletitle" CONTENT="元标签里的完整标题">'
        '<meta http-equiv="PubDate" content="2020-05-06"><meta name="ContentSource" content="测试办">'
    )
    parsed = parse_page(_page("", head=head))
    assert parsed.title == "元标签里的完整标题"
    assert parsed.publish_date == "2020-05-06"
    assert parsed.source == "测试办"
    assert "publish_date_from_meta" in parsed.flags
    assert "no_metadata_block" in parsed.flags


def test_visible_date_beats_meta_date_and_the_disagreement_is_flagged() -> None:
    head = '<meta name="PubDate" content="2022-04-24 10:00:43">'
    block = '<div class="info">发布日期：2017-05-15 10:49:00</div>'
    parsed = parse_page(_page(block, head=head))
    assert parsed.publish_date == "2017-05-15"
    assert parsed.publish_at == "2017-05-15T10:49:00+08:00"
    assert "dates_disagree" in parsed.flags


def test_meta_midnight_is_no_time() -> None:
    parsed = parse_page(_page("", head='<meta name="PubDate" content="2020-02-03 00:00">'))
    assert (parsed.publish_date, parsed.publish_at) == ("2020-02-03", None)


def test_title_from_title_tag_minus_site_suffix_is_flagged() -> None:
    raw = b"<html><head><title>\xe5\x85\xb3\xe4\xba\x8e\xe6\xb5\x8b\xe8\xaf\x95\xe7\x9a\x84\xe9\x80\x9a\xe7\x9f\xa5_\xe6\xb5\x8b\xe8\xaf\x95\xe7\xbd\x91</title></head><body><p>x</p></body></html>"
    parsed = parse_page(raw)
    assert parsed.title == "关于测试的通知"
    assert "title_from_title_tag" in parsed.flags


def test_truncated_meta_title_is_completed_from_the_page() -> None:
    head = '<meta name="ArticleTitle" content="关于进一步加强示范…">'
    parsed = parse_page(_page('<div class="header"><p>关于进一步加强示范工作的若干意见</p></div>', head=head))
    assert parsed.title == "关于进一步加强示范工作的若干意见"


def test_truncated_block_title_is_completed_too() -> None:
    block = "<ul><li>索引号：000014349/2021-00015</li><li>标题：关于加强示范...</li></ul><h1>关于加强示范工作的通知</h1>"
    assert parse_page(_page(block)).title == "关于加强示范工作的通知"


def test_template_marker_title() -> None:
    body = "<p>正文内容足够长的一段文字。</p>"
    block = '<p class="x"><!--<$[标题名称(html)]>begin-->模板标记里的标题<!--<$[标题名称(html)]>end--></p>'
    parsed = parse_page(_page(block, body))
    assert parsed.title == "模板标记里的标题"


# --- body and attachments --------------------------------------------------------------------------------


def test_body_is_paragraphs_without_furniture() -> None:
    body = (
        '<div class="fontsize">字体：大 中 小</div><p>　　第一段。</p><p>第二段<br>第三行</p>'
        '<div class="share">分享到：微博</div><script>var a="不应出现";</script><p>【打印】</p>'
    )
    parsed = parse_page(_page("", body))
    assert parsed.body == "第一段。\n第二段\n第三行"


def test_body_by_text_density_when_no_known_container() -> None:
    raw = (
        "<html><body><ul class='menu'><li><a href='/a'>栏目一</a></li><li><a href='/b'>栏目二</a></li></ul>"
        "<div class='wz'><p>这是一段足够长的正文内容，用于测试文本密度回退。</p><p>第二段正文同样包含许多文字内容。</p></div>"
        "<div class='bottom'>网站地图 联系我们</div></body></html>"
    ).encode()
    parsed = parse_page(raw)
    assert parsed.body.splitlines() == [
        "这是一段足够长的正文内容，用于测试文本密度回退。",
        "第二段正文同样包含许多文字内容。",
    ]
    assert "body_from_density" in parsed.flags


def test_attachment_forms() -> None:
    body = (
        '<p><a href="files/A.PDF">甲</a></p>'
        '<p><a href="/download?fileUrl=tok&amp;fileName=%E4%B9%99.wps">乙</a></p>'
        '<p><a href="/gw?id=3" download="丙.ofd">丙</a></p>'
        "<p><span onclick=\"downloadFj('丁.xlsx','/upload/ding.xlsx')\">丁</span></p>"
        '<p><a href="javascript:void(0)" onclick="window.open(\'//cdn.example.gov.cn/wu.zip\')">戊</a></p>'
        '<p><iframe src="/pdfjs/web/viewer.html?file=/upload/ji.pdf"></iframe></p>'
        '<p><a href="file:///C:/Users/x/geng.doc">庚</a> <a href="C:\\docs\\xin.doc">辛</a></p>'
        '<p><a href="page.html">普通链接</a> <a href="files/A.PDF">重复</a></p>'
    )
    head = '<base href="https://www.example.gov.cn/col/">'
    parsed = parse_page(_page("", body, head=head), "https://www.example.gov.cn/art/2021/1/1/art_1_2.html")
    assert [(a.url, a.name) for a in parsed.attachments] == [
        ("https://www.example.gov.cn/col/files/A.PDF", "甲"),
        ("https://www.example.gov.cn/download?fileUrl=tok&fileName=%E4%B9%99.wps", "乙"),
        ("https://www.example.gov.cn/gw?id=3", "丙.ofd"),
        ("https://www.example.gov.cn/upload/ding.xlsx", "丁.xlsx"),
        ("https://cdn.example.gov.cn/wu.zip", "戊"),
        ("https://www.example.gov.cn/upload/ji.pdf", "ji.pdf"),
    ]


def test_gateway_link_named_by_its_text_is_an_attachment() -> None:
    body = '<p>正文足够长的一段文字内容在这里。</p><p><a href="/servlet/down?id=77">实施细则.docx</a></p>'
    parsed = parse_page(_page("", body), "https://x.gov.cn/a/b.html")
    assert [(a.url, a.name) for a in parsed.attachments] == [
        ("https://x.gov.cn/servlet/down?id=77", "实施细则.docx")
    ]


def test_heading_fallback_skips_the_site_header() -> None:
    raw = (
        "<html><head><title>示范县人民政府</title></head><body>"
        "<div class='header'><h1>示范县人民政府</h1></div>"
        "<div class='main'><h1>示范县关于做好防汛工作的通知</h1><p>正文内容足够长的一段文字。</p></div></body></html>"
    ).encode()
    parsed = parse_page(raw)
    assert parsed.title == "示范县关于做好防汛工作的通知"
    assert "title_from_heading" in parsed.flags


def test_footer_and_navigation_files_are_not_attachments() -> None:
    raw = _page(
        '<div class="nav"><a href="/report.pdf">年报</a></div>',
        "<p>正文足够长的一段文字内容在这里。</p>",
    ).replace(b"</body>", b'<div id="footer"><a href="/guide.pdf">guide</a></div></body>')
    assert parse_page(raw, "https://x.gov.cn/a.html").attachments == ()


# --- robustness ------------------------------------------------------------------------------------------


def test_bom_and_junk_lines_before_doctype() -> None:
    raw = (
        codecs.BOM_UTF8
        + b"\r\n\r\n  garbage line\n"
        + _page("<ul><li>索引号：000014349/2021-00006</li></ul>")
    )
    parsed = parse_page(raw)
    assert parsed.index_no == "000014349/2021-00006"
    assert parsed.charset == "utf-8"


def test_fragment_without_head() -> None:
    raw = "<div><table class='bd1'><tr><td><b>索 引 号：</b></td><td>000014349/2019-00007</td></tr><tr><td><b>发文机关：</b></td><td>国务院</td></tr></table><div id='UCAP-CONTENT'><p>正文正文正文正文正文正文正文正文正文正文。</p></div></div>"
    parsed = parse_page(raw.encode())
    assert (parsed.index_no, parsed.agency) == ("000014349/2019-00007", "国务院")
    assert parsed.body == "正文正文正文正文正文正文正文正文正文正文。"


def test_save_as_copy_full_of_injected_scripts() -> None:
    scripts = "<script>window['GUAN.EXTENSION']=true; document.write('索引号：假的');</script>" * 30
    raw = b"<!DOCTYPE html>\n<!-- saved from url=(0040)http://x.gov.cn/ -->\n<html>" + scripts.encode()
    raw += _page("<ul><li>索引号：000014349/2021-00007</li><li>发布机构：真的</li></ul>")
    parsed = parse_page(raw)
    assert (parsed.index_no, parsed.agency) == ("000014349/2021-00007", "真的")


def test_mislabelled_charset_gbk_bytes_declared_utf8() -> None:
    page = (
        '<meta charset="utf-8"><ul><li>索引号：000014349/2021-00008</li><li>发布机构：王朱镕办公室</li></ul>'
    )
    parsed = parse_page(page.encode("gbk"), content_type="text/html; charset=utf-8")
    assert parsed.agency == "王朱镕办公室"
    assert parsed.charset == "gb18030"


@pytest.mark.parametrize(
    "raw", [b"", b"   \n\t", b"\x00\x00\x00", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>", b"<", b"<!--"]
)
def test_degenerate_inputs_give_flagged_records(raw: bytes) -> None:
    parsed = parse_page(raw)
    assert parsed.title is None or isinstance(parsed.title, str)
    assert parsed.charset is not None
    if not raw.strip():
        assert "empty_input" in parsed.flags


def test_deeply_nested_document_does_not_crash() -> None:
    depth = 100_000
    raw = ("<div>" * depth + "<p>索引号：000014349/2021-00010</p>" + "</div>" * depth).encode()
    parsed = parse_page(raw)
    assert "nesting_truncated" in parsed.flags
    assert parsed.index_no is None  # content below the parser's depth limit is gone, not invented


def test_nul_bytes_inside_text() -> None:
    parsed = parse_page(
        _page("<ul><li>索引号：000014349/2021-00011</li></ul>").replace(b"<body>", b"<body>\x00\x00")
    )
    assert parsed.index_no == "000014349/2021-00011"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"%PDF-1.4", True),
        (b"PK\x03\x04rest", True),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
        (b"\x89PNG\r\n\x1a\n", True),
        (b"\x1f\x8b\x08\x00", True),
        (bytes(range(32)) * 10, True),
        (b"<html><body>\xe4\xb8\xad</body></html>", False),
        ("中文页面".encode("gbk"), False),
        (codecs.BOM_UTF16_LE + "<html>".encode("utf-16-le"), False),
        (b"", False),
    ],
)
def test_looks_binary(raw: bytes, expected: bool) -> None:
    assert looks_binary(raw) is expected
