"""Normalisation of extracted text: layout whitespace inside Chinese and 文号 goes, word breaks stay."""

from __future__ import annotations

import pytest

from crawler.attachments import normalize
from crawler.attachments.normalize import private_use_share


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("穗府办\r\n〔2024〕12 号", "穗府办〔2024〕12号"),
        ("关于印发\n2024 年部门\r\n预算的通知", "关于印发2024年部门预算的通知"),
        ("国 务 院 办 公 厅", "国务院办公厅"),
        ("收入\u3000\u3000合计", "收入合计"),
        ("Hello   World\nagain", "Hello World again"),
        ("GDP 12.5 亿元", "GDP 12.5亿元"),
        ("2024 2025", "2024 2025"),
        ("  前后空白  ", "前后空白"),
        ("控制\x00字符\x07", "控制字符"),
        ("（一）\n加强组织领导。", "（一）加强组织领导。"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_private_use_share() -> None:
    assert private_use_share("") == 0.0
    assert private_use_share("\ue001\ue002 ab") == 0.5
    assert private_use_share("预算") == 0.0
