"""Attachment extraction benchmark: throughput per type, and its share of a demo crawl's time.

1. Generated files with known text (demosite.attachtext / attachfiles: PDF in a CID font, OFD, DOCX, XLSX; DOC,
   WPS, XLS and ET converted by LibreOffice where `soffice` exists), N per type, extracted twice: in-process
   (`extract_path`, what the extractors cost) and through the runner (`extract_bytes`: a child process per file
   under its limits, what the crawl pays), back to back and then 0.5 s apart (a polite crawl's pace, where the
   runner's warm spare child has started before the file arrives: "paced ms" per file). Reported as files/s
   and MB/s per type, with the runner's overhead as a ratio against the in-process baseline.
2. Two crawls of the demo site into fresh data dirs, attachment extraction off (the baseline) and on: the
   crawl-time ratio and extraction's share of the crawl (seconds in extraction over the crawl's seconds).

    python bench/attachments_bench.py              # 20 files per type, a 320-document demo crawl
    python bench/attachments_bench.py --per-type 5 --docs 120 --json out.json

See bench/README.md for what it measured.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Archive, DataDir  # noqa: E402
from crawler import CrawlSettings, crawl  # noqa: E402
from crawler.attachments import Limits, extract_bytes, extract_path  # noqa: E402
from demosite.attachfiles import WRITERS  # noqa: E402
from demosite.attachtext import make_content  # noqa: E402
from demosite.server import serve_site  # noqa: E402
from demosite.site import DemoSite  # noqa: E402

DEMO_SEED = 20210226
PACE_S = 0.5
PACED_FILES = 5


def generate(per_type: int, tmp: Path) -> dict[str, list[tuple[str, bytes]]]:
    files: dict[str, list[tuple[str, bytes]]] = {}
    for kind, write in WRITERS.items():
        files[kind] = [
            (f"b{kind}{i}.{kind}", write(make_content(f"bench-{kind}-{i}"))) for i in range(per_type)
        ]
    program = shutil.which("soffice")
    if program is None:
        print("soffice not found: DOC, WPS, XLS and ET are not measured", file=sys.stderr)
        return files
    for source, target, renamed in (("docx", "doc", "wps"), ("xlsx", "xls", "et")):
        work = tmp / target
        work.mkdir()
        paths = []
        for name, data in files[source]:
            path = work / name
            path.write_bytes(data)
            paths.append(path)
        subprocess.run(
            [
                program,
                f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
            ]
            + ["--outdir", str(work), *map(str, paths)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        converted = [
            (p.with_suffix("." + target).name, p.with_suffix("." + target).read_bytes()) for p in paths
        ]
        files[target] = converted
        files[renamed] = [(n.rsplit(".", 1)[0] + "." + renamed, d) for n, d in converted]
    return files


def throughput(files: dict[str, list[tuple[str, bytes]]], tmp: Path) -> dict[str, dict[str, float]]:
    limits = Limits()
    out: dict[str, dict[str, float]] = {}
    for kind, items in files.items():
        size = sum(len(d) for _, d in items)
        paths = []
        for name, data in items:
            path = tmp / f"in-{name}"
            path.write_bytes(data)
            paths.append((path, name))
        started = time.perf_counter()
        statuses = [extract_path(p, n, limits).status for p, n in paths]
        inproc = time.perf_counter() - started
        started = time.perf_counter()
        peaks = []
        for name, data in items:
            result, peak = extract_bytes(data, name, limits)
            statuses.append(result.status)
            peaks.append(peak)
        child = time.perf_counter() - started
        paced = []  # files arriving PACE_S apart, as a polite crawl delivers them: the spare child is warm
        for name, data in items[:PACED_FILES]:
            time.sleep(PACE_S)
            one = time.perf_counter()
            extract_bytes(data, name, limits)
            paced.append(time.perf_counter() - one)
        out[kind] = {
            "files": len(items),
            "mb": size / 1e6,
            "ok_share": statuses.count("ok") / len(statuses),
            "inproc_files_s": len(items) / inproc,
            "inproc_mb_s": size / 1e6 / inproc,
            "child_files_s": len(items) / child,
            "child_mb_s": size / 1e6 / child,
            "child_over_inproc": child / inproc,
            "peak_child_mb": max(peaks) / 1024,
            "paced_ms": 1000 * sum(paced) / len(paced),
        }
    return out


def demo_crawl(n_docs: int, extract: bool, tmp: Path) -> dict[str, float]:
    site = DemoSite(seed=DEMO_SEED, n_docs=n_docs)
    settings = dataclasses.replace(CrawlSettings(), delay_s=0.0, extract_attachments=extract)
    data_dir = DataDir(tmp / ("on" if extract else "off"))
    data_dir.ensure()
    archive = Archive.open(data_dir)
    try:
        with serve_site(site, host="127.0.0.1", port=0) as srv:
            seeds = [srv.url + path for path in site.seed_paths]
            started = time.perf_counter()
            summary = crawl(seeds, archive=archive, state_dir=data_dir.crawl_dir, settings=settings)
            elapsed = time.perf_counter() - started
    finally:
        archive.close()
    return {
        "crawl_s": elapsed,
        "attachments": summary.attachments,
        "extract_s": summary.extraction.elapsed_s,
        "extracted": summary.extraction.files,
        "share": summary.extraction.elapsed_s / elapsed if elapsed else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-type", type=int, default=20)
    parser.add_argument("--docs", type=int, default=320, help="documents on the demo site")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-attach-bench-") as name:
        tmp = Path(name)
        files = generate(args.per_type, tmp)
        rates = throughput(files, tmp)
        off = demo_crawl(args.docs, False, tmp)
        on = demo_crawl(args.docs, True, tmp)
    print(
        f"{'type':6} {'files':>5} {'MB':>6} {'ok':>5} {'in-proc f/s':>11} {'MB/s':>7} {'child f/s':>9} {'MB/s':>7}"
        f" {'child/in':>8} {'peak MB':>7}"
    )
    for kind, r in rates.items():
        print(
            f"{kind:6} {r['files']:5.0f} {r['mb']:6.2f} {r['ok_share']:5.0%} {r['inproc_files_s']:11.1f}"
            f" {r['inproc_mb_s']:7.2f} {r['child_files_s']:9.1f} {r['child_mb_s']:7.2f} {r['child_over_inproc']:8.1f}"
            f" {r['peak_child_mb']:7.0f} {r['paced_ms']:8.0f}"
        )
    print(
        f"demo crawl ({args.docs} documents, {on['attachments']} attachments): {off['crawl_s']:.1f} s without"
        f" extraction, {on['crawl_s']:.1f} s with it (x{on['crawl_s'] / off['crawl_s']:.2f});"
        f" extraction {on['extract_s']:.1f} s = {on['share']:.0%} of the crawl"
    )
    if args.json:
        result: dict[str, Any] = {"types": rates, "crawl_off": off, "crawl_on": on}
        args.json.write_text(json.dumps(result, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
