"""Logging set-up: the only place in gongkai that configures handlers (docs/STYLE.md section 7)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def configure_logging(*, verbose: bool = False, log_file: Path | None = None) -> None:
    """Send gongkai's log lines to stderr (warnings only unless verbose) and, if given, to a file."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_gongkai", False):
            root.removeHandler(handler)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stderr.setFormatter(fmt)
    stderr._gongkai = True  # type: ignore[attr-defined]
    root.addHandler(stderr)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setLevel(logging.INFO)
        to_file.setFormatter(fmt)
        to_file._gongkai = True  # type: ignore[attr-defined]
        root.addHandler(to_file)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # waitress logs a line per queue overflow at WARNING; its start-up banner is printed by us instead.
    logging.getLogger("waitress").setLevel(logging.WARNING)
