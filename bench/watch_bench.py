"""What a watch cycle costs against the full re-check it replaces most of the time (issue 15).

One demo site on loopback, archived once; then, alternately, the watcher's frequent run (`crawl(recheck=False)`:
lists and unseen documents) and a full re-check (`crawl(recheck=True)`: every known page again, conditional
requests), each against a site whose articles carry new volatile parts (view counter, generation time, session
tokens), so no page can answer 304. Reported: requests, wall time, and the ratio frequent/full, plus the versions
recorded (must stay 0: no false changes). Bounded: a few rounds on a few hundred pages.

    python bench/watch_bench.py [--docs 320] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from archive import Archive, Catalogue, DataDir
from crawler import CrawlSettings, crawl
from demosite.server import serve_site
from demosite.site import DemoResponse, DemoSite

SETTINGS = CrawlSettings(
    delay_s=0.0, jitter=0.0, user_agent="gongkai-bench/0.1 (+https://example.org/gongkai)"
)


class Switch(DemoSite):
    def __init__(self, site: DemoSite) -> None:
        super().__init__(seed=site.seed, n_docs=site.n_docs)
        self.current = site

    def respond(
        self, method: str, path_qs: str, headers: Mapping[str, str], body: bytes = b""
    ) -> DemoResponse:
        return self.current.respond(method, path_qs, headers, body)


def versions(root: Path) -> int:
    with Catalogue(DataDir(root).catalogue_path, readonly=True) as cat:
        return int(cat.conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0])


def run(root: Path, seeds: list[str], *, recheck: bool) -> tuple[int, float]:
    data_dir = DataDir(root).ensure()
    started = time.perf_counter()
    with Archive.open(data_dir) as archive:
        summary = crawl(
            seeds, archive=archive, state_dir=data_dir.crawl_dir, settings=SETTINGS, recheck=recheck
        )
    return summary.fetched, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=320)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    site = DemoSite(seed=20210226, n_docs=args.docs)
    switch = Switch(site)
    with tempfile.TemporaryDirectory() as tmp, serve_site(switch) as srv:
        root = Path(tmp) / "data"
        seeds = [srv.url + p for p in site.seed_paths]
        fetched, first_s = run(root, seeds, recheck=True)
        base_versions = versions(root)
        print(f"first crawl: {fetched} requests, {first_s:.1f} s, {base_versions} versions")
        frequent: list[tuple[int, float]] = []
        full: list[tuple[int, float]] = []
        for visit in range(1, args.rounds + 1):
            switch.current = DemoSite(seed=site.seed, n_docs=args.docs, volatile=2 * visit)
            frequent.append(run(root, seeds, recheck=False))
            switch.current = DemoSite(seed=site.seed, n_docs=args.docs, volatile=2 * visit + 1)
            full.append(run(root, seeds, recheck=True))
        added = versions(root) - base_versions
    f_req, f_s = statistics.median(r for r, _ in frequent), statistics.median(s for _, s in frequent)
    c_req, c_s = statistics.median(r for r, _ in full), statistics.median(s for _, s in full)
    print("| run | requests (median) | seconds (median) |")
    print("| --- | --- | --- |")
    print(f"| watch cycle (recheck=False) | {f_req:.0f} | {f_s:.2f} |")
    print(f"| full re-check (recheck=True) | {c_req:.0f} | {c_s:.2f} |")
    print(f"| ratio | {f_req / c_req:.3f} | {f_s / c_s:.3f} |")
    print(f"versions recorded by {2 * args.rounds} re-crawls of pages with volatile parts: {added}")


if __name__ == "__main__":
    main()
