"""Every path inside a data directory, and the permission rule that guards it.

The data directory holds the only copy of the truth (WARCs + catalogue), so a directory that other users can write
to is refused instead of silently archived into.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import UnsafeDataDir

_DIR_MODE = 0o700


@dataclass(frozen=True)
class DataDir:
    root: Path
    # The catalogue's PostgreSQL URL ([archive] database); None: the embedded catalogue.sqlite in the data dir.
    database: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def catalogue_path(self) -> Path:
        """The embedded SQLite catalogue (unused while `database` names a PostgreSQL one)."""
        return self.root / "catalogue.sqlite"

    @property
    def catalogue_target(self) -> Path | str:
        """What `Catalogue(...)` opens: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.database or self.catalogue_path

    def has_catalogue(self) -> bool:
        """Whether there is an archive to read: the SQLite file exists, or the PostgreSQL database holds the
        catalogue's schema (an unreachable database raises CatalogueUnavailable rather than answer no)."""
        if self.database is None:
            return self.catalogue_path.exists()
        from archive.db import has_schema

        return has_schema(self.database)

    @property
    def warcs_dir(self) -> Path:
        return self.root / "warcs"

    @property
    def crawl_dir(self) -> Path:
        return self.root / "crawl"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def rejects_dir(self) -> Path:
        return self.root / "rejects"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def directories(self) -> tuple[Path, ...]:
        """Every directory the data dir is made of, parents first."""
        return (
            self.root,
            self.warcs_dir,
            self.crawl_dir,
            self.index_dir,
            self.rejects_dir,
            self.logs_dir,
        )

    def ensure(self) -> DataDir:
        """Create missing directories (0700) and refuse existing ones that group or others can write to."""
        for path in self.directories():
            if path.exists():
                check_private_dir(path)
            else:
                path.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
                os.chmod(path, _DIR_MODE)
        return self

    def check(self) -> None:
        """Refuse an unsafe data dir without creating anything (for read-only users such as the web)."""
        for path in self.directories():
            if path.exists():
                check_private_dir(path)


def check_private_dir(path: Path) -> None:
    st = path.stat()
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDataDir(f"数据目录中的 {path} 不是目录 (not a directory)")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeDataDir(
            f"目录 {path} 可被其他用户写入 (mode {stat.S_IMODE(st.st_mode):o}); "
            "请执行 chmod go-w 后重试 (refusing a group/world-writable data directory)"
        )
