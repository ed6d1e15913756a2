"""What a printed household form needs, read in batches (one query per table per batch).

``load_sheets(session, ids)`` yields one :class:`HouseholdSheet` per household, in the order
of ``ids``; the forms only read attributes of it, never the database. Batches keep a
township's worth of printing at a steady memory use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    AssistanceMeasure,
    GuaranteeCheck,
    HandbookEntry,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Region,
    VillageTeamMember,
)
from fupin_desktop.models.household import MEMBER_PRESENT
from fupin_desktop.models.region import code_prefix, level_of_code
from fupin_desktop.rules.text import group_sort_key

BATCH = 100

HANDBOOK_MEASURES = "02"  # handbook_section 措施
OTHER_MEASURE = "11"  # 社会帮扶 takes handbook categories with no measure category of their own
# handbook_category → measure_category, so the handbook's 措施 lines count as measures.
HANDBOOK_TO_MEASURE = {
    "01": "01", "02": "02", "03": "07", "04": "05", "05": "08", "06": "03", "07": "10",
    "08": "10", "09": "10", "10": "12", "11": "10", "12": "11", "13": "14", "14": "12",
}


@dataclass(frozen=True)
class MeasureLine:
    """One 帮扶措施 as the forms print it, from an AssistanceMeasure or a handbook 措施 line."""

    category: str  # measure_category code
    content: str
    amount: Decimal | None
    start: dt.date | None
    end: dt.date | None
    unit: str = ""

    def period(self) -> str:
        """「2024.03.05—」 (open) or 「2024.03.05—2025.10.28」; empty when no date is known."""
        if self.start is None and self.end is None:
            return ""
        fmt = (lambda d: "" if d is None else f"{d.year}.{d.month:02d}.{d.day:02d}")
        return f"{fmt(self.start)}—{fmt(self.end)}"


def measure_in_force(measure: AssistanceMeasure, year: int) -> bool:
    """Whether a measure applies in ``year``: it started in or before that year (its start
    date, else the year it was recorded for) and had not ended before it."""
    start_year = measure.start_date.year if measure.start_date else measure.year
    if start_year > year:
        return False
    return measure.end_date is None or measure.end_date.year >= year


@dataclass
class Place:
    """The region chain of a household: 省/市/县/乡/村 names."""

    province: str = ""
    prefecture: str = ""
    county: str = ""
    township: str = ""
    village: str = ""

    def line(self) -> str:
        return "".join(x for x in (self.county, self.township, self.village) if x)


@dataclass
class HouseholdSheet:
    household: Household
    members: list[Member]
    place: Place
    year: int
    years: list[HouseholdYear]  # every recorded year, oldest first
    year_row: HouseholdYear | None  # the printed year (or the latest before it)
    check: GuaranteeCheck | None
    assignments: list[HelperAssignment]  # with .helper loaded, oldest first
    entries: list[HandbookEntry]  # every year, by year then date
    measures: list[AssistanceMeasure]  # those in force in the printed year
    monitoring: MonitoringCase | None  # the latest case
    team: list[VillageTeamMember] = field(default_factory=list)  # village work team now
    # 监测范围 (人均纯收入, 元) of the year of ``year_row``, set by the print service when known.
    monitoring_line: Decimal | None = None

    @property
    def head(self) -> Member | None:
        for m in self.members:
            if m.relation == "01":
                return m
        return self.members[0] if self.members else None

    @property
    def measure_lines(self) -> list[MeasureLine]:
        """The measures in force in the printed year: AssistanceMeasure records, then the
        handbook's 措施 lines of that year, by category."""
        lines = [MeasureLine(m.category, m.content or "", m.amount, m.start_date, m.end_date,
                             m.unit or "") for m in self.measures]
        for e in self.entries:
            if e.section == HANDBOOK_MEASURES and e.year == self.year:
                lines.append(MeasureLine(HANDBOOK_TO_MEASURE.get(e.category or "", OTHER_MEASURE),
                                         e.content or "", e.amount, e.entry_date, None, e.unit or ""))
        return sorted(lines, key=lambda m: (m.category, m.start or dt.date.min))

    def current_helpers(self, on: dt.date | None = None) -> list[HelperAssignment]:
        day = on or dt.date.today()
        return [a for a in self.assignments
                if a.start_date <= day and (a.end_date is None or a.end_date >= day)]


class RegionNames:
    """Names of regions by code, read once per print job."""

    def __init__(self, session: Session):
        self._names = dict(session.execute(select(Region.code, Region.name)).all())

    def name(self, code: str) -> str:
        return self._names.get(code, "")

    def place(self, village_code: str) -> Place:
        c = village_code
        return Place(
            province=self.name(c[:2] + "0" * 10),
            prefecture=self.name(c[:4] + "0" * 8),
            county=self.name(c[:6] + "0" * 6),
            township=self.name(c[:9] + "000"),
            village=self.name(c) if level_of_code(c) == "village" else "",
        )


def households_in_region(session: Session, region_code: str) -> list[int]:
    """Active households under a region (any level), in print order: village, 组, 户编号.

    Raises UserError for an unknown or malformed code.
    """
    try:
        prefix = code_prefix(region_code)
    except ValueError as err:
        raise UserError(f"区划代码有误：{region_code}。请输入12位数字的乡镇或村代码。") from err
    if session.scalar(select(Region.id).where(Region.code == region_code)) is None:
        raise UserError(f"没有区划代码为 {region_code} 的乡镇或村。请检查代码。")
    stmt = (
        select(Household.id, Household.region_code, Household.group_name, Household.household_no)
        .where(Household.region_code.like(prefix + "%"), Household.status == "01")
    )
    rows = session.execute(stmt).all()
    rows.sort(key=lambda r: (r.region_code, group_sort_key(r.group_name), r.household_no or "", r.id))
    return [r.id for r in rows]


def household_ids_by_number(session: Session, numbers: Sequence[str]) -> list[int]:
    """Household ids for 户编号 values (in the given order); UserError names the unknown."""
    rows = dict(session.execute(
        select(Household.household_no, Household.id).where(Household.household_no.in_(numbers))
    ).all())
    unknown = [n for n in numbers if n not in rows]
    if unknown:
        raise UserError(f"没有户编号为 {'、'.join(unknown[:5])} 的户。请检查户编号。")
    return [rows[n] for n in numbers]


def default_year(session: Session | None = None) -> int:
    """The year household forms are printed for unless the clerk picks one: this year (a
    measure recorded this year shows; income figures come from the latest year on record
    and are labelled with their own year)."""
    return dt.date.today().year


def load_sheets(
    session: Session, household_ids: Sequence[int], year: int | None = None,
    *, regions: RegionNames | None = None,
) -> Iterator[HouseholdSheet]:
    """One sheet per household id, in order, loaded ``BATCH`` households at a time."""
    regions = regions or RegionNames(session)
    year = year or default_year(session)
    teams: dict[str, list[VillageTeamMember]] = {}
    today = dt.date.today()
    for start in range(0, len(household_ids), BATCH):
        ids = list(household_ids[start:start + BATCH])
        households = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}
        members = _group(session.scalars(
            select(Member).where(Member.household_id.in_(ids), Member.status == MEMBER_PRESENT)
            .order_by(Member.household_id, Member.seq, Member.id)))
        years = _group(session.scalars(
            select(HouseholdYear).where(HouseholdYear.household_id.in_(ids))
            .order_by(HouseholdYear.household_id, HouseholdYear.year)))
        checks = _group(session.scalars(
            select(GuaranteeCheck).where(GuaranteeCheck.household_id.in_(ids))
            .order_by(GuaranteeCheck.household_id, GuaranteeCheck.year)))
        assignments = _group(session.scalars(
            select(HelperAssignment).where(HelperAssignment.household_id.in_(ids))
            .order_by(HelperAssignment.household_id, HelperAssignment.start_date,
                      HelperAssignment.id)))
        helper_ids = {a.helper_id for rows in assignments.values() for a in rows}
        entries = _group(session.scalars(
            select(HandbookEntry).where(HandbookEntry.household_id.in_(ids))
            .order_by(HandbookEntry.household_id, HandbookEntry.year, HandbookEntry.section,
                      HandbookEntry.entry_date, HandbookEntry.id)))
        helper_ids |= {e.helper_id for rows in entries.values() for e in rows if e.helper_id}
        if helper_ids:  # loads them into the identity map: a.helper needs no more queries
            list(session.scalars(select(Helper).where(Helper.id.in_(helper_ids))))
        measures = _group(session.scalars(
            select(AssistanceMeasure).where(AssistanceMeasure.household_id.in_(ids),
                                            AssistanceMeasure.year <= year)
            .order_by(AssistanceMeasure.household_id, AssistanceMeasure.category,
                      AssistanceMeasure.start_date, AssistanceMeasure.id)))
        cases = _group(session.scalars(
            select(MonitoringCase).where(MonitoringCase.household_id.in_(ids))
            .order_by(MonitoringCase.household_id, MonitoringCase.identified_ym)))
        for hid in ids:
            hh = households.get(hid)
            if hh is None:
                continue
            hh_years = years.get(hid, [])
            year_row = None
            for y in hh_years:
                if y.year <= year:
                    year_row = y
            hh_checks = [c for c in checks.get(hid, []) if c.year <= year]
            village = hh.region_code
            if village not in teams:
                teams[village] = list(session.scalars(
                    select(VillageTeamMember).where(
                        VillageTeamMember.region_code == village,
                        VillageTeamMember.start_date <= today,
                        (VillageTeamMember.end_date.is_(None)) | (VillageTeamMember.end_date >= today),
                    ).order_by(VillageTeamMember.is_first_secretary.desc(),
                               VillageTeamMember.is_leader.desc(), VillageTeamMember.id)))
            hh_cases = cases.get(hid, [])
            yield HouseholdSheet(
                household=hh,
                members=members.get(hid, []),
                place=regions.place(village),
                year=year,
                years=hh_years,
                year_row=year_row,
                check=hh_checks[-1] if hh_checks else None,
                assignments=assignments.get(hid, []),
                entries=entries.get(hid, []),
                measures=[m for m in measures.get(hid, []) if measure_in_force(m, year)],
                monitoring=hh_cases[-1] if hh_cases else None,
                team=teams[village],
            )
        # Drop the batch from the session: a township must not pile up in the identity map.
        session.expunge_all()


def _group(rows) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in rows:
        out[row.household_id].append(row)
    return out
