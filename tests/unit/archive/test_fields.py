"""The field table (archive/fields.py) is what the layers read: each view of a field is derived from it."""

from __future__ import annotations

import dataclasses

import pytest

from archive.export import csv_header
from archive.fields import FIELDS, FieldSpec, filterable
from archive.models import EXTRA_FIELDS, FIELD_LABELS, RECORD_FIELDS, Parsed
from crawler.extract import parse_page
from crawler.labels import CORE_FIELDS, LABEL_TO_FIELD
from index import Hit
from index.query import FIELDS as PREFIXES
from index.schema import FILTER_FIELDS, build_schema


def test_names_are_unique_and_parsed_fields_are_attributes_of_parsed() -> None:
    names = [spec.name for spec in FIELDS]
    assert len(names) == len(set(names))
    attributes = {f.name for f in dataclasses.fields(Parsed)}
    assert set(RECORD_FIELDS) | set(EXTRA_FIELDS) | set(FILTER_FIELDS) <= attributes


def test_every_label_variant_maps_to_its_field_and_core_fields_follow_the_flag() -> None:
    for spec in FIELDS:
        for variant in spec.variants:
            assert LABEL_TO_FIELD[variant] == spec.name
    assert CORE_FIELDS == {spec.name for spec in FIELDS if spec.core}


def test_a_variant_of_the_table_is_read_off_a_page() -> None:
    spec = next(s for s in FIELDS if s.name == "disclosure")
    html = (
        "<html><body><table><tr><td>索引号：</td><td>123/2024-1</td></tr>"
        f"<tr><td>{spec.variants[-1]}：</td><td>依申请公开</td></tr><tr><td>发文字号：</td><td>云府发〔2024〕1号</td>"
        "</tr></table><div id='zoom'><p>正文。</p></div></body></html>"
    ).encode()
    assert parse_page(html).disclosure == "依申请公开"


def test_labels_prefixes_schema_and_csv_header_come_from_the_table() -> None:
    assert FIELD_LABELS == {spec.name: spec.label for spec in FIELDS}
    assert [FIELD_LABELS[c] for c in csv_header(english=True)] == csv_header()
    for spec in FIELDS:
        for prefix in spec.prefixes:
            assert PREFIXES[prefix.lower()] == spec.name
    schema = build_schema(None, 1.0)
    assert all(name in schema.names() for name in FILTER_FIELDS)
    assert FILTER_FIELDS == tuple(spec.name for spec in filterable())


def test_a_facet_that_is_no_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="facet"):
        FieldSpec("x", "某", facetable=True)


def test_hits_carry_the_fields_marked_in_hit_in_table_order() -> None:
    hit = Hit(**{f.name: f"v-{f.name}" for f in dataclasses.fields(Hit) if f.name != "attachment"})
    assert list(hit.to_json()) == [spec.name for spec in FIELDS if spec.in_hit] + ["snippet"]
    assert hit.to_json()["agency"] == "v-agency"
