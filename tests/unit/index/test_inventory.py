"""index_inventory (what `gongkai verify` compares with the catalogue): ids and seqs of every segment, no false
alarm on bulk-built plus incrementally added segments, a named problem for each missing segment file."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_testkit import ListCatalogue, make_doc

from index import IndexMissing, IndexSettings, index_inventory, rebuild_index, update_index


def _build(index_dir: Path) -> ListCatalogue:
    catalogue = ListCatalogue(
        [make_doc(f"d{n}", n, body=f"正文{n}", title=f"标题{n}", agency="市公安局") for n in range(1, 30)]
    )
    rebuild_index(catalogue, index_dir, IndexSettings())
    catalogue.put(make_doc("late", 30, body="没有机构和主题的文件"))  # a segment without agency/topic values
    catalogue.put(make_doc("d3", 31, body="改过的正文", title="标题3"))
    update_index(catalogue, index_dir, IndexSettings())
    return catalogue


def test_inventory_lists_every_id_with_its_seq(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    catalogue = _build(index_dir)
    inventory = index_inventory(index_dir)
    assert inventory.problems == [] and inventory.duplicates == []
    assert inventory.seqs == {doc.doc_id: doc.seq for doc in catalogue.docs}
    assert inventory.last_seq == 31


def test_a_missing_segment_file_is_a_named_problem(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    _build(index_dir)
    victims = sorted(index_dir.glob("MAIN_*"))
    victims = [p for p in victims if p.name != "MAIN_WRITELOCK"]
    assert victims
    victims[0].unlink()
    problems = index_inventory(index_dir).problems
    assert any(victims[0].name in p or "cannot be opened" in p or "unreadable" in p for p in problems), (
        problems
    )


def test_no_index_is_index_missing(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing):
        index_inventory(tmp_path)
