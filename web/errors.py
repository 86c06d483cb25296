"""Domain errors -> HTTP in one place: HTML pages in the site's style, JSON on /api/; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from archive import ArchiveError, CaptureNotFound, DocumentNotFound
from index import IndexBusy, IndexMissing, QueryError

from .budget import DeadlineExceeded
from .queryargs import ArgsError

logger = logging.getLogger(__name__)

TITLES: dict[int, str] = {
    400: "请求有误",
    404: "未找到",
    405: "不支持的请求方法",
    413: "请求过大",
    414: "网址过长",
    429: "请求过于频繁",
    431: "请求头过大",
    500: "服务器内部错误",
    503: "暂时无法提供服务",
}


def error_response(status: int, message: str) -> Response:
    """The error in the form the client asked for: JSON under /api/, an HTML page elsewhere."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"status": status, "message": message}})
    else:
        title = TITLES.get(status, "出错了")
        response = Response(render_template("error.html", status=status, title=title, message=message))
        response.mimetype = "text/html"
    response.status_code = status
    return response


def refusal(status: int, message: str, retry_after_s: int) -> Response:
    """A request the budget turned away (429) or stopped (503): the client may come back after Retry-After."""
    response = error_response(status, message)
    response.headers["Retry-After"] = str(max(1, retry_after_s))
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DeadlineExceeded)
    def _deadline(exc: DeadlineExceeded) -> Response:
        return refusal(503, "请求处理超时，已停止。/ the request ran out of time and was stopped", 10)

    @app.errorhandler(ArgsError)
    def _args(exc: ArgsError) -> Response:
        return error_response(400, str(exc))

    @app.errorhandler(QueryError)
    def _query(exc: QueryError) -> Response:
        return error_response(400, f"无法理解这个查询：{exc}")

    @app.errorhandler(DocumentNotFound)
    def _document(exc: DocumentNotFound) -> Response:
        return error_response(404, "档案中没有这份文件。")

    @app.errorhandler(CaptureNotFound)
    def _capture(exc: CaptureNotFound) -> Response:
        return error_response(404, "档案中没有这次抓取。")

    @app.errorhandler(ArchiveError)
    def _archive(exc: ArchiveError) -> Response:
        # A missing or not yet migrated catalogue: the operator's problem, not the user's; details go to the log.
        logger.warning("archive unavailable: %s", exc)
        return error_response(503, "存档暂时无法读取，请稍后再试。")

    @app.errorhandler(IndexBusy)
    def _busy(exc: IndexBusy) -> Response:
        response = error_response(503, "索引正在更新，请稍后再试。")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(IndexMissing)
    def _missing(exc: IndexMissing) -> Response:
        return error_response(503, "索引尚未建立：请先运行 gongkai index。")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        messages = {404: "没有这个页面。", 405: "这个地址不接受该请求方法。"}
        return error_response(status, messages.get(status, TITLES.get(status, "请求无法处理。")))

    @app.errorhandler(500)
    def _internal(exc: Exception) -> Response:
        # Flask has already logged the traceback; the user sees no internals.
        return error_response(500, "服务器出错了，已记录在日志中。")
