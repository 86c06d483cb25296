"""Start-up recovery: make the open WARC file end where the catalogue says it does.

After a kill the `.open` file may end in a torn gzip member (a write in progress) or in complete records whose
catalogue rows never committed (fsynced, then killed). Neither was acknowledged, so both are cut; the crawler
fetches those pages again. Closed files are never modified (only their read-only mode is restored).
"""

from __future__ import annotations

import logging
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.models import WarcLocation
from archive.records import parse_record, scan_members
from archive.warcs import OPEN_SUFFIX, AppendedRecord, FileEvent, WarcStore

if TYPE_CHECKING:
    from archive.catalogue import Catalogue

logger = logging.getLogger(__name__)


@dataclass
class RecoveryReport:
    open_file: str | None = None  # the file appending continues in
    cut_bytes: int = 0  # torn tail and uncatalogued records removed
    torn_tail: bool = False
    orphan_records: int = 0
    damaged: list[str] = field(
        default_factory=list
    )  # .open files damaged inside catalogued bytes: sealed as-is
    unreadable_captures: list[int] = field(default_factory=list)  # rows pointing into that damage
    sealed: list[str] = field(default_factory=list)  # extra .open files closed
    removed_empty: list[str] = field(default_factory=list)
    fixed_modes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.cut_bytes or self.damaged or self.sealed or self.removed_empty or self.fixed_modes)


def recover(catalogue: Catalogue, warcs: WarcStore) -> RecoveryReport:
    report = RecoveryReport()
    files = catalogue.warc_files()
    for path in warcs.closed_files():
        _check_closed(path, files.get(path.name), catalogue, report)
    open_files = warcs.open_files()
    for index, path in enumerate(open_files):
        outcome = _recover_open(path, catalogue, report)
        if outcome == "removed":
            continue
        if outcome == "seal" or index < len(open_files) - 1:
            warcs.seal(path)
            report.sealed.append(path.name)
        else:
            warcs.reopen(path)
            report.open_file = path.name[: -len(OPEN_SUFFIX)]
    if not report.clean:
        logger.warning("archive recovery: %s", report)
    return report


def _check_closed(
    path: Path, row: dict[str, object] | None, catalogue: Catalogue, report: RecoveryReport
) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != 0o444:
        os.chmod(path, 0o444)  # a kill between rename and chmod; the content is untouched
        report.fixed_modes.append(path.name)
    if row is None or row.get("closed_at") is None:
        import hashlib

        digest = hashlib.sha256()
        with open(path, "rb") as fp:
            for block in iter(lambda: fp.read(1 << 20), b""):
                digest.update(block)
        event = FileEvent(
            name=path.name, created=False, size_bytes=path.stat().st_size, sha256=digest.hexdigest()
        )
        catalogue.record_file_event(event)


def _recover_open(path: Path, catalogue: Catalogue, report: RecoveryReport) -> str:
    """Cut the file back to its last catalogued record: "keep" it open, "seal" it as damaged, or "removed"."""
    name = path.name[: -len(OPEN_SUFFIX)]
    with open(path, "rb") as fp:
        members = list(scan_members(fp))
    complete = [m for m in members if m.error is None]
    if members and members[-1].error is not None:
        report.torn_tail = True
    good_end = complete[-1].offset + complete[-1].length if complete else 0
    rows = catalogue.conn.execute(
        "SELECT capture_id, warc_offset + warc_length AS e1, COALESCE(request_offset + request_length, 0) AS e2"
        " FROM captures WHERE warc_file = ?",
        (name,),
    ).fetchall()
    beyond = [int(r["capture_id"]) for r in rows if max(r["e1"], r["e2"]) > good_end]
    if beyond:
        # Catalogued bytes are damaged or missing: that is not a torn write (the durable order rules it out).
        # Cutting would destroy evidence, so the file is sealed as it is and `verify` will name the damage.
        logger.error(
            "open WARC file %s is damaged before its catalogued end; sealing it unchanged", path.name
        )
        report.damaged.append(path.name)
        report.unreadable_captures.extend(beyond)
        return "seal"
    catalogued_end = max((max(r["e1"], r["e2"]) for r in rows), default=0)
    warcinfo = complete[0] if complete and complete[0].offset == 0 else None
    keep_end = max(catalogued_end, warcinfo.length if warcinfo else 0)
    if keep_end == 0:
        os.unlink(path)  # not even a whole warcinfo record: nothing in it was ever acknowledged
        report.removed_empty.append(path.name)
        return "removed"
    size = path.stat().st_size
    if size > keep_end:
        report.orphan_records += sum(1 for m in complete if m.offset >= keep_end)
        report.cut_bytes += size - keep_end
        with open(path, "r+b") as fp:
            fp.truncate(keep_end)
            fp.flush()
            os.fsync(fp.fileno())
    if warcinfo is not None and name not in catalogue.warc_files():
        _register_warcinfo(catalogue, name, warcinfo.data, warcinfo.length, warcinfo.sha256)
    return "keep"


def _register_warcinfo(catalogue: Catalogue, name: str, data: bytes, length: int, sha256: str) -> None:
    """The warcinfo was fsynced but its row never committed (a kill right after the file was created)."""
    try:
        record_id = parse_record(data).header("WARC-Record-ID") or ""
    except (ValueError, zlib.error):
        record_id = ""
    info = AppendedRecord(
        location=WarcLocation(filename=name, offset=0, length=length),
        record_id=record_id,
        record_type="warcinfo",
        member_sha256=sha256,
    )
    catalogue.record_file_event(FileEvent(name=name, created=True, warcinfo=info))
