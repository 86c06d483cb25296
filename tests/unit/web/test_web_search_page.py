"""The search page a journalist would use: any-of facets with counts, removable chips, marked titles, an honest
"no results", queries that say what went wrong, a month axis from the requested start, and the way back from a
document to its search."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import html5lib
from flask.testing import FlaskClient
from webcorpus import Corpus

from web.charts import WIDTH, build_chart, label_step


def parse(body: bytes):  # type: ignore[no-untyped-def]
    return html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)


def text_of(el) -> str:  # type: ignore[no-untyped-def]
    return "".join(el.itertext())


def facet(page, name: str) -> dict[str, tuple[int, bool]]:  # type: ignore[no-untyped-def]
    """value -> (count, checked) of one facet's checkboxes."""
    out = {}
    for box in page.iterfind(f".//input[@name='{name}']"):
        label = page.find(f".//label[@for='{box.get('id')}']")
        out[box.get("value")] = (int(label.find("span").text), box.get("checked") is not None)
    return out


def api_total(client: FlaskClient, qs: str) -> int:
    total: int = client.get("/api/search" + qs).get_json()["total"]
    return total


def test_facets_are_any_of_and_keep_the_other_values_with_their_counts(client: FlaskClient) -> None:
    everything = facet(parse(client.get("/search?q=通知").data), "agency")
    assert len(everything) >= 3
    chosen = "市公安局"
    page = parse(client.get(f"/search?q=通知&agency={chosen}").data)
    agencies = facet(page, "agency")
    # the other agencies stay selectable, with the counts they would add
    assert {v: c for v, (c, _) in agencies.items()} == {v: c for v, (c, _) in everything.items()}
    assert agencies[chosen][1] and not any(checked for v, (_, checked) in agencies.items() if v != chosen)
    other = next(v for v in agencies if v != chosen)
    both = api_total(client, f"?q=通知&agency={chosen}&agency={other}")
    assert both == agencies[chosen][0] + agencies[other][0]
    # the topic facet still narrows with the agency filter (only its own filter is lifted)
    topics = facet(page, "topic")
    assert sum(c for c, _ in topics.values()) == api_total(client, f"?q=通知&agency={chosen}")


def test_active_filters_are_chips_that_remove_themselves(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=通知&agency=市公安局&topic=公安&since=2016-01-01").data)
    chips = {
        text_of(a).split("×")[0].strip(): a.get("href") for a in page.iterfind(".//ul[@class='chips']//a")
    }
    assert set(chips) == {"发布机构：市公安局", "主题分类：公安", "发布日期起：2016-01-01", "全部清除"}
    left = dict(parse_qsl(urlsplit(chips["发布机构：市公安局"]).query))
    assert left == {"q": "通知", "topic": "公安", "since": "2016-01-01"}
    assert dict(parse_qsl(urlsplit(chips["全部清除"]).query)) == {"q": "通知"}
    assert page.find(".//ul[@class='chips']") is not None
    assert parse(client.get("/search?q=通知").data).find(".//ul[@class='chips']") is None


def test_titles_are_marked_like_snippets_and_escaped(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=枫桥").data)
    titles = list(page.iterfind(".//h2[@class='hit-title']/a"))
    assert titles and any(t.find("mark") is not None for t in titles)
    for title in titles:
        assert {e.tag for e in title.iter()} <= {"a", "mark"}
        for mark in title.iterfind("mark"):
            assert mark.text == "枫桥"
    payload = parse(client.get("/search?q=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95").data)
    for title in payload.iterfind(".//h2[@class='hit-title']/a"):
        assert {e.tag for e in title.iter()} <= {"a", "mark"}


def test_no_results_is_a_message_not_a_numbered_item(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=不存在的检索词组合&page=1").data)
    assert page.find(".//ol[@class='hits']") is None
    assert "没有找到匹配的文件" in text_of(page.find(".//p[@class='no-hits']"))


def test_operators_alone_and_unknown_fields_say_what_happened(client: FlaskClient) -> None:
    for q, words in (
        ("OR NOT", "只有运算符"),
        ("%22", "只有运算符"),
        ("()", "只有运算符"),
        ("foo:公安", "foo"),
    ):
        response = client.get(f"/search?q={q}")
        assert response.status_code == 400, q
        notice = text_of(parse(response.data).find(".//div[@class='notice']"))
        assert words in notice, (q, notice)
        assert client.get(f"/api/search?q={q}").status_code == 400
    assert client.get('/search?q="foo:公安"').status_code == 200  # quoted, it is text


def test_month_axis_starts_at_the_requested_start_and_labels_never_overlap() -> None:
    chart = build_chart({"2021-06": 3, "2022-02": 1}, "月", start="2021-01-01", end="2022-12-31")
    assert chart is not None
    assert chart.bars[0].label == "2021-01" and chart.bars[-1].label == "2022-12" and len(chart.bars) == 24
    shown = [b for b in chart.bars if b.show_label]
    assert shown[0].label == "2021-01"
    width = len("2021-01") * 6.6
    assert all(b.x - a.x >= width for a, b in zip(shown, shown[1:], strict=False))
    assert all(b.x + width <= WIDTH for b in shown)
    for months in range(1, 61):
        step = label_step(months, 7)
        assert months / step * width <= WIDTH


def test_document_page_leads_back_to_the_search(client: FlaskClient, corpus: Corpus) -> None:
    page = parse(client.get("/search?q=通知&agency=市财政局&page=1").data)
    link = page.find(".//h2[@class='hit-title']/a").get("href")
    assert dict(parse_qsl(urlsplit(link).query)) == {"q": "通知", "agency": "市财政局"}
    document = parse(client.get(link).data)
    back = document.find(".//p[@class='crumbs']/a")
    assert text_of(back) == "返回检索结果"
    assert dict(parse_qsl(urlsplit(back.get("href")).query)) == {"q": "通知", "agency": "市财政局"}
    plain = parse(client.get(f"/documents/{corpus.ids['doc1']}?sort=nonsense").data)
    assert plain.find(".//p[@class='crumbs']/a").get("href") == "/search"


def test_capture_timeline_lists_every_capture_with_status_and_digest(
    client: FlaskClient, corpus: Corpus
) -> None:
    doc_id = corpus.ids["versioned"]
    history = client.get(f"/api/documents/{doc_id}").get_json()["history"]
    page = parse(client.get(f"/documents/{doc_id}").data)
    points = list(page.iterfind(".//ol[@class='timeline-points']/li"))
    assert len(points) == len(history["captures"]) >= 2
    by_id = {c["capture_id"]: c for c in history["captures"]}
    for point in points:
        capture = by_id[int(point.get("id").removeprefix("capture-"))]
        assert f"HTTP {capture['status']}" in text_of(point)
        if capture["sha256"]:
            assert point.find(".//code").get("title") == f"SHA-256 {capture['sha256']}"
    outcomes = [p.get("class").split()[1] for p in points]
    assert outcomes.count("version") == len(history["versions"])
    times = [p.find("time").get("datetime") for p in points]
    assert times == sorted(times, reverse=True)  # newest first, as the Wayback Machine lists them


def test_timeline_names_what_each_capture_meant() -> None:
    from web.timeline import capture_timeline

    def capture(n: int, at: str, status: int | None, **kw: object) -> dict[str, object]:
        return {
            "capture_id": n,
            "captured_at": at,
            "status": status,
            "sha256": f"{n:064x}",
            "warc": {"file": "a.warc.gz"},
            **kw,
        }

    history = {
        "versions": [{"n": 1, "capture_id": 1}, {"n": 2, "capture_id": 3}],
        "captures": [
            capture(1, "2024-12-31T17:00:00Z", 200, record_type="response", kind="document"),
            capture(2, "2025-01-05T01:00:00Z", 200, record_type="revisit", kind="document"),
            capture(3, "2025-02-01T01:00:00Z", 200, record_type="response", kind="document"),
            capture(
                4, "2025-03-01T01:00:00Z", 404, record_type=None, kind="error", reason="http_404", warc=None
            ),
        ],
    }
    years = capture_timeline(history)
    assert [y.year for y in years] == ["2025"]  # 2024-12-31T17:00Z is 2025-01-01 01:00 in Beijing
    points = years[0].points
    assert [p.capture_id for p in points] == [4, 3, 2, 1]
    assert [p.label for p in points] == ["失败（http_404）", "新版本 2", "未变", "首个版本"]
    assert [p.outcome for p in points] == ["failed", "version", "same", "version"]
    assert points[-1].shown == "2025-01-01 01:00" and not points[0].viewable and points[1].viewable
