"""Every filterable field of archive/fields.py works end to end, from the table alone.

A real archive whose documents carry random values (seeded, GONGKAI_SEED) in every filterable field, indexed by
the real indexer, served by the real app: each field filters /api/search, /search, the CSV export, `gongkai search` and
SearchQuery to exactly the documents holding the chosen values; each facetable one is counted over every match,
offered as checkboxes, and shown as a removable chip; /api/openapi.json describes the filter. A field made
filterable in the table is covered here without a new test.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import random
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from webcorpus import Corpus, Page, build_corpus, make_parsed

from archive.fields import FieldSpec, filterable
from gongkai.cli import main
from index import IndexSettings, Searcher, SearchQuery
from web import WebSettings, create_app

SEED = int(os.environ.get("GONGKAI_SEED", "19019"))
N_DOCS = 36
FILTERS = filterable()


def _pool(spec: FieldSpec) -> tuple[str, ...]:
    return (f"{spec.label}甲", f"{spec.label}乙", f"{spec.label}丙")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, dict[str, dict[str, str | None]]]:
    print(f"GONGKAI_SEED={SEED}")
    rng = random.Random(SEED)
    pages: list[Page] = []
    truth: dict[str, dict[str, str | None]] = {}
    for i in range(N_DOCS):
        values = {spec.name: rng.choice((*_pool(spec), None)) for spec in FILTERS}
        parsed = make_parsed(
            f"第{i}号通知", "占位机构", "占位主题", f"2024-{i % 12 + 1:02d}-10", f"正文第{i}号。"
        )
        parsed = dataclasses.replace(parsed, **values)
        key = f"doc{i}"
        pages.append(Page(key, f"http://gov.example/fields/{i}.html", parsed))
        truth[key] = values
    corpus = build_corpus(tmp_path_factory.mktemp("fields") / "data", pages)
    return corpus, {corpus.ids[k]: v for k, v in truth.items()}


@pytest.fixture
def client(world: tuple[Corpus, dict[str, dict[str, str | None]]]) -> FlaskClient:
    corpus, _ = world
    web = WebSettings(app_origin="http://127.0.0.1:5000", raw_origin="http://127.0.0.1:5001", rate_burst=1000)
    return create_app(web, data_dir=corpus.data_dir, index_settings=corpus.index_settings).test_client()


def _holding(truth: dict[str, dict[str, str | None]], name: str, values: set[str]) -> set[str]:
    return {doc_id for doc_id, fields in truth.items() if fields[name] in values}


def _query(name: str, values: tuple[str, ...]) -> SearchQuery:
    if name == "agency":
        return SearchQuery(agencies=values, limit=100)
    if name == "topic":
        return SearchQuery(topics=values, limit=100)
    return SearchQuery(filters=((name, values),), limit=100)


def test_the_table_has_filters() -> None:
    assert {"agency", "topic"} <= {spec.name for spec in FILTERS}


@pytest.mark.parametrize("spec", FILTERS, ids=lambda s: s.name)
def test_each_filter_selects_exactly_the_documents_holding_its_values(
    spec: FieldSpec, world: tuple[Corpus, dict[str, dict[str, str | None]]], client: FlaskClient
) -> None:
    corpus, truth = world
    one, two, _ = _pool(spec)
    for chosen in ((one,), (one, two)):
        expected = _holding(truth, spec.name, set(chosen))
        assert expected and len(expected) < len(truth)  # the seed gives a real choice
        params = urlencode([(spec.name, v) for v in chosen] + [("limit", "100")])
        data = client.get(f"/api/search?{params}").get_json()
        assert data["total"] == len(expected)
        assert {hit["id"] for hit in data["hits"]} == expected
        exported = client.get(f"/export.csv?{params}&headers=en").get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
        assert {row[rows[0].index("id")] for row in rows[1:]} == expected
        with Searcher(corpus.data_dir.index_dir, IndexSettings()) as searcher:
            assert set(searcher.matching_ids(_query(spec.name, chosen))) == expected
        option = [a for v in chosen for a in ("--" + spec.name.replace("_", "-"), v)]
        args = ["--data-dir", str(corpus.data_dir.root), "search", "", *option, "--json", "--limit", "100"]
        result = CliRunner().invoke(main, args, env={"GONGKAI_DATA_DIR": None})
        assert result.exit_code == 0, result.output
        assert {hit["id"] for hit in json.loads(result.output)["hits"]} == expected


@pytest.mark.parametrize("spec", FILTERS, ids=lambda s: s.name)
def test_two_filters_combine_with_and(
    spec: FieldSpec, world: tuple[Corpus, dict[str, dict[str, str | None]]], client: FlaskClient
) -> None:
    _, truth = world
    other = next(s for s in FILTERS if s.name != spec.name)
    a, b = _pool(spec)[0], _pool(other)[1]
    expected = _holding(truth, spec.name, {a}) & _holding(truth, other.name, {b})
    data = client.get(
        f"/api/search?{urlencode([(spec.name, a), (other.name, b), ('limit', '100')])}"
    ).get_json()
    assert {hit["id"] for hit in data["hits"]} == expected


@pytest.mark.parametrize("spec", FILTERS, ids=lambda s: s.name)
def test_the_search_page_shows_the_filter_as_a_chip_and_facets_as_checkboxes(
    spec: FieldSpec, world: tuple[Corpus, dict[str, dict[str, str | None]]], client: FlaskClient
) -> None:
    _, truth = world
    chosen = _pool(spec)[0]
    page = client.get(f"/search?{urlencode([(spec.name, chosen)])}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{spec.label}：</span>{chosen}" in html  # the chip, with its label from the table
    data = client.get("/api/search").get_json()
    if spec.facetable:
        counted = Counter(fields[spec.name] for fields in truth.values() if fields[spec.name])
        assert data["facets"][spec.name] == dict(counted)
        assert f'name="{spec.name}" value="{chosen}" checked' in html
        # any-of: the other values stay selectable with the counts they would add
        other = _pool(spec)[1]
        assert f'name="{spec.name}" value="{other}"' in html
    else:
        assert spec.name not in data["facets"]


def test_openapi_describes_every_filter_and_facet(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    search = document["paths"]["/api/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {spec.name for spec in FILTERS} <= names
    facets = search["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["facets"]
    assert {spec.name for spec in FILTERS if spec.facetable} <= set(facets["properties"])


def test_an_unknown_filter_name_is_a_query_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no filter named"):
        SearchQuery(filters=(("body", ("x",)),)).validate()
