"""The search backend named by `IndexSettings.backend`: a Whoosh directory or a PostgreSQL table, behind one
interface (`search`, `matching_ids`, `doc_count`, used as a context manager), so callers never branch on it.

`update_index` and `rebuild_index` (build.py) dispatch the same way, so a crawl, `gongkai index` and the
watcher keep the chosen backend current with no change of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.errors import IndexMissing
from index.settings import IndexSettings

_NO_URL = (
    'index.backend = "postgresql" 需要数据库地址（index.database 或 archive.database）'
    " / the postgresql backend needs a database URL (index.database or archive.database)"
)


def database_url(settings: IndexSettings) -> str:
    if not settings.database:
        raise IndexMissing(_NO_URL)
    return settings.database


def open_searcher(index_dir: Path, settings: IndexSettings) -> Any:
    """A searcher (not yet opened: use it in a with-block) of the configured backend."""
    if settings.backend == "postgresql":
        from index.pg import PgSearcher

        return PgSearcher(database_url(settings), settings)
    from index.search import Searcher

    return Searcher(index_dir, settings)


def search_cache(settings: IndexSettings) -> Any:
    """What one serving process shares between requests: `checkout(index_dir, settings)` / `checkin(searcher)`."""
    if settings.backend == "postgresql":
        from index.pg import PgSearchCache

        return PgSearchCache(database_url(settings))
    from index.search import IndexCache

    return IndexCache()
