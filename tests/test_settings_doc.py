"""Every setting is documented in the README's settings table (datasette's tests/test_docs.py pattern)."""

from __future__ import annotations

from pathlib import Path

from gongkai.config import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_readme_settings_table() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [name for name, _type, _default in settings_table() if f"`{name}`" not in text]
    assert missing == []
