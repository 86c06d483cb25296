"""Shared politeness on a real PostgreSQL: the host gate between workers, its expiry, robots.txt fetched once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from govsim.harness import fast_settings
from govsim.server import GovSim, serve_govsim

from crawler.fetch import Fetcher
from crawler.pgbase import connect, ensure_schema
from crawler.pgpolite import PgHostGate, PgRobotsStore
from crawler.robots import RobotsCache
from demosite.site import DemoSite

HOST = "a.gov.cn"


@pytest.fixture
def conns(pg_url: str) -> Iterator[list[Any]]:
    opened = [connect(pg_url) for _ in range(3)]
    ensure_schema(opened[0])
    yield opened
    for conn in opened:
        conn.close()


def test_one_holder_at_a_time_and_the_gap_counts_from_the_release(conns: list[Any]) -> None:
    a = PgHostGate(conns[0], "a", lease_s=30.0)
    b = PgHostGate(conns[1], "b", lease_s=30.0)
    a.acquire(HOST)
    acquired: list[float] = []
    thread = threading.Thread(target=lambda: (b.acquire(HOST), acquired.append(time.monotonic())))
    thread.start()
    time.sleep(0.3)
    assert acquired == []  # a holds the host
    released = time.monotonic()
    a.release(HOST, 0.25)
    thread.join(5)
    assert acquired and acquired[0] - released >= 0.25
    holder = conns[2].execute("SELECT holder, requests FROM crawl_hosts WHERE host = %s", (HOST,)).fetchone()
    assert holder == ("b", 2)


def test_a_dead_holder_frees_the_host_when_its_hold_runs_out(conns: list[Any]) -> None:
    dead = PgHostGate(conns[0], "dead", lease_s=0.5)
    dead.acquire(HOST)  # and never releases: no heartbeat renews a killed worker's hold
    live = PgHostGate(conns[1], "live", lease_s=30.0)
    t0 = time.monotonic()
    live.acquire(HOST)
    waited = time.monotonic() - t0
    assert 0.3 <= waited < 3.0
    dead.release(HOST, 0.0)  # too late: the host is live's now, and the hold stays with it
    row = conns[2].execute("SELECT holder FROM crawl_hosts WHERE host = %s", (HOST,)).fetchone()
    assert row == ("live",)


def test_defer_holds_every_worker_back(conns: list[Any]) -> None:
    a = PgHostGate(conns[0], "a", lease_s=30.0)
    b = PgHostGate(conns[1], "b", lease_s=30.0)
    a.defer(HOST, 0.4)  # a Retry-After seen by a
    t0 = time.monotonic()
    b.acquire(HOST)
    assert time.monotonic() - t0 >= 0.35


def test_two_fetchers_through_the_gate_never_overlap_on_the_server(conns: list[Any]) -> None:
    """Two fetchers in two threads (own connections, own gates) on one host: the server's log decides."""
    settings = fast_settings(delay_s=0.05, jitter=0.0)
    site = DemoSite(seed=3, n_docs=12)
    with serve_govsim(GovSim(base=site, robots=None), process=True) as srv:
        fetchers = [Fetcher(settings, gate=PgHostGate(conns[i], f"w{i}", lease_s=30.0)) for i in (0, 1)]
        paths = [d.path for d in site.documents]

        def work(fetcher: Fetcher, mine: list[str]) -> None:
            for path in mine:
                assert fetcher.fetch(srv.url + path).status == 200

        threads = [threading.Thread(target=work, args=(f, paths[i::2])) for i, f in enumerate(fetchers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for f in fetchers:
            f.close()
        hits = srv.hits()
    assert len(hits) == len(paths)
    gaps = [b.start - a.end for a, b in zip(hits, hits[1:], strict=False)]
    print(f"min gap {min(gaps):.4f} s over {len(gaps)} gaps (delay 0.05 s)")
    assert min(gaps) >= 0.05 - 0.03  # never overlapping; the slack is the server's own timestamping


def test_robots_fetched_once_and_shared(conns: list[Any]) -> None:
    settings = fast_settings()
    robots = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n"
    with serve_govsim(GovSim(base=DemoSite(seed=3, n_docs=3), robots=robots)) as srv:
        caches = []
        for i in (0, 1):
            fetcher = Fetcher(settings, gate=PgHostGate(conns[i], f"w{i}", lease_s=30.0))
            caches.append(RobotsCache(fetcher, ttl_s=60.0, max_bytes=10_000, store=PgRobotsStore(conns[i])))
        verdicts = [c.check(srv.url + "/private/x.html") for c in caches]
        allowed = [c.check(srv.url + "/public.html") for c in caches]
        for c in caches:
            c.fetcher.close()
        robots_hits = [h for h in srv.hits() if h.path_qs == "/robots.txt"]
    assert [v.allowed for v in verdicts] == [False, False]
    assert [v.allowed for v in allowed] == [True, True]
    assert len(robots_hits) == 1 and [c.fetched for c in caches] == [1, 0]
    # the second worker took the Crawl-delay from the stored copy
    assert caches[1].fetcher.host(srv.url + "/").min_delay_s == pytest.approx(0.3)


def test_an_unreachable_robots_is_not_shared(conns: list[Any]) -> None:
    store = PgRobotsStore(conns[0])
    with serve_govsim(GovSim(base=DemoSite(seed=3, n_docs=3), robots="x", robots_status=503)) as srv:
        fetcher = Fetcher(fast_settings(max_attempts=1))
        cache = RobotsCache(fetcher, ttl_s=60.0, max_bytes=10_000, store=store)
        assert cache.check(srv.url + "/a.html").reason == "robots:unavailable:http_503"
        fetcher.close()
        host = srv.url.split("://", 1)[1]
    assert store.load(host, 60.0) is None  # the next worker asks again
    store.save(host, 200, b"User-agent: *\nDisallow: /\n")
    assert store.load(host, 60.0) is not None and store.load(host, 0.0) is None  # the TTL holds
