from __future__ import annotations

import stat
from pathlib import Path

import pytest

from archive import ArchiveSettings, DataDir, UnsafeDataDir


def test_ensure_creates_every_directory_private(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "d").ensure()
    for path in data.directories():
        assert path.is_dir()
        assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_ensure_refuses_group_writable_existing_dir(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    root.chmod(0o770)
    with pytest.raises(UnsafeDataDir, match="chmod go-w"):
        DataDir(root).ensure()


def test_ensure_refuses_world_writable_subdir(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "d").ensure()
    data.warcs_dir.chmod(0o757)
    with pytest.raises(UnsafeDataDir):
        data.ensure()


def test_ensure_accepts_0750_and_leaves_it(tmp_path: Path) -> None:
    """Group-readable is not unsafe: the existing root is accepted as it is and its subdirectories made."""
    root = tmp_path / "d"
    root.mkdir()
    root.chmod(0o750)
    data = DataDir(root).ensure()
    assert stat.S_IMODE(root.stat().st_mode) == 0o750
    assert data.warcs_dir.is_dir() and stat.S_IMODE(data.warcs_dir.stat().st_mode) == 0o700


def test_settings_from_mapping_converts_and_rejects_unknown_keys() -> None:
    settings = ArchiveSettings.from_mapping({"removed_after": "3", "warc_max_bytes": 4096})
    assert settings.removed_after == 3
    assert settings.warc_max_bytes == 4096
    assert ArchiveSettings.from_mapping(None) == ArchiveSettings()
    with pytest.raises(ValueError, match="removed_afetr"):
        ArchiveSettings.from_mapping({"removed_afetr": 3})
    with pytest.raises(ValueError):
        ArchiveSettings.from_mapping({"removed_after": 0})
