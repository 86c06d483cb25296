"""What every fixture list site shares: routing, articles, error pages, and the truth the tests check against."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from demosite.site import DemoResponse
from listsites.corpus import Doc

ROBOTS = "User-agent: *\nDisallow: /admin/\n"
ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>系统错误</title></head><body><h1>系统繁忙</h1>"
    "<p>服务器暂时无法处理您的请求，请稍后再试。</p></body></html>"
)


def response(
    status: int, body: bytes, content_type: str, extra: list[tuple[str, str]] | None = None
) -> DemoResponse:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Server", "nginx")]
    return DemoResponse(status, headers + (extra or []), body)


def html_response(text: str, status: int = 200, extra: list[tuple[str, str]] | None = None) -> DemoResponse:
    return response(status, text.encode("utf-8"), "text/html; charset=UTF-8", extra)


def json_response(data: Any, *, cut: bool = False) -> DemoResponse:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    if cut:  # the connection dropped mid-answer behind a proxy that still said 200
        body = body[: len(body) // 2]
    return response(200, body, "application/json;charset=UTF-8")


class ListSite:
    """A fixture site: `respond` is pure (what serve_site calls); subclasses route their list endpoints.

    `faults` maps a list request (category, page) to how it misbehaves: "html" (an HTML error page with 200),
    "cut" (truncated JSON) or "error" (the platform's JSON error body with 200).
    """

    name = ""
    page_param = "page"
    portals: tuple[str, ...] = ()  # plain pages linking the columns (the generic adapter's)

    def __init__(self, docs: list[Doc], faults: Mapping[tuple[str, int], str] | None = None) -> None:
        self.docs = docs
        self.faults = dict(faults or {})
        self.articles: dict[str, Doc] = {self.article_path(d): d for d in docs}

    # -- truth ---------------------------------------------------------------------------------------------------
    def article_path(self, doc: Doc) -> str:
        raise NotImplementedError

    def categories(self) -> list[str]:
        return sorted({c for d in self.docs for c in d.categories})

    def last_page(self, category: str) -> int:
        raise NotImplementedError

    def list_request(self, path_qs: str) -> tuple[str, int] | None:
        """(category, page) when `path_qs` asks a list endpoint for a page, else None."""
        raise NotImplementedError

    def seeds(self, base: str) -> list[str]:
        raise NotImplementedError

    # -- serving -------------------------------------------------------------------------------------------------
    def respond(
        self, method: str, path_qs: str, headers: Mapping[str, str], body: bytes = b""
    ) -> DemoResponse:
        path, _, qs = path_qs.partition("?")
        query = dict(parse_qsl(qs, keep_blank_values=True))
        if method.upper() == "POST" and body:
            query.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if path == "/robots.txt":
            return response(200, ROBOTS.encode(), "text/plain")
        doc = self.articles.get(path)
        if doc is not None:
            return html_response(self.article(doc, base_of(headers)))
        routed = self.route(path, query, headers)
        if routed is not None:
            return routed
        return html_response(
            "<html><head><title>404 Not Found</title></head><body>页面不存在</body></html>", 404
        )

    def route(self, path: str, query: dict[str, str], headers: Mapping[str, str]) -> DemoResponse | None:
        raise NotImplementedError

    def article(self, doc: Doc, base: str) -> str:
        raise NotImplementedError

    def fault(self, category: str, page: int) -> str | None:
        return self.faults.get((category, page))


def base_of(headers: Mapping[str, str]) -> str:
    host = next((v for k, v in headers.items() if k.lower() == "host"), "127.0.0.1")
    return f"http://{host}"


def esc(text: str) -> str:
    return html.escape(text, quote=True)
