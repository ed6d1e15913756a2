"""Run as a script: ask a Python table model for data 20 000 times through Qt, print the
change in ``sys.getrefcount(None)``. Separate process because the PySide6 6.12.0 bug
(TECH-NOTES) can abort the interpreter (``none_dealloc``) instead of merely failing."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

CALLS = 20_000
ROWS, COLUMNS = 40, 5


class NoneForUnusedRoles(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else ROWS

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row()}-{index.column()}"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"列{section}"
        return None


def through_model_api(model: NoneForUnusedRoles, calls: int) -> None:
    # QModelIndex.data() goes C++ → the Python override → QVariant → Python: the buggy path.
    roles = (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
             Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.UserRole)
    index = model.index(1, 1)
    for i in range(calls):
        index.data(roles[i % len(roles)])
        model.headerData(i % COLUMNS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def through_view(view: QTableView, model: NoneForUnusedRoles, calls: int) -> int:
    # Painting asks for a dozen roles per cell and header section.
    counter = {"n": 0}
    original = model.data

    def counting(index, role=Qt.ItemDataRole.DisplayRole):
        counter["n"] += 1
        return original(index, role)

    model.data = counting  # type: ignore[method-assign]
    while counter["n"] < calls:
        view.grab()
    model.data = original  # type: ignore[method-assign]
    return counter["n"]


def main() -> int:
    app = QApplication.instance() or QApplication([])
    model = NoneForUnusedRoles()
    view = QTableView()
    view.setModel(model)
    view.resize(600, 900)
    # Warm up caches (interned strings, enum wrappers) before measuring.
    through_model_api(model, 200)
    view.grab()
    before = sys.getrefcount(None)
    through_model_api(model, CALLS)
    after_api = sys.getrefcount(None)
    painted = through_view(view, model, CALLS)
    after_view = sys.getrefcount(None)
    print(f"api_delta={after_api - before} view_delta={after_view - after_api} painted={painted}")
    view.deleteLater()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
