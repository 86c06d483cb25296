"""Fixtures shared by the layers' unit tests: generated legacy office files (LibreOffice runs once per session)."""

from __future__ import annotations

import pytest
from attachkit import Sample, legacy, soffice


@pytest.fixture(scope="session")
def legacy_samples() -> dict[str, list[Sample]]:
    """20 DOC, WPS, XLS, ET and ODS files each, converted from generated DOCX and XLSX by LibreOffice."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: DOC/WPS/XLS/ET samples cannot be made")
    return legacy()
