"""No work at import time (docs/STYLE.md principle 4): importing every gongkai module opens no socket, no database
and no data file, and loads no jieba dictionary. Checked with audit hooks in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("archive", "crawler", "index", "web", "gongkai")

PROBE = r"""
import importlib, json, pkgutil, sys
events = []
def hook(event, args):
    if event.startswith("socket.") or event == "sqlite3.connect":
        events.append([event, repr(args)[:200]])
    elif event == "open" and args and isinstance(args[0], str):
        path = args[0]
        mode = args[1] if len(args) > 1 else "r"
        if not path.endswith((".py", ".pyc", ".so", ".pth", ".typed")) and "dist-info" not in path:
            events.append([event, path + " " + str(mode)])
sys.addaudithook(hook)
names = []
for package in %(packages)r:
    module = importlib.import_module(package)
    names.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
        names.append(info.name)
print(json.dumps({"modules": names, "events": events}))
"""


def _import_everything(code: str) -> dict[str, list]:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_every_module_opens_no_socket_database_or_data_file() -> None:
    result = _import_everything(PROBE % {"packages": PACKAGES})
    assert len(result["modules"]) > 40
    assert result["events"] == []


def test_the_probe_sees_import_time_work() -> None:
    """Positive control: a module that opens a socket when imported is caught."""
    probe = PROBE % {"packages": ()} + "\nimport socket; socket.socket().close()\n"
    probe = probe.replace(
        "print(json.dumps",
        "import socket\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.close()\nprint(json.dumps",
    )
    result = _import_everything(probe)
    assert any(event == "socket.bind" for event, _ in result["events"])
