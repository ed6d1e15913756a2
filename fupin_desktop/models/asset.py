"""扶贫项目资产 ledger under 三定四管 (DOMAIN §10)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import Base, Code, Money, Text, TimestampMixin
from fupin_desktop.models.household import Household
from fupin_desktop.models.project import Project


class Asset(TimestampMixin, Base):
    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_region", "region_code"),
        Index("ix_assets_category_status", "category", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_no: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # 定类型
    category: Mapped[Code]  # asset_category: 经营性 / 公益性 / 到户类
    subtype: Mapped[Code | None]  # asset_subtype
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    project_year: Mapped[int | None]
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE")
    )
    location: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Money | None]
    unit: Mapped[str | None] = mapped_column(String(20))
    formed_on: Mapped[dt.date | None]
    original_value: Mapped[Money]
    book_value: Mapped[Money | None]
    # 定归属
    ownership_level: Mapped[Code]  # 县 / 乡镇 / 村 / 户
    owner_name: Mapped[str | None] = mapped_column(String(100))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    ownership_holder: Mapped[str | None] = mapped_column(String(100))  # 所有权
    operation_holder: Mapped[str | None] = mapped_column(String(100))  # 经营权
    income_holder: Mapped[str | None] = mapped_column(String(100))  # 收益权
    distribution_holder: Mapped[str | None] = mapped_column(String(100))  # 分配权
    disposal_holder: Mapped[str | None] = mapped_column(String(100))  # 处置权
    supervision_holder: Mapped[str | None] = mapped_column(String(100))  # 监督权
    # 运行管理
    operation_mode: Mapped[Code | None]  # 自营/承包/租赁/入股/托管
    operator: Mapped[str | None] = mapped_column(String(100))
    contract_start: Mapped[dt.date | None]
    contract_end: Mapped[dt.date | None]
    # 维护管理
    custodian: Mapped[str | None] = mapped_column(String(100))  # 管护主体
    custodian_person: Mapped[str | None] = mapped_column(String(40))
    custodian_phone: Mapped[str | None] = mapped_column(String(20))
    custody_rule: Mapped[Text | None]
    # 登记管理
    registered_on: Mapped[dt.date | None]
    handed_over_on: Mapped[dt.date | None]
    handover_doc: Mapped[str | None] = mapped_column(String(60))
    beneficiaries_note: Mapped[Text | None]
    status: Mapped[Code] = mapped_column(default="01")  # asset_status, 01 正常运营
    status_changed_on: Mapped[dt.date | None]
    note: Mapped[Text | None]

    project: Mapped[Project | None] = relationship()
    household: Mapped[Household | None] = relationship()
    fundings: Mapped[list[AssetFunding]] = relationship(
        back_populates="asset", cascade="all, delete-orphan"
    )
    incomes: Mapped[list[AssetIncome]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetIncome.year"
    )
    maintenance: Mapped[list[AssetMaintenance]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetMaintenance.date"
    )
    disposals: Mapped[list[AssetDisposal]] = relationship(
        back_populates="asset", cascade="all, delete-orphan"
    )


class AssetNumberSequence(Base):
    """Last sequence number used per prefix and year, so an asset number is never reused."""

    __tablename__ = "asset_number_sequences"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12))
    year: Mapped[int]
    last_seq: Mapped[int] = mapped_column(default=0)


class AssetFunding(Base):
    __tablename__ = "asset_fundings"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    source: Mapped[Code]  # fund_source or fund_level
    amount: Mapped[Money]

    asset: Mapped[Asset] = relationship(back_populates="fundings")


class AssetIncome(Base):
    """收益: what an asset earned in a year (租金, 分红, 经营利润)."""

    __tablename__ = "asset_incomes"
    __table_args__ = (Index("ix_asset_incomes_asset_year", "asset_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    year: Mapped[int]
    amount: Mapped[Money]
    source_kind: Mapped[str | None] = mapped_column(String(20))
    received_on: Mapped[dt.date | None]
    payer: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[Text | None]

    asset: Mapped[Asset] = relationship(back_populates="incomes")
    distributions: Mapped[list[IncomeDistribution]] = relationship(
        back_populates="income", cascade="all, delete-orphan"
    )


class IncomeDistribution(Base):
    """One share of an income: to a household, 村集体, 公益岗位, 公益事业 or other."""

    __tablename__ = "income_distributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_income_id: Mapped[int] = mapped_column(
        ForeignKey("asset_incomes.id", ondelete="CASCADE"), index=True
    )
    recipient_type: Mapped[Code]  # recipient_type
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    recipient_name: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[Money]
    basis: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[dt.date | None]
    posted_on: Mapped[dt.date | None]
    paid_on: Mapped[dt.date | None]

    income: Mapped[AssetIncome] = relationship(back_populates="distributions")
    household: Mapped[Household | None] = relationship()


class AssetMaintenance(Base):
    """管护: upkeep work and inspections."""

    __tablename__ = "asset_maintenance"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Code]  # maintenance_kind: 维护 / 巡查
    date: Mapped[dt.date]
    content: Mapped[str] = mapped_column(String(500))
    cost: Mapped[Money | None]
    person: Mapped[str | None] = mapped_column(String(40))
    finding: Mapped[Text | None]

    asset: Mapped[Asset] = relationship(back_populates="maintenance")


class AssetDisposal(TimestampMixin, Base):
    """处置 request and its approval chain 村民代表大会 → 乡镇 → 县级主管部门与财政."""

    __tablename__ = "asset_disposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[Code]  # disposal_trigger
    method: Mapped[Code]  # disposal_method
    status: Mapped[Code] = mapped_column(default="01")  # disposal_status, 01 申请
    reason: Mapped[Text | None]
    requested_on: Mapped[dt.date]
    village_resolution_on: Mapped[dt.date | None]
    village_resolution_doc: Mapped[str | None] = mapped_column(String(100))
    township_approved_on: Mapped[dt.date | None]
    township_doc: Mapped[str | None] = mapped_column(String(60))
    county_approved_on: Mapped[dt.date | None]
    county_doc: Mapped[str | None] = mapped_column(String(60))
    disposed_on: Mapped[dt.date | None]
    proceeds: Mapped[Money | None]
    proceeds_use: Mapped[Text | None]
    rejected_reason: Mapped[Text | None]

    asset: Mapped[Asset] = relationship(back_populates="disposals")
