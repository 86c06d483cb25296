"""Analyzer: folding, words identical to jieba's (rjieba against jieba), sequential positions, bigrams, and the
segmenter's cold start under threads (R9)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.models import Document
from index.analyzer import (
    ProjectAnalyzer,
    Segmenter,
    bigrams,
    fold,
    query_bigrams,
    read_user_dictionary,
    segmenter,
    words,
)

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


def test_analyzer_positions_are_sequential_and_keep_digits_latin_and_single_characters() -> None:
    tokens = [
        (t.text, t.pos)
        for t in ProjectAnalyzer()("浙政办发〔2021〕5号：关于ＡＢＣ的通知，见附件1。", positions=True)
    ]
    texts = [t for t, _ in tokens]
    assert [p for _, p in tokens] == list(range(len(tokens)))
    assert "5" in texts and "2021" in texts and "abc" in texts and "号" in texts
    assert not any(t in ("〔", "〕", "，", "。", "：") for t in texts)
    value = "浙政办发〔2021〕5号：关于ＡＢＣ的通知"
    spans = [(t.text, t.startchar, t.endchar) for t in ProjectAnalyzer()(value, chars=True)]
    assert spans and all(fold(value[a:b]) == text for text, a, b in spans)


def test_extension_b_characters_are_kept() -> None:
    texts = [t.text for t in ProjectAnalyzer()("𠮷野家店")]
    assert "𠮷" in texts


def test_bigrams_positions_and_end_marker() -> None:
    grams = bigrams("公安局公安")
    assert grams["公安"] == [0, 3]
    assert grams["安局"] == [1]
    assert grams["安\x03"] == [4]
    assert query_bigrams("公安局") == ["公安", "安局"]


def jieba_reference(cache: Path, user_dictionary: Path | None = None) -> Any:
    """jieba's own Python Tokenizer (private instance, cache in `cache`): the reference for our words."""
    import jieba

    tokenizer = jieba.Tokenizer()
    cache.mkdir(parents=True, exist_ok=True)
    tokenizer.tmp_dir = str(cache)
    tokenizer.cache_file = "jieba.cache"
    tokenizer.initialize()
    if user_dictionary is not None:
        with user_dictionary.open("rb") as fh:  # given a path, jieba leaves the file open
            tokenizer.load_userdict(fh)
    return tokenizer


def jieba_words(tokenizer: Any, folded: str) -> list[str]:
    return [w for w in tokenizer.cut(folded, HMM=False) if any(c.isalnum() for c in w)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return jieba_reference(tmp_path_factory.mktemp("jieba"))


def test_words_are_exactly_jiebas_on_real_text(corpus_docs: list[Document], reference: Any) -> None:
    cut = segmenter()
    checked = 0
    for doc in corpus_docs:
        for text in (doc.fields.title or "", doc.fields.body):
            folded = fold(text)
            assert words(folded, cut) == jieba_words(reference, folded)
            checked += len(folded)
        if checked > 50_000:
            break
    assert checked > 50_000


ALPHABET = (
    list("公安局政府办公厅关于加强法治建设的通知号文件年月日第条款一二三")
    + list("abcXYZ0129")
    + list("〔〕[]()（）【】,.，。;：、 \t\n-_+#&%@/\\")
    + ["𠮷", "㐀", "䶵", "😀", "ａ", "１", "Ⅻ", "①", "²", "é", "ß", "ﬁ", "\u3000", "\u200b", "\x00"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_words_are_exactly_jiebas_on_generated_strings(reference: Any, text: str) -> None:
    folded = fold(text)
    assert words(folded, segmenter()) == jieba_words(reference, folded)


def test_user_dictionary_words_are_cut_as_jieba_cuts_them(tmp_path: Path) -> None:
    dictionary = tmp_path / "user.dict"
    dictionary.write_text(
        "\ufeff青岚市公安局\n\n法治政府建设示范 20 n\n一网通办改革 nz\n浙里办事 5\n", "utf-8"
    )
    assert read_user_dictionary(dictionary) == [
        ("青岚市公安局", None, None),
        ("法治政府建设示范", 20, "n"),
        ("一网通办改革", None, "nz"),
        ("浙里办事", 5, None),
    ]
    sentences = [
        fold(s)
        for s in (
            "青岚市公安局发布法治政府建设示范项目名单",
            "推进一网通办改革，浙里办事更方便。",
            "关于青岚市公安局２０２１年法治政府建设示范创建的报告",
        )
    ]
    plain = segmenter()
    custom = segmenter(dictionary)
    assert custom is segmenter(dictionary) and custom.user_words == 4
    reference = jieba_reference(tmp_path / "jieba", dictionary)
    for sentence in sentences:
        assert words(sentence, custom) == jieba_words(reference, sentence)
    # positive control: the user words change the cut
    assert "青岚市公安局" in words(sentences[0], custom)
    assert "青岚市公安局" not in words(sentences[0], plain)


@pytest.mark.parametrize("threads, count", [(16, 1000)])
def test_cold_start_threads_cut_identically(
    threads: int, count: int, corpus_docs: list[Document], tmp_path: Path
) -> None:
    """R9: 16 threads cut 1,000 sentences each at once from a cold start (a user dictionary no thread has loaded
    yet): one segmenter is built, every thread gets the same words as a single-thread reference."""
    sentences = [s for d in corpus_docs for s in fold(d.fields.body).split("。") if len(s) > 4][:count]
    assert len(sentences) == count
    dictionary = tmp_path / "cold.dict"
    dictionary.write_text("青岚市公安局\n", "utf-8")
    barrier = threading.Barrier(threads)
    outputs: list[list[list[str]] | None] = [None] * threads
    built: list[Segmenter] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            cut = segmenter(dictionary)
            built.append(cut)
            outputs[i] = [words(s, cut) for s in sentences]
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors
    assert len({id(cut) for cut in built}) == 1
    single = Segmenter(dictionary)
    reference = [words(s, single) for s in sentences]
    assert all(out == reference for out in outputs)


@pytest.mark.parametrize("text", ["", " ", "。。", "a"])
def test_degenerate_texts(text: str) -> None:
    assert all(w.strip() for w in words(fold(text), segmenter()))
    assert sum(len(p) for p in bigrams(fold(text)).values()) == len(text)


def test_fold_by_table_equals_the_per_character_definition_on_planes_0_to_2() -> None:
    """`fold` maps code points through a numpy table filled from `_FoldTable`; it must give exactly what
    `str.translate` with the definition gives, for every code point a text can hold (lone surrogates too)."""
    from index.analyzer import _FOLD

    text = "".join(chr(c) for c in range(0x30000))
    assert fold(text) == text.translate(_FOLD)
    mixed = "国办发［２０１８］１２８号\ud800Ａ\u3000【通知】𠮷" * 3
    assert fold(mixed) == mixed.translate(_FOLD) and len(fold(mixed)) == len(mixed)
