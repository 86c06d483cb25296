"""Comments and docstrings cite documents of this repository only, and the sections they cite exist.

A comment that needs a document outside the repository to be understood is a comment nobody can check; this keeps
every "docs/SITES.md §3.1" or "docs/TESTPLAN.md finding 7" pointing at a heading or entry of docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("archive", "crawler", "index", "web", "gongkai", "demosite", "tests", "bench")
_OUTSIDE = re.compile(r"\.\./shared/docs|(?<![\w/])(?:TESTPLAN|SITES|STYLE|INTERFACES)\.md|INTERFACES")
_CITED = re.compile(
    r"docs/(SITES|TESTPLAN|STYLE)\.md(?:,? (?:§|section |finding |findings )?(\d+(?:\.\d+)?))?"
)


def _sources() -> list[Path]:
    return [
        p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py")) if ".venv" not in p.parts
    ]


def _sections(doc: str) -> set[str]:
    text = (ROOT / "docs" / f"{doc}.md").read_text("utf-8")
    numbers = set(re.findall(r"^#+ (\d+(?:\.\d+)?)\.? ", text, re.MULTILINE))
    numbers |= set(re.findall(r"^(\d+)\. ", text, re.MULTILINE))  # numbered findings, principles, traps
    return numbers


def test_no_comment_points_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources()
        if path.name != "test_doc_references.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _OUTSIDE.search(
            line.replace("docs/SITES.md", "").replace("docs/STYLE.md", "").replace("docs/TESTPLAN.md", "")
        )
    ]
    assert found == []


def test_every_cited_section_exists() -> None:
    sections = {doc: _sections(doc) for doc in ("SITES", "TESTPLAN", "STYLE")}
    missing = [
        f"{path.relative_to(ROOT)}: docs/{doc}.md {number}"
        for path in _sources()
        for doc, number in _CITED.findall(path.read_text("utf-8"))
        if number and number not in sections[doc]
    ]
    assert missing == []
