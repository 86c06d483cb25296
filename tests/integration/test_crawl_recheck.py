"""A later crawl of the same seeds: conditional re-checks, new, changed and removed documents (issue 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from govsim.harness import fast_settings, run_crawl
from govsim.server import GovSim, serve_govsim

from demosite.site import DemoSite

pytestmark = pytest.mark.slow
N_DOCS = 30


def test_recrawl_reports_unchanged_new_changed_removed(tmp_path: Path) -> None:
    settings = fast_settings(delay_s=0.02)
    sim = GovSim(base=DemoSite(seed=3, n_docs=N_DOCS), robots=None)
    with serve_govsim(sim) as srv:
        seeds = [srv.url + "/"]
        first = run_crawl(seeds, tmp_path, settings)
        assert first.new == N_DOCS

        before = len(srv.hits())
        second = run_crawl(seeds, tmp_path, settings)
        recheck = srv.hits()[before:]
        assert (second.new, second.changed, second.unchanged) == (0, 0, N_DOCS)
        conditional = [h for h in recheck if "If-None-Match" in h.headers or "If-Modified-Since" in h.headers]
        assert len(conditional) >= N_DOCS  # every known document re-checked with validators
        assert {
            h.status for h in recheck if h.path_qs.startswith(("/art/", "/xxgk/")) and "/t2" in h.path_qs
        } <= {304}

        sim.base = DemoSite(seed=3, n_docs=N_DOCS, changed={1, 2}, removed={4}, added=2)
        third = run_crawl(seeds, tmp_path, settings)
        assert (third.new, third.changed) == (2, 2)
        assert third.removed == 0  # one 404 is not yet a removal (two consecutive are needed)
        before = len(srv.hits())
        fourth = run_crawl(seeds, tmp_path, settings)
        # validators carried forward from the 304 captures of the third run: still cheap re-checks
        conditional = [h for h in srv.hits()[before:] if "If-None-Match" in h.headers]
        assert len(conditional) >= N_DOCS - 3
        assert fourth.removed == 1
        assert fourth.new == 0 and fourth.changed == 0
