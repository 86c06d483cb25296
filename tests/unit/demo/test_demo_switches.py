"""Conditional requests and the changed/removed/added switches that archive and crawler tests rely on."""

from __future__ import annotations

import io
from email.utils import format_datetime, parsedate_to_datetime
from wsgiref.util import setup_testing_defaults

import pytest
from demo_walk import get, list_entries

from demosite import DemoSite


def test_etag_and_last_modified_give_304(site: DemoSite) -> None:
    for path in ["/", site.seed_paths[0], site.seed_paths[-1], site.documents[3].path]:
        first = get(site, path)
        etag, modified = first.header("ETag"), first.header("Last-Modified")
        assert etag and modified
        by_etag = get(site, path, If_None_Match=etag)
        assert by_etag.status == 304 and by_etag.body == b"" and by_etag.header("ETag") == etag
        assert get(site, path, If_None_Match=f'"other", W/{etag}').status == 304
        assert get(site, path, If_None_Match='"stale"').status == 200
        assert get(site, path, If_Modified_Since=modified).status == 304
        earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2014), usegmt=True)
        assert get(site, path, If_Modified_Since=earlier).status == 200
        # If-None-Match wins over If-Modified-Since.
        assert get(site, path, If_None_Match='"stale"', If_Modified_Since=modified).status == 200


def test_head_has_headers_but_no_body(site: DemoSite) -> None:
    path = site.documents[0].path
    full = get(site, path)
    head = site.respond("HEAD", path, {})
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == str(len(full.body))
    assert head.header("ETag") == full.header("ETag")


def test_changed_document_has_new_text_and_one_changed_field() -> None:
    base = DemoSite(seed=2, n_docs=80)
    site = DemoSite(seed=2, n_docs=80, changed={5})
    old, new = base.documents[5], site.documents[5]
    assert new.version == 2 and old.version == 1
    assert new.path == old.path and new.title == old.title
    assert new.body != old.body
    changed = {k for k, v in new.expected_fields().items() if old.expected_fields()[k] != v}
    assert changed == {"source"}
    before, after = get(base, old.path), get(site, new.path)
    assert before.header("ETag") != after.header("ETag")
    assert parsedate_to_datetime(after.header("Last-Modified") or "") > parsedate_to_datetime(
        before.header("Last-Modified") or ""
    )
    assert get(site, new.path, If_Modified_Since=before.header("Last-Modified") or "").status == 200
    assert new.source.encode("gbk" if new.layout == "trs" else "utf-8") in after.body
    # Every other document is untouched.
    assert [d for i, d in enumerate(site.documents) if i != 5] == [
        d for i, d in enumerate(base.documents) if i != 5
    ]


def test_removed_document_answers_404_and_leaves_its_list() -> None:
    base = DemoSite(seed=2, n_docs=80)
    site = DemoSite(seed=2, n_docs=80, removed={7, 8})
    gone = site.documents[7]
    assert gone.status == "removed"
    reply = get(site, gone.path)
    assert reply.status == 404 and "页面不存在" in reply.body.decode("utf-8")
    linked = {path for _, path, *_ in list_entries(site)}
    assert gone.path not in linked and site.documents[8].path not in linked
    assert len(linked) == len(site.live_documents) == 78
    col = gone.column.path
    assert get(site, col).header("ETag") != get(base, col).header("ETag")
    assert get(site, col, If_Modified_Since=get(base, col).header("Last-Modified") or "").status == 200
    for att in gone.attachments:
        assert get(site, att.path).status in (200, 404)
        assert not get(site, att.path).body.startswith(b"%PDF")


def test_added_documents_come_first_and_newest() -> None:
    base = DemoSite(seed=2, n_docs=80)
    site = DemoSite(seed=2, n_docs=80, added=4)
    assert site.documents[:80] == base.documents
    new = site.documents[80:]
    assert len(new) == 4 and all(d.publish_date > base.documents[-1].publish_date for d in new)
    assert {d.path for d in new}.isdisjoint(d.path for d in base.documents)
    for doc in new:
        first = site.list_documents(doc.column)
        assert doc in first[: len(new)]
        assert get(site, doc.path).status == 200


def test_bad_switch_indices_are_refused() -> None:
    with pytest.raises(ValueError):
        DemoSite(seed=0, n_docs=10, removed={10})
    DemoSite(seed=0, n_docs=10, added=1, removed={10})


def test_wsgi_app_returns_what_respond_returns(site: DemoSite) -> None:
    doc = site.documents[1]
    environ: dict[str, object] = {"PATH_INFO": doc.path, "QUERY_STRING": "", "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["HTTP_IF_NONE_MATCH"] = '"nope"'
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    body = b"".join(site.wsgi_app(environ, lambda status, headers: seen.append((status, headers))))
    assert seen[0][0] == "200 OK"
    assert body == get(site, doc.path).body
    environ["HTTP_IF_NONE_MATCH"] = get(site, doc.path).header("ETag")
    seen.clear()
    assert b"".join(site.wsgi_app(environ, lambda status, headers: seen.append((status, headers)))) == b""
    assert seen[0][0] == "304 Not Modified"
