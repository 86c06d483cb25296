"""A 文号 prefix (issuer, issuer + year) finds the documents whose 文号 field holds it, as well as those whose text
cites it; `文号:` narrows to the field; an unquoted bracketed year is the bracket, not grouping."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_testkit import ListCatalogue, OpenSearcher, build_pg, make_doc, open_backend

from index import IndexSettings, SearchQuery, rebuild_index
from index.analyzer import fold

DOCS = [
    make_doc(
        "own4",
        1,
        title="关于加强治安管理的通知",
        doc_no="岚公发〔2021〕4号",
        body="为加强治安管理，现通知如下。",
    ),
    make_doc("own5", 2, title="关于交通秩序的通知", doc_no="岚公发[2021]5号", body="交通秩序整治工作安排。"),
    make_doc("own7", 3, title="消防检查方案", doc_no="岚公发（2021）7号", body="开展消防检查。"),
    make_doc(
        "cites",
        4,
        title="转发通知",
        doc_no="岚政办发〔2022〕1号",
        body="根据岚公发〔2021〕4号文件精神，转发如下。",
    ),
    make_doc("other_year", 5, title="上年通知", doc_no="岚公发〔2020〕9号", body="二〇二〇年的安排。"),
    make_doc("other_issuer", 6, title="财政通知", doc_no="岚财发〔2021〕2号", body="预算安排（2021）年度。"),
    make_doc("plain", 7, title="工作动态", body="本周工作动态，无文号。"),
    make_doc("bare_year", 8, title="2021年工作总结", body="2021年全年工作回顾。"),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("docno") / "index"
    rebuild_index(ListCatalogue(DOCS), where, IndexSettings())
    return where


@pytest.fixture(scope="module")
def pg_docno(request: pytest.FixtureRequest) -> str:
    return build_pg(request.getfixturevalue("pg_server"), ListCatalogue(DOCS))


@pytest.fixture
def opened(backend: str, index_dir: Path, request: pytest.FixtureRequest) -> OpenSearcher:
    url = request.getfixturevalue("pg_docno") if backend == "postgresql" else None
    return lambda: open_backend(backend, index_dir, url, IndexSettings())


def ids(opened: OpenSearcher, q: str) -> set[str]:
    with opened() as s:
        return set(s.matching_ids(SearchQuery(q=q)))


def truth(prefix: str, *, text: bool = True) -> set[str]:
    key = fold(prefix)
    found = set()
    for d in DOCS:
        f = d.fields
        holders = [f.doc_no or ""] + ([f.title or "", f.body or ""] if text else [])
        if any(key in fold(h) for h in holders):
            found.add(d.doc_id)
    return found


@pytest.mark.parametrize(
    "prefix", ["岚公发〔2021〕", "岚公发[2021]", "岚公发（2021）", "岚公发(2021)", "岚公发", "岚财发〔2021〕"]
)
def test_doc_no_prefix_finds_field_holders_and_citers(opened: OpenSearcher, prefix: str) -> None:
    expected = truth(prefix)
    assert expected  # the fixture holds each prefix somewhere
    assert ids(opened, prefix) == expected


def test_issuer_and_year_prefix_holds_exactly_the_planted_documents(opened: OpenSearcher) -> None:
    assert ids(opened, "岚公发〔2021〕") == {"own4", "own5", "own7", "cites"}


@pytest.mark.parametrize("prefix", ["岚公发〔2021〕", "岚公发（2021）", "岚公发"])
def test_doc_no_field_query_narrows_to_the_field(opened: OpenSearcher, prefix: str) -> None:
    assert ids(opened, f"文号:{prefix}") == truth(prefix, text=False)


def test_a_whole_doc_no_still_ranks_its_own_document_first(opened: OpenSearcher) -> None:
    with opened() as s:
        page = s.search(SearchQuery(q="岚公发〔2021〕4号"))
    assert page.hits[0].id == "own4" and {h.id for h in page.hits} == {"own4", "cites"}


@pytest.mark.parametrize("q", ["（2021）", "(2021)", "[2021]"])
def test_an_unquoted_bracketed_year_is_the_bracket_not_grouping(opened: OpenSearcher, q: str) -> None:
    assert ids(opened, q) == truth("〔2021〕") != ids(opened, "2021")
