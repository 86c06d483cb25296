"""Settings from a config section, retry-after parsing and the summary text."""

from __future__ import annotations

import io

import pytest

from crawler import CrawlSettings, CrawlSummary
from crawler.fetch import parse_retry_after
from crawler.summary import Progress


def test_defaults_are_polite() -> None:
    s = CrawlSettings()
    assert s.delay_s == 2.0 and s.max_attempts == 3 and s.max_redirects == 10
    assert "gongkai" in s.user_agent and "https://" in s.user_agent
    assert s.user_agent.isascii()  # HTTP headers are latin-1


def test_from_mapping_coerces_strings_and_rejects_unknown_keys() -> None:
    s = CrawlSettings.from_mapping({"delay_s": "0.5", "max_pages": "10", "fetch_attachments": "false"})
    assert (s.delay_s, s.max_pages, s.fetch_attachments) == (0.5, 10, False)
    assert CrawlSettings.from_mapping({"delay_s": None}).delay_s == 2.0
    with pytest.raises(ValueError):
        CrawlSettings.from_mapping({"dealy_s": 1})
    with pytest.raises(ValueError):
        CrawlSettings(delay_s=-1)


def test_retry_after_forms() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412475.0) == 5.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_summary_format_names_counts_reasons_and_paused_hosts() -> None:
    s = CrawlSummary(fetched=12, new=3, blocked=5, failed=1)
    s.count("challenge:ruishu")
    s.count("challenge:ruishu")
    s.paused_hosts["a.gov.cn"] = "blocked:challenge:ruishu"
    text = s.format()
    assert "抓取 fetched 12" in text and "新文件 new 3" in text and "被拦截 blocked 5" in text
    assert "challenge:ruishu ×2" in text and "a.gov.cn" in text and "暂停" in text


def test_progress_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(out, every=2)
    s = CrawlSummary()
    for n in range(1, 5):
        s.fetched = n
        progress.update(s, pending=10 - n)
    progress.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue() and lines[0].startswith("已抓取 2")


def test_lease_timeout_is_validated() -> None:
    assert CrawlSettings.from_mapping({"lease_timeout_s": "2.5"}).lease_timeout_s == 2.5
    for bad in ("0", "-1", "100000"):
        with pytest.raises(ValueError, match="lease_timeout_s"):
            CrawlSettings.from_mapping({"lease_timeout_s": bad})
