"""Runs one extraction in a child process with a time limit, a memory limit and an output cap.

The child (child.py) sets its own rlimits; this side adds the wall-clock limit (the whole process group is
killed, so antiword or LibreOffice go too) and caps what it reads back. Whatever happens in the child, an
encrypted, corrupt, bomb or thousand-page file costs one `Extraction` with a reason and the crawl goes on.
The payload is written to a private temporary directory that is removed afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from crawler.attachments.extract import Limits
from crawler.attachments.model import Extraction, failed
from crawler.attachments.sniff import extension, sniff

OUTPUT_SLACK = 64 * 1024
CHILD = Path(__file__).resolve().parent / "child.py"


def extract_bytes(
    data: bytes, name: str | None, limits: Limits, *, env: Mapping[str, str] | None = None
) -> tuple[Extraction, int]:
    """The extraction of one payload and the child's peak resident memory in kB (0 when no child ran)."""
    kind = sniff(data, name)
    if kind == "unknown":
        reason = "unsupported: 不支持的文件类型 / not a PDF, OFD, Word, WPS or spreadsheet file"
        return Extraction("not_extracted", "unknown", reason), 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gongkai-extract-") as tmp:
        path = Path(tmp) / ("payload." + (extension(name) or kind))
        path.write_bytes(data)
        argv = [
            sys.executable,
            str(CHILD),
            str(path),
            name or "",
            str(limits.timeout_s),
            str(limits.memory_mb),
            str(limits.max_chars),
            str(limits.max_unpacked),
        ]
        child_env = dict(os.environ if env is None else env)
        child_env["HOME"] = tmp  # LibreOffice and friends write their profile there, not in the user's home
        result, peak = _run(argv, child_env, tmp, kind, limits)
    elapsed = int((time.monotonic() - started) * 1000)
    return Extraction(
        result.status, result.type, result.reason, result.units, result.pages, result.extractor, elapsed
    ), peak


def _run(argv: list[str], env: dict[str, str], cwd: str, kind: str, limits: Limits) -> tuple[Extraction, int]:
    with subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        start_new_session=True,
    ) as proc:
        try:
            out, _ = proc.communicate(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return failed(
                kind, f"timeout: 超过 {limits.timeout_s:g} 秒 / over the {limits.timeout_s:g} s limit"
            ), 0
        finally:
            _kill(proc)
    if proc.returncode != 0 or not out:
        code = proc.returncode
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            why = "cpu_limit" if -code == signal.SIGXCPU else "crashed"
            return failed(kind, f"{why}: 解析进程被信号 {name} 终止 / extractor killed by {name}"), 0
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
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
