"""Blueprint "api": the OpenAPI 3 description of the JSON API, written as data next to the routes it describes.

Fields, filters and facets come from the field table (archive/fields.py) and every bound from the setting that
enforces it, so the description cannot drift from what the API does.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from archive.fields import FIELDS, FieldSpec
from index import DATE_FIELDS, FACETS, SORTS, IndexSettings

from .documents import DOC_ID_MAX
from .queryargs import FILTERS
from .resources import web_context
from .settings import WebSettings

bp = Blueprint("api", __name__)

_NULLABLE_STR: dict[str, Any] = {"type": "string", "nullable": True}
_DATE: dict[str, Any] = {"type": "string", "format": "date"}

_STATUS: dict[str, Any] = {"type": "string", "enum": ["live", "removed"]}
_ATTACHMENT_HIT: dict[str, Any] = {
    "type": "object",
    "description": "present when the hit matched in an attachment: which one and where (page or sheet)",
    "properties": {
        "name": {"type": "string"},
        "page": {"type": "integer", "nullable": True},
        "sheet": _NULLABLE_STR,
        "label": {"type": "string", "description": "e.g. 附件：2024年部门预算.pdf 第3页"},
    },
}


def _value_schema(spec: FieldSpec) -> dict[str, Any]:
    """A field's value in the API (archive/fields.py kinds); the Chinese label leads its description."""
    if spec.name == "status":
        schema: dict[str, Any] = dict(_STATUS)
    elif spec.kind == "number":
        schema = {"type": "integer"}
    elif spec.name == "id":
        schema = {"type": "string"}
    else:
        schema = dict(_NULLABLE_STR)
        if spec.kind == "date":
            schema["format"] = "date"
    schema["description"] = f"{spec.label} / {spec.english}" if spec.english else spec.label
    return schema


def _hit_schema() -> dict[str, Any]:
    """One search hit: the fields of the table marked in_hit, the snippet and where an attachment matched."""
    properties = {spec.name: _value_schema(spec) for spec in FIELDS if spec.in_hit}
    properties["snippet"] = {"type": "string", "description": "HTML: escaped text, matches in <mark>"}
    properties["attachment"] = _ATTACHMENT_HIT
    return {
        "type": "object",
        "required": ["id", "url", "title", "status", "snippet"],
        "properties": properties,
    }


def _filter_parameters(index: IndexSettings) -> list[dict[str, Any]]:
    """The query and every filter of /api/search, from archive/fields.py and the index's limits."""
    params: list[dict[str, Any]] = [
        {
            "name": "q",
            "in": "query",
            "description": "检索词 / query (phrases in double quotes, OR, NOT, parentheses)",
            "schema": {"type": "string", "maxLength": index.max_query_chars},
        }
    ]
    for spec in FILTERS:
        params.append(
            {
                "name": spec.name,
                "in": "query",
                "description": f"{spec.label} / {spec.english}, repeatable (any of)",
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "maxLength": index.max_query_chars},
                    "maxItems": index.max_filter_values,
                },
                "style": "form",
                "explode": True,
            }
        )
    params += [
        {"name": "since", "in": "query", "description": "inclusive start date", "schema": _DATE},
        {"name": "until", "in": "query", "description": "inclusive end date", "schema": _DATE},
        {
            "name": "date_field",
            "in": "query",
            "description": " / ".join(f"{k}: {v}" for k, v in DATE_FIELDS.items()),
            "schema": {"type": "string", "enum": list(DATE_FIELDS), "default": "publish"},
        },
        {
            "name": "sort",
            "in": "query",
            "description": " / ".join(f"{k}: {v}" for k, v in SORTS.items()),
            "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
        },
    ]
    return params


def _window_parameters(web: WebSettings, index: IndexSettings) -> list[dict[str, Any]]:
    """page (the web's max_page), offset and limit (the index's max_offset and max_limit)."""
    bounds = (("page", 1, web.max_page), ("offset", 0, index.max_offset), ("limit", 1, index.max_limit))
    return [
        {"name": name, "in": "query", "schema": {"type": "integer", "minimum": low, "maximum": high}}
        for name, low, high in bounds
    ]


_COUNTS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "integer"}}

_RECORD: dict[str, Any] = {
    "type": "object",
    "properties": {
        # every record and catalogue field of archive/fields.py (body and attachments are written out below)
        **{spec.name: _value_schema(spec) for spec in FIELDS if spec.part in ("record", "catalogue")},
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


def openapi_document(web: WebSettings, index: IndexSettings) -> dict[str, Any]:
    """The description of the API as configured: its limits are the settings that enforce them."""
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
                    "parameters": _filter_parameters(index) + _window_parameters(web, index),
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
                                            "hits": {"type": "array", "items": _hit_schema()},
                                            "facets": {
                                                "type": "object",
                                                "properties": {name: _COUNTS for name in FACETS},
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
                            "schema": {"type": "string", "maxLength": DOC_ID_MAX},
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

    ctx = web_context()
    document = openapi_document(ctx.settings, ctx.index_settings or IndexSettings())
    document["paths"].update(OPENAPI_PATHS)
    return jsonify(document)
