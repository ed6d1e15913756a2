from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fupin_desktop.rules.text import normalize_text, text_key


def test_full_width_to_half_width():
    assert normalize_text("ＡＢＣ１２３（月）") == "ABC123(月)"


def test_spaces():
    assert normalize_text("\u3000务工\u00a0 时间\t（月）\u200b ") == "务工 时间 (月)"
    assert normalize_text(None) == ""


def test_brackets():
    assert normalize_text("【备注】〔2021〕") == "[备注][2021]"


def test_text_key_matches_header_variants():
    assert text_key("务工时间（月）") == text_key("务工时间 (月)") == text_key(" 务工时间(月)\n")
    assert text_key("ABC") == text_key("ａｂｃ")


@given(st.text())
def test_normalize_text_idempotent(s):
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert text_key(text_key(s)) == text_key(s)
