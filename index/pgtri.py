"""The archive's frequent trigrams: the 3-character substrings found in at least `SHARE` of a sample of its
documents, which the PostgreSQL search table keeps as lexemes beside every bigram.

Why: a literal of three or more characters is found by its bigrams and confirmed by `strpos` on the folded
text, about 11 µs per candidate (its 11 KB of text read). A rare trigram has few candidates; a frequent one
("会议通", a third of the archive) has tens of thousands, and confirming them took 600 ms at 100,000
documents. Keeping every trigram would make the GIN index four times slower to build; the frequent ones are
few (17,000 at 2 % on the corpus) and make it 1.6 times slower. A 3-character literal that is one of them is
then exact from the index; a longer one gets them as extra, more selective, candidates.

The list is chosen by a rebuild from about `SAMPLE` documents spread over the catalogue and kept in `gk_search_tri`, replaced in the
transaction that swaps the table in; `gk_search_meta.trigrams` names the list (a fresh token per rebuild). Every
row of a table holds exactly the trigrams of that list, so a reader must use the list of the table it reads:
it reads the token in the same statement as the search and retries on a mismatch (`pg.PgSearcher`), and a
writer reads the list after locking the table (`pgwrite`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from index.pgstore import pg_text

TRI_TABLE = "gk_search_tri"
SHARE = 0.02
SAMPLE = 2000  # counting every trigram of a document costs ~3 ms: 6 s for the sample
TOKEN_KEY = "trigrams"


def trigrams_of(text: str) -> set[str]:
    """The text's trigrams, NUL read as U+FFFD as PostgreSQL text stores it (`pgstore.pg_text`)."""
    text = pg_text(text)
    pairs = list(map(str.__add__, text, text[1:]))
    return set(map(str.__add__, pairs, text[2:]))


def choose(samples: Iterable[Iterable[str]], share: float = SHARE) -> frozenset[str]:
    """The trigrams found in at least `share` of the sample documents (each given as its folded texts), and
    in at least two of them."""
    counts: Counter[str] = Counter()
    n = 0
    for texts in samples:
        n += 1
        found: set[str] = set()
        for text in texts:
            found |= trigrams_of(text)
        counts.update(found)
    least = max(2, share * n)
    return frozenset(t for t, c in counts.items() if c >= least)


def ddl() -> list[str]:
    return [f'CREATE TABLE IF NOT EXISTS {TRI_TABLE} (tri text COLLATE "C" PRIMARY KEY)']


def store(conn: Any, trigrams: frozenset[str]) -> str:
    """Replace the list in `conn`'s transaction; returns a new token for it (the caller keeps it in the meta
    table under TOKEN_KEY, in the same transaction)."""
    conn.execute(f"DELETE FROM {TRI_TABLE}")
    with conn.cursor().copy(f"COPY {TRI_TABLE} (tri) FROM STDIN") as copy:
        for tri in sorted(trigrams):
            copy.write_row((tri,))
    return uuid.uuid4().hex


class TrigramList:
    """One process's copy of the list, reloaded when the token changes (a writer's view: `current` reads the
    token on `conn`, so it must run after the table is locked)."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.trigrams: frozenset[str] = frozenset()

    def current(self, conn: Any, meta: str) -> frozenset[str]:
        exists, token = conn.execute(  # one round trip per document written
            f"SELECT to_regclass(%s) IS NOT NULL, (SELECT value FROM {meta} WHERE key = %s)",
            (TRI_TABLE, TOKEN_KEY),
        ).fetchone()
        if not exists:  # a table from before the list
            return frozenset()
        if token != self.token:
            rows = conn.execute(f"SELECT tri FROM {TRI_TABLE}").fetchall()
            self.token, self.trigrams = token, frozenset(r[0] for r in rows)
        return self.trigrams
