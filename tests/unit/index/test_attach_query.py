"""The in: narrowing and the attachment field in the query language."""

from __future__ import annotations

import pytest

from index import IndexSettings, QueryError
from index.query import Lit, Node, parse, positive_literals, scope_of

S = IndexSettings()


def test_in_attachments_narrows_every_plain_word() -> None:
    tree = parse("in:attachments 预算 OR 决算", S)
    assert tree == Node("or", (Lit("预算", "attach", "预算"), Lit("决算", "attach", "决算")))
    assert scope_of("in:attachments 预算") == "attach"
    assert sorted(positive_literals(tree)) == ["决算", "预算"]  # attachment literals are marked in snippets


def test_in_page_and_chinese_spellings() -> None:
    assert parse("预算 in:page -交通", S) == Node(
        "and", (Lit("预算", "page", "预算"), Node("not", (Lit("交通", "page", "交通"),)))
    )
    assert parse("范围:附件 预算", S) == Lit("预算", "attach", "预算")
    assert parse("范围:正文 预算", S) == Lit("预算", "page", "预算")


def test_fields_keep_their_own_narrowing() -> None:
    tree = parse("in:attachments 标题:预算 决算", S)
    assert tree == Node("and", (Lit("预算", "title", "预算"), Lit("决算", "attach", "决算")))
    assert parse("附件:部门预算", S) == Lit("部门预算", "attach", "部门预算")


def test_a_scope_alone_is_an_empty_query_and_an_unknown_one_an_error() -> None:
    assert parse("in:page", S) is None
    with pytest.raises(QueryError):
        parse("in:somewhere 预算", S)
