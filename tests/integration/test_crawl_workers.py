"""Three crawl workers in three processes on one PostgreSQL frontier crawl what one worker crawls (issue 13).

Judged from the gov-sim server's request log (the server runs in its own process, so its timestamps are not
skewed by a worker holding the GIL): the same documents as one worker, each archived once, each URL fetched
once, never two requests in flight to the host, every gap at least the delay, robots.txt fetched once.
"""

from __future__ import annotations

import collections

import pytest
from govsim.server import GovSim, serve_govsim
from pgserver import PgServer
from workerkit import (
    DELAY_S,
    document_captures,
    documents,
    finish,
    gap_figures,
    overlaps,
    path_of,
    seed_run,
    short_gaps,
    start_worker,
    user_agent_slot,
)

from demosite.site import DemoSite

pytestmark = pytest.mark.slow
N_DOCS = 40
WORKERS = 3


def test_three_workers_crawl_the_same_documents_as_one(
    pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = DemoSite(seed=5, n_docs=N_DOCS)
    expected = {d.path for d in site.documents}

    one_db, one_base = pg_server.create_database(), tmp_path_factory.mktemp("one-worker")
    with serve_govsim(GovSim(base=site), process=True) as srv:
        finish(start_worker(one_base, one_db, 0, [srv.url + "/"]))
        one_hits = srv.hits()
    one_docs = documents(one_base, one_db)
    assert {path_of(u) for u in one_docs} == expected

    db, base = pg_server.create_database(), tmp_path_factory.mktemp("three-workers")
    with serve_govsim(GovSim(base=site), process=True) as srv:
        # the run is seeded first and the three start together: a worker seeding it from its command line would
        # be crawling alone while the others start up (seconds on a loaded machine; see the kill test for that)
        seed_run(db, [srv.url + "/"])
        workers = [start_worker(base, db, slot, []) for slot in range(WORKERS)]
        for proc in workers:
            finish(proc)
        hits = srv.hits()
    print(f"one worker: {gap_figures(one_hits)}")
    print(f"three workers: {gap_figures(hits)}")

    docs = documents(base, db)
    assert {path_of(u) for u in docs} == {path_of(u) for u in one_docs}  # the same documents as one worker
    assert set(docs.values()) == {1}  # each once in the archive
    assert set(document_captures(base, db).values()) == {1}  # each archived once
    # each URL fetched once, exactly as by one worker; robots.txt once for all three
    assert collections.Counter(h.path_qs for h in hits) == collections.Counter(h.path_qs for h in one_hits)
    assert [h.path_qs for h in hits].count("/robots.txt") == 1
    # politeness across the workers: one request in flight to the host, and the delay between them
    assert overlaps(hits) == []
    assert short_gaps(hits, DELAY_S) == []
    # and the work was shared: each worker archived documents
    per_worker = collections.Counter(user_agent_slot(h) for h in hits)
    print(f"requests per worker: {dict(sorted(per_worker.items()))}")
    documents_per_worker = collections.Counter(user_agent_slot(h) for h in hits if h.path_qs in expected)
    assert set(documents_per_worker) == set(range(WORKERS)), documents_per_worker
