"""Finding the header in a county sheet: title and note rows above it, headers merged over
two or three rows, full-width brackets, stray spaces and line breaks in header text.

``detect_header(sheet, score)`` looks at the first rows and returns a :class:`HeaderBlock`
with one text per column. ``score(key)`` says whether a normalised header text is one the
caller knows (a :class:`~fupin_desktop.sheets.schema.Schema` passes its own); without it
the row with the most distinct non-empty cells wins (DOMAIN §14, what K1 does).

A column under a merged group header gets the parts of every header row, e.g.
``("是否参加", "城乡居民基本医疗保险")``; ``key`` tries the leaf text first, then the
joined text, so both "城乡居民基本医疗保险" and "是否参加城乡居民基本医疗保险" match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fupin_desktop.rules.text import text_key
from fupin_desktop.sheets.readers import SheetData, is_blank

__all__ = ["HeaderBlock", "HeaderColumn", "detect_header", "header_key", "header_text"]

DEFAULT_SCAN_ROWS = 15
MAX_HEADER_ROWS = 3

_DECORATION = str.maketrans("", "", "*＊★☆:：\u200b\ufeff")
_SPACES = re.compile(r"\s+")


def header_text(value: object) -> str:
    """A header cell as the clerk wrote it (full-width brackets kept, so messages name the
    column as it reads in their file), with line breaks, runs of spaces and required-markers
    (``*``) removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r", "").replace("\n", "").replace("\u3000", " ")
    text = _SPACES.sub(" ", text.translate(_DECORATION))
    return text.strip()


def header_key(value: object) -> str:
    """The matching key of a header text: ``务工时间（月）`` = ``务工时间 (月)`` = ``*务工时间(月)``."""
    return text_key(header_text(value))


@dataclass(frozen=True)
class HeaderColumn:
    index: int  # 0-based column
    parts: tuple[str, ...]  # header text of each header row, top first (repeats removed)

    @property
    def leaf(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def joined(self) -> str:
        return "".join(self.parts)

    @property
    def keys(self) -> tuple[str, ...]:
        """Candidate matching keys, most specific first."""
        out: list[str] = []
        for text in (self.joined, self.leaf, *reversed(self.parts[:-1])):
            key = header_key(text)
            if key and key not in out:
                out.append(key)
        return tuple(out)


@dataclass(frozen=True)
class HeaderBlock:
    """Where the header is: rows ``first_row`` … ``first_row + height - 1`` (0-based)."""

    first_row: int
    height: int
    columns: tuple[HeaderColumn, ...]

    @property
    def data_start(self) -> int:
        return self.first_row + self.height

    @property
    def excel_rows(self) -> str:
        a, b = self.first_row + 1, self.first_row + self.height
        return f"第{a}行" if a == b else f"第{a}–{b}行"

    def display(self, col: int) -> str:
        """The text that names column ``col`` in messages: the leaf header, or
        ``上级-下级`` when the leaf alone is ambiguous."""
        column = self.column(col)
        if column is None:
            return _column_letter(col) + "列"
        if not column.parts:
            return _column_letter(col) + "列"
        leaf = column.leaf
        same = sum(1 for c in self.columns if c.leaf == leaf)
        if same > 1 and len(column.parts) > 1:
            return "-".join(column.parts)
        return leaf

    def column(self, col: int) -> HeaderColumn | None:
        for c in self.columns:
            if c.index == col:
                return c
        return None

    def texts(self) -> list[str]:
        """Per column: the joined header text ("" for an unnamed column)."""
        return [c.joined for c in self.columns]

    def signature_texts(self) -> list[str]:
        """Normalised texts identifying this header (for remembered mappings)."""
        return [header_key(c.joined) for c in self.columns]


def _column_letter(col: int) -> str:
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_letter(col: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    return _column_letter(col)


_DATA_TEXT = re.compile(r"^\s*[\d.,\-/:]{6,}[\dXx]?\s*$")


def _looks_like_data(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        return bool(_DATA_TEXT.match(value))
    return hasattr(value, "year")  # date / datetime


def _filled_row(sheet: SheetData, row: int, merges_by_row: dict[int, list], width: int) -> list[str]:
    """Header texts of one row with merged ranges filled in."""
    cells = [header_text(sheet.cell(row, c)) for c in range(width)]
    for r0, c0, r1, c1 in merges_by_row.get(row, ()):
        value = header_text(sheet.cell(r0, c0))
        for c in range(c0, min(c1, width - 1) + 1):
            if not cells[c]:
                cells[c] = value
    return cells


def detect_header(
    sheet: SheetData,
    score: Callable[[str], bool] | None = None,
    *,
    scan_rows: int = DEFAULT_SCAN_ROWS,
) -> HeaderBlock:
    """Find the header block among the first ``scan_rows`` rows (see module docstring).

    Raises ``ValueError`` when the sheet has no non-empty row in that range (callers turn it
    into their own message).
    """
    limit = min(scan_rows, sheet.height)
    merges_by_row: dict[int, list] = {}
    for rng in sheet.merged:
        r0, _c0, r1, _c1 = rng
        if r0 >= limit + MAX_HEADER_ROWS:
            continue
        for r in range(r0, min(r1, limit + MAX_HEADER_ROWS) + 1):
            merges_by_row.setdefault(r, []).append(rng)

    width = max((len(sheet.rows[r]) for r in range(min(sheet.height, limit + MAX_HEADER_ROWS))), default=0)
    filled = {
        r: _filled_row(sheet, r, merges_by_row, width)
        for r in range(min(sheet.height, limit + MAX_HEADER_ROWS))
    }

    def row_score(r: int) -> tuple[int, int]:
        cells = filled[r]
        distinct = {header_key(t) for t in cells if t}
        known = 0
        if score is not None:
            known = sum(1 for k in distinct if score(k))
        # Numbers, dates and long digit strings are data, not header text: a data row whose
        # 与户主关系 cell says 户主 must not beat the real header.
        data_like = sum(1 for v in sheet.rows[r] if _looks_like_data(v)) if r < sheet.height else 0
        return known - data_like, len(distinct) - data_like

    best, best_score = -1, (0, 0)
    for r in range(limit):
        s = row_score(r)
        if s > best_score:
            best, best_score = r, s
    if best < 0:
        raise ValueError("no header row")

    first = last = best

    def crosses(r_top: int, r_bottom: int) -> bool:
        # A merged range covering both rows ties them into one header block.
        return any(r0 <= r_top and r1 >= r_bottom for r0, _c0, r1, _c1 in merges_by_row.get(r_top, ()))

    def groups_over(r_top: int, r_bottom: int) -> bool:
        # A horizontal merge in r_top over two or more filled cells of r_bottom: a group
        # header. A title merged across (nearly) the whole table is not one, nor is a row
        # holding a single text (title, "单位：元").
        used = sum(1 for c in range(width) if not is_blank(sheet.cell(r_bottom, c)))
        if len({t for t in filled[r_top] if t}) < 2:
            return False
        for r0, c0, r1, c1 in merges_by_row.get(r_top, ()):
            if r0 == r1 == r_top and c1 > c0 and (c1 - c0 + 1) < 0.8 * max(used, 1):
                under = sum(1 for c in range(c0, c1 + 1) if not is_blank(sheet.cell(r_bottom, c)))
                if under >= 2:
                    return True
        return False

    while first > 0 and last - first + 1 < MAX_HEADER_ROWS and (
        crosses(first - 1, first) or groups_over(first - 1, first)
    ):
        first -= 1
    while (
        last + 1 < sheet.height
        and last - first + 1 < MAX_HEADER_ROWS
        and (crosses(last, last + 1) or groups_over(last, last + 1))
    ):
        last += 1
        if last not in filled:
            filled[last] = _filled_row(sheet, last, merges_by_row, width)

    columns = []
    for c in range(width):
        parts: list[str] = []
        for r in range(first, last + 1):
            text = filled[r][c] if c < len(filled[r]) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        columns.append(HeaderColumn(c, tuple(parts)))
    # Trailing unnamed columns are not part of the table.
    while columns and not columns[-1].parts:
        columns.pop()
    return HeaderBlock(first, last - first + 1, tuple(columns))
