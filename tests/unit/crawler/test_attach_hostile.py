"""Hostile attachments through the real runner (a child process under limits): each costs one recorded result.

50 files (tests/attachkit.py): encrypted PDFs, truncated ZIPs, zip bombs in a DOCX and an XLSX, a 2,000-page
PDF, misnamed files, random bytes, PDFs whose text layer is private-use code points, scans, broken OFD XML.
Every one finishes with a status and, unless extracted, a reason; no child grows past 1 GB.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from attachkit import generated, hostile_files

from crawler.attachments import Limits, extract_bytes

GB_KB = 1024 * 1024


@pytest.mark.slow
def test_fifty_hostile_files_each_end_as_one_recorded_result() -> None:
    seed = int(os.environ.get("GONGKAI_SEED", random.randrange(1 << 30)))
    print(f"GONGKAI_SEED={seed}")
    files = hostile_files(seed)
    assert len(files) == 50
    limits = Limits(timeout_s=30.0, memory_mb=1024)
    peaks = []
    for hostile in files:
        result, peak = extract_bytes(hostile.data, hostile.name, limits)
        peaks.append(peak)
        assert result.status in hostile.expect, (hostile.name, result.status, result.reason)
        if result.status != "ok":
            assert result.reason, hostile.name
        assert hostile.reason in (result.reason or ""), (hostile.name, result.reason)
    assert max(peaks) < GB_KB, max(peaks)
    assert sum(1 for p in peaks if p) >= 30  # the children really ran and reported


def test_a_child_over_its_memory_limit_is_a_failure_not_a_crash() -> None:
    sample = generated("pdf", 1, "mem")[0]
    result, _ = extract_bytes(sample.data, sample.name, Limits(memory_mb=40))
    assert result.status == "failed"
    assert result.reason


def test_a_child_over_its_time_limit_is_killed() -> None:
    sample = generated("pdf", 1, "time")[0]
    started = time.monotonic()
    result, _ = extract_bytes(sample.data, sample.name, Limits(timeout_s=0.01))
    assert result.status == "failed"
    assert (result.reason or "").startswith("timeout")
    assert time.monotonic() - started < 5
