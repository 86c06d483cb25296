"""Rebuild throughput, this tree against an earlier revision, on the same documents in the same run.

Each round builds the same corpus sample with both trees (alternating, so other load on the machine hits both
alike), `procs` writer processes each, in a fresh process per build; it prints docs/s of wall time and the CPU
seconds of all the build's processes. The earlier revision is checked out in a temporary git worktree.

    taskset -c 0,1 python bench/rebuild_ab.py --baseline 883a6e6 --docs 3000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = r"""
import json, sys, time
root, corpus, n, procs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, root); sys.path.insert(0, root + "/bench")
from pathlib import Path
from search_bench import ListCatalogue, load_corpus, to_documents
from index import IndexSettings, rebuild_index
docs = to_documents(load_corpus(Path(corpus), n, 6))
t = time.perf_counter()
rebuild_index(ListCatalogue(docs), Path(out), IndexSettings(procs=procs))
print(json.dumps({"wall_s": time.perf_counter() - t, "docs": len(docs)}))
"""


def build(root: Path, corpus: Path, n: int, procs: int, out: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(root), str(corpus), str(n), str(procs), str(out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=str(root),
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    figures["docs_s"] = figures["docs"] / figures["wall_s"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", required=True, help="git revision to compare with")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/text")
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gongkai-rebuild-ab-"))
    old = work / "baseline"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(old), args.baseline],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    results: dict[str, list[dict[str, float]]] = {"baseline": [], "this": []}
    try:
        for round_ in range(args.rounds):
            for name, root in (("baseline", old), ("this", ROOT)):
                out = work / f"index-{name}"
                subprocess.run(["rm", "-rf", str(out)], check=True)
                figures = build(root, args.corpus, args.docs, args.procs, out)
                results[name].append(figures)
                print(
                    f"round {round_ + 1} {name}: {figures['docs_s']:.1f} docs/s, {figures['cpu_s']:.1f} CPU s",
                    flush=True,
                )
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
        subprocess.run(["rm", "-rf", str(work)], check=False)
    base = statistics.median(r["docs_s"] for r in results["baseline"])
    this = statistics.median(r["docs_s"] for r in results["this"])
    base_cpu = statistics.median(r["cpu_s"] for r in results["baseline"])
    this_cpu = statistics.median(r["cpu_s"] for r in results["this"])
    print(
        f"\n{args.docs} documents, procs={args.procs}, {args.rounds} rounds, load at the end {os.getloadavg()}"
    )
    print("| tree | docs/s (median) | CPU s (median) |\n| --- | ---: | ---: |")
    print(f"| {args.baseline} | {base:.1f} | {base_cpu:.1f} |\n| this | {this:.1f} | {this_cpu:.1f} |")
    print(f"this / baseline: {this / base:.2f}x docs/s, {this_cpu / base_cpu:.2f}x CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
