"""Field specs for a sheet: which headers name a field, what kind of value it holds.

A :class:`Schema` is a list of :class:`Field`. Each field has a key (the model attribute),
a Chinese label (the header written on export), header aliases (other spellings counties
use), a kind, and for ``code`` fields the code-list name. ``Schema.map_columns(header)``
maps the columns of a detected header to fields; ``Schema.converter()`` turns raw cell
values into Python values, raising :class:`CellError` with a Chinese message.

Kinds:

========  ==========================================================================
text      trimmed, half-width text; a whole number stored as a number reads back as its digits
id        证件号码: digits kept as text; a number that lost digits (≥16 digits stored as a
          number, or text like ``4.30524E+17``) is an error, never a wrong ID
digits    户编号/人编号/电话/银行账号: as ``id`` (numbers whose digits survived become text)
code      a code of ``code_list`` (code, label or alias; ``1`` for ``01``)
bool      是/否, 1/0, √/×, 有/无, 参加/未参加 …
decimal   amounts: ``1,234.50``, ``1，234``, ``¥12``, ``12元`` → ``Decimal('1234.50')``
int       whole numbers: ``3``, ``3.0``, ``3个月``
year      ``2016``, ``2016.0``, ``2016年``
date      a date cell, ``2016-01-02``, ``2016/1/2``, ``2016年1月2日``, ``20160102``, an Excel serial
month     ``YYYY-MM`` from ``2016-01``, ``2016年1月``, a date cell
========  ==========================================================================
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import repeat
from typing import Any

from fupin_desktop.codes import CodeError, code_list, parse_bool
from fupin_desktop.rules.idnumber import normalize_id
from fupin_desktop.rules.text import normalize_text
from fupin_desktop.sheets.headers import HeaderBlock, header_key
from fupin_desktop.sheets.readers import UNCOMPUTED_MESSAGE, UncomputedFormula

__all__ = [
    "KINDS",
    "CellError",
    "ColumnMapping",
    "Converter",
    "Field",
    "Schema",
    "header_signature",
]

KINDS = ("text", "id", "digits", "code", "bool", "decimal", "int", "year", "date", "month")

_SCI = re.compile(r"^[+-]?\d+(\.\d+)?[eE]\+?\d+$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_AMOUNT_JUNK = str.maketrans("", "", ",，  ¥￥元")


class CellError(ValueError):
    """A cell value that cannot be read as its field; ``str(err)`` is Chinese."""


@dataclass(frozen=True)
class Field:
    """One column a sheet may carry."""

    key: str
    label: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    code_list: str | None = None
    required: bool = False
    group: str = ""  # free tag for the caller, e.g. "household" / "member"
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    # Written on export but not read back on import (derived values such as 户主姓名).
    export_only: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")
        if self.kind == "code" and not self.code_list:
            raise ValueError(f"code field {self.key!r} needs code_list")


@dataclass
class ColumnMapping:
    """Which column holds which field, for one header."""

    columns: dict[int, str] = field(default_factory=dict)  # column index → field key
    unknown: list[int] = field(default_factory=list)  # columns no field claimed
    missing_required: list[str] = field(default_factory=list)  # field keys
    source: str = "builtin"  # builtin / profile / manual

    def column_of(self, key: str) -> int | None:
        for col, k in self.columns.items():
            if k == key:
                return col
        return None

    def by_key(self) -> dict[str, int]:
        return {k: c for c, k in self.columns.items()}


def header_signature(texts: Iterable[str]) -> str:
    """A stable 64-character digest of normalised header texts (ImportProfile key)."""
    joined = "\x1f".join(header_key(t) for t in texts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


class Schema:
    """An ordered set of fields; the order is the export column order."""

    def __init__(self, name: str, fields: Sequence[Field]):
        self.name = name
        self.fields: tuple[Field, ...] = tuple(fields)
        self._by_key = {f.key: f for f in self.fields}
        if len(self._by_key) != len(self.fields):
            raise ValueError(f"schema {name!r}: duplicate field keys")
        self._by_header: dict[str, str] = {}
        for f in self.fields:
            for text in (f.label, *f.aliases):
                key = header_key(text)
                other = self._by_header.setdefault(key, f.key)
                if other != f.key:
                    raise ValueError(f"schema {name!r}: header {text!r} names {other} and {f.key}")

    def __iter__(self):
        return iter(self.fields)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def field(self, key: str) -> Field:
        return self._by_key[key]

    def knows(self, header_key_: str) -> bool:
        """Whether a normalised header text names one of the fields (header detection)."""
        return header_key_ in self._by_header

    def match(self, keys: Iterable[str]) -> str | None:
        """The field named by the first matching key, or None."""
        for key in keys:
            found = self._by_header.get(key)
            if found is not None:
                return found
        return None

    def map_columns(
        self, header: HeaderBlock, overrides: Mapping[str, str | None] | None = None
    ) -> ColumnMapping:
        """Map header columns to fields by label/alias. ``overrides`` maps a header text
        (any spelling; matched by key) to a field key, or to ``None`` to ignore the column;
        it wins over the built-in names. The first column naming a field wins."""
        over = {header_key(k): v for k, v in (overrides or {}).items()}
        mapping = ColumnMapping(source="manual" if overrides else "builtin")
        taken: set[str] = set()
        for column in header.columns:
            if not column.parts:
                continue
            key: str | None
            joined = header_key(column.joined)
            if joined in over:
                key = over[joined]
            else:
                key = self.match(column.keys)
            if key is None or key in taken or key not in self._by_key:
                mapping.unknown.append(column.index)
                continue
            if self._by_key[key].export_only:
                continue
            taken.add(key)
            mapping.columns[column.index] = key
        mapping.missing_required = [f.key for f in self.fields if f.required and f.key not in taken]
        return mapping

    def converter(self) -> Converter:
        return Converter(self)


# Text that normalize_text would change: full-width forms, odd spaces, zero-width marks.
_NEEDS_CLEANING = re.compile("[\uff01-\uff5e\u3000\u00a0\u2000-\u200d\u2060\u202f\ufeff\u3010\u3011\u3014\u3015]|\\s\\s|^\\s|\\s$|[\t\r\n]")
# ASCII digits only: ``\d`` also matches full-width digits, which must go through
# normalize_id (a full-width ID is recoverable and stored half-width).
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]([0-9]{2})?|[0-9]{15}")
_DIGITS = re.compile(r"[0-9]{1,30}")
_MEMO_LIMIT = 5000
_SAMPLE, _FEW = 512, 64  # a column whose first 512 cells hold at most 64 values has few values
_MISSING = object()
# The same tests on all distinct values of a column joined by NUL (no cell holds one):
# text needing no cleaning, plain IDs, plain digit strings.
_ALL_PLAIN = {
    "text": lambda joined: None if _NEEDS_CLEANING_JOINED.search(joined) else joined,
    "id": re.compile(f"(?:(?:{_PLAIN_ID.pattern})\x00)*(?:{_PLAIN_ID.pattern})").fullmatch,
    "digits": re.compile(f"(?:(?:{_DIGITS.pattern})\x00)*(?:{_DIGITS.pattern})").fullmatch,
}
_NEEDS_CLEANING_JOINED = re.compile(
    _NEEDS_CLEANING.pattern.replace("|^\\s|\\s$|", "|(?:^|\x00)\\s|\\s(?:\x00|$)|")
)


@functools.lru_cache(maxsize=None)
def _too_long(limit: int) -> re.Pattern[str]:
    """Finds a NUL-separated value longer than ``limit``."""
    return re.compile(f"(?:^|\x00)[^\x00]{{{limit + 1}}}")


class Converter:
    """Cell value → field value, memoising repeated values (codes, yes/no, years …) per
    field and taking fast paths for values that need no cleaning (most cells of a sheet
    exported by a system)."""

    _CACHED_KINDS = frozenset({"code", "bool", "year", "int", "text", "date", "month", "decimal"})

    def __init__(self, schema: Schema):
        self.schema = schema
        self._memo: dict[str, dict[Any, tuple[Any, str | None]]] = {}

    def convert(self, key: str, value: Any) -> Any:
        """Convert ``value`` for field ``key``; blank gives ``None``. Raises CellError."""
        values, errors = self.convert_column(key, (value,))
        if errors:
            raise CellError(errors[0])
        return values[0]

    def convert_column(self, key: str, values: Sequence[Any]) -> tuple[list[Any], dict[int, str]]:
        """Convert a whole column: ``(converted values, {position: error message})``.

        Each distinct value is converted once (a column of 50 000 是/否 cells is two
        conversions), then the column is rebuilt from that table in one pass — or copied,
        when every value converts to itself (a column of clean IDs or names)."""
        f = self.schema.field(key)
        sample = set(values[:_SAMPLE])
        if len(sample) <= _FEW and len(values) > _SAMPLE:
            # Few distinct values (codes, 是/否, villages): look every cell up in the table of
            # the sample's values; convert the cells the sample did not have afterwards.
            table, bad = self._convert_distinct(f, sample)
            out = list(map(table.get, values, repeat(_MISSING)))
            if _MISSING in out:
                at = [i for i, v in enumerate(out) if v is _MISSING]
                more, more_bad = self._convert_distinct(f, {values[i] for i in at})
                table.update(more)
                bad.update(more_bad)
                for i in at:
                    out[i] = table[values[i]]
        else:
            distinct = set(values)
            if self._all_plain(f, distinct):
                if "" not in distinct:
                    return list(values), {}
                return [None if v == "" else v for v in values], {}
            table, bad = self._convert_distinct(f, distinct)
            out = list(map(table.__getitem__, values))
        errors: dict[int, str] = {}
        if bad:
            errors = {i: bad[v] for i, v in enumerate(values) if v in bad}
        return out, errors

    @staticmethod
    def _all_plain(f: Field, distinct: set[Any]) -> bool:
        """Whether every value of a text/ID/number column is text that converts to itself
        (blanks aside): the tests of :meth:`_convert_distinct`'s fast paths, made on all
        values at once, joined by NUL (which no cell holds) — one pass over one string
        instead of one regex call per value."""
        check = _ALL_PLAIN.get(f.kind)
        if check is None or len(distinct) < 64:
            return False
        blanks = [b for b in (None, "") if b in distinct]
        distinct.difference_update(blanks)
        try:
            try:
                joined = "\x00".join(distinct)  # TypeError: not all text
            except TypeError:
                return False
            if not distinct or joined.count("\x00") != len(distinct) - 1:
                return False
            if f.max_length is not None and _too_long(f.max_length).search(joined):
                return False
            return check(joined) is not None
        finally:
            distinct.update(blanks)

    def _convert_distinct(self, f: Field, distinct: set[Any]) -> tuple[dict[Any, Any], dict[Any, str]]:
        kind = f.kind
        limit = f.max_length
        memo = self._memo.setdefault(f.key, {})
        plain = _NEEDS_CLEANING.search if kind == "text" else None
        plain_id = _PLAIN_ID.fullmatch if kind == "id" else (_DIGITS.fullmatch if kind == "digits" else None)
        table: dict[Any, Any] = {}
        bad: dict[Any, str] = {}
        for value in distinct:
            if value is None or value == "":
                table[value] = None
                continue
            if type(value) is str:
                if plain is not None and not plain(value) and (limit is None or len(value) <= limit):
                    table[value] = value
                    continue
                if plain_id is not None and plain_id(value) and (limit is None or len(value) <= limit):
                    table[value] = value
                    continue
                memo_key: Any = value
            else:
                if kind == "date":
                    if type(value) is dt.date:
                        table[value] = value
                        continue
                    if type(value) is dt.datetime and not (value.hour or value.minute or value.second):
                        table[value] = value.date()
                        continue
                memo_key = (type(value), value)
            hit = memo.get(memo_key)
            if hit is None:
                try:
                    hit = (convert_value(f, value), None)
                except CellError as exc:
                    hit = (None, str(exc))
                if kind in self._CACHED_KINDS and len(memo) < _MEMO_LIMIT:
                    memo[memo_key] = hit
            table[value] = hit[0]
            if hit[1] is not None:
                bad[value] = hit[1]
        return table, bad


def _number_text(f: Field, value: float | int) -> str:
    """A number in an ID/number column: its digits if they all survived, else an error."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{f.label}“{value}”不是有效的号码。")
        if not value.is_integer():
            raise CellError(
                f"{f.label}“{value}”是带小数的数字，不是号码。请核对该单元格，号码应按文本填写。"
            )
        number = int(value)
    else:
        number = value
    digits = str(abs(number))
    # Excel keeps 15 significant digits; a longer number stored as a number has lost the rest.
    if len(digits) > 15:
        raise _lost_digits(f, value)
    return digits


def _lost_digits(f: Field, shown: Any) -> CellError:
    if isinstance(shown, float):
        shown = f"{shown:.5E}".replace("E+", "E+")
    return CellError(
        f"{f.label}“{shown}”被Excel当作数字保存，超过15位的数字已经丢失，无法还原。"
        f"请在原系统重新导出，或在Excel中先把“{f.label}”列设为“文本”格式再重新录入这些号码"
        "（只改格式找不回丢失的数字）。"
    )


def _to_int(f: Field, value: Any, suffixes: str = "") -> int:
    if isinstance(value, bool):
        raise CellError(f"{f.label}应填写整数，实际为“{value}”。")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"{f.label}应填写整数，实际为“{value:g}”。")
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        raise CellError(f"{f.label}应填写整数，实际为“{value}”。")
    text = normalize_text(value).replace(" ", "")
    for suffix in suffixes:
        text = text.removesuffix(suffix)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(text.split(".")[0])
    raise CellError(f"{f.label}应填写整数，实际为“{normalize_text(value)}”。")


def _check_range(f: Field, number: int) -> int:
    if f.min_value is not None and number < f.min_value or f.max_value is not None and number > f.max_value:
        low = f.min_value if f.min_value is not None else ""
        high = f.max_value if f.max_value is not None else ""
        raise CellError(f"{f.label}为“{number}”，应在{low}–{high}之间。")
    return number


def _to_date(f: Field, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():  # 20160102 as a number
            return _to_date(f, str(int(value)))
        if 1 <= value < 2958466 and float(value).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"{f.label}“{value}”不是有效日期。")
    text = normalize_text(value).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    raise CellError(f"{f.label}“{normalize_text(value)}”不是有效日期，请按“2016-01-02”的格式填写。")


def convert_value(f: Field, value: Any) -> Any:
    """Convert one raw cell for field ``f`` (see the kinds table). Raises CellError."""
    if type(value) is UncomputedFormula:
        raise CellError(UNCOMPUTED_MESSAGE)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = f.kind
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime):
            text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = normalize_text(value)
        if f.max_length and len(text) > f.max_length:
            raise CellError(f"{f.label}最多{f.max_length}个字，实际{len(text)}个字，请缩短。")
        return text or None
    if kind in ("id", "digits"):
        if isinstance(value, bool):
            raise CellError(f"{f.label}“{value}”不是有效的号码。")
        if isinstance(value, (int, float)):
            return _number_text(f, value)
        text = normalize_id(value)
        if _SCI.match(text):
            raise _lost_digits(f, normalize_text(value))
        if f.max_length and len(text) > f.max_length:
            raise CellError(f"{f.label}“{text}”过长（最多{f.max_length}位），请核对。")
        return text or None
    if kind == "code":
        try:
            return code_list(f.code_list).normalize(value)  # type: ignore[arg-type]
        except CodeError as exc:
            raise CellError(str(exc)) from None
    if kind == "bool":
        try:
            return parse_bool(value)
        except CodeError as exc:
            raise CellError(f"{f.label}：{exc}") from None
    if kind == "decimal":
        if isinstance(value, bool):
            raise CellError(f"{f.label}应填写金额或数量，实际为“{value}”。")
        if isinstance(value, (int, Decimal)):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = normalize_text(value).translate(_AMOUNT_JUNK)
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CellError(
                    f"{f.label}应填写数字（可带千位分隔符），实际为“{normalize_text(value)}”。"
                ) from None
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise CellError(f"{f.label}“{value}”不是有效数字。")
        return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if kind == "int":
        return _check_range(f, _to_int(f, value, "月个人户次元"))
    if kind == "year":
        if isinstance(value, (dt.date, dt.datetime)):
            year = value.year
        else:
            year = _to_int(f, value, "年度")
        if not 1900 <= year <= 2100:
            raise CellError(f"{f.label}“{year}”不是有效年份，请填写四位年份，如2016。")
        return _check_range(f, year)
    if kind == "date":
        return _to_date(f, value)
    if kind == "month":
        if isinstance(value, (dt.date, dt.datetime)):
            return f"{value.year:04d}-{value.month:02d}"
        text = normalize_text(value).replace(" ", "")
        m = _MONTH_PATTERN.match(text)
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        try:
            day = _to_date(f, value)
        except CellError:
            raise CellError(f"{f.label}“{normalize_text(value)}”不是有效年月，请按“2024-05”填写。") from None
        return f"{day.year:04d}-{day.month:02d}"
    raise AssertionError(kind)
