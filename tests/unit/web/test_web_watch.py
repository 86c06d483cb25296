"""The watch blueprint: change feeds (all, filtered like search, per document), the watcher's state, and the
write side, absent unless the composition root hands it over and then only with the token."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from typing import Any

from webcorpus import Corpus

from web import WatchHooks, WebSettings, create_app

ATOM = "{http://www.w3.org/2005/Atom}"
TOKEN = "web-write-token-0123456789"
APP_ORIGIN, RAW_ORIGIN = "http://127.0.0.1:5000", "http://127.0.0.1:5001"


def _app(corpus: Corpus, watch: WatchHooks | None = None) -> Any:
    settings = dataclasses.replace(WebSettings(app_origin=APP_ORIGIN, raw_origin=RAW_ORIGIN), feed_size=500)
    return create_app(settings, data_dir=corpus.data_dir, index_settings=corpus.index_settings, watch=watch)


def _titles(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def test_changes_feed_has_new_versions_and_removals_filterable_like_search(corpus: Corpus) -> None:
    client = _app(corpus).test_client()
    everything = client.get("/changes.atom")
    assert everything.status_code == 200 and everything.mimetype == "application/atom+xml"
    titles = _titles(everything.data)
    assert "[修改] 版本测试文件" in titles and "[已删除] 已删除的公告" in titles
    assert any(t.startswith("[新文件] ") for t in titles)
    filtered = _titles(client.get("/changes.atom", query_string={"agency": "市财政局"}).data)
    assert "[修改] 版本测试文件" in filtered and "[已删除] 已删除的公告" not in filtered
    assert all("版本测试文件" in t or "财政" in t or t.startswith("[新文件]") for t in filtered)
    by_word = _titles(client.get("/changes.atom", query_string={"q": "已删除的公告"}).data)
    assert set(by_word) == {"[已删除] 已删除的公告", "[新文件] 已删除的公告"}
    assert client.get("/changes.atom", query_string={"since": "2021-13-01"}).status_code == 400


def test_a_documents_own_feed(corpus: Corpus) -> None:
    client = _app(corpus).test_client()
    doc_id = corpus.ids["versioned"]
    titles = _titles(client.get(f"/documents/{doc_id}/changes.atom").data)
    assert titles == ["[修改] 版本测试文件", "[新文件] 版本测试文件"]
    assert client.get("/documents/nope/changes.atom").status_code == 404


def test_watch_state_and_no_write_side_by_default(corpus: Corpus) -> None:
    client = _app(corpus).test_client()
    assert client.get("/api/watch").get_json() == {"enabled": False, "sources": [], "alerts": []}
    assert "未启用监视" in client.get("/watch").get_data(as_text=True)
    assert client.get("/alerts/new").status_code == 404
    assert client.post("/api/alerts", json={"name": "x"}).status_code == 404
    assert "保存为提醒" not in client.get("/search", query_string={"q": "公告"}).get_data(as_text=True)
    state = {
        "sources": [
            {
                "name": "sx",
                "label": "绍兴",
                "interval": "6h",
                "recheck": "7d",
                "running": False,
                "last_run": {
                    "finished_at": "2026-12-01T00:00:00Z",
                    "status": "done",
                    "new": 2,
                    "changed": 1,
                    "removed": 0,
                },
                "next_crawl": "2026-12-01T06:00:00Z",
                "next_recheck": "2026-12-07T00:00:00Z",
                "failures": 0,
            }
        ],
        "alerts": [
            {
                "name": "征地",
                "status": "paused",
                "failures": 5,
                "last_error": "HTTP 500",
                "frequency": "daily",
                "channel": {"type": "webhook"},
            }
        ],
        "error": None,
    }
    read_only = _app(corpus, WatchHooks(status=lambda: state)).test_client()
    page = read_only.get("/watch").get_data(as_text=True)
    assert "绍兴" in page and "已暂停" in page and "2 / 1 / 0" in page
    assert read_only.get("/api/watch").get_json()["sources"][0]["name"] == "sx"
    assert read_only.get("/alerts/new").status_code == 404


def test_the_write_side_needs_the_token_and_reports_refusals(corpus: Corpus) -> None:
    saved: list[dict[str, Any]] = []

    def save(spec: dict[str, Any]) -> dict[str, Any]:
        if not spec["name"]:
            raise ValueError("提醒名称不能为空 / an alert needs a name")
        saved.append(spec)
        return {"id": len(saved), "name": spec["name"], "matches_now": 3}

    client = _app(
        corpus, WatchHooks(status=lambda: {"sources": [], "alerts": []}, save_alert=save, token=TOKEN)
    ).test_client()
    assert "保存为提醒" in client.get("/search", query_string={"q": "公告"}).get_data(as_text=True)
    form = client.get("/alerts/new", query_string={"q": "公告", "agency": "市教育局"})
    assert form.status_code == 200 and 'value="市教育局"' in form.get_data(as_text=True)
    body = {
        "name": "教育公告",
        "q": "公告",
        "agency": ["市教育局"],
        "frequency": "daily",
        "channel": {"type": "webhook", "url": "http://127.0.0.1:9/x", "secret": "0123456789abcdef"},
    }
    assert client.post("/api/alerts", json=body).status_code == 403
    assert client.post("/api/alerts", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = client.post("/api/alerts", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201 and ok.get_json()["name"] == "教育公告"
    assert saved[0]["query"]["agencies"] == ["市教育局"] and saved[0]["frequency"] == "daily"
    refused = client.post(
        "/api/alerts", json={**body, "name": ""}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert refused.status_code == 400 and "needs a name" in refused.get_json()["error"]["message"]
    assert (
        client.post(
            "/api/alerts",
            data="[1]",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        ).status_code
        == 400
    )
    html = client.post(
        "/alerts/new",
        data={
            "q": "公告",
            "name": "表单",
            "webhook": "http://127.0.0.1:9/",
            "secret": "0123456789abcdef",
            "token": TOKEN,
        },
    )
    assert html.status_code == 201 and "已保存提醒" in html.get_data(as_text=True)
    assert client.post("/alerts/new", data={"name": "x", "token": "no"}).status_code == 403
    assert len(saved) == 2


def test_the_document_page_links_its_feed_and_anchors_its_events(corpus: Corpus) -> None:
    client = _app(corpus).test_client()
    doc_id = corpus.ids["versioned"]
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert f'href="/documents/{doc_id}/changes.atom"' in page
    root = ET.fromstring(client.get(f"/documents/{doc_id}/changes.atom").data)
    links = [e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")]  # type: ignore[union-attr]
    anchors = [link.rsplit("#", 1)[1] for link in links]
    assert anchors and all(f'id="{a}"' in page for a in anchors)


def test_odd_json_to_the_real_save_is_a_400_never_a_500(corpus: Corpus, tmp_path: Any) -> None:
    from gongkai.config import load_config
    from gongkai.serve import watch_hooks

    root = tmp_path / "data"
    root.mkdir()
    (root / "gongkai.toml").write_text(f'[watch]\nwrite_enabled = true\nwrite_token = "{TOKEN}"\n')
    hooks = watch_hooks(load_config(root, {}))
    client = _app(corpus, hooks).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    odd = [
        {"name": "x", "channel": {"type": "email", "to": 5, "smtp": "h:25"}},
        {"name": "x", "channel": {"type": "webhook", "url": ["http://a/"], "secret": {"k": 1}}},
        {
            "name": "x",
            "frequency": "hourly",
            "channel": {"type": "webhook", "url": "http://a/", "secret": "0123456789abcdef"},
        },
        {"name": 7, "channel": "webhook"},
        {
            "name": "x",
            "q": "长" * 300,
            "channel": {"type": "apprise", "url": "json://127.0.0.1:9/"},
        },
    ]
    for body in odd:
        answer = client.post("/api/alerts", json=body, headers=auth)
        assert answer.status_code == 400, (body, answer.get_json())
        assert answer.get_json()["error"]["message"]
    ok = client.post(
        "/api/alerts",
        json={"name": "好", "q": "公告", "channel": {"type": "apprise", "url": "json://127.0.0.1:9/"}},
        headers=auth,
    )
    assert ok.status_code == 201 and ok.get_json()["matches_now"] == 0  # this data dir has no archive
