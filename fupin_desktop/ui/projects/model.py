"""The project list as a Qt table model over ``services.projects.ProjectRow`` values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from fupin_desktop.services.projects import REMOVED, RETURNED, ProjectRow
from fupin_desktop.ui.projects.widgets import wan


class Roles(IntEnum):
    ProjectId = Qt.ItemDataRole.UserRole + 1


Column = tuple[str, Callable[[ProjectRow], Any], bool]  # header, value, right-aligned

COLUMNS: tuple[Column, ...] = (
    ("项目编号", lambda r: r.project_no or "", False),
    ("年度", lambda r: r.year, False),
    ("项目名称", lambda r: r.name, False),
    ("状态", lambda r: r.status, False),
    ("类别", lambda r: r.subcategory or r.category, False),
    ("乡镇/村", lambda r: r.region_name, False),
    ("主管单位", lambda r: r.competent_dept or "", False),
    ("总投资(万元)", lambda r: wan(r.total_funds), True),
    ("下达(万元)", lambda r: wan(r.allocated), True),
    ("拨付(万元)", lambda r: wan(r.paid), True),
    ("支出(万元)", lambda r: wan(r.spent), True),
    ("最近办理", lambda r: f"{r.last_date:%Y-%m-%d}" if r.last_date else "", False),
)
NAME_COLUMN = 2
FREE_TEXT_COLUMNS = {NAME_COLUMN, 4, 5, 6}  # 名称, 类别, 乡镇/村, 主管单位
STATUS_COLUMN = 3

_GREY = QColor("#8a94a3")
_RED = QColor("#b3261e")


class ProjectTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ProjectRow] = []

    def set_rows(self, rows: Sequence[ProjectRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ProjectRow:
        return self._rows[row]

    def rows(self) -> list[ProjectRow]:
        return list(self._rows)

    def row_of(self, project_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == project_id:
                return i
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        header, value, right = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value(row))
        if role == Qt.ItemDataRole.TextAlignmentRole and right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STATUS_COLUMN:
            if row.status_code == REMOVED:
                return _GREY
            if row.status_code == RETURNED:
                return _RED
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in FREE_TEXT_COLUMNS:
            return str(value(row)) or None  # free text may be cut: whole on hover
        if role == Roles.ProjectId:
            return row.id
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None
