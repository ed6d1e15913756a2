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


# =========================================================================== pinyin order

# Surnames whose reading differs from the character's common reading (pypinyin reads 单 as
# dan, 曾 as ceng …); the first character of a name is read with this table.
SURNAME_READINGS = {
    "单": "shan4", "解": "xie4", "曾": "zeng1", "仇": "qiu2", "区": "ou1", "查": "zha1",
    "朴": "piao2", "覃": "qin2", "盖": "ge3", "乐": "yue4", "缪": "miao4", "翟": "zhai2",
    "员": "yun4", "种": "chong2", "秘": "bi4", "召": "shao4", "繁": "po2", "宓": "fu2",
    "祭": "zhai4", "折": "she2", "重": "chong2", "黑": "he4", "冼": "xian3", "尉": "yu4",
    "隗": "wei3", "长": "chang2",
}
SORT_KEY_LENGTH = 200


@lru_cache(maxsize=20000)
def _char_sort_token(char: str, first: bool) -> str:
    if char.isascii():
        # Latin letters sort with the syllables they spell; digits before any letter.
        lower = char.lower()
        return f"{lower}0{ord(lower):06x}" if char.isalnum() else ""
    reading = SURNAME_READINGS.get(char) if first else None
    if reading is None:
        from pypinyin import Style, pinyin

        result = pinyin(char, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda _c: [])
        reading = result[0][0] if result and result[0] else ""
    if not reading or not reading[-1].isdigit() or not reading[:-1].isalpha():
        if not char.isalnum():
            return ""  # 阿依古丽·买买提: the separator dot does not count
        # A character pypinyin does not know: after every syllable, in code point order.
        return f"~{ord(char):06x}"
    return f"{reading}{ord(char):06x}"


@lru_cache(maxsize=65536)
def name_sort_key(name: str | None) -> str | None:
    """A text that sorts names in pinyin order, as a clerk expects (张 after 王, 单 read
    shan): character by character, by syllable, then tone, then the character itself, so
    one surname's households stay together. Plain ASCII, compared byte by byte (binary /
    "C" collation); None for no name."""
    if not name or not name.strip():
        return None
    tokens = []
    first = True
    for char in name.strip():
        token = _char_sort_token(char, first)
        if token:
            tokens.append(token)
            first = False
    return "".join(tokens)[:SORT_KEY_LENGTH] or None


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
