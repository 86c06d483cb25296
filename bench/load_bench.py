"""Load and fault benchmark of `gongkai serve` (issue 16): throughput and latency under 8/32/64/150 clients, and
what a rebuild, a re-crawl, 200 idle sockets and 4 broad exports do to them. Loopback only, bounded.

It serves the demo site in this process, crawls it into a fresh data dir with the real `gongkai crawl`, starts
the real `gongkai serve` (its own process, both origins) and drives it with threads, each client sending its own
X-Forwarded-For address (the server is told to trust that header, as behind a reverse proxy) so the per-client
rate limit keys them apart; the rate is set high enough that closed-loop clients measure the server, not the
limit. Every scenario is compared with the plain run at the same client count (ratios, never absolute claims).
Seeded (GONGKAI_SEED or --seed). See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from demosite.server import serve_site
from demosite.site import DemoSite

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = [sys.executable, "-m", "gongkai"]
# 32 single characters ORed: the broadest query within the caps (issue 16 item 5)
BROAD = " OR ".join(
    list(dict.fromkeys("市局区县省政府公安交通发展改革委员会办室关于通知实施方案工作年度报告"))[:32]
)
SERVER_ENV = {
    "GONGKAI_WEB_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
    "GONGKAI_WEB_RATE_PER_S": "1000",
    "GONGKAI_WEB_RATE_BURST": "2000",
}


class Vocabulary:
    def __init__(self, data_dir: Path) -> None:
        conn = sqlite3.connect(data_dir / "catalogue.sqlite")
        self.ids = [r[0] for r in conn.execute("SELECT doc_id FROM documents")]
        self.titles = [
            r[0] or "" for r in conn.execute("SELECT json_extract(fields_json, '$.title') FROM documents")
        ]
        self.agencies = [
            r[0]
            for r in conn.execute("SELECT DISTINCT json_extract(fields_json, '$.agency') FROM documents")
            if r[0]
        ]
        self.captures = [
            r[0] for r in conn.execute("SELECT capture_id FROM captures WHERE record_type = 'response'")
        ]
        conn.close()

    def word(self, rng: random.Random) -> str:
        title = rng.choice(self.titles) or "公安"
        start = rng.randrange(max(1, len(title) - 2))
        return title[start : start + rng.randint(2, 3)]

    def request(self, rng: random.Random) -> tuple[str, str]:
        """(origin, path) of the mix: searches of every shape, pages, originals, feeds."""
        roll = rng.random()
        a, b = self.word(rng), self.word(rng)
        q = rng.choice([a, f"{a} {b}", f"{a} OR {b}", f"{a} -{b}", f'"{a}"', f"title:{a}"])
        params = [("q", q)]
        if rng.random() < 0.3:
            params.append(("agency", rng.choice(self.agencies)))
        if rng.random() < 0.3:
            params.append(("sort", rng.choice(["newest", "oldest"])))
        if roll < 0.55:
            return "app", "/api/search?" + urlencode(params)
        if roll < 0.70:
            return "app", "/search?" + urlencode(params)
        if roll < 0.85:
            return "app", f"/documents/{rng.choice(self.ids)}"
        if roll < 0.95:
            return "raw", f"/captures/{rng.choice(self.captures)}"
        return "app", "/feed.atom?" + urlencode(params)


def free_port_pair() -> int:
    for _ in range(100):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no two adjacent free ports")


@contextmanager
def gongkai_serve(data_dir: Path) -> Iterator[tuple[str, str]]:
    port = free_port_pair()
    env = {**os.environ, **SERVER_ENV}
    args = [*GONGKAI, "--data-dir", str(data_dir), "serve", "--port", str(port), "--raw-port", str(port + 1)]
    log_path = data_dir.parent / f"serve-{port}.log"  # a file, not a pipe: a full pipe would stall the server
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
    app, raw = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    try:
        for _ in range(300):
            try:
                if requests.get(app + "/api/search?q=公安", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gongkai serve did not come up")
        yield app, raw
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        err = log_path.read_text(encoding="utf-8")
        tracebacks = err.count("Traceback")
        if tracebacks:
            last = [line for line in err.splitlines() if line and not line.startswith(" ")][-2:]
            print(f"  server logged {tracebacks} traceback(s) ({log_path}); last: {last}")


def drive(
    app: str,
    raw: str,
    vocab: Vocabulary,
    clients: int,
    seconds: float,
    seed: int,
    until: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Closed-loop clients for `seconds` (or until `until()` says stop); latency and status of every request."""
    results: list[tuple[float, str]] = []
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + seconds

    def done() -> bool:
        return time.monotonic() >= stop_at if until is None else until()

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        session = requests.Session()
        headers = {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.1"}
        mine: list[tuple[float, str]] = []
        while not done():
            origin, path = vocab.request(rng)
            t0 = time.perf_counter()
            try:
                response = session.get((app if origin == "app" else raw) + path, headers=headers, timeout=30)
                status = str(response.status_code)
            except requests.Timeout:
                status = "timeout"
            except requests.RequestException as exc:
                status = type(exc).__name__
            mine.append((time.perf_counter() - t0, status))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise(results, time.monotonic() - started, clients)


def summarise(results: list[tuple[float, str]], elapsed: float, clients: int) -> dict[str, Any]:
    latencies = sorted(r[0] for r in results if r[1].isdigit())
    statuses = Counter(r[1] for r in results)

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
        )

    errors = sum(n for s, n in statuses.items() if not s.isdigit() or s.startswith("5"))
    return {
        "clients": clients,
        "requests": len(results),
        "rps": len(results) / elapsed if elapsed else 0.0,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors,
        "429": statuses.get("429", 0),
        "statuses": dict(statuses),
    }


@contextmanager
def idle_sockets(app: str, raw: str, count: int) -> Iterator[None]:
    with ExitStack() as stack:
        for base in (app, raw):
            host, port = base.rsplit("//", 1)[1].rsplit(":", 1)
            for n in range(count):
                sock = stack.enter_context(socket.create_connection((host, int(port)), timeout=5))
                if n % 2:
                    sock.sendall(b"GET /api/search?q=")  # a request begun and never finished
        yield


@contextmanager
def background(target: Callable[[threading.Event], None]) -> Iterator[threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=120)


def probe(app: str, raw: str, vocab: Vocabulary, seconds: float) -> dict[str, float]:
    """One search and one original every 0.25 s: the slowest of each (what one visitor waits at worst)."""
    searches, originals = [], []
    stop_at = time.monotonic() + seconds
    rng = random.Random(7)
    while time.monotonic() < stop_at:
        t0 = time.perf_counter()
        ok = requests.get(app + "/api/search", params={"q": vocab.word(rng)}, timeout=30).status_code == 200
        searches.append(time.perf_counter() - t0 if ok else float("inf"))
        t0 = time.perf_counter()
        ok = requests.get(f"{raw}/captures/{rng.choice(vocab.captures)}", timeout=30).status_code == 200
        originals.append(time.perf_counter() - t0 if ok else float("inf"))
        time.sleep(0.25)
    return {
        "search_max_s": max(searches),
        "search_p50_s": statistics.median(searches),
        "original_max_s": max(originals),
    }


def row(name: str, stats: dict[str, Any], base: dict[str, Any] | None) -> str:
    ratio = f"{stats['p95'] / base['p95']:.2f}" if base and base["p95"] else "—"
    return (
        f"| {name} | {stats['clients']} | {stats['requests']} | {stats['rps']:.1f} | {stats['p50']:.0f} | "
        f"{stats['p95']:.0f} | {stats['p99']:.0f} | {stats['errors']} | {stats['429']} | {ratio} |"
    )


def load_generator() -> Any:
    path = ROOT / "tests" / "integration" / "test_generated_requests.py"
    spec = importlib.util.spec_from_file_location("generated_requests", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def generated(app: str, raw: str, data_dir: Path, n: int, seed: int, clients: int = 16) -> Counter[str]:
    """The test suite's generated requests (every route, NOT/OR/filters/sorts, 文号, Unicode digits) over sockets."""
    module = load_generator()
    vocab = module.Vocabulary(data_dir)
    rng = random.Random(seed)
    jobs = [module.request_path(rng, vocab) for _ in range(n)]
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def client(k: int) -> None:
        session = requests.Session()
        for origin, path in jobs[k::clients]:
            try:
                status = str(
                    session.get(
                        (app if origin == "app" else raw) + path,
                        timeout=30,
                        headers={"X-Forwarded-For": f"10.9.{k}.1"},
                    ).status_code
                )
            except requests.RequestException as exc:
                status = type(exc).__name__
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=320, help="documents on the demo site")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each load run")
    parser.add_argument("--clients", default="8,32,64,150")
    parser.add_argument(
        "--rebuilds", type=int, default=5, help="index rebuilds under 16 clients (done-when: 20)"
    )
    parser.add_argument(
        "--generated", type=int, default=10_000, help="generated requests over sockets (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("GONGKAI_SEED", "16")))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print(f"GONGKAI_SEED={args.seed}")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gongkai-load-"))
    data_dir = work / "data"
    site = DemoSite(seed=20210226, n_docs=args.docs)
    with serve_site(site, host="127.0.0.1", port=0) as srv:
        seeds = [srv.url + path for path in site.seed_paths]
        crawl = [*GONGKAI, "--data-dir", str(data_dir), "crawl", *seeds, "--delay", "0"]
        t0 = time.monotonic()
        subprocess.run(crawl, check=True, stdout=subprocess.DEVNULL)
        print(
            f"archive: {args.docs} documents crawled and indexed in {time.monotonic() - t0:.1f} s ({data_dir})"
        )
        vocab = Vocabulary(data_dir)
        rows: list[str] = []
        extra: list[str] = []
        with gongkai_serve(data_dir) as (app, raw):
            bases: dict[int, dict[str, Any]] = {}
            for clients in (int(c) for c in args.clients.split(",")):
                bases[clients] = drive(app, raw, vocab, clients, args.seconds, args.seed)
                rows.append(row("plain", bases[clients], None))
                print(rows[-1], flush=True)
            base16 = drive(app, raw, vocab, 16, args.seconds, args.seed)
            rows.append(row("plain", base16, None))

            rebuilt = [0]

            def rebuild_loop(stop: threading.Event) -> None:
                while rebuilt[0] < args.rebuilds:
                    subprocess.run(
                        [*GONGKAI, "--data-dir", str(data_dir), "index", "--rebuild"],
                        check=True,
                        stdout=subprocess.DEVNULL,
                    )
                    rebuilt[0] += 1

            t0 = time.monotonic()
            with background(rebuild_loop):
                stats = drive(app, raw, vocab, 16, 0, args.seed, until=lambda: rebuilt[0] >= args.rebuilds)
            rows.append(row(f"{args.rebuilds} rebuilds running", stats, base16))
            extra.append(f"{args.rebuilds} rebuilds took {time.monotonic() - t0:.1f} s under 16 clients")
            print(rows[-1], flush=True)

            crawled = threading.Event()

            def recrawl(stop: threading.Event) -> None:
                subprocess.run(crawl, check=False, stdout=subprocess.DEVNULL)
                crawled.set()

            t0 = time.monotonic()
            with background(recrawl):
                stats = drive(app, raw, vocab, 16, 0, args.seed, until=crawled.is_set)
            rows.append(row("re-crawl running", stats, base16))
            extra.append(
                f"re-crawl of {args.docs} documents took {time.monotonic() - t0:.1f} s under 16 clients"
            )
            print(rows[-1], flush=True)

            with idle_sockets(app, raw, 200):
                stats = drive(app, raw, vocab, 16, args.seconds, args.seed)
                rows.append(row("200 idle sockets per origin", stats, base16))
                print(rows[-1], flush=True)

            export_status: Counter[str] = Counter()
            export_seconds: list[float] = []

            def exporter(stop: threading.Event) -> None:
                while not stop.is_set():
                    t0 = time.perf_counter()
                    try:
                        with requests.get(
                            app + "/export.csv",
                            params={"q": BROAD},
                            stream=True,
                            timeout=120,
                            headers={"X-Forwarded-For": "10.8.0.1"},
                        ) as response:
                            for _ in response.iter_content(65536):
                                pass
                            export_status[str(response.status_code)] += 1
                            if response.status_code == 200:
                                export_seconds.append(time.perf_counter() - t0)
                            else:
                                time.sleep(0.5)
                    except requests.RequestException as exc:
                        export_status[type(exc).__name__] += 1

            with idle_sockets(app, raw, 200), ExitStack() as stack:
                for _ in range(4):
                    stack.enter_context(background(exporter))
                time.sleep(1.0)
                probed = probe(app, raw, vocab, args.seconds)
                stats = drive(app, raw, vocab, 16, args.seconds, args.seed)
            rows.append(row("4 broad exports + 200 idle sockets", stats, base16))
            print(rows[-1], flush=True)
            extra.append(
                f"with 4 broad exports and 200 idle sockets: slowest search {probed['search_max_s']:.3f} s "
                f"(median {probed['search_p50_s']:.3f} s), slowest original {probed['original_max_s']:.3f} s; "
                f"exports {dict(export_status)}, a complete export took "
                f"{statistics.median(export_seconds) if export_seconds else float('nan'):.2f} s (median)"
            )
            if args.generated:
                t0 = time.monotonic()
                statuses = generated(app, raw, data_dir, args.generated, args.seed)
                fives = sum(n for s, n in statuses.items() if not s.isdigit() or s.startswith("5"))
                extra.append(
                    f"{args.generated} generated requests in {time.monotonic() - t0:.1f} s: "
                    f"{dict(sorted(statuses.items()))}; 5xx or failed: {fives}"
                )
    print()
    print("| run | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors | 429 | p95 / plain |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for line in rows:
        print(line)
    print()
    for line in extra:
        print(f"- {line}")


if __name__ == "__main__":
    main()
