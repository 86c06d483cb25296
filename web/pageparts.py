"""Pieces of the search page beyond the hit list: any-of facet counts, removable filter chips, marked titles.

Kept apart from search.py (which owns the one query per request) so the page can grow without touching it.
Facets are any-of: choosing 市公安局 must not hide the other agencies, so the agency counts are those of the same
search without the agency filter (and likewise for topics); each extra count costs one more index query, made only
when that facet has a value chosen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from index import IndexSettings, SearchPage, highlight

from .queryargs import DATE_FIELDS, SearchArgs
from .snippets import safe_snippet

FacetRunner = Callable[[SearchArgs], SearchPage]


def any_of_facets(search: SearchArgs, page: SearchPage, run: FacetRunner) -> dict[str, Mapping[str, int]]:
    """agency and topic counts, each as if its own filter were not set (the others still apply)."""
    out: dict[str, Mapping[str, int]] = {
        "agency": page.facets.get("agency", {}),
        "topic": page.facets.get("topic", {}),
    }
    if search.agencies:
        out["agency"] = run(dataclasses.replace(search, agencies=(), page=1)).facets.get("agency", {})
    if search.topics:
        out["topic"] = run(dataclasses.replace(search, topics=(), page=1)).facets.get("topic", {})
    return out


@dataclass(frozen=True)
class Chip:
    """One active filter: what it is, and the search URL without it."""

    label: str
    value: str
    remove: str  # query string


def filter_chips(search: SearchArgs) -> list[Chip]:
    chips = [Chip("发布机构", a, search.toggle("agency", a)) for a in search.agencies]
    chips += [Chip("主题分类", t, search.toggle("topic", t)) for t in search.topics]
    dated = DATE_FIELDS.get(search.date_field, "发布日期")
    if search.since:
        chips.append(Chip(f"{dated}起", search.since, search.query_string(since=None)))
    if search.until:
        chips.append(Chip(f"{dated}止", search.until, search.query_string(until=None)))
    return chips


def marked_titles(page: SearchPage, q: str, settings: IndexSettings) -> dict[str, Markup]:
    """Hit id -> its title with the query's literals in <mark>, re-sanitised like snippets."""
    if not q:
        return {}
    return {hit.id: safe_snippet(highlight(hit.title, q, settings)) for hit in page.hits if hit.title}
