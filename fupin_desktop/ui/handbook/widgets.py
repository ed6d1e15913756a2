"""Small widgets the handbook UI shares: code-list combo boxes, read-only tables, a form dialog
built from a field list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.errors import UserError


def code_combo(list_name: str, *, blank: str | None = "") -> QComboBox:
    """A combo of a code list's labels; ``currentData()`` is the code (None for the blank)."""
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, None)
    for code, label in code_list(list_name).entries():
        combo.addItem(label, code)
    return combo


def set_combo_data(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(0, index))


def to_qdate(value: dt.date | None) -> QDate:
    return QDate(value.year, value.month, value.day) if value else QDate.currentDate()


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(value: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class ReadOnlyTable(QTableWidget):
    """A read-only table filled from rows of text; row data (an id) in ``row_id(row)``."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None):
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def fill(self, rows: Sequence[tuple[Any, Sequence[Any]]]) -> None:
        """``rows`` are ``(id, cells)``; right-aligns numbers."""
        self.setRowCount(0)
        self.setRowCount(len(rows))
        for r, (row_id, cells) in enumerate(rows):
            for c, value in enumerate(cells):
                item = QTableWidgetItem("" if value is None else str(value))
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row_id)
                if isinstance(value, int | float) or (isinstance(value, str) and _numeric(value)):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        for c in range(self.columnCount()):
            self.setColumnWidth(c, min(self.columnWidth(c) + 12, 320))

    def row_id(self, row: int | None = None) -> Any:
        if row is None:
            row = self.currentRow()
        if row < 0 or self.item(row, 0) is None:
            return None
        return self.item(row, 0).data(Qt.ItemDataRole.UserRole)


def _numeric(text: str) -> bool:
    t = text.replace(",", "").replace(".", "", 1)
    return bool(t) and t.isdigit() and len(t) < 14


@dataclass
class Field:
    key: str
    label: str
    kind: str = "text"  # text, code:<list>, date, optional_date, bool, choices
    choices: Sequence[tuple[str, Any]] = ()


class FormDialog(QDialog):
    """A dialog of labelled fields; ``values()`` is a dict for a service function.

    ``save(values)`` is called on 确定; a ``UserError`` it raises is shown and the dialog
    stays open with what the clerk typed.
    """

    def __init__(self, parent: QWidget | None, title: str, fields: Sequence[Field],
                 values: dict[str, Any], save: Callable[[dict[str, Any]], object]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self._save = save
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout()
        for f in fields:
            value = values.get(f.key)
            if f.kind.startswith("code:"):
                w: QWidget = code_combo(f.kind[5:])
                set_combo_data(w, value)  # type: ignore[arg-type]
            elif f.kind == "choices":
                w = QComboBox()
                for text, data in f.choices:
                    w.addItem(text, data)
                set_combo_data(w, value)
            elif f.kind in ("date", "optional_date"):
                box = QWidget()
                row = QHBoxLayout(box)
                row.setContentsMargins(0, 0, 0, 0)
                edit = date_edit(value)
                row.addWidget(edit)
                if f.kind == "optional_date":
                    check = QCheckBox("未结束")
                    check.setChecked(value is None)
                    edit.setEnabled(value is not None)
                    check.toggled.connect(lambda on, e=edit: e.setEnabled(not on))
                    row.addWidget(check)
                    box.setProperty("check", check)
                box.setProperty("edit", edit)
                w = box
            elif f.kind == "bool":
                w = QCheckBox()
                w.setChecked(bool(value) if value is not None else True)
            else:
                w = QLineEdit("" if value is None else str(value))
            w.setObjectName(f"field_{f.key}")
            self.widgets[f.key] = w
            form.addRow(f.label + "：", w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.fields = list(fields)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.widgets[f.key]
            if isinstance(w, QComboBox):
                out[f.key] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[f.key] = w.isChecked()
            elif isinstance(w, QLineEdit):
                out[f.key] = w.text()
            else:
                edit: QDateEdit = w.property("edit")
                check = w.property("check")
                out[f.key] = None if (check is not None and check.isChecked()) else from_qdate(edit.date())
        return out

    def _accept(self) -> None:
        try:
            self._save(self.values())
        except UserError as err:
            QMessageBox.warning(self, self.windowTitle(), str(err))
            return
        self.accept()
