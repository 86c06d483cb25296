"""Helpers for adapters whose lists come from an API (JSON or XML rows): parse tolerantly, page by number.

Why page numbers are all asked for from the first answer: every one of these APIs announces its size (a count of
records or of pages) on page 1, so the last page is known before it is fetched and no request goes past it, even
where a deep page answers an empty list, repeats the last page, or page 0 repeats page 1.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.sites.common import Request

BEIJING = timezone(timedelta(hours=8))
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_BARE_KEY = re.compile(r"""([{,]\s*)([A-Za-z_$][\w$]*)\s*:""")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def load_json(text: str) -> tuple[Any, str | None]:
    """(data, None) for a JSON answer, (None, reason) for an HTML error page or a cut or empty body."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        return None, "empty"
    if stripped.startswith("<"):
        return None, "not_json"
    try:
        return json.loads(stripped), None
    except ValueError:
        return None, "not_json"


def js_object(text: str, start: int) -> Any:
    """The JavaScript object or array literal starting at `text[start]` ("{" or "["), read as JSON after quoting
    bare keys, turning single quotes into double ones and dropping trailing commas; None when that fails."""
    opening = text[start]
    closing = "}" if opening == "{" else "]"
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0 and ch == closing:
                break
        i += 1
    literal = text[start : i + 1]
    for candidate in (literal, _loosen(literal)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


def _loosen(literal: str) -> str:
    out = _BARE_KEY.sub(r'\1"\2":', literal)
    out = re.sub(r"'((?:[^'\\]|\\.)*)'", lambda m: json.dumps(m.group(1)), out)
    return _TRAILING_COMMA.sub(r"\1", out)


def date_of(value: Any) -> str | None:
    """YYYY-MM-DD from epoch seconds or milliseconds (Beijing time) or from a date-like string."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        if number <= 0:
            return None
        return datetime.fromtimestamp(number, BEIJING).strftime("%Y-%m-%d")
    match = _DATE.search(str(value))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def text_of(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split())
    return text or None


def fields_of(values: Mapping[str, str | None]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in values.items() if v)


def item_json(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(dict(params)), ""))


def page_count(total: int | None, on_page: int, pages: int | None = None) -> int:
    """How many pages a list has: as announced, else from the record count and the first page's size."""
    if pages is not None and pages >= 0:
        return pages
    if total is None or on_page <= 0:
        return 1
    return math.ceil(total / on_page)


def later_pages(url: str, param: str, first: int, last: int, kind: str = "api") -> list[Request]:
    """Requests for pages first+1..last of the list at `url`, the page number in `param`."""
    params = query_of(url)
    requests = []
    for number in range(first + 1, last + 1):
        params[param] = str(number)
        requests.append(Request(with_query(url, params), kind, announced=True))
    return requests


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def iter_dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
