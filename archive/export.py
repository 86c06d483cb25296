"""Exports: document records as JSON lines or CSV (the record of docs/CONTRACTS.md), and evidence bundles for citation.

An evidence bundle copies the archived gzip members byte for byte (their digests stay valid) into one WARC file and
lists, per capture, the time, URL, 索引号 and payload SHA-256 so a reader can check each claim independently.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from archive.fields import FIELDS
from archive.models import FIELD_LABELS

if TYPE_CHECKING:
    from archive.store import Archive

# One column per field of the table marked for export, in its order (archive/fields.py).
CSV_COLUMNS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.export)
# The CSV header row a person opens in Excel or WPS: Chinese by default (models.FIELD_LABELS), the record's
# names on request.
BOM = "\ufeff"  # without it Excel reads a UTF-8 CSV as the local code page (GBK on Chinese Windows)
MANIFEST_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "capture_id",
    "captured_at",
    "url",
    "final_url",
    "status",
    "index_no",
    "record_type",
    "payload_sha256",
    "payload_digest",
    "warc_file",
    "warc_offset",
    "warc_length",
    "bundle_offset",
    "bundle_length",
)


def write_jsonl(records: Iterable[dict[str, Any]], fp: TextIO) -> int:
    count = 0
    for record in records:
        fp.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


# Spreadsheets also evaluate full-width ＝＋－＠ and formulas after leading blanks or line breaks (issue 16).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", " ", "\u3000", "＝", "＋", "－", "＠")


def _neutralise(value: Any) -> Any:
    """Archived text is third-party input and CSVs are opened in spreadsheets: a cell that starts like a
    formula gets a leading apostrophe (OWASP's CSV-injection advice), so it is shown, never evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_header(*, english: bool = False) -> list[str]:
    return list(CSV_COLUMNS) if english else [FIELD_LABELS.get(c, c) for c in CSV_COLUMNS]


def write_csv(
    records: Iterable[dict[str, Any]], fp: TextIO, *, english_headers: bool = False, bom: bool = True
) -> int:
    """CSV with a byte order mark and a header row (Chinese unless `english_headers`: the record's field names);
    attachments as a JSON list so the file stays one row per document."""
    if bom:
        fp.write(BOM)
    writer = csv.writer(fp, lineterminator="\r\n")
    writer.writerow(csv_header(english=english_headers))
    count = 0
    for record in records:
        row = []
        for column in CSV_COLUMNS:
            value = record.get(column)
            if column == "attachments":  # text stays in JSONL: a spreadsheet cell holds 32,767 characters
                value = [{k: v for k, v in a.items() if k not in ("text", "units")} for a in value or []]
                value = json.dumps(value, ensure_ascii=False)
            row.append("" if value is None else _neutralise(value))
        writer.writerow(row)
        count += 1
    return count


def write_evidence_bundle(archive: Archive, doc_ids: Sequence[str], out_dir: Path) -> list[dict[str, Any]]:
    """Write evidence.warc.gz, manifest.json and manifest.tsv into out_dir; returns the manifest entries."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalogue = archive.catalogue
    entries: list[dict[str, Any]] = []
    copied: dict[tuple[str, int], tuple[int, int]] = {}
    warc_path = out_dir / "evidence.warc.gz"
    with open(warc_path, "wb") as out:
        for doc_id in doc_ids:
            document = catalogue.get_document(doc_id)
            for capture_id in catalogue.document_capture_ids(doc_id):
                row = catalogue.capture_row(capture_id)
                if row["warc_file"] is None:
                    continue
                chain = [row]
                if row["refers_to"] is not None:  # a revisit is only evidence together with its original
                    chain.insert(0, catalogue.capture_row(int(row["refers_to"])))
                for item in chain:
                    _copy_capture(archive, item, out, copied)
                start, length = copied[(row["warc_file"], row["warc_offset"])]
                entries.append(
                    {
                        "doc_id": doc_id,
                        "capture_id": capture_id,
                        "captured_at": row["captured_at"],
                        "url": row["url"],
                        "final_url": row["final_url"],
                        "status": row["status"],
                        "index_no": document.fields.index_no,
                        "record_type": row["record_type"],
                        "payload_sha256": row["sha256"],
                        "payload_digest": row["payload_digest"],
                        "warc_file": row["warc_file"],
                        "warc_offset": row["warc_offset"],
                        "warc_length": row["warc_length"],
                        "bundle_offset": start,
                        "bundle_length": length,
                    }
                )
        out.flush()
        os.fsync(out.fileno())
    bundle_sha256 = _sha256_file(warc_path)
    manifest = {"warc": warc_path.name, "warc_sha256": bundle_sha256, "captures": entries}
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with open(out_dir / "manifest.tsv", "w", encoding="utf-8", newline="") as fp:
        fp.write("\t".join(MANIFEST_COLUMNS) + "\n")
        for entry in entries:
            fp.write("\t".join(_tsv(entry[c]) for c in MANIFEST_COLUMNS) + "\n")
    return entries


def _copy_capture(
    archive: Archive, row: dict[str, Any], out: Any, copied: dict[tuple[str, int], tuple[int, int]]
) -> None:
    from archive.models import WarcLocation

    pieces = [(row["warc_offset"], row["warc_length"])]
    if row["request_offset"] is not None:
        pieces.append((row["request_offset"], row["request_length"]))
    for offset, length in pieces:
        key = (row["warc_file"], offset)
        if key in copied:
            continue
        data = archive.read_member(WarcLocation(row["warc_file"], offset, length))
        copied[key] = (out.tell(), len(data))
        out.write(data)


def _tsv(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
