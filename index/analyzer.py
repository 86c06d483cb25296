"""Text analysis: folding, jieba words with sequential positions, and character bigrams.

Why not jieba's bundled `ChineseAnalyzer`: it stores character offsets as token positions (so phrase queries never
match), emits overlapping search-mode tokens, and drops single non-CJK characters such as the 5 of 浙政办发〔2021〕5号
(docs/TESTPLAN.md finding 5). Here:

* `fold` maps every character through NFKC (full-width digits, Latin and punctuation become half-width), lower-cases,
  maps every bracket variant (〔〕 [] 【】 （） () ［］ 〖〗 ﹝﹞) to 〔〕 and every whitespace character to a space. Folding
  is per character and never changes the length, so an offset in folded text is an offset in the original text
  (snippets rely on it). Characters whose NFKC form is longer than one character keep their own form.
* `words` cuts folded text with jieba's accurate mode without HMM (dictionary words only: deterministic, and
  agency names or policy terms come from the user dictionary rather than guesses), by rjieba: jieba's dictionary and
  algorithm in Rust, about 9x faster than jieba in Python with the same words (tests compare the two on real text,
  a user dictionary and generated strings). One `Segmenter` per process and user dictionary, built under a lock
  before any cut. It keeps numbers, Latin words and single characters (also CJK Extension A/B, which jieba's regex
  does not treat as Han), drops punctuation and whitespace, and numbers the kept tokens 0, 1, 2, ...
  (`ProjectAnalyzer`).
* `bigrams` gives every adjacent character pair of folded text with its character position, plus the last
  character followed by END, so a single character is a prefix of some bigram wherever it occurs. A literal query
  of n >= 2 characters is the phrase of its n-1 bigrams at consecutive positions: it matches exactly the texts that
  contain it, with no false hits.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.analysis import Token, Tokenizer

END = "\x03"  # follows the last character of a text in the bigram stream

_BRACKETS = {
    "[": "〔",
    "]": "〕",
    "【": "〔",
    "】": "〕",
    "(": "〔",
    ")": "〕",
    "〖": "〔",
    "〗": "〕",
    "﹝": "〔",
    "﹞": "〕",
    "［": "〔",
    "］": "〕",
    "（": "〔",
    "）": "〕",
    "〔": "〔",
    "〕": "〕",
}


class _FoldTable(dict[int, str]):
    """A str.translate table filled on first sight of each character (C-speed after warm-up)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace():
            folded = " "
        else:
            folded = unicodedata.normalize("NFKC", char).lower()
            folded = _BRACKETS.get(folded, folded)
            if len(folded) != 1:
                folded = char.lower() if len(char.lower()) == 1 else char
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_TABLE_SIZE = 0x110000  # every code point (4.4 MB of uint32, filled lazily)
_TABLE: np.ndarray | None = None  # code point -> folded code point, filled per code point on first sight
_KNOWN: np.ndarray | None = None
_TABLE_LOCK = threading.Lock()


def fold(text: str) -> str:
    """Fold for matching; len(fold(t)) == len(t).

    `str.translate` goes through a Python mapping per character (~100 ns each on CJK text, where most
    characters are not ASCII); here the text's code points go through a numpy table instead, filled from
    `_FoldTable` (the definition) for each code point the first time it is seen."""
    if text.isascii():
        return text.translate(_FOLD)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table, known = _fold_table()
    missing = codes[~known[codes]]
    if len(missing):
        with _TABLE_LOCK:
            for code in np.unique(missing).tolist():
                table[code] = ord(_FOLD[code])
                known[code] = True
    return table[codes].tobytes().decode("utf-32-le", "surrogatepass")


def _fold_table() -> tuple[np.ndarray, np.ndarray]:
    global _TABLE, _KNOWN
    if _TABLE is None or _KNOWN is None:
        with _TABLE_LOCK:
            if _TABLE is None or _KNOWN is None:
                _KNOWN = np.zeros(_TABLE_SIZE, dtype=bool)
                _TABLE = np.arange(_TABLE_SIZE, dtype=np.uint32)
    return _TABLE, _KNOWN


def bigrams(folded: str) -> dict[str, list[int]]:
    """Every adjacent pair of characters with its positions, and (last char + END)."""
    poses: dict[str, list[int]] = {}
    if not folded:
        return poses
    stream = folded + END
    for i in range(len(folded)):
        gram = stream[i : i + 2]
        found = poses.get(gram)
        if found is None:
            poses[gram] = [i]
        else:
            found.append(i)
    return poses


def query_bigrams(folded: str) -> list[str]:
    """The bigrams a literal query of two or more characters must have at consecutive positions."""
    return [folded[i : i + 2] for i in range(len(folded) - 1)]


class Segmenter:
    """jieba's accurate mode without HMM over jieba's dictionary, by rjieba (jieba-rs, the same dictionary and
    dynamic-programming cut in Rust; tests compare its words with jieba's own `Tokenizer.cut(HMM=False)` on real
    text, a user dictionary and generated strings).

    HMM is off: dictionary words only, so a word's cut never depends on a guess about unknown words, and agency
    names or policy terms come from the user dictionary. The instance is built and the user dictionary loaded
    before it is published; after that it is only read, from any number of threads.
    """

    def __init__(self, user_dictionary: Path | None = None) -> None:
        from rjieba import Jieba as RJieba

        self._jieba = RJieba()
        self.user_words = 0
        if user_dictionary is not None:
            for word, freq, tag in read_user_dictionary(user_dictionary):
                self._jieba.add_word(word, freq, tag)
                self.user_words += 1

    def raw(self, text: str) -> list[str]:
        """Every token, punctuation and spaces included (their lengths add up to len(text))."""
        tokens: list[str] = self._jieba.cut(text, hmm=False)
        return tokens

    def cut(self, text: str) -> list[str]:
        """The tokens that contain a letter or digit, in order (punctuation and spaces dropped)."""
        return [w for w in self.raw(text) if is_word(w)]


_USER_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba's user dictionary line: word [freq] [tag]


def read_user_dictionary(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Entries of a jieba user dictionary (UTF-8, one `word [freq] [tag]` per line, as `jieba.load_userdict`)."""
    entries: list[tuple[str, int | None, str | None]] = []
    text = path.read_text("utf-8-sig")
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = _USER_LINE.match(line)
        if match is None:  # pragma: no cover - the pattern matches every non-empty line
            raise ValueError(f"{path}:{lineno}: 无法读取的词典行 / unreadable dictionary line")
        word, freq, tag = match.groups()
        entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return entries


def is_word(token: str) -> bool:
    """A token of `cut`: one that holds a letter or digit."""
    for char in token:
        if char.isalnum():
            return True
    return False


def words(folded: str, segmenter: Segmenter) -> list[str]:
    """Whole words of folded text in order (jieba's accurate mode, no HMM: dictionary words only, stable)."""
    return segmenter.cut(folded)


def segmenter(user_dictionary: Path | None = None) -> Segmenter:
    """The process's shared `Segmenter` for this user dictionary (as the file is now), built once under a lock."""
    key: tuple[str, int, int] = ("", 0, 0)
    if user_dictionary is not None:
        stat = user_dictionary.stat()
        key = (str(user_dictionary), stat.st_mtime_ns, stat.st_size)
    found = _SEGMENTERS.get(key)
    if found is None:
        with _LOCK:
            found = _SEGMENTERS.get(key)
            if found is None:
                found = _SEGMENTERS[key] = Segmenter(user_dictionary)
    return found


_LOCK = threading.Lock()
_SEGMENTERS: dict[tuple[str, int, int], Segmenter] = {}


class ProjectAnalyzer(Tokenizer):
    """A Whoosh analyzer over `words`: folded, sequential positions, digits/Latin/single characters kept."""

    def __init__(self, user_dictionary: Path | None = None) -> None:
        self.user_dictionary = user_dictionary

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProjectAnalyzer) and self.user_dictionary == other.user_dictionary

    def __hash__(self) -> int:
        return hash(self.user_dictionary)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        folded = fold(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        offset = 0
        for word in segmenter(self.user_dictionary).raw(folded):
            begin = offset
            offset += len(word)
            if not is_word(word):
                continue
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[begin:offset]
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + begin
                token.endchar = start_char + offset
            pos += 1
            yield token
