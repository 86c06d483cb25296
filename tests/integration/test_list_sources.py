"""The five list sources of issue 18, each crawled over HTTP from a fixture server that answers like the platform.

Judged from the server's access log and the archive: every document fetched exactly once and archived with what
its list said, no list request past the last page (nor page 0, nor one asked twice), the right adapter chosen,
and a mis-shaped API answer recorded as one failure without ending or looping the crawl.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from govsim.harness import FAST
from listsites.base import ListSite
from listsites.corpus import newest_first
from listsites.gkmlpt import GkmlptSite
from listsites.govcn import GovcnLibrarySite
from listsites.jpaas import JpaasSite
from listsites.was5 import Was5Site
from listsites.xxgk import XxgkSite

from archive import Archive, Catalogue, DataDir, verify_archive
from archive.listside import for_capture
from crawler import CrawlSummary, crawl
from crawler.sites import choose_adapter
from demosite.server import serve_site

SETTINGS = dataclasses.replace(FAST, delay_s=0.001, jitter=0.0, fetch_attachments=False)
SITES = {"gd_gkmlpt": GkmlptSite, "hanweb_xxgk": XxgkSite, "hanweb_jpaas": JpaasSite, "trs_was5": Was5Site,
         "govcn_library": GovcnLibrarySite}  # fmt: skip

pytestmark = pytest.mark.slow


@dataclasses.dataclass
class Crawled:
    site: ListSite
    url: str
    root: Path
    summary: CrawlSummary
    paths: list[str]


def run(site: ListSite, root: Path) -> Crawled:
    with serve_site(site, host="127.0.0.1", port=0) as srv:  # type: ignore[arg-type]
        data_dir = DataDir(root).ensure()
        with Archive.open(data_dir) as archive:
            summary = crawl(
                site.seeds(srv.url), archive=archive, state_dir=data_dir.crawl_dir, settings=SETTINGS
            )
        return Crawled(site, srv.url, root, summary, [e.path_qs for e in srv.access_log.entries()])


@pytest.fixture(scope="module", params=sorted(SITES))
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    return run(SITES[request.param](), tmp_path_factory.mktemp(request.param))


def document_rows(root: Path) -> list[dict[str, Any]]:
    with Catalogue(DataDir(root).catalogue_path, readonly=True) as cat:
        rows = [dict(r) for r in cat.conn.execute("SELECT * FROM captures WHERE kind = 'document'")]
        for row in rows:
            listed = for_capture(cat.conn, row["capture_id"])
            row["listed"] = listed
        docs = {d.url: d for d in cat.iter_documents()}
    for row in rows:
        row["document"] = docs.get(row["url"])
    return rows


def test_the_catalogue_is_big_enough(crawled: Crawled) -> None:
    assert len(crawled.site.docs) >= 300
    assert len(crawled.site.categories()) >= 3


def test_every_document_fetched_and_archived_exactly_once(crawled: Crawled) -> None:
    expected = {crawled.url + path for path in crawled.site.articles}
    fetched = collections.Counter(p for p in crawled.paths if p.split("?")[0] in crawled.site.articles)
    assert set(fetched) == set(crawled.site.articles)
    assert set(fetched.values()) == {1}
    rows = document_rows(crawled.root)
    assert sorted(r["url"] for r in rows) == sorted(expected)
    assert crawled.summary.new == len(expected) and crawled.summary.failed == 0


def test_no_list_request_past_the_last_page_nor_twice(crawled: Crawled) -> None:
    site = crawled.site
    pages = [site.list_request(p) for p in crawled.paths]
    asked = collections.Counter(p for p in pages if p is not None)
    assert all(category in site.categories() for category, _ in asked)
    past = [(c, n) for c, n in asked if n > site.last_page(c) or n < 1]
    assert past == []
    assert [k for k, v in asked.items() if v > 1] == []
    assert set(asked) == {(c, n) for c in site.categories() for n in range(1, site.last_page(c) + 1)}


def test_list_side_fields_recorded_with_each_capture(crawled: Crawled) -> None:
    by_path = crawled.site.articles
    checked = 0
    for row in document_rows(crawled.root):
        doc = by_path[row["url"][len(crawled.url) :]]
        listed = row["listed"]
        assert listed is not None and listed.adapter == crawled.site.name, row["url"]
        assert listed.fields["title"] == doc.title
        assert listed.fields["publish_date"] == doc.published
        if "doc_no" in listed.fields or crawled.site.name != "hanweb_jpaas":
            assert listed.fields["doc_no"] == doc.doc_no
        if crawled.site.name in ("gd_gkmlpt", "trs_was5", "govcn_library"):
            assert listed.fields["agency"] == doc.agency and listed.fields["index_no"] == doc.index_no
            assert listed.item is not None  # the platform's own row, kept verbatim
        checked += 1
    assert checked == len(by_path)


def test_the_page_wins_and_the_list_fills_what_it_lacks(crawled: Crawled) -> None:
    if crawled.site.name == "hanweb_jpaas":
        pytest.skip("the JPaaS list carries only title and date, which every page shows too")
    lacking = differing = 0
    for row in document_rows(crawled.root):
        doc = crawled.site.articles[row["url"][len(crawled.url) :]]
        fields = row["document"].fields
        assert fields.doc_no == doc.doc_no  # from the page, or from the list where the page has none
        assert ("from_list:doc_no" in fields.flags) == doc.page_lacks_doc_no
        lacking += doc.page_lacks_doc_no
        if crawled.site.name != "hanweb_xxgk":  # xxgk rows carry no agency
            assert fields.agency == doc.shown_agency  # the page's block wins
            assert ("list_differs:agency" in fields.flags) == (doc.page_agency is not None)
            differing += doc.page_agency is not None
    assert lacking > 0
    assert differing > 0 or crawled.site.name == "hanweb_xxgk"


def test_fingerprints_pick_the_platforms_adapter(crawled: Crawled) -> None:
    """Every list page and API answer of the crawl was read by the platform's adapter; the portal pages that only
    link the columns by the generic one."""
    with Catalogue(DataDir(crawled.root).catalogue_path, readonly=True) as cat:
        rows = cat.conn.execute("SELECT url, reason FROM captures WHERE kind = 'list'").fetchall()
    chosen = {url[len(crawled.url) :]: reason for url, reason in rows}
    portals = set(crawled.site.portals)
    assert {p: r for p, r in chosen.items() if p not in portals and r != crawled.site.name} == {}
    assert {chosen[p] for p in portals} <= {"generic"}
    answers = [p for p in chosen if crawled.site.list_request(p) is not None]
    assert len(answers) == sum(crawled.site.last_page(c) for c in crawled.site.categories())


def test_an_unknown_site_gets_the_generic_adapter() -> None:
    text = "<html><head><title>某某协会</title></head><body><a href='/news/1.html'>新闻</a></body></html>"
    assert choose_adapter(text, "http://127.0.0.1:9/index.html").NAME == "generic"
    assert choose_adapter('{"data": [1, 2]}', "http://127.0.0.1:9/api/list?page=2").NAME == "generic"


# (site, the list page that misbehaves, how): catalogues at a third of their size, the faulty page within them
FAULTS = [
    (GkmlptSite, ("2583", 1), "cut", "gd_gkmlpt:not_json"),
    (GkmlptSite, ("2590", 1), "html", "gd_gkmlpt:not_json"),
    (JpaasSite, ("1229561102", 2), "error", "hanweb_jpaas:api_error"),
    (JpaasSite, ("1229561101", 2), "cut", "hanweb_jpaas:not_json"),
    (GovcnLibrarySite, ("bm", 2), "error", "govcn_library:api_error"),
    (GovcnLibrarySite, ("gw-国发", 1), "html", "govcn_library:not_json"),
    (Was5Site, ("229106", 1), "html", "trs_was5:no_recordcount"),
    (XxgkSite, ("1229106542", 2), "html", "hanweb_xxgk:no_rows"),
]


@pytest.mark.parametrize(
    ("factory", "where", "fault", "reason"), FAULTS, ids=[f"{f[0].name}-{f[2]}" for f in FAULTS]
)
def test_a_mis_shaped_answer_is_one_recorded_failure(
    factory: type[ListSite], where: tuple[str, int], fault: str, reason: str, tmp_path: Path
) -> None:
    site = factory(faults={where: fault}, scale=0.33)
    assert site.last_page(where[0]) >= where[1]
    result = run(site, tmp_path)
    assert result.summary.failed == 1 and result.summary.reasons.get(reason) == 1
    asked = collections.Counter(site.list_request(p) for p in result.paths)
    assert asked[where] == 1  # asked once: no retry loop
    with Catalogue(DataDir(tmp_path).catalogue_path, readonly=True) as cat:
        failures = [dict(r) for r in cat.conn.execute("SELECT * FROM captures WHERE kind = 'error'")]
    assert [f["reason"] for f in failures] == [reason]
    assert failures[0]["warc_file"]  # the bad answer is kept as evidence
    # the rest of the catalogue is still crawled: only what the broken page (and, on page 1, its list) names is missing
    archived = len(document_rows(tmp_path))
    category, page = where
    missing = len([d for d in site.docs if d.categories == [category]])
    assert archived >= len(site.docs) - missing and archived < len(site.docs)


def test_the_xxgk_module_wants_its_session_cookie() -> None:
    site = XxgkSite()
    query = "/module/xxgk/search.jsp?infotypeId=A0101&divid=div1229106541&webid=3003&area=&currpage=1"
    without = site.respond("GET", query, {"Host": "h"}).body.decode()
    assert "会话已过期" in without and " mc=" not in without
    with_cookie = site.respond(
        "GET", query, {"Host": "h", "Cookie": "JSESSIONID=7F3A9C0D2B1E4F5A6C7D8E9F0A1B2C3D"}
    )
    assert with_cookie.body.decode().count(" mc=") == 15


def test_list_answers_keep_their_json_beside_the_page(crawled: Crawled) -> None:
    if crawled.site.name not in ("gd_gkmlpt", "govcn_library"):
        pytest.skip("a JSON row per document only on gkmlpt and the gov.cn library")
    row = document_rows(crawled.root)[0]
    item = row["listed"].item
    assert isinstance(item, dict) and item["url"] == row["url"]
    json.dumps(item)


@pytest.mark.parametrize("factory", [GkmlptSite, GovcnLibrarySite], ids=lambda f: f.name)
def test_a_second_run_finds_nothing_changed_and_the_archive_verifies(
    factory: type[ListSite], tmp_path: Path
) -> None:
    """List-side fields merge the same way every time, so a re-check adds no version; the archive verifies."""
    site = factory(scale=0.33)
    with serve_site(site, host="127.0.0.1", port=0) as srv:  # type: ignore[arg-type]
        data_dir = DataDir(tmp_path).ensure()
        summaries = []
        for _ in range(2):
            with Archive.open(data_dir) as archive:
                summaries.append(
                    crawl(
                        site.seeds(srv.url), archive=archive, state_dir=data_dir.crawl_dir, settings=SETTINGS
                    )
                )
    first, second = summaries
    assert first.new == len(site.docs) and first.failed == 0
    assert second.new == 0 and second.changed == 0 and second.unchanged == len(site.docs)
    with Catalogue(data_dir.catalogue_path, readonly=True) as cat:
        versions = cat.conn.execute("SELECT MAX(n) FROM versions").fetchone()[0]
        listed = cat.conn.execute("SELECT COUNT(DISTINCT capture_id) FROM list_fields").fetchone()[0]
    assert versions == 1 and listed >= len(site.docs)
    report = verify_archive(data_dir)
    assert report.ok, report.lines()


class OverlappingGkmlpt(GkmlptSite):
    """Category 2600 lists 2583's newest 100 first (its whole page 1 is known by then), then 20 older ones of its
    own on page 2: the announced page 2 must still be asked for."""

    def __init__(self) -> None:
        super().__init__()
        for doc in self.docs:
            doc.categories = [c for c in doc.categories if c != "2600"] or ["2590"]
        newest = [d for d in self.docs if "2583" in d.categories][:100]
        oldest = [d for d in reversed(self.docs) if d.categories == ["2590"]][:20]
        for doc in newest:
            doc.categories.append("2600")
        for n, doc in enumerate(oldest):
            doc.categories = ["2600"]
            doc.written = doc.published = f"2018-01-{n + 1:02d}"
        self.docs = newest_first(self.docs)


def test_an_announced_page_is_asked_for_after_a_page_of_known_documents(tmp_path: Path) -> None:
    site = OverlappingGkmlpt()
    result = run(site, tmp_path)
    asked = collections.Counter(site.list_request(p) for p in result.paths)
    assert asked[("2600", 1)] == 1 and asked[("2600", 2)] == 1
    fetched = collections.Counter(p for p in result.paths if p in site.articles)
    assert set(fetched) == set(site.articles) and set(fetched.values()) == {1}
