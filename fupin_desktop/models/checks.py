"""核查 results: one row per run of the county checks and the findings still open (issue #14).

``check_findings`` holds what the latest run over each place found (``fixed_run_id`` NULL)
plus the findings the latest run no longer found (``fixed_run_id`` = that run): the 核查
page's 「已整改」 list. Older fixed findings are purged by the next run over the same place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from fupin_desktop.models.base import USER_NAME_LENGTH, Base


class CheckRun(Base):
    __tablename__ = "check_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)  # when
    user: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))  # who
    region_code: Mapped[str | None] = mapped_column(String(12))  # None = the whole database
    seconds: Mapped[float | None] = mapped_column(Numeric(10, 3, asdecimal=False))
    households_checked: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any] | None]  # check code → findings
    fixed: Mapped[dict[str, Any] | None]  # check code → findings of the previous run now gone


class CheckFinding(Base):
    __tablename__ = "check_findings"
    __table_args__ = (
        Index("ix_check_findings_household", "household_id", "fixed_run_id"),
        Index("ix_check_findings_region", "region_code", "check"),
        Index("ix_check_findings_run", "run_id"),
        Index("ix_check_findings_fixed", "fixed_run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id", ondelete="CASCADE"))
    fixed_run_id: Mapped[int | None] = mapped_column(ForeignKey("check_runs.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(4))  # 错误 / 提醒
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("helpers.id", ondelete="CASCADE"))
    field: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    region_code: Mapped[str | None] = mapped_column(String(12))


__all__ = ["CheckFinding", "CheckRun"]
