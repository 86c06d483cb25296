"""Decoding order of docs/SITES.md 6: BOM, declarations, strict UTF-8, declared, GB18030, then a marked guess."""

from __future__ import annotations

import codecs

import pytest

from crawler.decode import decode_html

TEXT = "绍兴市公安局关于镕堃喆的通知"  # 镕 堃 喆 are GBK-only (not in GB2312)
PAGE = f"<html><head><title>{TEXT}</title></head><body><p>{TEXT}</p></body></html>"


def _meta(charset: str, body: str = PAGE) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' + body


def test_decode_utf8_without_any_declaration() -> None:
    result = decode_html(PAGE.encode("utf-8"))
    assert (result.text, result.charset, result.rule, result.guessed) == (
        PAGE,
        "utf-8",
        "utf-8-strict",
        False,
    )
    assert result.declared == ()
    assert result.replacements == 0


def test_decode_meta_gb2312_without_header_charset_reads_gbk_only_characters() -> None:
    page = _meta("gb2312")
    result = decode_html(page.encode("gbk"), "text/html")
    assert result.text == page
    assert result.charset == "gb18030"
    assert result.declared == ("gb2312",)
    assert result.rule == "declared"
    assert "\ufffd" not in result.text


def test_decode_header_charset_wins_over_nothing() -> None:
    result = decode_html(PAGE.encode("gbk"), "text/html; charset=GBK")
    assert result.text == PAGE
    assert result.declared == ("gbk",)
    assert result.charset == "gb18030"


def test_decode_header_gb2312_with_utf8_body_uses_strict_utf8_first() -> None:
    result = decode_html(PAGE.encode("utf-8"), "text/html; charset=gb2312")
    assert result.text == PAGE
    assert result.rule == "utf-8-strict"
    assert result.declared == ("gb2312",)


def test_decode_header_utf8_with_gbk_body_falls_back_to_gb18030() -> None:
    result = decode_html(PAGE.encode("gbk"), "text/html; charset=utf-8")
    assert result.text == PAGE
    assert (result.charset, result.rule, result.guessed) == ("gb18030", "gb18030", False)


def test_decode_latin1_label_does_not_pre_empt_gb18030() -> None:
    """`requests`' ISO-8859-1 default must not turn GBK into mojibake."""
    result = decode_html(PAGE.encode("gbk"), "text/html; charset=ISO-8859-1")
    assert result.text == PAGE
    assert result.charset == "gb18030"


def test_decode_meta_and_header_conflict_records_both() -> None:
    page = _meta("utf-8")
    result = decode_html(page.encode("gbk"), "text/html; charset=gbk")
    assert result.text == page
    assert result.declared == ("gbk", "utf-8")


def test_decode_gb18030_extension_b_character() -> None:
    page = _meta("gb18030", "<p>𠮷野家</p>")
    result = decode_html(page.encode("gb18030"))
    assert "𠮷野家" in result.text
    assert result.replacements == 0


def test_decode_xml_declaration() -> None:
    page = '<?xml version="1.0" encoding="GBK"?><html><body>中文</body></html>'
    result = decode_html(page.encode("gbk"))
    assert result.text == page
    assert result.declared == ("gbk",)


def test_decode_big5_declared_is_tried_before_utf8() -> None:
    page = _meta("big5", "<p>政府資訊公開</p>")
    result = decode_html(page.encode("big5"))
    assert result.text == page
    assert (result.charset, result.rule) == ("big5", "declared")


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_decode_bom_decides_even_against_declarations(bom: bytes, codec: str) -> None:
    page = "junk line\n" + _meta("gb2312")
    result = decode_html(bom + page.encode(codec), "text/html; charset=gbk")
    assert result.text == page
    assert (result.charset, result.rule) == (codec, "bom")


def test_decode_unknown_label_is_recorded_and_ignored() -> None:
    result = decode_html(_meta("x-no-such-charset").encode("utf-8"))
    assert result.declared == ("x-no-such-charset",)
    assert result.rule == "utf-8-strict"


def test_decode_undecodable_bytes_are_guessed_and_counted() -> None:
    raw = b"<p>" + bytes([0x80, 0xFF, 0xFE, 0x81, 0x30, 0xFF]) * 20 + b"</p>"
    result = decode_html(raw)
    assert result.guessed is True
    assert result.rule == "guessed"
    assert result.replacements == result.text.count("\ufffd")


def test_decode_existing_replacement_character_is_not_counted() -> None:
    result = decode_html("已有\ufffd字符".encode())
    assert result.replacements == 0
    assert result.rule == "utf-8-strict"


def test_decode_empty_bytes() -> None:
    result = decode_html(b"")
    assert (result.text, result.rule, result.guessed) == ("", "empty", False)


def test_decode_meta_beyond_prescan_window_is_not_a_declaration() -> None:
    page = "<!--" + "x" * 3000 + "-->" + _meta("gbk")
    result = decode_html(page.encode("gbk"))
    assert result.declared == ()
    assert result.text == page  # GB18030 still reads it, by rule rather than by declaration
    assert result.rule == "gb18030"
