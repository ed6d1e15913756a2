"""Text clean-up shared by code lists, header matching and the importer.

County spreadsheets mix full-width and half-width characters, carry non-breaking and
ideographic spaces, zero-width junk and stray line breaks. Everything that compares text
typed by people goes through :func:`normalize_text` (keeps single inner spaces) or
:func:`text_key` (removes all whitespace and folds case, for matching only).
"""

from __future__ import annotations

import re

# Full-width ASCII block U+FF01..U+FF5E maps onto U+0021..U+007E.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_EXTRA = {
    0x3000: " ",  # ideographic space
    0x00A0: " ",  # no-break space
    0x2002: " ",
    0x2003: " ",
    0x2009: " ",
    0x202F: " ",
    0x200B: None,  # zero-width space
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,  # BOM left inside a cell
    0x3010: "[",  # 【
    0x3011: "]",  # 】
    0x3014: "[",  # 〔
    0x3015: "]",  # 〕
}
_TABLE: dict[int, int | str | None] = {**_FULLWIDTH, **_EXTRA}
_SPACES = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """Return ``value`` as clean half-width text.

    Full-width ASCII (digits, letters, ``（）`` …) becomes half-width, NBSP and ideographic
    spaces become ordinary spaces, zero-width characters disappear, runs of whitespace
    collapse to one space and the ends are trimmed. ``None`` gives ``""``. Idempotent.
    """
    if value is None:
        return ""
    if type(value) is str and value.isascii() and value.isalnum():
        return value  # nothing to clean (digits and letters only: the common case)
    text = str(value).translate(_TABLE)
    return _SPACES.sub(" ", text).strip()


def text_key(value: object) -> str:
    """A matching key: :func:`normalize_text`, then no whitespace at all, case-folded.

    ``"务工时间（月）"`` and ``"务工时间 (月)"`` give the same key.
    """
    return normalize_text(value).replace(" ", "").casefold()


_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def chinese_number(text: str) -> int | None:
    """一 … 九十九 as an int (as in 十二组); None when ``text`` is not one."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_NUMERALS[c]) for c in text))
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


def group_sort_key(group: str | None) -> tuple[int, int, str]:
    """The one sort key of 村民小组 names: 一组, 二组 … 十组, 十一组 (or 1组, 2组 …) in
    number order, then names without a leading number (新村组, blank) by their text."""
    text = (group or "").strip()
    m = re.match(r"(\d+)", text)
    if m:
        return (0, int(m.group(1)), text)
    m = re.match(r"([零一二三四五六七八九十]+)", text)
    n = chinese_number(m.group(1)) if m else None
    if n is not None:
        return (0, n, text)
    return (1, 0, text)
