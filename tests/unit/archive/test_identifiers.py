"""Dates, 索引号 and 发文字号 normalisation (docs/SITES.md 9): the keys the index folds search through."""

from __future__ import annotations

import pytest

from archive.identifiers import (
    doc_no_key,
    find_doc_no,
    index_no_key,
    normalise_date,
    parse_doc_no,
    parse_index_no,
    parse_publish_at,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年01月27日", "2019-01-27"),
        ("2019年1月7日", "2019-01-07"),
        ("2023-10-23 08:59", "2023-10-23"),
        ("2021/2/26", "2021-02-26"),
        ("2021.2.26", "2021-02-26"),
        ("2019-01-27-10:00:00", "2019-01-27"),
        ("２０２１－０２－２６", "2021-02-26"),
        ("发布日期：2021-02-26 08:55", "2021-02-26"),
        ("20210226", "2021-02-26"),
        ("1614300900", "2021-02-26"),  # epoch seconds, China time
        ("1614300900000", "2021-02-26"),  # epoch milliseconds
        ("1614268800", "2021-02-26"),  # 00:00 Beijing is still the 25th in UTC
        ("二〇二一年二月二十六日", "2021-02-26"),  # 落款 style
        ("二○一九年十月一日", "2019-10-01"),
        ("2021-02-30", None),
        ("2021-13-01", None),
        ("无", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date_forms(text: str | None, expected: str | None) -> None:
    assert normalise_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-02-26 08:55", "2021-02-26T08:55:00+08:00"),
        ("2023-08-16 10:33:59", "2023-08-16T10:33:59+08:00"),
        ("2019-01-27-10:00:00", "2019-01-27T10:00:00+08:00"),
        ("1614300900000", "2021-02-26T08:55:00+08:00"),
        ("2021年2月26日 8时55分", "2021-02-26T08:55:00+08:00"),
        ("2021-02-26", None),  # no time shown: no instant invented
        ("2019年01月27日", None),
        ("2021-02-26 25:00", None),
        (None, None),
    ],
)
def test_parse_publish_at_only_when_a_time_is_shown(text: str | None, expected: str | None) -> None:
    assert parse_publish_at(text) == expected


def test_parse_index_no_uscc_yields_region_and_org_code() -> None:
    parsed = parse_index_no("11330600002577508J/2021-200062")
    assert parsed is not None
    assert parsed.agency_code == "11330600002577508J"
    assert parsed.region_code == "330600"
    assert parsed.org_code == "002577508"
    assert (parsed.year, parsed.serial) == ("2021", "200062")


@pytest.mark.parametrize(
    ("raw", "agency", "org", "year", "serial"),
    [
        ("000014349/2017-00110", "000014349", "000014349", "2017", "00110"),
        ("K28044908/2026-04277", "K28044908", "K28044908", "2026", "04277"),
        ("01527918X-2020-153077", "01527918X", "01527918X", "2020", "153077"),
        ("014742224A/2023-0043406", "014742224A", None, "2023", "0043406"),
        (" 11330000002482031m / 2026-1010578183 ", "11330000002482031M", "002482031", "2026", "1010578183"),
    ],
)
def test_parse_index_no_shapes(raw: str, agency: str, org: str | None, year: str, serial: str) -> None:
    parsed = parse_index_no(raw)
    assert parsed is not None
    assert parsed.raw == raw
    assert (parsed.agency_code, parsed.org_code, parsed.year, parsed.serial) == (agency, org, year, serial)


def test_parse_index_no_keeps_unknown_shapes_and_rejects_blanks() -> None:
    legacy = parse_index_no("330200-01-02-03-20080101-0001")
    assert legacy is not None and legacy.key == "330200-01-02-03-20080101-0001"
    assert parse_index_no("无") is None
    assert parse_index_no("   ") is None
    assert parse_index_no(None) is None


def test_index_no_key_folds_width_spaces_dashes_and_case() -> None:
    assert (
        index_no_key("１１３３０６００００２５７７５０８ｊ／２０２１－２０００６２")
        == "11330600002577508J/2021-200062"
    )
    assert index_no_key("000014349 / 2017—00110") == "000014349/2017-00110"


VARIANTS = [
    "国办发〔2018〕128号",
    "国办发[2018]128号",
    "国办发【2018】128号",
    "国办发（2018）128号",
    "国办发(2018)128号",
    "国办发［2018］128号",
    "国办发〔２０１８〕１２８号",
    "国办发 〔2018〕 128 号",
    "国办发2018 128",
    "国办发〔2018〕0128号",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_doc_no_key_folds_every_variant_to_one_form(variant: str) -> None:
    assert doc_no_key(variant) == "国办发〔2018〕128号"
    parsed = parse_doc_no(variant)
    assert parsed is not None
    assert (parsed.issuer_code, parsed.year, parsed.serial) == ("国办发", "2018", "128")


def test_parse_doc_no_keeps_long_issuer_codes_and_single_digit_serials() -> None:
    parsed = parse_doc_no("国办发明电〔2018〕15号")
    assert parsed is not None and parsed.issuer_code == "国办发明电"
    five = parse_doc_no("国发〔2019〕5号")
    assert five is not None and five.serial == "5" and five.key == "国发〔2019〕5号"


@pytest.mark.parametrize(
    ("raw", "issuer", "serial", "key"),
    [
        ("国令第707号", "国令", "707", "国令第707号"),
        ("省政府令第232号", "省政府令", "232", "省政府令第232号"),
    ],
)
def test_parse_doc_no_decree_numbers_without_year(raw: str, issuer: str, serial: str, key: str) -> None:
    parsed = parse_doc_no(raw)
    assert parsed is not None
    assert (parsed.issuer_code, parsed.year, parsed.serial, parsed.key) == (issuer, None, serial, key)


def test_doc_no_key_leaves_non_numbers_recognisable() -> None:
    assert parse_doc_no("无") is None
    assert doc_no_key("无") == "无"
    assert doc_no_key("ZJSP-02-2026-0004") == "ZJSP-02-2026-0004"
    assert doc_no_key("  无 ") == "无"


def test_find_doc_no_in_text() -> None:
    assert find_doc_no("根据（国卫办人口发〔2019〕25号）要求") == "国卫办人口发〔2019〕25号"
    assert find_doc_no("京测政办发［２０２１］７号") == "京测政办发［２０２１］７号"
    assert find_doc_no("国令第707号") == "国令第707号"
    assert find_doc_no("2019年1月1日起施行") is None
    assert find_doc_no("") is None
