"""文号 and 索引号 matching (I5) and full-width/half-width folding (I6) on a real index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from index_testkit import BODY_CHARS, ListCatalogue, OpenSearcher, build_pg, make_doc, open_backend

from archive.models import Document
from index import IndexSettings, SearchQuery, rebuild_index

DOCS = [
    make_doc(
        "a",
        1,
        title="国务院办公厅关于印发政府网站发展指引的通知",
        doc_no="国办发〔2018〕128号",
        index_no="000014349/2018-00123",
        agency="国务院办公厅",
        body="各省、自治区、直辖市人民政府：现将《政府网站发展指引》印发给你们。",
        publish_date="2018-12-05",
    ),
    make_doc(
        "b",
        2,
        title="浙江省人民政府办公厅关于做好2021年春运工作的通知",
        doc_no="浙政办发〔2021〕5号",
        index_no="002482410/2021-00005",
        body="春运期间，各地要加强ＡＢＣ１２３类车辆管理（试行）。",
        publish_date="2021-01-20",
    ),
    make_doc(
        "c",
        3,
        title="浙江省人民政府办公厅关于印发某方案的通知",
        doc_no="浙政办发〔2021〕55号",
        index_no="002482410/2021-00055",
        body="根据浙政办发〔2021〕5号文件精神，制定本方案。",
        publish_date="2021-06-01",
    ),
    make_doc("d", 4, title="无文号的通知", doc_no="无", body="本通知自发布之日起施行。"),
]

DOC_NO_VARIANTS = [
    "国办发〔2018〕128号",
    "国办发[2018]128号",
    "国办发【2018】128号",
    "国办发（2018）128号",
    "国办发(2018)128号",
    "国办发［2018］128号",
    "国办发〔２０１８〕１２８号",
    "国办发2018 128",
    "doc_no:国办发[2018]128号",
    "文号:国办发（2018）128号",
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("ids") / "index"
    rebuild_index(ListCatalogue(DOCS), index_dir, IndexSettings())
    return index_dir


@pytest.fixture(scope="module")
def small_pg(request: pytest.FixtureRequest) -> str:
    return build_pg(request.getfixturevalue("pg_server"), ListCatalogue(DOCS))


@pytest.fixture
def small(backend: str, small_index: Path, request: pytest.FixtureRequest) -> OpenSearcher:
    """A searcher of the small index in this test's backend."""
    url = request.getfixturevalue("small_pg") if backend == "postgresql" else None
    return lambda: open_backend(backend, small_index, url, IndexSettings(lock_timeout_s=2.0))


def ids(small: OpenSearcher, _settings: IndexSettings, q: str) -> list[str]:
    with small() as s:
        return [h.id for h in s.search(SearchQuery(q=q)).hits]


@pytest.mark.parametrize("variant", DOC_NO_VARIANTS)
def test_doc_no_in_every_variant_finds_the_document_first(
    variant: str, small: OpenSearcher, settings: IndexSettings
) -> None:
    assert ids(small, settings, variant)[:1] == ["a"]


def test_single_digit_serial_is_not_dropped(small: OpenSearcher, settings: IndexSettings) -> None:
    found = ids(small, settings, "浙政办发〔2021〕5号")
    assert found[0] == "b"
    assert "c" in found  # its body cites the 5号 document literally
    assert ids(small, settings, "doc_no:浙政办发(2021)5号") == ["b"]
    assert ids(small, settings, "doc_no:浙政办发(2021)55号") == ["c"]


def test_index_no_is_an_exact_lookup(small: OpenSearcher, settings: IndexSettings) -> None:
    assert ids(small, settings, "index_no:002482410/2021-00005") == ["b"]
    assert ids(small, settings, "索引号:００２４８２４１０／２０２１－０００５５") == ["c"]
    assert ids(small, settings, "index_no:002482410/2021-0000") == []


@pytest.mark.parametrize(
    "half, full",
    [
        ("ABC123", "ＡＢＣ１２３"),
        ("abc123", "ＡＢＣ１２３"),
        ("(试行)", "（试行）"),
        ("[试行]", "【试行】"),
        ("2021年春运", "２０２１年春运"),
        ("车辆管理(试行)", "车辆管理［试行］"),
    ],
)
def test_full_and_half_width_queries_give_identical_results(
    half: str, full: str, small: OpenSearcher, settings: IndexSettings
) -> None:
    a, b = ids(small, settings, f'"{half}"'), ids(small, settings, f'"{full}"')
    assert a == b and a


def test_fielded_queries(small: OpenSearcher, settings: IndexSettings) -> None:
    assert ids(small, settings, "title:春运") == ["b"]
    assert ids(small, settings, "agency:办公厅") == ["a"]
    assert set(ids(small, settings, "title:通知 -title:浙江")) == {"a", "d"}


@pytest.fixture(scope="module")
def numbered_docs(shared_dir: Path | None, corpus_docs: list[Document]) -> list[Document]:
    """The real 文号-rich corpus files from ../shared, else the demo site's documents (conftest's corpus_docs)."""
    from archive.identifiers import parse_doc_no

    if shared_dir is None:
        return [d for d in corpus_docs if d.fields.doc_no and parse_doc_no(d.fields.doc_no)]

    records: list[dict[str, str]] = []
    for name in ("govcn_policy.jsonl", "jiangxi_xxgk.jsonl"):
        with (shared_dir / "corpus" / "text" / name).open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh)
    docs = [
        make_doc(
            r["id"],
            i + 1,
            title=r["title"],
            doc_no=r.get("doc_no"),
            index_no=r.get("index_no"),
            agency=r.get("agency"),
            body=(r.get("text") or "")[:BODY_CHARS],
        )
        for i, r in enumerate(records)
    ]
    return [d for d in docs if d.fields.doc_no and parse_doc_no(d.fields.doc_no)]


@pytest.fixture(scope="module")
def shared_dir() -> Path | None:
    shared = Path(__file__).resolve().parents[3].parent / "shared"
    if os.environ.get("GONGKAI_TEST_CORPUS") == "demo" or not (shared / "corpus" / "text").is_dir():
        return None
    return shared


def test_corpus_doc_numbers_and_index_numbers_find_their_document(
    numbered_docs: list[Document],
    tmp_path: Path,
    settings: IndexSettings,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    """I5 on corpus documents: each 文号 in four spellings puts its document in the top 3; 索引号 exact."""
    assert len(numbered_docs) >= 40
    rebuild_index(ListCatalogue(numbered_docs), tmp_path / "index", settings)
    url = None
    if backend == "postgresql":
        url = build_pg(request.getfixturevalue("pg_server"), ListCatalogue(numbered_docs))
    with open_backend(backend, tmp_path / "index", url, settings) as s:
        for doc in numbered_docs:
            raw = doc.fields.doc_no or ""
            full = raw.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
            for variant in (
                raw,
                raw.replace("〔", "[").replace("〕", "]"),
                raw.replace("〔", "（").replace("〕", "）"),
                full,
            ):
                top = [h.id for h in s.search(SearchQuery(q=variant, limit=3)).hits]
                twins = {d.doc_id for d in numbered_docs if d.fields.doc_no == raw}
                assert doc.doc_id in top or set(top) <= twins, (variant, top)
            if doc.fields.index_no:
                hits = s.search(SearchQuery(q=f"index_no:{doc.fields.index_no}")).hits
                assert [h.id for h in hits] == [doc.doc_id]
