"""Generated parameters through the real app (docs/TESTPLAN.md S8, F-sized): never a 5xx, always JSON on /api/."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from webcorpus import Corpus

from web import WebSettings, create_app

QUERY_ALPHABET = st.sampled_from(
    list('公安局法治政府枫桥交通 ()"“”-|:*?~^[]{}<>&;ORNOTAND标题文号索引号\\/\x00\u202e%')
)
PARAM = st.sampled_from(
    ["q", "agency", "topic", "since", "until", "date_field", "sort", "page", "limit", "offset"]
)
VALUE = st.one_of(
    st.text(QUERY_ALPHABET, max_size=80),
    st.text(max_size=40),
    st.sampled_from(
        ["2021-01-01", "2021-02-30", "-1", "0", "101", "99999999999", "newest", "written", "(" * 300]
    ),
)


@pytest.fixture(scope="module")
def app(corpus: Corpus) -> Flask:
    """One app for every generated example (default WebSettings, unlike the conftest client's)."""
    return create_app(
        WebSettings(rate_per_s=1e6), data_dir=corpus.data_dir, index_settings=corpus.index_settings
    )


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(params=st.lists(st.tuples(PARAM, VALUE), max_size=5), html=st.booleans())
def test_generated_parameters_never_500(app: Flask, params: list[tuple[str, str]], html: bool) -> None:
    path = ("/search?" if html else "/api/search?") + urlencode(params)
    response = app.test_client().get(path)
    assert response.status_code in (200, 400), (path, response.status_code)
    if not html:
        assert response.is_json
        body = response.get_json()
        assert ("error" in body) == (response.status_code == 400)
