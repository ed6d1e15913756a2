"""The report table: its columns (header paths, how each figure is shown) and a Qt model.

A column reads its figure by ``path`` from a row's ``figures`` (nested dicts such as
``added_by_reason`` → ``出生``). ``kind`` says how it is shown: ``count`` (1,234),
``money`` (1,234.50, in 元) or ``rate`` (85.3%). Counts of households or people can be
drilled into (``drill``: the figure key :func:`services.reports.households_behind` takes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from fupin_desktop.services.reports import columns as C
from fupin_desktop.services.reports import drill_key

Index = QModelIndex | QPersistentModelIndex

UP_COLOR = QColor("#b42318")
DOWN_COLOR = QColor("#1a7f37")
SAME_COLOR = QColor("#8a94a3")
TOTAL_BG = QColor("#f3f6fa")
TOWNSHIP_BG = QColor("#f9fafc")


@dataclass(frozen=True)
class Column:
    header: tuple[str, ...]
    path: tuple[str, ...]  # figure key, then keys into nested dicts
    kind: str = "count"  # name | count | money | rate
    drill: str | None = None  # households_behind key; None: not a count of households/people

    @property
    def label(self) -> str:
        """「监测对象合计 户数（户）」: the header without its outermost group."""
        parts = self.header[1:] if len(self.header) > 1 else self.header
        return " ".join(p.replace("\n", "") for p in parts)


NAME_COLUMN = Column((C.NAME_HEADER,), ("name",), "name")


def report_columns(yearly: bool = False) -> tuple[Column, ...]:
    """The name column, then the report's columns as services.reports.columns lays them out."""
    out = [NAME_COLUMN]
    for col in C.columns(yearly):
        leaf = C.unit_on_own_line(col.leaf)
        header = (col.group, leaf) if col.sub is None else (col.group, col.sub, leaf)
        out.append(Column(header, tuple(col.key.split(".")), col.kind, drill_key(col.key)))
    return tuple(out)


COLUMNS = report_columns()


def figure(figures: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested figure dicts (None when absent)."""
    value: Any = figures
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_value(kind: str, value: Any) -> str:
    """A figure as the table shows it: 1,234 / 1,234.50 / 85.3% ; — for no value."""
    if kind == "name":
        return "" if value is None else str(value)
    number = as_decimal(value)
    if number is None:
        return "—"
    if kind == "money":
        return f"{number:,.2f}"
    if kind == "rate":
        return f"{number * 100:.1f}%"
    return f"{int(number):,}"


def format_delta(kind: str, value: Any, *, short: bool = False) -> str:
    """A change against the previous period: +12 / −3 / +1,200.00 / +2.5个百分点; 0 → 「持平」.
    ``short`` (inside a cell): nothing for 0, rates without 「个百分点」."""
    number = as_decimal(value)
    if number is None:
        return ""
    if number == 0:
        return "" if short else "持平"
    sign = "+" if number > 0 else "−"
    size = abs(number)
    if kind == "money":
        return f"{sign}{size:,.2f}"
    if kind == "rate":
        return f"{sign}{size * 100:.1f}" + ("" if short else "个百分点")
    return f"{sign}{int(size):,}"


@dataclass(frozen=True)
class TableRow:
    code: str
    name: str
    level: str  # "total" | "township" | "village" | "own" (a township's 本级)
    figures: dict[str, Any]
    delta_key: str = ""  # this row's key in services.reports.compare()

    @property
    def drillable(self) -> bool:
        """本级 rows hold the township's own projects and assets, not households."""
        return self.level != "own"


class Roles(IntEnum):
    RAW = Qt.ItemDataRole.UserRole + 1
    DELTA = Qt.ItemDataRole.UserRole + 2
    DELTA_TEXT = Qt.ItemDataRole.UserRole + 3  # 「+12」 under the value, in compare mode


class ReportTableModel(QAbstractTableModel):
    """Rows: the total, then each township and village of the report; columns: COLUMNS."""

    def __init__(self, parent=None, columns: tuple[Column, ...] = COLUMNS):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[TableRow] = []
        self.deltas: dict[str, dict[str, Any]] | None = None

    def set_report(self, rows: list[TableRow], deltas: dict[str, dict[str, Any]] | None = None,
                   columns: tuple[Column, ...] | None = None) -> None:
        self.beginResetModel()
        if columns is not None:
            self.columns = columns
        self.rows = rows
        self.deltas = deltas
        self.endResetModel()

    def set_deltas(self, deltas: dict[str, dict[str, Any]] | None) -> None:
        self.deltas = deltas
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def delta(self, row: int, column: int) -> Any:
        if self.deltas is None:
            return None
        table_row = self.rows[row]
        return figure(self.deltas.get(table_row.delta_key or table_row.code), self.columns[column].path)

    def value(self, row: int, column: int) -> Any:
        table_row = self.rows[row]
        col = self.columns[column]
        if col.kind == "name":
            indent = {"village": "　", "own": "　"}.get(table_row.level, "")
            return indent + table_row.name
        return figure(table_row.figures, col.path)

    def delta_text(self, row: int, column: int, *, short: bool = False) -> str:
        col = self.columns[column]
        if self.deltas is None or col.kind == "name":
            return ""
        return format_delta(col.kind, self.delta(row, column), short=short)

    def text(self, row: int, column: int) -> str:
        """The cell as read aloud: 「1,234」, with the change when comparing 「1,234（+12）」."""
        col = self.columns[column]
        text = format_value(col.kind, self.value(row, column))
        change = self.delta_text(row, column)
        return f"{text}（{change}）" if change else text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        col = self.columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(col.kind, self.value(row, column))
        if role == Roles.DELTA_TEXT:
            return self.delta_text(row, column, short=True)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.kind == "name":
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            level = self.rows[row].level
            if level == "total":
                return QBrush(TOTAL_BG)
            if level == "township":
                return QBrush(TOWNSHIP_BG)
            return None
        if role == Qt.ItemDataRole.FontRole and self.rows[row].level in ("total", "township"):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            name = self.rows[row].name
            tip = f"{name} · {col.label}：{format_value(col.kind, self.value(row, column))}"
            if self.deltas is not None and col.kind != "name":
                change = format_delta(col.kind, self.delta(row, column))
                if change:
                    tip += f"\n与上期比较：{change}"
            if col.drill and self.rows[row].drillable:
                tip += "\n双击列出这些农户"
            return tip
        if role == Roles.RAW:
            return self.value(row, column)
        if role == Roles.DELTA:
            return self.delta(row, column)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section].label
        return None


class CompareDelegate(QStyledItemDelegate):
    """Paints a cell's change (Roles.DELTA_TEXT) small and coloured under its value:
    red for more, green for less, grey for 持平; plain cells are painted as usual."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        change = index.data(Roles.DELTA_TEXT)
        if not change:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        value_text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = opt.rect.adjusted(4, 1, -5, -1)
        half = rect.height() // 2
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.save()
        painter.setFont(opt.font)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.setPen(opt.palette.highlightedText().color() if selected else opt.palette.text().color())
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), half), int(right), value_text)
        small = QFont(opt.font)
        small.setBold(False)
        small.setPointSizeF(opt.font.pointSizeF() * 0.85)
        painter.setFont(small)
        number = as_decimal(index.data(Roles.DELTA))
        color = SAME_COLOR if not number else (UP_COLOR if number > 0 else DOWN_COLOR)
        painter.setPen(opt.palette.highlightedText().color() if selected else color)
        painter.drawText(QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half),
                         int(right), change)
        painter.restore()
