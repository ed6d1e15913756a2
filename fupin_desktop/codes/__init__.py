"""Code lists (代码表) kept as data in ``resources/codes/*.csv``.

The database stores the CODE string of every coded field; the Chinese label is looked up
here. Each list is one CSV file with the header ``code,label,aliases,era,parent``:

* ``aliases`` – other spellings seen in county sheets, separated by ``|``;
* ``era`` – blank when the entry is valid in both systems, ``2014`` for the 2014–2020
  建档立卡 system only, ``2021`` for the 2021+ 防返贫监测 system only. The same code may
  appear twice with different labels (one row per era) when the wording changed;
* ``parent`` – the parent code for two-level lists (``project_category``,
  ``asset_subtype`` → ``asset_category``, ``change_reason`` → ``change_direction``).

``_index.csv`` gives every list its Chinese title, used in error messages (a list
missing there is called 该项).

Usage::

    code_list("relation").normalize("本人或户主")   # -> "01"
    label_of("ethnicity", "06")                    # -> "苗族"
    parse_bool("√")                                # -> True

``era=None`` means the union of both eras; where a code has two labels the 2021 label
wins and the older one becomes an alias. Lists are read once and cached; counties may edit
the CSV files (for instance ``risk_type``), and :func:`reset_cache` re-reads them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from fupin_desktop.paths import resource_path
from fupin_desktop.rules.text import normalize_text, text_key

__all__ = [
    "ERAS",
    "CodeError",
    "CodeList",
    "Entry",
    "bool_label",
    "code_list",
    "era_for_year",
    "label_of",
    "list_names",
    "parse_bool",
    "reset_cache",
]

ERAS = ("2014", "2021")
_MAX_LISTED = 15


class CodeError(ValueError):
    """A value that is not in a code list (or not a yes/no). ``str(err)`` is Chinese text
    fit to show the clerk."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a code list (after merging eras)."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()
    era: str = ""
    parent: str = ""


@dataclass(slots=True)
class CodeList:
    """One code list for one era (or the union, ``era=None``).

    Build it with :func:`code_list`; entries keep the CSV order, which is the display order.
    """

    name: str
    title: str
    era: str | None
    _entries: tuple[Entry, ...]
    _by_code: dict[str, Entry] = field(init=False, repr=False)
    _by_key: dict[str, str] = field(init=False, repr=False)
    _digit_widths: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {e.code: e for e in self._entries}
        self._by_key = {}
        for entry in self._entries:
            self._add_key(entry.code, entry.code)
        for entry in self._entries:
            for text in (entry.label, *entry.aliases):
                self._add_key(text, entry.code)
        self._digit_widths = tuple(
            sorted({len(e.code) for e in self._entries if e.code.isdigit()})
        )

    def _add_key(self, text: str, code: str) -> None:
        key = text_key(text)
        if not key:
            return
        other = self._by_key.setdefault(key, code)
        if other != code:
            raise ValueError(
                f"code list {self.name!r} (era {self.era}): {text!r} names both "
                f"{other!r} and {code!r}"
            )

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __iter__(self):
        return iter(self._entries)

    def codes(self) -> list[str]:
        """All codes in display order."""
        return [e.code for e in self._entries]

    def entries(self) -> list[tuple[str, str]]:
        """``(code, label)`` pairs in display order — what a combo box shows."""
        return [(e.code, e.label) for e in self._entries]

    def get(self, code: str) -> Entry | None:
        """The full entry for ``code``, or ``None``."""
        return self._by_code.get(code)

    def children(self, parent: str | None) -> list[Entry]:
        """Entries whose parent is ``parent`` (``None`` or ``""`` → the top level)."""
        parent = parent or ""
        return [e for e in self._entries if e.parent == parent]

    def label(self, code: str | None, default: str | None = None) -> str:
        """The Chinese label of ``code``; ``""`` for a blank code.

        An unknown code returns ``default`` when one is given, else raises :class:`CodeError`.
        """
        if code is None or code == "":
            return ""
        entry = self._by_code.get(str(code))
        if entry is not None:
            return entry.label
        if default is not None:
            return default
        raise CodeError(f"{self.title}代码“{code}”不存在。{self.allowed_text()}")

    def allowed_text(self) -> str:
        """``可选：户主、配偶、……`` — part of error messages."""
        labels = [e.label for e in self._entries]
        shown = "、".join(labels[:_MAX_LISTED])
        if len(labels) > _MAX_LISTED:
            shown += f"……（共{len(labels)}项）"
        return f"可选：{shown}"

    def normalize(self, value: object) -> str | None:
        """Turn what a clerk or a sheet wrote into a code; blank gives ``None``.

        Accepts a code (also ``1``/``1.0``/``"1"`` for a zero-padded ``"01"``), a label or an
        alias, after full-width → half-width, bracket and whitespace clean-up.
        Raises :class:`CodeError` naming the allowed values when nothing matches.
        """
        text = _scalar_text(value)
        if text == "":
            return None
        if text in self._by_code:
            return text
        key = text_key(text)
        if key in self._by_key:
            return self._by_key[key]
        if text.isdigit():
            number = str(int(text))
            for candidate in (number, *(number.zfill(w) for w in self._digit_widths)):
                if candidate in self._by_code:
                    return candidate
        raise CodeError(f"{self.title}“{text}”不在可选范围内。{self.allowed_text()}")


def _scalar_text(value: object) -> str:
    """Excel-ish value → stripped text: ints stay ints, ``1.0`` → ``"1"``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN from pandas-like readers
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return str(value)
    text = normalize_text(value)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
    return text


# --------------------------------------------------------------------------- loading

_codes_dir_override: Path | None = None


def _codes_dir() -> Path:
    return _codes_dir_override or resource_path("codes")


@dataclass(frozen=True, slots=True)
class _Row:
    code: str
    label: str
    aliases: tuple[str, ...]
    era: str
    parent: str


@lru_cache(maxsize=None)
def _titles() -> dict[str, str]:
    path = _codes_dir() / "_index.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["name"].strip(): row["title"].strip() for row in csv.DictReader(fh)}


@lru_cache(maxsize=None)
def _rows(name: str) -> tuple[_Row, ...]:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise KeyError(f"no code list named {name!r}")
    path = _codes_dir() / f"{name}.csv"
    if not path.exists():
        raise KeyError(f"no code list named {name!r} (looked for {path})")
    rows: list[_Row] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line_no, raw in enumerate(csv.DictReader(fh), start=2):
            code = normalize_text(raw.get("code"))
            label = normalize_text(raw.get("label"))
            # Labels keep the Chinese full-width brackets people expect to see.
            label = label.replace("(", "（").replace(")", "）")
            era = normalize_text(raw.get("era"))
            if not code or not label:
                raise ValueError(f"{path.name}:{line_no}: code and label are required")
            if era and era not in ERAS:
                raise ValueError(f"{path.name}:{line_no}: unknown era {era!r}")
            aliases = tuple(
                a for a in (normalize_text(x) for x in (raw.get("aliases") or "").split("|")) if a
            )
            rows.append(_Row(code, label, aliases, era, normalize_text(raw.get("parent"))))
    return tuple(rows)


def _merge(rows: Iterable[_Row]) -> tuple[Entry, ...]:
    """Rows of one era (or both) → entries; a code seen twice merges, 2021 label first."""
    order: list[str] = []
    by_code: dict[str, list[_Row]] = {}
    for row in rows:
        if row.code not in by_code:
            order.append(row.code)
            by_code[row.code] = []
        by_code[row.code].append(row)
    entries = []
    for code in order:
        group = sorted(by_code[code], key=lambda r: r.era != "2021")  # 2021 first
        main = group[0]
        aliases: list[str] = list(main.aliases)
        for other in group[1:]:
            for text in (other.label, *other.aliases):
                if text != main.label and text not in aliases:
                    aliases.append(text)
        eras = {r.era for r in group}
        era = "" if "" in eras or eras >= set(ERAS) else main.era
        entries.append(Entry(code, main.label, tuple(aliases), era, main.parent))
    return tuple(entries)


def _era_key(era: object) -> str | None:
    if era is None or era == "":
        return None
    if isinstance(era, int):
        return era_for_year(era)
    text = str(era).strip()
    if text in ERAS:
        return text
    if text.isdigit():
        return era_for_year(int(text))
    raise ValueError(f"unknown era {era!r}; use None, '2014', '2021' or a year")


def era_for_year(year: int) -> str:
    """``"2014"`` for years up to 2020, ``"2021"`` from 2021 on."""
    return "2014" if year <= 2020 else "2021"


@lru_cache(maxsize=None)
def _code_list(name: str, era: str | None) -> CodeList:
    rows = _rows(name)
    if era is not None:
        rows = tuple(r for r in rows if r.era in ("", era))
        seen: set[str] = set()
        for r in rows:
            if r.code in seen:
                raise ValueError(f"code list {name!r}: code {r.code!r} twice in era {era}")
            seen.add(r.code)
    title = _titles().get(name, "该项")  # a list without an _index.csv row
    return CodeList(name, title, era, _merge(rows))


def code_list(name: str, era: str | int | None = None) -> CodeList:
    """The code list ``name`` for ``era`` (``"2014"``, ``"2021"``, a year, or ``None`` for both).

    Raises ``KeyError`` for an unknown list name (a programming error, not user input).
    """
    return _code_list(name, _era_key(era))


def label_of(name: str, code: str | None, era: str | int | None = None) -> str:
    """The label of ``code`` in list ``name``; ``""`` for blank; the code itself if unknown.

    Lenient on purpose: the UI must still show a row that carries an outdated code.
    """
    if code is None or code == "":
        return ""
    return code_list(name, era).label(str(code), default=str(code))


def list_names() -> list[str]:
    """Names of all code lists found in the resource folder."""
    return sorted(p.stem for p in _codes_dir().glob("*.csv") if not p.stem.startswith("_"))


def reset_cache(codes_dir: Path | None = None) -> None:
    """Forget loaded lists; optionally read them from ``codes_dir`` from now on.

    For tests and for a county that edited its CSV files while the app runs.
    """
    global _codes_dir_override
    _codes_dir_override = Path(codes_dir) if codes_dir is not None else None
    _titles.cache_clear()
    _rows.cache_clear()
    _code_list.cache_clear()


# --------------------------------------------------------------------------- booleans

_TRUE = {"是", "1", "√", "✓", "✔", "☑", "有", "参加", "已参加", "享受", "y", "yes", "true", "t", "对"}
_FALSE = {
    "否", "0", "×", "✗", "✘", "✕", "无", "没有", "没参加", "未参加", "不参加", "不享受",
    "n", "no", "false", "f", "不是",
}  # fmt: skip


def parse_bool(value: object) -> bool | None:
    """Normalise a yes/no cell: 是/否, 1/0, √/×, 有/无, 参加/未参加, Y/N, true/false.

    Full-width characters and stray spaces are tolerated; blank gives ``None``.
    Raises :class:`CodeError` for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = _scalar_text(value)
    if text == "":
        return None
    key = text_key(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CodeError(f"“{text}”不是有效的是/否值，请填写“是”或“否”。")


def bool_label(value: bool | None) -> str:
    """``是`` / ``否`` / ``""`` for display and export."""
    if value is None:
        return ""
    return "是" if value else "否"
