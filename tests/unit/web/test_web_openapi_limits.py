"""Each limit is defined once, by the settings of the layer that enforces it, and /api/openapi.json shows the
configured value: the API's limit and offset and the filter values are the index's, the page number the web's."""

from __future__ import annotations

import dataclasses
from typing import Any

from webcorpus import Corpus

from web import WebSettings, create_app


def _app(corpus: Corpus, **index: Any) -> Any:
    web = WebSettings(
        app_origin="http://127.0.0.1:5000", raw_origin="http://127.0.0.1:5001", rate_burst=1000, max_page=9
    )
    return create_app(
        web, data_dir=corpus.data_dir, index_settings=dataclasses.replace(corpus.index_settings, **index)
    )


def test_openapi_shows_the_configured_limits_and_the_api_enforces_them(corpus: Corpus) -> None:
    client = _app(corpus, max_limit=7, max_offset=30, max_query_chars=40, max_filter_values=3).test_client()
    params = {
        p["name"]: p["schema"]
        for p in client.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"]["parameters"]
    }
    assert (
        params["limit"]["maximum"] == 7
        and params["offset"]["maximum"] == 30
        and params["page"]["maximum"] == 9
    )
    assert params["q"]["maxLength"] == 40 and params["agency"]["maxItems"] == 3
    assert client.get("/api/search?limit=7").status_code == 200
    assert client.get("/api/search?limit=8").status_code == 400
    assert client.get("/api/search?offset=31").status_code == 400
    ok = client.get("/api/search?agency=a&agency=b&agency=c&limit=5")
    assert ok.status_code == 200, ok.get_data(as_text=True)
    too_many = client.get("/api/search?agency=a&agency=b&agency=c&agency=d&limit=5")
    assert too_many.status_code == 400 and "最多 3 个" in too_many.get_data(as_text=True)
    assert client.get("/search?page=10").status_code == 400


def test_the_defaults_are_the_documented_ones(corpus: Corpus) -> None:
    params = {
        p["name"]: p["schema"]
        for p in _app(corpus)
        .test_client()
        .get("/api/openapi.json")
        .get_json()["paths"]["/api/search"]["get"]["parameters"]
    }
    assert (params["limit"]["maximum"], params["offset"]["maximum"], params["q"]["maxLength"]) == (
        100,
        10000,
        256,
    )
