"""What the index holds, read end to end for `gongkai verify`: every document id with its catalogue seq, the
last seq indexed, and a read of every file each segment needs (a deleted or cut segment file is found here,
not by the next search that happens to touch it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from index.build import read_meta
from index.errors import IndexMissing


@dataclass
class Inventory:
    seqs: dict[str, int] = field(default_factory=dict)  # doc id -> seq stored with it
    last_seq: int | None = None  # from the meta file: the highest catalogue seq indexed
    duplicates: list[str] = field(default_factory=list)  # ids indexed more than once
    problems: list[str] = field(default_factory=list)  # files or segments that could not be read


def index_inventory(index_dir: Path) -> Inventory:
    """Read every live document's stored id and seq, each segment's columns, terms and a posting list."""
    if not whoosh_index.exists_in(str(index_dir)):
        raise IndexMissing(f"索引不存在 / no index in {index_dir}")
    inventory = Inventory()
    meta = read_meta(index_dir)
    if isinstance(meta.get("last_seq"), int):
        inventory.last_seq = meta["last_seq"]
    else:
        inventory.problems.append("gongkai.json: no last_seq (meta file missing or unreadable)")
    ix = whoosh_index.open_dir(str(index_dir))
    try:
        for segment in ix._segments():  # noqa: SLF001 - whoosh offers no public segment list
            _read_segment(ix, segment, inventory)
    finally:
        ix.close()
    return inventory


def _read_segment(ix: whoosh_index.FileIndex, segment: object, inventory: Inventory) -> None:
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.reading import SegmentReader

    name = f"segment {getattr(segment, 'segid', '?')}"
    schema = ix.schema
    if segment.is_compound():  # type: ignore[attr-defined]
        files = [segment.make_filename(".seg")]  # type: ignore[attr-defined]  # one file holds all the rest
    else:
        # Files every segment has; a column file exists only when some document of the segment has the field.
        exts = (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT)
        files = [segment.make_filename(ext) for ext in exts]  # type: ignore[attr-defined]
        files += [W3Codec.column_filename(segment, column) for column in ("_stored", "id")]
    missing = [f for f in files if not ix.storage.file_exists(f)]
    if missing:
        # not opened: Whoosh's reader would leave the files it did open behind when the next one is absent
        inventory.problems.append(f"{name}: missing file(s) {', '.join(missing)}")
        return
    try:
        reader = SegmentReader(ix.storage, schema, segment)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the damage being looked for
        inventory.problems.append(f"{name}: cannot be opened ({type(exc).__name__}: {exc})")
        return
    try:
        for _docnum, stored in reader.iter_docs():
            doc_id = str(stored.get("id"))
            if doc_id in inventory.seqs:
                inventory.duplicates.append(doc_id)
            inventory.seqs[doc_id] = int(stored.get("seq") or 0)
        for fieldname in schema.names():
            terms = reader.terms_from(fieldname, b"") if schema[fieldname].indexed else iter(())
            first = next(terms, None)
            if first is not None:
                reader.postings(first[0], first[1]).all_ids()
            needed = []
            if schema[fieldname].column_type is not None:
                needed.append(fieldname)
            if schema[fieldname].scorable:
                needed.append(f"_{fieldname}_len")
            for column in needed:
                if reader._perdoc.has_column(column):  # noqa: SLF001 - the codec's own file check
                    values = reader.column_reader(column) if column == fieldname else None
                    for docnum in range(reader.doc_count_all() if values is not None else 0):
                        values[docnum]  # type: ignore[index]
                elif first is not None:  # the field has values here, so its column was written
                    lost = W3Codec.column_filename(segment, column)
                    inventory.problems.append(f"{name}: missing file {lost} (field {fieldname} has values)")
    except Exception as exc:  # noqa: BLE001 - as above
        inventory.problems.append(f"{name}: unreadable ({type(exc).__name__}: {exc})")
    finally:
        reader.close()
