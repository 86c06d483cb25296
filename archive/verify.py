"""verify_archive: re-check every byte of the archive against its own digests and the catalogue.

Three independent views must agree: each gzip member decompresses cleanly with the header our writer produces
(warcio's checker misses truncation, docs/TESTPLAN.md finding 7); each record's block and payload digests recompute; each
catalogue row lands exactly on a record with the same id, type, URI, digests and member fixity hash. A deleted,
shifted or extra record breaks the third view even when the first two still hold.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import stat
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.catalogue import Catalogue
from archive.errors import ArchiveError, CatalogueUnavailable
from archive.integrity import check_references
from archive.layout import DataDir
from archive.records import (
    Member,
    WarcRecord,
    decode_content,
    parse_record,
    read_record_at,
    scan_members,
    sha1_digest,
    split_http,
)
from archive.warcs import OPEN_SUFFIX, WARC_SUFFIX, member_header, warc_uri

_WORKER_NAME = re.compile(r"[^-]+(?:-[^-]+)*?-([A-Za-z][A-Za-z0-9_-]*)-\d{8}T\d{6}Z-\d+\.warc\.gz")
_REQUIRED = ("WARC-Record-ID", "WARC-Date", "WARC-Type", "Content-Length", "WARC-Block-Digest")


@dataclass(frozen=True)
class Problem:
    file: str | None
    offset: int | None
    what: str
    record_id: str | None = None
    url: str | None = None
    capture_id: int | None = None

    def line(self) -> str:
        if self.file is None:
            where = "catalogue"
        else:
            where = self.file if self.offset is None else f"{self.file}@{self.offset}"
        parts = [where]
        if self.capture_id is not None:
            parts.append(f"capture {self.capture_id}")
        if self.url:
            parts.append(self.url)
        if self.record_id:
            parts.append(self.record_id)
        return f"{' '.join(parts)}: {self.what}"


@dataclass
class VerifyReport:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    records: int = 0
    captures_checked: int = 0
    record_counts: dict[str, int] = field(default_factory=dict)  # file -> records found

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [p.line() for p in self.problems]

    def summary(self) -> str:
        state = "完好 (ok)" if self.ok else f"发现 {len(self.problems)} 处问题 (damaged)"
        return f"{self.files} WARC files, {self.records} records, {self.captures_checked} captures checked: {state}"


def verify_archive(data_dir: DataDir) -> VerifyReport:
    report = VerifyReport()
    warcs_dir = data_dir.warcs_dir
    paths = sorted(warcs_dir.glob(f"*{WARC_SUFFIX}")) + sorted(warcs_dir.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}"))
    writers = Counter(_writer_of(p.name) for p in paths if p.name.endswith(OPEN_SUFFIX))
    for writer, open_count in sorted(writers.items()):
        if open_count > 1:
            whose = f" of worker {writer}" if writer else ""
            report.problems.append(
                Problem(None, None, f"{open_count} open WARC files{whose} (at most one per writer allowed)")
            )
    if not data_dir.has_catalogue():
        if paths:
            report.problems.append(Problem(None, None, "WARC files exist but the catalogue is missing"))
        report.files = len(paths)
        return report
    try:
        catalogue = Catalogue(data_dir.catalogue_target, readonly=True)
    except CatalogueUnavailable:
        raise  # not damage: nothing could be checked
    except ArchiveError as exc:
        report.problems.append(Problem(None, None, f"catalogue unreadable: {exc}"))
        return report
    with catalogue:
        if not catalogue.conn.is_pg:  # PostgreSQL checks its own pages and constraints
            integrity = catalogue.conn.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                report.problems.append(Problem(None, None, f"catalogue integrity_check: {integrity}"))
        for finding in check_references(catalogue.conn):
            report.problems.append(Problem(None, None, f"{finding.where}: {finding.what}"))
        rows = list(catalogue.iter_captures(located_only=True))
        files = catalogue.warc_files()
    originals = {int(r["capture_id"]): r for r in rows if r["record_type"] == "response"}
    by_file: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_file.setdefault(row["warc_file"], []).append(row)
    on_disk = {p.name.removesuffix(OPEN_SUFFIX): p for p in paths}
    for name in sorted(set(by_file) - set(on_disk)):
        for row in by_file[name]:
            report.problems.append(_row_problem(row, row["warc_offset"], "WARC file is missing"))
    active = writer_active(warcs_dir)
    for name, path in on_disk.items():
        report.files += 1
        before = len(report.problems)
        file_rows = by_file.get(name, [])
        _verify_file(path, name, file_rows, files.get(name), originals, report)
        if active and path.name.endswith(OPEN_SUFFIX):
            # A crawl is appending: records past the catalogued end may still be in flight (written, not yet
            # committed, or half written). Only what the catalogue acknowledged is judged.
            end = max((_row_end(r) for r in file_rows), default=0)
            end = max(end, report.record_counts.get(name, 0) and _warcinfo_end(path))
            kept = [p for p in report.problems[before:] if p.offset is None or p.offset < end]
            report.problems[before:] = kept
    report.captures_checked = len(rows)
    return report


def _verify_file(
    path: Path,
    name: str,
    rows: list[dict[str, Any]],
    file_row: dict[str, Any] | None,
    originals: dict[int, dict[str, Any]],
    report: VerifyReport,
) -> None:
    is_closed = not path.name.endswith(OPEN_SUFFIX)
    expected_ids: dict[int, tuple[str, dict[str, Any]]] = {}  # offset -> (role, row)
    for row in rows:
        expected_ids[row["warc_offset"]] = ("main", row)
        if row["request_offset"] is not None:
            expected_ids[row["request_offset"]] = ("request", row)
    if is_closed:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o222:
            report.problems.append(Problem(name, None, f"closed WARC file is writable (mode {mode:o})"))
        if file_row and file_row.get("sha256") and _file_sha256(path) != file_row["sha256"]:
            report.problems.append(Problem(name, None, "closed file's SHA-256 differs from the one sealed"))
    members = _scan(path, name, expected_ids, report)
    report.record_counts[name] = len(members)
    report.records += len(members)
    for offset, (member, record) in members.items():
        if offset == 0:
            _check_warcinfo(name, member, record, file_row, report)
        elif offset not in expected_ids and record is not None:
            report.problems.append(
                Problem(
                    name,
                    offset,
                    "record not in the catalogue (extra, shifted or re-ordered)",
                    record_id=record.header("WARC-Record-ID"),
                    url=record.header("WARC-Target-URI"),
                )
            )
    with open(path, "rb") as fp:
        for row in rows:
            _check_row(fp, name, row, members, originals, report)


def _scan(
    path: Path, name: str, expected: dict[int, tuple[str, dict[str, Any]]], report: VerifyReport
) -> dict[int, tuple[Member, WarcRecord | None]]:
    """Every member, resynchronising at the next catalogued offset after damage so later records still count."""
    header = member_header()
    found: dict[int, tuple[Member, WarcRecord | None]] = {}
    size = path.stat().st_size
    start = 0
    with open(path, "rb") as fp:
        while start < size:
            resume = None
            for member in scan_members(fp, start):
                if member.error is not None:
                    report.problems.append(_member_problem(name, member.offset, member.error, expected))
                    later = [o for o in expected if o > member.offset]
                    resume = min(later) if later else None
                    break
                found[member.offset] = (member, _check_record(name, member, header, expected, report))
            if resume is None:
                break
            start = resume
    return found


def _check_record(
    name: str,
    member: Member,
    header: bytes,
    expected: dict[int, tuple[str, dict[str, Any]]],
    report: VerifyReport,
) -> WarcRecord | None:
    def problem(what: str, record: WarcRecord | None = None) -> None:
        p = _member_problem(name, member.offset, what, expected)
        if record is not None and p.record_id is None:
            p = Problem(
                p.file, p.offset, p.what, record.header("WARC-Record-ID"), record.header("WARC-Target-URI")
            )
        report.problems.append(p)

    if member.header != header:
        problem("gzip member header altered")
    try:
        record = parse_record(member.data)
    except (ValueError, UnicodeDecodeError) as exc:
        problem(f"malformed WARC record: {exc}")
        return None
    if not record.trailer_ok:
        problem("record does not end with CRLF CRLF after its block", record)
    missing = [h for h in _REQUIRED if not record.header(h)]
    rtype = record.record_type
    if rtype in ("response", "revisit") and not record.header("WARC-Payload-Digest"):
        missing.append("WARC-Payload-Digest")
    if missing:
        problem(f"missing WARC headers: {', '.join(missing)}", record)
    block_digest = record.header("WARC-Block-Digest")
    if block_digest and sha1_digest(record.block) != block_digest:
        problem("WARC-Block-Digest does not match the block", record)
    if rtype == "response":
        try:
            _, _, payload = split_http(record.block)
        except (ValueError, UnicodeDecodeError) as exc:
            problem(f"HTTP message unreadable: {exc}", record)
            return record
        if sha1_digest(payload) != record.header("WARC-Payload-Digest"):
            problem("WARC-Payload-Digest does not match the payload", record)
    if rtype == "revisit":
        for h in ("WARC-Refers-To-Target-URI", "WARC-Refers-To-Date", "WARC-Profile"):
            if not record.header(h):
                problem(f"revisit without {h}", record)
    return record


def _check_warcinfo(
    name: str,
    member: Member,
    record: WarcRecord | None,
    file_row: dict[str, Any] | None,
    report: VerifyReport,
) -> None:
    if record is None:
        return
    if record.record_type != "warcinfo":
        report.problems.append(
            Problem(name, 0, f"file starts with a {record.record_type} record, not warcinfo")
        )
        return
    if file_row and file_row.get("warcinfo_sha256") and file_row["warcinfo_sha256"] != member.sha256:
        report.problems.append(
            Problem(
                name,
                0,
                "warcinfo bytes differ from the catalogue's fixity hash",
                record.header("WARC-Record-ID"),
            )
        )


def _check_row(
    fp: Any,
    name: str,
    row: dict[str, Any],
    members: dict[int, tuple[Member, WarcRecord | None]],
    originals: dict[int, dict[str, Any]],
    report: VerifyReport,
) -> None:
    targets = [("main", row["warc_offset"], row["warc_length"], row["record_id"], row["record_sha256"])]
    if row["request_offset"] is not None:
        targets.append(
            (
                "request",
                row["request_offset"],
                row["request_length"],
                row["request_id"],
                row["request_sha256"],
            )
        )
    for role, offset, length, record_id, fixity in targets:
        label = "response/revisit" if role == "main" else "request"
        entry = members.get(offset)
        if entry is not None and entry[0].length == length:
            member, record = entry
        else:
            member = None
            try:
                record = read_record_at(fp, offset, length)
            except (ValueError, UnicodeDecodeError, zlib.error) as exc:
                report.problems.append(
                    _row_problem(
                        row, offset, f"catalogue points at no whole {label} record: {exc}", record_id
                    )
                )
                continue
        if member is not None and fixity and member.sha256 != fixity:
            report.problems.append(
                _row_problem(row, offset, f"{label} record bytes differ from the catalogue's hash", record_id)
            )
        if record is None:
            continue  # already reported as malformed
        want_type = row["record_type"] if role == "main" else "request"
        checks = [
            ("WARC-Record-ID", record_id),
            ("WARC-Type", want_type),
            ("WARC-Target-URI", warc_uri(row["final_url"])),
        ]
        if role == "main":
            checks.append(("WARC-Payload-Digest", row["payload_digest"]))
            checks.append(("WARC-Date", row["captured_at"]))
        else:
            checks.append(("WARC-Concurrent-To", row["record_id"]))
        for header, want in checks:
            if want is not None and record.header(header) != want:
                report.problems.append(
                    _row_problem(
                        row, offset, f"{label} record's {header} differs from the catalogue", record_id
                    )
                )
        if role == "main" and row["record_type"] == "response" and not row["truncated"] and row["sha256"]:
            _check_content_sha256(row, offset, record, report)
        if role == "main" and row["record_type"] == "revisit":
            _check_revisit(row, offset, record, originals, report)


def _check_revisit(
    row: dict[str, Any],
    offset: int,
    record: WarcRecord,
    originals: dict[int, dict[str, Any]],
    report: VerifyReport,
) -> None:
    """A revisit is only evidence with its original: it must exist and match what the revisit says of it."""
    original = originals.get(row["refers_to"]) if row["refers_to"] is not None else None
    if original is None:
        report.problems.append(_row_problem(row, offset, "revisit's original capture is not in the archive"))
        return
    expected = {
        "WARC-Refers-To-Target-URI": warc_uri(original["final_url"]),
        "WARC-Refers-To-Date": original["captured_at"],
        "WARC-Payload-Digest": original["payload_digest"],
    }
    for header, want in expected.items():
        if record.header(header) != want:
            report.problems.append(
                _row_problem(row, offset, f"revisit's {header} does not match its original")
            )


def _check_content_sha256(row: dict[str, Any], offset: int, record: WarcRecord, report: VerifyReport) -> None:
    try:
        _, headers, payload = split_http(record.block)
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        if (encoding or "identity").strip().lower() not in ("identity", "gzip", "x-gzip", "deflate"):
            return  # a coding we cannot undo here (br, zstd): the payload digest still covers the bytes
        content = decode_content(payload, encoding)
    except (ValueError, UnicodeDecodeError, zlib.error, EOFError, OSError) as exc:
        report.problems.append(_row_problem(row, offset, f"payload does not decode: {exc}"))
        return
    if hashlib.sha256(content).hexdigest() != row["sha256"]:
        report.problems.append(
            _row_problem(row, offset, "decoded payload's SHA-256 differs from the catalogue")
        )


def _row_problem(row: dict[str, Any], offset: int | None, what: str, record_id: str | None = None) -> Problem:
    return Problem(
        row["warc_file"], offset, what, record_id or row["record_id"], row["url"], row["capture_id"]
    )


def _member_problem(
    name: str, offset: int, what: str, expected: dict[int, tuple[str, dict[str, Any]]]
) -> Problem:
    """Name the record a damaged stretch belongs to: the catalogued record starting at or before it."""
    starts = [o for o in expected if o <= offset]
    if starts:
        start = max(starts)
        role, row = expected[start]
        length = row["warc_length"] if role == "main" else row["request_length"]
        if offset < start + (length or 0):  # inside that record, not merely after it (issue 16 item 8)
            record_id = row["record_id"] if role == "main" else row["request_id"]
            return Problem(name, offset, what, record_id, row["url"], row["capture_id"])
    if all(offset >= _end(o, row, role) for o, (role, row) in expected.items()):
        return Problem(name, offset, f"{what} (a torn tail after the last catalogued record)")
    return Problem(name, offset, f"{what} (between catalogued records)")


def _end(offset: int, row: dict[str, Any], role: str) -> int:
    return offset + int((row["warc_length"] if role == "main" else row["request_length"]) or 0)


def _row_end(row: dict[str, Any]) -> int:
    ends = [row["warc_offset"] + row["warc_length"]]
    if row["request_offset"] is not None:
        ends.append(row["request_offset"] + row["request_length"])
    return max(ends)


def _warcinfo_end(path: Path) -> int:
    with open(path, "rb") as fp:
        for member in scan_members(fp):
            return member.length if member.error is None else 0
    return 0


def writer_active(warcs_dir: Path) -> bool:
    """Whether an Archive holds a writer lock (a crawl is running) right now: the one writer's, or any
    worker's (`.writer-<worker_id>.lock`) when several write one PostgreSQL catalogue."""
    for lock in sorted(warcs_dir.glob(".writer*.lock")):
        with open(lock, "rb") as fp:
            try:
                fcntl.flock(fp, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fp, fcntl.LOCK_UN)
    return False


def _writer_of(name: str) -> str | None:
    """The worker_id in a WARC file name (`<prefix>-<worker>-<time>-<serial>`), None for the one writer's."""
    match = _WORKER_NAME.fullmatch(name.removesuffix(OPEN_SUFFIX))
    return match.group(1) if match else None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
