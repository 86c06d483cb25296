"""The request budget (issue 16): per-client rate limit, expensive slots, the per-request deadline, one-pass
exports, one logged traceback. Driven through the real app and index; the clock of the bucket is the only
thing made controllable (time itself is not what is under test)."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable

import pytest
from flask import Flask

from index import Searcher
from web.budget import RateLimiter


def test_token_bucket_refills_at_its_rate() -> None:
    now = [100.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(0.5)
    assert limiter.take("b") == 0.0  # another client has its own bucket
    now[0] += 0.5
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0


def test_a_client_over_its_rate_gets_429_with_retry_after(make_app: Callable[..., Flask]) -> None:
    client = make_app(rate_per_s=0.5, rate_burst=3).test_client()
    statuses = [client.get("/api/search?q=公安").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = client.get("/api/search?q=公安")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"]["status"] == 429
    page = client.get("/search?q=公安")
    assert page.status_code == 429 and "请求过于频繁" in page.get_data(as_text=True)


def test_trusted_proxy_header_keys_clients_and_is_ignored_unless_configured(
    make_app: Callable[..., Flask],
) -> None:
    proxied = make_app(rate_per_s=0.1, rate_burst=2, trusted_proxy_header="X-Forwarded-For").test_client()
    for client_ip in ("10.0.0.1", "10.0.0.2"):
        headers = {"X-Forwarded-For": f"1.2.3.4, {client_ip}"}  # the proxy appended the real peer last
        codes = [proxied.get("/api/search?q=公安", headers=headers).status_code for _ in range(3)]
        assert codes == [200, 200, 429], client_ip
    direct = make_app(rate_per_s=0.1, rate_burst=2).test_client()
    codes = [
        direct.get("/api/search?q=公安", headers={"X-Forwarded-For": f"10.0.1.{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]  # a forged header does not buy a fresh bucket


def test_expensive_routes_share_bounded_slots(make_app: Callable[..., Flask]) -> None:
    client = make_app(expensive_concurrency=1).test_client()
    held = client.get("/export.jsonl", buffered=False)  # a streaming export holds its slot until closed
    assert held.status_code == 200
    for path in ("/export.csv", "/export.jsonl?q=公安", "/api/search?q=公安&offset=1000", "/search?page=60"):
        refused = client.get(path)
        assert refused.status_code == 429, path
        assert refused.headers["Retry-After"] == "5"
    assert client.get("/api/search?q=公安").status_code == 200  # cheap routes are not affected
    held.get_data()
    held.close()
    assert client.get("/export.csv").status_code == 200


def test_a_failed_expensive_request_gives_its_slot_back(make_app: Callable[..., Flask]) -> None:
    client = make_app(expensive_concurrency=1).test_client()
    for _ in range(3):
        assert client.get("/export.csv?since=2021-99-01").status_code == 400
    assert client.get("/export.csv").status_code == 200


def test_an_export_is_one_search_and_streams_every_match(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.exports

    monkeypatch.setattr(web.exports, "_BATCH", 3)
    calls: list[str] = []
    original_search, original_ids = Searcher.search, Searcher.matching_ids

    def counting_search(self: Searcher, query):  # type: ignore[no-untyped-def]
        calls.append("search")
        return original_search(self, query)

    def counting_ids(self: Searcher, query):  # type: ignore[no-untyped-def]
        calls.append("matching_ids")
        return original_ids(self, query)

    monkeypatch.setattr(Searcher, "search", counting_search)
    monkeypatch.setattr(Searcher, "matching_ids", counting_ids)
    client = make_app().test_client()
    response = client.get("/export.csv?sort=oldest&headers=en")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert calls == ["matching_ids"]
    assert len(rows) == int(response.headers["X-Export-Rows"]) > 6
    lines = client.get("/export.jsonl?sort=oldest").get_data(as_text=True).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]


def test_an_export_stops_at_its_deadline(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import web.budget
    import web.exports

    monkeypatch.setattr(web.exports, "_BATCH", 2)
    client = make_app(request_deadline_s=0.5).test_client()
    full = client.get("/export.jsonl").get_data(as_text=True).splitlines()
    clock = [1000.0]
    monkeypatch.setattr(web.budget.time, "monotonic", lambda: clock[0])
    response = client.get("/export.jsonl", buffered=False)
    chunks = response.iter_encoded()
    first = next(chunks)
    clock[0] += 1.0  # the deadline passes while the body is being sent
    rest = b"".join(chunks)
    assert rest == b"" and len(first.splitlines()) == 2 < len(full)
    assert "export stopped at its deadline" in caplog.text
    response.close()
    clock[0] += 1.0
    late = client.get("/api/search?q=公安")
    assert late.status_code == 200  # a new request has its own deadline


def test_a_request_past_its_deadline_is_503_with_retry_after(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.budget

    ticks = iter([0.0, 100.0, 200.0, 300.0, 400.0, 500.0])
    monkeypatch.setattr(web.budget.time, "monotonic", lambda: next(ticks, 1000.0))
    response = make_app(request_deadline_s=1.0).test_client().get("/api/search?q=公安")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "超时" in response.get_json()["error"]["message"]


def test_an_unexpected_error_is_logged_once(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As under `gongkai serve`: one root handler at WARNING, root at INFO (gongkai.logs); then Flask used to
    add its own handler to the app's logger and every traceback came out twice."""

    def broken(self: Searcher, query):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom-16")

    monkeypatch.setattr(Searcher, "search", broken)
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    for old in saved[0]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    app_logger = logging.getLogger("web")
    for old in list(app_logger.handlers):
        app_logger.removeHandler(old)
    try:
        response = make_app().test_client().get("/api/search?q=公安")
    finally:
        root.removeHandler(handler)
        for old in saved[0]:
            root.addHandler(old)
        root.setLevel(saved[1])
    assert response.status_code == 500 and "boom" not in response.get_data(as_text=True)
    err = capsys.readouterr().err
    assert err.count("RuntimeError: boom-16") == 1, err
