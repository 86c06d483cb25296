"""The crawler's few exceptions. Expected fetch failures are data (an `Exchange` with `error`), never these."""

from __future__ import annotations


class CrawlError(Exception):
    """A crawl that cannot start at all: no usable seed, unusable state directory."""


class NoUsableSeed(CrawlError):
    """Every seed was rejected (not http(s), too long, unparsable)."""
