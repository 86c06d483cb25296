"""One converter for every layer's settings: text and TOML values read by the declared type, checks in the
dataclasses (issue 19: `ArchiveSettings.from_mapping({"revisit_request_records": "false"})` used to be True)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.settings import ArchiveSettings
from crawler.settings import CrawlSettings
from index.settings import IndexSettings
from web.settings import WebSettings

LAYERS = [ArchiveSettings, CrawlSettings, IndexSettings, WebSettings]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("false", False),
        ("False", False),
        ("0", False),
        ("off", False),
        ("no", False),
        ("true", True),
        ("1", True),
        ("yes", True),
        ("ON", True),
    ],
)
def test_booleans_from_text_are_read_not_truthy(text: str, expected: bool) -> None:
    assert ArchiveSettings.from_mapping({"revisit_request_records": text}).revisit_request_records is expected
    assert CrawlSettings.from_mapping({"fetch_attachments": text}).fetch_attachments is expected


@pytest.mark.parametrize("cls", LAYERS)
def test_every_layer_refuses_unknown_keys_and_unreadable_values(cls: type) -> None:
    with pytest.raises(ValueError, match="unknown setting"):
        cls.from_mapping({"no_such_setting": 1})
    ints = [name for name, value in vars(cls()).items() if type(value) is int]
    with pytest.raises(ValueError, match="cannot read"):
        cls.from_mapping({ints[0]: "many"})


def test_numbers_tuples_paths_and_none_from_text() -> None:
    crawl = CrawlSettings.from_mapping(
        {"delay_s": "3.5", "max_attempts": "4", "max_pages": "none", "extra_hosts": "a.gov.cn, b.gov.cn"}
    )
    assert (crawl.delay_s, crawl.max_attempts, crawl.max_pages) == (3.5, 4, None)
    assert crawl.extra_hosts == ("a.gov.cn", "b.gov.cn")
    assert IndexSettings.from_mapping({"user_dictionary": "words.txt"}).user_dictionary == Path("words.txt")
    with pytest.raises(ValueError, match="cannot read"):
        IndexSettings.from_mapping({"max_limit": 2.5})
    with pytest.raises(ValueError, match="cannot read"):
        ArchiveSettings.from_mapping({"removed_after": True})


@pytest.mark.parametrize(
    "build",
    [
        lambda: ArchiveSettings(removed_after=0),
        lambda: IndexSettings(max_limit=0),
        lambda: WebSettings(page_size=0),
        lambda: WebSettings(app_origin="http://a:1", raw_origin="http://a:1"),
        lambda: CrawlSettings(delay_s=-1),
    ],
)
def test_checks_live_in_the_dataclasses_whichever_way_they_are_built(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]
