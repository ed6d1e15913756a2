"""Saved report figures (月报/年报), so a past month can be shown exactly as submitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fupin_desktop.models.base import USER_NAME_LENGTH, Base, Code, Month, Text


class ReportSnapshot(Base):
    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("region_code", "kind", "period", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE")
    )
    kind: Mapped[Code]  # report_kind: 月报 / 年报
    period: Mapped[Month]  # "YYYY-MM" (a year report uses "YYYY-12")
    revision: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict[str, Any]]
    submitted: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    note: Mapped[Text | None]


class ReportLock(Base):
    """One lock of a month for a region (上报): set when the month is submitted, lifted by
    申请解锁 with a reason. Rows are never deleted, so the lock history stays readable."""

    __tablename__ = "report_locks"
    __table_args__ = (Index("ix_report_locks_period", "period", "locked"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE")
    )
    period: Mapped[Month]  # "YYYY-MM"
    revision: Mapped[int]  # the ReportSnapshot revision whose submission set this lock
    locked: Mapped[bool] = mapped_column(default=True)
    locked_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    locked_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    unlock_reason: Mapped[Text | None]
    unlocked_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    unlocked_at: Mapped[dt.datetime | None]
