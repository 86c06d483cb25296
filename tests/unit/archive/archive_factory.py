"""Hand-built exchanges and parsed pages for archive tests (no network, no crawler).

Reusable by integration and fault tests: import it after adding this folder to sys.path, or copy the calls.
"""

from __future__ import annotations

import gzip
import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from archive.models import Exchange, Parsed

_CLOCK = itertools.count()
_BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def next_time() -> str:
    """Strictly increasing capture times, one second apart."""
    return (_BASE + timedelta(seconds=next(_CLOCK))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def html_page(title: str, body: str, *, index_no: str | None = None) -> bytes:
    block = f"<td>索引号</td><td>{index_no}</td>" if index_no else ""
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><table>{block}</table><div id='zoom'>{body}</div></body></html>"
    ).encode()


def make_exchange(
    url: str = "http://gov.example/art/2021/2/26/art_1_1.html",
    content: bytes | None = None,
    *,
    status: int | None = 200,
    gzip_body: bool = False,
    chunked: bool = False,
    truncated: str | None = None,
    error: str | None = None,
    final_url: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    started_at: str | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> Exchange:
    """An exchange as the fetcher would hand it over: wire_body still encoded, content decoded."""
    if content is None:
        content = html_page("关于印发某某办法的通知", f"正文 {url}")
    if status is None:
        return Exchange(
            url=url,
            final_url=final_url or url,
            started_at=started_at or next_time(),
            error=error or "timeout",
        )
    wire = gzip.compress(content, mtime=0) if gzip_body else content
    response_headers: list[tuple[str, str]] = [
        ("Content-Type", content_type),
        ("ETag", f'"{len(content)}"'),
        ("Last-Modified", "Fri, 26 Feb 2021 08:55:00 GMT"),
    ]
    if gzip_body:
        response_headers.append(("Content-Encoding", "gzip"))
    if chunked:
        response_headers.append(("Transfer-Encoding", "chunked"))
    else:
        response_headers.append(("Content-Length", str(len(wire))))
    response_headers.extend(headers)
    reason = {
        200: "OK",
        304: "Not Modified",
        404: "Not Found",
        410: "Gone",
        412: "Precondition Failed",
        503: "Service Unavailable",
    }.get(status, "")
    return Exchange(
        url=url,
        final_url=final_url or url,
        started_at=started_at or next_time(),
        status=status,
        reason=reason,
        request_headers=(
            ("User-Agent", "gongkai-test (+https://example.invalid/gongkai)"),
            ("Accept", "*/*"),
        ),
        response_headers=tuple(response_headers),
        wire_body=wire if status != 304 else b"",
        content=content if status != 304 else b"",
        truncated=truncated,
        error=error,
        elapsed_ms=12,
    )


def make_parsed(**overrides: Any) -> Parsed:
    base = Parsed(
        title="关于印发某某办法的通知",
        index_no="11330600002577508J/2021-200062",
        agency="绍兴市公安局",
        topic="公安",
        doc_no="绍市公发〔2021〕3号",
        disclosure="主动公开",
        source="绍兴市公安局",
        written_date="2021-02-25",
        publish_date="2021-02-26",
        body="第一段。\n第二段。\n第三段。",
    )
    return replace(base, **overrides)
