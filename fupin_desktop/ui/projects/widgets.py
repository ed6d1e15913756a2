"""Small helpers shared by the 项目库 widgets: dates, money text, code-list combo boxes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QWidget

from fupin_desktop.codes import code_list


def to_qdate(day: dt.date | None) -> QDate:
    day = day or dt.date.today()
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(day: dt.date | None = None, parent: QWidget | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumDate(to_qdate(dt.date.today()))
    return edit


def wan(value: Decimal | None) -> str:
    """元 → 「12.34」 万元 for tables (two decimals)."""
    return "" if value is None else f"{value / 10000:,.2f}"


def yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def code_combo(
    list_name: str,
    *,
    blank: str | None = "",
    parent_code: str | None = None,
    top_level_only: bool = False,
    era: int | str | None = None,
) -> QComboBox:
    """A combo of a code list: the label shown, the code as item data (None for blank)."""
    combo = QComboBox()
    fill_code_combo(combo, list_name, blank=blank, parent_code=parent_code,
                    top_level_only=top_level_only, era=era)  # fmt: skip
    return combo


def fill_code_combo(
    combo: QComboBox,
    list_name: str,
    *,
    blank: str | None = "",
    parent_code: str | None = None,
    top_level_only: bool = False,
    era: int | str | None = None,
) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if blank is not None:
        combo.addItem(blank, None)
    codes = code_list(list_name, era)
    if parent_code is not None:
        entries = [(e.code, e.label) for e in codes.children(parent_code)]
    elif top_level_only:
        entries = [(e.code, e.label) for e in codes.children(None)]
    else:
        entries = codes.entries()
    for code, label in entries:
        combo.addItem(label, code)
    combo.blockSignals(False)
    set_combo_data(combo, current)


def set_combo_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)
