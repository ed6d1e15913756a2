"""GB 11643-1999 ID numbers and 残疾人证号 (DOMAIN §1.1, §1.2)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fupin_desktop.rules.idnumber import (
    IdNumberError,
    check_char,
    convert15,
    make_id,
    mask_bank_account,
    mask_id,
    mask_phone,
    normalize_id,
    validate_id,
)

TODAY = date(2025, 6, 1)

prefixes = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
seqs = st.integers(min_value=0, max_value=999)


@st.composite
def valid_ids(draw):
    prefix, birth, seq = draw(prefixes), draw(births), draw(seqs)
    return make_id(prefix, birth, seq), prefix, birth, seq


# --------------------------------------------------------------------------- known values


def test_standard_example():
    # The example printed in GB 11643-1999.
    info = validate_id("11010519491231002X", today=TODAY)
    assert info.id18 == "11010519491231002X"
    assert info.sex == "2"
    assert info.birth_date == date(1949, 12, 31)
    assert info.region_prefix == "110105"
    assert not info.is_disability_cert
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # GB 11643-1999 example
        ("44052418800101001", "4"),  # widely quoted example (born 1880)
    ],
)
def test_check_char_known_values(first17, expected):
    assert check_char(first17) == expected


def _iso7064_mod11_2(first17: str) -> str:
    """Independent formulation: weights 2^(17-i) mod 11, check = (12 - S mod 11) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_check_char_matches_iso7064(first17):
    assert check_char(first17) == _iso7064_mod11_2(first17)


def test_lower_case_x_and_junk_are_normalised():
    assert normalize_id(' ="11010519491231002x" ') == "11010519491231002X"
    assert normalize_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalize_id("110105 19491231 002X\u3000") == "11010519491231002X"
    assert normalize_id("'11010519491231002X") == "11010519491231002X"
    assert normalize_id(None) == ""
    assert validate_id("11010519491231002x", today=TODAY).id18 == "11010519491231002X"


def test_checksum_message():
    good = make_id("520102", date(1990, 3, 7), 123)
    wrong = "7" if good[-1] != "7" else "8"
    with pytest.raises(IdNumberError) as err:
        validate_id(good[:17] + wrong, today=TODAY)
    assert str(err.value) == (
        f"证件号码校验位错误：按前17位计算应为{good[-1]}，实际为{wrong}，请核对证件号码。"
    )


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "未填写"),
        ("1234567", "实际为7位"),
        ("1101051949123100", "实际为16位"),
        ("11010519491231002X1", "实际为19位"),
        ("1101A519491231002X", "第5位“A”不是数字"),
        ("11010519491231002Y", "第18位“Y”无效"),
        ("110105194913310021", "月份应为01–12"),
        ("110105194902300021", "该月没有30日"),
        ("110105189901010021", "早于1900年"),
        ("110105203001010021", "晚于今天"),
    ],
)
def test_each_failure_has_its_own_message(value, fragment):
    with pytest.raises(IdNumberError, match=fragment):
        validate_id(value, today=TODAY)


def test_future_birth_relative_to_today():
    later = make_id("520102", date(2025, 7, 1), 1)
    with pytest.raises(IdNumberError, match="晚于今天"):
        validate_id(later, today=TODAY)
    assert validate_id(later, today=date(2025, 7, 1)).birth_date == date(2025, 7, 1)


def test_disability_certificate_20_digits():
    id18 = make_id("520102", date(1980, 5, 5), 31)
    info = validate_id(id18 + "42", today=TODAY)
    assert info.is_disability_cert
    assert info.id18 == id18
    assert info.disability_type == "4"
    assert info.disability_grade == "2"
    assert info.normalized == id18 + "42"
    with pytest.raises(IdNumberError, match="第19位（残疾类别）应为1–7"):
        validate_id(id18 + "82", today=TODAY)
    with pytest.raises(IdNumberError, match="第20位（残疾等级）应为1–4"):
        validate_id(id18 + "45", today=TODAY)
    with pytest.raises(IdNumberError, match="校验位错误"):
        bad = id18[:17] + ("0" if id18[17] != "0" else "1")
        validate_id(bad + "42", today=TODAY)


def test_convert15_known():
    # 15-digit form of the standard example: 110105491231002.
    assert convert15("110105491231002") == "11010519491231002X"
    info = validate_id("110105491231002", today=TODAY)
    assert info.id18 == "11010519491231002X"
    assert info.converted_from_15
    with pytest.raises(IdNumberError):
        convert15("12345")
    with pytest.raises(IdNumberError, match="月份"):
        validate_id("110105491331002", today=TODAY)


def test_make_id_rejects_bad_input():
    with pytest.raises(ValueError):
        make_id("52010", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id("520102", date(1990, 1, 1), 1000)
    with pytest.raises(ValueError):
        check_char("123")


def test_masks():
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("1101051949123100211") .startswith("110105********")
    assert mask_id("") == ""
    assert mask_id("12345") == "*****"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0851-5551234") == "********1234"
    assert mask_phone(None) == ""
    assert mask_bank_account("6217 0000 1111 2222 333") == "6217****2333"
    assert mask_bank_account("") == ""


# --------------------------------------------------------------------------- properties


@given(valid_ids())
def test_generated_ids_validate_and_derive_sex_and_birth(data):
    id18, prefix, birth, seq = data
    info = validate_id(id18, today=TODAY)
    assert info.id18 == id18
    assert info.birth_date == birth
    assert info.sex == ("1" if seq % 2 else "2")
    assert info.region_prefix == prefix


@given(valid_ids(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_single_character_change_is_caught_by_checksum(data, pos, new):
    id18 = data[0]
    assume(id18[pos] != new)
    assume(pos == 17 or new != "X")  # X only exists as a check char
    changed = id18[:pos] + new + id18[pos + 1 :]
    assert check_char(changed[:17]) != changed[17]
    with pytest.raises(IdNumberError):
        validate_id(changed, today=TODAY)


@given(valid_ids(), st.integers(min_value=0, max_value=16))
def test_adjacent_transposition_is_caught_by_checksum(data, pos):
    id18 = data[0]
    a, b = id18[pos], id18[pos + 1]
    assume(a != b and a.isdigit() and b.isdigit())
    swapped = id18[:pos] + b + a + id18[pos + 2 :]
    assert check_char(swapped[:17]) != swapped[17]
    with pytest.raises(IdNumberError):
        validate_id(swapped, today=TODAY)


@given(st.text())
def test_normalize_id_is_idempotent(s):
    once = normalize_id(s)
    assert normalize_id(once) == once


@given(valid_ids(), st.sampled_from(["", " ", "\u3000", "\t"]), st.booleans())
def test_normalize_then_validate_messy_input(data, pad, wrap):
    id18 = data[0]
    messy = pad + id18.lower() + pad
    if wrap:
        messy = f'="{messy}"'
    assert normalize_id(messy) == id18
    assert normalize_id(normalize_id(messy)) == id18
    assert validate_id(messy, today=TODAY).id18 == id18


@given(
    prefixes,
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    seqs,
)
def test_convert15_validates(prefix, birth, seq):
    id15 = f"{prefix}{birth:%y%m%d}{seq:03d}"
    id18 = convert15(id15)
    info = validate_id(id18, today=TODAY)
    assert info.birth_date == birth
    assert info.sex == ("1" if seq % 2 else "2")
    assert validate_id(id15, today=TODAY).id18 == id18
