"""Per-document timeliness: 成文日期 -> 发布日期 in working days, 发布日期 -> first capture in calendar days.

Article 26 of the 2019 条例 (《中华人民共和国政府信息公开条例》) asks that information to be disclosed on the
agency's own initiative be published within 20 working days of its forming or change (自该政府信息形成或者变更之日
起20个工作日内). A page shows 成文日期, which is usually but not always the day of forming, so a lag over 20 is
an indicator to look at, never a finding of breach. A lag that cannot be computed is flagged with the reason and
left out of every share and median; it is never filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archive.workdays import NotCovered, working_days_after

ARTICLE_26_DAYS = 20
ARTICLE_26 = (
    "《政府信息公开条例》（2019年修订）第二十六条：自该政府信息形成或者变更之日起20个工作日内予以公开"
)
BEIJING = dt.timezone(dt.timedelta(hours=8))

# Why a lag could not be computed (flag -> label shown on pages and reports).
FLAGS: dict[str, str] = {
    "no_written_date": "页面无成文日期",
    "no_publish_date": "页面无发布日期",
    "not_covered": "日期超出官方节假日日历数据范围",
    "publish_before_written": "发布日期早于成文日期",
}


@dataclass(frozen=True)
class DocFacts:
    """One document as the accountability views see it (no body)."""

    doc_id: str
    agency: str | None
    topic: str | None
    title: str | None
    written_date: str | None
    publish_date: str | None
    first_seen: str | None  # Beijing date of the first capture
    status: str
    versions: int
    lag: int | None  # working days 成文 -> 发布, None when flagged
    flag: str | None  # a key of FLAGS
    capture_lag: int | None  # calendar days 发布 -> first capture (negative: captured before the shown date)

    @property
    def late(self) -> bool:
        return self.lag is not None and self.lag > ARTICLE_26_DAYS

    @property
    def publish_month(self) -> str | None:
        return self.publish_date[:7] if self.publish_date else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.doc_id,
            "title": self.title,
            "agency": self.agency,
            "topic": self.topic,
            "written_date": self.written_date,
            "publish_date": self.publish_date,
            "first_captured": self.first_seen,
            "status": self.status,
            "versions": self.versions,
            "lag_working_days": self.lag,
            "lag_flag": self.flag,
            "capture_lag_days": self.capture_lag,
            "over_20_working_days": self.late,
        }


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def beijing_date(instant: object) -> dt.date | None:
    """The Beijing calendar day of an ISO 8601 instant (captures are stored in UTC)."""
    if not isinstance(instant, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(BEIJING).date()


def lag_of(written: dt.date | None, published: dt.date | None) -> tuple[int | None, str | None]:
    """(working days, None) or (None, flag)."""
    if written is None:
        return None, "no_written_date"
    if published is None:
        return None, "no_publish_date"
    if published < written:
        return None, "publish_before_written"
    try:
        return working_days_after(written, published), None
    except NotCovered:
        return None, "not_covered"


def facts_from_row(row: Mapping[str, Any]) -> DocFacts:
    """A DocFacts from one `Catalogue.document_facts()` row."""
    written, published = _date(row.get("written_date")), _date(row.get("publish_date"))
    seen = beijing_date(row.get("first_seen_at"))
    lag, flag = lag_of(written, published)
    return DocFacts(
        doc_id=str(row["doc_id"]),
        agency=row.get("agency") or None,
        topic=row.get("topic") or None,
        title=row.get("title"),
        written_date=written.isoformat() if written else None,
        publish_date=published.isoformat() if published else None,
        first_seen=seen.isoformat() if seen else None,
        status=str(row.get("status") or "live"),
        versions=int(row.get("versions") or 1),
        lag=lag,
        flag=flag,
        capture_lag=(seen - published).days if seen and published else None,
    )


def median(values: list[int]) -> float | None:
    """The middle value (mean of the two middle ones for an even count); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2
