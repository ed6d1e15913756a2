from __future__ import annotations

import pytest

from fupin_desktop.codes import CodeError, bool_label, parse_bool


@pytest.mark.parametrize(
    "value",
    ["是", "1", 1, 1.0, "1.0", "√", "✓", "有", "参加", "Y", "y", "yes", "TRUE", "true", True,
     " 是 ", "　是", "１", "Ｙ"],
)  # fmt: skip
def test_true_values(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize(
    "value",
    ["否", "0", 0, 0.0, "×", "无", "没参加", "未参加", "N", "n", "no", "false", "FALSE", False,
     " 否", "０", "Ｎ"],
)  # fmt: skip
def test_false_values(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_blank_is_none(value):
    assert parse_bool(value) is None


@pytest.mark.parametrize("value", ["可能", "2", 2, "是否", "yes!"])
def test_other_values_raise_chinese_error(value):
    with pytest.raises(CodeError, match="是/否"):
        parse_bool(value)


def test_bool_label():
    assert bool_label(True) == "是"
    assert bool_label(False) == "否"
    assert bool_label(None) == ""
