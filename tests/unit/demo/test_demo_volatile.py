"""The demo site's volatile switch: visits differ in bytes (counter, generation time, session tokens), not in
what the document says."""

from __future__ import annotations

import re

from demosite import DemoSite
from demosite.docs import HANWEB


def test_visits_differ_in_bytes_and_etag_only_in_volatile_parts() -> None:
    plain, one, two = (DemoSite(seed=0, n_docs=80, volatile=v) for v in (0, 1, 2))
    for doc in plain.documents:
        a, b, c = (s.respond("GET", doc.path, {}) for s in (plain, one, two))
        assert a.status == b.status == c.status == 200
        assert len({a.body, b.body, c.body}) == 3 and b.header("ETag") != c.header("ETag")
        charset = "utf-8" if doc.layout == HANWEB else "gbk"
        text_b, text_c = b.body.decode(charset), c.body.decode(charset)
        assert re.search(r"(浏览|阅读)次数：\d+", text_b) and "页面生成时间：" in text_b
        unstable = r"(次数：)\d+|(生成时间[：\s])[\d\- :]+|jsessionid=[0-9A-F]+"
        assert re.sub(unstable, "", text_b) == re.sub(unstable, "", text_c)
    again = DemoSite(seed=0, n_docs=80)  # volatile=0: the same bytes on every visit
    assert again.respond("GET", doc.path, {}).body == a.body


def test_session_tokens_in_attachment_links_still_reach_the_file() -> None:
    site = DemoSite(seed=0, n_docs=120, volatile=4)
    docs = [d for d in site.documents if d.attachments]
    assert {d.layout for d in docs} >= {HANWEB}
    for doc in docs:
        page = site.respond("GET", doc.path, {}).body.decode("utf-8" if doc.layout == HANWEB else "gbk")
        tokens = re.findall(r"jsessionid=([0-9A-F]{32})", page)
        assert tokens, doc.path
        att = doc.attachments[0]
        if doc.layout == HANWEB:
            path = att.path.replace("downfile.jsp?", f"downfile.jsp;jsessionid={tokens[0]}?")
        else:
            path = f"{att.path};jsessionid={tokens[0]}"
        answer = site.respond("GET", path, {})
        assert answer.status == 200 and answer.body == site.respond("GET", att.path, {}).body


def test_files_base_puts_attachments_on_another_origin() -> None:
    site = DemoSite(seed=0, n_docs=120, files_base="http://127.0.0.1:8001")
    docs = [d for d in site.documents if d.attachments]
    for doc in docs:
        page = site.respond("GET", doc.path, {}).body.decode("utf-8" if doc.layout == HANWEB else "gbk")
        links = re.findall(r'href="(http://127\.0\.0\.1:8001/[^"]+)"', page)
        assert links, doc.path
        path = links[0].split("8001", 1)[1].replace("&amp;", "&")
        assert site.respond("GET", path, {}).body == site.respond("GET", doc.attachments[0].path, {}).body
