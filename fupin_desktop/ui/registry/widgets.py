"""Editing widgets built from ``services.registry.FieldSpec``: one form class for every
section (not one class per field), code-list combo boxes, and the member-table delegate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
    QMenu,
    QSizePolicy,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.services.registry import FieldSpec, display_value

ERROR_STYLE = "color:#b42318;"
WARNING_STYLE = "color:#9a6700;"


def date_edit(value: dt.date | None = None) -> QDateEdit:
    """A date picker (calendar popup, 2025-03-01 format) on ``value`` or today; no day
    after today can be chosen (what is recorded has happened)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    day = value or dt.date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    edit.setMaximumDate(QDate.currentDate())
    return edit


def date_of(edit: QDateEdit) -> dt.date:
    """The date a :func:`date_edit` shows."""
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def code_combo(list_name: str, *, blank: str = "", codes: Sequence[str] | None = None) -> QComboBox:
    """A combo of a code list's labels (data = code); first item blank unless ``blank`` is None."""
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, None)
    for code, label in code_list(list_name).entries():
        if codes is None or code in codes:
            combo.addItem(label, code)
    combo.setMaxVisibleItems(20)
    return combo


def record_view(model, name: str = "") -> QTableView:
    """A read-only table of whole rows, one selected at a time (history, cases, measures)."""
    view = QTableView()
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


def bool_combo() -> QComboBox:
    combo = QComboBox()
    combo.addItem("", None)
    combo.addItem("是", True)
    combo.addItem("否", False)
    return combo


def set_combo_data(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index < 0 and value is not None:
        # A value no longer in the list: show it rather than silently blank it.
        combo.addItem(str(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(index, 0))


class MultiCodeButton(QToolButton):
    """Pick several codes of a list (e.g. 其他致贫原因, up to ``limit``)."""

    changed = Signal()

    def __init__(self, list_name: str, limit: int | None = None, parent=None):
        super().__init__(parent)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._list = list_name
        self._limit = limit
        menu = QMenu(self)
        self._actions = []
        for code, label in code_list(list_name).entries():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setData(code)
            action.toggled.connect(self._toggled)
            self._actions.append(action)
        self.setMenu(menu)
        self._update_text()

    def values(self) -> list[str]:
        return [a.data() for a in self._actions if a.isChecked()]

    def set_values(self, codes: Sequence[str] | None) -> None:
        wanted = set(codes or ())
        for action in self._actions:
            action.blockSignals(True)
            action.setChecked(action.data() in wanted)
            action.blockSignals(False)
        self._update_text()

    def _toggled(self, checked: bool) -> None:
        if checked and self._limit and len(self.values()) > self._limit:
            sender = self.sender()
            sender.blockSignals(True)
            sender.setChecked(False)
            sender.blockSignals(False)
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        labels = [a.text() for a in self._actions if a.isChecked()]
        self.setText("、".join(labels) if labels else "（未选择）")


class FieldForm(QWidget):
    """A grid of labelled editors for ``specs``, bound to a dict it edits in place.

    Each field has a problem line under it (Chinese, red for errors, amber for warnings).
    ``changed(name)`` fires after each edit; ``read_only`` names fields shown but not edited.
    """

    changed = Signal(str)

    def __init__(self, specs: Sequence[FieldSpec], *, columns: int = 2,
                 read_only: Sequence[str] = (), indent: Sequence[str] = (), parent=None):
        super().__init__(parent)
        self.specs = list(specs)
        self._values: dict[str, Any] = {}
        self.editors: dict[str, QWidget] = {}
        self.problem_labels: dict[str, QLabel] = {}
        self._loading = False
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        for i, spec in enumerate(self.specs):
            row, col = divmod(i, columns)
            label = QLabel(("　　" if spec.name in indent else "") + spec.label + "：")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            editor = self._make_editor(spec, spec.name in read_only)
            editor.setObjectName(f"field_{spec.name}")
            problem = QLabel()
            problem.setWordWrap(True)
            problem.setVisible(False)
            problem.setObjectName(f"problem_{spec.name}")
            grid.addWidget(label, row * 2, col * 2)
            grid.addWidget(editor, row * 2, col * 2 + 1)
            grid.addWidget(problem, row * 2 + 1, col * 2 + 1)
            self.editors[spec.name] = editor
            self.problem_labels[spec.name] = problem
        for col in range(columns):
            grid.setColumnStretch(col * 2 + 1, 1)
        grid.setRowStretch(grid.rowCount(), 1)

    def _make_editor(self, spec: FieldSpec, read_only: bool) -> QWidget:
        if read_only:
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setStyleSheet("color:#1d2633; padding:3px 0;")
            return label
        if spec.kind == "code":
            combo = code_combo(spec.codes or "")
            combo.currentIndexChanged.connect(lambda _i, n=spec.name: self._edited(n))
            return combo
        if spec.kind == "bool":
            combo = bool_combo()
            combo.currentIndexChanged.connect(lambda _i, n=spec.name: self._edited(n))
            return combo
        if spec.kind == "codes":
            button = MultiCodeButton(spec.codes or "", limit=2)
            button.changed.connect(lambda n=spec.name: self._edited(n))
            return button
        edit = QLineEdit()
        if spec.max_len:
            edit.setMaxLength(spec.max_len)
        if spec.kind in ("money", "area", "int"):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setPlaceholderText("0" if spec.kind == "int" else "0.00")
        if spec.kind == "date":
            edit.setPlaceholderText("年-月-日，如 2025-03-01")
        if spec.placeholder:
            edit.setPlaceholderText(spec.placeholder)
        edit.textEdited.connect(lambda _t, n=spec.name: self._edited(n))
        return edit

    # -- binding --------------------------------------------------------------------------
    def bind(self, values: dict[str, Any] | None) -> None:
        """Show (and from now on edit) ``values``; ``None`` shows an empty, disabled form."""
        self._loading = True
        self._values = values if values is not None else {}
        self.setEnabled(values is not None)
        for spec in self.specs:
            self._show(spec, self._values.get(spec.name))
        self._loading = False

    def values(self) -> dict[str, Any]:
        return self._values

    def _show(self, spec: FieldSpec, value: Any) -> None:
        editor = self.editors[spec.name]
        if isinstance(editor, QLabel):
            editor.setText(display_value(spec, value) or "—")
        elif isinstance(editor, QComboBox):
            set_combo_data(editor, value)
        elif isinstance(editor, MultiCodeButton):
            editor.set_values(value)
        elif isinstance(editor, QLineEdit):
            if isinstance(value, Decimal):
                text = f"{value:.2f}"
            elif isinstance(value, dt.date):
                text = value.isoformat()
            else:
                text = "" if value is None else str(value)
            editor.setText(text)

    def _read(self, spec: FieldSpec) -> Any:
        editor = self.editors[spec.name]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, MultiCodeButton):
            return editor.values() or None
        if isinstance(editor, QLineEdit):
            text = editor.text().strip()
            if not text:
                return None
            if spec.kind == "int":
                return int(text) if text.isdigit() else text
            if spec.kind in ("money", "area"):
                try:
                    return Decimal(text.replace(",", ""))
                except ArithmeticError:
                    return text
            if spec.kind == "date":
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    return text
            return text
        return self._values.get(spec.name)

    def _edited(self, name: str) -> None:
        if self._loading or not self.isEnabled():
            return
        spec = next(s for s in self.specs if s.name == name)
        self._values[name] = self._read(spec)
        self.changed.emit(name)

    def set_value(self, name: str, value: Any) -> None:
        """Set a value programmatically (as if typed), emitting ``changed``."""
        spec = next(s for s in self.specs if s.name == name)
        self._values[name] = value
        self._loading = True
        self._show(spec, value)
        self._loading = False
        self.changed.emit(name)

    def set_problems(self, problems: dict[str, tuple[str, str]]) -> None:
        """field → (severity, message); fields not named are cleared."""
        for name, label in self.problem_labels.items():
            found = problems.get(name)
            if found is None:
                label.setVisible(False)
                label.clear()
                continue
            severity, message = found
            label.setText(message)
            label.setStyleSheet(ERROR_STYLE if severity == "error" else WARNING_STYLE)
            label.setVisible(True)


class MemberDelegate(QStyledItemDelegate):
    """Combo boxes from the code lists for coded and yes/no member columns."""

    def __init__(self, spec_for: Callable[[int], FieldSpec | None], parent=None):
        super().__init__(parent)
        self._spec_for = spec_for

    def createEditor(self, parent, option, index: QModelIndex):
        spec = self._spec_for(index.column())
        if spec is not None and spec.kind == "code":
            return self._combo(parent, spec)
        if spec is not None and spec.kind == "bool":
            combo = bool_combo()
            combo.setParent(parent)
            return combo
        return super().createEditor(parent, option, index)

    def _combo(self, parent, spec: FieldSpec) -> QComboBox:
        combo = code_combo(spec.codes or "")
        combo.setParent(parent)
        return combo

    def setEditorData(self, editor, index: QModelIndex) -> None:
        spec = self._spec_for(index.column())
        if isinstance(editor, QComboBox) and spec is not None:
            model = index.model()
            member = model.members()[index.row()]  # type: ignore[attr-defined]
            set_combo_data(editor, member.get(spec.name))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)
