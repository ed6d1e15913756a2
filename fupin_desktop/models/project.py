"""项目库: projects through the approval and delivery chain, with funds (DOMAIN §9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import Base, Code, Money, Month, Text, TimestampMixin
from fupin_desktop.models.household import Household


class Project(TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_year_status", "year", "status"),
        Index("ix_projects_region", "region_code"),
        Index("ix_projects_name", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[Code | None]  # project_category, level 1
    subcategory: Mapped[Code | None]  # project_category, level 2
    status: Mapped[Code] = mapped_column(default="01")  # project_status, 01 村级申报
    competent_dept: Mapped[str | None] = mapped_column(String(100))  # 项目主管单位
    # Township or village the project belongs to (a township-wide project names the township).
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE")
    )
    implementer: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    construction_nature: Mapped[Code | None]
    start_ym: Mapped[Month | None]
    end_ym: Mapped[Month | None]
    in_poor_village: Mapped[bool | None]
    covered_villages: Mapped[str | None] = mapped_column(String(200))
    scope_and_content: Mapped[str | None] = mapped_column(String(2000))
    scale_quantity: Mapped[Money | None]
    scale_unit: Mapped[str | None] = mapped_column(String(20))
    benefit_linkage: Mapped[str | None] = mapped_column(String(2000))  # 联农带农机制
    performance_summary: Mapped[str | None] = mapped_column(String(2000))
    beneficiaries_poor_hh: Mapped[int | None]
    beneficiaries_poor_persons: Mapped[int | None]
    beneficiaries_monitored_hh: Mapped[int | None]
    beneficiaries_monitored_persons: Mapped[int | None]
    beneficiaries_nonpoor_hh: Mapped[int | None]
    beneficiaries_nonpoor_persons: Mapped[int | None]
    expected_income_gain: Mapped[Money | None]
    manager: Mapped[str | None] = mapped_column(String(40))
    manager_phone: Mapped[str | None] = mapped_column(String(20))
    social_benefit: Mapped[Text | None]
    economic_benefit: Mapped[Text | None]
    total_funds: Mapped[Money | None]  # 元; ProjectFunding rows must add up to it
    requested_funds: Mapped[Money | None]
    is_integrated: Mapped[bool | None]  # 是否统筹整合项目
    integration: Mapped[dict[str, Any] | None]  # 资金文号来源, 功能科目 … as in the template
    direct_to_person: Mapped[bool | None]
    is_publicized: Mapped[bool | None]
    budget_unit: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[Text | None]

    fundings: Mapped[list[ProjectFunding]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    status_logs: Mapped[list[ProjectStatusLog]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectStatusLog.id"
    )
    disbursements: Mapped[list[Disbursement]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Disbursement.date"
    )
    indicators: Mapped[list[ProjectIndicator]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    checklist: Mapped[list[ProjectChecklistItem]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    beneficiaries: Mapped[list[ProjectBeneficiary]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )


class ProjectFunding(Base):
    """Planned funds by level (中央/省/市/县/社会…) and source."""

    __tablename__ = "project_fundings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    level: Mapped[Code]  # fund_level
    source: Mapped[Code | None]  # fund_source
    amount: Mapped[Money]
    doc_no: Mapped[str | None] = mapped_column(String(60))

    project: Mapped[Project] = relationship(back_populates="fundings")


class ProjectStatusLog(Base):
    """One transition of the project state machine (§9.4)."""

    __tablename__ = "project_status_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    from_status: Mapped[Code | None]
    to_status: Mapped[Code]
    date: Mapped[dt.date]
    actor: Mapped[str | None] = mapped_column(String(60))
    doc_no: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[Text | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)

    project: Mapped[Project] = relationship(back_populates="status_logs")


class Disbursement(Base):
    """Money movements: 下达 (allocation), 拨付 (payment), 支出/报账 (spending)."""

    __tablename__ = "disbursements"
    __table_args__ = (Index("ix_disbursements_project_kind", "project_id", "kind", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[Code]  # disbursement_kind: 下达 / 拨付 / 支出
    level: Mapped[Code | None]
    date: Mapped[dt.date]
    amount: Mapped[Money]
    doc_no: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[Text | None]

    project: Mapped[Project] = relationship(back_populates="disbursements")


class ProjectIndicator(Base):
    """绩效目标: an output / benefit / satisfaction indicator with target and actual."""

    __tablename__ = "project_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[Code]  # indicator_kind: 产出指标 / 效益指标 / 满意度指标
    name: Mapped[str] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(60))
    actual: Mapped[str | None] = mapped_column(String(60))
    unit: Mapped[str | None] = mapped_column(String(20))

    project: Mapped[Project] = relationship(back_populates="indicators")


class ProjectChecklistItem(Base):
    """One of the 十制 with its evidence."""

    __tablename__ = "project_checklist_items"
    __table_args__ = (UniqueConstraint("project_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item: Mapped[Code]  # ten_systems: 公示制, 法人负责制, 招投标制 …
    done: Mapped[bool] = mapped_column(default=False)
    doc_no: Mapped[str | None] = mapped_column(String(60))
    date: Mapped[dt.date | None]
    note: Mapped[Text | None]

    project: Mapped[Project] = relationship(back_populates="checklist")


class ProjectBeneficiary(Base):
    """A registry household that benefits from a project."""

    __tablename__ = "project_beneficiaries"
    __table_args__ = (UniqueConstraint("project_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[Text | None]

    project: Mapped[Project] = relationship(back_populates="beneficiaries")
    household: Mapped[Household] = relationship()
