"""The PostgreSQL search table's frequent trigrams (`index.pgtri`): every row holds exactly the trigrams of its
table's list, whoever writes it, and a reader never mixes one table's list with another table's rows."""

from __future__ import annotations

import psycopg
import pytest
from index_testkit import ListCatalogue, make_doc

from archive.models import Document
from index import IndexSettings, SearchQuery
from index.pg import PgSearcher
from index.pgtri import choose
from index.pgwrite import rebuild_pg, write_document


def _docs(words: list[str], n: int, start: int = 0) -> list[Document]:
    return [
        make_doc(f"d{i:03d}", i + 1, title=f"文件{i}", body=f"第{i}条 {words[i % len(words)]} 其他内容")
        for i in range(start, start + n)
    ]


def test_choose_keeps_the_trigrams_of_at_least_the_share_of_documents() -> None:
    samples = [["会议通知"], ["会议通过"], ["通知书"], ["政府"]]
    assert choose(samples, share=0.5) == {"会议通"}
    assert choose(samples, share=0.25) == {"会议通"}  # and never one of a single document


def _lexemes(text: str) -> list[str]:
    return text.split("\0\0\0")[:-1]


@pytest.mark.parametrize("seed", range(4))
def test_packed_grams_are_the_texts_bigrams_last_characters_and_listed_trigrams(seed: int) -> None:
    """`bigram_piece` makes the grams as packed code points in numpy; they must be exactly what plain string
    slicing gives, for empty, one-character and astral-plane texts, quotes and U+FFFD, with or without a list."""
    import random

    from index.pgstore import bigram_piece

    rng = random.Random(seed)
    alphabet = "政府公安交通法治" + "'\\ a:*\ufffd" + "😀𠀀"
    texts = [
        "",
        "政",
        "政府",
        *("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(6)),
    ]
    every = {t[i : i + 3] for t in texts for i in range(len(t) - 2)}
    listed = frozenset(rng.sample(sorted(every), len(every) // 3)) | {"不在此"}
    for trigrams in (frozenset(), listed):
        text, count = bigram_piece("p", texts, trigrams)
        got = _lexemes(text)
        want = {t[i : i + 2] for t in texts for i in range(len(t) - 1)} | {t[-1] for t in texts if t}
        want |= {t[i : i + 3] for t in texts for i in range(len(t) - 2)} & trigrams
        assert len(got) == count == len(set(got))
        assert set(got) == {"p" + g for g in want}


def test_a_document_written_after_a_rebuild_holds_the_lists_trigrams(pg_url: str) -> None:
    docs = _docs(["会议通知", "会议通过"], 20)
    settings = IndexSettings()
    rebuild_pg(ListCatalogue(docs), pg_url, settings)
    late = make_doc("late", 100, title="补充", body="关于召开会议通报的说明")
    with psycopg.connect(pg_url) as conn:  # the catalogue hook's path: the caller's transaction
        write_document(conn, late, (), settings)
    with PgSearcher(pg_url, settings) as s:
        token, known = s._known(SearchQuery(q="会议通"))
        assert token and "会议通" in known  # so the query is answered by the lexeme alone, no strpos
        got = set(s.matching_ids(SearchQuery(q="会议通")))
    assert got == {d.doc_id for d in docs} | {"late"}


def test_a_rebuild_between_the_lists_lookup_and_the_search_is_retried(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = IndexSettings()
    rebuild_pg(ListCatalogue(_docs(["会议通知"], 20)), pg_url, settings)
    # the second table: 会议通 is rare in it (1 of 40 documents), so not in its list; 政府工 is
    second = _docs(["政府工作"], 39, start=50) + _docs(["会议通知"], 1, start=200)
    calls: list[frozenset[str]] = []
    original = PgSearcher._known

    def known_then_rebuild(self: PgSearcher, query: SearchQuery) -> tuple[str | None, frozenset[str]]:
        found = original(self, query)
        calls.append(found[1])
        if len(calls) == 1:  # the table and its list are swapped right after the first lookup
            rebuild_pg(ListCatalogue(second), pg_url, settings)
        return found

    monkeypatch.setattr(PgSearcher, "_known", known_then_rebuild)
    with PgSearcher(pg_url, settings) as s:
        page = s.search(SearchQuery(q="会议通"))
    assert calls == [frozenset({"会议通"}), frozenset()]  # the first list, then the second table's
    assert page.total == 1 and [h.id for h in page.hits] == ["d200"]


def test_the_list_is_chosen_from_the_whole_catalogue_not_its_first_documents(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.pgwrite.SAMPLE", 40)  # 20 stretches of 2 documents over 200
    docs = _docs(["会议通知"], 100) + _docs(["政府工作"], 100, start=100)
    rebuild_pg(ListCatalogue(docs), pg_url, IndexSettings())
    with psycopg.connect(pg_url) as conn:
        known = {row[0] for row in conn.execute("SELECT tri FROM gk_search_tri")}
    assert {"会议通", "政府工"} <= known


def test_two_processes_build_two_partitions_that_answer_as_one(pg_server: object) -> None:
    docs = _docs(["会议通知", "政府工作", "依法行政"], 60)
    one = pg_server.create_database()  # type: ignore[attr-defined]
    two = pg_server.create_database()  # type: ignore[attr-defined]
    rebuild_pg(ListCatalogue(docs), one, IndexSettings())
    rebuild_pg(ListCatalogue(docs), two, IndexSettings(procs=2))
    with psycopg.connect(two) as conn:
        parts = conn.execute("SELECT count(*) FROM pg_partition_tree('gk_search') WHERE isleaf").fetchone()
    assert parts == (2,)
    for q in ["会议通", "政府", "依法行政", "工作 -会议", "第1"]:
        found = []
        for url in (one, two):
            with PgSearcher(url, IndexSettings()) as s:
                page = s.search(SearchQuery(q=q))
                found.append((set(s.matching_ids(SearchQuery(q=q))), page.total, page.facets))
        assert found[0] == found[1], q
        assert found[0][0], q
