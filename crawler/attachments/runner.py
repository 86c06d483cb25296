"""Runs one extraction in a child process with a time limit, a memory limit and an output cap.

The child (child.py) sets its own rlimits; this side adds the wall-clock limit (the whole process group is
killed, so antiword or LibreOffice go too) and caps what it reads back. Whatever happens in the child, an
encrypted, corrupt, bomb or thousand-page file costs one `Extraction` with a reason and the crawl goes on.

Each child serves exactly one file, so no file can leave anything behind for the next. To keep the child's
start-up (Python, the extractors' imports: most of the cost for small files) off the crawl's path, one spare
child is kept started and waiting for its job, per set of limits; taking it starts the next one. A spare has
its own private temporary directory (the payload, HOME for LibreOffice), removed when it is done.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crawler.attachments.extract import Limits
from crawler.attachments.model import Extraction, failed
from crawler.attachments.sniff import extension, sniff

OUTPUT_SLACK = 64 * 1024
CHILD = Path(__file__).resolve().parent / "child.py"


@dataclass
class _Child:
    proc: subprocess.Popen[bytes]
    tmp: Path
    key: tuple[object, ...]


_lock = threading.Lock()
_spares: dict[tuple[object, ...], _Child] = {}


def _spawn(limits: Limits, env: Mapping[str, str] | None) -> _Child:
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-extract-"))
    child_env = dict(os.environ if env is None else env)
    child_env["HOME"] = str(tmp)  # LibreOffice and friends write their profile there, not in the user's home
    argv = [
        sys.executable,
        str(CHILD),
        str(limits.timeout_s),
        str(limits.memory_mb),
        str(limits.max_chars),
        str(limits.max_unpacked),
    ]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=child_env,
        cwd=tmp,
        start_new_session=True,
    )
    return _Child(proc, tmp, _key(limits, env))


def _key(limits: Limits, env: Mapping[str, str] | None) -> tuple[object, ...]:
    return (limits, tuple(sorted(env.items())) if env is not None else None)


def _take(limits: Limits, env: Mapping[str, str] | None) -> _Child:
    """The warm spare for these limits if it is still alive, else a fresh child; a new spare is started."""
    key = _key(limits, env)
    with _lock:
        if not _spares:
            atexit.unregister(close_spares)  # registered once per process, on first use, not at import
            atexit.register(close_spares)
        spare = _spares.pop(key, None)
        if spare is not None and spare.proc.poll() is not None:
            _dispose(spare)
            spare = None
        child = spare or _spawn(limits, env)
        _spares[key] = _spawn(limits, env)
    return child


def close_spares() -> None:
    """End the waiting children (at exit; tests call it too)."""
    with _lock:
        for child in _spares.values():
            _dispose(child)
        _spares.clear()


def _dispose(child: _Child) -> None:
    _kill(child.proc)
    for stream in (child.proc.stdin, child.proc.stdout):
        if stream is not None:
            stream.close()
    shutil.rmtree(child.tmp, ignore_errors=True)


def extract_bytes(
    data: bytes, name: str | None, limits: Limits, *, env: Mapping[str, str] | None = None
) -> tuple[Extraction, int]:
    """The extraction of one payload and the child's peak resident memory in kB (0 when no child ran)."""
    kind = sniff(data, name)
    if kind == "unknown":
        reason = "unsupported: 不支持的文件类型 / not a PDF, OFD, Word, WPS or spreadsheet file"
        return Extraction("not_extracted", "unknown", reason), 0
    started = time.monotonic()
    child = _take(limits, env)
    try:
        path = child.tmp / ("payload." + (extension(name) or kind))
        path.write_bytes(data)
        result, peak = _run(child, path, name, kind, limits)
    finally:
        _dispose(child)
    elapsed = int((time.monotonic() - started) * 1000)
    return Extraction(
        result.status, result.type, result.reason, result.units, result.pages, result.extractor, elapsed
    ), peak


def _run(child: _Child, path: Path, name: str | None, kind: str, limits: Limits) -> tuple[Extraction, int]:
    proc = child.proc
    job = json.dumps({"path": str(path), "name": name or ""}, ensure_ascii=False) + "\n"
    try:
        out, _ = proc.communicate(job.encode("utf-8"), timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        return failed(
            kind, f"timeout: 超过 {limits.timeout_s:g} 秒 / over the {limits.timeout_s:g} s limit"
        ), 0
    except (BrokenPipeError, OSError):
        out = b""
    _kill(proc)
    if proc.returncode != 0 or not out:
        code = proc.returncode
        if code is not None and code < 0:
            name_ = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            why = "cpu_limit" if -code == signal.SIGXCPU else "crashed"
            return failed(kind, f"{why}: 解析进程被信号 {name_} 终止 / extractor killed by {name_}"), 0
        return failed(kind, f"crashed: 解析进程退出码 {code} / extractor exited with {code}"), 0
    cap = limits.max_chars * 4 + OUTPUT_SLACK
    if len(out) > cap:
        return failed(kind, f"output_cap: 输出超过 {cap} 字节 / output over {cap} bytes"), 0
    try:
        data = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return failed(kind, "crashed: 解析进程输出无效 / unreadable extractor output"), 0
    return Extraction.from_json(data), int(data.get("peak_rss_kb") or 0)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """The child's whole session: the child itself and any program it started."""
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait()
