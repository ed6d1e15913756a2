"""居民身份证号 (GB 11643-1999) and 残疾人证号 rules (DOMAIN §1.1, §1.2).

* 18 chars = 6-digit address code + YYYYMMDD + 3-digit sequence + check char (0-9 or X).
  The 17th digit is odd for men, even for women.
* 15-digit legacy numbers convert by inserting ``19`` before the date and appending the
  check char.
* A second-generation 残疾人证号 is the 18-char ID plus 残疾类别 (1–7) and 残疾等级 (1–4).

Every failure raises :class:`IdNumberError` whose text is Chinese, says what is wrong and
what to do, and can be shown as is.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from fupin_desktop.rules.text import normalize_text

__all__ = [
    "IdInfo",
    "IdNumberError",
    "check_char",
    "convert15",
    "make_id",
    "mask_bank_account",
    "mask_birth_date",
    "mask_id",
    "mask_phone",
    "normalize_id",
    "validate_id",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_WEIGHTS_ZERO = 48 * sum(_WEIGHTS)
_DISABILITY_TYPES = "1234567"
_DISABILITY_GRADES = "1234"
_PLAIN_18 = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: \d would accept full-width digits


class IdNumberError(ValueError):
    """An ID number that cannot be right; ``str(err)`` is the Chinese message."""


@dataclass(frozen=True, slots=True)
class IdInfo:
    """What a valid 证件号码 tells us."""

    id18: str
    sex: str  # "1" 男 / "2" 女, as in the ``sex`` code list
    birth_date: date
    region_prefix: str  # first 6 digits (county of first registration)
    is_disability_cert: bool = False
    disability_type: str | None = None  # "1".."7" (code list ``disability_type``)
    disability_grade: str | None = None  # "1".."4" (code list ``disability_grade``)
    converted_from_15: bool = False

    @property
    def normalized(self) -> str:
        """The number as it should be stored: 18 chars, or 20 for a 残疾人证号."""
        if self.is_disability_cert:
            return f"{self.id18}{self.disability_type}{self.disability_grade}"
        return self.id18


_WRAPPERS = (
    re.compile(r'^="(.*)"$'),  # ="…" written by exports to keep Excel from mangling digits
    re.compile(r'^"(.*)"$'),
    re.compile(r"^'(.*)$"),  # Excel text marker
)


def normalize_id(value: object) -> str:
    """Clean a typed or exported ID number without judging it.

    Full-width digits → half-width, all whitespace removed, ``x`` → ``X``, ``="…"`` and
    quote wrappers stripped. Idempotent; ``None`` gives ``""``.
    """
    if value is None:
        return ""
    if type(value) is str and value.isascii() and value.isalnum():
        return value.upper()  # no spaces, wrappers or full-width forms to remove
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = normalize_text(value).replace(" ", "")
    changed = True
    while changed:
        changed = False
        for pattern in _WRAPPERS:
            m = pattern.match(text)
            if m:
                text = m.group(1).strip()
                changed = True
    return text.upper()


def check_char(first17: str) -> str:
    """The GB 11643 check character for 17 digits. Raises ``ValueError`` otherwise."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    # ASCII digits: each byte is 48 + digit, so subtract 48 × the weight sum once.
    total = sum(map(operator.mul, first17.encode("ascii"), _WEIGHTS)) - _WEIGHTS_ZERO
    return _CHECK_CHARS[total % 11]


def convert15(value: str) -> str:
    """Convert a 15-digit legacy ID to 18 digits (``19`` century, computed check char)."""
    text = normalize_id(value)
    if len(text) != 15 or not text.isascii() or not text.isdigit():
        raise IdNumberError(f"旧15位身份证号应为15位数字，实际为“{text}”，请核对证件号码。")
    first17 = text[:6] + "19" + text[6:]
    return first17 + check_char(first17)


def make_id(prefix6: str, birth_date: date, seq3: int | str) -> str:
    """Build a valid 18-char ID (the demo generator uses it).

    The sequence's last digit decides the sex: odd → 男, even → 女.
    """
    if len(prefix6) != 6 or not prefix6.isdigit():
        raise ValueError(f"prefix6 must be 6 digits, got {prefix6!r}")
    seq = int(seq3)
    if not 0 <= seq <= 999:
        raise ValueError(f"seq3 must be 0..999, got {seq3!r}")
    first17 = f"{prefix6}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


@lru_cache(maxsize=1 << 16)  # a county's birth dates repeat: each date is checked once
def _check_birth(digits8: str, today: date) -> date:
    year, month, day = int(digits8[:4]), int(digits8[4:6]), int(digits8[6:])
    if not 1 <= month <= 12:
        raise IdNumberError(
            f"证件号码中的出生日期“{digits8[:4]}-{digits8[4:6]}-{digits8[6:]}”无效：月份应为01–12，"
            "请核对证件号码第11–12位。"
        )
    try:
        born = date(year, month, day)
    except ValueError:
        raise IdNumberError(
            f"证件号码中的出生日期“{digits8[:4]}-{digits8[4:6]}-{digits8[6:]}”无效：该月没有{day}日，"
            "请核对证件号码第13–14位。"
        ) from None
    if year < 1900:
        raise IdNumberError(
            f"证件号码中的出生年份{year}早于1900年，请核对证件号码第7–10位。"
        )
    if born > today:
        raise IdNumberError(
            f"证件号码中的出生日期{born:%Y-%m-%d}晚于今天，请核对证件号码第7–14位。"
        )
    return born


def validate_id(value: object, today: date | None = None) -> IdInfo:
    """Check a 证件号码 (18-char ID, 20-digit 残疾人证号, or 15-digit legacy ID).

    Returns what it tells (sex, birth date, disability type/grade). Raises
    :class:`IdNumberError` with a distinct Chinese message for: blank, wrong length,
    non-digits, a month or day that does not exist, birth before 1900 or after ``today``,
    a wrong check char, or a bad disability type/grade digit.
    """
    today = today or date.today()
    converted = False
    disability_type = disability_grade = None
    if type(value) is str and len(value) == 18 and _PLAIN_18.fullmatch(value):
        # Already clean (normalize_id would return it unchanged): only the date and the
        # check character are left to verify.
        text = value
    else:
        text = normalize_id(value)
        if not text:
            raise IdNumberError("证件号码未填写，请填写18位居民身份证号码或20位残疾人证号。")
        if len(text) == 15:
            if not text.isascii() or not text.isdigit():
                raise IdNumberError(f"15位旧身份证号只能是数字，实际为“{text}”，请核对证件号码。")
            _check_birth("19" + text[6:12], today)
            text = convert15(text)
            converted = True
        if len(text) not in (18, 20):
            raise IdNumberError(
                f"证件号码应为18位（居民身份证）或20位（残疾人证），实际为{len(text)}位，请核对证件号码。"
            )
        for pos, ch in enumerate(text[:17], start=1):
            if not ("0" <= ch <= "9"):
                raise IdNumberError(
                    f"证件号码第{pos}位“{ch}”不是数字：前17位只能是数字，请核对证件号码。"
                )
        last = text[17]
        if not ("0" <= last <= "9" or last == "X"):
            raise IdNumberError(
                f"证件号码第18位“{last}”无效：只能是数字或X，请核对证件号码。"
            )
        if len(text) == 20:
            disability_type, disability_grade = text[18], text[19]
            if disability_type not in _DISABILITY_TYPES:
                raise IdNumberError(
                    f"残疾人证号第19位（残疾类别）应为1–7，实际为“{disability_type}”，请核对残疾人证号。"
                )
            if disability_grade not in _DISABILITY_GRADES:
                raise IdNumberError(
                    f"残疾人证号第20位（残疾等级）应为1–4，实际为“{disability_grade}”，请核对残疾人证号。"
                )
    born = _check_birth(text[6:14], today)
    expected = check_char(text[:17])
    if expected != text[17]:
        raise IdNumberError(
            f"证件号码校验位错误：按前17位计算应为{expected}，实际为{text[17]}，请核对证件号码。"
        )
    id18 = text[:18]
    # Positional (id18, sex, birth_date, region_prefix, is_disability_cert, type, grade,
    # converted): called once per member of a county check.
    return IdInfo(id18, "1" if id18[16] in "13579" else "2", born, id18[:6], len(text) == 20,
                  disability_type, disability_grade, converted)


# --------------------------------------------------------------------------- masking


def mask_id(value: object) -> str:
    """``520102********1234``: first 6 and last 4 kept, for exports and lists."""
    text = normalize_id(value)
    if not text:
        return ""
    if len(text) < 10:
        return "*" * len(text)
    return f"{text[:6]}********{text[-4:]}"


def mask_birth_date(value: object) -> str:
    """``1970年``: a birth date shown beside a masked ID keeps its year only (the full date is
    the ID's hidden middle eight digits)."""
    if value is None or value == "":
        return ""
    year = getattr(value, "year", None)
    if year is None:
        digits = normalize_text(value)[:4]
        if not (len(digits) == 4 and digits.isdigit()):
            return ""
        year = digits
    return f"{year}年"


def mask_phone(value: object) -> str:
    """``138****5678`` for a mobile number; other numbers keep only their last 4 digits."""
    text = normalize_text(value).replace(" ", "")
    if not text:
        return ""
    if len(text) == 11 and text.isdigit():
        return f"{text[:3]}****{text[-4:]}"
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def mask_bank_account(value: object) -> str:
    """``6217****1234``: first 4 and last 4 kept."""
    text = normalize_text(value).replace(" ", "").replace("-", "")
    if not text:
        return ""
    if len(text) < 8:
        return "*" * len(text)
    return f"{text[:4]}****{text[-4:]}"
