"""URL canonicalisation, scope and trap limits: the frontier's idea of "the same page".

One canonical form per page so `#frag`, `:80`, `HOST`, `?b=1&a=2`, `?from=timeline` and `//host/path` do not become
duplicate captures (docs/SITES.md section 11, trap 8). Pure functions, no I/O.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from; dropping them merges duplicate links.
TRACKING_PARAMS = frozenset(
    {"from", "spm", "share", "share_token", "fromsource", "fromurl", "isappinstalled", "scene", "timestamp"}
)
TRACKING_PREFIXES = ("utm_",)
_SESSION_PARAM = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_SESSION_QUERY = frozenset({"jsessionid", "phpsessid", "sessionid", "sid"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = "/:@!$'()*+,;-._~%?"


def canonicalize(url: str, base: str | None = None) -> str | None:
    """The canonical absolute form of `url` (resolved against `base`), or None when it is not an http(s) page."""
    url = url.strip().replace("\\", "/")
    if not url or any(ch in url for ch in "\r\n\t\x00"):
        return None
    if base is not None:
        url = urljoin(base, url)
    elif url.startswith("//"):
        url = "http:" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _SESSION_PARAM.sub("", parts.path) or "/"
    path = _normalise_path(path)
    query = _normalise_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalise_path(path: str) -> str:
    trailing = path.endswith("/")
    resolved = posixpath.normpath(path) if path not in ("", "/") else "/"
    if resolved.startswith("//"):
        resolved = "/" + resolved.lstrip("/")
    if trailing and not resolved.endswith("/"):
        resolved += "/"
    return quote(unquote(resolved), safe=_SAFE_PATH)


def _normalise_query(query: str) -> str:
    if not query:
        return ""
    pairs = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS
        and not _is_session(k, v)
        and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    pairs.sort()
    return urlencode(pairs, quote_via=quote, safe=_SAFE_QUERY)


def _is_session(key: str, value: str) -> bool:
    """A session id is opaque and long; gkmlpt's `sid=755001` is a site id and selects what the API answers."""
    return key.lower() in _SESSION_QUERY and not (value.isdigit() and len(value) <= 9)


def host_key(url: str) -> str:
    """The politeness unit: host plus non-default port (127.0.0.1:8001 and :8002 are different servers)."""
    return urlsplit(url).netloc.lower()


def trap_reason(
    url: str, *, depth: int, max_depth: int, max_path_repeat: int, max_url_length: int
) -> str | None:
    """Why a URL looks like a crawler trap (calendar, /a/a/a/, growing query), or None."""
    if len(url) > max_url_length:
        return "trap:url_length"
    if depth > max_depth:
        return "trap:depth"
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) > max_depth:
        return "trap:path_depth"
    counts: dict[str, int] = {}
    for segment in segments:
        counts[segment] = counts.get(segment, 0) + 1
        if counts[segment] > max_path_repeat:
            return "trap:path_repeat"
    return None


def series_key(url: str, paging_params: frozenset[str]) -> str:
    """The URL with its paging removed, so successive pages of one list compare with each other."""
    parts = urlsplit(url)
    path = re.sub(r"index_\d+(\.\w+)$", r"index\1", parts.path)
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if k not in paging_params))
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
