"""Finds text the clerk cannot read whole: labels, buttons and input hints narrower than their text, table
headers narrower than their title, and table cells cut without the full text in a tooltip.

``clipped_texts(widget)`` lists one line per problem (empty when everything fits). Only what is
on screen counts: hidden widgets, the pages of a tab widget not shown, rows scrolled away.
Eliding is allowed where it is intended: a label/button whose tooltip holds the whole text,
a cell whose ToolTipRole holds it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt  # Qt.mightBeRichText lives in QtGui
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyle,
    QTableView,
    QTreeView,
    QWidget,
)

MAX_ROWS = 40  # rows of a table looked at


def _plain(text: str) -> str:
    text = re.sub(r"&(?=[^&\s])", "", text).replace("&&", "&")
    return text


def _visible(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window()) and widget.width() > 0


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}{'#' + widget.objectName() if widget.objectName() else ''}"


def _label_problems(label: QLabel) -> list[str]:
    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    if not text or label.wordWrap() or rich or not label.pixmap().isNull():
        return []
    fm = label.fontMetrics()
    room = label.contentsRect().width() - 2 * max(label.margin(), 0)
    lines = _plain(text).split("\n") if label.textFormat() != Qt.TextFormat.PlainText \
        else text.split("\n")
    need = max(fm.horizontalAdvance(line) for line in lines)
    if need > room and label.toolTip() not in (text, _plain(text)):
        return [f"{_name(label)} 「{text}」 needs {need}px, shows {room}px"]
    return []


def _button_problems(button: QAbstractButton) -> list[str]:
    text = _plain(button.text())
    if not text:
        return []
    hint = button.sizeHint().width()
    if isinstance(button, (QCheckBox, QRadioButton)):
        need = hint
    else:
        # Text plus the style's minimal padding: below this the text is cut or touches the frame.
        need = button.fontMetrics().horizontalAdvance(text) + 12
        if button.icon() is not None and not button.icon().isNull():
            need += button.iconSize().width() + 4
        if hasattr(button, "menu") and button.menu() is not None:
            need += button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    if button.width() < need:
        return [f"{_name(button)} 「{text}」 needs {need}px, shows {button.width()}px"]
    return []


def _placeholder_problems(edit: QLineEdit) -> list[str]:
    hint = edit.placeholderText()
    if not hint or edit.text():
        return []
    need = edit.fontMetrics().horizontalAdvance(hint) + 12  # the frame and text margins
    if edit.isClearButtonEnabled():
        need += 20
    if edit.width() < need:
        return [f"{_name(edit)} hint 「{hint}」 needs {need}px, shows {edit.width()}px"]
    return []


def _header_problems(view: QAbstractItemView, header: QHeaderView) -> list[str]:
    model = header.model()
    if model is None or not _visible(header):
        return []
    fm = header.fontMetrics()
    margin = 2 * header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    problems = []
    for section in range(header.count()):
        if header.isSectionHidden(section) or header.sectionSize(section) <= 0:
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            continue
        need = max(fm.horizontalAdvance(line) for line in text.split("\n")) + margin
        if hasattr(header, "label_width") and hasattr(header, "paths") and header.paths():
            # A grouped header draws only the leaf label (on its lines) in the section.
            need = header.label_width(header.paths()[section][-1])
        if header.sectionSize(section) < need:
            problems.append(
                f"{_name(view)} header 「{text}」 needs {need}px, shows {header.sectionSize(section)}px")
    return problems


def _cell_problems(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None or not isinstance(view, (QTableView, QTreeView)):
        return []
    header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    fm = view.fontMetrics()
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    problems = []
    for column in range(model.columnCount()):
        if header.isSectionHidden(column):
            continue
        width = header.sectionSize(column)
        if isinstance(view, QTreeView) and column == 0:
            continue  # the tree column: indentation and branches; names elide with tooltip
        for row in range(min(model.rowCount(), MAX_ROWS)):
            index = model.index(row, column)
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if not isinstance(text, str) or not text or "\n" in text:
                continue
            need = fm.horizontalAdvance(text) + margin
            if index.data(Qt.ItemDataRole.DecorationRole) is not None:
                need += view.iconSize().width() + 4
            if need > width and index.data(Qt.ItemDataRole.ToolTipRole) not in (text,):
                tip = index.data(Qt.ItemDataRole.ToolTipRole)
                if isinstance(tip, str) and text in tip:
                    continue  # the tooltip holds the whole text (and more)
                problems.append(f"{_name(view)} cell 「{text}」 ({row},{column}) needs {need}px, shows {width}px")
                break
    return problems


def clipped_texts(root: QWidget) -> list[str]:
    problems: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not _visible(widget):
            continue
        if isinstance(widget, QLabel):
            problems += _label_problems(widget)
        elif isinstance(widget, QLineEdit) and not isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
            problems += _placeholder_problems(widget)
        elif isinstance(widget, QAbstractButton) and not isinstance(widget.parent(), QHeaderView) \
                and type(widget).__name__ not in ("QTableCornerButton", "QTabBarButton"):
            problems += _button_problems(widget)
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            if isinstance(widget, QTableView):
                problems += _header_problems(widget, widget.horizontalHeader())
            elif isinstance(widget, QTreeView) and not widget.isHeaderHidden():
                problems += _header_problems(widget, widget.header())
            problems += _cell_problems(widget)
    return problems
