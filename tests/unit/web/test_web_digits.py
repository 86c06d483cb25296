"""Numbers in URLs are ASCII digits in one spelling (issue 16 item 3): ² ① ١ １ 01 are refused, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from webcorpus import Corpus

ODD_DIGITS = ["²", "①", "١", "１", "٣", "01", "1\n", " 1", "+1", "1_0", "1.0"]


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_diff_versions_in_odd_digits_are_400(client: FlaskClient, corpus: Corpus, value: str) -> None:
    doc_id = corpus.ids["versioned"]
    for name in ("a", "b"):
        response = client.get(f"/documents/{doc_id}/diff?{name}={quote(value)}")
        assert response.status_code == 400, (name, value, response.status_code)
        assert "版本号" in response.get_data(as_text=True)
    assert client.get(f"/documents/{doc_id}/diff?a=1&b=2").status_code == 200


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_original_capture_in_odd_digits_is_400(client: FlaskClient, corpus: Corpus, value: str) -> None:
    doc_id = corpus.ids["doc2"]
    response = client.get(f"/documents/{doc_id}/original?capture={quote(value)}")
    assert response.status_code == 400, (value, response.status_code)
    capture = corpus.captures["doc2"]
    assert client.get(f"/documents/{doc_id}/original?capture={capture}").status_code == 200


@pytest.mark.parametrize("value", ["page", "limit", "offset"])
def test_search_numbers_in_odd_digits_are_400(client: FlaskClient, value: str) -> None:
    for odd in ("²", "１", "١", "①"):
        response = client.get(f"/api/search?q=%E5%85%AC&{value}={quote(odd)}")
        assert response.status_code == 400, (value, odd, response.status_code)
        assert response.get_json()["error"]["status"] == 400


def test_raw_capture_has_one_address(raw_client: FlaskClient, corpus: Corpus) -> None:
    capture = corpus.captures["doc2"]
    assert raw_client.get(f"/captures/{capture}").status_code == 200
    for odd in (f"0{capture}", "".join(chr(0xFF10 + int(c)) for c in str(capture)), "²", "١"):
        response = raw_client.get(f"/captures/{quote(odd)}")
        assert response.status_code == 404, (odd, response.status_code)
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
