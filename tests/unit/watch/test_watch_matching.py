"""Matching events against saved searches on a real archive and index (the web tests' corpus): each alert gets
exactly the events of the documents its search finds; a search the index refuses marks its alert, never stops
the watcher; items and the cursor move together, so matching again adds nothing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from webcorpus import build_corpus, standard_pages  # noqa: E402

from archive import Catalogue  # noqa: E402
from gongkai.watch.alerts import add_alert, compose, get_alert, match_events  # noqa: E402
from gongkai.watch.settings import WatchSettings  # noqa: E402
from gongkai.watch.store import WatchStore  # noqa: E402
from index import Searcher, SearchQuery  # noqa: E402

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_events_matched_once_per_alert_and_a_refused_search_is_marked(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "data", standard_pages(NOW.date()))
    settings = WatchSettings(alert_max_matches=500)
    channel = {"type": "webhook", "url": "http://127.0.0.1:9/", "secret": "0123456789abcdef"}
    with WatchStore(tmp_path / "watch.sqlite") as store:
        common = {
            "frequency": "immediate",
            "channel": channel,
            "matches_now": 0,
            "settings": settings,
            "last_event": 0,
            "now": NOW,
        }
        add_alert(store, name="finance", query={"agencies": ["市财政局"]}, **common)
        add_alert(store, name="broken", query={"q": "(" * 12 + "公告" + ")" * 12}, **common)
        with (
            Catalogue(corpus.data_dir.catalogue_path, readonly=True) as cat,
            Searcher(corpus.data_dir.index_dir, corpus.index_settings) as searcher,
        ):
            upto = cat.max_event_id()
            found = match_events(store, cat, searcher, upto=upto)
            again = match_events(store, cat, searcher, upto=upto)
            finance = set(searcher.matching_ids(SearchQuery(agencies=("市财政局",), limit=1)))
            events = [e for e in cat.events_after(0, 10_000) if e["kind"] in ("new", "changed", "removed")]
        expected = sorted((e["event_id"], e["id"]) for e in events if e["id"] in finance)
        items = store.conn.execute("SELECT event_id, doc_id FROM items ORDER BY event_id").fetchall()
        assert [tuple(r) for r in items] == expected and found == len(expected) and again == 0
        assert any(e["kind"] == "changed" for e in events if e["id"] in finance)  # the versioned document
        assert "cannot run" in (get_alert(store, "broken").last_error or "")
        assert store.cursor() == upto
        assert compose(store, settings, NOW) == 1  # one message for the alert with items, none for the other
        [message] = store.messages()
        assert message["payload"]["alert"]["name"] == "finance"
        assert len(message["payload"]["events"]) == len(expected)
