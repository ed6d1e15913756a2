"""Small widgets the asset screens share: code combos, date edits that may be blank,
money text, and running a service call with the error shown as the clerk expects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QDate
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


def print_form(parent: QWidget | None, db, title: str, render: Callable[[Any, Path], Path]) -> Path | None:
    """Render one form (a page or two: quick enough to wait for) with ``render(session, path)``
    into a temporary PDF and show it in the print preview (打印, 另存为 PDF); the file goes
    when the preview closes. Returns the file, or ``None`` when it failed (the error was shown)."""
    from fupin_desktop.ui.printing import show_pdf, temporary_pdf

    path = temporary_pdf()

    def run() -> Path:
        with db.session() as s:
            return render(s, path)

    done = guarded(parent, run)
    if done is None:
        path.unlink(missing_ok=True)
        return None
    show_pdf(done, parent, title=title, save_name=f"{title.replace(' ', '_')}.pdf")
    return done
