"""The index against the catalogue, for `gongkai verify`: the same documents with the same sequence numbers.

The index is derived (a rebuild recreates it), but a stale or damaged one silently hides documents from search,
so verify names each difference: a document only on one side, one indexed at another seq than the catalogue
says, an index behind or ahead of the catalogue, a segment file that cannot be read.
"""

from __future__ import annotations

from archive import Catalogue, DataDir, Problem, writer_active
from index import IndexMissing, IndexSettings, index_inventory
from index.inventory import Inventory

SHOWN = 20  # differences listed one by one; the rest are counted in one line
HINT = "(`gongkai index --rebuild` rebuilds it from the archive)"


def check_index(data_dir: DataDir, settings: IndexSettings | None = None) -> list[Problem]:
    """Problems of the index; none when there is no index at all (it is optional until the first search)."""
    if settings is not None and settings.backend == "postgresql":
        from index.pgwrite import pg_inventory

        try:
            found = pg_inventory(settings.database)
        except Exception as exc:  # noqa: BLE001 - whatever stops the table from being read is the damage
            return [
                Problem("index", None, f"search table cannot be read: {type(exc).__name__}: {exc} {HINT}")
            ]
        return [] if found is None else _compare(data_dir, found)
    if not data_dir.index_dir.exists():
        return []
    try:
        inventory = index_inventory(data_dir.index_dir)
    except IndexMissing:
        if not any(data_dir.index_dir.glob("MAIN_*[!K]")):  # empty, or only Whoosh's MAIN_WRITELOCK
            return []  # never built (crawl --no-index, or a crawl that failed before indexing)
        return [Problem("index", None, f"segment files but no table of contents (_MAIN_*.toc) {HINT}")]
    except Exception as exc:  # noqa: BLE001 - whatever stops the index from opening is the damage to name
        return [Problem("index", None, f"cannot be opened: {type(exc).__name__}: {exc} {HINT}")]
    return _compare(data_dir, inventory)


def _compare(data_dir: DataDir, inventory: Inventory) -> list[Problem]:
    problems = [Problem("index", None, f"{what} {HINT}") for what in inventory.problems]
    with Catalogue(data_dir.catalogue_target, readonly=True) as catalogue:
        seqs = {doc.doc_id: doc.seq for doc in catalogue.iter_documents()}
        max_seq = catalogue.max_seq()
    last = inventory.last_seq if inventory.last_seq is not None else max_seq
    if last < max_seq and writer_active(data_dir.warcs_dir):
        max_seq = last  # a crawl is adding documents and indexes them when it ends: pending, not behind
    if last > max_seq:
        problems.append(Problem("index", None, f"indexed up to seq {last}, the catalogue only to {max_seq}"))
    elif last < max_seq:
        problems.append(
            Problem("index", None, f"behind the catalogue: seq {last} indexed of {max_seq} (`gongkai index`)")
        )
    differences = [f"document {d} is indexed twice" for d in sorted(set(inventory.duplicates))]
    for doc_id in sorted(set(inventory.seqs) - set(seqs)):
        differences.append(f"document {doc_id} is in the index but not in the catalogue")
    for doc_id, seq in sorted(seqs.items(), key=lambda item: item[1]):
        if seq > last:
            continue  # not indexed yet: counted in the "behind" line
        if doc_id not in inventory.seqs:
            differences.append(f"document {doc_id} (seq {seq}) is in the catalogue but not in the index")
        elif inventory.seqs[doc_id] != seq:
            differences.append(
                f"document {doc_id} indexed at seq {inventory.seqs[doc_id]}, catalogue seq {seq}"
            )
    problems += [Problem("index", None, what) for what in differences[:SHOWN]]
    if len(differences) > SHOWN:
        problems.append(Problem("index", None, f"and {len(differences) - SHOWN} more differences {HINT}"))
    return problems
