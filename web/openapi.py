"""Blueprint "api": the OpenAPI 3 description of the JSON API, written as data next to the routes it describes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("api", __name__)

_FILTERS: list[dict[str, Any]] = [
    {
        "name": "q",
        "in": "query",
        "description": "检索词 / query (phrases in double quotes, OR, NOT, parentheses)",
        "schema": {"type": "string", "maxLength": 256},
    },
    {
        "name": "agency",
        "in": "query",
        "description": "发布机构, repeatable (any of)",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "topic",
        "in": "query",
        "description": "主题分类, repeatable (any of)",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "since",
        "in": "query",
        "description": "inclusive start date",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "until",
        "in": "query",
        "description": "inclusive end date",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "date_field",
        "in": "query",
        "schema": {"type": "string", "enum": ["publish", "written"], "default": "publish"},
    },
    {
        "name": "sort",
        "in": "query",
        "schema": {"type": "string", "enum": ["relevance", "newest", "oldest"], "default": "relevance"},
    },
]

_NULLABLE_STR: dict[str, Any] = {"type": "string", "nullable": True}

_HIT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "url", "title", "status", "snippet"],
    "properties": {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": _NULLABLE_STR,
        "index_no": _NULLABLE_STR,
        "agency": _NULLABLE_STR,
        "topic": _NULLABLE_STR,
        "doc_no": _NULLABLE_STR,
        "written_date": _NULLABLE_STR,
        "publish_date": _NULLABLE_STR,
        "status": {"type": "string", "enum": ["live", "removed"]},
        "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
        "attachment": {
            "type": "object",
            "description": "present when the hit matched in an attachment: which one and where (page or sheet)",
            "properties": {
                "name": {"type": "string"},
                "page": {"type": "integer", "nullable": True},
                "sheet": _NULLABLE_STR,
                "label": {"type": "string", "description": "e.g. 附件：2024年部门预算.pdf 第3页"},
            },
        },
    },
}

_COUNTS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "integer"}}

_RECORD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "url": _NULLABLE_STR,
        **{
            name: _NULLABLE_STR
            for name in (
                "title",
                "index_no",
                "agency",
                "topic",
                "doc_no",
                "disclosure",
                "source",
                "written_date",
                "publish_date",
                "captured_at",
            )
        },
        "body": {"type": "string"},
        "attachments": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string"},
                    "name": _NULLABLE_STR,
                    "sha256": _NULLABLE_STR,
                    "type": _NULLABLE_STR,
                    "size": {"type": "integer", "nullable": True},
                    "extraction": {
                        "type": "object",
                        "properties": {
                            "status": {
                                "type": "string",
                                "enum": [
                                    "ok",
                                    "needs_ocr",
                                    "failed",
                                    "not_extracted",
                                    "pending",
                                    "not_fetched",
                                ],
                            },
                            "reason": _NULLABLE_STR,
                        },
                    },
                    "text": {"type": "string", "description": "the extracted text (absent until extracted)"},
                    "units": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "text by page or sheet",
                    },
                },
            },
        },
        "status": {"type": "string", "enum": ["live", "removed"]},
        "versions": {"type": "integer"},
        "history": {
            "type": "object",
            "properties": {
                "captures": {"type": "array", "items": {"type": "object"}},
                "versions": {"type": "array", "items": {"type": "object"}},
                "events": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
}

_ERROR: dict[str, Any] = {
    "description": "错误 / error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
                    }
                },
            }
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "gongkai API",
            "version": "1",
            "description": "检索政府信息公开文件存档 / search the archive of government disclosures",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "检索 / search",
                    "parameters": _FILTERS
                    + [
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0, "maximum": 10000},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "一页结果 / one page of hits",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["total", "offset", "limit", "hits", "facets"],
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "offset": {"type": "integer"},
                                            "limit": {"type": "integer"},
                                            "hits": {"type": "array", "items": _HIT},
                                            "facets": {
                                                "type": "object",
                                                "properties": {
                                                    "agency": _COUNTS,
                                                    "topic": _COUNTS,
                                                    "year": _COUNTS,
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/documents/{id}": {
                "get": {
                    "operationId": "getDocument",
                    "summary": "文件记录及存档历史 / a document record with its history",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 200},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "document record",
                            "content": {"application/json": {"schema": _RECORD}},
                        },
                        "404": _ERROR,
                    },
                }
            },
            "/api/watch": {
                "get": {
                    "operationId": "getWatch",
                    "summary": "监视状态 / the watcher's sources (last/next run, failures, counts) and alerts",
                    "responses": {"200": {"description": "watch state", "content": {"application/json": {}}}},
                }
            },
            "/api/alerts": {
                "post": {
                    "operationId": "saveAlert",
                    "summary": "保存提醒（需开启写入并提供口令） / save an alert: only when the write side is on, with"
                    " `Authorization: Bearer <watch.write_token>`",
                    "responses": {
                        "201": {"description": "the saved alert", "content": {"application/json": {}}},
                        "400": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
        },
    }


@bp.get("/api/openapi.json")
def openapi() -> Response:
    from .agencies_openapi import OPENAPI_PATHS

    document = openapi_document()
    document["paths"].update(OPENAPI_PATHS)
    return jsonify(document)
