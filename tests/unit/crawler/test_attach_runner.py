"""The runner's warm spare child: ready before the next file, replaced when it died, ended on close."""

from __future__ import annotations

import os
import signal

from attachkit import generated

from crawler.attachments import Limits, extract_bytes, runner


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_spare_waits_is_replaced_when_dead_and_is_ended_on_close() -> None:
    sample = generated("xlsx", 1, "spare")[0]
    limits = Limits(timeout_s=20.0)
    first, _ = extract_bytes(sample.data, sample.name, limits)
    assert first.status == "ok"
    spare = runner._spares[runner._key(limits, None)]  # other tests in this process keep spares of their own
    assert spare.proc.poll() is None
    pid = spare.proc.pid
    os.kill(pid, signal.SIGKILL)  # a spare that died while waiting is not used
    spare.proc.wait()
    again, _ = extract_bytes(sample.data, sample.name, limits)
    assert again.status == "ok" and again.units == first.units
    new_pid = runner._spares[runner._key(limits, None)].proc.pid
    assert new_pid != pid and _alive(new_pid)
    tmp = runner._spares[runner._key(limits, None)].tmp
    runner.close_spares()
    assert not runner._spares and not _alive(new_pid) and not tmp.exists()
