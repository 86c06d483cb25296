"""Blueprint "exports": CSV and JSONL of every document matching a search (capped), streamed.

The rows are the public document record (Document.to_record), the same as `gongkai export`, so a file from the
site and one from the CLI line up column for column. CSV starts with a byte order mark and a Chinese header row
(Excel and WPS need both to open it right); `headers=en` gives the record's field names instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import islice
from typing import Any

from flask import Blueprint, Response, request, stream_with_context

from archive import write_csv, write_jsonl

from .queryargs import ArgsError, SearchArgs, parse_search_args
from .resources import get_catalogue, web_context
from .search import run_search

bp = Blueprint("exports", __name__)

_BATCH = 100


def iter_records(search: SearchArgs, cap: int) -> Iterator[dict[str, Any]]:
    """Every matching document's record, in the search's order, up to `cap`."""
    catalogue = get_catalogue()
    offset = 0
    while offset < cap:
        page = run_search(search, offset=offset, limit=min(_BATCH, cap - offset))
        ids = [hit.id for hit in page.hits]
        documents = catalogue.documents_for_ids(ids)
        for doc_id in ids:
            if doc_id in documents:
                record = documents[doc_id].to_record()
                record["attachments"] = catalogue.attachment_records(documents[doc_id])
                yield record
        offset += len(ids)
        if not ids or offset >= page.total:
            return


def _stream(kind: str, search: SearchArgs, *, english: bool = False) -> Iterator[bytes]:
    """Batches through the archive's own writers; CSV batches after the first drop their header row."""
    cap = web_context().settings.export_max_docs
    records = iter_records(search, cap)
    first = True
    while True:
        batch = list(islice(records, _BATCH))
        if not batch and not first:
            return
        buffer = io.StringIO()
        if kind == "csv":
            write_csv(batch, buffer, english_headers=english, bom=first)
            text = buffer.getvalue()
            if not first:
                text = text.split("\r\n", 1)[1]
        else:
            write_jsonl(batch, buffer)
            text = buffer.getvalue()
        first = False
        yield text.encode("utf-8")
        if len(batch) < _BATCH:
            return


def _export(kind: str) -> Response:
    search = parse_search_args(request.args, web_context().settings)
    headers = request.args.get("headers", "") or "zh"
    if headers not in ("zh", "en"):
        raise ArgsError("headers 只能是 zh 或 en")
    # Validate (and fail with 400) before the first byte is sent; a streamed body cannot change its status.
    run_search(search, offset=0, limit=1)
    mimetype = "text/csv" if kind == "csv" else "application/x-ndjson"
    response = Response(
        stream_with_context(_stream(kind, search, english=headers == "en")), mimetype=mimetype
    )
    response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="gongkai-export.{kind}"'
    return response


@bp.get("/export.csv")
def export_csv() -> Response:
    return _export("csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    return _export("jsonl")
