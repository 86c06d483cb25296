"""What only the PostgreSQL backend has to get right, checked against a substring oracle and the Whoosh index:
documents too large for a tsvector of bigrams and frequent trigrams (kept as bigrams, level 2, or unigrams,
level 1), lexemes that need quoting, NUL, and the candidate query's NOT on such documents. Seeded (GONGKAI_SEED); the seed is printed."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from index_testkit import ListCatalogue, build_pg, make_doc, open_backend

from archive.models import Document
from index import IndexSettings, SearchQuery, rebuild_index
from index.analyzer import fold

SEED = int(os.environ.get("GONGKAI_SEED", "13"))
ODD = ["'", "\\", "''", "a'b", "\\'", ":*", "&", "|", "!", "(", ")", "<->", "a b", "\x00"]


def _docs(rng: random.Random) -> list[Document]:
    alphabet = "政府公安交通法治建设数字经济" + "".join(ODD) + "abc"
    docs = []
    for n in range(60):
        size = rng.choice([20, 200, 3000])
        body = "".join(rng.choice(alphabet) for _ in range(size))
        docs.append(make_doc(f"d{n:03d}", n + 1, title=f"文件{n}" + rng.choice(ODD), body=body))
    return docs


def _truth(docs: list[Document], text: str) -> set[str]:
    needle = fold(text)
    return {d.doc_id for d in docs if needle in fold(d.fields.title or "") or needle in fold(d.fields.body)}


@pytest.mark.parametrize("cap", [None, 10_000, 1500])
def test_huge_documents_and_odd_characters_match_exactly(
    cap: int | None, tmp_path: Path, pg_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cap 10,000 lexeme bytes: the longest documents keep bigrams without their frequent trigrams (level 2);
    cap 1500: every document over a few hundred characters keeps only unigrams (as a multi-megabyte text would), so its
    literals go through the shorter candidates and the exact check."""
    print("seed", SEED)
    rng = random.Random(SEED)
    docs = _docs(rng)
    settings = IndexSettings()
    rebuild_index(ListCatalogue(docs), tmp_path / "index", settings)
    if cap is not None:
        monkeypatch.setattr("index.pgstore.MAX_LEXEME_BYTES", cap)
    url = build_pg(pg_server, ListCatalogue(docs))
    import psycopg

    with psycopg.connect(url) as conn:
        levels = dict(conn.execute("SELECT level, count(*) FROM gk_search GROUP BY 1").fetchall())
    assert set(levels) == {None: {3}, 10_000: {2, 3}, 1500: {1, 2, 3}}[cap], levels
    with psycopg.connect(url) as conn:
        known = {row[0] for row in conn.execute("SELECT tri FROM gk_search_tri")}
    assert known, "the documents share trigrams: the table keeps the frequent ones"
    # (a trigram holding U+FFFD stands for NUL as well: the one documented difference between the backends)
    probes = [*ODD, "政府", "公安交", "数字经济建设", *sorted(t for t in known if "\ufffd" not in t)[:10]]
    for d in rng.sample(docs, 20):
        start = rng.randrange(max(1, len(d.fields.body) - 6))
        probes.append(d.fields.body[start : start + rng.randint(1, 5)])
    with open_backend("postgresql", tmp_path / "index", url, settings) as s:  # compared with Whoosh too
        for probe in probes:
            if not probe.strip():
                continue
            quoted = '"' + probe.replace('"', "") + '"'
            if quoted == '""':
                continue
            expected = _truth(docs, probe.replace('"', "").strip())
            assert set(s.matching_ids(SearchQuery(q=quoted))) == expected, (repr(probe), SEED)
        for a, b in [("政府", "公安"), ("公安交", "数字"), ("a", "'")]:
            minus = _truth(docs, a) - _truth(docs, b)
            assert set(s.matching_ids(SearchQuery(q=f'"{a}" -"{b}"'))) == minus, (a, b, SEED)
            page = s.search(SearchQuery(q=f'"{a}" OR "{b}"'))
            assert page.total == len(_truth(docs, a) | _truth(docs, b))


def test_a_binary_tsvector_is_the_one_its_text_would_make(pg_url: str) -> None:
    """Rows go to PostgreSQL as binary tsvectors (no text for the server to parse): the vector must be exactly
    the one the quoted text form gives, for quotes, backslashes, operators, U+FFFD, 4-byte characters, in
    any order, and its count must be its lexemes'."""
    import psycopg

    from index.pgstore import TsVector, _piece, lexeme, sendable

    grams = {"公安", "'", "\\", "a'b", "\\'", "😀x", "\ufffd", ":*", "zz", "a", "<->", "a b"}
    vector = TsVector.of([_piece("p", grams), _piece("k", ["ABC-1"]), _piece("y", [""])])
    text = " ".join(lexeme(g) for g in [*("p" + g for g in grams), "kABC-1", "y"])
    with psycopg.connect(pg_url) as conn:
        sendable(conn)
        got, want, count = conn.execute(
            "SELECT %s::text, %s::tsvector::text, length(%s)", (vector, text, vector)
        ).fetchone()
    assert got == want and count == len(grams) + 2
    size = sum(len(("p" + g).encode()) for g in grams) + len(b"kABC-1") + len(b"y")
    assert vector.fits(size) and not vector.fits(size - 1)


def test_a_rebuild_compresses_long_values_with_lz4(pg_server: object) -> None:
    """The rebuild's COPY asks for lz4 (half pglz's server time); an update's rows too. Debian's PostgreSQL
    has it; a server without it would keep pglz (the savepoint in `_prefer_lz4`)."""
    import psycopg

    from index.pgwrite import update_pg

    rng = random.Random(SEED)
    words = ["政府信息公开", "法治政府建设", "行政执法", "公安机关", "数字化改革"]
    docs = [
        make_doc(f"d{i}", i + 1, title=f"文件{i}", body="。".join(rng.choice(words) for _ in range(900)))
        for i in range(6)
    ]
    url = build_pg(pg_server, ListCatalogue(docs[:4]))
    update_pg(ListCatalogue(docs), url, IndexSettings())
    with psycopg.connect(url) as conn:
        methods = conn.execute(
            "SELECT pg_column_compression(body), pg_column_compression(grams), count(*) FROM gk_search GROUP BY 1, 2"
        ).fetchall()
    assert methods == [("lz4", "lz4", 6)], methods
