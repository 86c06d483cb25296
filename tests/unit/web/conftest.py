"""Web fixtures: one real archive + index per session (the web only reads it), apps built per test (flaskr style)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webcorpus import Corpus, build_corpus, standard_pages, xss_pages
from xss_payloads import PAYLOADS

from web import WebSettings, create_app, make_raw_app

APP_ORIGIN = "http://127.0.0.1:5000"
RAW_ORIGIN = "http://127.0.0.1:5001"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("webdata")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    return build_corpus(root / "data", standard_pages(today) + xss_pages(PAYLOADS))


@pytest.fixture
def make_app(corpus: Corpus) -> Callable[..., Flask]:
    def factory(*, unsafe: bool = False, **settings: Any) -> Flask:
        # one test client is one client address: the rate limit is tested on its own (test_web_budget.py)
        # and a test client closes a streamed export only when told, so the export slots are not rationed here
        settings = {"rate_per_s": 1000.0, "rate_burst": 1000, "expensive_concurrency": 1000, **settings}
        web = dataclasses.replace(WebSettings(app_origin=APP_ORIGIN, raw_origin=RAW_ORIGIN), **settings)
        return create_app(
            web,
            data_dir=corpus.data_dir,
            index_settings=corpus.index_settings,
            enable_unsafe_test_routes=unsafe,
        )

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def raw_client(corpus: Corpus) -> FlaskClient:
    settings = WebSettings(app_origin=APP_ORIGIN, raw_origin=RAW_ORIGIN, rate_per_s=1000.0, rate_burst=1000)
    return make_raw_app(settings, data_dir=corpus.data_dir).test_client()
