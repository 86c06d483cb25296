"""List-side fields: the page wins, the list fills what the page lacks, disagreements are flagged on both sides."""

from __future__ import annotations

from archive import Archive, DataDir, Exchange, ListFields, Parsed
from archive.listside import apply

LISTED = {"doc_no": "云府办〔2021〕3号", "agency": "云溪市人民政府办公室", "publish_date": "2021-02-26"}


def test_the_list_fills_only_what_the_page_lacks() -> None:
    page = Parsed(title="关于x的通知", agency="云溪市人民政府办公室", publish_date="2021-02-26")
    merged = apply(page, LISTED)
    assert merged.doc_no == "云府办〔2021〕3号" and merged.flags == ("from_list:doc_no",)
    assert apply(merged, LISTED) == merged  # idempotent: a re-parse gives the same version


def test_disagreement_keeps_the_page_value_and_says_so() -> None:
    page = Parsed(agency="云溪市政务服务数据管理局", doc_no="云府办[2021]3号", publish_date="2021-02-26")
    merged = apply(page, LISTED)
    assert merged.agency == "云溪市政务服务数据管理局" and merged.doc_no == "云府办[2021]3号"
    assert merged.flags == ("list_differs:agency",)  # 〔〕 and [] are the same 文号


def test_list_titles_cut_with_an_ellipsis_agree() -> None:
    assert apply(Parsed(title="关于做好政务公开工作的通知"), {"title": "关于做好政务…"}).flags == ()


def test_recorded_beside_the_capture_and_kept_by_reextract(data_dir: DataDir) -> None:
    page = b"<html><head><title>t</title></head><body><p>" + "正文。".encode() * 300 + b"</p></body></html>"
    exchange = Exchange(
        url="http://h/a.html",
        final_url="http://h/a.html",
        started_at="2026-01-01T00:00:00Z",
        status=200,
        response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        wire_body=page,
        content=page,
    )
    with Archive.open(data_dir) as archive:
        capture = archive.record(exchange, kind="document", reason=None, charset="utf-8")
        entry = ListFields("http://h/api?page=1", "gd_gkmlpt", LISTED, item={"identifier": "x"})
        archive.record_list_fields(capture, entry)
        assert archive.list_fields(capture) == entry
        change = archive.upsert_document(capture, apply(Parsed(title="t", body="正文"), LISTED), capture.url)
        archive.reextract(lambda raw, url, ctype: Parsed(title="t", body="正文"))
        fields = archive.catalogue.get_document(change.doc_id).fields
    assert fields.doc_no == LISTED["doc_no"] and "from_list:doc_no" in fields.flags
