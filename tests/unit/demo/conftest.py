"""Fixtures for the demo-site tests: one default site per session (a DemoSite is immutable)."""

from __future__ import annotations

import pytest

from demosite import DemoSite


@pytest.fixture(scope="session")
def site() -> DemoSite:
    return DemoSite(seed=0)
