"""The one-way import rule of docs/STYLE.md section 4, checked on the source with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("archive", "crawler", "index", "web", "gongkai", "demosite")
ALLOWED: dict[str, set[str]] = {
    "demosite": set(),  # the demo site generator is the tests' ground truth: it knows nothing of what it tests
    "archive": set(),
    "crawler": {"archive"},
    "index": {"archive"},
    "web": {"index", "archive"},
    "gongkai": {"archive", "crawler", "index", "web", "demosite"},
}


def imported_layers(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add((top, node.lineno))
    return found


def violations(root: Path) -> list[str]:
    problems = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for target, line in sorted(imported_layers(path)):
                if target != layer and target not in ALLOWED[layer]:
                    problems.append(f"{path.relative_to(root)}:{line} imports {target}")
    return problems


def test_no_import_crosses_the_layering() -> None:
    assert violations(ROOT) == []


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """Positive control: a crawler module importing index, and an index module importing web, are caught."""
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
    (tmp_path / "crawler" / "bad.py").write_text("from index import Searcher\n", encoding="utf-8")
    (tmp_path / "index" / "worse.py").write_text("import web.search\n", encoding="utf-8")
    (tmp_path / "web" / "fine.py").write_text(
        "from archive import Catalogue\nfrom index import Searcher\n", encoding="utf-8"
    )
    assert violations(tmp_path) == ["crawler/bad.py:1 imports index", "index/worse.py:1 imports web"]


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_exists_as_a_package(layer: str) -> None:
    assert (ROOT / layer / "__init__.py").is_file()
