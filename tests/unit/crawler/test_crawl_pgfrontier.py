"""The PostgreSQL frontier on a real server: leases, SKIP LOCKED between connections, lease expiry, runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from crawler.frontier import Link
from crawler.pgbase import connect
from crawler.pgfrontier import PgFrontier

SEED = "http://a.gov.cn/col/col1/index.html"
HOSTS = ["a.gov.cn"]
DOCS = [f"http://a.gov.cn/art/{n}.html" for n in range(3)]


@pytest.fixture
def frontiers(pg_url: str) -> Iterator[list[PgFrontier]]:
    """Up to three workers on one database (opened on demand by `open_worker`)."""
    opened: list[PgFrontier] = []
    yield opened
    for f in opened:
        if not f.conn.closed:
            f.close()


def open_worker(pg_url: str, opened: list[PgFrontier], name: str, lease_s: float = 30.0) -> PgFrontier:
    f = PgFrontier.open(pg_url, lease_s=lease_s, worker=name)
    opened.append(f)
    return f


def seeded(pg_url: str, opened: list[PgFrontier], lease_s: float = 30.0) -> PgFrontier:
    """Worker a, with the seed done and three documents pending."""
    a = open_worker(pg_url, opened, "a", lease_s)
    assert a.begin_run([SEED]) is False
    entry = a.next(HOSTS)
    assert entry is not None and entry.url == SEED and entry.kind == "seed"
    assert a.complete(entry, state="done", outcome="list", links=[Link(u, "document") for u in DOCS]) == 3
    return a


def test_two_workers_never_get_the_same_url(pg_url: str, frontiers: list[PgFrontier]) -> None:
    a = seeded(pg_url, frontiers)
    b = open_worker(pg_url, frontiers, "b")
    assert b.join_run() == [SEED]
    got = [a.next(HOSTS), b.next(HOSTS), a.next(HOSTS)]
    urls = [e.url for e in got if e is not None]
    assert sorted(urls) == DOCS
    assert a.next(HOSTS) is None and b.next(HOSTS) is None
    rows = a.conn.execute(
        "SELECT url, worker FROM crawl_urls WHERE state = 'in_flight' ORDER BY url"
    ).fetchall()
    assert rows == [(DOCS[0], "a"), (DOCS[1], "b"), (DOCS[2], "a")]
    # every lease is live, so there is still work: the run must not be finished yet
    assert b.work_remains(HOSTS)


def test_a_row_locked_by_another_connection_is_skipped_not_waited_for(
    pg_url: str, frontiers: list[PgFrontier]
) -> None:
    seeded(pg_url, frontiers)
    b = open_worker(pg_url, frontiers, "b")
    b.join_run()
    b.conn.execute("SET statement_timeout = '2s'")  # a blocking pick would fail here instead of hanging
    other = connect(pg_url)
    try:
        with other.transaction():
            # another worker in the middle of its pick: the first pending row is locked
            other.execute("SELECT id FROM crawl_urls WHERE url = %s FOR UPDATE", (DOCS[0],))
            t0 = time.monotonic()
            entry = b.next(HOSTS)
            assert time.monotonic() - t0 < 1.0
            assert entry is not None and entry.url == DOCS[1]
    finally:
        other.close()


def test_expired_lease_of_a_dead_worker_returns_the_url_marked_interrupted(
    pg_url: str, frontiers: list[PgFrontier]
) -> None:
    a = seeded(pg_url, frontiers, lease_s=0.4)
    taken = a.next(HOSTS)
    assert taken is not None and taken.url == DOCS[0]
    a._heartbeat.stop()  # the worker dies: nobody renews its lease
    b = open_worker(pg_url, frontiers, "b", lease_s=0.4)
    b.join_run()
    first = b.next(HOSTS)
    assert first is not None and first.url == DOCS[1]  # a's lease is still live
    assert not first.interrupted
    b.complete(first, state="done", outcome="document:new")
    last = b.next(HOSTS)  # the last free one
    assert last is not None and last.url == DOCS[2]
    b.complete(last, state="done", outcome="document:new")
    time.sleep(0.6)
    # a's lease ran out but nobody reclaimed it yet: still work, the run must not finish without it
    assert b.work_remains(HOSTS)
    again = [b.next(HOSTS), b.next(HOSTS)]
    back = [e for e in again if e is not None and e.url == DOCS[0]]
    assert len(back) == 1 and back[0].interrupted  # look in the archive before fetching again
    # the dead worker's late completion changes nothing: the URL is b's now
    a.complete(taken, state="done", outcome="late")
    row = b.conn.execute("SELECT state, worker FROM crawl_urls WHERE url = %s", (DOCS[0],)).fetchone()
    assert row == ("in_flight", "b")


def test_a_live_worker_keeps_its_lease_past_the_timeout(pg_url: str, frontiers: list[PgFrontier]) -> None:
    a = seeded(pg_url, frontiers, lease_s=0.3)
    taken = a.next(HOSTS)
    assert taken is not None
    b = open_worker(pg_url, frontiers, "b", lease_s=0.3)
    b.join_run()
    time.sleep(1.0)  # three lease lengths: the heartbeat renewed it meanwhile
    seen = {e.url for e in (b.next(HOSTS), b.next(HOSTS), b.next(HOSTS)) if e is not None}
    assert taken.url not in seen and seen == set(DOCS) - {taken.url}
    assert a.complete(taken, state="done", outcome="document:new") == 0
    assert a.counts() == {"done": 2, "in_flight": 2}


def test_links_and_done_mark_commit_together(pg_url: str, frontiers: list[PgFrontier]) -> None:
    a = seeded(pg_url, frontiers)
    entry = a.next(HOSTS)
    assert entry is not None
    links = [Link("http://a.gov.cn/f.pdf", "attachment", parent=entry.url)]
    # the done mark fails after the links went in: neither may commit
    a.conn.execute("ALTER TABLE crawl_urls ADD CONSTRAINT no_boom CHECK (outcome <> 'boom')")
    with pytest.raises(Exception, match="no_boom"):
        a.complete(entry, state="done", outcome="boom", links=links)
    row = a.conn.execute("SELECT state FROM crawl_urls WHERE url = %s", (entry.url,)).fetchone()
    assert row == ("in_flight",)
    assert not a.known("http://a.gov.cn/f.pdf")  # neither the links nor the done mark committed


def test_known_url_named_by_a_list_takes_the_lists_meta(pg_url: str, frontiers: list[PgFrontier]) -> None:
    a = seeded(pg_url, frontiers)
    entry = a.next(HOSTS)
    assert entry is not None
    links = [Link(DOCS[1], "document", meta='{"doc_no": "1号"}'), Link(DOCS[1], "document", meta='{"x": 2}')]
    assert a.complete(entry, state="done", outcome="list", links=links) == 0
    meta = a.conn.execute("SELECT meta FROM crawl_urls WHERE url = %s", (DOCS[1],)).fetchone()
    assert meta == ('{"doc_no": "1号"}',)  # the first list wins


def test_runs_resume_then_recheck(pg_url: str, frontiers: list[PgFrontier]) -> None:
    a = seeded(pg_url, frontiers)
    b = open_worker(pg_url, frontiers, "b")
    other_seed = "http://b.gov.cn/col/col2/index.html"
    assert b.begin_run([other_seed]) is True  # an unfinished run is resumed, and gains the seed
    assert b.run_id == a.run_id and b.seeds == [SEED, other_seed]
    for f in (a, b):
        while (entry := f.next(["a.gov.cn", "b.gov.cn"])) is not None:
            f.complete(entry, state="done", outcome="ok")
    assert not a.work_remains(["a.gov.cn", "b.gov.cn"])
    a.finish_run()
    assert b.join_run() is None  # nothing to join once the run finished
    c = open_worker(pg_url, frontiers, "c")
    assert c.begin_run([SEED], recheck=False) is False and c.run_id == a.run_id + 1
    # a re-check run without documents: the seed again, known documents wait for a full re-check
    assert c.pending_count(HOSTS) == 1
    c.finish_run()
    assert c.begin_run([SEED]) is False
    assert c.pending_count(HOSTS) == 4 and c.pending_count(["b.gov.cn"]) == 0  # only the seeds' hosts


def test_close_hands_back_what_the_worker_held(pg_url: str, frontiers: list[PgFrontier]) -> None:
    a = seeded(pg_url, frontiers)
    entry = a.next(HOSTS)
    assert entry is not None
    a.close()
    b = open_worker(pg_url, frontiers, "b")
    b.join_run()
    back = b.next(HOSTS)
    assert back is not None and back.url == entry.url and back.interrupted


def test_workers_starting_together_create_the_schema_once(pg_url: str, frontiers: list[PgFrontier]) -> None:
    errors: list[BaseException] = []

    def start(name: str) -> None:
        try:
            PgFrontier.open(pg_url, lease_s=5.0, worker=name).close()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_host_one_worker_paused_is_left_alone_by_all_for_the_run(
    pg_url: str, frontiers: list[PgFrontier]
) -> None:
    a = seeded(pg_url, frontiers)
    b = open_worker(pg_url, frontiers, "b")
    b.join_run()
    a.pause_host("a.gov.cn", "blocked:challenge:ruishu")
    assert b.next(HOSTS) is None and not b.work_remains(HOSTS)  # the run can finish; the URLs stay pending
    assert b.paused_hosts() == {"a.gov.cn": "blocked:challenge:ruishu"} and b.pending_count(HOSTS) == 3
    b.finish_run()
    c = open_worker(pg_url, frontiers, "c")
    c.begin_run([SEED])
    assert c.paused_hosts() == {} and c.next(HOSTS) is not None  # the next run asks again


def test_a_url_of_an_idle_host_is_taken_before_one_of_a_host_another_worker_is_busy_with(
    pg_url: str, frontiers: list[PgFrontier]
) -> None:
    from crawler.pgpolite import PgHostGate

    a = seeded(pg_url, frontiers)  # three a.gov.cn documents, queued first
    entry = a.next(HOSTS)
    assert entry is not None
    a.complete(entry, state="done", outcome="list", links=[Link("http://b.gov.cn/art/1.html", "document")])
    held = a.next(HOSTS)
    assert held is not None and held.url.startswith("http://a.gov.cn/")
    PgHostGate(a.conn, "a", lease_s=30.0).acquire("a.gov.cn")  # a is fetching it from a.gov.cn
    b = open_worker(pg_url, frontiers, "b")
    b.join_run()
    both = ["a.gov.cn", "b.gov.cn"]
    first = b.next(both)
    assert first is not None and first.url == "http://b.gov.cn/art/1.html"
    second = b.next(both)  # nothing else free: a.gov.cn's next URL, to wait for the host with
    assert second is not None and second.url.startswith("http://a.gov.cn/")


def test_a_worker_of_a_finished_run_does_not_take_the_next_runs_urls(
    pg_url: str, frontiers: list[PgFrontier]
) -> None:
    a = seeded(pg_url, frontiers)
    b = open_worker(pg_url, frontiers, "b")
    b.join_run()
    while (entry := a.next(HOSTS)) is not None:
        a.complete(entry, state="done", outcome="document:new")
    a.finish_run()
    c = open_worker(pg_url, frontiers, "c")
    assert c.begin_run([SEED]) is False  # a new run, re-checking everything
    assert b.next(HOSTS) is None and not b.work_remains(HOSTS)  # b belongs to the finished run: it stops
    assert c.next(HOSTS) is not None
