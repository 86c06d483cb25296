"""The loopback server: real sockets on 127.0.0.1 port 0, raw bytes through requests, and the access log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from demosite import DemoSite, serve_site


def test_server_serves_the_exact_bytes_and_logs_every_request() -> None:
    site = DemoSite(seed=4, n_docs=40)
    trs_doc = next(d for d in site.documents if d.layout == "trs")
    with serve_site(site) as srv, requests.Session() as session:
        assert srv.url == f"http://127.0.0.1:{srv.port}" and srv.port > 0
        reply = session.get(srv.url + trs_doc.path, timeout=10)
        assert reply.status_code == 200
        assert reply.content == site.respond("GET", trs_doc.path, {}).body
        assert reply.headers["Content-Type"] == "text/html"
        assert int(reply.headers["Content-Length"]) == len(reply.content)

        again = session.get(
            srv.url + trs_doc.path, headers={"If-None-Match": reply.headers["ETag"]}, timeout=10
        )
        assert again.status_code == 304 and again.content == b""
        assert session.get(srv.url + "/missing.html", timeout=10).status_code == 404
        head = session.head(srv.url + "/", timeout=10)
        assert head.status_code == 200 and head.content == b""
        form = session.post(
            srv.url + "/module/web/jpage/dataproxy.jsp",
            data={"columnid": "1571301", "startrecord": "1", "endrecord": "45"},
            timeout=10,
        )
        assert form.status_code == 200 and form.content.startswith(b"<?xml")

        log = srv.access_log.entries()
        assert [(e.method, e.path_qs, e.status) for e in log] == [
            ("GET", trs_doc.path, 200),
            ("GET", trs_doc.path, 304),
            ("GET", "/missing.html", 404),
            ("HEAD", "/", 200),
            ("POST", "/module/web/jpage/dataproxy.jsp", 200),
        ]
        assert log[0].bytes_sent == len(reply.content) and log[1].bytes_sent == 0
        assert log[1].headers.get("If-None-Match") == reply.headers["ETag"]
        assert all(e.start <= e.end for e in log)
    stopped_url = srv.url
    try:
        requests.get(stopped_url + "/", timeout=2)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("server still answering after the block")


def test_server_handles_concurrent_requests() -> None:
    site = DemoSite(seed=4, n_docs=40)
    paths = [d.path for d in site.documents[:20]]
    with serve_site(site) as srv:

        def fetch(path: str) -> bytes:
            return requests.get(srv.url + path, timeout=10).content

        with ThreadPoolExecutor(max_workers=6) as pool:
            bodies = list(pool.map(fetch, paths))
        assert bodies == [site.respond("GET", p, {}).body for p in paths]
        assert sorted(e.path_qs for e in srv.access_log) == sorted(paths)
