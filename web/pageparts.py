"""Pieces of the search page beyond the hit list: any-of facet counts, removable filter chips, marked titles.

Kept apart from search.py (which owns the one query per request) so the page can grow without touching it.
Facets are any-of: choosing 市公安局 must not hide the other agencies, so the agency counts are those of the same
search without the agency filter (and likewise for every facet of archive/fields.py); each extra count costs one
more index query, made only when that facet has a value chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from index import DATE_FIELDS, IndexSettings, SearchPage, highlight

from .queryargs import FILTERS, SearchArgs
from .snippets import safe_snippet

FacetRunner = Callable[[SearchArgs], SearchPage]


def any_of_facets(search: SearchArgs, page: SearchPage, run: FacetRunner) -> dict[str, Mapping[str, int]]:
    """Each facet's counts as if its own filter were not set (the others still apply)."""
    out: dict[str, Mapping[str, int]] = {}
    for spec in FILTERS:
        if spec.facetable:
            chosen = search.values(spec.name)
            counted = run(search.with_values(spec.name, ())) if chosen else page
            out[spec.name] = counted.facets.get(spec.name, {})
    return out


@dataclass(frozen=True)
class Chip:
    """One active filter: what it is, and the search URL without it."""

    label: str
    value: str
    remove: str  # query string


def filter_chips(search: SearchArgs) -> list[Chip]:
    chips = [
        Chip(spec.label, v, search.toggle(spec.name, v)) for spec in FILTERS for v in search.values(spec.name)
    ]
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
