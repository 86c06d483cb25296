"""Agencies benchmark: how fast `/agencies` answers on a catalogue of 8,000 real documents.

Builds a catalogue (no WARC files: the page reads only the catalogue) from the real text corpus, with a share of
edited and removed documents so the events table is not empty, then times in one run:

- **baseline**: the obvious implementation, the same figures computed from `Catalogue.iter_documents()` (every
  document's full JSON, bodies included) with `chinese_calendar.is_workday` called for each day of each lag;
- **gongkai cold**: the first `GET /agencies` of a fresh app (loads the snapshot, builds the calendar table);
- **gongkai warm-up**: what `gongkai serve` does in a background thread at start, then the first request;
- **gongkai after a write**: the first request after the catalogue changed (only the changed rows are read);
- **gongkai warm**: repeated requests on an unchanged catalogue (p50/p95), also `/agencies/<name>` and the JSON.

    python bench/agencies_bench.py --corpus ../shared/corpus/text            # 8,000 documents
    python bench/agencies_bench.py --corpus ../shared/corpus/text --docs 2000 --requests 20

Requests go through Flask's test client (the whole app, templates and headers, no sockets). Written dates come
from the record when it has one, else 0..40 days before its date, drawn from `--seed` (or GONGKAI_SEED).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Catalogue, DataDir, Parsed  # noqa: E402
from index import IndexSettings  # noqa: E402
from web import WebSettings, create_app  # noqa: E402
from web.agencies import warm as warm_up  # noqa: E402


def load_records(corpus: Path, limit: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    if len(records) < limit:
        raise SystemExit(f"the corpus has {len(records)} documents, fewer than --docs {limit}")
    return records[:limit]


def _capture(catalogue: Catalogue, url: str, at: str, status: int = 200) -> Any:
    return catalogue.insert_capture(
        {
            "url": url,
            "final_url": url,
            "status": status,
            "captured_at": at,
            "kind": "document",
            "record_type": None,
        }
    )


def build(root: Path, records: list[dict[str, Any]], rng: random.Random) -> Catalogue:
    data_dir = DataDir(root).ensure()
    catalogue = Catalogue(data_dir.catalogue_path)
    catalogue.conn.execute("PRAGMA synchronous=OFF")  # a benchmark build, not an archive
    urls = []
    for i, r in enumerate(records):
        date = (r.get("date") or "2020-01-01")[:10]
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            day = dt.date(2020, 1, 1)
        written = r.get("written_date") or (day - dt.timedelta(days=rng.randint(0, 40))).isoformat()
        parsed = Parsed(
            title=r.get("title"),
            agency=r.get("agency"),
            topic=r.get("topic"),
            doc_no=r.get("doc_no"),
            publish_date=day.isoformat(),
            written_date=written,
            body=r.get("text") or "",
        )
        url = r.get("url") or f"http://bench.example/{i}.html"
        url = f"{url}#{i}"
        catalogue.upsert_document(_capture(catalogue, url, "2026-01-01T00:00:00Z"), parsed, url)
        urls.append((url, parsed))
    for url, parsed in rng.sample(urls, len(urls) // 50):  # 2 % edited
        edited = Parsed(**{**parsed.field_values(), "body": parsed.body + "\n（已修订）"})
        catalogue.upsert_document(_capture(catalogue, url, "2026-02-01T00:00:00Z"), edited, url)
    for url, _ in rng.sample(urls, len(urls) // 100):  # 1 % removed (two consecutive 404s)
        for at in ("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"):
            catalogue.record_check(url, _capture(catalogue, url, at, status=404))
    return catalogue


def baseline(catalogue: Catalogue) -> dict[str, Any]:
    """The same overview figures the obvious way: full documents, the package's is_workday per day."""
    import chinese_calendar

    per: dict[str, dict[str, Any]] = {}
    for doc in catalogue.iter_documents():
        f = doc.fields
        row = per.setdefault(
            f.agency or "", {"documents": 0, "late": 0, "lags": [], "removed": 0, "edited": 0}
        )
        row["documents"] += 1
        row["removed"] += doc.status == "removed"
        row["edited"] += doc.versions > 1
        try:
            start, end = (
                dt.date.fromisoformat(f.written_date or ""),
                dt.date.fromisoformat(f.publish_date or ""),
            )
            lag, day = 0, start
            while day < end:
                day += dt.timedelta(days=1)
                lag += chinese_calendar.is_workday(day)
        except (ValueError, NotImplementedError):
            continue
        row["lags"].append(lag)
        row["late"] += lag > 20
    return {
        name: (r["documents"], statistics.median(r["lags"]) if r["lags"] else None) for name, r in per.items()
    }


def timed(client: Any, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=8000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("GONGKAI_SEED", "17")))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print(f"seed {args.seed}", file=sys.stderr)
    rng = random.Random(args.seed)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gongkai-agencies-bench-"))
    started = time.perf_counter()
    catalogue = build(workdir / "data", load_records(args.corpus, args.docs), rng)
    print(
        f"built {catalogue.count_documents()} documents in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    start = time.perf_counter()
    expected = baseline(catalogue)
    base_ms = (time.perf_counter() - start) * 1000

    app = create_app(WebSettings(), data_dir=DataDir(workdir / "data"), index_settings=IndexSettings())
    client = app.test_client()
    cold = timed(client, "/agencies")
    data = client.get("/api/agencies").get_json()
    got = {
        a["name"] if a["name"] != "（未标注发布机构）" else "": (a["documents"], a["median_lag_working_days"])
        for a in data["agencies"]
    }
    if got != expected:
        raise SystemExit("the page's figures differ from the baseline's")
    served = create_app(WebSettings(), data_dir=DataDir(workdir / "data"), index_settings=IndexSettings())
    start = time.perf_counter()
    warm_up(served)
    warm_up_ms = (time.perf_counter() - start) * 1000
    after_warm_up = timed(served.test_client(), "/agencies")
    warm = sorted(timed(client, "/agencies") for _ in range(args.requests))
    biggest = quote(data["agencies"][0]["name"], safe="")
    detail = sorted(timed(client, f"/agencies/{biggest}") for _ in range(args.requests))
    api = sorted(timed(client, "/api/agencies") for _ in range(args.requests))
    url, parsed = (
        "http://bench.example/after-write.html",
        Parsed(title="写入后", agency="国务院", publish_date="2024-01-02"),
    )
    catalogue.upsert_document(_capture(catalogue, url, "2026-04-01T00:00:00Z"), parsed, url)
    after_write = timed(client, "/agencies")
    catalogue.close()

    def p(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    print(f"\n{args.docs} documents, {len(expected)} agencies, {args.requests} requests each\n")
    print("| measure | ms | baseline / this |")
    print("| --- | ---: | ---: |")
    print(f"| baseline: overview from full documents, is_workday per day | {base_ms:.0f} | 1.0 |")
    print(f"| `/agencies` cold (fresh app: snapshot + calendar table) | {cold:.0f} | {base_ms / cold:.1f} |")
    print(
        f"| `warm()` in the background at `gongkai serve` start | {warm_up_ms:.0f} | {base_ms / warm_up_ms:.1f} |"
    )
    print(
        f"| `/agencies` first request after the warm-up | {after_warm_up:.0f} | {base_ms / after_warm_up:.0f} |"
    )
    print(
        f"| `/agencies` first request after a catalogue write | {after_write:.0f} | {base_ms / after_write:.1f} |"
    )
    for name, values in (("`/agencies`", warm), ("`/agencies/<largest>`", detail), ("`/api/agencies`", api)):
        print(
            f"| {name} warm p50 / p95 | {p(values, 0.5):.1f} / {p(values, 0.95):.1f} | {base_ms / p(values, 0.5):.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
