"""List-side fields on their way from a list to the document it names, through the frontier (JSON text).

A list answer is fetched long before the documents it names; the frontier keeps what the list said (`urls.meta`)
so the crawl loop can store it with the document's capture (archive.listside) and fill what the page lacks.
"""

from __future__ import annotations

import json
import logging

from archive import listside
from crawler.sites.common import Candidate

logger = logging.getLogger(__name__)


def list_meta(candidate: Candidate, list_url: str, adapter: str) -> str | None:
    """What a list said about a candidate, as the frontier keeps it until the document is fetched."""
    if not candidate.fields:
        return None
    item = json.loads(candidate.item) if candidate.item else None
    return json.dumps(
        {"list_url": list_url, "adapter": adapter, "fields": dict(candidate.fields), "item": item},
        ensure_ascii=False,
    )


def listed_fields(meta: str | None) -> listside.ListFields | None:
    if not meta:
        return None
    try:
        data = json.loads(meta)
        return listside.ListFields(
            list_url=str(data["list_url"]),
            adapter=str(data["adapter"]),
            fields={str(k): str(v) for k, v in dict(data["fields"]).items()},
            item=data.get("item"),
        )
    except (ValueError, KeyError, TypeError):
        logger.warning("unreadable list-side fields in the frontier: %.80s", meta)
        return None
