"""三级管理、三段防控 (DOMAIN §16.1, issue #19): risk grades, their history and the warnings.

Visits are not a table of their own: a recorded 走访 is one ``HandbookEntry`` of section
走访 (the 扶贫手册 prints it), with the signatures in ``HandbookEntry.signatures``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fupin_desktop.models.base import Base, Code, Text, TimestampMixin


class RiskGrade(TimestampMixin, Base):
    """A household's current grade (risk_grade: 1 一级 极易返贫户, 2 二级 较易返贫户, 3 三级
    不易返贫户): set only by a clerk confirming or adjusting the suggestion."""

    __tablename__ = "risk_grades"
    __table_args__ = (Index("ix_risk_grades_grade", "grade"),)

    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    grade: Mapped[Code]
    set_on: Mapped[dt.date]
    set_by: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[Text | None]  # the clerk's reason (required when differing from the suggestion)
    suggested: Mapped[Code | None]  # what the rules suggested at the time
    # The rules that fired then: [{"rule": code, "label": ..., "text": ...}].
    reasons: Mapped[list[Any] | None]


class RiskGradeChange(TimestampMixin, Base):
    """One grade decision (history; never overwritten)."""

    __tablename__ = "risk_grade_changes"
    __table_args__ = (Index("ix_risk_grade_changes_household", "household_id", "changed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    old_grade: Mapped[Code | None]
    new_grade: Mapped[Code]
    suggested: Mapped[Code | None]
    changed_on: Mapped[dt.date]
    changed_by: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[Text | None]
    reasons: Mapped[list[Any] | None]


class RiskWarning(TimestampMixin, Base):
    """监测预警: data crossed a rule; the clerk verifies it (warning_status 01 待核实,
    02 已核实纳入监测, 03 已核实无风险, 04 已解除 — the data no longer crosses the rule)."""

    __tablename__ = "risk_warnings"
    __table_args__ = (
        Index("ix_risk_warnings_status", "status", "due_on"),
        Index("ix_risk_warnings_household", "household_id", "rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    # What makes two raisings the same warning (a year, an event id, a list member …).
    key: Mapped[str] = mapped_column(String(80), default="")
    message: Mapped[Text]
    values: Mapped[dict[str, Any] | None]
    raised_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    status: Mapped[Code] = mapped_column(default="01")
    note: Mapped[Text | None]
    closed_on: Mapped[dt.date | None]
    closed_by: Mapped[str | None] = mapped_column(String(40))
    monitoring_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_cases.id", ondelete="SET NULL")
    )


__all__ = ["RiskGrade", "RiskGradeChange", "RiskWarning"]
