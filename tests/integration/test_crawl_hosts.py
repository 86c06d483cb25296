"""Host-level behaviour: pause after consecutive blocks, unreachable hosts fail fast, resume after a stop."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from govsim.harness import document_urls, fast_settings, run_crawl
from govsim.server import GovSim, serve_govsim

from archive import DataDir
from crawler.frontier import Frontier
from demosite.site import DemoSite


def test_host_paused_after_five_consecutive_blocks(tmp_path: Path) -> None:
    links = tuple(f"/patho/ruishu.html?n={i}" for i in range(12))
    sim = GovSim(base=None, robots=None, extra_links=links, only_extra_links=True)
    with serve_govsim(sim) as srv:
        summary = run_crawl([srv.url + "/patho/index.html"], tmp_path, fast_settings(delay_s=0.01))
        paths = srv.paths()
    challenge_requests = [p for p in paths if p.startswith("/patho/ruishu")]
    host = srv.url.split("//", 1)[1]
    assert summary.paused_hosts == {host: "blocked:challenge:ruishu"}
    assert len(challenge_requests) == 5  # 0 requests during the pause
    assert summary.blocked == 5
    assert "暂停" in summary.format() and host in summary.format()
    assert summary.pending > 0  # the rest stays queued for a later run, nothing is dropped


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_host_fails_fast_and_loses_nothing(tmp_path: Path) -> None:
    sim = GovSim(base=DemoSite(seed=1, n_docs=8), robots=None)
    with serve_govsim(sim) as srv:
        run_crawl([srv.url + "/"], tmp_path, fast_settings(delay_s=0.0))
    archived = document_urls(tmp_path)
    assert len(archived) == 8
    url = f"http://127.0.0.1:{_closed_port()}/col/col1571301/index.html"
    started = time.monotonic()
    summary = run_crawl([url], tmp_path, fast_settings(delay_s=0.05, backoff_base_s=0.1))
    assert time.monotonic() - started < 5
    assert summary.fetched == 0 and summary.failed >= 1
    assert any(r.startswith("robots:unavailable:connection") for r in summary.reasons)
    assert document_urls(tmp_path) == archived
    frontier = Frontier.open(DataDir(tmp_path).crawl_dir / "frontier.sqlite")
    try:
        assert frontier.known(url) and frontier.pending_count([url.split("/")[2]]) == 1
    finally:
        frontier.close()


@pytest.mark.slow
def test_max_pages_stops_and_next_run_continues_without_refetching(tmp_path: Path) -> None:
    site = DemoSite(seed=2, n_docs=20)
    sim = GovSim(base=site, robots=None)
    with serve_govsim(sim) as srv:
        first = run_crawl([srv.url + "/"], tmp_path, fast_settings(delay_s=0.0, max_pages=10))
        assert first.fetched == 10 and first.pending > 0
        second = run_crawl([srv.url + "/"], tmp_path, fast_settings(delay_s=0.0))
        assert second.resumed
        counts: dict[str, int] = {}
        for path in srv.paths():
            counts[path] = counts.get(path, 0) + 1
    assert first.new + second.new == 20
    assert {p: n for p, n in counts.items() if n > 1 and p != "/robots.txt"} == {}


@pytest.mark.parametrize(("ignores_page_no", "unit_calls"), [(True, 2), (False, 3)])
def test_jpaas_page_identical_to_previous_is_an_error_not_the_end(
    tmp_path: Path, ignores_page_no: bool, unit_calls: int
) -> None:
    sim = GovSim(base=None, robots=None, jpaas_ignores_page_no=ignores_page_no)
    with serve_govsim(sim) as srv:
        summary = run_crawl([srv.url + "/patho/jpaas.html"], tmp_path, fast_settings(delay_s=0.0))
        paths = srv.paths()
    calls = [p for p in paths if p.startswith("/api-gateway/")]
    assert len(calls) == unit_calls
    articles = {p for p in paths if "/art/" in p}
    assert len(articles) == (15 if ignores_page_no else 40)
    assert ("list:paging_ignored" in summary.reasons) is ignores_page_no


def test_traps_end_within_limits(tmp_path: Path) -> None:
    sim = GovSim(base=None, robots=None)
    with serve_govsim(sim) as srv:
        summary = run_crawl(
            [srv.url + "/patho/trap/index.html"], tmp_path, fast_settings(delay_s=0.0, max_depth=20)
        )
        paths = srv.paths()
    trap = [p for p in paths if p.startswith("/patho/trap/")]
    assert 0 < len(trap) <= 200
    assert not [p for p in trap if "jsessionid" in p]  # session ids are stripped: one page, not one per visit
    assert max(p.count("/a/") for p in trap) <= 2
    assert max(p.count("m/") for p in trap) <= 20
    assert any(r.startswith("trap:") for r in summary.reasons)
