"""Attachment text in the index: literal recall and no false hits on generated files, locations, in: narrowing.

Documents whose page says nothing of their attachment carry one generated file each (20 per type, tests/
attachkit.py), extracted by the real extractors and indexed in a real Whoosh index. Probes are 2-6 character
substrings of the ground truth; the expected documents are computed from the ground truth alone (a page of a
PDF or OFD is its pieces run together, as extraction joins wrapped lines; elsewhere each piece stands alone).
Seeded (GONGKAI_SEED); the seed is printed.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from attachkit import FAST_TYPES, LEGACY_TYPES, Sample, generated
from index_testkit import ListCatalogue, build_pg, make_doc, open_backend

from archive.models import Document
from crawler.attachments import Limits, extract_path
from index import IndexSettings, SearchQuery, rebuild_index
from index.analyzer import fold

BODY = "本页正文见附件。"


class AttachCatalogue(ListCatalogue):
    """ListCatalogue plus the catalogue's `document_attachments` rows."""

    def __init__(self, docs: list[Document], rows: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__(docs)
        self.rows = rows

    def document_attachments(self, doc_id: str) -> Sequence[dict[str, Any]]:
        return self.rows.get(doc_id, [])


def _texts(sample: Sample) -> list[tuple[int | str | None, str]]:
    """(location, text) the ground truth says the file holds, as a search must see it."""
    pieces = sample.content.pieces(sample.kind)
    if sample.kind in ("pdf", "ofd"):
        pages: dict[int | str | None, list[str]] = {}
        for where, piece in pieces:
            pages.setdefault(where, []).append(piece)
        return [(where, "".join(p)) for where, p in pages.items()]
    return pieces


def _build(samples: list[Sample], tmp: Path) -> tuple[Path, dict[str, Sample], AttachCatalogue]:
    docs, rows, by_id = [], {}, {}
    for seq, sample in enumerate(samples, start=1):
        path = tmp / f"{seq}.{sample.kind}"
        path.write_bytes(sample.data)
        result = extract_path(path, sample.name, Limits())
        assert result.status == "ok", (sample.name, result.reason)
        doc_id = f"d{seq:04d}"
        docs.append(make_doc(doc_id, seq, title=f"附件测试第{seq}件", body=BODY))
        rows[doc_id] = [
            {"url": f"http://example.gov.cn/f/{seq}.{sample.kind}", "name": sample.name, "status": "ok"}
            | {"units": [u.to_json() for u in result.units]}
        ]
        by_id[doc_id] = sample
    index_dir = tmp / "index"
    catalogue = AttachCatalogue(docs, rows)
    rebuild_index(catalogue, index_dir, IndexSettings())
    return index_dir, by_id, catalogue


def _pg(backend: str, request: pytest.FixtureRequest, catalogue: AttachCatalogue) -> str | None:
    """The same documents in the PostgreSQL backend when the test runs on it."""
    return build_pg(request.getfixturevalue("pg_server"), catalogue) if backend == "postgresql" else None


def _probes(by_id: dict[str, Sample], rng: random.Random, per_doc: int) -> list[str]:
    probes = []
    for sample in by_id.values():
        texts = [t for _, t in sample.content.pieces(sample.kind) if len(t) >= 2]
        for _ in range(per_doc):
            text = rng.choice(texts)
            size = rng.randint(2, min(6, len(text)))
            start = rng.randrange(len(text) - size + 1)
            probes.append(text[start : start + size])
    return probes


def _expected(probe: str, by_id: dict[str, Sample], *, page_too: bool = True) -> set[str]:
    needle = fold(probe)
    found = set()
    for doc_id, sample in by_id.items():
        seq = int(doc_id[1:])
        page = fold(f"附件测试第{seq}件 {BODY}") if page_too else ""
        if needle in page or any(needle in fold(t) for _, t in _texts(sample)):
            found.add(doc_id)
    return found


def _run_probes(
    index_dir: Path, by_id: dict[str, Sample], probes: list[str], backend: str, url: str | None
) -> None:
    settings = IndexSettings()
    with open_backend(backend, index_dir, url, settings) as searcher:
        for n, probe in enumerate(probes):
            expected = _expected(probe, by_id)
            assert expected, probe
            got = set(searcher.matching_ids(SearchQuery(q=f'"{probe}"')))
            assert got == expected, (probe, sorted(got - expected), sorted(expected - got))
            if n % 4:
                continue
            page = searcher.search(SearchQuery(q=f'in:attachments "{probe}"', limit=100))
            assert {h.id for h in page.hits} == _expected(probe, by_id, page_too=False), probe
            for hit in page.hits:
                assert hit.attachment is not None, (probe, hit.id)
                sample = by_id[hit.id]
                where = (
                    hit.attachment["page"] if hit.attachment["page"] is not None else hit.attachment["sheet"]
                )
                places = {w for w, t in _texts(sample) if fold(probe) in fold(t)}
                assert where in places or (where is None and None in places), (probe, hit.attachment, places)
                assert hit.attachment["label"].startswith("附件：" + sample.name)
                assert "<mark>" in hit.snippet


def _seed() -> int:
    seed = int(os.environ.get("GONGKAI_SEED", random.randrange(1 << 30)))
    print(f"GONGKAI_SEED={seed}")
    return seed


def test_probes_find_exactly_their_documents(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    samples = [s for kind in FAST_TYPES for s in generated(kind)]
    index_dir, by_id, catalogue = _build(samples, tmp_path)
    probes = _probes(by_id, random.Random(_seed()), per_doc=6)
    _run_probes(index_dir, by_id, probes, backend, _pg(backend, request, catalogue))


@pytest.mark.slow
def test_probes_on_legacy_office_files(
    legacy_samples: dict[str, list[Sample]], tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    samples = [s for kind in LEGACY_TYPES for s in legacy_samples[kind]]
    index_dir, by_id, catalogue = _build(samples, tmp_path)
    probes = _probes(by_id, random.Random(_seed()), per_doc=4)
    _run_probes(index_dir, by_id, probes, backend, _pg(backend, request, catalogue))


def test_locations_wen_hao_and_narrowing(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    samples = generated("pdf", 3, "loc") + generated("xlsx", 3, "loc")
    index_dir, by_id, catalogue = _build(samples, tmp_path)
    url = _pg(backend, request, catalogue)
    with open_backend(backend, index_dir, url, IndexSettings()) as searcher:
        for doc_id, sample in by_id.items():
            content = sample.content
            # the 文号 in any bracket style, as a plain query: it was wrapped inside the PDF
            variant = content.doc_no.replace("〔", "(").replace("〕", ")")
            hits = searcher.search(SearchQuery(q=variant, limit=100)).hits
            mine = [h for h in hits if h.id == doc_id]
            assert mine and mine[0].attachment is not None, (variant, [h.id for h in hits])
            if sample.kind == "pdf":
                assert mine[0].attachment["label"] == f"附件：{sample.name} 第1页"
            else:
                assert mine[0].attachment["label"] == f"附件：{sample.name} 工作表“{content.sheets[1][0]}”"
            assert searcher.search(SearchQuery(q=f"in:page {variant}")).total == 0
            assert searcher.search(SearchQuery(q=f'附件:"{content.title}"')).total == 1
        # the page's own text is not in any attachment
        assert searcher.search(SearchQuery(q="in:attachments 本页正文")).total == 0
        assert searcher.search(SearchQuery(q="in:page 本页正文")).total == len(by_id)
        # a phrase never spans two pages of one PDF
        pdf = next(s for s in by_id.values() if s.kind == "pdf")
        boundary = pdf.content.pages[0][-1][-2:] + pdf.content.pages[1][0][:2]
        expected = _expected(boundary, by_id)
        assert set(searcher.matching_ids(SearchQuery(q=f'"{boundary}"'))) == expected
        json_hit = searcher.search(SearchQuery(q=f"in:attachments {pdf.content.doc_no}")).hits[0].to_json()
        assert json_hit["attachment"]["page"] == 1 and "snippet" not in json_hit["attachment"]
