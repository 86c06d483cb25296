"""Ways to damage a copy of an archive, for verifier tests (docs/TESTPLAN.md A2). Each returns what it touched.

Positions come from a `random.Random` so every run is reproducible from its seed. "Header" and "body" damage flip
one byte of the decompressed record (its WARC/HTTP header or its payload) and re-gzip the member, so the gzip
checksum is valid and only the record's own digests and the catalogue can catch it.
"""

from __future__ import annotations

import random
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

from archive.records import scan_members

KINDS = ("truncated_tail", "flipped_body_byte", "flipped_header_byte", "deleted_record", "offset_off_by_one")


@dataclass(frozen=True)
class Damage:
    kind: str
    file: str | None
    offset: int | None  # member offset or cut position
    detail: str


def _members(path: Path) -> list[tuple[int, int, bytes]]:
    with open(path, "rb") as fp:
        return [(m.offset, m.length, m.data) for m in scan_members(fp) if m.error is None]


def _overwrite(path: Path, data: bytes) -> None:
    """Rewrite a file in place, keeping its mode (a closed file stays 0444, so only content checks can tell)."""
    mode = path.stat().st_mode & 0o777
    path.chmod(0o644)
    path.write_bytes(data)
    path.chmod(mode)


def _rewrite_member(path: Path, offset: int, length: int, data: bytes) -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    member = comp.compress(data) + comp.flush()
    raw = path.read_bytes()
    _overwrite(path, raw[:offset] + member + raw[offset + length :])


def _pick_record(
    rng: random.Random, warcs: list[Path], *, min_offset: int = 1
) -> tuple[Path, int, int, bytes]:
    choices = [(p, o, n, d) for p in warcs for (o, n, d) in _members(p) if o >= min_offset]
    return rng.choice(choices)


def truncate_tail(rng: random.Random, warcs: list[Path]) -> Damage:
    path = rng.choice(warcs)
    size = path.stat().st_size
    cut = rng.randint(1, min(size - 1, 4000))
    raw = path.read_bytes()
    _overwrite(path, raw[: size - cut])
    return Damage("truncated_tail", path.name, size - cut, f"cut {cut} bytes")


def _flip_raw(
    rng: random.Random, kind: str, path: Path, offset: int, length: int, lo: int, hi: int
) -> Damage:
    """Flip one bit of the compressed member bytes in [offset+lo, offset+hi): what a bad disk sector does."""
    pos = offset + rng.randrange(lo, max(lo + 1, min(hi, length)))
    raw = bytearray(path.read_bytes())
    raw[pos] ^= 1 << rng.randrange(8)
    _overwrite(path, bytes(raw))
    return Damage(kind, path.name, offset, f"raw byte {pos}")


def flip_body_byte(rng: random.Random, warcs: list[Path], *, raw: bool = False) -> Damage:
    """Flip a byte in the block after the WARC headers (HTTP headers or payload) of a response/request record.

    raw=False changes the decompressed record and re-gzips it (valid gzip; only digests and the catalogue can
    tell); raw=True flips a bit of the compressed bytes in the member's second half.
    """
    path, offset, length, data = _pick_record(rng, warcs)
    if raw:
        return _flip_raw(rng, "flipped_body_byte", path, offset, length, length // 2, length)
    start = data.index(b"\r\n\r\n") + 4
    end = len(data) - 4  # keep the record's closing CRLF CRLF
    pos = rng.randrange(start, end)
    changed = bytearray(data)
    changed[pos] ^= 1 << rng.randrange(8)
    _rewrite_member(path, offset, length, bytes(changed))
    return Damage("flipped_body_byte", path.name, offset, f"block byte {pos - start}")


def flip_header_byte(rng: random.Random, warcs: list[Path], *, raw: bool = False) -> Damage:
    """Flip a byte inside the WARC header block of a record (never its CR/LF framing); raw=True flips a bit of
    the member's gzip header or first compressed bytes instead."""
    path, offset, length, data = _pick_record(rng, warcs, min_offset=0)
    if raw:
        return _flip_raw(rng, "flipped_header_byte", path, offset, length, 0, 48)
    end = data.index(b"\r\n\r\n")
    positions = [i for i in range(end) if data[i] not in (0x0D, 0x0A)]
    pos = rng.choice(positions)
    changed = bytearray(data)
    changed[pos] ^= 1 << rng.randrange(7)  # stay ASCII so the damage is subtle
    if changed[pos] in (0x0D, 0x0A):
        changed[pos] ^= 0x40
    _rewrite_member(path, offset, length, bytes(changed))
    return Damage("flipped_header_byte", path.name, offset, f"header byte {pos}")


def delete_record(rng: random.Random, warcs: list[Path]) -> Damage:
    path, offset, length, _ = _pick_record(rng, warcs)
    raw = path.read_bytes()
    _overwrite(path, raw[:offset] + raw[offset + length :])
    return Damage("deleted_record", path.name, offset, f"removed {length} bytes")


def offset_off_by_one(rng: random.Random, catalogue: Path) -> Damage:
    conn = sqlite3.connect(catalogue)
    try:
        rows = conn.execute(
            "SELECT capture_id, warc_file, warc_offset FROM captures WHERE warc_file IS NOT NULL ORDER BY capture_id"
        ).fetchall()
        capture_id, name, offset = rng.choice(rows)
        delta = rng.choice((-1, 1))
        conn.execute("UPDATE captures SET warc_offset = ? WHERE capture_id = ?", (offset + delta, capture_id))
        conn.commit()
    finally:
        conn.close()
    return Damage("offset_off_by_one", name, offset, f"capture {capture_id} offset {delta:+d}")


def apply(kind: str, rng: random.Random, data_root: Path, *, raw: bool | None = None) -> Damage:
    """Damage the data dir at data_root in one of the five KINDS (raw: see flip_body_byte; None lets rng pick)."""
    if raw is None:
        raw = rng.random() < 0.5
    warcs = sorted((data_root / "warcs").glob("*.warc.gz*"))
    warcs = [p for p in warcs if not p.name.startswith(".")]
    if kind == "truncated_tail":
        return truncate_tail(rng, warcs)
    if kind == "flipped_body_byte":
        return flip_body_byte(rng, warcs, raw=raw)
    if kind == "flipped_header_byte":
        return flip_header_byte(rng, warcs, raw=raw)
    if kind == "deleted_record":
        return delete_record(rng, warcs)
    if kind == "offset_off_by_one":
        return offset_off_by_one(rng, data_root / "catalogue.sqlite")
    raise ValueError(kind)
