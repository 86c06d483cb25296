"""Helpers of the index tests: corpus documents as catalogue `Document`s, a list-backed catalogue.

The corpus is the real one in ../shared when it is there, else the demo site generator's documents (demosite),
whose every field is known, so a clone without ../shared runs the same tests instead of skipping them."""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from archive.models import Document, Parsed

SAMPLE = 240  # documents of the real corpus used by the search tests
BODY_CHARS = 1500  # bodies are cut so that the session index builds in a few seconds


def make_doc(doc_id: str, seq: int, *, status: str = "live", **fields: Any) -> Document:
    body = fields.pop("body", None) or ""
    return Document(
        doc_id=doc_id,
        url=f"http://example.gov.cn/{doc_id}.html",
        seq=seq,
        status=status,
        versions=1,
        captured_at="2024-01-01T00:00:00Z",
        first_seen_at="2024-01-01T00:00:00Z",
        last_checked_at="2024-01-01T00:00:00Z",
        removed_at=None,
        capture_id=seq,
        sha256=None,
        fields=Parsed(body=body, **fields),
    )


class ListCatalogue:
    """The two catalogue methods the indexer uses, over a list (documents keep their seq)."""

    def __init__(self, docs: list[Document]) -> None:
        self.docs = list(docs)

    def iter_documents(self, since_seq: int = 0) -> Iterator[Document]:
        return iter(sorted((d for d in self.docs if d.seq > since_seq), key=lambda d: d.seq))

    def max_seq(self) -> int:
        return max((d.seq for d in self.docs), default=0)

    def put(self, doc: Document) -> None:
        self.docs = [d for d in self.docs if d.doc_id != doc.doc_id] + [doc]


def load_sample(shared: Path, n: int = SAMPLE, seed: int = 6) -> list[Document]:
    records: list[dict[str, Any]] = []
    for path in sorted((shared / "corpus" / "text").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    picked = random.Random(seed).sample(records, n)
    return [
        make_doc(
            r["id"],
            i + 1,
            title=r.get("title"),
            agency=r.get("agency"),
            topic=r.get("topic"),
            doc_no=r.get("doc_no"),
            index_no=r.get("index_no"),
            publish_date=r.get("date"),
            written_date=r.get("written_date"),
            body=(r.get("text") or "")[:BODY_CHARS],
        )
        for i, r in enumerate(picked)
    ]


def load_demo(n: int = SAMPLE, seed: int = 6) -> list[Document]:
    """The demo generator's documents as catalogue documents (the ground truth of the demo site)."""
    from demosite import DemoSite

    return [
        make_doc(
            f"demo{d.index:04d}",
            i + 1,
            title=d.title,
            agency=d.agency,
            topic=d.topic,
            doc_no=d.doc_no,
            index_no=d.index_no,
            publish_date=d.publish_date,
            written_date=d.written_date,
            body=d.body[:BODY_CHARS],
        )
        for i, d in enumerate(DemoSite(seed=seed, n_docs=n).documents)
    ]


BACKENDS = ("whoosh", "postgresql")
OpenSearcher = Callable[[], contextlib.AbstractContextManager[Any]]


class Compared:
    """The PostgreSQL searcher checked against the Whoosh one on every call: the same id sets, totals and facet
    counts for every query (issue 13: one query language and one set of guarantees across backends). Returns
    the PostgreSQL answer, so the test's own oracle then checks that one too."""

    def __init__(self, whoosh: Any, pg: Any) -> None:
        self.whoosh = whoosh
        self.pg = pg

    def search(self, query: Any) -> Any:
        a = self.whoosh.search(query)
        b = self.pg.search(query)
        assert (b.total, b.facets) == (a.total, a.facets), query
        assert set(self.pg.matching_ids(query)) == set(self.whoosh.matching_ids(query)), query
        return b

    def matching_ids(self, query: Any) -> list[str]:
        a = self.whoosh.matching_ids(query)
        b: list[str] = self.pg.matching_ids(query)
        assert set(b) == set(a) and len(b) == len(a), query
        return b


@contextlib.contextmanager
def open_backend(backend: str, index_dir: Path, pg_url: str | None, settings: Any) -> Iterator[Any]:
    """A searcher of one backend: Whoosh's, or PostgreSQL's compared with Whoosh's on every query."""
    from index import Searcher
    from index.pg import PgSearcher

    with Searcher(index_dir, settings) as whoosh:
        if backend == "whoosh":
            yield whoosh
            return
        assert pg_url is not None
        with PgSearcher(pg_url, settings) as pg:
            yield Compared(whoosh, pg)


def build_pg(pg_server: Any, catalogue: Any, settings: Any = None) -> str:
    """A fresh database holding the PostgreSQL search table of `catalogue`; its URL. Built in-process, one
    partition, unless `settings` says otherwise (forking a pool inside a test worker that runs threads is a
    hazard: test_pg_trigrams builds with two processes once)."""
    from index import IndexSettings
    from index.pgwrite import rebuild_pg

    url: str = pg_server.create_database()
    rebuild_pg(catalogue, url, settings or IndexSettings())
    return url
