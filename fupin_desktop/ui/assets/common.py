"""Small widgets the asset screens share: code combos, date edits that may be blank,
money text, and running a service call with the error shown as the clerk expects."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QComboBox, QDateEdit, QWidget

from fupin_desktop.codes import code_list
from fupin_desktop.ui.errors import show_error

T = TypeVar("T")

BLANK_DATE = QDate(2000, 1, 1)


class CodeCombo(QComboBox):
    """A combo over a code list; ``blank`` adds a first empty (or 「全部」) entry."""

    def __init__(self, list_name: str, *, blank: str | None = "", parent: QWidget | None = None,
                 parent_code: str | None = None):
        super().__init__(parent)
        self.list_name = list_name
        self._blank = blank
        self.reload(parent_code)

    def reload(self, parent_code: str | None = None) -> None:
        current = self.code()
        self.blockSignals(True)
        self.clear()
        if self._blank is not None:
            self.addItem(self._blank, None)
        entries = code_list(self.list_name).entries()
        if parent_code is not None:
            entries = [(e.code, e.label) for e in code_list(self.list_name).children(parent_code)]
        for code, label in entries:
            self.addItem(label, code)
        self.blockSignals(False)
        self.set_code(current)

    def code(self) -> str | None:
        return self.currentData()

    def set_code(self, code: str | None) -> None:
        index = self.findData(code) if code is not None else (0 if self._blank is not None else -1)
        if index >= 0:
            self.setCurrentIndex(index)


class OptionalDateEdit(QDateEdit):
    """A date edit that can hold 「未填」 (its minimum date shows as blank text)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(BLANK_DATE)
        self.setSpecialValueText("未填")
        self.setDate(BLANK_DATE)

    def value(self) -> dt.date | None:
        d = self.date()
        if d == BLANK_DATE:
            return None
        return dt.date(d.year(), d.month(), d.day())

    def set_value(self, value: dt.date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else BLANK_DATE)


def qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def text_or_blank(value: Any) -> str:
    return "" if value is None else str(value)


def guarded(parent: QWidget | None, func: Callable[[], T]) -> T | None:
    """Run ``func``; a UserError or a bug is shown in a box and ``None`` returned."""
    try:
        return func()
    except Exception as exc:  # noqa: BLE001 - every failure is shown, bugs are logged too
        show_error(parent, exc)
        return None


def open_pdf(path: Path) -> None:
    """Show a PDF in the system viewer (until the shared preview dialog lands)."""
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def temp_pdf(stem: str) -> Path:
    folder = Path(tempfile.gettempdir()) / "fupin-prints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stem}-{dt.datetime.now():%Y%m%d%H%M%S%f}.pdf"


def print_form(parent: QWidget | None, db, stem: str, render: Callable[[Any, Path], Path]) -> Path | None:
    """Render one form into a temporary PDF with ``render(session, path)`` and show it.
    Returns the file, or ``None`` when it failed (the error was shown)."""

    def run() -> Path:
        with db.session() as s:
            return render(s, temp_pdf(stem))

    done = guarded(parent, run)
    if done:
        open_pdf(done)
    return done
