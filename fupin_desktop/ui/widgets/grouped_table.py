"""Tables with merged (grouped) column headers, as statistical sheets print them.

Each column is given a header *path*, outermost group first::

    ("对象规模", "脱贫户", "户数（户）")
    ("对象规模", "脱贫户", "人数（人）")
    ("就业", "公益岗位（人）")          # a shorter path spans the rows below it
    ("单位名称",)                       # spans every header row

Neighbouring columns that share a prefix are drawn as one merged cell on that header row;
the last label of a path fills the remaining rows down to the table. ``\\n`` in a label
breaks the line.

- :class:`GroupedHeaderView`: a horizontal ``QHeaderView`` that paints the merged cells.
- :class:`GroupedTable`: a read-only table with a grouped header and its first columns
  frozen (they stay put while the others scroll sideways), for wide sheets on a 1366×768
  screen. It is two ``QTableView`` s on one model and one selection model.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

HeaderPath = tuple[str, ...]

HEADER_BG = QColor("#eef2f7")
HEADER_LINE = QColor("#c3ccd8")
PADDING = 4


class GroupedHeaderView(QHeaderView):
    """A horizontal header drawing two or more rows of merged group cells."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._paths: list[HeaderPath] = []
        self._row_heights: list[int] = []
        self.setSectionsMovable(False)
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sectionResized.connect(lambda *_: self.viewport().update())
        if isinstance(parent, QAbstractScrollArea):
            # Group labels stay in the visible part of their cell while the table scrolls
            # sideways, so the whole header is repainted on each scroll step.
            parent.horizontalScrollBar().valueChanged.connect(lambda _v: self.viewport().update())

    # -- structure --------------------------------------------------------------------------
    def set_paths(self, paths: Sequence[HeaderPath]) -> None:
        """One path per logical section (column), outermost label first."""
        self._paths = [tuple(p) for p in paths]
        self._measure()
        self.updateGeometries()
        self.viewport().update()

    def paths(self) -> list[HeaderPath]:
        return list(self._paths)

    def levels(self) -> int:
        return max((len(p) for p in self._paths), default=1)

    def row_heights(self) -> list[int]:
        return list(self._row_heights)

    def _path(self, logical: int) -> HeaderPath:
        if 0 <= logical < len(self._paths):
            return self._paths[logical]
        model = self.model()
        text = model.headerData(logical, Qt.Orientation.Horizontal) if model else None
        return (str(text if text is not None else logical + 1),)

    def _measure(self) -> None:
        """Height of each header row: enough lines for its tallest label."""
        line = self.fontMetrics().height()
        levels = self.levels()
        lines = [1] * levels
        for path in self._paths:
            for level, label in enumerate(path):
                if level == len(path) - 1 and level < levels - 1:
                    continue  # spans several rows: it fits in their sum
                lines[level] = max(lines[level], label.count("\n") + 1)
        self._row_heights = [n * line + 2 * PADDING + 2 for n in lines]

    def span(self, logical: int, level: int) -> tuple[int, int]:
        """(first, last) visual index of the merged cell of ``logical`` on ``level``."""
        path = self._path(logical)
        key = path[: level + 1]
        visual = self.visualIndex(logical)

        def same(v: int) -> bool:
            other = self.logicalIndex(v)
            if self.isSectionHidden(other):
                return True  # hidden sections never break a group
            p = self._path(other)
            return len(p) > level + 1 and p[: level + 1] == key

        if level >= len(path) - 1:
            return visual, visual
        first = last = visual
        while first - 1 >= 0 and same(first - 1):
            first -= 1
        while last + 1 < self.count() and same(last + 1):
            last += 1
        while first < visual and self.isSectionHidden(self.logicalIndex(first)):
            first += 1
        while last > visual and self.isSectionHidden(self.logicalIndex(last)):
            last -= 1
        return first, last

    def cell_rect(self, logical: int, level: int) -> QRect:
        """The merged cell of ``logical`` on header row ``level``, in viewport coordinates."""
        path = self._path(logical)
        levels = self.levels()
        heights = self._row_heights or [self.height()]
        top = sum(heights[:level])
        if level >= len(path) - 1:  # the leaf fills the rows down to the table
            height = sum(heights[level:levels])
        else:
            height = heights[level]
        first, last = self.span(logical, level)
        left = self.sectionViewportPosition(self.logicalIndex(first))
        right_logical = self.logicalIndex(last)
        right = self.sectionViewportPosition(right_logical) + self.sectionSize(right_logical)
        return QRect(left, top, right - left, height)

    # -- QHeaderView ------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        size = super().sizeHint()
        if self._row_heights:
            size.setHeight(sum(self._row_heights))
        return size

    def label_width(self, label: str) -> int:
        """Width a label needs: its longest line plus padding."""
        metrics = self.fontMetrics()
        width = max((metrics.horizontalAdvance(part) for part in label.split("\n")), default=0)
        return width + 2 * PADDING + 6

    def sectionSizeFromContents(self, logical: int) -> QSize:  # noqa: N802 - Qt override
        """Wide enough for the longest line of the column's own (leaf) label."""
        return QSize(self.label_width(self._path(logical)[-1]),
                     sum(self._row_heights) or self.fontMetrics().height())

    def fitted_widths(self, minimum: Sequence[int]) -> list[int]:
        """Section widths (logical order): at least ``minimum``, the leaf label's width, and
        enough that each merged group's label fits on its lines (extra shared by the group)."""
        count = len(self._paths)
        widths = [max(minimum[i] if i < len(minimum) else 0, self.label_width(self._path(i)[-1]))
                  for i in range(count)]
        for level in range(self.levels() - 1):
            i = 0
            while i < count:
                path = self._path(i)
                if len(path) <= level + 1:
                    i += 1
                    continue
                key, j = path[: level + 1], i
                while j + 1 < count and len(self._path(j + 1)) > level + 1 \
                        and self._path(j + 1)[: level + 1] == key:
                    j += 1
                extra = self.label_width(key[-1]) - sum(widths[i:j + 1])
                if extra > 0:
                    share = -(-extra // (j - i + 1))
                    for k in range(i, j + 1):
                        widths[k] += share
                i = j + 1
        return widths

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802
        if not rect.isValid():
            return
        path = self._path(logical)
        painter.save()
        painter.setFont(self.font())
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        for level in range(len(path)):
            cell = self.cell_rect(logical, level)
            painter.fillRect(cell, HEADER_BG)
            painter.setPen(QPen(HEADER_LINE))
            painter.drawLine(cell.topRight(), cell.bottomRight())
            painter.drawLine(cell.bottomLeft(), cell.bottomRight())
            painter.setPen(text_color)
            text_rect = cell
            if level < len(path) - 1:  # a group: its label in the cell's visible part
                visible = cell.intersected(self.viewport().rect())
                if visible.width() > 0:
                    text_rect = visible
            painter.drawText(
                text_rect.adjusted(PADDING, PADDING, -PADDING, -PADDING),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                path[level],
            )
        painter.restore()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if self._paths:
            self._measure()
            self.updateGeometries()


def _table_view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setHorizontalHeader(GroupedHeaderView(view))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(26)
    return view


class GroupedTable(QFrame):
    """A read-only table with a grouped header whose first ``frozen`` columns stay in view.

    ``set_model(model, paths, frozen=1)``; ``activated(index)`` on double-click or Enter
    (either part); ``current_index()`` is the model index of the selected cell.
    """

    activated = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._frozen = 0
        self.frozen_view = _table_view("frozenColumns")
        self.main_view = _table_view("scrollingColumns")
        self.frozen_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen_view.setStyleSheet("QTableView#frozenColumns { border-right: 1px solid #9aa7b8; }")
        # Keeps the frozen part as tall as the scrolling part's viewport.
        self._bar_gap = QWidget()
        self._bar_gap.setVisible(False)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(0)
        left.addWidget(self.frozen_view, 1)
        left.addWidget(self._bar_gap)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(left)
        layout.addWidget(self.main_view, 1)

        main_bar = self.main_view.verticalScrollBar()
        frozen_bar = self.frozen_view.verticalScrollBar()
        main_bar.valueChanged.connect(frozen_bar.setValue)
        frozen_bar.valueChanged.connect(main_bar.setValue)
        hbar = self.main_view.horizontalScrollBar()
        hbar.rangeChanged.connect(lambda *_: self._sync_bar_gap())
        for view in (self.frozen_view, self.main_view):
            view.doubleClicked.connect(self.activated)
            view.activated.connect(self.activated)
            view.horizontalHeader().sectionResized.connect(self._section_resized)

    # -- public -----------------------------------------------------------------------------
    def set_model(self, model: QAbstractItemModel, paths: Sequence[HeaderPath], *,
                  frozen: int = 1) -> None:
        self._frozen = frozen
        self.frozen_view.setModel(model)
        self.main_view.setModel(model)
        self.frozen_view.setSelectionModel(self.main_view.selectionModel())
        for view in (self.frozen_view, self.main_view):
            view.horizontalHeader().set_paths(paths)
        model.modelReset.connect(self._apply_columns)
        model.columnsInserted.connect(self._apply_columns)
        self._apply_columns()

    def set_paths(self, paths: Sequence[HeaderPath]) -> None:
        for view in (self.frozen_view, self.main_view):
            view.horizontalHeader().set_paths(paths)
        self._apply_columns()

    def model(self) -> QAbstractItemModel | None:
        return self.main_view.model()

    def header(self) -> GroupedHeaderView:
        return self.main_view.horizontalHeader()  # type: ignore[return-value]

    def set_column_width(self, column: int, width: int) -> None:
        view = self.frozen_view if column < self._frozen else self.main_view
        view.setColumnWidth(column, width)

    def fit_columns(self, minimum: Sequence[int]) -> None:
        """Column widths from :meth:`GroupedHeaderView.fitted_widths`."""
        for column, width in enumerate(self.header().fitted_widths(minimum)):
            self.set_column_width(column, width)

    def column_width(self, column: int) -> int:
        view = self.frozen_view if column < self._frozen else self.main_view
        return view.columnWidth(column)

    def current_index(self) -> QModelIndex:
        return self.main_view.selectionModel().currentIndex() if self.model() else QModelIndex()

    def set_current(self, row: int, column: int) -> None:
        model = self.model()
        if model is None:
            return
        view = self.frozen_view if column < self._frozen else self.main_view
        view.setCurrentIndex(model.index(row, column))

    def view_for(self, column: int) -> QTableView:
        """The part of the table that shows ``column``."""
        return self.frozen_view if column < self._frozen else self.main_view

    # -- internals --------------------------------------------------------------------------
    def _apply_columns(self) -> None:
        model = self.model()
        if model is None:
            return
        for column in range(model.columnCount()):
            frozen = column < self._frozen
            self.frozen_view.setColumnHidden(column, not frozen)
            self.main_view.setColumnHidden(column, frozen)
        self._fit_frozen()

    def _fit_frozen(self) -> None:
        width = sum(self.frozen_view.columnWidth(c) for c in range(self._frozen))
        self.frozen_view.setFixedWidth(width + 2)

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if column < self._frozen:
            self._fit_frozen()

    def _sync_bar_gap(self) -> None:
        bar = self.main_view.horizontalScrollBar()
        visible = bar.maximum() > bar.minimum()
        self._bar_gap.setFixedHeight(bar.sizeHint().height())
        self._bar_gap.setVisible(visible)
