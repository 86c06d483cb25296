"""Analyzer: folding, jieba words with sequential positions, bigrams, and jieba's cold start under threads (R9)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from archive.models import Document
from index.analyzer import FastCut, Jieba, ProjectAnalyzer, bigrams, cutter, fold, query_bigrams, words

VARIANTS = [
    "国办发〔2018〕128号",
    "国办发[2018]128号",
    "国办发【2018】128号",
    "国办发（2018）128号",
    "国办发(2018)128号",
    "国办发［2018］128号",
    "国办发〔２０１８〕１２８号",
    "国办发［２０１８］１２８号",
]


def test_fold_keeps_length_and_maps_every_bracket_variant_to_one_form() -> None:
    folded = {fold(v) for v in VARIANTS}
    assert folded == {"国办发〔2018〕128号"}
    for text in VARIANTS + ["ＡＢＣ　ｄｅｆ\n㈠", "𠮷野家 镕"]:
        assert len(fold(text)) == len(text)
    assert fold("ＡＢＣ　ｄｅｆ") == "abc def"


def test_analyzer_positions_are_sequential_and_keep_digits_latin_and_single_characters(
    jieba_cache: Path,
) -> None:
    tokens = [
        (t.text, t.pos)
        for t in ProjectAnalyzer(jieba_cache)(
            "浙政办发〔2021〕5号：关于ＡＢＣ的通知，见附件1。", positions=True
        )
    ]
    texts = [t for t, _ in tokens]
    assert [p for _, p in tokens] == list(range(len(tokens)))
    assert "5" in texts and "2021" in texts and "abc" in texts and "号" in texts
    assert not any(t in ("〔", "〕", "，", "。", "：") for t in texts)


def test_extension_b_characters_are_kept(jieba_cache: Path) -> None:
    texts = [t.text for t in ProjectAnalyzer(jieba_cache)("𠮷野家店")]
    assert "𠮷" in texts


def test_bigrams_positions_and_end_marker() -> None:
    grams = bigrams("公安局公安")
    assert grams["公安"] == [0, 3]
    assert grams["安局"] == [1]
    assert grams["安\x03"] == [4]
    assert query_bigrams("公安局") == ["公安", "安局"]


def test_fast_cut_gives_exactly_jiebas_words(corpus_docs: list[Document], jieba_cache: Path) -> None:
    tokenizer = Jieba.get(jieba_cache)
    fast = FastCut(tokenizer)
    keep = lambda w: any(c.isalnum() for c in w)  # noqa: E731
    for doc in corpus_docs[:60]:
        text = fold(doc.fields.body)
        assert fast.cut(text) == [w for w in tokenizer.cut(text, HMM=False) if keep(w)]


def test_jieba_cache_lives_in_the_given_directory(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "jieba"
    Jieba.get(cache)
    assert (cache / "jieba.cache").is_file()


@pytest.mark.parametrize(
    "threads, count",
    [
        pytest.param(4, 100, marks=pytest.mark.slow),
        pytest.param(16, 1000, marks=[pytest.mark.full, pytest.mark.slow]),
    ],
)
def test_cold_start_threads_cut_identically(
    threads: int, count: int, corpus_docs: list[Document], tmp_path: Path
) -> None:
    """R9: threads cut sentences at once from a cold start; same words as one thread, no dictionary change.

    S tier runs the plan's 16 threads x 1,000 sentences: 4 s as a plain script, but minutes under pytest on the
    shared 2-core machine (cause not found yet), so the F tier runs 4 x 100."""
    sentences = [s for d in corpus_docs for s in fold(d.fields.body).split("。") if len(s) > 4][:count]
    assert len(sentences) == count
    cold = tmp_path / "cold" / "jieba"
    barrier = threading.Barrier(threads)
    outputs: list[list[list[str]] | None] = [None] * threads
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            cut = cutter(cold)
            outputs[i] = [words(s, cut) for s in sentences]
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors
    tokenizer = Jieba.get(cold)
    size = len(tokenizer.FREQ)
    reference = [words(s, FastCut(tokenizer)) for s in sentences]
    assert all(out == reference for out in outputs)
    assert len(tokenizer.FREQ) == size
    assert (cold / "jieba.cache").is_file()


@pytest.mark.parametrize("text", ["", " ", "。。", "a"])
def test_degenerate_texts(text: str, jieba_cache: Path) -> None:
    cut = cutter(jieba_cache)
    assert all(w.strip() for w in words(fold(text), cut))
    assert sum(len(p) for p in bigrams(fold(text)).values()) == len(text)
