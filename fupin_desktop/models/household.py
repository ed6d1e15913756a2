"""Households, members and everything recorded about them per year (DOMAIN §3–§5, §7, §11).

History is kept as rows: a member who leaves stays with ``status`` 自然减少; each change is a
``ChangeEvent``; yearly facts (income, living conditions, 三保障 checks) are per year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.audit import SourceRow
from fupin_desktop.models.base import USER_NAME_LENGTH, Area, Base, Code, Money, Month, Text, TimestampMixin

# Codes the database constraints rely on (resources/codes/relation.csv, member_status.csv).
RELATION_HEAD = "01"
RELATION_SPOUSE = "02"
MEMBER_PRESENT = "01"  # 在户
MEMBER_LEFT = "02"  # 自然减少
HOUSEHOLD_ACTIVE = "01"  # household_status 正常
MONITORING_ACTIVE = "06"  # monitoring_state 监测帮扶中
MONITORING_ELIMINATED = "07"  # monitoring_state 风险已消除

# Members whose name has more than one reading ("wx yx"): the partial index over them.
INITIALS_ALT_WHERE = "name_initials LIKE '% %'"
# Current members with a 务工 status or a 公益岗位: the 月报's 就业 figures read them off the
# partial index over them (a scan of every member row would cost most of the report).
REPORT_MEMBERS_WHERE = "status = '01' AND (work_status IS NOT NULL OR public_welfare_job IS NOT NULL)"
# Current members with neither 城乡居民医保 nor 城镇职工医保 (few): the 医保参保率 of the 月报.
UNINSURED_MEMBERS_WHERE = ("status = '01' AND NOT (COALESCE(has_resident_medical, false) "
                           "OR COALESCE(has_employee_medical, false))")
SORT_KEY = String(200).with_variant(String(200, collation="C"), "postgresql")


class Household(TimestampMixin, Base):
    __tablename__ = "households"
    __table_args__ = (
        Index("ix_households_region_group", "region_code", "group_name"),
        Index("ix_households_head_name", "head_name"),
        Index("ix_households_head_id18", "head_id18"),
        Index("ix_households_phone", "phone"),
        # The household list: current households in 户编号 order straight off an index, and
        # prefix search on 户编号/phone (text_pattern_ops serves LIKE 'x%' on PostgreSQL).
        Index("ix_households_status_no", "status", "household_no",
              postgresql_ops={"household_no": "text_pattern_ops"}),
        Index("ix_households_status_phone", "status", "phone",
              postgresql_ops={"phone": "text_pattern_ops"}),
        # The region tree's counts, read off the index alone.
        Index("ix_households_tree", "status", "region_code", "group_name", "member_count"),
        # The 月报's pass over every household, read off the index alone.
        Index("ix_households_report", "region_code", "status", "household_type", "member_count"),
        # The list sorted by 户主 in pinyin order straight off an index (ties by 户编号).
        Index("ix_households_status_head_sort", "status", "head_name_sort", "household_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_no: Mapped[str | None] = mapped_column(String(30), unique=True)
    region_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE")
    )
    group_name: Mapped[str | None] = mapped_column(String(40))  # 村民小组, text
    natural_village: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account: Mapped[str | None] = mapped_column(String(30))

    # Kept in step with the 户主 member by services.registry (denormalised for list speed).
    head_name: Mapped[str | None] = mapped_column(String(40))
    head_id18: Mapped[str | None] = mapped_column(String(18))
    member_count: Mapped[int] = mapped_column(default=0)
    # head_name's pinyin order (rules.names.name_sort_key): plain ASCII compared byte by
    # byte, so PostgreSQL gets the "C" collation whatever the database's locale.
    head_name_sort: Mapped[str | None] = mapped_column(SORT_KEY)

    # 2014–2020 attributes.
    identification_standard: Mapped[Code | None]
    poverty_attribute: Mapped[Code | None]
    main_cause: Mapped[Code | None]
    other_causes: Mapped[list[Any] | None]  # up to two poverty_cause codes
    return_cause: Mapped[Code | None]
    exit_status: Mapped[Code | None]
    exit_year: Mapped[int | None]
    identified_year: Mapped[int | None]
    # 2021+ attributes.
    household_type: Mapped[Code | None] = mapped_column(index=True)
    monitoring_category: Mapped[Code | None] = mapped_column(index=True)

    is_military_martyr_family: Mapped[bool | None]
    is_one_child: Mapped[bool | None]
    is_two_daughters: Mapped[bool | None]
    whole_household_no_labour: Mapped[bool | None]
    in_relocation_site: Mapped[bool | None]
    relocation_site_address: Mapped[str | None] = mapped_column(String(200))
    relocation_wish: Mapped[Code | None]
    record_valid: Mapped[bool] = mapped_column(default=True)
    status: Mapped[Code] = mapped_column(  # household_status: 正常 / 已销户 / 已并户
        default=HOUSEHOLD_ACTIVE, server_default=HOUSEHOLD_ACTIVE
    )
    code_list_era: Mapped[str] = mapped_column(String(4), default="2021", server_default="2021")
    # The county sheet's row this household was read from (its 户主's row).
    source_row_id: Mapped[int | None] = mapped_column(ForeignKey("source_rows.id"))
    # Optimistic concurrency: a save of a stale copy fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    source: Mapped[SourceRow | None] = relationship()
    members: Mapped[list[Member]] = relationship(
        back_populates="household", order_by="Member.seq", cascade="all, delete-orphan"
    )
    years: Mapped[list[HouseholdYear]] = relationship(
        back_populates="household", order_by="HouseholdYear.year", cascade="all, delete-orphan"
    )
    guarantee_checks: Mapped[list[GuaranteeCheck]] = relationship(
        back_populates="household", order_by="GuaranteeCheck.year", cascade="all, delete-orphan"
    )
    events: Mapped[list[ChangeEvent]] = relationship(
        back_populates="household",
        order_by="ChangeEvent.effective_date",
        cascade="all, delete-orphan",
        foreign_keys="ChangeEvent.household_id",
    )
    monitoring_cases: Mapped[list[MonitoringCase]] = relationship(
        back_populates="household",
        order_by="MonitoringCase.identified_ym",
        cascade="all, delete-orphan",
    )
    measures: Mapped[list[AssistanceMeasure]] = relationship(
        back_populates="household", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"Household({self.id} {self.household_no} {self.head_name})"


class Member(TimestampMixin, Base):
    __tablename__ = "members"
    __table_args__ = (
        # 证件号码 is unique among people currently in a household; people who left keep
        # theirs (a member who moved out and back in is a new current row).
        Index(
            "uq_members_current_id18",
            "id18",
            unique=True,
            sqlite_where=text("status = '01' AND id18 IS NOT NULL"),
            postgresql_where=text("status = '01' AND id18 IS NOT NULL"),
        ),
        # One 户主 among a household's current members.
        Index(
            "uq_members_one_head",
            "household_id",
            unique=True,
            sqlite_where=text("relation = '01' AND status = '01'"),
            postgresql_where=text("relation = '01' AND status = '01'"),
        ),
        Index("ix_members_person_no", "person_no"),
        Index("ix_members_household_status", "household_id", "status"),
        # Search keys with the household id: the search reads only the index (covering),
        # prefix matches use it on PostgreSQL through text_pattern_ops (which serves
        # equality too). They also serve every lookup by the key alone, so the key has no
        # index of its own (migration 0004).
        Index("ix_members_name_search", "name", "household_id",
              postgresql_ops={"name": "text_pattern_ops"}),
        Index("ix_members_initials_search", "name_initials", "household_id",
              postgresql_ops={"name_initials": "text_pattern_ops"}),
        # The other readings of heteronym names ("wx yx") are found by a scan of this
        # smaller index: only the third of the names with more than one reading.
        Index("ix_members_initials_alt", "name_initials", "household_id",
              sqlite_where=text(INITIALS_ALT_WHERE), postgresql_where=text(INITIALS_ALT_WHERE)),
        Index("ix_members_id18_search", "id18", "household_id",
              postgresql_ops={"id18": "text_pattern_ops"}),
        Index("ix_members_id_tail_search", "id_tail", "household_id"),
        Index("ix_members_phone_search", "phone", "household_id",
              postgresql_ops={"phone": "text_pattern_ops"}),
        Index("ix_members_report", "household_id", "status", "work_status", "public_welfare_job",
              sqlite_where=text(REPORT_MEMBERS_WHERE), postgresql_where=text(REPORT_MEMBERS_WHERE)),
        Index("ix_members_uninsured", "household_id",
              sqlite_where=text(UNINSURED_MEMBERS_WHERE), postgresql_where=text(UNINSURED_MEMBERS_WHERE)),
        CheckConstraint("work_months IS NULL OR (work_months BETWEEN 0 AND 12)", name="work_months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(default=1)  # 户内序号: 户主, 配偶, then others
    person_no: Mapped[str | None] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(40))
    # Every reading's initials, space separated ("zs", or "sd sx" for 单/善 heteronyms).
    name_initials: Mapped[str | None] = mapped_column(String(120))
    id_type: Mapped[Code | None]
    id_number: Mapped[str | None] = mapped_column(String(20))
    id18: Mapped[str | None] = mapped_column(String(18))
    # Last 6 characters of id18, so "search by the last digits" is an indexed lookup.
    id_tail: Mapped[str | None] = mapped_column(String(6))
    sex: Mapped[Code | None]
    birth_date: Mapped[dt.date | None]
    ethnicity: Mapped[Code | None]
    relation: Mapped[Code]
    political_status: Mapped[Code | None]
    education: Mapped[Code | None]
    school_status: Mapped[Code | None]
    out_of_school_reason: Mapped[Code | None]
    health: Mapped[Code | None]
    disability_type: Mapped[Code | None]
    disability_grade: Mapped[Code | None]
    disability_cert_year: Mapped[int | None]
    labour_skill: Mapped[Code | None]
    work_status: Mapped[Code | None]
    work_place: Mapped[str | None] = mapped_column(String(100))
    employer: Mapped[str | None] = mapped_column(String(100))
    work_months: Mapped[int | None]
    works_abroad: Mapped[bool | None]
    employment_channel: Mapped[Code | None]
    industry: Mapped[str | None] = mapped_column(String(60))
    public_welfare_job: Mapped[Code | None]
    public_welfare_months: Mapped[int | None]
    is_active_soldier: Mapped[bool | None]
    has_resident_medical: Mapped[bool | None]
    has_employee_medical: Mapped[bool | None]
    has_critical_illness_ins: Mapped[bool | None]
    has_commercial_supplement: Mapped[bool | None]
    has_medical_aid: Mapped[bool | None]
    has_critical_medical_aid: Mapped[bool | None]
    has_other_health_aid: Mapped[bool | None]
    has_resident_pension: Mapped[bool | None]
    has_employee_pension: Mapped[bool | None]
    accident_ins_subsidy: Mapped[bool | None]
    is_dibao: Mapped[bool | None]
    is_tekun: Mapped[bool | None]
    speaks_mandarin: Mapped[bool | None]
    de_facto_orphan: Mapped[bool | None]
    graduate_unemployed_reason: Mapped[Code | None]
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[Code] = mapped_column(default=MEMBER_PRESENT, server_default=MEMBER_PRESENT)
    left_on: Mapped[dt.date | None]
    left_reason: Mapped[Code | None]
    joined_on: Mapped[dt.date | None]
    joined_reason: Mapped[Code | None]
    # The county sheet's row this member was last read from.
    source_row_id: Mapped[int | None] = mapped_column(ForeignKey("source_rows.id"))

    household: Mapped[Household] = relationship(back_populates="members")
    source: Mapped[SourceRow | None] = relationship()

    def __repr__(self) -> str:
        return f"Member({self.id} {self.name} {self.relation})"


class HouseholdYear(TimestampMixin, Base):
    """One household's year: attribute snapshot, 收支 (§3.6) and 生产生活条件 (§3.2)."""

    __tablename__ = "household_years"
    __table_args__ = (UniqueConstraint("household_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    year: Mapped[int]
    # Snapshot of the household's attributes for that year.
    household_type: Mapped[Code | None]
    poverty_attribute: Mapped[Code | None]
    monitoring_category: Mapped[Code | None]
    household_size: Mapped[int | None]  # 年度家庭人口数 (divisor of 人均纯收入)

    # 收支, 元. Group totals, then their 其中 sub-items.
    wage_income: Mapped[Money | None]
    public_welfare_job_income: Mapped[Money | None]
    other_wage_income: Mapped[Money | None]
    business_income: Mapped[Money | None]
    industry_reward: Mapped[Money | None]
    employment_reward: Mapped[Money | None]
    property_income: Mapped[Money | None]
    asset_dividend_income: Mapped[Money | None]
    land_transfer_income: Mapped[Money | None]
    other_property_income: Mapped[Money | None]
    transfer_income: Mapped[Money | None]
    family_planning_income: Mapped[Money | None]
    dibao_income: Mapped[Money | None]
    tekun_income: Mapped[Money | None]
    pension_income: Mapped[Money | None]
    eco_compensation_income: Mapped[Money | None]
    other_transfer_income: Mapped[Money | None]
    business_expense: Mapped[Money | None]
    expense_reduction_subsidy: Mapped[Money | None]
    claims_income: Mapped[Money | None]  # 家庭理赔收入 (monitoring)
    compliant_self_paid: Mapped[Money | None]  # 合规自付支出 (monitoring)
    # Computed by the income rules on save (kept for reports and lists).
    annual_income: Mapped[Money | None]
    net_income: Mapped[Money | None]
    per_capita_net_income: Mapped[Money | None]
    income_notes: Mapped[dict[str, Any] | None]  # 说明 per sub-item

    # 生产生活条件.
    arable_mu: Mapped[Area | None]
    confirmed_arable_mu: Mapped[Area | None]
    irrigated_mu: Mapped[Area | None]
    dry_field_mu: Mapped[Area | None]
    paddy_field_mu: Mapped[Area | None]
    forest_mu: Mapped[Area | None]
    grain_to_green_mu: Mapped[Area | None]
    orchard_mu: Mapped[Area | None]
    pasture_mu: Mapped[Area | None]
    water_surface_mu: Mapped[Area | None]
    housing_area: Mapped[Area | None]
    is_dangerous_house: Mapped[bool | None]
    danger_level: Mapped[Code | None]
    house_structure: Mapped[Code | None]
    access_road_type: Mapped[Code | None]
    distance_to_main_road_km: Mapped[Area | None]
    main_fuel: Mapped[Code | None]
    has_household_power: Mapped[bool | None]
    has_production_power: Mapped[bool | None]
    has_tv_signal: Mapped[bool | None]
    has_sanitary_toilet: Mapped[bool | None]
    safe_drinking_water: Mapped[bool | None]
    drinking_water_difficulty: Mapped[bool | None]
    water_source: Mapped[Code | None]
    in_cooperative: Mapped[bool | None]
    led_by_enterprise: Mapped[bool | None]
    led_by_entrepreneur: Mapped[bool | None]
    household_industry_support_type: Mapped[str | None] = mapped_column(String(60))

    household: Mapped[Household] = relationship(back_populates="years")


class GuaranteeCheck(TimestampMixin, Base):
    """两不愁三保障 + 饮水安全 for one household and year (§5): True = a problem exists."""

    __tablename__ = "guarantee_checks"
    __table_args__ = (UniqueConstraint("household_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    year: Mapped[int]
    food_worry: Mapped[bool | None]  # 不愁吃 not met
    clothing_worry: Mapped[bool | None]  # 不愁穿 not met
    housing_problem: Mapped[bool | None]
    education_problem: Mapped[bool | None]
    medical_problem: Mapped[bool | None]
    water_problem: Mapped[bool | None]
    # What the rules suggested from member data when the clerk confirmed.
    suggested: Mapped[dict[str, Any] | None]
    confirmed: Mapped[bool] = mapped_column(default=False)
    checked_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    checked_on: Mapped[dt.date | None]
    resolved_on: Mapped[dt.date | None]
    note: Mapped[Text | None]

    household: Mapped[Household] = relationship(back_populates="guarantee_checks")


class ChangeEvent(TimestampMixin, Base):
    """One change to a household or member (§11.3): never an overwrite."""

    __tablename__ = "change_events"
    __table_args__ = (
        Index("ix_change_events_reported_month", "reported_month", "type"),
        Index("ix_change_events_household", "household_id", "effective_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # For 分户/并户: the other household.
    related_household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    type: Mapped[Code]  # change_type
    reason: Mapped[Code | None]  # change_reason
    effective_date: Mapped[dt.date]
    reported_month: Mapped[Month]
    doc_no: Mapped[str | None] = mapped_column(String(60))
    approved_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    recorded_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    note: Mapped[Text | None]
    # Field-level detail of what changed: {"field": [old, new], ...}.
    details: Mapped[dict[str, Any] | None]

    household: Mapped[Household] = relationship(
        back_populates="events", foreign_keys=[household_id]
    )
    member: Mapped[Member | None] = relationship()


class MonitoringCase(TimestampMixin, Base):
    """防止返贫监测: one spell of monitoring from identification to elimination (§7, §11.4)."""

    __tablename__ = "monitoring_cases"
    __table_args__ = (
        Index("ix_monitoring_cases_state", "state", "category"),
        # A household's cases: the list's 风险 column for a page of rows, the 监测 tab.
        Index("ix_monitoring_cases_household", "household_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    category: Mapped[Code]  # monitoring_category
    # monitoring_state: 线索 → 核查中 → 评议公示 → 乡镇审核 → 县级审定 → 监测帮扶中 → 风险已消除
    state: Mapped[Code] = mapped_column(default=MONITORING_ACTIVE)
    discovery_channel: Mapped[str | None] = mapped_column(String(40))
    identified_ym: Mapped[Month]
    risk_1: Mapped[Code | None]
    risk_2: Mapped[Code | None]
    risk_3: Mapped[Code | None]
    risk_4: Mapped[Code | None]
    risk_5: Mapped[Code | None]
    disaster_subtype: Mapped[str | None] = mapped_column(String(40))
    risk_note: Mapped[Text | None]
    risk_eliminated: Mapped[bool] = mapped_column(default=False)
    elimination_mode: Mapped[Code | None]
    eliminated_ym: Mapped[Month | None]
    eliminated_on: Mapped[dt.date | None]
    dev_measures_status: Mapped[str | None] = mapped_column(String(20))
    dibao_status: Mapped[str | None] = mapped_column(String(40))
    tekun_status: Mapped[str | None] = mapped_column(String(40))
    monitor_contact: Mapped[str | None] = mapped_column(String(40))
    monitor_phone: Mapped[str | None] = mapped_column(String(20))
    income_threshold: Mapped[Money | None]
    per_capita_threshold: Mapped[Money | None]
    note: Mapped[Text | None]

    household: Mapped[Household] = relationship(back_populates="monitoring_cases")
    measures: Mapped[list[AssistanceMeasure]] = relationship(back_populates="monitoring_case")

    @property
    def risks(self) -> list[str]:
        return [r for r in (self.risk_1, self.risk_2, self.risk_3, self.risk_4, self.risk_5) if r]


class AssistanceMeasure(TimestampMixin, Base):
    """帮扶措施 taken for a household (by category and year), optionally for a monitoring case."""

    __tablename__ = "assistance_measures"
    __table_args__ = (Index("ix_assistance_measures_household_year", "household_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    monitoring_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_cases.id", ondelete="SET NULL")
    )
    year: Mapped[int]
    category: Mapped[Code]  # measure_category
    content: Mapped[Text | None]
    unit: Mapped[str | None] = mapped_column(String(100))  # 责任单位（责任人）
    amount: Mapped[Money | None]
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]

    household: Mapped[Household] = relationship(back_populates="measures")
    monitoring_case: Mapped[MonitoringCase | None] = relationship(back_populates="measures")


__all__ = [
    "AssistanceMeasure",
    "ChangeEvent",
    "GuaranteeCheck",
    "Household",
    "HouseholdYear",
    "Member",
    "MonitoringCase",
]
