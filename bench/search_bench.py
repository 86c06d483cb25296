"""Search benchmark: the stock Whoosh + jieba `ChineseAnalyzer` setup against gongkai's index, in one run.

Both indexes are built from the same documents of the real text corpus with 2 writer processes (Whoosh's
multiprocessing writer, multisegment, same memory limit), then queried with the same 200 queries (filters, date
sorts, facets and highlighted snippets: Whoosh's highlighter for the stock index, as anyone would use it) and the
same literal-substring and quoted-phrase probes, whose truth is a brute-force scan of the documents.

    taskset -c 0,1 python bench/search_bench.py --corpus ../shared/corpus/text            # all 8,224 documents
    taskset -c 0,1 python bench/search_bench.py --corpus ../shared/corpus/text --limit 500  # a quick run

See bench/README.md for what it measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.models import Document, Parsed  # noqa: E402
from index import IndexSettings, Searcher, SearchQuery, rebuild_index  # noqa: E402
from index.analyzer import fold  # noqa: E402

CJK = range(0x4E00, 0x9FA6)


def load_corpus(corpus: Path, limit: int | None, seed: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    if limit is not None and limit < len(records):
        records = random.Random(seed).sample(records, limit)
    return records


def to_documents(records: list[dict[str, Any]]) -> list[Document]:
    docs = []
    for i, r in enumerate(records):
        fields = Parsed(
            title=r.get("title"),
            agency=r.get("agency"),
            topic=r.get("topic"),
            doc_no=r.get("doc_no"),
            index_no=r.get("index_no"),
            publish_date=r.get("date"),
            written_date=r.get("written_date"),
            body=r.get("text") or "",
        )
        docs.append(
            Document(
                doc_id=r["id"],
                url=r.get("url") or "",
                seq=i + 1,
                status="live",
                versions=1,
                captured_at="",
                first_seen_at="",
                last_checked_at="",
                removed_at=None,
                capture_id=i + 1,
                sha256=None,
                fields=fields,
            )
        )
    return docs


class ListCatalogue:
    def __init__(self, docs: list[Document]) -> None:
        self.docs = docs

    def iter_documents(self, since_seq: int = 0) -> Iterator[Document]:
        return (d for d in self.docs if d.seq > since_seq)

    def max_seq(self) -> int:
        return max((d.seq for d in self.docs), default=0)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- stock


def build_stock(docs: list[Document], index_dir: Path, procs: int) -> None:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    ana = ChineseAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        title=fields.TEXT(analyzer=ana, stored=True),
        body=fields.TEXT(analyzer=ana, stored=True),
        agency=fields.ID(stored=True, sortable=True),
        topic=fields.ID(stored=True, sortable=True),
        doc_no=fields.ID(stored=True),
        publish_date=fields.ID(stored=True, sortable=True),
        year=fields.ID(sortable=True),
    )
    index_dir.mkdir(parents=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer(procs=procs, multisegment=True, limitmb=256) if procs > 1 else ix.writer(limitmb=256)
    for d in docs:
        f = d.fields
        values = {"id": d.doc_id, "url": d.url, "title": f.title or "", "body": f.body}
        if f.agency:
            values["agency"] = f.agency
        if f.topic:
            values["topic"] = f.topic
        if f.doc_no:
            values["doc_no"] = f.doc_no
        if f.publish_date:
            values["publish_date"] = f.publish_date
            values["year"] = f.publish_date[:4]
        writer.add_document(**values)
    writer.commit()
    ix.close()


def search_stock(index_dir: Path, spec: dict[str, Any]) -> tuple[list[str], int]:
    from whoosh import index, sorting
    from whoosh import query as wq
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(index_dir))
    try:
        with ix.searcher() as s:
            parser = MultifieldParser(["title", "body"], ix.schema)
            q = parser.parse(spec["q"])
            parts = [q]
            if spec.get("agencies"):
                parts.append(wq.Or([wq.Term("agency", a) for a in spec["agencies"]]))
            if spec.get("since"):
                parts.append(wq.TermRange("publish_date", spec["since"], spec.get("until")))
            whole = wq.And(parts) if len(parts) > 1 else q
            sortedby = (
                sorting.FieldFacet("publish_date", reverse=True) if spec.get("sort") == "newest" else None
            )
            groups = {
                name: sorting.FieldFacet(name, maptype=sorting.Count) for name in ("agency", "topic", "year")
            }
            limit = spec.get("limit", 20)
            results = s.search(whole, limit=limit, sortedby=sortedby, groupedby=groups)
            if spec.get("snippets", True):
                for hit in results[:limit]:
                    hit.highlights("body")
            for name in groups:
                results.groups(name)
            if spec.get("all"):
                results = s.search(whole, limit=None)
            return [h["id"] for h in results], len(results)
    finally:
        ix.close()


# ---------------------------------------------------------------- gongkai


def search_gongkai(index_dir: Path, settings: IndexSettings, spec: dict[str, Any]) -> tuple[list[str], int]:
    limit = spec.get("limit", 20)
    with Searcher(index_dir, settings) as s:
        query = SearchQuery(
            q=spec["q"],
            agencies=tuple(spec.get("agencies", ())),
            since=spec.get("since"),
            until=spec.get("until"),
            sort=spec.get("sort", "relevance"),
            limit=limit,
        )
        if spec.get("all"):  # recall probes: every match (as `gongkai export` gets them)
            ids = s.matching_ids(query)
            return ids, len(ids)
        page = s.search(query)
        return [h.id for h in page.hits], page.total


# ---------------------------------------------------------------- workload


def cjk_run(text: str, rng: random.Random, length: int) -> str | None:
    for _ in range(50):
        start = rng.randrange(0, max(1, len(text) - length))
        piece = text[start : start + length]
        if len(piece) == length and all(ord(c) in CJK for c in piece):
            return piece
    return None


def make_workload(
    docs: list[Document], seed: int, n_queries: int, n_probes: int, n_phrases: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words: list[str] = []
    for d in rng.sample(docs, min(len(docs), 300)):
        words.extend(
            w for w in jieba.cut(d.fields.body[:2000]) if 2 <= len(w) <= 4 and all(ord(c) in CJK for c in w)
        )
    agencies = sorted({d.fields.agency for d in docs if d.fields.agency})
    queries: list[dict[str, Any]] = []
    for i in range(n_queries):
        spec: dict[str, Any] = {"q": rng.choice(words)}
        if i % 3 == 1:
            spec["q"] += " " + rng.choice(words)
        if i % 4 == 1 and agencies:
            spec["agencies"] = rng.sample(agencies, min(2, len(agencies)))
        if i % 5 == 2:
            year = rng.randrange(2005, 2023)
            spec["since"], spec["until"] = f"{year}-01-01", f"{year + 3}-12-31"
        if i % 2 == 1:
            spec["sort"] = "newest"
        queries.append(spec)
    probes: list[str] = []
    while len(probes) < n_probes:
        d = rng.choice(docs)
        piece = cjk_run(d.fields.body or d.fields.title or "", rng, 2 + len(probes) % 5)
        if piece and piece not in probes:
            probes.append(piece)
    phrases: list[str] = []
    while len(phrases) < n_phrases:
        d = rng.choice(docs)
        piece = cjk_run(d.fields.body, rng, rng.randrange(4, 11))
        if piece and piece not in phrases:
            phrases.append(piece)
    return {"queries": queries, "probes": probes, "phrases": phrases}


def truth(folded_docs: list[tuple[str, str, str]], text: str) -> set[str]:
    """Brute force: the ids of the documents whose folded title or body contains the folded text."""
    folded = fold(text)
    return {doc_id for doc_id, title, body in folded_docs if folded in title or folded in body}


def recall(found: list[str], expected: set[str]) -> tuple[int, int, int]:
    got = set(found)
    return len(got & expected), len(expected), len(got - expected)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus/text"
    )
    parser.add_argument("--limit", type=int, default=None, help="sample N documents (quick run)")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--probes", type=int, default=60)
    parser.add_argument("--phrases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("GONGKAI_SEED", "6")))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print(f"seed={args.seed} procs={args.procs} cpus={os.sched_getaffinity(0)}", flush=True)

    records = load_corpus(args.corpus, args.limit, args.seed)
    docs = to_documents(records)
    chars = sum(len(d.fields.body) + len(d.fields.title or "") for d in docs)
    print(f"{len(docs)} documents, {chars:,} characters", flush=True)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="gongkai-bench-"))
    shutil.rmtree(work / "stock", ignore_errors=True)
    shutil.rmtree(work / "gongkai", ignore_errors=True)
    settings = IndexSettings(procs=args.procs)

    def cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    builds: dict[str, tuple[float, float]] = {}
    for name in ("stock", "gongkai"):
        started, cpu0 = time.perf_counter(), cpu()
        if name == "stock":
            build_stock(docs, work / "stock", args.procs)
        else:
            rebuild_index(ListCatalogue(docs), work / "gongkai" / "index", settings)
        builds[name] = (time.perf_counter() - started, cpu() - cpu0)
        print(f"{name} build {builds[name][0]:.1f} s wall, {builds[name][1]:.1f} s CPU", flush=True)

    workload = make_workload(docs, args.seed, args.queries, args.probes, args.phrases)
    dirs = {"stock": work / "stock", "gongkai": work / "gongkai" / "index"}

    def run(name: str, spec: dict[str, Any]) -> tuple[list[str], int]:
        if name == "stock":
            return search_stock(dirs[name], spec)
        return search_gongkai(dirs[name], settings, spec)

    # interleaved, so that load from other processes on the machine hits both alike
    times: dict[str, list[float]] = {"stock": [], "gongkai": []}
    for spec in workload["queries"]:
        for name in ("stock", "gongkai"):
            t0 = time.perf_counter()
            run(name, spec)
            times[name].append((time.perf_counter() - t0) * 1000)
    folded_docs = [(d.doc_id, fold(d.fields.title or ""), fold(d.fields.body)) for d in docs]
    truths = {text: truth(folded_docs, text) for text in workload["probes"] + workload["phrases"]}
    rows: dict[str, dict[str, float]] = {}
    for name in ("stock", "gongkai"):
        lit = [0, 0, 0]
        lit_full = 0
        for probe in workload["probes"]:
            got = recall(run(name, {"q": probe, "all": True, "snippets": False})[0], truths[probe])
            lit = [a + b for a, b in zip(lit, got, strict=True)]
            lit_full += got[0] == got[1]
        phr = [0, 0, 0]
        phr_full = 0
        for phrase in workload["phrases"]:
            got = recall(run(name, {"q": f'"{phrase}"', "all": True, "snippets": False})[0], truths[phrase])
            phr = [a + b for a, b in zip(phr, got, strict=True)]
            phr_full += got[0] == got[1]
        wall, cpu_s = builds[name]
        rows[name] = {
            "build_docs_s": len(docs) / wall,
            "build_s": wall,
            "build_cpu_docs_s": len(docs) / cpu_s,
            "size_mb": dir_size(dirs[name]) / 1e6,
            "p50": statistics.median(times[name]),
            "p95": percentile(times[name], 95),
            "lit_recall": 100 * lit[0] / max(1, lit[1]),
            "lit_full": lit_full,
            "lit_false": lit[2],
            "phr_recall": 100 * phr[0] / max(1, phr[1]),
            "phr_full": phr_full,
            "phr_false": phr[2],
        }
        print(name, {k: round(v, 2) for k, v in rows[name].items()}, flush=True)

    n_probes, n_phr = len(workload["probes"]), len(workload["phrases"])
    table = [
        ("build docs/s (higher is better)", "build_docs_s", "{:.1f}"),
        ("build seconds (wall)", "build_s", "{:.1f}"),
        ("build docs per CPU-second (all processes)", "build_cpu_docs_s", "{:.2f}"),
        ("index size MB", "size_mb", "{:.1f}"),
        ("query p50 ms (200 queries, snippets)", "p50", "{:.1f}"),
        ("query p95 ms", "p95", "{:.1f}"),
        (f"literal recall % ({n_probes} probes, 2-6 chars)", "lit_recall", "{:.1f}"),
        (f"literal probes with 100% recall (of {n_probes})", "lit_full", "{:.0f}"),
        ("literal hits not containing the probe", "lit_false", "{:.0f}"),
        (f"quoted-phrase recall % ({n_phr} phrases)", "phr_recall", "{:.1f}"),
        (f"phrases with 100% recall (of {n_phr})", "phr_full", "{:.0f}"),
        ("phrase hits not containing the phrase", "phr_false", "{:.0f}"),
    ]
    print()
    print("| measure | stock | gongkai | gongkai/stock |")
    print("| --- | ---: | ---: | ---: |")
    for label, key, fmt in table:
        a, b = rows["stock"][key], rows["gongkai"][key]
        ratio = f"{b / a:.2f}" if a else "-"
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio} |")
    per_100k = 100_000 / rows["gongkai"]["build_docs_s"] / 60
    print(f"queries: {len(workload['queries'])}, load average at the end: {os.getloadavg()}")
    print(
        f"\ngongkai: 100,000 documents of this corpus's average size take about {per_100k:.0f} minutes to build"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
