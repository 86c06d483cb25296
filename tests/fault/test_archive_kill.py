"""kill -9 during archive writes (docs/TESTPLAN.md R1, archive part): nothing acknowledged is lost, nothing torn is served.

A child process appends exchanges in a loop (responses, revisits, 304s, failures, blocked pages, document upserts,
rotation every few hundred KB) and prints `ACK <capture_id> <sha256> <record_type>` after each commit. The parent
SIGKILLs it at seeded random moments, reopens the archive (recovery), checks every acknowledged capture and runs the
verifier. Seed: GONGKAI_SEED (default 20261129), printed. It runs on the embedded SQLite catalogue and on a
PostgreSQL one (as a named worker, so its WARC names carry the worker id and recovery keeps to its own files).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

SEED = int(os.environ.get("GONGKAI_SEED", "20261129"))
KILLS = 10
ROOT = Path(__file__).resolve().parents[2]


def _settings(database: str | None) -> Any:
    from archive import ArchiveSettings

    return ArchiveSettings(warc_max_bytes=300_000, database=database, worker_id="w1" if database else None)


def child(data_root: str, seed: str, database: str) -> None:
    """The writer: runs until killed (or 2,000 exchanges)."""
    from archive import Archive, DataDir, Exchange, Parsed

    rng = random.Random(seed)
    settings = _settings(database if database != "-" else None)
    with Archive.open(DataDir(Path(data_root)), settings) as arc:
        print(f"READY {arc.recovery.cut_bytes}", flush=True)
        for i in range(2000):
            n = rng.randrange(40)
            url = f"http://gov.example/art/{n}.html"
            started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{i:06d}Z"
            roll = rng.random()
            if roll < 0.05:
                exchange = Exchange(url=url, final_url=url, started_at=started, error="timeout")
                kind = "error"
            else:
                status = 412 if roll < 0.1 else (304 if roll < 0.2 else 200)
                version = rng.randrange(3)
                body = (
                    f"<html>{n}-{version}</html>".encode() + bytes(rng.randrange(256) for _ in range(64))
                ) * (1 + (n * 97 + version) % 400)
                exchange = Exchange(
                    url=url,
                    final_url=url,
                    started_at=started,
                    status=status,
                    reason="OK",
                    response_headers=(("Content-Type", "text/html"), ("Content-Length", str(len(body)))),
                    wire_body=b"" if status == 304 else body,
                    content=b"" if status == 304 else body,
                )
                kind = "blocked" if status == 412 else "document"
            capture = arc.record(exchange, kind=kind, reason=None, charset=None)
            print(f"ACK {capture.capture_id} {capture.sha256} {capture.record_type}", flush=True)
            if kind == "document" and capture.status == 200:
                change = arc.upsert_document(
                    capture, Parsed(title=f"t{n}", index_no=f"A/2021-{n}", body=f"{n}"), url
                )
                print(f"DOC {change.doc_id} {change.seq}", flush=True)


def _run_until_killed(data_root: Path, rng: random.Random, round_: int, database: str | None) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, __file__, "child", str(data_root), f"{SEED}:{round_}", database or "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(data_root.parent),
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(raw.decode().strip())
            if lines[-1].startswith("ACK"):
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not started.wait(30):
        proc.kill()
        proc.wait(10)
        errors = proc.stderr.read().decode() if proc.stderr else ""
        raise AssertionError(f"child never acknowledged a record: {errors}")
    time.sleep(rng.uniform(0.0, 0.6))
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    reader.join(10)
    errors = proc.stderr.read().decode() if proc.stderr else ""
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    assert proc.returncode == -signal.SIGKILL, errors
    return lines


@pytest.mark.kill
@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_kill_9_during_writes_loses_nothing_acknowledged(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from archive import Archive, DataDir, verify_archive

    print(f"GONGKAI_SEED={SEED}")
    rng = random.Random(SEED)
    database = request.getfixturevalue("pg_url") if engine == "postgresql" else None
    data = DataDir(tmp_path / "data", database=database)
    acked: dict[int, tuple[str, str]] = {}
    docs: dict[str, int] = {}
    outcomes: list[str] = []
    for round_ in range(KILLS):
        for line in _run_until_killed(data.root, rng, round_, database):
            parts = line.split()
            if parts[0] == "ACK":
                acked[int(parts[1])] = (parts[2], parts[3])
            elif parts[0] == "DOC":
                docs[parts[1]] = max(docs.get(parts[1], 0), int(parts[2]))
        with Archive.open(data, _settings(database)) as arc:
            rec = arc.recovery
            outcomes.append("torn" if rec.torn_tail else ("orphan" if rec.orphan_records else "clean"))
            assert not rec.damaged and not rec.unreadable_captures
            assert len(list(data.warcs_dir.glob("*.open"))) <= 1
            for capture_id, (sha256, record_type) in acked.items():
                capture = arc.catalogue.get_capture(capture_id)
                assert capture.sha256 == (None if sha256 == "None" else sha256)
                if record_type != "None":
                    payload = arc.read_payload(capture)
                    assert hashlib.sha256(payload).hexdigest() == capture.sha256
            for doc_id, seq in docs.items():
                assert arc.catalogue.get_document(doc_id).seq >= seq
        report = verify_archive(data)
        assert report.ok, report.lines()
    print(f"recoveries: {outcomes}; acknowledged captures: {len(acked)}")
    assert len(acked) > KILLS


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "child":
    child(sys.argv[2], sys.argv[3], sys.argv[4])
