"""Helpers for the demo-site tests: fetch through respond() and walk every list the way a crawler must."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from demosite import DemoSite
from demosite.site import DemoResponse

CDATA_LINK = re.compile(r'<a href="([^"]+)" title="([^"]*)"[^>]*>([^<]*)</a><span>([^<]*)</span>')
NEXTGROUP = re.compile(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"></a>\]\]></nextgroup>')
CREATE_PAGE = re.compile(r'createPageHTML\((\d+), (\d+), "index", "html"\);')


def get(site: DemoSite, path: str, **headers: str) -> DemoResponse:
    return site.respond("GET", path, {k.replace("_", "-"): v for k, v in headers.items()})


def list_entries(site: DemoSite) -> Iterator[tuple[str, str, str, str, str]]:
    """Walk every list the way a crawler must: datastore records, dataproxy groups, TRS index_N pages.

    Yields (list page path, article path, title attribute, link text, date).
    """
    for seed_path in site.seed_paths:
        if seed_path.startswith("/col/"):
            html = get(site, seed_path).body.decode("utf-8")
            start = html.index('<script type="text/xml">')
            store = html[start : html.index("</script>", start)]
            page, text = seed_path, store
            while True:
                for href, title, label, date in CDATA_LINK.findall(text):
                    yield page, urljoin(page, href), title, label, date
                nxt = NEXTGROUP.search(text)
                if not nxt:
                    break
                page = nxt.group(1).replace("&amp;", "&")
                text = get(site, page).body.decode("utf-8")
        else:
            first = get(site, seed_path).body.decode("gbk")
            match = CREATE_PAGE.search(first)
            assert match, seed_path
            pages, current = int(match.group(1)), int(match.group(2))
            assert current == 0
            for n in range(pages):
                page = seed_path if n == 0 else seed_path.replace("index.html", f"index_{n}.html")
                text = get(site, page).body.decode("gbk")
                for href, title, label, date in CDATA_LINK.findall(text):
                    yield page, urljoin(page, href), title, label, date
