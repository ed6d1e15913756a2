"""Saved report figures (月报/年报), so a past month can be shown exactly as submitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
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
