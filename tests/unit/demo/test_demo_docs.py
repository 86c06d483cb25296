"""Ground truth of the demo site: determinism, coverage of agencies/topics/years/layouts, identifier shapes, and
prose varied enough that different queries find different documents."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from demosite import DemoSite
from demosite.docs import FIRST_DAY, HANWEB, LAST_DAY, TRS, generate_documents, make_uscc

INDEX_NO = re.compile(r"^(?P<uscc>[0-9A-HJ-NPQRTUWXY]{18})/(?P<year>\d{4})-(?P<serial>\d{5,6})$")
DOC_NO = re.compile(r"^[\u4e00-\u9fff]{2,6}(〔\d{4}〕|\[\d{4}\])\d{1,3}号$")


def test_same_seed_gives_same_documents_and_other_seed_differs() -> None:
    first = generate_documents(5, 120)
    assert generate_documents(5, 120) == first
    other = generate_documents(6, 120)
    assert [d.title for d in other] != [d.title for d in first]


def test_same_seed_gives_same_bytes() -> None:
    a, b = DemoSite(seed=3, n_docs=60), DemoSite(seed=3, n_docs=60)
    paths = ["/", *a.seed_paths, *(d.path for d in a.documents[::7])]
    for path in paths:
        assert a.respond("GET", path, {}).body == b.respond("GET", path, {}).body, path


def test_generation_does_not_touch_the_global_random() -> None:
    import random

    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    generate_documents(0, 50, added=3, changed=[1])
    assert random.random() == expected


@pytest.mark.parametrize("seed", [0, 1, 20210226])
def test_default_site_covers_agencies_topics_years_and_both_layouts(seed: int) -> None:
    docs = DemoSite(seed=seed).documents
    assert len(docs) == 320
    assert len({d.agency for d in docs}) >= 8
    assert len({d.topic for d in docs}) >= 8
    years = {int(d.publish_date[:4]) for d in docs}
    assert years == set(range(2015, 2027))
    assert all(FIRST_DAY.isoformat() <= d.publish_date <= LAST_DAY.isoformat() for d in docs)
    layouts = Counter(d.layout for d in docs)
    assert 0.35 < layouts[HANWEB] / len(docs) < 0.65 and layouts[TRS] > 0
    assert len({d.path for d in docs}) == len(docs)


def test_uscc_check_characters_match_a_real_code() -> None:
    # The seed page's 索引号 starts with the real USCC of 绍兴市公安局: both check characters must agree.
    assert make_uscc("00257750", "330600") == "11330600002577508J"


def test_metadata_values_have_the_shapes_of_real_pages(site: DemoSite) -> None:
    docs = site.documents
    per_agency: dict[str, set[str]] = {}
    for doc in docs:
        match = INDEX_NO.match(doc.index_no)
        assert match, doc.index_no
        assert match["year"] == doc.written_date[:4]
        per_agency.setdefault(doc.agency, set()).add(match["uscc"])
        assert re.fullmatch(r"\d{2}:\d{2}", doc.publish_time)
        assert doc.written_date <= doc.publish_date
        assert doc.disclosure in ("主动公开", "依申请公开")
        assert doc.doc_no is None or doc.doc_no == "无" or DOC_NO.match(doc.doc_no), doc.doc_no
        assert doc.publish_at.endswith("+08:00")
    assert all(len(codes) == 1 for codes in per_agency.values())
    assert len({next(iter(c)) for c in per_agency.values()}) == len(per_agency)
    # Index numbers are unique (per agency, and here globally too).
    assert len({d.index_no for d in docs}) == len(docs)
    doc_nos = Counter("empty" if d.doc_no is None else "无" if d.doc_no == "无" else "numbered" for d in docs)
    assert doc_nos["empty"] > 10 and doc_nos["无"] > 10 and doc_nos["numbered"] > 150
    assert any(d.doc_no and "[" in d.doc_no for d in docs), "older documents use ASCII brackets"
    assert any(d.source != d.agency for d in docs) and any(d.source == d.agency for d in docs)


def test_titles_are_full_titles_in_government_genres(site: DemoSite) -> None:
    genres = (
        "通知",
        "实施意见",
        "报告",
        "办法",
        "公告",
        "公示",
        "批复",
        "决定",
        "工作要点",
        "方案",
        "思路",
        "细则",
    )
    for doc in site.documents:
        assert doc.title.endswith(genres) or doc.title.endswith("年）"), doc.title
        assert "…" not in doc.title
    assert len({d.title for d in site.documents}) > 250


def test_queries_find_different_sets_of_documents(site: DemoSite) -> None:
    def hits(word: str) -> frozenset[int]:
        return frozenset(d.index for d in site.documents if word in d.title or word in d.body)

    words = ["公安", "法治政府", "枫桥", "医保", "垃圾分类", "学前教育", "政府信息公开", "营商环境"]
    sets = {w: hits(w) for w in words}
    for word, found in sets.items():
        assert 0 < len(found) < len(site.documents) * 0.6, (word, len(found))
    assert len(set(sets.values())) == len(words)


def test_bodies_read_like_documents_and_carry_the_parser_traps(site: DemoSite) -> None:
    docs = site.documents
    for doc in docs:
        assert len(doc.body) > 150
        assert doc.paragraphs[-1].endswith(("日", "印发")), doc.paragraphs[-1]
    own = {d.doc_no for d in docs if d.doc_no}
    citing = [d for d in docs if any(n in d.body for n in own if n != d.doc_no and n != "无")]
    assert len(citing) > 30, "bodies cite other documents' 文号"
    banji = [d for d in docs if "公开方式：主动公开" in d.body and "印发" in d.paragraphs[-1]]
    assert len(banji) > 20, "版记 repeats labels at the end"
    assert any(c in d.body for d in docs if d.layout == TRS for c in "镕堃喆")


def test_expected_fields_cover_the_public_record(site: DemoSite) -> None:
    from archive.models import RECORD_FIELDS

    fields = site.documents[0].expected_fields()
    assert set(RECORD_FIELDS) <= set(fields)
    assert fields["publish_at"] == f"{fields['publish_date']}T{site.documents[0].publish_time}:00+08:00"


def test_text_is_not_copied_from_the_seed_page(site: DemoSite, shared_dir: Path) -> None:
    seed = (shared_dir / "corpus" / "seed.txt").read_text(encoding="utf-8")
    clauses = {c.strip() for c in re.split(r"[。；，：！？\n]", seed) if len(c.strip()) >= 12}
    assert len(clauses) > 50
    bodies = "\n".join(d.title + "\n" + d.body for d in site.documents)
    copied = [c for c in clauses if c in bodies]
    assert copied == []
