"""Capture instants (ISO 8601 UTC) shown in Beijing time, the clock the documents themselves use."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

BEIJING = dt.timezone(dt.timedelta(hours=8))


def beijing_text(value: str | None) -> str:
    """`2026-01-01 16:26` in Beijing time (minutes: what the page shows); a value that does not parse, as it is."""
    if not value:
        return ""
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def beijing_time(value: str | None) -> Markup:
    """`<time datetime="…Z">2026-01-01 16:26</time>`; a value that does not parse is shown as it is."""
    if not value:
        return Markup("")
    shown = beijing_text(value)
    if shown == value:
        return Markup(escape(value))
    return Markup('<time datetime="{}">{}</time>').format(value, shown)
