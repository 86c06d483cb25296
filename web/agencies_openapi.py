"""The OpenAPI description of the agencies API (web/agencies.py), merged into /api/openapi.json."""

from __future__ import annotations

from typing import Any

_NAME = {
    "name": "name",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "发布机构",
}
_TOPIC = {
    "name": "topic",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "只看这个主题分类 / only this topic of the agency (404 if it has none)",
}
_JSON = {"application/json": {"schema": {"type": "object"}}}
_CSV = {"text/csv": {"schema": {"type": "string"}}}
_NOT_FOUND = {"description": "档案中没有这个发布机构 / no such agency", "content": _JSON}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/agencies": {
        "get": {
            "operationId": "listAgencies",
            "summary": "各发布机构的时效、删除、修改与静默期 / every agency's accountability figures",
            "responses": {"200": {"description": "agencies, most documents first", "content": _JSON}},
        }
    },
    "/api/agencies.csv": {
        "get": {
            "operationId": "listAgenciesCsv",
            "summary": "同上，CSV / the same as CSV",
            "responses": {"200": {"description": "one row per agency", "content": _CSV}},
        }
    },
    "/api/agencies/{name}": {
        "get": {
            "operationId": "getAgency",
            "summary": "一个发布机构：每月发布、修改、删除，静默期，年度报告，相关文件 / one agency's report",
            "parameters": [_NAME, _TOPIC],
            "responses": {"200": {"description": "the agency report", "content": _JSON}, "404": _NOT_FOUND},
        }
    },
    "/api/agencies/{name}/months.csv": {
        "get": {
            "operationId": "getAgencyMonthsCsv",
            "summary": "每月数据 CSV / the monthly table as CSV",
            "parameters": [_NAME, _TOPIC],
            "responses": {"200": {"description": "one row per month", "content": _CSV}, "404": _NOT_FOUND},
        }
    },
    "/api/agencies/{name}/documents.csv": {
        "get": {
            "operationId": "getAgencyDocumentsCsv",
            "summary": "逾期、修改、删除及无法计算时滞的文件 CSV / the listed documents as CSV",
            "parameters": [_NAME, _TOPIC],
            "responses": {"200": {"description": "one row per document", "content": _CSV}, "404": _NOT_FOUND},
        }
    },
}
