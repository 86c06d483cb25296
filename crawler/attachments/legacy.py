"""Word 97-2003 and WPS files (OLE2 compound documents) through the programs that read them: antiword, catdoc,
then LibreOffice headless, each found on PATH (Debian packages antiword, catdoc, libreoffice-writer-nogui).

No maintained Python library reads .doc text, and these three are what distributions ship. `antiword -w 0`
keeps a paragraph on one line (its default wraps at 80 columns, which splits a 文号). A program that is absent
is skipped; with none present the file is "not extracted", with that reason, never a crash. The programs run in
the extraction child, so its time and memory limits cover them too.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crawler.attachments.model import Extraction, Unit, cap_units, truncated_reason
from crawler.attachments.normalize import normalize_lines

Program = Callable[[Path, float], str]
WORD_STREAM = "WordDocument".encode("utf-16-le")  # the directory entry of a Word 97-2003 / WPS main stream


def _run(argv: list[str], timeout_s: float, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        argv, capture_output=True, timeout=max(timeout_s, 1.0), check=False, stdin=subprocess.DEVNULL, cwd=cwd
    )


def antiword(path: Path, timeout_s: float) -> str:
    done = _run(["antiword", "-w", "0", "-m", "UTF-8.txt", str(path)], timeout_s)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode("utf-8", "replace").strip()[:160] or f"exit {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def catdoc(path: Path, timeout_s: float) -> str:
    done = _run(["catdoc", "-w", "-d", "utf-8", str(path)], timeout_s)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode("utf-8", "replace").strip()[:160] or f"exit {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def soffice(path: Path, timeout_s: float) -> str:
    program = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-") as tmp:
        source = Path(tmp) / ("in" + path.suffix if path.suffix else "in.doc")
        shutil.copyfile(path, source)
        profile = Path(tmp, "profile").as_uri()
        argv = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            tmp,
            str(source),
        ]
        done = _run(argv, timeout_s, cwd=tmp)
        out = source.with_suffix(".txt")
        if not out.exists():
            raise RuntimeError(done.stderr.decode("utf-8", "replace").strip()[:160] or "no output")
        return out.read_text("utf-8", "replace").lstrip("\ufeff")


PROGRAMS: tuple[tuple[str, str, Program], ...] = (
    ("antiword", "antiword", antiword),
    ("catdoc", "catdoc", catdoc),
    ("soffice", "soffice", soffice),
)


def available(names: tuple[str, ...] | None = None) -> list[tuple[str, Program]]:
    """The programs on PATH, in order of preference (`names` narrows them, for tests)."""
    found = []
    for name, binary, fn in PROGRAMS:
        if names is not None and name not in names:
            continue
        if shutil.which(binary) or (binary == "soffice" and shutil.which("libreoffice")):
            found.append((name, fn))
    return found


def extract_doc(
    path: Path, kind: str, max_chars: int, timeout_s: float, programs: tuple[str, ...] | None = None
) -> Extraction:
    with open(path, "rb") as fp:
        head = fp.read(4 * 1024 * 1024)
    if WORD_STREAM not in head:  # an OLE2 file without Word's main stream: no program will read it, don't ask
        return Extraction(
            "failed", kind, "corrupt: 缺少 WordDocument 流，不是 Word/WPS 文档 / no WordDocument stream"
        )
    chain = available(programs)
    if not chain:
        reason = (
            "no_program: 未安装 antiword、catdoc 或 LibreOffice / none of antiword, catdoc, soffice on PATH"
        )
        return Extraction("not_extracted", kind, reason)
    deadline = time.monotonic() + timeout_s
    errors: list[str] = []
    for name, fn in chain:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            raw = fn(path, left)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            errors.append(f"{name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
            continue
        text = normalize_lines(raw.replace("\r", "\n").split("\n"))
        if not text.strip():
            errors.append(f"{name}: no text")
            continue
        cut = truncated_reason(max_chars) if len(text) > max_chars else None
        return Extraction("ok", kind, cut, cap_units([Unit(text)], max_chars), extractor=name)
    joined = "; ".join(errors)[:300] or "time limit"
    return Extraction(
        "failed", kind, f"unreadable: DOC/WPS 无法读取 / {joined}", extractor="+".join(n for n, _ in chain)
    )
