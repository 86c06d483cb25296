"""The accountability pages in headless Chromium: they render, their charts are accessible images with a table
twin, nothing logs an error or trips the CSP (agency names in this corpus carry XSS payloads), and the pages can be
used with the keyboard alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from browsersite import Site

pytestmark = pytest.mark.browser


class Console:
    def __init__(self, context: Any, page: Any) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda msg: msg.type in ("error", "warning") and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def test_agencies_overview_and_agency_page_render_without_errors(browser: Any, site: Site) -> None:
    context = browser.new_context()
    page = context.new_page()
    console = Console(context, page)
    site.canary.reset()
    response = page.goto(site.app_url + "/agencies")
    assert response is not None and response.status == 200
    rows = page.locator("#agencies-table tbody tr[data-agency]")
    assert rows.count() >= 4
    names = [rows.nth(i).get_attribute("data-agency") for i in range(rows.count())]
    assert "市公安局" in names
    page.goto(site.app_url + "/agencies/" + quote("市公安局"))
    assert page.locator("h1").inner_text() == "市公安局"
    chart = page.locator("figure.chart svg[role=img]").first
    assert chart.is_visible()
    label_id = chart.get_attribute("aria-labelledby")
    assert label_id and page.locator(f"#{label_id}").count() == 1
    assert page.locator("#months-table tbody tr").count() >= 1  # the chart's table twin
    assert page.locator("#late-table caption").is_visible()
    # every agency page, including those whose names carry payloads, renders inertly
    for name in names:
        page.goto(site.app_url + "/agencies/" + quote(name or "", safe=""))
        assert page.locator("h1").inner_text() == name
    assert console.errors == [] and console.dialogs == []
    assert site.canary.hits == []
    context.close()


def test_agencies_pages_work_from_the_keyboard(browser: Any, site: Site) -> None:
    context = browser.new_context()
    page = context.new_page()
    console = Console(context, page)
    page.goto(site.app_url + "/agencies")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(10):  # past the JSON and CSV links to the first agency's own page
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/agencies/"):
            break
    assert href.startswith("/agencies/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/agencies/*")
    assert page.locator("#months-table").is_hidden()  # inside a closed <details>
    page.locator("details summary").first.focus()
    page.keyboard.press("Enter")
    assert page.locator("#months-table").is_visible()
    page.locator("#summary a").first.focus()
    assert page.evaluate("document.activeElement.tagName") == "A"
    assert console.errors == []
    context.close()


def test_agencies_pages_fit_a_phone_screen(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    console = Console(context, page)
    for path in ("/agencies", "/agencies/" + quote("市公安局"), "/agencies/" + quote("市财政局")):
        page.goto(site.app_url + path)
        if page.locator("details summary").count():
            page.locator("details summary").first.click()  # the month table open as well
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    assert console.errors == []
    context.close()
