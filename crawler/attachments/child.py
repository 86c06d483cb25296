"""The extraction child: `python child.py TIMEOUT MEMORY_MB MAX_CHARS MAX_UNPACKED`, run by file path; it reads
one job (a JSON line: the payload's path and name) from stdin, extracts it and exits. One file per process.

It is started before its job arrives (runner.py keeps one warm), so its start-up and imports overlap the crawl.
It sets its own limits with `resource.setrlimit` before importing any parser (address space, CPU seconds, file
size, no core dumps), so a decompression bomb or a runaway parser dies here, not in the crawler; the programs it
starts for DOC/WPS inherit them. It prints one JSON object (the Extraction plus its peak memory) on stdout.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import types
from pathlib import Path


def _bare_packages() -> None:
    """Register `crawler` and `crawler.attachments` as plain namespace modules, so importing the extractors does
    not run the packages' __init__ (which pull in the crawler's HTTP and HTML stack: ~0.5 s per child)."""
    here = Path(__file__).resolve().parent
    for name, path in (("crawler", here.parent), ("crawler.attachments", here)):
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = [str(path)]
            sys.modules[name] = module


def die_with_parent() -> None:
    """Linux: SIGKILL this child when the crawler dies (a killed crawl leaves no extractor running)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def set_limits(timeout_s: float, memory_mb: int) -> None:
    die_with_parent()
    address = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (address, address))
    cpu = math.ceil(timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024 * 1024, 256 * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _own_peak_kb() -> int:
    """This process's high-water RSS (VmHWM). ru_maxrss would report the parent's: Linux carries it over exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _warm_up() -> None:
    """Import the common extractors while no job is waiting yet (pdfminer stays lazy: it is the rare fallback)."""
    for module in ("pypdfium2", "docx", "python_calamine", "lxml.etree"):
        try:
            __import__(module)
        except ImportError:
            pass


def main(argv: list[str]) -> int:
    timeout_s, memory_mb, max_chars, max_unpacked = argv
    set_limits(float(timeout_s), int(memory_mb))
    _bare_packages()
    from crawler.attachments.extract import Limits, extract_path

    _warm_up()
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the parent exited or had no job for this spare
    job = json.loads(line)
    limits = Limits(float(timeout_s), int(memory_mb), int(max_chars), int(max_unpacked))
    result = extract_path(Path(job["path"]), job.get("name") or None, limits).to_json()
    result["peak_rss_kb"] = max(_own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown of the loaded extractors: the parent reads until end of file


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
