"""A whole gov-sim crawl with every pathology mixed in, judged from the server's access log (docs/TESTPLAN.md C1-C10)."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from govsim.harness import FAST, captures, document_urls, fast_settings, run_crawl
from govsim.server import GovSim, serve_govsim

from archive import Catalogue, DataDir
from demosite.site import DemoSite

N_DOCS = 60
ABANDON_SLACK_S = 0.04
SCHED_SLACK_S = 0.03


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("govsim-crawl")
    base = DemoSite(seed=7, n_docs=N_DOCS)
    flaky = base.documents[5].path
    throttled = base.documents[6].path
    sim = GovSim(base=base, flaky_paths=frozenset({flaky}), throttled_paths=frozenset({throttled}))
    # In its own process: an in-process server stamps a response's end only when the crawler releases the GIL,
    # which would make gaps look shorter than they are.
    with serve_govsim(sim, process=True) as srv:
        summary = run_crawl([srv.url + "/", srv.url + "/patho/index.html"], root)
        hits = srv.hits()
    return {
        "root": root,
        "site": base,
        "url": srv.url,
        "summary": summary,
        "hits": hits,
        "flaky": flaky,
        "throttled": throttled,
    }


pytestmark = pytest.mark.slow


def test_every_expected_document_archived_once(crawled: dict) -> None:
    expected = {crawled["url"] + d.path for d in crawled["site"].documents}
    urls = document_urls(crawled["root"])
    assert sorted(urls) == sorted(expected)
    per_url = collections.Counter(c["url"] for c in captures(crawled["root"]) if c["kind"] == "document")
    assert set(per_url) == expected
    assert set(per_url.values()) == {1}
    assert crawled["summary"].new == N_DOCS


def test_no_request_to_robots_disallowed_paths(crawled: dict) -> None:
    paths = [h.path_qs for h in crawled["hits"]]
    assert not [p for p in paths if p.startswith(("/patho/secret", "/module/search/"))]
    # /patho/secret.html was found and refused (/module/ links are never followed at all)
    assert crawled["summary"].robots_denied >= 1


def _short_gaps(hits: list, delay_s: float) -> list[tuple[str, float]]:
    """Gaps below the delay, allowing for measurement noise: the server stamps a response's end after its last
    write, and on a loaded 2-core machine its thread can be descheduled for a few ms in between (SCHED_SLACK_S).
    A response the client abandoned ends when the server notices the hang-up (ABANDON_SLACK_S later)."""
    return [
        (f"{a.path_qs} -> {b.path_qs}", round(b.start - a.end, 4))
        for a, b in zip(hits, hits[1:], strict=False)
        if b.start - a.end < delay_s - SCHED_SLACK_S - (ABANDON_SLACK_S if a.aborted else 0.0)
    ]


def test_never_two_requests_in_flight_and_gaps_respect_delay(crawled: dict) -> None:
    hits = crawled["hits"]
    assert len(hits) > N_DOCS
    overlaps = [(a.path_qs, b.path_qs) for a, b in zip(hits, hits[1:], strict=False) if b.start < a.end]
    assert overlaps == []
    assert _short_gaps(hits, FAST.delay_s) == []
    gaps = sorted(b.start - a.end for a, b in zip(hits, hits[1:], strict=False))
    assert gaps[len(gaps) // 2] >= FAST.delay_s  # the typical gap is the full delay, noise only shaves a few
    assert sum(1 for h in hits if h.aborted) <= 3  # only drip, big and bomb may be abandoned


def test_gap_check_sees_a_crawl_without_delay(tmp_path: Path) -> None:
    """Positive control: the same oracle flags a crawl whose politeness delay is switched off."""
    with serve_govsim(GovSim(base=DemoSite(seed=7, n_docs=10), robots=None), process=True) as srv:
        run_crawl([srv.url + "/"], tmp_path, fast_settings(delay_s=0.0, jitter=0.0))
        hits = srv.hits()
    assert len(_short_gaps(hits, FAST.delay_s)) >= len(hits) // 2


def test_user_agent_names_gongkai_and_contact(crawled: dict) -> None:
    agents = {h.headers.get("User-Agent", "") for h in crawled["hits"]}
    assert agents == {FAST.user_agent}
    assert "gongkai" in FAST.user_agent and "https://" in FAST.user_agent


def test_no_challenge_or_block_page_becomes_a_document(crawled: dict) -> None:
    by_url = {c["url"].split("/", 3)[-1]: c for c in captures(crawled["root"])}
    kinds = {
        path: by_url["patho/" + path]["kind"]
        for path in ("ruishu.html", "ruishu202.html", "jsl.html", "verify.html", "login.html")
    }
    assert kinds == dict.fromkeys(kinds, "blocked")
    assert by_url["patho/ruishu.html"]["reason"] == "challenge:ruishu"
    assert by_url["patho/jsl.html"]["reason"] == "challenge:jiasule"
    assert by_url["patho/missing.html"]["reason"].startswith("soft_404")
    assert by_url["patho/fake.pdf"]["kind"] != "attachment"
    assert not [u for u in document_urls(crawled["root"]) if "/patho/" in u]
    assert crawled["summary"].blocked >= 5
    assert crawled["summary"].paused_hosts == {}  # blocks were not consecutive: the host keeps going


def test_stall_drip_oversize_and_bomb_are_cut_and_recorded(crawled: dict) -> None:
    by_url = {c["url"].split("/", 3)[-1]: c for c in captures(crawled["root"])}
    assert by_url["patho/stall.html"]["reason"] == "timeout"
    assert by_url["patho/drip.html"]["reason"] in ("timeout", "truncated:time")
    assert by_url["patho/big.html"]["truncated"] == "length"
    assert by_url["patho/bomb.html"]["truncated"] == "length"
    assert by_url["patho/loop1.html"]["reason"] == "redirect_loop"
    drip = next(h for h in crawled["hits"] if h.path_qs == "/patho/drip.html")
    assert drip.aborted and drip.end - drip.start < FAST.total_deadline_s + 1.0


def test_duplicate_links_fetched_once(crawled: dict) -> None:
    counts = collections.Counter(h.path_qs for h in crawled["hits"])
    doc_paths = [d.path for d in crawled["site"].documents]
    again = {
        p: counts[p]
        for p in doc_paths
        if counts[p] != 1 and p not in (crawled["flaky"], crawled["throttled"])
    }
    assert again == {}
    assert not [p for p in counts if "from=" in p or "#" in p]


def test_retries_follow_status(crawled: dict) -> None:
    hits = crawled["hits"]
    flaky = [h for h in hits if h.path_qs == crawled["flaky"]]
    assert [h.status for h in flaky] == [503, 503, 200]
    throttled = [h for h in hits if h.path_qs == crawled["throttled"]]
    assert [h.status for h in throttled] == [429, 200]
    first_after = next(h for h in hits if h.start > throttled[0].end)
    assert first_after.start - throttled[0].end >= 1.0  # Retry-After: 1


def test_gbk_pages_without_header_charset_read_correctly(crawled: dict) -> None:
    catalogue = Catalogue(DataDir(Path(crawled["root"])).catalogue_path, readonly=True)
    try:
        docs = {d.url: d for d in catalogue.iter_documents()}
    finally:
        catalogue.close()
    trs = [d for d in crawled["site"].documents if d.layout == "trs"]
    assert trs
    for demo in trs:
        doc = docs[crawled["url"] + demo.path]
        assert doc.fields.title == demo.title
        assert "\ufffd" not in doc.fields.body


def test_attachments_archived_with_their_document(crawled: dict) -> None:
    from crawler.urls import canonicalize

    kinds = {c["url"]: c["kind"] for c in captures(crawled["root"])}
    expected = [
        canonicalize(crawled["url"] + att.path)
        for doc in crawled["site"].documents
        for att in doc.attachments
    ]
    assert expected
    assert {url: kinds.get(url or "") for url in expected} == dict.fromkeys(expected, "attachment")
    catalogue = Catalogue(DataDir(Path(crawled["root"])).catalogue_path, readonly=True)
    try:
        listed = {a.url for d in catalogue.iter_documents() for a in d.fields.attachments}
    finally:
        catalogue.close()
    assert {canonicalize(u) for u in listed} >= set(expected)


def test_no_canonical_url_captured_twice(crawled: dict) -> None:
    per_url = collections.Counter(c["url"] for c in captures(crawled["root"]))
    assert [u for u, n in per_url.items() if n > 1] == []
    assert not [u for u in per_url if "#" in u or "from=" in u or not u.startswith("http://127.0.0.1:")]
