"""整改清单 (清单制 rectification, DOMAIN §16.3): problems found by 巡视, 考核, 暗访, 第三方评估,
审计, 媒体, 举报 or 自查, each with a lead, a responsible unit and person, a plan and a
deadline, its status and dated progress notes; linked to households, projects and villages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import USER_NAME_LENGTH, Base, Code, Text, TimestampMixin


class RectifyItem(TimestampMixin, Base):
    """One problem on the list. ``status``: rectify_status (01 未整改, 02 正在整改 open;
    03 已完成, 04 已完成并长期坚持 done). ``deadline_note`` holds a 时限 that is not a date
    (立行立改, 长期坚持)."""

    __tablename__ = "rectify_items"
    __table_args__ = (Index("ix_rectify_items_category_status", "category", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_no: Mapped[str] = mapped_column(String(40), unique=True)  # 问题编号
    source: Mapped[Code]  # rectify_source
    category: Mapped[Code]  # rectify_category
    description: Mapped[str] = mapped_column(String(2000))
    lead: Mapped[str | None] = mapped_column(String(60))  # 牵头领导
    unit: Mapped[str | None] = mapped_column(String(200))  # 责任单位
    person: Mapped[str | None] = mapped_column(String(60))  # 责任人
    measures: Mapped[str | None] = mapped_column(String(2000))  # 整改措施
    deadline: Mapped[dt.date | None]  # 时限
    deadline_note: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[Code] = mapped_column(default="01")
    completed_on: Mapped[dt.date | None]
    note: Mapped[Text | None]

    progress: Mapped[list[RectifyProgress]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(RectifyProgress.date, RectifyProgress.id)",
    )
    households: Mapped[list[RectifyHousehold]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)
    projects: Mapped[list[RectifyProject]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    villages: Mapped[list[RectifyVillage]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class RectifyProgress(Base):
    """A dated progress note with its evidence (file names or paths, or text), or a status
    change (``status_from`` → ``status_to``)."""

    __tablename__ = "rectify_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectify_items.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date]
    note: Mapped[str] = mapped_column(String(2000))
    evidence: Mapped[str | None] = mapped_column(String(2000))  # one a line
    status_from: Mapped[Code | None]
    status_to: Mapped[Code | None]
    recorded_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)

    item: Mapped[RectifyItem] = relationship(back_populates="progress")


class RectifyHousehold(Base):
    __tablename__ = "rectify_households"
    __table_args__ = (UniqueConstraint("item_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectify_items.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)


class RectifyProject(Base):
    __tablename__ = "rectify_projects"
    __table_args__ = (UniqueConstraint("item_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectify_items.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


class RectifyVillage(Base):
    __tablename__ = "rectify_villages"
    __table_args__ = (UniqueConstraint("item_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectify_items.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE"), index=True)
