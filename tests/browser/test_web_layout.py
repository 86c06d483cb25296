"""The search and document pages in Chromium at 1366 px and at 390 px (a phone), judged by where elements are.

Each check takes a screenshot (kept in the test's tmp dir, or in $GONGKAI_SCREENSHOTS when set, to look at) and
compares the bounding boxes of the elements that matter, never pixels: fonts and antialiasing differ between
machines, positions relative to each other do not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from browsersite import Site

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture(params=sorted(VIEWPORTS))
def view(request: pytest.FixtureRequest, browser: Any, tmp_path: Path) -> Iterator[tuple[str, Any, Path]]:
    name = request.param
    width, height = VIEWPORTS[name]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    shots = Path(os.environ.get("GONGKAI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    yield name, page, shots
    context.close()


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not displayed"
    return dict(found)


def shoot(page: Any, shots: Path, name: str, label: str) -> None:
    page.screenshot(path=str(shots / f"{label}-{name}.png"))


def no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_results_come_first_and_facets_sit_behind_a_button_on_a_phone(
    view: tuple[str, Any, Path], site: Site
) -> None:
    name, page, shots = view
    page.goto(site.app_url + "/search?q=通知&agency=市公安局")
    shoot(page, shots, name, "search")
    no_overflow(page)
    first_hit = box(page, "li.hit")
    height = page.viewport_size["height"]
    assert first_hit["y"] < height * 0.75  # the first result is on the first screen, not 1.6 screens down
    toggle = page.locator("summary.filter-toggle")
    if name == "phone":
        assert toggle.is_visible() and "筛选" in toggle.inner_text() and "已选 1" in toggle.inner_text()
        assert not page.locator("aside.filters fieldset").first.is_visible()
        assert box(page, "summary.filter-toggle")["y"] < first_hit["y"]
        toggle.click()
        assert page.locator("aside.filters fieldset").first.is_visible()
        shoot(page, shots, name, "search-filters-open")
        facets = box(page, "aside.filters")
        assert facets["y"] + facets["height"] <= box(page, "li.hit")["y"]  # opened above the results
    else:
        assert not toggle.is_visible()
        facets = box(page, "aside.filters")
        results = box(page, "section.results")
        assert facets["x"] + facets["width"] <= results["x"]  # beside the results, on the left
        assert abs(facets["y"] - results["y"]) < 40
    no_overflow(page)


def test_chips_remove_filters_and_facets_stay_any_of(view: tuple[str, Any, Path], site: Site) -> None:
    name, page, shots = view
    page.goto(site.app_url + "/search?q=通知&agency=市公安局&since=2015-01-01")
    shoot(page, shots, name, "chips")
    chips = page.locator("ul.chips a.chip")
    assert chips.count() == 2
    chip_boxes = [chips.nth(i).bounding_box() for i in range(chips.count())]
    assert all(b is not None for b in chip_boxes)
    assert not overlaps(chip_boxes[0], chip_boxes[1])  # type: ignore[arg-type]
    assert chip_boxes[0]["y"] < box(page, "li.hit")["y"]  # type: ignore[index]
    total_one = int(page.locator("h1.total strong").inner_text())
    if name == "phone":
        page.click("summary.filter-toggle")
    other = page.locator("input[name=agency]:not([checked])").first
    assert other.is_enabled()
    other_count = int(page.locator(f"label[for='{other.get_attribute('id')}'] .count").inner_text())
    other.check()
    page.click("button.apply")
    page.wait_for_load_state()
    assert int(page.locator("h1.total strong").inner_text()) == total_one + other_count
    page.locator("ul.chips a.chip", has_text="市公安局").click()
    page.wait_for_load_state()
    assert "市公安局" not in dict(parse_qsl(urlsplit(page.url).query)).get("agency", "")
    assert page.locator("ul.chips a.chip", has_text="市公安局").count() == 0


def test_titles_are_marked_and_no_results_is_not_a_list_item(view: tuple[str, Any, Path], site: Site) -> None:
    name, page, shots = view
    page.goto(site.app_url + "/search?q=枫桥")
    mark = box(page, "h2.hit-title mark")
    title = box(page, "h2.hit-title")
    assert title["x"] <= mark["x"] and mark["x"] + mark["width"] <= title["x"] + title["width"] + 1
    assert page.locator("h2.hit-title mark").first.inner_text() == "枫桥"
    page.goto(site.app_url + "/search?q=" + quote("没有这样的文件组合"))
    shoot(page, shots, name, "no-results")
    assert page.locator("p.no-hits").is_visible() and page.locator("ol.hits").count() == 0
    assert page.evaluate("document.querySelector('p.no-hits').closest('li') === null")
    no_overflow(page)


@pytest.mark.parametrize(
    "q, words", [("OR NOT", "只有运算符"), ('"', "只有运算符"), ("()", "只有运算符"), ("foo:公安", "foo")]
)
def test_queries_that_find_nothing_to_search_say_so(
    view: tuple[str, Any, Path], site: Site, q: str, words: str
) -> None:
    name, page, shots = view
    response = page.goto(site.app_url + "/search?q=" + quote(q))
    assert response is not None and response.status == 400
    notice = page.locator("div.notice")
    assert notice.is_visible() and words in notice.inner_text()
    assert box(page, "div.notice")["y"] < page.viewport_size["height"]
    assert page.locator("li.hit").count() == 0
    if q == "OR NOT":
        shoot(page, shots, name, "operators-only")


def test_month_chart_starts_at_the_requested_start_with_labels_apart(
    view: tuple[str, Any, Path], site: Site
) -> None:
    name, page, shots = view
    page.goto(site.app_url + "/search?since=2021-01-01&until=2022-12-31")
    shoot(page, shots, name, "chart")
    labels = page.locator("svg.chart-svg text.bar-label")
    assert labels.count() >= 4
    assert labels.first.text_content() == "2021-01"
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    chart = box(page, "svg.chart-svg")
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a is not None and b is not None
        assert a["x"] + a["width"] <= b["x"], (a, b)  # no two labels overlap
    assert all(b is not None and b["x"] + b["width"] <= chart["x"] + chart["width"] + 1 for b in boxes)
    no_overflow(page)


def test_document_page_keeps_the_search_shows_beijing_time_and_every_capture(
    view: tuple[str, Any, Path], site: Site
) -> None:
    name, page, shots = view
    page.goto(site.app_url + "/search?q=" + quote("版本测试"))
    page.locator("h2.hit-title a").first.click()
    page.wait_for_url("**/documents/*")
    back = page.locator("p.crumbs a")
    assert back.inner_text() == "返回检索结果"
    assert dict(parse_qsl(urlsplit(back.get_attribute("href")).query)) == {"q": "版本测试"}
    citation = page.locator("#citation").input_value()
    assert "（北京时间）" in citation and "T" not in citation.split("存档于 ")[1][:16]
    points = page.locator("ol.timeline-points li.point")
    assert points.count() >= 2
    page.locator("section.timeline").scroll_into_view_if_needed()
    shoot(page, shots, name, "timeline")
    boxes = [points.nth(i).bounding_box() for i in range(points.count())]
    assert all(b is not None for b in boxes)
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a["y"] + a["height"] <= b["y"] + 1  # type: ignore[index]  # one under the other, no overlap
    for i in range(points.count()):
        text = points.nth(i).inner_text()
        assert "HTTP" in text and ("新版本" in text or "首个版本" in text or "未变" in text or "失败" in text)
    assert points.locator("code.digest").count() >= 1
    no_overflow(page)
    back.click()
    page.wait_for_load_state()
    assert page.locator("#q").input_value() == "版本测试"
