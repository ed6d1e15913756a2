"""Two small charts painted with QPainter (QtCharts is not in pyside6-essentials).

- :class:`BarChart`: one bar per category (e.g. per village), value on top of each bar.
- :class:`LineChart`: one line over ordered labels (e.g. the last 12 months), points marked.

Both take ``set_data(labels, values, unit=…)``; ``None`` values are gaps (drawn as nothing).
Axis labels are Chinese text passed in; the value axis gets round tick values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

Number = int | float | Decimal

BAR_COLOR = QColor("#3d7cc9")
LINE_COLOR = QColor("#c0562b")
AXIS_COLOR = QColor("#7c8796")
GRID_COLOR = QColor("#e3e8ef")
TEXT_COLOR = QColor("#1d2633")


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (about ``count`` steps)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    steps = math.ceil(top / step - 1e-9)
    return [i * step for i in range(steps + 1)]


def tick_text(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


class _Chart(QWidget):
    """Shared axes and title; subclasses draw the data in ``plot`` coordinates."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = ""
        self.unit = ""
        self.labels: list[str] = []
        self.values: list[float | None] = []
        self.empty_text = "没有数据"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 220)

    def set_data(self, labels: Sequence[str], values: Sequence[Number | None], *,
                 title: str = "", unit: str = "") -> None:
        self.labels = list(labels)
        self.values = [None if v is None else float(v) for v in values]
        self.title = title
        self.unit = unit
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(560, 300)

    def _font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        font.setBold(bold)
        return font

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = self.fontMetrics()
        line = metrics.height()
        painter.setPen(TEXT_COLOR)
        painter.setFont(self._font(1.1, bold=True))
        title_height = line + 10
        painter.drawText(QRectF(0, 4, self.width(), title_height),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), self.title)
        painter.setFont(self.font())
        shown = [v for v in self.values if v is not None]
        if not self.labels or not shown:
            painter.setPen(AXIS_COLOR)
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
            return
        top_value = max(max(shown), 0.0)
        ticks = nice_ticks(top_value)
        left = max(metrics.horizontalAdvance(tick_text(t)) for t in ticks) + 14
        label_rows = self._label_rows(metrics, self.width() - left - 16)
        bottom = line * label_rows + 12
        plot = QRectF(left, title_height + line + 8, self.width() - left - 16,
                      self.height() - title_height - line - 8 - bottom)
        if plot.height() < 40 or plot.width() < 40:
            return
        # unit above the value axis
        painter.setPen(AXIS_COLOR)
        painter.drawText(QRectF(4, title_height, left + 60, line + 4),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         f"（{self.unit}）" if self.unit else "")
        span = ticks[-1] or 1.0
        for tick in ticks:
            y = plot.bottom() - plot.height() * tick / span
            painter.setPen(QPen(GRID_COLOR, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(AXIS_COLOR)
            painter.drawText(QRectF(0, y - line / 2, left - 6, line),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             tick_text(tick))
        painter.setPen(QPen(AXIS_COLOR, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        self.plot(painter, plot, span, label_rows)

    def _label_rows(self, metrics, width: float) -> int:
        """Category labels go on one line, or alternate on two when they would collide."""
        if not self.labels:
            return 1
        slot = width / len(self.labels)
        widest = max(metrics.horizontalAdvance(text) for text in self.labels)
        return 1 if widest + 6 <= slot else 2

    def _slot_x(self, plot: QRectF, i: int) -> float:
        slot = plot.width() / len(self.labels)
        return plot.left() + slot * (i + 0.5)

    def _draw_labels(self, painter: QPainter, plot: QRectF, rows: int) -> None:
        metrics = self.fontMetrics()
        line = metrics.height()
        slot = plot.width() / len(self.labels)
        painter.setPen(TEXT_COLOR)
        for i, text in enumerate(self.labels):
            row = i % rows
            width = slot * rows
            x = self._slot_x(plot, i)
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - 4))
            painter.drawText(QRectF(x - width / 2, plot.bottom() + 4 + row * line, width, line),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), shown)

    def plot(self, painter: QPainter, plot: QRectF, span: float, label_rows: int) -> None:
        raise NotImplementedError


class BarChart(_Chart):
    def plot(self, painter: QPainter, plot: QRectF, span: float, label_rows: int) -> None:
        metrics = self.fontMetrics()
        slot = plot.width() / len(self.labels)
        bar = max(4.0, min(slot * 0.6, 56.0))
        for i, value in enumerate(self.values):
            if value is None:
                continue
            x = self._slot_x(plot, i)
            height = plot.height() * max(value, 0.0) / span
            rect = QRectF(x - bar / 2, plot.bottom() - height, bar, height)
            painter.fillRect(rect, BAR_COLOR)
            text = tick_text(value)
            if metrics.horizontalAdvance(text) <= slot:
                painter.setPen(TEXT_COLOR)
                painter.drawText(QRectF(x - slot / 2, rect.top() - metrics.height() - 2,
                                        slot, metrics.height()),
                                 int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), text)
        self._draw_labels(painter, plot, label_rows)


class LineChart(_Chart):
    def plot(self, painter: QPainter, plot: QRectF, span: float, label_rows: int) -> None:
        metrics = self.fontMetrics()
        points: list[QPointF | None] = []
        for i, value in enumerate(self.values):
            if value is None:
                points.append(None)
                continue
            points.append(QPointF(self._slot_x(plot, i), plot.bottom() - plot.height() * max(value, 0.0) / span))
        path = QPainterPath()
        drawing = False
        for point in points:
            if point is None:
                drawing = False
            elif drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.setPen(QPen(LINE_COLOR, 2))
        painter.drawPath(path)
        slot = plot.width() / len(self.labels)
        for point, value in zip(points, self.values):
            if point is None or value is None:
                continue
            painter.setPen(QPen(LINE_COLOR, 2))
            painter.setBrush(QColor("white"))
            painter.drawEllipse(point, 3.5, 3.5)
            text = tick_text(value)
            if metrics.horizontalAdvance(text) <= slot:
                painter.setPen(TEXT_COLOR)
                painter.drawText(QRectF(point.x() - slot / 2, point.y() - metrics.height() - 6,
                                        slot, metrics.height()),
                                 int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), text)
        self._draw_labels(painter, plot, label_rows)
