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
