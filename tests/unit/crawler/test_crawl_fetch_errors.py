"""Which transport failures the fetcher retries: a name that does not resolve is final at once."""

from __future__ import annotations

import socket

import requests
import urllib3

from crawler.fetch import _is_name_failure


def test_name_resolution_failure_is_recognised_through_the_wrappers() -> None:
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    inner = urllib3.exceptions.NameResolutionError("x.invalid", None, gai)  # type: ignore[arg-type]
    pool_error = urllib3.exceptions.MaxRetryError(None, "http://x.invalid/", reason=inner)  # type: ignore[arg-type]
    assert _is_name_failure(requests.exceptions.ConnectionError(pool_error))


def test_refused_connection_is_not_a_name_failure() -> None:
    refused = urllib3.exceptions.NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    pool_error = urllib3.exceptions.MaxRetryError(None, "http://127.0.0.1:9/", reason=refused)  # type: ignore[arg-type]
    assert not _is_name_failure(requests.exceptions.ConnectionError(pool_error))
