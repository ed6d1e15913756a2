"""帮扶责任人, 结对, 驻村工作队 and the 扶贫手册 entries (DOMAIN §6, §8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import Base, Code, Money, Text, TimestampMixin
from fupin_desktop.models.household import Household


class Helper(TimestampMixin, Base):
    """帮扶责任人 (§6.1)."""

    __tablename__ = "helpers"
    __table_args__ = (Index("ix_helpers_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    sex: Mapped[Code | None]
    id_number: Mapped[str | None] = mapped_column(String(20))
    political_status: Mapped[Code | None]
    unit_name: Mapped[str | None] = mapped_column(String(100))
    unit_level: Mapped[Code | None]  # helper_unit_level
    title: Mapped[str | None] = mapped_column(String(60))
    # cadre_rank, for the 4-3-2-1 rule: 县级领导 4 households, 正科 3, 副科 2, other cadres 1.
    cadre_rank: Mapped[Code | None]
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[Text | None]

    assignments: Mapped[list[HelperAssignment]] = relationship(back_populates="helper")


class HelperAssignment(TimestampMixin, Base):
    """Helper ↔ household for a period; a change of helper adds a row (§6.2)."""

    __tablename__ = "helper_assignments"
    __table_args__ = (
        Index("ix_helper_assignments_household", "household_id", "end_date"),
        Index("ix_helper_assignments_helper", "helper_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("helpers.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # assignment_role: 01 帮扶责任人 for 脱贫户, 02 监测联系人 for monitored households (§6.2).
    role: Mapped[Code] = mapped_column(default="01")
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]
    note: Mapped[Text | None]

    helper: Mapped[Helper] = relationship(back_populates="assignments")
    household: Mapped[Household] = relationship()


class VillageTeamMember(TimestampMixin, Base):
    """驻村工作队员 (§6.3), per village and period."""

    __tablename__ = "village_team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    sex: Mapped[Code | None]
    id_number: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[Code | None]
    political_status: Mapped[Code | None]
    speciality: Mapped[str | None] = mapped_column(String(100))
    unit_name: Mapped[str | None] = mapped_column(String(100))
    unit_title: Mapped[str | None] = mapped_column(String(60))
    unit_level: Mapped[Code | None]
    phone: Mapped[str | None] = mapped_column(String(20))
    is_first_secretary: Mapped[bool] = mapped_column(default=False)
    is_leader: Mapped[bool] = mapped_column(default=False)
    is_deputy_leader: Mapped[bool] = mapped_column(default=False)
    is_member: Mapped[bool] = mapped_column(default=False)
    is_village_cadre: Mapped[bool] = mapped_column(default=False)  # 包村干部
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]


class HandbookEntry(TimestampMixin, Base):
    """One line of a household's 扶贫手册: plan, measure, result, visit … (§8.3)."""

    __tablename__ = "handbook_entries"
    __table_args__ = (Index("ix_handbook_entries_household_year", "household_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    year: Mapped[int]
    section: Mapped[Code]  # handbook_section: 计划/措施/成效/自我发展/需求/走访
    category: Mapped[Code | None]  # handbook_category
    unit: Mapped[str | None] = mapped_column(String(100))  # 帮扶单位
    content: Mapped[str] = mapped_column(String(1000))
    amount: Mapped[Money | None]  # 成本 / 成效金额
    scale: Mapped[str | None] = mapped_column(String(100))  # 规模 (计划)
    deadline: Mapped[dt.date | None]  # 计划完成时限
    entry_date: Mapped[dt.date | None]
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("helpers.id", ondelete="SET NULL"))
    findings: Mapped[Text | None]  # 走访: what was found
    household_signed: Mapped[bool] = mapped_column(default=False)
    # 走访「三签字」: who signed, {"household": 户主, "helper": 帮扶责任人, "cadre": 村干部} → name.
    signatures: Mapped[dict[str, Any] | None]
    note: Mapped[Text | None]

    household: Mapped[Household] = relationship()
    helper: Mapped[Helper | None] = relationship()
