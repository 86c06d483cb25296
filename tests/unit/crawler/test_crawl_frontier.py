"""The frontier survives restarts: in-flight entries come back, links and done marks commit together."""

from __future__ import annotations

from pathlib import Path

from crawler.frontier import Frontier, Link

SEED = "http://a.gov.cn/col/col1/index.html"
HOSTS = ["a.gov.cn"]


def test_seed_queued_once_and_links_deduplicated(tmp_path: Path) -> None:
    f = Frontier.open(tmp_path / "f.sqlite")
    assert f.begin_run([SEED]) is False
    entry = f.next(HOSTS)
    assert entry is not None and entry.url == SEED and entry.kind == "seed" and entry.depth == 0
    links = [Link("http://a.gov.cn/art/1.html", "document"), Link("http://a.gov.cn/art/1.html", "document")]
    assert f.complete(entry, state="done", outcome="list", links=links) == 1
    nxt = f.next(HOSTS)
    assert nxt is not None and nxt.depth == 1 and nxt.discovered_from == SEED
    f.close()


def test_in_flight_returns_to_pending_after_a_crash(tmp_path: Path) -> None:
    f = Frontier.open(tmp_path / "f.sqlite")
    f.begin_run([SEED])
    entry = f.next(HOSTS)
    assert entry is not None and not entry.interrupted
    f.conn.close()  # the process dies here: no complete(), no finish_run()
    g = Frontier.open(tmp_path / "f.sqlite")
    assert g.begin_run([SEED]) is True  # the unfinished run is resumed
    again = g.next(HOSTS)
    assert again is not None and again.url == SEED and again.interrupted
    g.close()


def test_finished_run_is_rechecked_by_the_next_one(tmp_path: Path) -> None:
    f = Frontier.open(tmp_path / "f.sqlite")
    f.begin_run([SEED])
    entry = f.next(HOSTS)
    assert entry is not None
    f.complete(entry, state="done", outcome="list", links=[Link("http://b.gov.cn/x.html", "document")])
    assert f.next(HOSTS) is None
    f.finish_run()
    f.close()
    g = Frontier.open(tmp_path / "f.sqlite")
    assert g.begin_run([SEED]) is False
    assert g.counts() == {"pending": 2}
    assert g.next(HOSTS) is not None  # a.gov.cn re-queued
    assert g.next(HOSTS) is None  # b.gov.cn is pending but outside these hosts
    g.close()


def test_released_entry_and_excluded_hosts(tmp_path: Path) -> None:
    f = Frontier.open(tmp_path / "f.sqlite")
    f.begin_run([SEED])
    entry = f.next(HOSTS)
    assert entry is not None
    f.release(entry)
    assert f.next(HOSTS, exclude=HOSTS) is None
    assert f.pending_count(HOSTS) == 1
    f.close()


def test_attachments_come_before_other_pages(tmp_path: Path) -> None:
    f = Frontier.open(tmp_path / "f.sqlite")
    f.begin_run([SEED])
    entry = f.next(HOSTS)
    assert entry is not None
    links = [
        Link("http://a.gov.cn/art/2.html", "document"),
        Link("http://a.gov.cn/f.pdf", "attachment", SEED),
    ]
    f.complete(entry, state="done", outcome="list", links=links)
    first = f.next(HOSTS)
    assert first is not None and first.kind == "attachment" and first.parent == SEED
    f.close()


def test_list_side_fields_ride_with_their_link_and_old_frontiers_gain_the_column(tmp_path: Path) -> None:
    """A frontier from before list-side fields opens (the column is added); a link's meta reaches its entry, and a
    URL first seen as a plain link takes the meta of the list that names it later."""
    import sqlite3

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE urls (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, host TEXT NOT NULL,"
        " state TEXT NOT NULL DEFAULT 'pending', depth INTEGER NOT NULL DEFAULT 0, discovered_from TEXT,"
        " kind TEXT NOT NULL DEFAULT 'page', parent TEXT, outcome TEXT, run INTEGER NOT NULL DEFAULT 0,"
        " updated_at REAL NOT NULL DEFAULT 0);"
    )
    old.close()
    frontier = Frontier.open(path)
    try:
        frontier.begin_run(["http://a.gov.cn/"])
        seed = frontier.next({"a.gov.cn"})
        assert seed is not None and seed.meta is None
        one, two, three = (f"http://a.gov.cn/d/{n}.html" for n in (1, 2, 3))
        links = [Link(one, "document"), Link(two, "document", meta='{"x": 2}'), Link(three, "document")]
        frontier.complete(seed, state="done", outcome="list", links=links)
        first = frontier.next({"a.gov.cn"})
        assert first is not None and first.url == one and first.meta is None
        later = [Link(two, "document", meta='{"x": 9}'), Link(three, "document", meta='{"x": 3}')]
        frontier.complete(first, state="done", outcome="list", links=later)
        second = frontier.next({"a.gov.cn"})
        assert second is not None and second.meta == '{"x": 2}'  # the first list to name it wins
        frontier.complete(second, state="done", outcome="document")
        third = frontier.next({"a.gov.cn"})
        assert (
            third is not None and third.url == three and third.meta == '{"x": 3}'
        )  # a plain link, then a list
    finally:
        frontier.close()
