"""Blueprint "exports": CSV and JSONL of every document matching a search (capped), streamed.

The rows are the public document record (Document.to_record), the same as `gongkai export`, so a file from the
site and one from the CLI line up column for column. CSV starts with a byte order mark and a Chinese header row
(Excel and WPS need both to open it right); `headers=en` gives the record's field names instead.

One pass: the search runs once (`Searcher.matching_ids`, no facets, no snippets) and the records are read from
the catalogue in batches as the body is sent, so an export costs one search however long it is. The body stops
when the client leaves (the server's write fails and closes this generator) or when the request's deadline
passes; `X-Export-Rows` says how many rows a complete file has (fewer only if documents were deleted meanwhile),
so a cut-off download can be told from a short one.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from flask import Blueprint, Response, request, stream_with_context

from archive import write_csv, write_jsonl

from .budget import check_deadline, deadline_passed
from .queryargs import ArgsError, SearchArgs, parse_search_args, to_search_query
from .resources import get_catalogue, get_searcher, release_searcher, web_context

bp = Blueprint("exports", __name__)
logger = logging.getLogger(__name__)

_BATCH = 200  # records read from the catalogue and sent per chunk


def matching_ids(search: SearchArgs, cap: int) -> list[str]:
    """Every matching id in the search's order, up to `cap`; a bad query raises before anything is sent."""
    query = to_search_query(search, offset=0, limit=1, settings=web_context().index_settings)
    ids = get_searcher().matching_ids(query)
    return ids[:cap]


def iter_records(ids: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
    """The records of `ids` in order, a batch at a time; ids the catalogue no longer has are skipped."""
    catalogue = get_catalogue()
    for start in range(0, len(ids), _BATCH):
        chunk = list(ids[start : start + _BATCH])
        documents = catalogue.documents_for_ids(chunk)
        batch = []
        for doc_id in chunk:
            if doc_id in documents:
                record = documents[doc_id].to_record()
                record["attachments"] = catalogue.attachment_records(documents[doc_id])
                batch.append(record)
        yield batch


def _csv(batch: list[dict[str, Any]], *, english: bool, first: bool) -> str:
    buffer = io.StringIO()
    write_csv(batch, buffer, english_headers=english, bom=first)
    text = buffer.getvalue()
    return text if first else text.split("\r\n", 1)[1]  # one header row, at the top


def _stream(kind: str, ids: Sequence[str], *, english: bool = False) -> Iterator[bytes]:
    """Batches through the archive's own writers; CSV batches after the first drop their header row."""
    first, sent = True, 0
    for batch in iter_records(ids):
        if deadline_passed():
            logger.warning("export stopped at its deadline after %d of %d rows", sent, len(ids))
            return
        sent += len(batch)
        if kind == "csv":
            text = _csv(batch, english=english, first=first)
        else:
            buffer = io.StringIO()
            write_jsonl(batch, buffer)
            text = buffer.getvalue()
        first = False
        yield text.encode("utf-8")
    if first and kind == "csv":
        yield _csv([], english=english, first=True).encode("utf-8")  # no match: the header row alone


def _export(kind: str) -> Response:
    search = parse_search_args(request.args, web_context().settings)
    headers = request.args.get("headers", "") or "zh"
    if headers not in ("zh", "en"):
        raise ArgsError("headers 只能是 zh 或 en")
    # The one search, before the first byte: a bad query is still a 400 (a streamed body cannot change status).
    ids = matching_ids(search, web_context().settings.export_max_docs)
    release_searcher()  # the stream needs only the catalogue; no index reader stays open while it runs
    check_deadline()
    mimetype = "text/csv" if kind == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(_stream(kind, ids, english=headers == "en")), mimetype=mimetype)
    response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="gongkai-export.{kind}"'
    response.headers["X-Export-Rows"] = str(len(ids))
    return response


@bp.get("/export.csv")
def export_csv() -> Response:
    return _export("csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    return _export("jsonl")
