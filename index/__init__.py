"""gongkai: index. Chinese full-text search over the catalogue (jieba words + character bigrams on Whoosh).

Public API (docs/CONTRACTS.md): build with `update_index`/`rebuild_index` (one writer, lock timeout), search with a
`Searcher` opened per request. Design notes live in the module docstrings of analyzer, schema, query and build.
"""

from index.backends import open_searcher, search_cache
from index.build import rebuild_index, update_index
from index.errors import IndexBusy, IndexMissing, QueryError
from index.inventory import Inventory, index_inventory
from index.pgwrite import PgIndexListener
from index.search import DATE_FIELDS, FACETS, SORTS, Hit, IndexCache, Searcher, SearchPage, SearchQuery
from index.settings import IndexSettings
from index.snippets import highlight

__all__ = [
    "DATE_FIELDS",
    "FACETS",
    "SORTS",
    "Hit",
    "IndexBusy",
    "IndexCache",
    "IndexMissing",
    "IndexSettings",
    "Inventory",
    "PgIndexListener",
    "QueryError",
    "SearchPage",
    "SearchQuery",
    "Searcher",
    "highlight",
    "index_inventory",
    "open_searcher",
    "rebuild_index",
    "search_cache",
    "update_index",
]
