"""Query language and caps: parsed without Whoosh's parser; abuse is a QueryError, never a RecursionError."""

from __future__ import annotations

import pytest

from index import IndexSettings, QueryError, SearchQuery
from index.query import Lit, Node, parse, positive_literals, tokenize

S = IndexSettings()


def test_words_are_and_or_binds_tighter_and_minus_excludes() -> None:
    tree = parse("法治 公安 OR 交通 -通知", S)
    assert tree == Node(
        "and",
        (
            Lit("法治", None, "法治"),
            Node("or", (Lit("公安", None, "公安"), Lit("交通", None, "交通"))),
            Node("not", (Lit("通知", None, "通知"),)),
        ),
    )


def test_phrases_fields_and_groups() -> None:
    tree = parse('("公安 局" OR title:通知) NOT agency:外交部', S)
    assert tree == Node(
        "and",
        (
            Node("or", (Lit("公安 局", None, "公安 局"), Lit("通知", "title", "通知"))),
            Node("not", (Lit("外交部", "agency", "外交部"),)),
        ),
    )


@pytest.mark.parametrize("doc_no", ["国办发(2018)128号", "国办发（2018）128号", "国办发[2018]128号"])
def test_brackets_inside_a_doc_no_are_not_groups(doc_no: str) -> None:
    assert tokenize(doc_no) == [doc_no]
    tree = parse(doc_no, S)
    assert isinstance(tree, Lit) and tree.text == "国办发〔2018〕128号"


def test_full_width_query_folds() -> None:
    assert parse("ＡＢＣ１２３", S) == Lit("abc123", None, "ＡＢＣ１２３")


def test_empty_query_matches_everything() -> None:
    assert parse("   ", S) is None
    assert positive_literals(parse("", S)) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("x" * 10_000, "too long"),
        ("公安" * 200, "too long"),
        ("(公安", "unbalanced"),
        ("公安)", "unbalanced"),
        (" ".join(f"词{i}" for i in range(40)), "too many terms"),
    ],
)
def test_caps_and_malformed_queries(text: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        parse(text, S)
    assert message in str(err.value)
    assert any("\u4e00" <= c <= "\u9fff" for c in str(err.value))  # Chinese first


def test_deep_nesting_is_a_query_error_not_recursion() -> None:
    roomy = IndexSettings(max_query_chars=100_000)
    for text in ("(" * 2000 + "a" + ")" * 2000, "（" * 2000, "(" * 9 + "a" + ")" * 9):
        with pytest.raises(QueryError, match="nested"):
            parse(text, roomy)
    assert parse("(" * 8 + "a" + ")" * 8, roomy) == Lit("a", None, "a")


def test_nesting_cap_is_checked_before_any_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.query as q

    called: list[str] = []

    def spy(text: str) -> list[str]:
        called.append(text)
        return []

    monkeypatch.setattr(q, "tokenize", spy)
    with pytest.raises(QueryError):
        q.parse("(" * 50, IndexSettings(max_query_chars=1000))
    assert called == []


@pytest.mark.parametrize(
    "query, message",
    [
        (SearchQuery(sort="random"), "sort"),
        (SearchQuery(date_field="captured"), "date field"),
        (SearchQuery(since="2021-13-01"), "invalid date"),
        (SearchQuery(since="20210101"), "YYYY-MM-DD"),
        (SearchQuery(since="2022-01-01", until="2021-01-01"), "since is after until"),
        (SearchQuery(limit=0), "limit"),
        (SearchQuery(limit=10_000), "limit"),
        (SearchQuery(offset=-1), "offset"),
        (SearchQuery(q="x" * 300), "too long"),
    ],
)
def test_search_query_validate(query: SearchQuery, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        query.validate()


def test_valid_search_query_passes() -> None:
    query = SearchQuery(
        q="公安", agencies=("市公安局",), since="2021-01-01", until="2021-12-31", sort="newest"
    )
    assert query.validate() is query
