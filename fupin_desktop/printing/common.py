"""Small helpers the household forms share: labels, ages, the page header of a household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fupin_desktop.codes import code_list
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from fupin_desktop.printing.data import HouseholdSheet
from fupin_desktop.printing.layout import para, signature_row, styles
from fupin_desktop.rules.validation import age_on


def label(list_name: str, code: Any, era: str | None = None) -> str:
    """The label of a code; an unknown code prints as itself rather than failing a batch."""
    if code is None or code == "":
        return ""
    return code_list(list_name, era).label(str(code), default=str(code))


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def age(birth: dt.date | None, on: dt.date | None = None) -> str:
    if birth is None:
        return ""
    return str(age_on(birth, on or dt.date.today()))


def area(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def household_header(sheet: HouseholdSheet, form: str) -> tuple[str, str]:
    """(left, right) page header: 「扶贫手册 户主：张三 户编号：…」 / 「××镇××村××组」."""
    hh = sheet.household
    left = f"{form}    户主：{hh.head_name or ''}    户编号：{hh.household_no or ''}"
    right = f"{sheet.place.township}{sheet.place.village}{hh.group_name or ''}"
    return left, right


def current_helper_text(sheet: HouseholdSheet) -> tuple[str, str, str]:
    """(name, unit, phone) of the household's current 帮扶责任人 (or 监测联系人)."""
    current = sheet.current_helpers()
    if not current:
        return "", "", ""
    h = current[-1].helper
    return h.name, h.unit_name or "", h.phone or ""


def closing(statement: str, signers: list[str], width: float = 180 * mm) -> list[Flowable]:
    """The end of a form: 「以上情况属实。」 and the signature line, kept on one page."""
    kept: list[Flowable] = [para(statement, styles().body)] if statement else []
    return [Spacer(1, 4 * mm), KeepTogether([*kept, signature_row(signers, width)])]
