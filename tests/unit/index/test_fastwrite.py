"""The fast segment writer against Whoosh's own: the same documents must read back identically, term by term.

`FastSegmentWriter` groups postings in memory and writes posting blocks, term infos and the term hash table itself;
Whoosh's `SegmentWriter` (same schema, same codec) sends every posting through its own sorter and postings writer.
Both indexes are opened with Whoosh's reader and compared on everything search uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from index_testkit import make_doc
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from archive.models import Document
from index import fastwrite
from index.build import doc_fields
from index.fastwrite import FastSegmentWriter, collector_paused, fast_codec
from index.schema import build_schema


def build(index_dir: Path, docs: list[Document], writer_class: Any) -> Any:
    """A one-segment index of `docs`; posting blocks of 8 (the codec's default is 128) so that a few dozen
    documents already give multi-block posting lists."""
    index_dir.mkdir(parents=True)
    ix = whoosh_index.create_in(str(index_dir), build_schema(None, title_boost=4.0))
    codec = W3Codec(blocklimit=8, compression=fast_codec()._compression)
    writer = writer_class(ix, codec=codec, compound=False)
    for doc in docs:
        writer.add_document(**doc_fields(doc))
    writer.commit()
    return ix


def differences(a: Any, b: Any, limit: int = 10) -> list[str]:
    """What differs between two single-segment indexes, as search sees them (empty when identical)."""
    found: list[str] = []
    with a.reader() as ra, b.reader() as rb:
        if ra.doc_count_all() != rb.doc_count_all():
            return [f"doc count {ra.doc_count_all()} != {rb.doc_count_all()}"]
        terms_a, terms_b = set(ra.all_terms()), set(rb.all_terms())
        if terms_a != terms_b:
            found.append(f"terms only in one: {sorted(terms_a ^ terms_b)[:5]}")
        schema = a.schema
        for (fieldname, tbytes), ia in _term_infos(ra):
            if (fieldname, tbytes) not in terms_b:
                continue
            ib = rb.term_info(fieldname, tbytes)
            stats_a = (ia.weight(), ia.doc_frequency(), ia.min_length(), ia.max_length(), ia.max_weight())
            stats_b = (ib.weight(), ib.doc_frequency(), ib.min_length(), ib.max_length(), ib.max_weight())
            if stats_a != stats_b:
                found.append(f"{fieldname}:{tbytes!r} stats {stats_a} != {stats_b}")
        # every posting of every term, in order: (field, term, docnum, weight, value bytes)
        for pa, pb in zip(ra.iter_postings(), rb.iter_postings(), strict=False):
            if pa != pb:
                found.append(f"posting {pa[:3]} != {pb[:3]}")
                break
        if len(found) >= limit:
            return found
        for docnum in range(ra.doc_count_all()):
            if ra.stored_fields(docnum) != rb.stored_fields(docnum):
                found.append(f"stored fields of {docnum}")
            for fieldname in schema.scorable_names():
                la = ra.doc_field_length(docnum, fieldname)
                lb = rb.doc_field_length(docnum, fieldname)
                if la != lb:
                    found.append(f"length of {fieldname} in {docnum}: {la} != {lb}")
    return found


def _term_infos(reader: Any) -> Any:
    for fieldname, tbytes in reader.all_terms():
        yield (fieldname, tbytes), reader.term_info(fieldname, tbytes)


@pytest.fixture(scope="module")
def documents(corpus_docs: list[Document]) -> list[Document]:
    edge = [
        make_doc("empty", 10_001, title="", body=""),
        make_doc("one-char", 10_002, title="法", body="法"),
        make_doc("spaces", 10_003, title="  ", body="\n\n 　\t"),
        make_doc(
            "ids",
            10_004,
            title="国办发〔2018〕128号",
            doc_no="国办发〔2018〕128号",
            index_no="000014349/2018-00158",
        ),
    ]
    return corpus_docs[:36] + edge


def test_fast_writer_reads_back_exactly_like_whooshs_writer(
    documents: list[Document], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastwrite, "_SPILL_BYTES", 4096)  # buffers written out many times along the way
    fast = build(tmp_path / "fast", documents, FastSegmentWriter)
    reference = build(tmp_path / "whoosh", documents, SegmentWriter)
    with fast.reader() as reader:
        frequencies = {reader.term_info(f, t).doc_frequency() for f, t in reader.all_terms()}
    assert (
        1 in frequencies and max(frequencies) > 16
    )  # inlined terms and multi-block posting lists both checked
    assert differences(fast, reference) == []


def test_the_comparison_sees_a_difference(documents: list[Document], tmp_path: Path) -> None:
    """Positive control: one document fewer on one side is reported."""
    full = build(tmp_path / "full", documents[:12], FastSegmentWriter)
    fewer = build(tmp_path / "fewer", documents[:11] + [documents[12]], SegmentWriter)
    assert differences(full, fewer)


def test_collector_paused_restores_the_collector() -> None:
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
