"""Extraction of generated attachments with known text: every piece comes back, at its page or sheet.

20 files per type (tests/attachkit.py). Each piece of the ground truth (title, 文号, paragraphs, table cells)
must be a substring of the unit at its location, so every 2-6 character substring of it is found there too.
PDF and OFD pieces are wrapped across lines (also inside 文号) by the writer, so this also checks the joining.
DOC, WPS, XLS and ET come from LibreOffice and go through antiword / catdoc / soffice and calamine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from attachkit import FAST_TYPES, LEGACY_TYPES, PER_TYPE, Sample, generated

from crawler.attachments import Extraction, Limits, extract_path, sniff
from crawler.attachments import legacy as legacy_programs


def _check(sample: Sample, result: Extraction, *, tables: bool = True) -> None:
    assert result.status == "ok", (sample.name, result.reason)
    cells = {cell for row in sample.content.table for cell in row}
    by_page = {u.page: u.text for u in result.units if u.page is not None}
    by_sheet = {u.sheet: u.text for u in result.units if u.sheet is not None}
    whole = "\n".join(u.text for u in result.units)
    for where, piece in sample.content.pieces(sample.kind):
        if isinstance(where, int):
            assert piece in by_page.get(where, ""), (sample.name, where, piece)
            others = [t for p, t in by_page.items() if p != where]
            assert not any(piece in t for t in others) or len(piece) < 8, (sample.name, piece)
        elif isinstance(where, str):
            assert piece in by_sheet.get(where, ""), (sample.name, where, piece)
        elif tables or piece not in cells:
            assert piece in whole, (sample.name, piece)
            assert all(u.page is None and u.sheet is None for u in result.units)


def _extract(tmp_path: Path, sample: Sample) -> Extraction:
    path = tmp_path / f"{sample.label}.{sample.kind}"
    path.write_bytes(sample.data)
    return extract_path(path, sample.name, Limits())


@pytest.mark.parametrize("kind", FAST_TYPES)
def test_generated_files_give_back_their_text(kind: str, tmp_path: Path) -> None:
    samples = generated(kind)
    assert len(samples) == PER_TYPE
    for sample in samples:
        assert sniff(sample.data, sample.name) == kind
        result = _extract(tmp_path, sample)
        _check(sample, result)
        if kind in ("pdf", "ofd"):
            assert result.pages == len(sample.content.pages)


def test_the_wen_hao_survives_a_line_break_inside_it(tmp_path: Path) -> None:
    sample = generated("pdf", 1, "wrap")[0]
    doc_no = sample.content.doc_no
    result = _extract(tmp_path, sample)
    assert doc_no in result.units[0].text
    assert "\n" not in result.units[0].text


@pytest.mark.slow
@pytest.mark.parametrize("kind", LEGACY_TYPES)
def test_legacy_office_files_give_back_their_text(
    kind: str, legacy_samples: dict[str, list[Sample]], tmp_path: Path
) -> None:
    if kind in ("doc", "wps") and not legacy_programs.available():
        pytest.skip("none of antiword, catdoc, soffice on PATH")
    samples = legacy_samples[kind]
    assert len(samples) == PER_TYPE
    for sample in samples:
        assert sniff(sample.data, sample.name) == kind
        result = _extract(tmp_path, sample)
        _check(sample, result)


@pytest.mark.slow
@pytest.mark.parametrize("program", ["antiword", "catdoc", "soffice"])
def test_each_doc_program_on_its_own(
    program: str, legacy_samples: dict[str, list[Sample]], tmp_path: Path
) -> None:
    if not legacy_programs.available((program,)):
        pytest.skip(f"{program} is not installed")
    sample = legacy_samples["doc"][0]
    path = tmp_path / "one.doc"
    path.write_bytes(sample.data)
    result = extract_path(path, sample.name, Limits(), programs=(program,))
    assert result.extractor == program
    _check(
        sample, result, tables=program != "catdoc"
    )  # catdoc drops table text; antiword and soffice keep it


def test_doc_without_any_program_is_not_extracted_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "x.doc"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + "WordDocument".encode("utf-16-le") + bytes(600))
    result = extract_path(path, "x.doc", Limits(), programs=())
    assert result.status == "not_extracted"
    assert "antiword" in (result.reason or "")


def test_output_cap_truncates_and_says_so(tmp_path: Path) -> None:
    sample = generated("docx", 1, "cap")[0]
    path = tmp_path / "cap.docx"
    path.write_bytes(sample.data)
    result = extract_path(path, sample.name, Limits(max_chars=50))
    assert result.status == "ok"
    assert sum(len(u.text) for u in result.units) == 50
    assert (result.reason or "").startswith("truncated")


@pytest.mark.slow
def test_libreoffice_works_inside_the_child_limits(
    legacy_samples: dict[str, list[Sample]], tmp_path: Path
) -> None:
    """With antiword and catdoc hidden from PATH, the runner's child (1 GB address space) falls to soffice."""
    import os
    import shutil

    from crawler.attachments import extract_bytes

    program = shutil.which("soffice")
    if program is None:
        pytest.skip("soffice is not installed")
    hidden = tmp_path / "bin"
    hidden.mkdir()
    for directory in dict.fromkeys(os.environ.get("PATH", "").split(os.pathsep)):
        folder = Path(directory)
        if not folder.is_dir():
            continue
        for tool in folder.iterdir():
            if tool.name not in ("antiword", "catdoc") and not (hidden / tool.name).exists():
                (hidden / tool.name).symlink_to(tool)
    sample = legacy_samples["wps"][0]
    env = {**os.environ, "PATH": str(hidden)}
    result, peak = extract_bytes(sample.data, sample.name, Limits(timeout_s=120, memory_mb=1024), env=env)
    assert result.extractor == "soffice", result.reason
    _check(sample, result)
    assert 0 < peak < 1024 * 1024
