"""The demo site's agency habits: off by default (every other test's site is unchanged), deterministic, and each
one exactly as demosite/habits.py describes it, so the accountability views have a known truth to find."""

from __future__ import annotations

import datetime as dt

import pytest

from demosite import DemoSite
from demosite.habits import EDITING_AGENCY, LATE_AGENCY, SILENT_AGENCY, silent_quarter
from demosite.text import cn_date


@pytest.mark.parametrize("seed", [0, 20210226])
def test_habits_touch_only_their_own_documents(seed: int) -> None:
    plain = DemoSite(seed=seed).documents
    habits = DemoSite(seed=seed, habits=True).documents
    assert len(plain) == 320 and len(habits) > 320
    for before, after in zip(plain, habits, strict=False):
        if after.habit is None:
            assert after == before
        else:
            assert after.habit == "late" and after.agency == LATE_AGENCY
            assert (after.title, after.publish_date, after.path) == (
                before.title,
                before.publish_date,
                before.path,
            )
    assert DemoSite(seed=seed, habits=True).documents == habits


@pytest.mark.parametrize("seed", [0, 3, 20210226])
def test_late_documents_are_45_to_120_days_late_and_others_at_most_12(seed: int) -> None:
    docs = DemoSite(seed=seed, habits=True).documents
    for doc in docs:
        days = (dt.date.fromisoformat(doc.publish_date) - dt.date.fromisoformat(doc.written_date)).days
        if doc.habit == "late":
            assert 45 <= days <= 120
            assert cn_date(doc.written_date) in doc.body  # the sign-off date moved with the 成文日期
        else:
            assert 0 <= days <= 12
    assert any(d.habit == "late" for d in docs)


@pytest.mark.parametrize("seed", [0, 3, 20210226])
def test_the_silent_agency_publishes_monthly_except_one_quarter(seed: int) -> None:
    docs = DemoSite(seed=seed, habits=True).documents
    quarter = silent_quarter(docs)
    assert quarter is not None
    months = {d.publish_date[:7] for d in docs if d.agency == SILENT_AGENCY}
    assert not months.intersection(quarter)
    series = [d for d in docs if d.habit == "series"]
    assert {d.agency for d in series} == {SILENT_AGENCY}
    assert len({d.publish_date[:7] for d in series}) == len(series) == 34 - 3


def test_edit_switches_are_the_editing_agencys_and_disjoint() -> None:
    site = DemoSite(seed=20210226, habits=True)
    changed, removed = site.habit_switches()
    assert changed and removed and not changed & removed
    assert {site.documents[i].agency for i in changed | removed} == {EDITING_AGENCY}
    switched = DemoSite(seed=20210226, habits=True, changed=changed, removed=removed)
    assert all(switched.documents[i].version == 2 for i in changed)
    assert all(switched.respond("GET", switched.documents[i].path, {}).status == 404 for i in removed)
