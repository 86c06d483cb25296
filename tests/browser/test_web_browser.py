"""The web UI in headless Chromium: the main flows, viewer isolation (docs/TESTPLAN.md S1) and XSS (S2), CSP (S3)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browsersite import Site

pytestmark = pytest.mark.browser

QUIET_MS = 1200  # how long "nothing happened" is watched for after a page has loaded


class Watch:
    """Everything a page might do that it should not: dialogs, popups, console lines, CSP violations."""

    def __init__(self, context: Any, page: Any) -> None:
        self.dialogs: list[str] = []
        self.popups: list[str] = []
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda msg: self.console.append(msg.text))
        context.on("page", lambda p: self.popups.append(p.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def csp_violations(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line or "Refused to" in line]


def new_page(browser: Any, site: Site, **kw: Any) -> tuple[Any, Any, Watch]:
    context = browser.new_context(**kw)
    context.add_cookies([{"name": "gk_session", "value": "COOKIE-SECRET-42", "url": site.app_url}])
    page = context.new_page()
    return context, page, Watch(context, page)


def test_search_filter_read_original_export_and_feed(browser: Any, site: Site) -> None:
    context, page, watch = new_page(browser, site, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.app_url)
    page.goto(site.app_url + "/")
    page.fill("#q", "枫桥")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("li.hit mark").count() > 0
    total_all = int(page.locator("h1.total strong").inner_text())
    page.get_by_role("checkbox", name="市公安局").check()
    page.click("button.apply")
    page.wait_for_url("**agency=*")
    total_police = int(page.locator("h1.total strong").inner_text())
    assert 0 < total_police <= total_all
    assert page.get_by_role("checkbox", name="市公安局").is_checked()
    page.fill("#since", "2020-01-01")
    page.click("button.apply")
    page.wait_for_url("**since=2020-01-01*")
    dates = page.locator("li.hit .hit-meta div:has(dt:text('发布日期')) dd").all_inner_texts()
    assert dates and all(d >= "2020-01-01" for d in dates)
    page.click("ul.presets a:text('近一年')")
    page.wait_for_load_state()
    assert "since=" in page.url and page.locator("ul.presets a[aria-current]").inner_text() == "近一年"
    page.goto(site.app_url + "/search?q=枫桥&agency=市公安局")
    title = page.locator("li.hit h2 a").first.inner_text()
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/documents/*")
    assert page.locator("h1").inner_text() == title
    assert page.locator("table.meta").inner_text().count("市公安局") >= 1
    page.click("button.copy")  # the site's only script runs under script-src 'self'
    page.wait_for_function("document.querySelector('.copy-status').textContent === '已复制'")
    page.click("text=查看存档原页面")
    page.wait_for_url("**/original")
    frame_el = page.locator("iframe.original-frame")
    assert frame_el.get_attribute("sandbox") == ""
    frame = page.frame_locator("iframe.original-frame")
    assert "推进法治政府建设" in frame.locator("body").inner_text() or frame.locator("#zoom").count() == 1
    page.goto(site.app_url + "/search?q=枫桥")
    with page.expect_download() as info:
        page.click("text=导出 CSV")
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["编号", "网址", "标题"] and len(rows) - 1 == total_all
    feed_href = page.locator("a:text('订阅 Atom')").get_attribute("href")
    feed = page.request.get(site.app_url + feed_href)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.body()).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == total_all
    assert watch.csp_violations() == [] and watch.dialogs == []
    context.close()


def _isolation(site: Site) -> tuple[str, int]:
    return site.corpus.ids["isolation"], site.corpus.captures["isolation"]


def _settle(page: Any) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(QUIET_MS)


def test_archived_page_is_inert_in_the_viewer(browser: Any, site: Site) -> None:
    doc_id, _ = _isolation(site)
    context, page, watch = new_page(browser, site)
    site.canary.reset()
    url = f"{site.app_url}/documents/{doc_id}/original"
    page.goto(url)
    frame = page.frame_locator("iframe.original-frame")
    assert frame.locator("#marker").inner_text() == "存档页面正文 ISOLATION"  # the page did load
    frame.locator("#ping").click()
    _settle(page)
    assert site.canary.hits == []
    assert watch.dialogs == [] and watch.popups == []
    assert not any("gk-archived-script" in line for line in watch.console)
    assert page.url == url
    context.close()


def test_raw_url_opened_directly_is_inert(browser: Any, site: Site) -> None:
    _, capture_id = _isolation(site)
    context, page, watch = new_page(browser, site)
    site.canary.reset()
    url = f"{site.raw_url}/captures/{capture_id}"
    response = page.goto(url)
    assert response is not None and response.headers["content-security-policy"].startswith("sandbox;")
    assert page.locator("#marker").inner_text() == "存档页面正文 ISOLATION"
    page.locator("#ping").click()
    _settle(page)
    assert site.canary.hits == []
    assert watch.dialogs == [] and watch.popups == []
    assert not any("gk-archived-script" in line for line in watch.console)
    assert page.url.split("#")[0] == url  # the harness's own click on the ping link only adds a fragment
    context.close()


def test_positive_control_unsafe_viewer_leaks(browser: Any, site: Site) -> None:
    """The same check against a deliberately unsafe same-origin viewer must see the leaks, or it is blind."""
    doc_id, _ = _isolation(site)
    context, page, watch = new_page(browser, site)
    site.canary.reset()
    page.goto(f"{site.app_url}/test-only/unsafe-original/{doc_id}", wait_until="commit")
    page.wait_for_timeout(QUIET_MS)
    leaked = site.canary.paths()
    assert len(leaked) >= 20, leaked  # docs/TESTPLAN.md S1: the control must show at least 20 distinct leaks
    assert any("COOKIE-SECRET-42" in path for _, path in site.canary.hits)
    assert watch.dialogs or any("gk-archived-script" in line for line in watch.console)
    context.close()


def test_xss_payloads_run_nothing_in_chromium(browser: Any, site: Site) -> None:
    context, page, watch = new_page(browser, site)
    site.canary.reset()
    probe = "[[...document.scripts].map(s => s.src), document.querySelectorAll('img, object, embed, base, video, audio').length]"
    for index, payload in enumerate(site.payloads):
        q = quote(payload)
        for url in (
            f"/search?q={q}&agency={q}&topic={q}",  # echoed in the box and as chosen filters
            f"/documents/{site.corpus.ids[f'xss{index}']}",  # stored in every field
        ):
            page.goto(site.app_url + url, wait_until="domcontentloaded")
            scripts, foreign = page.evaluate(probe)
            assert scripts == [site.app_url + "/static/app.js"] and foreign == 0, url
    for number in (1, 2, 3, 4):  # result lists with payload titles, snippets and facet values
        page.goto(f"{site.app_url}/search?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95&page={number}")
        scripts, foreign = page.evaluate(probe)
        assert scripts == [site.app_url + "/static/app.js"] and foreign == 0
    page.goto(site.app_url + "/search?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95")
    page.wait_for_timeout(300)
    assert watch.dialogs == []
    assert not any("gkx" in line for line in watch.console)
    assert watch.csp_violations() == []
    assert site.canary.hits == []
    context.close()


def test_keyboard_and_phone_width(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in (
        "/search?q=枫桥",
        f"/documents/{site.corpus.ids['versioned']}",
        f"/documents/{site.corpus.ids['xss21']}",
    ):
        page.goto(site.app_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    watch = Watch(context, page)
    doc_id = site.corpus.ids["versioned"]
    for path in (
        "/documents/nope",
        "/search?page=-1",
        f"/documents/{doc_id}/diff?a=1&b=2",
        "/api/openapi.json",
    ):
        page.goto(site.app_url + path)
    assert watch.csp_violations() == []  # docs/TESTPLAN.md S3: legitimate pages trip no CSP rule
    page.goto(site.app_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("枫桥")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("li.hit").count() > 0
    context.close()


def test_watch_page_and_change_feed_link(browser: Any, site: Site) -> None:
    """The 监视 page is reachable from every page, renders under the CSP, and the 订阅变化 link is a feed."""
    context, page, watch = new_page(browser, site)
    page.goto(site.app_url + "/search?q=枫桥")
    assert page.locator("a.save-alert").count() == 0  # the public site has no write side
    href = page.locator("a:text('订阅变化')").get_attribute("href")
    feed = page.request.get(site.app_url + href)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    page.click("header nav a:text('监视')")
    page.wait_for_url("**/watch")
    assert page.locator("h1").inner_text() == "监视状态"
    assert watch.csp_violations() == [] and watch.dialogs == []
    context.close()
