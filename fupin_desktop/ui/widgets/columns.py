"""Column widths from what a column can hold, so nothing a clerk must read is cut off.

- A code column is as wide as the longest label of its code list (「文盲或半文盲」,
  「减少（死亡）」), whatever rows happen to be loaded.
- A free-text column (names, units, addresses) may be narrower than its longest value: the
  model then gives the whole text as its tooltip (``FREE_TEXT_TIP``).
- A tool button with a drop-down menu is as wide as its text and arrow.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QStyle,
    QTableView,
    QToolButton,
    QWidget,
)

from fupin_desktop.codes import code_list

# Room a cell needs beside its text: the style's focus-frame margins on both sides, plus a
# little air so a label does not touch the grid line.
CELL_PADDING = 14


def text_width(widget: QWidget, text: str) -> int:
    """Width of the longest line of ``text`` in ``widget``'s font."""
    metrics = widget.fontMetrics()
    return max((metrics.horizontalAdvance(line) for line in str(text).split("\n")), default=0)


@lru_cache(maxsize=256)
def _labels(name: str) -> tuple[str, ...]:
    return tuple(entry.label for entry in code_list(name))


def code_label_width(widget: QWidget, name: str) -> int:
    """Width of the longest label of code list ``name`` (every era), with cell padding."""
    metrics: QFontMetrics = widget.fontMetrics()
    return max((metrics.horizontalAdvance(label) for label in _labels(name)), default=0) + CELL_PADDING


def header_width(view: QTableView, column: int) -> int:
    header: QHeaderView = view.horizontalHeader()
    text = view.model().headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    margin = 2 * header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    return text_width(header, str(text or "")) + margin + 4


def fit_code_columns(view: QTableView, columns: dict[int, str]) -> None:
    """Widen each ``column → code list`` column to its longest label (and its header)."""
    for column, name in columns.items():
        width = max(code_label_width(view, name), header_width(view, column))
        if view.columnWidth(column) < width:
            view.setColumnWidth(column, width)


def fit_headers(view: QTableView) -> None:
    """No column narrower than its header's text."""
    for column in range(view.model().columnCount()):
        width = header_width(view, column)
        if view.columnWidth(column) < width:
            view.setColumnWidth(column, width)


def fit_to_contents(view: QAbstractItemView, column: int, *, maximum: int) -> None:
    """As wide as the loaded values (and header), at most ``maximum`` (then the model's
    tooltip shows the whole text)."""
    view.resizeColumnToContents(column)
    if view.columnWidth(column) > maximum:
        view.setColumnWidth(column, maximum)


def fit_menu_button(button: QToolButton) -> None:
    """A tool button with a menu: room for its text, the menu arrow and the frame."""
    style = button.style()
    arrow = style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    button.setMinimumWidth(text_width(button, button.text().replace("&", "")) + arrow + 20)


def fit_placeholder(edit: QLineEdit) -> None:
    """A search field at least as wide as its hint (「姓名、拼音首字母、…」 read whole)."""
    extra = 36 if edit.isClearButtonEnabled() else 16
    edit.setMinimumWidth(text_width(edit, edit.placeholderText()) + extra)
