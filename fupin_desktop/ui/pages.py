"""The placeholder page every business area starts from: a title and a live summary.

An area replaces its page later with ``MainWindow.register_page`` (same key, new factory);
until then the clerk sees the area's name, what it is for and a few live counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from fupin_desktop.db import Database

CARDS_PER_ROW = 4


@dataclass(frozen=True)
class Stat:
    """One number on a page: 「在册户数 2,000 户」."""

    label: str
    value: str
    unit: str = ""
    # What clicking the card opens (None: a plain number).
    action: Callable[[], object] | None = field(default=None, compare=False)


def count(value: int, unit: str) -> tuple[str, str]:
    return f"{value:,}", unit


def yuan(amount: Decimal) -> tuple[str, str]:
    """Money for a summary card: 万元 once it is large, two decimals always."""
    if abs(amount) >= 10_000:
        return f"{amount / 10_000:,.2f}", "万元"
    return f"{amount:,.2f}", "元"


class StatCard(QFrame):
    def __init__(self, stat: Stat, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("statCard")
        self.setMinimumWidth(130)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(4)
        value_text = f"{stat.value} <span style='font-size:10pt'>{stat.unit}</span>"
        self.value_label = QLabel(value_text)
        self.value_label.setObjectName("statValue")
        self.value_label.setTextFormat(Qt.TextFormat.RichText)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value_label.setFont(font)
        self.caption_label = QLabel(stat.label)
        self.caption_label.setObjectName("statLabel")
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        self._action = stat.action
        if stat.action is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip(f"点击打开{stat.label}")
            self.caption_label.setText(f"{stat.label} ›")

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self._action is not None and event.button() == Qt.MouseButton.LeftButton:
            self._action()
            return
        super().mouseReleaseEvent(event)


class AreaPage(QWidget):
    """Base of each area's page: subclasses set the class attributes and ``summary()``."""

    key: ClassVar[str]
    title: ClassVar[str]
    icon_name: ClassVar[str]
    subtitle: ClassVar[str] = ""
    note: ClassVar[str] = "本模块的查询、录入和打印功能正在建设中，上面是数据库中的现有数据。"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName(f"page_{self.key}")

        self.title_label = QLabel(self.title)
        self.title_label.setObjectName("pageTitle")
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setBold(True)
        self.title_label.setFont(title_font)

        self.subtitle_label = QLabel(self.subtitle)
        self.subtitle_label.setObjectName("pageSubtitle")
        self.subtitle_label.setWordWrap(True)

        self._cards_box = QWidget()
        self._cards = QGridLayout(self._cards_box)
        self._cards.setContentsMargins(0, 0, 0, 0)
        self._cards.setHorizontalSpacing(12)
        self._cards.setVerticalSpacing(12)

        self.note_label = QLabel(self.note)
        self.note_label.setObjectName("pageNote")
        self.note_label.setWordWrap(True)

        # Scrolls rather than forcing a minimum window size: 1024×768 and 800×600 screens,
        # large-font settings.
        content = QWidget()
        content.setObjectName("pageContent")
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        layout = QVBoxLayout(content)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(8)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addSpacing(14)
        layout.addWidget(self._cards_box)
        layout.addSpacing(14)
        layout.addWidget(self.note_label)
        layout.addStretch(1)

        self.stats: list[Stat] = []

    def summary(self, session: Session) -> Sequence[Stat]:
        """The numbers to show; a service call, never SQL built here."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Re-read the summary (the main window calls this whenever the page is shown)."""
        with self.db.session() as session:
            self.stats = list(self.summary(session))
        while self._cards.count():
            item = self._cards.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for i, stat in enumerate(self.stats):
            self._cards.addWidget(StatCard(stat), i // CARDS_PER_ROW, i % CARDS_PER_ROW)
        for column in range(CARDS_PER_ROW):
            self._cards.setColumnStretch(column, 1)
