"""Blueprint "documents": the document page and its JSON twin, the diff view and the framed original.

Archived HTML never enters these pages: the original is shown only as an `<iframe sandbox="">` whose source is
the raw origin (web/raw.py), where the sandbox CSP applies (docs/TESTPLAN.md finding 12, docs/STYLE.md anti-pattern 10).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, render_template, request

from archive import CaptureNotFound, Document
from archive.attachtexts import STATUS_LABELS, TYPE_LABELS

from .diffs import FIELD_LABELS, changed_fields, text_diff
from .queryargs import ArgsError, SearchArgs, parse_id, parse_search_args
from .resources import get_catalogue, web_context
from .timefmt import beijing_text
from .timeline import capture_timeline

bp = Blueprint("documents", __name__, url_prefix="")

DOC_ID_MAX = 200
EVENT_LABELS: dict[str, str] = {
    "new": "首次收录",
    "changed": "内容变化",
    "moved": "网址变更",
    "removed": "原网页删除",
    "restored": "原网页恢复",
}


def _load(doc_id: str) -> Document:
    if len(doc_id) > DOC_ID_MAX:
        abort(404)
    document: Document = get_catalogue().get_document(doc_id)
    return document


def raw_url(capture_id: int) -> str:
    return f"{web_context().settings.raw_origin}/captures/{capture_id}"


def _metadata_rows(document: Document) -> list[tuple[str, str]]:
    """The block with the page's own labels when the parser kept them, else our standard labels."""
    fields = document.fields
    if fields.raw_fields:
        return [(label, value) for label, value in fields.raw_fields]
    values = fields.field_values()
    return [(FIELD_LABELS[name], value) for name, value in values.items() if value and name in FIELD_LABELS]


def citation(document: Document) -> str:
    f = document.fields
    parts = [
        f.title or "（无标题）",
        f.agency,
        f.doc_no and f.doc_no != "无" and f"文号 {f.doc_no}",
        f.index_no and f"索引号 {f.index_no}",
        document.url,
        f"存档于 {beijing_text(document.captured_at)}（北京时间）",
        document.sha256 and f"SHA-256 {document.sha256}",
    ]
    return "，".join(p for p in parts if p) + "。"


def _archived_attachments(document: Document) -> dict[str, int]:
    """Attachment URL -> capture id of its archived copy, for those the crawler fetched."""
    catalogue = get_catalogue()
    found: dict[str, int] = {}
    for attachment in document.fields.attachments:
        capture = catalogue.last_capture(attachment.url)
        if capture is not None and capture.location is not None:
            found[attachment.url] = capture.capture_id
    return found


def _attachment_records(document: Document) -> list[dict[str, Any]]:
    """Each attachment with type, size, SHA-256, extraction status and text (archive.attachtexts.records).
    One archived before its text was extracted (an archive from before extraction existed) is "pending" until
    `gongkai index --reparse`, not "not fetched"."""
    catalogue = get_catalogue()
    records: list[dict[str, Any]] = catalogue.attachment_records(document)
    for record in records:
        if record["extraction"]["status"] == "not_fetched":
            capture = catalogue.last_capture(record["url"])
            if capture is not None and capture.location is not None and capture.kind == "attachment":
                record["extraction"] = {"status": "pending", "reason": "gongkai index --reparse"}
                record["capture_id"] = capture.capture_id
    return records


def _history(doc_id: str) -> dict[str, Any]:
    history: dict[str, Any] = get_catalogue().document_history(doc_id)
    return history


def _back_to_search() -> SearchArgs:
    """The search the reader came from (its parameters ride on the result link), for the 检索 link."""
    try:
        return parse_search_args(request.args, web_context().settings)
    except ArgsError:
        return SearchArgs()


@bp.get("/documents/<doc_id>")
def show(doc_id: str) -> str:
    document = _load(doc_id)
    history = _history(doc_id)
    return render_template(
        "document.html",
        doc=document,
        f=document.fields,
        rows=_metadata_rows(document),
        paragraphs=[p for p in document.fields.body.split("\n") if p.strip()],
        history=history,
        citation=citation(document),
        field_labels=FIELD_LABELS,
        event_labels=EVENT_LABELS,
        archived_attachments=_archived_attachments(document),
        attachments=_attachment_records(document),
        status_labels=STATUS_LABELS,
        type_labels=TYPE_LABELS,
        raw_url=raw_url,
        back=_back_to_search(),
        timeline=capture_timeline(history),
    )


@bp.get("/api/documents/<doc_id>")
def api_show(doc_id: str) -> Response:
    document = _load(doc_id)
    record = document.to_record()
    record["attachments"] = _attachment_records(document)
    record["history"] = _history(doc_id)
    return jsonify(record)


def _version_number(name: str, default: int, versions: int) -> int:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    number = parse_id(value)
    if number is None or not 1 <= number <= versions:
        raise ArgsError(f"版本号 {name} 应为 1 到 {versions} 之间的整数")
    return number


@bp.get("/documents/<doc_id>/diff")
def diff(doc_id: str) -> str:
    document = _load(doc_id)
    if document.versions < 2:
        raise ArgsError("这份文件只有一个版本，没有可比较的内容。")
    a = _version_number("a", document.versions - 1, document.versions)
    b = _version_number("b", document.versions, document.versions)
    catalogue = get_catalogue()
    old, new = catalogue.get_version(doc_id, a), catalogue.get_version(doc_id, b)
    return render_template(
        "diff.html",
        doc=document,
        a=a,
        b=b,
        fields=changed_fields(old, new),
        lines=text_diff(old.body, new.body),
        versions=range(1, document.versions + 1),
    )


def _capture_for(document: Document) -> int:
    """The capture to show: the current one, or `?capture=` when it belongs to this document."""
    value = request.args.get("capture")
    if value is None or value == "":
        return document.capture_id
    capture_id = parse_id(value)
    if capture_id is None:
        raise ArgsError("capture 应为抓取编号")
    if capture_id not in get_catalogue().document_capture_ids(document.doc_id):
        raise CaptureNotFound(capture_id)
    return capture_id


@bp.get("/documents/<doc_id>/original")
def original(doc_id: str) -> str:
    document = _load(doc_id)
    capture_id = _capture_for(document)
    capture = get_catalogue().get_capture(capture_id)
    return render_template("original.html", doc=document, capture=capture, raw_src=raw_url(capture_id))


def unsafe_original(doc_id: str) -> Response:
    """TEST ONLY, the positive control: archived bytes same-origin, unsandboxed, without CSP."""
    from .resources import read_capture

    document = _load(doc_id)
    raw = read_capture(get_catalogue().get_capture(document.capture_id))
    g.unsafe_test_response = True
    return Response(raw.body, mimetype="text/html")
