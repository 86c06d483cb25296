"""Scale benchmark: search latency over HTTP as the archive grows, against stock Whoosh + jieba and SQLite FTS5.

For each size (the real corpus, `../shared/corpus/text`, 8,224 documents, and copies of it with new ids up to
100,000), one run builds three indexes of the same documents and sends them the same 200 queries (one or two 2-4
character terms cut from document text; a quarter with an agency filter, a fifth with a date range, half sorted
newest first):

* **gongkai** through its HTTP API: `gongkai serve` started by this script on the built index, each query a
  `GET /api/search?...&limit=10` (facets, year and month counts, 10 highlighted hits), after 40 warm-up queries
  that are not among the 200 (repeats would be answered by the result cache);
* **stock**: Whoosh + jieba's `ChineseAnalyzer`, in-process, 10 hits with Whoosh's highlighter and facets by
  Whoosh's grouping (the setup of `search_bench.py`);
* **fts5**: SQLite FTS5 with the trigram tokenizer (the common engine with exact substring matching), in-process:
  a phrase MATCH for terms of 3+ characters, LIKE for 2-character ones (the trigram index cannot answer them),
  facets and total by GROUP BY over the matches, 10 hits by bm25 with `snippet()`.

It prints p50/p95/p99 per size per engine, literal-substring recall (60 probes of 2-6 characters against a
brute-force scan; copies share their original's text, so truth expands by copy), quoted-phrase recall, build
time and index size, and the serving process's peak RSS. See bench/README.md for results.

    taskset -c 0,1 python bench/scale_bench.py --sizes 8224,100000
    python bench/scale_bench.py --sizes 2000 --queries 50 --engines gongkai,fts5      # a quick run
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pg_bench import build_pg, query_pg, release  # noqa: E402
from pg_bench import database as pg_database  # noqa: E402
from scale_export import measure_export, write_catalogue  # noqa: E402
from search_bench import (  # noqa: E402
    ListCatalogue,
    build_stock,
    cjk_run,
    dir_size,
    load_corpus,
    percentile,
    search_stock,
    to_documents,
)

from archive.models import Document  # noqa: E402
from index import IndexSettings, Searcher, SearchQuery, rebuild_index  # noqa: E402
from index.analyzer import fold  # noqa: E402

WARMUP = 40


def scaled(docs: list[Document], size: int, seed: int) -> list[Document]:
    """`size` documents: a sample of the corpus, or the corpus and copies of it under new ids."""
    if size <= len(docs):
        return random.Random(seed).sample(docs, size)
    out = list(docs)
    copy = 1
    while len(out) < size:
        for d in docs:
            if len(out) >= size:
                break
            out.append(replace(d, doc_id=f"{d.doc_id}~{copy}", url=f"{d.url}#copy{copy}", seq=len(out) + 1))
        copy += 1
    return out


def make_queries(docs: list[Document], n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    agencies = sorted({d.fields.agency for d in docs if d.fields.agency})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(out) < n:
        terms = []
        for _ in range(1 + (len(out) % 3 == 1)):
            d = rng.choice(docs)
            piece = cjk_run(d.fields.body or "", rng, rng.choice((2, 3, 4)))
            if piece:
                terms.append(piece)
        q = " ".join(terms)
        if not terms or q in seen:
            continue
        seen.add(q)
        i = len(out)
        spec: dict[str, Any] = {"q": q, "limit": 10}
        if i % 4 == 1 and agencies:
            spec["agencies"] = rng.sample(agencies, min(2, len(agencies)))
        if i % 5 == 2:
            year = rng.randrange(2005, 2023)
            spec["since"], spec["until"] = f"{year}-01-01", f"{year + 3}-12-31"
        if i % 2 == 1:
            spec["sort"] = "newest"
        out.append(spec)
    return out


# ---------------------------------------------------------------- gongkai over HTTP


class Server:
    """`gongkai serve` on a data directory holding the index, in its own process."""

    def __init__(self, data_dir: Path) -> None:
        # one client sends every query: the request budget (tested by load_bench.py) must not answer for it
        (data_dir / "gongkai.toml").write_text(
            "[web]\nrate_per_s = 1000000.0\nrate_burst = 1000000\n", "utf-8"
        )
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gongkai", "--data-dir", str(data_dir), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=str(Path(__file__).resolve().parents[1]),
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {line}")
        else:
            raise RuntimeError("server did not start")
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path: str) -> dict[str, Any]:
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
        data: dict[str, Any] = json.loads(body)
        return data

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def close(self) -> None:
        self.conn.close()
        self.proc.terminate()
        self.proc.wait(10)


def api_path(spec: dict[str, Any]) -> str:
    params: list[tuple[str, str]] = [("q", spec["q"]), ("limit", str(spec.get("limit", 10)))]
    params += [("agency", a) for a in spec.get("agencies", ())]
    for key in ("since", "until", "sort"):
        if spec.get(key):
            params.append((key, spec[key]))
    return "/api/search?" + urlencode(params)


# ---------------------------------------------------------------- SQLite FTS5 trigram


def build_fts5(docs: list[Document], path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='trigram');
        CREATE TABLE m(rowid INTEGER PRIMARY KEY, id TEXT, agency TEXT, topic TEXT, pdate TEXT, year TEXT);
        """
    )
    rows = ((i + 1, d) for i, d in enumerate(docs))
    for i, d in rows:
        f = d.fields
        db.execute("INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)", (i, f.title or "", f.body or ""))
        pdate = f.publish_date or None
        db.execute(
            "INSERT INTO m VALUES (?, ?, ?, ?, ?, ?)",
            (i, d.doc_id, f.agency, f.topic, pdate, (pdate or "")[:4]),
        )
    db.execute("CREATE INDEX m_agency ON m(agency)")
    db.commit()
    db.execute("INSERT INTO t(t) VALUES ('optimize')")
    db.commit()
    db.close()


def search_fts5(db: sqlite3.Connection, spec: dict[str, Any]) -> tuple[list[str], int]:
    terms = spec["q"].replace('"', " ").split()
    long_terms = [t for t in terms if len(t) >= 3]
    short = [t for t in terms if len(t) < 3]
    where: list[str] = []
    args: list[Any] = []
    if long_terms:
        where.append("t MATCH ?")
        args.append(" AND ".join(f'"{t}"' for t in long_terms))
    for t in short:
        where.append("(t.title LIKE ? OR t.body LIKE ?)")
        args += [f"%{t}%", f"%{t}%"]
    if spec.get("agencies"):
        where.append(f"m.agency IN ({','.join('?' * len(spec['agencies']))})")
        args += spec["agencies"]
    if spec.get("since"):
        where.append("m.pdate BETWEEN ? AND ?")
        args += [spec["since"], spec.get("until") or "9999-12-31"]
    rank = "bm25(t)" if long_terms else "0"
    db.execute("DROP TABLE IF EXISTS temp.hits")
    db.execute(
        f"CREATE TEMP TABLE hits AS SELECT t.rowid AS rid, {rank} AS score FROM t JOIN m ON m.rowid = t.rowid"
        f" WHERE {' AND '.join(where)}",
        args,
    )
    total = db.execute("SELECT count(*) FROM hits").fetchone()[0]
    for column in ("agency", "topic", "year"):
        db.execute(f"SELECT m.{column}, count(*) FROM hits JOIN m ON m.rowid = rid GROUP BY 1").fetchall()
    order = "m.pdate DESC" if spec.get("sort") == "newest" else "score"
    limit = spec.get("limit", 10)
    top = db.execute(
        f"SELECT m.id, rid FROM hits JOIN m ON m.rowid = rid ORDER BY {order}, m.id LIMIT ?", (limit,)
    ).fetchall()
    if long_terms:
        for _id, rid in top:
            db.execute(
                "SELECT snippet(t, 1, '<mark>', '</mark>', '…', 24) FROM t WHERE t MATCH ? AND rowid = ?",
                (args[0], rid),
            ).fetchone()
    return [row[0] for row in top], total


def fts5_all(db: sqlite3.Connection, probe: str) -> list[str]:
    if len(probe) >= 3:
        rows = db.execute(
            "SELECT m.id FROM t JOIN m ON m.rowid = t.rowid WHERE t MATCH ?", (f'"{probe}"',)
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT m.id FROM t JOIN m ON m.rowid = t.rowid WHERE t.title LIKE ? OR t.body LIKE ?",
            (f"%{probe}%", f"%{probe}%"),
        ).fetchall()
    return [r[0] for r in rows]


# ---------------------------------------------------------------- truth


def probes_for(base: list[Document], n: int, seed: int, lengths: tuple[int, ...]) -> list[str]:
    rng = random.Random(seed + 1)
    out: list[str] = []
    while len(out) < n:
        d = rng.choice(base)
        piece = cjk_run(d.fields.body or d.fields.title or "", rng, lengths[len(out) % len(lengths)])
        if piece and piece not in out:
            out.append(piece)
    return out


_FOLDED: dict[str, tuple[str, str]] = {}


def truth(docs: list[Document], text: str) -> set[str]:
    """Brute force: the documents whose folded title or body holds the folded text (each folded once)."""
    folded = fold(text)
    out: set[str] = set()
    for d in docs:
        pair = _FOLDED.get(d.doc_id)
        if pair is None:
            pair = _FOLDED[d.doc_id] = (fold(d.fields.title or ""), fold(d.fields.body or ""))
        if folded in pair[0] or folded in pair[1]:
            out.add(d.doc_id)
    return out


def scaled_truth(base_truth: dict[str, set[str]], docs: list[Document]) -> dict[str, set[str]]:
    """Truth for the copies: a copy matches exactly when its original does."""
    by_base: dict[str, list[str]] = {}
    for d in docs:
        by_base.setdefault(d.doc_id.split("~")[0], []).append(d.doc_id)
    return {p: {c for b in ids for c in by_base.get(b, [])} for p, ids in base_truth.items()}


# ---------------------------------------------------------------- run


def summarise(times: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
    }


def prewarm(path: Path) -> None:
    """Read every file under `path` once, so the first queries do not measure the disk (a long-running server's
    files are in the page cache); done alike for every engine."""
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        with file.open("rb") as f:
            while f.read(1 << 24):
                pass


def run_size(
    size: int, base: list[Document], args: argparse.Namespace, engines: list[str], work: Path
) -> dict[str, dict[str, float]]:
    docs = scaled(base, size, args.seed)
    sample_base = docs if size <= len(base) else base
    queries = make_queries(sample_base, args.queries + WARMUP, args.seed)
    warmup, queries = queries[:WARMUP], queries[WARMUP:]
    probes = probes_for(sample_base, args.probes, args.seed, (2, 3, 4, 5, 6))
    phrases = probes_for(sample_base, args.phrases, args.seed + 7, (4, 5, 6, 7, 8, 9, 10))
    base_truth = {p: truth(sample_base, p) for p in probes + phrases}
    truths = base_truth if size <= len(base) else scaled_truth(base_truth, docs)
    root = work / str(size)
    rows: dict[str, dict[str, float]] = {}
    for engine in engines:
        where = root / engine
        reused = args.reuse and (where / "built").exists()
        pg_url = (
            pg_database() if engine == "pg" and not reused else ""
        )  # a server's start-up is not the build
        started = time.perf_counter()
        if not reused:
            shutil.rmtree(where, ignore_errors=True)
            where.mkdir(parents=True)
            os.chmod(where, 0o700)
        if reused:
            pass
        elif engine == "gongkai":
            rebuild_index(ListCatalogue(docs), where / "index", IndexSettings(procs=args.procs))
        elif engine == "pg":  # the PostgreSQL search backend (pg_bench.py)
            build_pg(pg_url, ListCatalogue(docs), where, args.procs)
        elif engine == "stock":
            build_stock(docs, where / "index", args.procs)
        else:
            build_fts5(docs, where / "fts.sqlite")
        build_s = time.perf_counter() - started
        if reused:  # the figures of the run that built it
            build_s = json.loads((where / "built").read_text("utf-8"))["build_s"]
        else:
            (where / "built").write_text(json.dumps({"build_s": build_s, "load": os.getloadavg()}), "utf-8")
        row: dict[str, float] = {
            "build_s": build_s,
            "build_docs_s": size / build_s,
            # the index alone (--export adds a catalogue beside gongkai's)
            "size_mb": dir_size(where / "index" if engine != "fts5" else where) / 1e6,
        }
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"[{size}] {engine} built in {build_s:.1f} s ({row['size_mb']:.0f} MB; load {load})", flush=True
        )
        if args.build_only:
            continue
        times: list[float] = []
        found: dict[str, list[str]] = {}
        if engine == "gongkai":
            if args.export and not (where / "catalogue.sqlite").exists():
                write_catalogue(docs, where / "catalogue.sqlite")
            if args.prewarm:
                prewarm(where / "index")
            server = Server(where)
            try:
                for spec in warmup:
                    server.get(api_path(spec))
                for spec in queries:
                    t0 = time.perf_counter()
                    server.get(api_path(spec))
                    times.append((time.perf_counter() - t0) * 1000)
                row["rss_mb"] = server.peak_rss_mb()
                if args.export:
                    row.update(measure_export(server.port, args.export, [api_path(q) for q in warmup]))
                    row["rss_export_mb"] = server.peak_rss_mb()  # the peak, the export included
            finally:
                server.close()
            settings = IndexSettings(max_offset=10_000)
            with Searcher(where / "index", settings) as s:
                for p in probes:
                    found[p] = s.matching_ids(SearchQuery(q=p))
                for p in phrases:
                    found[p] = s.matching_ids(SearchQuery(q=f'"{p}"'))
        elif engine == "pg":
            times, found = query_pg(where, Server, api_path, warmup, queries, probes, phrases, row)
        elif engine == "stock":
            if args.prewarm:
                prewarm(where / "index")
            for spec in queries[: args.stock_queries]:
                t0 = time.perf_counter()
                search_stock(where / "index", {**spec, "snippets": True})
                times.append((time.perf_counter() - t0) * 1000)
            for p in probes[: args.peer_probes]:
                found[p] = search_stock(where / "index", {"q": p, "all": True, "snippets": False})[0]
            for p in phrases[: args.peer_probes]:
                found[p] = search_stock(where / "index", {"q": f'"{p}"', "all": True, "snippets": False})[0]
        else:
            if args.prewarm:
                prewarm(where)
            db = sqlite3.connect(where / "fts.sqlite")
            for spec in queries:
                t0 = time.perf_counter()
                search_fts5(db, spec)
                times.append((time.perf_counter() - t0) * 1000)
            for p in probes[: args.peer_probes] + phrases[: args.peer_probes]:
                found[p] = fts5_all(db, p)
            db.close()
        row.update(summarise(times))
        row["queries"] = len(times)
        for label, group in (("lit", probes), ("phr", phrases)):
            hit = total = false = full = 0
            group = [p for p in group if p in found]  # peers may have run only the first --peer-probes
            row[f"{label}_probes"] = len(group)
            for p in group:
                got = set(found[p])
                hit += len(got & truths[p])
                total += len(truths[p])
                false += len(got - truths[p])
                full += got >= truths[p]
            row[f"{label}_recall"] = 100 * hit / max(1, total)
            row[f"{label}_false"] = false
            row[f"{label}_full"] = full
        rows[engine] = row
        print(f"[{size}] {engine}: " + json.dumps({k: round(v, 1) for k, v in row.items()}), flush=True)
        if not (args.keep or args.reuse):
            if engine == "pg":
                release(where)  # its server and table do not stay up while the next engine builds
            shutil.rmtree(where, ignore_errors=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus/text"
    )
    parser.add_argument("--sizes", default="8224,100000")
    parser.add_argument("--engines", default="gongkai,fts5,stock")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--stock-queries", type=int, default=None, help="only the first N queries for stock")
    parser.add_argument("--probes", type=int, default=60)
    parser.add_argument(
        "--peer-probes",
        type=int,
        default=None,
        help="only the first N probes and phrases for stock and fts5 (their every-hit scans take seconds to"
        " minutes each at 100,000 documents; gongkai always runs all)",
    )
    parser.add_argument("--phrases", type=int, default=100)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("GONGKAI_SEED", "12")))
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the indexes")
    parser.add_argument("--reuse", action="store_true", help="query indexes kept by an earlier --keep run")
    parser.add_argument("--build-only", action="store_true", help="build (and keep) the indexes, no queries")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--export",
        default="",
        help="also time a CSV export of this broad query (e.g. 政府) with searches meanwhile",
    )
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="read each engine's files once before its queries (the page cache)",
    )
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s", level=logging.WARNING)
    logging.getLogger("index.pgwrite").setLevel(logging.DEBUG)  # the PostgreSQL rebuild's phases
    print(f"seed={args.seed} procs={args.procs} cpus={sorted(os.sched_getaffinity(0))}", flush=True)
    base = to_documents(load_corpus(args.corpus, None, args.seed))
    print(
        f"corpus: {len(base)} documents, {sum(len(d.fields.body or '') for d in base):,} characters",
        flush=True,
    )
    work = Path(args.workdir or tempfile.mkdtemp(prefix="gongkai-scale-"))
    engines = [e for e in args.engines.split(",") if e]
    results: dict[int, dict[str, dict[str, float]]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = run_size(size, base, args, engines, work)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    print(
        "\n| documents | engine | p50 ms | p95 ms | p99 ms | literal recall % | false hits | phrase recall % |"
        " build s | docs/s | index MB | server RSS MB |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, rows in results.items():
        for engine, r in rows.items():
            print(
                f"| {size:,} | {engine} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['lit_recall']:.1f} |"
                f" {r['lit_false'] + r['phr_false']:.0f} | {r['phr_recall']:.1f} | {r['build_s']:.0f} |"
                f" {r['build_docs_s']:.1f} | {r['size_mb']:.0f} | {r.get('rss_mb', 0):.0f} |"
            )
        if "export_s" in rows.get("gongkai", {}):
            r = rows["gongkai"]
            print(
                f"  {size:,}: CSV export of {r['export_rows']:.0f} rows in {r['export_s']:.2f} s; worst of"
                f" {r['searches_during']:.0f} searches meanwhile {r['search_during_max_ms']:.0f} ms; server peak RSS"
                f" {r['rss_export_mb']:.0f} MB"
            )
        if "gongkai" in rows:
            g = rows["gongkai"]["p95"]
            for other in ("stock", "fts5", "pg"):
                if other in rows:
                    print(f"  {size:,}: {other} p95 / gongkai p95 = {rows[other]['p95'] / g:.1f}x")
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
