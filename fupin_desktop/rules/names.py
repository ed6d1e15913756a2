"""Pinyin initials of Chinese names, for the "type zs to find 张三" search.

Surnames such as 单 (shan/dan) and 解 (xie/jie) have several readings and pypinyin picks the
common one, so every reading of every character is kept: the initials of each combination,
space separated. When a name has too many combinations, each character's other readings are
tried one at a time against the common reading of the rest, so the count stays small.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

MAX_VARIANTS = 16


@lru_cache(maxsize=20000)
def _char_initials(char: str) -> tuple[str, ...]:
    if char.isascii():
        return (char.lower(),) if char.isalnum() else ()
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    if not readings or not readings[0]:
        return ()
    letters: list[str] = []
    for reading in readings[0]:
        letter = reading[:1].lower()
        if letter and letter.isalpha() and letter not in letters:
            letters.append(letter)
    return tuple(letters)


@lru_cache(maxsize=65536)
def name_initials(name: str | None) -> str:
    """All initials spellings of ``name``, space separated, most common reading first.
    Cached per name: a county's names repeat a lot and imports compute them per row."""
    if not name:
        return ""
    per_char = [opts for opts in (_char_initials(c) for c in name.strip()) if opts]
    if not per_char:
        return ""
    total = 1
    for opts in per_char:
        total *= len(opts)
    if total <= MAX_VARIANTS:
        variants = ["".join(combo) for combo in product(*per_char)]
    else:
        common = [opts[0] for opts in per_char]
        variants = ["".join(common)]
        for i, opts in enumerate(per_char):
            for alt in opts[1:]:
                variants.append("".join(common[:i] + [alt] + common[i + 1 :]))
    return " ".join(dict.fromkeys(variants))


def common_characters() -> str:
    """The 3 755 level-1 characters of GB 2312: almost every character of a name."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def warm_up() -> None:
    """Load pypinyin and the initials of the common characters ahead of need (an importer
    does this on a second thread while the spreadsheet is being parsed)."""
    for char in common_characters():
        _char_initials(char)
