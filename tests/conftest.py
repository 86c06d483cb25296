"""Shared fixtures. Each layer's own fixtures live in the conftest of its test folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pgserver import pg_server, pg_url  # noqa: F401  (fixtures: a real PostgreSQL per session)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the project; tests that need it skip cleanly where it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is absent: real pages and corpus not available")
    return SHARED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    full = os.environ.get("GONGKAI_FULL") == "1"
    long = os.environ.get("GONGKAI_LONG") == "1"
    for item in items:
        if "full" in item.keywords and not full:
            item.add_marker(pytest.mark.skip(reason="S-tier test: set GONGKAI_FULL=1"))
        if "long" in item.keywords and not long:
            item.add_marker(pytest.mark.skip(reason="N-tier test: set GONGKAI_LONG=1"))
