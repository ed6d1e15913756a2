"""The demo county's rows: the deterministic generator behind ``services.demo``.

``packages(...)`` yields the whole county, batch by batch, as rows ready for the database:
one province → prefecture → county chain, townships and villages, households with members,
two income years, 三保障 checks, monitoring cases and measures, helpers and their
assignments, village work teams, handbook entries, a project library through every workflow
status with funds and disbursements, and the asset ledger formed from finished projects with
incomes and their distribution.

The same arguments always give the same rows: one ``random.Random(seed)`` drives everything,
every date is relative to a fixed reference date (never today's date), and primary keys are
assigned here (from the first free ids passed in) so children reference parents without a
round trip. This module never touches the database and imports no SQLAlchemy, so
``services.demo`` can run it in a second process that starts in a fraction of a second
(``services.producer``) while it writes the previous batch.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fupin_desktop.rules.helper_load import LOAD_LIMITS
from fupin_desktop.rules.idnumber import check_char
from fupin_desktop.rules.names import name_initials, name_sort_key
from fupin_desktop.services import demo_data as D

__all__ = ["BATCH_HOUSEHOLDS", "REFERENCE_DATE", "TABLE_ORDER", "Package", "packages", "project_count"]

REFERENCE_DATE = dt.date(2026, 10, 31)
INCOME_YEARS = (2024, 2025)
CHECK_YEAR = 2025
BATCH_HOUSEHOLDS = 2000

# Tables in foreign-key order (parents first); every package lists its tables in this order.
TABLE_ORDER = (
    "regions", "helpers", "households", "members", "household_years", "guarantee_checks",
    "monitoring_cases", "assistance_measures", "change_events", "helper_assignments",
    "village_team_members", "handbook_entries", "projects", "project_fundings",
    "project_status_logs", "disbursements", "project_indicators", "project_checklist_items",
    "project_beneficiaries", "assets", "asset_fundings", "asset_incomes",
    "income_distributions", "asset_maintenance", "asset_disposals", "asset_number_sequences",
)
_TABLE_ORDER = {name: i for i, name in enumerate(TABLE_ORDER)}

# Code values the generator writes directly. They are the models' constants of the same
# names (fupin_desktop.models.household; a test keeps them equal), repeated here so that
# the producer process need not import SQLAlchemy and the ORM.
RELATION_HEAD = "01"
RELATION_SPOUSE = "02"
MEMBER_PRESENT = "01"
MEMBER_LEFT = "02"
HOUSEHOLD_ACTIVE = "01"
MONITORING_ACTIVE = "06"
MONITORING_ELIMINATED = "07"

# Household sizes 1..8 (mean ≈ 3.55).
_SIZE_WEIGHTS = (10, 20, 22, 21, 14, 8, 3, 2)


@dataclass
class _Village:
    code: str
    name: str
    township_code: str
    township_name: str
    government: str  # the township's 人民政府, 「望谟县复兴镇人民政府」
    is_poor: bool
    households: int
    groups: tuple[str, ...] = ()
    natural_villages: tuple[str, ...] = ()
    first_hh_id: int = 0  # households of a village get consecutive ids
    address_prefix: str = ""  # 县乡村 part of a household address


def project_count(households: int) -> int:
    """How many projects a county of ``households`` households gets."""
    return max(20, round(households / 40))


# A package: the rows of one generator step, in foreign-key order, as a list of
# ``(table, columns, rows)``: ``columns`` names the fields of tuple rows (the hot tables,
# driver-ready values, see ``HOUSEHOLD_COLUMNS`` …) or is ``None`` for dict rows.
Package = list[tuple[str, "tuple[str, ...] | None", list[Any]]]


def packages(
    households: int,
    seed: int,
    reference_date: dt.date,
    batch_households: int,
    next_ids: dict[str, int],
    existing_regions: set[str],
) -> Iterator[tuple[int, Package, tuple[int, int] | None]]:
    """The whole county as ``(households done, package, info)`` items: the regions (``info``
    = (villages, townships)), one package per batch of villages, then the projects and
    assets in a few packages (``households done`` counts projects on top of the households). ``next_ids`` are the first free id of each table and ``existing_regions`` the
    region codes already in the database (they are not written again)."""
    gen = _Generator(households, seed, reference_date)
    gen.next_id = dict(next_ids)
    rows = _Rows()
    gen.bind(rows)
    villages = gen.plan_regions(existing_regions, rows)
    yield 0, rows.take(), (len(villages), len({v.township_code for v in villages}))
    done = 0
    for batch in _village_batches(villages, batch_households):
        for village in batch:
            gen.village(village, rows)
        done += sum(v.households for v in batch)
        yield done, rows.take(), None
    for projects_done in gen.projects(villages, rows):
        yield households + projects_done, rows.take(), None


def _village_batches(villages: list[_Village], size: int):
    batch: list[_Village] = []
    count = 0
    for village in villages:
        batch.append(village)
        count += village.households
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch



class _Rows:
    """Where the generator puts its rows until ``take`` hands them over as a package.

    The per-household tables are appended as tuples (or lists) to the lists ``buffer``
    returns, in the given column order, holding SQLite-ready values: dates as ISO text,
    Numeric as float, JSON as text, booleans as 1/0 (sqlite3 binds a bool or None several
    times slower than an int). Building 1.2 million dicts cost more than SQLite's own work.
    Everything else is ``add``-ed as dicts of Python values."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self._buffers: dict[str, tuple[tuple[str, ...], list[Any]]] = {}

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def buffer(self, table: str, columns: tuple[str, ...]) -> list[Any]:
        """The list to append ``table``'s tuple rows to; emptied in place by ``take``, so
        callers may keep it."""
        if table in self._buffers:
            raise ValueError(f"table {table} already has a buffer")
        self._buffers[table] = (columns, [])
        return self._buffers[table][1]

    def take(self) -> Package:
        """Everything added since the last call, parents first."""
        out: Package = []
        for name in sorted(set(self.rows) | set(self._buffers), key=_TABLE_ORDER.__getitem__):
            buffered = self._buffers.get(name)
            if buffered is not None and buffered[1]:
                columns, rows = buffered
                out.append((name, columns, rows[:]))
                rows.clear()
            dicts = self.rows.get(name)
            if dicts:
                out.append((name, None, dicts))
        self.rows = {}
        return out



def _ym(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _split(total: int, weights: list[float]) -> list[int]:
    """Split an integer amount by weights so the parts add up exactly (largest remainder)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    parts = [int(x) for x in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[:rest]:
        parts[i] += 1
    return parts




# ----------------------------------------------------------------------------- hot tables
# The per-household tables are built as tuples in these column orders (see ``_Rows``).

HELPER_COLUMNS = (
    "id", "name", "sex", "id_number", "political_status", "unit_name", "unit_level", "title",
    "cadre_rank", "phone", "active", "note",
)
HOUSEHOLD_COLUMNS = (
    "id", "household_no", "region_code", "group_name", "natural_village", "address", "phone",
    "bank_name", "bank_account", "head_name", "head_name_sort", "head_id18", "member_count",
    "identification_standard", "poverty_attribute", "main_cause", "other_causes", "exit_status",
    "exit_year", "identified_year", "household_type", "monitoring_category",
    "is_military_martyr_family", "is_one_child", "is_two_daughters",
    "whole_household_no_labour", "in_relocation_site", "record_valid", "status",
    "code_list_era", "version",
)
MEMBER_COLUMNS = (
    "id", "household_id", "seq", "person_no", "name", "name_initials", "id_type", "id_number",
    "id18", "id_tail", "sex", "birth_date", "ethnicity", "relation", "political_status",
    "education", "school_status", "out_of_school_reason", "health", "disability_type",
    "disability_grade", "disability_cert_year", "labour_skill", "work_status", "work_place",
    "employer", "work_months", "works_abroad", "public_welfare_job", "public_welfare_months",
    "has_resident_medical", "has_employee_medical", "has_critical_illness_ins",
    "has_commercial_supplement", "has_medical_aid", "has_resident_pension",
    "has_employee_pension", "accident_ins_subsidy", "is_dibao", "is_tekun", "speaks_mandarin",
    "phone", "status", "left_on", "left_reason", "joined_on", "joined_reason",
)
(_M_ID, _M_NAME, _M_ID18, _M_HEALTH, _M_SCHOOL, _M_OUT_REASON, _M_LABOUR, _M_WORK_STATUS,
 _M_WORK_MONTHS, _M_PWJ_MONTHS, _M_RESIDENT_MEDICAL, _M_EMPLOYEE_MEDICAL, _M_DIBAO, _M_TEKUN,
 _M_PHONE, _M_STATUS, _M_LEFT_ON, _M_LEFT_REASON, _M_JOINED_ON) = (
    MEMBER_COLUMNS.index(c) for c in (
        "id", "name", "id18", "health", "school_status", "out_of_school_reason", "labour_skill",
        "work_status", "work_months", "public_welfare_months", "has_resident_medical",
        "has_employee_medical", "is_dibao", "is_tekun", "phone", "status", "left_on",
        "left_reason", "joined_on",
    )
)
_M_RELATION, _M_BIRTH, _M_JOINED_REASON = (
    MEMBER_COLUMNS.index(c) for c in ("relation", "birth_date", "joined_reason"))
_JOINED_EVERY = 41  # one household in this many gets a spouse who joined lately
CONDITION_COLUMNS = (
    "arable_mu", "confirmed_arable_mu", "irrigated_mu", "dry_field_mu", "paddy_field_mu",
    "forest_mu", "grain_to_green_mu", "orchard_mu", "pasture_mu", "water_surface_mu",
    "housing_area", "house_structure", "access_road_type", "distance_to_main_road_km",
    "main_fuel", "has_household_power", "has_production_power", "has_tv_signal",
    "has_sanitary_toilet", "safe_drinking_water", "drinking_water_difficulty", "water_source",
    "in_cooperative", "led_by_enterprise", "led_by_entrepreneur",
)
HOUSEHOLD_YEAR_COLUMNS = (
    "id", "household_id", "year", "household_type", "poverty_attribute", "monitoring_category",
    "household_size", "wage_income", "business_income", "property_income", "transfer_income",
    "annual_income", "net_income", "per_capita_net_income",
    "public_welfare_job_income", "other_wage_income", "industry_reward", "employment_reward",
    "asset_dividend_income", "land_transfer_income", "other_property_income",
    "family_planning_income", "dibao_income", "tekun_income", "pension_income",
    "eco_compensation_income", "other_transfer_income", "business_expense",
    "expense_reduction_subsidy", "claims_income", "compliant_self_paid",
) + CONDITION_COLUMNS + ("is_dangerous_house", "danger_level")
CHECK_COLUMNS = (
    "id", "household_id", "year", "food_worry", "clothing_worry", "housing_problem",
    "education_problem", "medical_problem", "water_problem", "confirmed", "checked_by",
    "checked_on", "resolved_on", "note",
)
CASE_COLUMNS = (
    "id", "household_id", "category", "state", "discovery_channel", "identified_ym", "risk_1",
    "risk_2", "risk_3", "disaster_subtype", "risk_eliminated", "elimination_mode",
    "eliminated_ym", "eliminated_on", "dev_measures_status", "dibao_status", "tekun_status",
    "monitor_contact", "monitor_phone", "income_threshold", "per_capita_threshold", "note",
)
MEASURE_COLUMNS = (
    "id", "household_id", "monitoring_case_id", "year", "category", "content", "unit", "amount",
    "start_date", "end_date",
)
EVENT_COLUMNS = (
    "id", "household_id", "member_id", "type", "reason", "effective_date", "reported_month",
    "doc_no", "approved_by", "recorded_by", "note",
)
ASSIGNMENT_COLUMNS = ("id", "helper_id", "household_id", "role", "start_date", "end_date", "note")
HANDBOOK_COLUMNS = (
    "id", "household_id", "year", "section", "category", "unit", "content", "amount", "scale",
    "deadline", "entry_date", "helper_id", "findings", "household_signed", "note",
)

_TENTHS_F = [i / 10 for i in range(0, 3001)]
# Given-name characters by [born 1995 or later][male].
_NAME_POOLS = (
    (D.FEMALE_CHARS, D.MALE_CHARS),
    (D.YOUNG_FEMALE_CHARS, D.YOUNG_MALE_CHARS),
)
_SEQ2 = [f"{i:02d}" for i in range(100)]
_SEQ3 = [f"{i:03d}" for i in range(1000)]
_NOT_DANGEROUS = (0, "0")
_CHILD_RELATIONS = frozenset(("03", "04", "07", "08"))
_HEAD_LINE_RELATIONS = frozenset(("01", "11", "21"))
# (relation, male, lowest age, highest age) of a member who left.
_LEFT_KINDS = (("11", True, 75, 95), ("12", False, 75, 95), ("04", False, 20, 28), ("03", True, 20, 30))
_FINDINGS = (
    "家庭生产生活正常，无返贫致贫风险", "家中老人患慢性病，已落实家庭医生签约服务",
    "务工收入稳定，子女在校就读正常",
)


def _cum(weights: tuple[float, ...]) -> list[float]:
    return list(itertools.accumulate(weights))


_SIZE_CUM = _cum(_SIZE_WEIGHTS)
_SURNAME_CUM = _cum(D.SURNAME_WEIGHTS)
_ETHNICITY_CUM = _cum(D.ETHNICITY_WEIGHTS)
_CAUSE_CUM = _cum(D.POVERTY_CAUSE_WEIGHTS)
_CAUSE_TOTAL, _CAUSE_HI = _CAUSE_CUM[-1] + 0.0, len(_CAUSE_CUM) - 1


def _main_cause_cum(sick: bool, disabled: bool, students: bool) -> list[int]:
    weights = list(D.POVERTY_CAUSE_WEIGHTS)
    if sick:
        weights[0] *= 4
    if disabled:
        weights[1] *= 5
    if students:
        weights[2] *= 2
    return _cum(tuple(weights))


# By 4 × someone ill + 2 × someone disabled + students.
_MAIN_CAUSE_CUMS = [_main_cause_cum(i >= 4, i % 4 >= 2, i % 2 == 1) for i in range(8)]
_IDENTIFIED_YEARS, _IDENTIFIED_CUM = (2014, 2015, 2016, 2017), _cum((70, 15, 10, 5))
_EXIT_YEARS, _EXIT_CUM = tuple(range(2014, 2021)), _cum((3, 8, 14, 18, 22, 20, 15))
_EDUCATION_BY_BIRTH = (  # born before 1955, 1975, 1995, later
    (("01", "02", "03"), _cum((45, 45, 10))),
    (("01", "02", "03", "04"), _cum((15, 45, 35, 5))),
    (("02", "03", "04", "07"), _cum((20, 55, 18, 7))),
    (("03", "04", "07", "08"), _cum((40, 32, 18, 10))),
)
_LABOUR_WORKING_AGE = (("01", "02", "03"), _cum((72, 16, 12)))
_LABOUR_WORKING_AGE_ILL = (("01", "02", "03"), _cum((72, 16, 40)))
_LABOUR_60 = (("01", "03", "05"), _cum((40, 50, 10)))
_WORK_STATUSES, _WORK_STATUS_CUM = ("01", "02", "03", "04"), _cum((10, 20, 28, 42))
_STRUCTURES, _STRUCTURE_CUM = ("01", "02", "03", "05", "99"), _cum((20, 50, 24, 4, 2))
_WATER_SOURCES, _WATER_SOURCE_CUM = ("01", "02", "05"), _cum((82, 16, 2))
_HANDBOOK_SECTIONS, _HANDBOOK_SECTION_CUM = ("01", "02", "03", "06"), _cum((20, 30, 20, 30))


@functools.lru_cache(maxsize=None)
def _iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


# ----------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self, households: int, seed: int, ref: dt.date) -> None:
        self.n = households
        self.rng = random.Random(seed)
        self.rand = self.rng.random
        self._cums: dict[tuple[int, ...], list[float]] = {}
        self.ref = ref
        self.ref_ord = ref.toordinal()
        school_year = ref.year if ref.month >= 9 else ref.year - 1
        self.school_day = dt.date(school_year, 9, 1)
        self.project_count = project_count(households)
        self._seq_used: dict[int, int] = {}
        self.next_id: dict[str, int] = {}
        # Per household, for projects and asset incomes: head name and member count.
        self.head_names: dict[int, str] = {}
        self.hh_size: dict[int, int] = {}
        self._avg_sizes: dict[str, float] = {}  # by village code
        # ordinal -> see ``_day``
        self._days: dict[int, tuple[str, int, int, int, str, list[str], int]] = {}
        # ID number tails (see ``_tails``) by the check character of the first 14 + "000".
        self._tails: dict[str, list[str]] = {}
        self._json: dict[tuple[str, ...], str] = {}
        # Day ranges (ordinals) the household hot path draws from.
        o = dt.date.toordinal
        self._left_from = o(dt.date(2022, 1, 1))
        self._left_span = max(1, self.ref_ord - 5 - self._left_from + 1)
        self._assign_from = o(dt.date(2021, 3, 1))
        self._assign_span = o(dt.date(2021, 6, 30)) - self._assign_from + 1
        self._change_from = o(dt.date(2022, 1, 1))
        self._change_span = o(dt.date(2025, 12, 31)) - self._change_from + 1
        self._check_from = o(dt.date(CHECK_YEAR, 9, 1))
        self._check_span = o(dt.date(CHECK_YEAR, 11, 30)) - self._check_from + 1
        self._handbook_days = {
            year: (o(dt.date(year, 1, 5)), max(o(dt.date(year, 1, 5)), min(self.ref_ord, o(dt.date(year, 12, 31)))))
            for year in (2024, 2025, 2026)
        }

    def bind(self, w: _Rows) -> None:
        """Take the row buffers for the per-household tables."""
        self._b_helpers = w.buffer("helpers", HELPER_COLUMNS)
        self._b_households = w.buffer("households", HOUSEHOLD_COLUMNS)
        self._b_members = w.buffer("members", MEMBER_COLUMNS)
        self._b_years = w.buffer("household_years", HOUSEHOLD_YEAR_COLUMNS)
        self._b_checks = w.buffer("guarantee_checks", CHECK_COLUMNS)
        self._b_cases = w.buffer("monitoring_cases", CASE_COLUMNS)
        self._b_measures = w.buffer("assistance_measures", MEASURE_COLUMNS)
        self._b_events = w.buffer("change_events", EVENT_COLUMNS)
        self._b_assignments = w.buffer("helper_assignments", ASSIGNMENT_COLUMNS)
        self._b_handbook = w.buffer("handbook_entries", HANDBOOK_COLUMNS)

    # -- ids ---------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def person_id(self, birth: dt.date, male: bool) -> tuple[str, dt.date]:
        """A county ID number unique in this run; the birth date moves a day if a day is full."""
        id18, day = self.person_id_day(birth.toordinal(), male)
        return id18, dt.date.fromordinal(day[6])

    def person_id_day(self, birth_ord: int, male: bool) -> tuple[str, tuple]:
        """``person_id`` on day ordinals (the hot path): the ID number and the ``_day`` of
        the birth date it got."""
        seq_used = self._seq_used
        while True:
            key = birth_ord * 2 + (1 if male else 0)
            k = seq_used.get(key)
            if k is None:
                k = (key * 37) % 120  # start somewhere different each day
            if k < 499:
                break
            birth_ord += 1
        seq_used[key] = k + 1
        day = self._days.get(birth_ord) or self._day(birth_ord)
        return day[4] + day[5][2 * k + 1 if male else 2 * k + 2], day

    def _day(self, ordinal: int) -> tuple[str, int, int, int, str, list[str], int]:
        """(ISO text, year, age on the reference date, school age, ID number's first 14
        digits, the ID number tails for them, the ordinal)."""
        day = self._days.get(ordinal)
        if day is None:
            d = dt.date.fromordinal(ordinal)
            ref, school = self.ref, self.school_day
            prefix = f"{D.COUNTY_PREFIX}{d.year:04d}{d.month:02d}{d.day:02d}"
            day = self._days[ordinal] = (
                d.isoformat(),
                d.year,
                ref.year - d.year - ((ref.month, ref.day) < (d.month, d.day)),
                school.year - d.year - ((school.month, school.day) < (d.month, d.day)),
                prefix,
                self._id_tails(prefix),
                ordinal,
            )
        return day

    def _id_tails(self, prefix14: str) -> list[str]:
        """The last four characters of an ID number starting with ``prefix14``, by sequence
        number 0..999: the three digits and the check character. The GB 11643 check is a
        weighted digit sum mod 11, so the prefix enters it only through that sum, which the
        check character of ``prefix14 + "000"`` identifies: prefixes sharing it share every
        tail. Eleven lists at most, each built with ``check_char`` itself."""
        key = check_char(prefix14 + "000")
        tails = self._tails.get(key)
        if tails is None:
            tails = self._tails[key] = [seq + check_char(prefix14 + seq) for seq in _SEQ3]
        return tails

    def _json_list(self, items: list[str]) -> str:
        key = tuple(items)
        text = self._json.get(key)
        if text is None:
            text = self._json[key] = json.dumps(items)
        return text

    # -- small random helpers ----------------------------------------------------------
    # random.randint/choice/choices cost several times more than random(); these are the
    # hot path of a 100 000-household run.

    def ri(self, low: int, high: int) -> int:
        """Uniform integer in [low, high]."""
        return low + int(self.rand() * (high - low + 1))

    def one(self, items: Any) -> Any:
        return items[int(self.rand() * len(items))]

    def pick(self, items: Any, weights: tuple[float, ...]) -> Any:
        """One of ``items`` with the given relative weights."""
        cum = self._cums.get(weights)
        if cum is None:
            cum = self._cums[weights] = list(itertools.accumulate(weights))
        return items[bisect.bisect(cum, self.rand() * cum[-1])]

    def phone(self) -> str:
        rand = self.rand
        return f"1{'3578'[int(rand() * 4)]}{int(rand() * 1e9):09d}"

    def name(self, surname: str, male: bool, birth_year: int) -> str:
        pool = _NAME_POOLS[birth_year >= 1995][male]
        if self.rand() < 0.8:
            return surname + self.one(pool) + self.one(pool)
        return surname + self.one(pool)

    def surname(self) -> str:
        return D.SURNAMES[bisect.bisect(_SURNAME_CUM, self.rand() * _SURNAME_CUM[-1])]

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        a, b = start.toordinal(), end.toordinal()
        if b <= a:
            return start
        return dt.date.fromordinal(a + int(self.rand() * (b - a + 1)))

    # -- regions -----------------------------------------------------------------------

    def plan_regions(self, existing: set[str], w: _Rows) -> list[_Village]:
        r = self.rng
        n_town = min(len(D.TOWNSHIP_NAMES), max(3, round(self.n / 3000)))
        n_vill = max(2 * n_town, round(self.n / 300))
        n_vill = min(n_vill, self.n)  # at least one household per village
        n_town = min(n_town, max(1, n_vill // 2)) if self.n < 6 else n_town
        town_names = D.TOWNSHIP_NAMES[:n_town]
        # At least two villages per township, the rest spread at random.
        per_town = [min(2, n_vill // n_town) for _ in range(n_town)]
        for _ in range(n_vill - sum(per_town)):
            per_town[r.randrange(n_town)] += 1
        weights = [r.uniform(0.5, 1.5) for _ in range(n_vill)]
        sizes = _split(self.n - n_vill, weights)
        sizes = [s + 1 for s in sizes]

        def region(code: str, name: str, level: str, parent: str | None, **extra: Any) -> None:
            if code in existing:
                return
            w.add(
                "regions",
                {
                    "id": self.new_id("regions"),
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_code": parent,
                    "urban_rural_code": extra.get("urban_rural_code"),
                    "is_poor_village": extra.get("is_poor_village", False),
                    "valid": True,
                },
            )

        region(D.PROVINCE[0], D.PROVINCE[1], "province", None)
        region(D.PREFECTURE[0], D.PREFECTURE[1], "prefecture", D.PROVINCE[0])
        region(D.COUNTY[0], D.COUNTY[1], "county", D.PREFECTURE[0])
        used_names: set[str] = set()
        villages: list[_Village] = []
        town_no = {"镇": 100, "乡": 200}
        vi = 0
        for t, tname in enumerate(town_names):
            kind = "乡" if tname.endswith("乡") else "镇"
            tcode9 = f"{D.COUNTY_PREFIX}{town_no[kind]:03d}"
            town_no[kind] += 1
            tcode = tcode9 + "000"
            region(tcode, tname, "township", D.COUNTY[0], urban_rural_code="210")
            for k in range(per_town[t]):
                vname = self._village_name(used_names)
                poor = r.random() < 0.4
                vcode = f"{tcode9}{200 + k:03d}"
                region(vcode, vname, "village", tcode, urban_rural_code="220", is_poor_village=poor)
                n_groups = self.ri(4, 10)
                stem = vname[0]
                naturals = tuple(
                    dict.fromkeys(
                        stem + self.one(D.VILLAGE_SECOND) + self.one(D.NATURAL_VILLAGE_SUFFIX)
                        for _ in range(self.ri(2, 5))
                    )
                )
                villages.append(
                    _Village(
                        code=vcode,
                        name=vname,
                        township_code=tcode,
                        township_name=tname,
                        government=f"{D.COUNTY[1]}{tname}人民政府",
                        is_poor=poor,
                        households=sizes[vi],
                        groups=D.GROUP_NAMES[:n_groups],
                        natural_villages=naturals,
                    )
                )
                vi += 1
        return villages

    def _village_name(self, used: set[str]) -> str:
        for length in itertools.cycle((2, 2, 2, 3)):
            chars = self.one(D.VILLAGE_FIRST) + "".join(
                self.one(D.VILLAGE_SECOND) for _ in range(length - 1)
            )
            name = chars + "村"
            if name not in used:
                used.add(name)
                return name
        raise AssertionError("unreachable")

    # -- one village: helpers, team, households ------------------------------------------

    def village(self, v: _Village, w: _Rows) -> None:
        rand = self.rand
        helpers = self._helpers(v, w)
        self._team(v, w)
        v.first_hh_id = self.next_id["households"]
        v.address_prefix = f"{D.COUNTY[1]}{v.township_name}{v.name}"
        n_help = len(helpers)
        # 4-3-2-1: each helper takes as many households as the rank allows, in turn.
        slots = [h for h, limit in helpers for _ in range(limit)]
        household = self._household
        for j in range(v.households):
            helper = slots[j]
            old = helpers[int(rand() * n_help)][0] if n_help > 1 else None
            household(v, helper, old if old is not helper else None)

    def _cadre(self, unit_level: str | None = None) -> dict[str, Any]:
        r = self.rng
        male = r.random() < 0.68
        birth = dt.date.fromordinal(self.ref_ord - self.ri(24 * 365, 57 * 365))
        id_number, birth = self.person_id(birth, male)
        name = self.name(self.surname(), male, birth.year)
        return {
            "name": name,
            "sex": "1" if male else "2",
            "id_number": id_number,
            "political_status": "01" if r.random() < 0.8 else "13",
            "phone": self.phone(),
            "birth": birth,
        }

    def _helpers(self, v: _Village, w: _Rows) -> list[tuple[tuple[int, str, str, str], int]]:
        """The village's 帮扶责任人, each with the most households the 4-3-2-1 rule lets
        them help; together they can take every household of the village."""
        r = self.rng
        out = []
        capacity = 0
        while capacity < max(1, v.households):
            person = self._cadre()
            rank = self.pick(D.CADRE_RANKS, D.CADRE_RANK_WEIGHTS)
            x = r.random()
            if rank == "01" or x < 0.55:
                unit, level = self.one(D.COUNTY_UNITS), "50"
            elif x < 0.85:
                unit, level = v.government, "60"
            elif x < 0.95:
                unit, level = self.one(D.PREFECTURE_UNITS), "40"
            else:
                unit, level = self.one(D.PROVINCE_UNITS), "20"
            if rank == "01":
                unit, level = "中共望谟县委员会", "50"
            hid = self.new_id("helpers")
            active = r.random() > 0.03
            self._b_helpers.append((
                hid, person["name"], person["sex"], person["id_number"],
                person["political_status"], unit, level, self.one(D.TITLES[rank]), rank,
                person["phone"], 1 if active else 0, None if active else "已调离",
            ))
            limit = LOAD_LIMITS[rank]
            out.append(((hid, person["name"], person["phone"], unit), limit))
            capacity += limit
        return out

    def _team(self, v: _Village, w: _Rows) -> None:
        r = self.rng
        start = dt.date(2023, 6, 1) if r.random() < 0.6 else dt.date(2021, 6, 1)

        def member(role: str, *, start: dt.date, end: dt.date | None, township: bool = False) -> None:
            p = self._cadre()
            if township:
                unit, level, title = v.government, "60", "干部"
            elif r.random() < 0.75:
                unit, level, title = self.one(D.COUNTY_UNITS), "50", self.one(("副局长", "股长", "科员"))
            else:
                unit, level, title = self.one(D.PREFECTURE_UNITS + D.PROVINCE_UNITS), "40", "科员"
            w.add(
                "village_team_members",
                {
                    "id": self.new_id("village_team_members"),
                    "region_code": v.code,
                    "name": p["name"],
                    "sex": p["sex"],
                    "id_number": p["id_number"],
                    "education": self.one(("07", "08", "08")),
                    "political_status": "01" if role in ("sec", "lead") else p["political_status"],
                    "speciality": self.one(("农业技术", "财务管理", "基层党建", "工程建设", "电子商务", None)),
                    "unit_name": unit,
                    "unit_title": title,
                    "unit_level": level,
                    "phone": p["phone"],
                    "is_first_secretary": role in ("sec", "sec+lead"),
                    "is_leader": role in ("lead", "sec+lead"),
                    "is_deputy_leader": role == "deputy",
                    "is_member": role == "member",
                    "is_village_cadre": role == "cadre",
                    "start_date": start,
                    "end_date": end,
                },
            )

        if start.year == 2023 and r.random() < 0.5:
            member("sec+lead", start=dt.date(2021, 6, 1), end=dt.date(2023, 5, 31))
        if r.random() < 0.6:
            member("sec+lead", start=start, end=None)
        else:
            member("sec", start=start, end=None)
            member("lead", start=start, end=None)
        for _ in range(self.ri(1, 2)):
            member("member", start=start, end=None)
        member("cadre", start=dt.date(2021, 3, 1), end=None, township=True)

    # -- one household ----------------------------------------------------------------

    def _people(self) -> list[tuple[str, bool, int]]:
        """(relation, male, age) of each person, 户主 first then 配偶."""
        r = self.rng
        size = 1 + bisect.bisect(_SIZE_CUM, self.rand() * _SIZE_CUM[-1])
        head_age = self.ri(24, 86) if size > 1 else self.ri(40, 90)
        head_male = r.random() < (0.86 if size > 1 else 0.6)
        people = [(RELATION_HEAD, head_male, head_age)]
        if size == 1:
            return people
        if r.random() < (0.9 if head_age < 70 else 0.6):
            people.append((RELATION_SPOUSE, not head_male, max(20, head_age + self.ri(-6, 4))))
        slots = size - len(people)
        others: list[tuple[str, bool, int]] = []
        if head_age < 45:
            for _ in range(3):
                age = max(0, head_age - self.ri(21, 33))
                others.append(("03", True, age) if r.random() < 0.52 else ("04", False, age))
            if head_age + 24 < 92:
                others.insert(1, ("12", False, head_age + self.ri(22, 32)))
                others.append(("11", True, head_age + self.ri(25, 34)))
        elif head_age < 65:
            son_age = head_age - self.ri(21, 30)
            others.append(("03", True, son_age))
            if son_age >= 21:
                others.append(("05", False, max(20, son_age + self.ri(-4, 2))))
                for _ in range(3):
                    age = max(0, min(son_age - 20, self.ri(0, max(0, son_age - 20))))
                    others.append(("07", True, age) if r.random() < 0.52 else ("08", False, age))
            others.insert(1, ("04", False, head_age - self.ri(20, 32)))
            if head_age + 22 < 95:
                others.append(("12", False, head_age + self.ri(22, 30)))
        else:
            son_age = head_age - self.ri(23, 34)
            others.append(("03", True, son_age))
            others.append(("05", False, max(20, son_age + self.ri(-4, 3))))
            for _ in range(4):
                age = self.ri(0, max(0, son_age - 20))
                others.append(("07", True, age) if r.random() < 0.52 else ("08", False, age))
            others.insert(2, ("04", False, head_age - self.ri(22, 35)))
        if len(others) < slots:
            others.append(("21", r.random() < 0.5, max(16, head_age + self.ri(-10, 10))))
            others.append(("99", r.random() < 0.5, self.ri(5, 70)))
        return people + others[:slots]

    def _household(
        self,
        v: _Village,
        helper: tuple[int, str, str, str],
        old_helper: tuple[int, str, str, str] | None,
    ) -> None:
        rand = self.rand
        ref_ord = self.ref_ord
        next_id = self.next_id
        hid = next_id["households"]
        next_id["households"] = hid + 1
        household_no = f"{D.COUNTY_PREFIX}{hid:08d}"
        people = self._people()
        family_surname = self.surname()
        ethnicity = D.ETHNICITIES[bisect.bisect(_ETHNICITY_CUM, rand() * _ETHNICITY_CUM[-1])]
        groups = v.groups
        group = groups[int(rand() * len(groups))]

        # ---- monitoring / type (decided early: it colours incomes and risks)
        x = rand()
        if x < 0.04:
            htype, mcat = "01", "01"
        elif x < 0.07:
            htype, mcat = "02", "02"
        elif x < 0.08:
            htype, mcat = ("02" if rand() < 0.6 else "01"), "03"
        else:
            htype, mcat = "01", None

        members: list[list[Any]] = []
        ages: list[tuple[int, int]] = []  # (age, school age) per member
        member = self._member
        # Children carry the father's surname: the head's, or the husband's of a woman head.
        head_male = people[0][1]
        head_surname = family_surname if head_male else self.surname()
        seq = 0
        for rel, male, age in people:
            seq += 1
            if rel in _CHILD_RELATIONS:
                surname = family_surname
            elif rel in _HEAD_LINE_RELATIONS:
                surname = head_surname
            elif rel == RELATION_SPOUSE and not head_male:
                surname = family_surname
            else:
                surname = self.surname()
            birth_ord = ref_ord - age * 365 - int(rand() * 365) - age // 4
            member(hid, household_no, seq, rel, male, birth_ord, surname, ethnicity, htype, members, ages)
        present = members[:]  # every member so far is 在户

        # A few households lost a member (death, marriage, moving out) in 2022-2026.
        left_event: tuple[int, dt.date, str] | None = None
        if rand() < 0.03:
            rel, male, low, high = _LEFT_KINDS[int(rand() * len(_LEFT_KINDS))]
            age = low + int(rand() * (high - low + 1))
            reason = "21" if rel in ("11", "12") else ("22" if rel == "04" else "23")
            birth_ord = ref_ord - age * 365 - int(rand() * 365)
            m = member(
                hid, household_no, seq + 1, rel, male, birth_ord, family_surname, ethnicity, htype,
                members, ages,
            )
            left_on = dt.date.fromordinal(self._left_from + int(rand() * self._left_span))
            m[_M_STATUS] = MEMBER_LEFT
            m[_M_LEFT_ON] = left_on.isoformat()
            m[_M_LEFT_REASON] = reason
            m[_M_PHONE] = None
            left_event = (m[_M_ID], left_on, reason)

        head = members[0]
        phone = head[_M_PHONE] or self.phone()
        head[_M_PHONE] = phone
        n_present = len(present)

        # ---- attributes that depend on members
        sick = disabled = students = False
        no_labour = True
        for m in present:
            health = m[_M_HEALTH]
            if health == "02" or health == "03":
                sick = True
            elif health == "04":
                disabled = True
            school = m[_M_SCHOOL]
            if school is not None and school != "02" and school != "03":
                students = True
            if no_labour and m[_M_LABOUR] not in ("04", "05"):
                no_labour = False
        head_age = people[0][2]
        others: list[str] = []
        if htype == "01":
            if n_present <= 2 and head_age >= 60 and rand() < 0.35:
                attr = "03"
            elif rand() < 0.22 or no_labour:
                attr = "02"
            else:
                attr = "01"
            # 因病 weighs more with someone ill, 因残 with someone disabled, 因学 with students.
            cum = _MAIN_CAUSE_CUMS[(4 if sick else 0) + (2 if disabled else 0) + (1 if students else 0)]
            main_cause = D.POVERTY_CAUSES[bisect.bisect(cum, rand() * cum[-1])]
            if rand() < 0.6:
                # Two draws as random.choices(causes, cum_weights=_CAUSE_CUM, k=2) makes them.
                causes = D.POVERTY_CAUSES
                picked = dict.fromkeys((
                    causes[bisect.bisect(_CAUSE_CUM, rand() * _CAUSE_TOTAL, 0, _CAUSE_HI)],
                    causes[bisect.bisect(_CAUSE_CUM, rand() * _CAUSE_TOTAL, 0, _CAUSE_HI)],
                ))
                others = [c for c in picked if c != main_cause][: 1 + int(rand() * 2)]
            identified = _IDENTIFIED_YEARS[bisect.bisect(_IDENTIFIED_CUM, rand() * _IDENTIFIED_CUM[-1])]
            exit_year = _EXIT_YEARS[bisect.bisect(_EXIT_CUM, rand() * _EXIT_CUM[-1])]
            exit_year = max(exit_year, identified + (1 if identified < 2020 else 0))
            exit_status = "1" if rand() < 0.93 else "3"
            ident_std = "01" if rand() < 0.85 else "02"
        else:
            attr, main_cause = "05", None
            identified = exit_year = None
            exit_status = ident_std = None
        dibao = tekun = False
        if attr == "03":
            head[_M_TEKUN] = 1
            tekun = True
        elif attr == "02":
            for m in present:
                if rand() < 0.7:
                    m[_M_DIBAO] = 1
                    dibao = True

        if rand() < 0.85:
            bank_i = int(rand() * len(D.BANKS))
            bank, account = D.BANKS[bank_i], f"{D.BANK_BINS[bank_i]}{int(rand() * 1e13):013d}"
        else:
            bank = account = None
        natural = v.natural_villages
        head_name = head[_M_NAME]
        self._b_households.append((
            hid, household_no, v.code, group,
            natural[int(rand() * len(natural))], v.address_prefix + group, phone, bank, account,
            head_name, name_sort_key(head_name), head[_M_ID18], n_present, ident_std, attr,
            main_cause,
            self._json_list(others) if others else None, exit_status, exit_year, identified,
            htype, mcat, 1 if rand() < 0.005 else 0, 1 if rand() < 0.03 else 0,
            1 if rand() < 0.04 else 0, 1 if no_labour else 0,
            1 if rand() < 0.06 else 0, 1, HOUSEHOLD_ACTIVE, "2021", 1,
        ))
        self.head_names[hid] = head_name
        self.hh_size[hid] = n_present
        self._b_members.extend(members)

        # ---- change events for members who came or went
        joined = None
        if left_event:
            mid, day, reason = left_event
            self._event(hid, mid, "04", reason, day, "家庭成员自然减少")
        for m in present:
            if m[_M_JOINED_ON] is not None:
                if joined is None:
                    joined = []
                day = dt.date.fromisoformat(m[_M_JOINED_ON])
                joined.append(day.year)
                self._event(hid, m[_M_ID], "03", "11", day, "新生儿")
        if hid % _JOINED_EVERY == 0:
            self._spouse_joined(hid, present)

        # ---- yearly income and living conditions, 三保障 check
        dangerous_2024 = rand() < 0.01
        dangerous_2025 = rand() < 0.002
        cond, arable, forest, green, safe_water = self._conditions()
        base = self._income_base(present, ages, arable, forest, green, mcat is not None)
        append_year = self._b_years.append
        left_year = left_event[1].year if left_event else None
        last_year = INCOME_YEARS[-1]
        for year in INCOME_YEARS:
            size = len(members)
            if joined is not None:
                size -= sum(1 for y in joined if y > year)
            if left_year is not None and left_year <= year:
                size -= 1
            factor = 1.0 if year == last_year else 0.88 + rand() * 0.09
            row = self._income_row(hid, year, size, base, factor, htype, attr, mcat) + cond
            if (year == 2024 and dangerous_2024) or dangerous_2025:
                row += (1, "C" if rand() < 0.5 else "D")
            else:
                row += _NOT_DANGEROUS
            append_year(row)
        self._check(hid, present, ages, safe_water, dangerous_2025, helper[1])

        # ---- monitoring case and measures
        if mcat is not None:
            self._monitoring(hid, mcat, present, sick, disabled, dibao, tekun, helper, v.government)

        # ---- helper assignment(s)
        role = "01" if htype == "01" else "02"
        first = self._assign_from + int(rand() * self._assign_span)
        assign = self._b_assignments.append
        if old_helper is not None and rand() < 0.12:
            change = self._change_from + int(rand() * self._change_span)
            assign((self.new_id("helper_assignments"), old_helper[0], hid, role,
                    _iso(first), _iso(change), "帮扶责任人调整"))
            first = change + 1
        assign((self.new_id("helper_assignments"), helper[0], hid, role, _iso(first), None, None))

        # ---- handbook entries for about 30 % of households
        if rand() < 0.3:
            for _ in range(2 + int(rand() * 3)):
                self._handbook(hid, helper)

    def _member(
        self,
        hid: int,
        household_no: str,
        seq: int,
        rel: str,
        male: bool,
        birth_ord: int,
        surname: str,
        ethnicity: str,
        htype: str,
        out: list[list[Any]],
        ages: list[tuple[int, int]],
    ) -> list[Any]:
        """Append one member row (a list in ``MEMBER_COLUMNS`` order) to ``out``."""
        rand = self.rand
        id18, (birth_iso, birth_year, age, school_age, _, _, _) = self.person_id_day(birth_ord, male)
        pool = _NAME_POOLS[birth_year >= 1995][male]
        k = len(pool)
        if rand() < 0.8:
            name = surname + pool[int(rand() * k)] + pool[int(rand() * k)]
        else:
            name = surname + pool[int(rand() * k)]
        initials = name_initials(name)
        # health
        x = rand()
        old = age >= 60
        if x < (0.12 if old else 0.04):
            health = "02"
        elif x < (0.15 if old else 0.055):
            health = "03"
        elif x < (0.21 if old else 0.09) and age >= 3:
            health = "04"
        else:
            health = "01"
        id_type, id_number = "01", id18
        dis_type = dis_grade = dis_year = None
        severe = False
        if health == "04":
            dis_type = "1234567"[int(rand() * 7)]
            dis_grade = "1234"[int(rand() * 4)]
            severe = dis_grade in ("1", "2")
            if rand() < 0.7:
                id_type, id_number = "02", f"{id18}{dis_type}{dis_grade}"
                low = max(2010, birth_year + 1)
                dis_year = low + int(rand() * (2026 - low))
        # education / school
        education = school = out_reason = None
        if school_age < 3:
            school = "02"
        elif school_age < 6:
            school = "03"
        elif school_age <= 11:
            school = "04"
        elif school_age <= 14:
            school = ("05", "06", "07")[school_age - 12]
        elif school_age <= 17:
            y = school_age - 15
            if severe and school_age <= 16:
                education, out_reason = "02", "02"
            elif rand() < 0.7 or school_age <= 16:
                school = ("08", "09", "10")[y] if rand() < 0.7 else ("11", "12", "13")[y]
            else:
                education = "03"
        elif school_age <= 21 and rand() < 0.3:
            school = ("22", "23", "24", "25")[school_age - 18] if rand() < 0.5 else (
                ("14", "15", "16", "16")[school_age - 18]
            )
        else:
            codes, cum = _EDUCATION_BY_BIRTH[
                0 if birth_year < 1955 else 1 if birth_year < 1975 else 2 if birth_year < 1995 else 3
            ]
            education = codes[bisect.bisect(cum, rand() * cum[-1])]
        student = school is not None
        # labour skill
        if age < 16 or student:
            labour = "05"
        elif severe:
            labour = "04"
        elif age < 60:
            codes, cum = _LABOUR_WORKING_AGE if health == "01" else _LABOUR_WORKING_AGE_ILL
            labour = codes[bisect.bisect(cum, rand() * cum[-1])]
        elif age < 65:
            labour = _LABOUR_60[0][bisect.bisect(_LABOUR_60[1], rand() * 100)]
        else:
            labour = "03" if rand() < 0.3 else "05"
        # work
        work_status = work_place = employer = work_months = None
        pwj = pwj_months = None
        if 16 <= age < 60 and labour != "05" and labour != "04" and not student:
            if rand() < 0.68:
                work_status = _WORK_STATUSES[bisect.bisect(_WORK_STATUS_CUM, rand() * 100)]
                places = D.WORK_PLACES[work_status]
                work_place = places[int(rand() * len(places))]
                employer = D.EMPLOYERS[int(rand() * len(D.EMPLOYERS))] if rand() < 0.6 else None
                work_months = 4 + int(rand() * 9)
            elif rand() < 0.08:
                pwj = D.PUBLIC_JOBS[int(rand() * len(D.PUBLIC_JOBS))]
                pwj_months = 6 + int(rand() * 7)
        elif 60 <= age < 70 and labour != "05" and rand() < 0.06:
            pwj = D.PUBLIC_JOBS[int(rand() * len(D.PUBLIC_JOBS))]
            pwj_months = 6 + int(rand() * 7)
        adult = age >= 16
        employee = 1 if (work_status == "03" or work_status == "04") and rand() < 0.02 else 0
        joined_on = joined_reason = None
        if birth_year >= 2024 and rel in _CHILD_RELATIONS:
            joined_on, joined_reason = birth_iso, "11"
        if adult and age >= 20 and rand() < 0.05:
            political = "01"
        elif 14 <= age <= 28 and rand() < 0.3:
            political = "03"
        else:
            political = "13"
        mid = self.next_id["members"]
        self.next_id["members"] = mid + 1
        row = [
            mid, hid, seq, household_no + _SEQ2[seq], name, initials, id_type,
            id_number, id18, id18[-6:], "1" if male else "2", birth_iso, ethnicity, rel,
            political, education, school, out_reason, health, dis_type, dis_grade, dis_year,
            labour, work_status, work_place, employer, work_months, 0, pwj, pwj_months,
            1 if not employee and rand() > 0.004 else 0,  # has_resident_medical
            employee,  # has_employee_medical
            1 if htype == "01" or rand() > 0.02 else 0,  # has_critical_illness_ins
            1 if rand() < 0.6 else 0,  # has_commercial_supplement
            1 if (health == "02" or health == "03") and rand() < 0.5 else 0,  # has_medical_aid
            1 if adult and not student and not employee else 0,  # has_resident_pension
            employee,  # has_employee_pension
            1 if rand() < 0.3 else 0,  # accident_ins_subsidy
            0,  # is_dibao
            0,  # is_tekun
            1 if age >= 3 and not (age >= 65 and ethnicity != "01" and rand() < 0.5) else 0,
            self.phone() if 18 <= age <= 65 and (rel == RELATION_HEAD or rand() < 0.5) else None,
            MEMBER_PRESENT, None, None, joined_on, joined_reason,
        ]
        out.append(row)
        ages.append((age, school_age))
        return row

    def _event(
        self, hid: int, mid: int | None, kind: str, reason: str | None, day: dt.date, note: str
    ) -> None:
        reported = day if day.day <= 25 else day + dt.timedelta(days=10)
        if reported > self.ref:
            reported = day
        self._b_events.append((
            self.new_id("change_events"), hid, mid, kind, reason, day.isoformat(), _ym(reported),
            None, "乡镇审核", "示例数据", note,
        ))

    def _spouse_joined(self, hid: int, present: list[list[Any]]) -> None:
        """A young spouse who married (婚入) or moved (迁入) in during the last 18 months,
        so the 月报's 自然增加 has more reasons than births (no random draw: the same
        seed keeps giving the same county)."""
        spouse = next((m for m in present if m[_M_RELATION] == "02" and m[_M_JOINED_ON] is None
                       and m[_M_BIRTH] >= "1985"), None)
        if spouse is None:
            return
        day = self.ref - dt.timedelta(days=(hid // _JOINED_EVERY) * 37 % 540)
        reason = "12" if hid % 3 else "13"
        spouse[_M_JOINED_ON], spouse[_M_JOINED_REASON] = day.isoformat(), reason
        self._event(hid, spouse[_M_ID], "03", reason, day, "婚入" if reason == "12" else "随迁入户")

    def _conditions(self) -> tuple[tuple[Any, ...], int, int, int, bool]:
        """Living conditions in ``CONDITION_COLUMNS`` order, and the land the income needs."""
        rand = self.rand
        tenths = _TENTHS_F
        arable = 5 + int(rand() * 76)
        irrigated = int(rand() * (arable + 1))
        paddy = int(rand() * (arable + 1))
        structure = _STRUCTURES[bisect.bisect(_STRUCTURE_CUM, rand() * 100)]
        safe_water = rand() > 0.004
        forest = int(rand() * 301)
        green = int(rand() * 31) if rand() < 0.3 else 0
        orchard = int(rand() * 31) if rand() < 0.25 else 0
        x = rand()
        road = "03" if x < 0.88 else "02" if x < 0.96 else "04"
        x = rand()
        fuel = "04" if x < 0.75 else "01" if x < 0.97 else "03"
        cond = (
            tenths[arable], tenths[arable], tenths[irrigated], tenths[arable - paddy],
            tenths[paddy], tenths[forest], tenths[green], tenths[orchard], 0.0, 0.0,
            tenths[400 + int(rand() * 1801)],  # housing_area
            structure, road,
            tenths[int(rand() * 31)],  # distance_to_main_road_km
            fuel, 1, 1 if rand() < 0.85 else 0, 1, 1 if rand() < 0.9 else 0,
            1 if safe_water else 0, 0 if safe_water else 1,
            _WATER_SOURCES[bisect.bisect(_WATER_SOURCE_CUM, rand() * 100)] if safe_water else "03",
            1 if rand() < 0.45 else 0, 1 if rand() < 0.25 else 0, 1 if rand() < 0.15 else 0,
        )
        return cond, arable, forest, green, safe_water

    def _income_base(
        self,
        present: list[list[Any]],
        ages: list[tuple[int, int]],
        arable_tenths: int,
        forest_tenths: int,
        green_tenths: int,
        monitored: bool,
    ) -> tuple[int, ...]:
        """Sub-items for the latest income year, whole 元, in ``_BASE_ITEMS`` order."""
        rand = self.rand
        wage = pwj = 0
        dibao = tekun = pension = 0
        for m, (age, _school_age) in zip(present, ages):
            months = m[_M_WORK_MONTHS]
            if months:
                low, high = D.WAGES[m[_M_WORK_STATUS]]
                monthly = low + int(rand() * (high - low + 1))
                if monitored:
                    monthly = monthly * 2 // 3
                wage += monthly * months
            if m[_M_PWJ_MONTHS]:
                pwj += m[_M_PWJ_MONTHS] * (500, 600, 800)[int(rand() * 3)]
            if m[_M_DIBAO]:
                dibao += 12 * (380 + int(rand() * 101))
            if m[_M_TEKUN]:
                tekun += 12 * (650 + int(rand() * 111))
            if age >= 60:
                pension += 12 * (143 + int(rand() * 68))
        # Land is in tenths of 亩; income is per whole 亩.
        planting = (arable_tenths // 10) * (500 + int(rand() * 701))
        if rand() < 0.6:
            planting += int(rand() * 8001)
        industry_reward = 500 + int(rand() * 1501) if rand() < 0.3 else 0
        employment_reward = 200 + int(rand() * 601) if rand() < 0.1 else 0
        eco = (forest_tenths // 10) * (10 + int(rand() * 7)) + (green_tenths // 10) * 100
        expense = int(planting * (0.15 + rand() * 0.25))
        return (
            pwj,
            wage,
            planting,
            industry_reward,
            employment_reward,
            200 + int(rand() * 1001) if rand() < 0.5 else 0,  # asset_dividend_income
            300 + int(rand() * 2201) if rand() < 0.2 else 0,  # land_transfer_income
            100 + int(rand() * 501) if rand() < 0.05 else 0,  # other_property_income
            (960, 1920)[int(rand() * 2)] if rand() < 0.08 else 0,  # family_planning_income
            dibao,
            tekun,
            pension,
            eco,
            100 + int(rand() * 1401) if rand() < 0.3 else 0,  # other_transfer_income
            expense,
            min(expense, 100 + int(rand() * 701)) if rand() < 0.2 else 0,  # expense_reduction
            500 + int(rand() * 19501) if monitored and rand() < 0.4 else 0,  # claims_income
            500 + int(rand() * 14501) if monitored and rand() < 0.5 else 0,  # compliant_self_paid
        )

    def _income_row(
        self,
        hid: int,
        year: int,
        size: int,
        base: tuple[int, ...],
        factor: float,
        htype: str,
        attr: str,
        mcat: str | None,
    ) -> tuple[Any, ...]:
        items = base if factor == 1.0 else [int(v * factor) for v in base]
        (pwj, other_wage, planting, industry, employment, dividend, land, other_prop, family,
         dibao, tekun, pension, eco, other_transfer, expense, reduction, claims, self_paid) = items
        wage = pwj + other_wage
        business = planting + industry + employment
        prop = dividend + land + other_prop
        transfer = family + dibao + tekun + pension + eco + other_transfer
        annual = wage + business + prop + transfer
        net = annual - expense
        # ROUND_HALF_UP of net / size to cents, in integers (net is never negative here).
        per_capita_cents = (net * 200 + size) // (2 * size)
        return (
            self.new_id("household_years"), hid, year, htype, attr, mcat, size, wage, business,
            prop, transfer, annual, net, per_capita_cents / 100,
            pwj, other_wage, industry, employment, dividend, land, other_prop, family, dibao,
            tekun, pension, eco, other_transfer, expense, reduction, claims, self_paid,
        )

    def _check(
        self,
        hid: int,
        present: list[list[Any]],
        ages: list[tuple[int, int]],
        safe_water: bool,
        housing: bool,
        checker: str,
    ) -> None:
        rand = self.rand
        medical = education = False
        for m, (_age, school_age) in zip(present, ages):
            if not m[_M_RESIDENT_MEDICAL] and not m[_M_EMPLOYEE_MEDICAL]:
                medical = True
            if m[_M_OUT_REASON] is None and m[_M_SCHOOL] is None and 6 <= school_age <= 16:
                education = True
        water = not safe_water
        problem = medical or education or water or housing
        checked_on = self._check_from + int(rand() * self._check_span)
        resolved = None
        if problem and rand() < 0.6:
            resolved = _iso(checked_on + 10 + int(rand() * 81))
        self._b_checks.append((
            self.new_id("guarantee_checks"), hid, CHECK_YEAR, 0, 0, 1 if housing else 0,
            1 if education else 0, 1 if medical else 0, 1 if water else 0, 1, checker,
            _iso(checked_on), resolved,
            "经入户核实存在问题，已制定整改措施" if problem else None,
        ))

    def _monitoring(
        self,
        hid: int,
        mcat: str,
        present: list[list[Any]],
        sick: bool,
        disabled: bool,
        dibao: bool,
        tekun: bool,
        helper: tuple[int, str, str, str],
        government: str,
    ) -> None:
        r = self.rng
        weights = list(D.RISK_WEIGHTS)
        if sick:
            weights[0] *= 4
        if disabled:
            weights[1] *= 4
        risks = list(dict.fromkeys(r.choices(D.RISK_TYPES, weights, k=self.ri(1, 3))))
        months = (self.ref.year - 2021) * 12 + self.ref.month - 1
        start_m = self.ri(0, months)
        identified = dt.date(2021 + start_m // 12, start_m % 12 + 1, self.ri(1, 28))
        eliminated = start_m + 2 <= months and r.random() < 0.5
        mode = eliminated_ym = eliminated_on = None
        if eliminated:
            end_m = self.ri(start_m + 2, months)
            eliminated_on = dt.date(2021 + end_m // 12, end_m % 12 + 1, self.ri(1, 28))
            if eliminated_on > self.ref:
                eliminated_on = self.ref
            mode = "01" if r.random() < 0.75 else "02"
            eliminated_ym = _ym(eliminated_on)
        line = D.MONITOR_LINE[identified.year]
        cid = self.new_id("monitoring_cases")
        self._b_cases.append((
            cid, hid, mcat, MONITORING_ELIMINATED if eliminated else MONITORING_ACTIVE,
            self.one(D.MONITOR_CHANNELS), _ym(identified), risks[0],
            risks[1] if len(risks) > 1 else None, risks[2] if len(risks) > 2 else None,
            "洪涝" if "04" in risks else None, eliminated, mode, eliminated_ym,
            eliminated_on.isoformat() if eliminated_on else None,
            "已实施" if mode == "01" or r.random() < 0.7 else "未实施",
            "已享受" if dibao else "未享受", "已享受" if tekun else "未享受",
            helper[1], helper[2], line * len(present), line, None,
        ))
        self._event(hid, None, "02", None, identified, "纳入防返贫监测")
        if eliminated_on is not None:
            self._event(hid, None, "10", None, eliminated_on, "风险消除")
        categories = list(dict.fromkeys(c for risk in risks for c in D.RISK_MEASURES[risk][:1]))
        if r.random() < 0.6 and "01" not in categories:
            categories.append("01")
        end = eliminated_on.isoformat() if eliminated_on else None
        for cat in categories:
            content, low, high = D.MEASURE_TEXT[cat]
            unit = D.MEASURE_UNIT[cat]
            start = self.date_between(identified, min(self.ref, identified + dt.timedelta(days=60)))
            self._b_measures.append((
                self.new_id("assistance_measures"), hid, cid, start.year, cat, content,
                government if unit == D.TOWNSHIP_GOVERNMENT else unit,
                self.ri(low // 100, high // 100) * 100 if high else None,
                start.isoformat(), end,
            ))

    def _handbook(self, hid: int, helper: tuple[int, str, str, str]) -> None:
        rand = self.rand
        section = _HANDBOOK_SECTIONS[bisect.bisect(_HANDBOOK_SECTION_CUM, rand() * 100)]
        entries = D.HANDBOOK[section]
        category, content, (low, high) = entries[int(rand() * len(entries))]
        year = 2024 + int(rand() * 3)
        first, last = self._handbook_days[year]
        self._b_handbook.append((
            self.new_id("handbook_entries"), hid, year, section, category, helper[3], content,
            (low // 100 + int(rand() * (high // 100 - low // 100 + 1))) * 100 if high else None,
            None, f"{year}-12-31" if section == "01" else None,
            _iso(first + int(rand() * (last - first + 1))), helper[0],
            _FINDINGS[int(rand() * len(_FINDINGS))] if section == "06" else None,
            1 if rand() < 0.9 else 0, None,
        ))

    # -- projects and assets ------------------------------------------------------------

    def projects(self, villages: list[_Village], w: _Rows, chunk: int = 250) -> Iterator[int]:
        """Add the projects and assets to ``w``; yields the number of projects done after
        every ``chunk`` projects (a point to hand over what was added so far) and at the
        end."""
        r = self.rng
        by_town: dict[str, list[_Village]] = {}
        for v in villages:
            by_town.setdefault(v.township_code, []).append(v)
        seq_by_year: dict[int, int] = {}
        asset_seq: dict[int, int] = {}
        assets: list[dict[str, Any]] = []
        forced = list(D.ALL_STATUSES)
        r.shuffle(forced)
        for p in range(self.project_count):
            if p and p % chunk == 0:
                yield p
            tpl = self.one(D.PROJECT_TEMPLATES)
            (cat, sub, pattern, unit, (smin, smax), (cmin, cmax), acat, asub, dept, town_wide) = tpl
            v = self.one(villages)
            target = forced[p] if p < len(forced) else None
            year = self.pick(range(2021, 2027), (14, 16, 17, 18, 18, 17))
            if target is not None and target in D.STATUS_CHAIN[9:]:
                year = self.one((2021, 2022, 2023, 2024))
            path, dates = self._project_path(year, target)
            status = path[-1]
            seq_by_year[year] = seq_by_year.get(year, 0) + 1
            scale = self.ri(smin, smax)
            total = round(scale * self.ri(cmin, cmax), -2)
            tname, vname = v.township_name, v.name
            name = pattern.format(v=vname, t=tname, y=year, n=scale)
            region_code = v.township_code if town_wide else v.code
            pid = self.new_id("projects")
            idx = D.STATUS_CHAIN.index(status) if status in D.STATUS_CHAIN else -1
            done = idx >= 10
            n_poor = max(1, min(v.households, scale if unit in ("户", "人", "个", "人次", "头") else v.households))
            avg = self._average_size(v)
            w.add(
                "projects",
                {
                    "id": pid,
                    "project_no": f"{D.COUNTY_PREFIX}{year}{seq_by_year[year]:04d}",
                    "year": year,
                    "name": name,
                    "category": cat,
                    "subcategory": sub,
                    "status": status,
                    "competent_dept": dept,
                    "region_code": region_code,
                    "implementer": v.government if town_wide else f"{vname}村民委员会",
                    "location": f"{D.COUNTY[1]}{tname}" + ("" if town_wide else vname),
                    "construction_nature": self.pick(("01", "02", "03", "05"), (75, 8, 10, 7)),
                    "start_ym": _ym(dates[path.index("09")]) if "09" in path else f"{year}-03",
                    "end_ym": _ym(dates[path.index("10")]) if "10" in path else f"{year}-11",
                    "in_poor_village": v.is_poor,
                    "covered_villages": tname if town_wide else vname,
                    "scope_and_content": f"{name.removesuffix('项目')}：建设规模{scale}{unit}，总投资{total / 10000:.2f}万元。",
                    "scale_quantity": scale,
                    "scale_unit": unit,
                    "benefit_linkage": self.one(D.BENEFIT_LINKAGE) if cat in ("21", "24") or sub == "2205" else None,
                    "performance_summary": f"完成{scale}{unit}建设任务，带动脱贫户和监测户增收",
                    "beneficiaries_poor_hh": n_poor,
                    "beneficiaries_poor_persons": round(n_poor * avg),
                    "beneficiaries_monitored_hh": max(0, n_poor // 12),
                    "beneficiaries_monitored_persons": max(0, round(n_poor // 12 * avg)),
                    "beneficiaries_nonpoor_hh": self.ri(0, 40),
                    "beneficiaries_nonpoor_persons": self.ri(0, 150),
                    "expected_income_gain": self.ri(5, 30) * 100,
                    "manager": self.name(self.surname(), r.random() < 0.7, 1980),
                    "manager_phone": self.phone(),
                    "social_benefit": "改善群众生产生活条件，巩固拓展脱贫攻坚成果",
                    "economic_benefit": "带动脱贫户和监测户稳定增收" if cat in ("21", "22", "24") else None,
                    "total_funds": total,
                    "requested_funds": total,
                    "is_integrated": r.random() < 0.7,
                    "direct_to_person": sub in ("2105", "2201", "2204") or cat == "25",
                    "is_publicized": idx >= 1 or status in (D.STATUS_RETURNED, D.STATUS_REMOVED),
                    "budget_unit": dept,
                },
            )
            fundings = self._fundings(pid, total, year, cat, w)
            self._status_logs(pid, path, dates, v, w)
            self._disbursements(pid, path, dates, fundings, w)
            self._indicators(pid, unit, scale, n_poor, done, w)
            if idx >= 6:
                for item, from_idx in D.CHECKLIST_ITEMS.items():
                    ok = idx >= from_idx
                    w.add(
                        "project_checklist_items",
                        {
                            "id": self.new_id("project_checklist_items"),
                            "project_id": pid,
                            "item": item,
                            "done": ok,
                            "doc_no": f"望乡振〔{year}〕{self.ri(1, 200)}号" if ok else None,
                            "date": dates[min(from_idx, len(dates) - 1)] if ok else None,
                            "note": None,
                        },
                    )
            linked: list[int] = []
            if acat == "03" or unit in ("户", "头") or sub in ("2201", "2204"):
                pool = self._pool(by_town[v.township_code] if town_wide else [v])
                linked = r.sample(pool, min(len(pool), scale, 30))
                for hid in linked:
                    w.add(
                        "project_beneficiaries",
                        {"id": self.new_id("project_beneficiaries"), "project_id": pid,
                         "household_id": hid, "note": None},
                    )
            if acat is not None and status in ("13", "14"):
                assets.extend(
                    self._assets(pid, tpl, year, name, total, scale, path, dates, v, town_wide,
                                 fundings, linked, asset_seq, w)
                )
        self._disposals(assets, w)
        for asset in assets:
            w.add("assets", asset)
        self._asset_children(assets, villages, w)
        for year, last in sorted(asset_seq.items()):
            w.add(
                "asset_number_sequences",
                {"id": self.new_id("asset_number_sequences"), "prefix": D.COUNTY_PREFIX,
                 "year": year, "last_seq": last},
            )
        yield self.project_count

    def _average_size(self, v: _Village) -> float:
        avg = self._avg_sizes.get(v.code)
        if avg is None:
            sizes = [self.hh_size[h] for h in range(v.first_hh_id, v.first_hh_id + v.households)]
            avg = self._avg_sizes[v.code] = sum(sizes) / len(sizes)
        return avg

    def _pool(self, villages: list[_Village]) -> list[int]:
        out: list[int] = []
        for v in villages:
            out.extend(range(v.first_hh_id, v.first_hh_id + v.households))
        return out

    def _project_path(self, year: int, target: str | None) -> tuple[list[str], list[dt.date]]:
        r = self.rng
        chain = D.STATUS_CHAIN
        if target is None:
            stop = 13 if r.random() < 0.88 else self.ri(6, 12)
            side = r.random()
            if side < 0.04:
                target = D.STATUS_RETURNED
            elif side < 0.07:
                target = D.STATUS_REMOVED
        if target == D.STATUS_RETURNED:
            path = list(chain[: self.one((3, 5))]) + [D.STATUS_RETURNED]
        elif target == D.STATUS_REMOVED:
            path = list(chain[: self.one((7, 8))]) + [D.STATUS_REMOVED]
        elif target is not None:
            path = list(chain[: chain.index(target) + 1])
        else:
            path = list(chain[: stop + 1])
        if len(path) > 3 and path[2] == "03" and r.random() < 0.05:
            path[3:3] = [D.STATUS_RETURNED, "03"]  # returned once, corrected, reviewed again
        day = dt.date(year - 1, 9, 1) + dt.timedelta(days=self.ri(0, 100))
        dates = []
        for i, status in enumerate(path):
            dates.append(day)
            low, high = D.STATUS_GAPS.get(status, (5, 30))
            day = day + dt.timedelta(days=self.ri(low, high))
        if target is None:
            # A project moves only as far as time allows by the reference date.
            keep = sum(1 for d in dates if d <= self.ref)
            path, dates = path[: max(1, keep)], dates[: max(1, keep)]
        if dates[-1] > self.ref:
            shift = dates[-1] - self.ref + dt.timedelta(days=self.ri(1, 20))
            dates = [d - shift for d in dates]
        return path, dates

    def _fundings(self, pid: int, total: int, year: int, cat: str, w: _Rows) -> list[tuple[str, str, int]]:
        r = self.rng
        levels = ["01", "02", "04"]
        weights = [r.uniform(55, 75), r.uniform(10, 25), r.uniform(5, 15)]
        if r.random() < 0.5:
            levels.append("03")
            weights.append(r.uniform(1, 5))
        if cat in ("21", "24") and r.random() < 0.3:
            levels.append("05")
            weights.append(r.uniform(3, 10))
        amounts = _split(total, weights)
        sources = {"01": "01", "02": "01", "03": "02", "04": "02", "05": "11"}
        prefix = {"01": "黔财农", "02": "黔财农", "03": "州财农", "04": "望财农", "05": "自筹"}
        out = []
        for level, amount in zip(levels, amounts, strict=True):
            w.add(
                "project_fundings",
                {
                    "id": self.new_id("project_fundings"),
                    "project_id": pid,
                    "level": level,
                    "source": sources[level],
                    "amount": amount,
                    "doc_no": f"{prefix[level]}〔{year}〕{self.ri(1, 150)}号" if level != "05" else None,
                },
            )
            out.append((level, sources[level], amount))
        return out

    def _status_logs(self, pid: int, path: list[str], dates: list[dt.date], v: _Village, w: _Rows) -> None:
        prev = None
        for status, day in zip(path, dates, strict=True):
            actor, doc = D.STATUS_ACTORS[status]
            if actor == "村民委员会":
                actor = f"{v.name}村民委员会"
            elif actor == D.TOWNSHIP_GOVERNMENT:
                actor = v.government
            w.add(
                "project_status_logs",
                {
                    "id": self.new_id("project_status_logs"),
                    "project_id": pid,
                    "from_status": prev,
                    "to_status": status,
                    "date": day,
                    "actor": actor,
                    "doc_no": doc.format(v=v.name[:2], t=v.township_name[:2], y=day.year, k=self.ri(1, 120)),
                    "note": "资料不全，退回补充完善" if status == D.STATUS_RETURNED else (
                        "项目库动态调整清理出库" if status == D.STATUS_REMOVED else None),
                    "created_at": dt.datetime.combine(day, dt.time(9, 0)),
                },
            )
            prev = status

    def _disbursements(
        self, pid: int, path: list[str], dates: list[dt.date], fundings: list[tuple[str, str, int]], w: _Rows
    ) -> None:
        r = self.rng
        status = path[-1]
        if status not in D.STATUS_CHAIN or D.STATUS_CHAIN.index(status) < 7:
            return
        idx = D.STATUS_CHAIN.index(status)
        when = dict(zip(path, dates, strict=False))
        if idx >= 11:
            pay_share, spend_share = 1.0, 1.0
        elif idx == 10:
            pay_share, spend_share = r.uniform(0.8, 0.95), r.uniform(0.85, 1.0)
        elif idx == 9:
            pay_share, spend_share = r.uniform(0.6, 0.9), r.uniform(0.8, 1.0)
        elif idx == 8:
            pay_share, spend_share = r.uniform(0.3, 0.7), r.uniform(0.5, 1.0)
        else:
            pay_share = spend_share = 0.0
        end = when.get("12", self.ref)
        for level, _source, amount in fundings:
            rows = [("01", when["08"], amount)]
            if pay_share:
                paid = int(amount * pay_share)
                spent = int(paid * spend_share)
                pay_day = self.date_between(when["09"], end)
                rows.append(("02", pay_day, paid))
                rows.append(("03", self.date_between(pay_day, end), spent))
            for kind, day, value in rows:
                if value <= 0:
                    continue
                w.add(
                    "disbursements",
                    {
                        "id": self.new_id("disbursements"),
                        "project_id": pid,
                        "kind": kind,
                        "level": level,
                        "date": day,
                        "amount": value,
                        "doc_no": f"望财农〔{day.year}〕{self.ri(1, 300)}号" if kind == "01" else None,
                        "note": None,
                    },
                )

    def _indicators(self, pid: int, unit: str, scale: int, n_poor: int, done: bool, w: _Rows) -> None:
        rows = (
            ("01", "建设（实施）规模", f"{scale}", f"{scale}", unit),
            ("01", "项目验收合格率", "100", "100", "%"),
            ("02", "受益脱贫户数", f"≥{n_poor}", f"{n_poor + self.ri(0, 5)}", "户"),
            ("03", "受益群众满意度", "≥95", f"{self.ri(95, 100)}", "%"),
        )
        for kind, name, target, actual, u in rows:
            w.add(
                "project_indicators",
                {
                    "id": self.new_id("project_indicators"),
                    "project_id": pid,
                    "kind": kind,
                    "name": name,
                    "target": target,
                    "actual": actual if done else None,
                    "unit": u,
                },
            )

    def _assets(
        self, pid, tpl, year, pname, total, scale, path, dates, v, town_wide, fundings, linked,
        asset_seq, w,
    ) -> list[dict[str, Any]]:
        r = self.rng
        (_cat, _sub, _pattern, unit, _s, _c, acat, asub, _dept, _tw) = tpl
        when = dict(zip(path, dates, strict=False))
        formed = when.get("11", dates[-1])
        handed = when.get("13", dates[-1])
        handover_doc = f"{v.township_name[:2]}移交〔{handed.year}〕{self.ri(1, 99)}号"
        if acat == "03":
            owners = linked[: self.ri(1, 3)] or [v.first_hh_id]
        else:
            owners = [None] * self.ri(1, 3)
        values = _split(int(total), [r.uniform(1, 3) for _ in owners])
        base = pname.removesuffix("建设项目").removesuffix("项目").removesuffix("工程")
        parts = ("主体工程", "配套设施", "附属设施") if acat == "02" else ("主体设施", "配套设备", "附属设施")
        out = []
        for i, (owner, value) in enumerate(zip(owners, values, strict=True)):
            if value <= 0:
                continue
            asset_seq[year] = asset_seq.get(year, 0) + 1
            aid = self.new_id("assets")
            if owner is not None:
                head = self.head_names[owner]
                name = f"{head}户{'能繁母牛' if asub == '0302' else '产业种苗'}"
                level, owner_name, custodian = "04", head, head
                mode, operator = "01", head
            else:
                name = base if len(owners) == 1 else f"{base}{parts[i]}"
                if town_wide:
                    level, owner_name = "02", v.government
                    custodian = owner_name
                else:
                    level, owner_name = "03", f"{v.name}股份经济合作社"
                    custodian = f"{v.name}村民委员会"
                if acat == "01":
                    mode = self.pick(("03", "04", "02", "05", "01"), (40, 25, 15, 10, 10))
                    operator = self.one(D.ASSET_OPERATORS).format(v=v.name)
                else:
                    mode, operator = None, None
            years_old = max(0, self.ref.year - formed.year)
            book = value if acat == "03" else int(value * max(0.5, 1 - 0.04 * years_old))
            contract = mode in ("02", "03", "04", "05")
            registered = min(self.ref, handed + dt.timedelta(days=self.ri(3, 20)))
            out.append(
                {
                    "id": aid,
                    "asset_no": f"{D.COUNTY_PREFIX}{year}{asset_seq[year]:04d}",
                    "name": name,
                    "category": acat,
                    "subtype": asub,
                    "project_id": pid,
                    "project_year": year,
                    "region_code": v.township_code if town_wide else v.code,
                    "location": f"{D.COUNTY[1]}{v.township_name}{v.name}",
                    "quantity": round(Decimal(scale) * value / int(total), 2) if total else None,
                    "unit": unit,
                    "formed_on": formed,
                    "original_value": value,
                    "book_value": book,
                    "ownership_level": level,
                    "owner_name": owner_name,
                    "household_id": owner,
                    "ownership_holder": owner_name,
                    "operation_holder": operator,
                    "income_holder": owner_name,
                    "distribution_holder": owner_name,
                    "disposal_holder": owner_name if owner is not None else f"{owner_name}（按程序报批）",
                    "supervision_holder": v.government,
                    "operation_mode": mode,
                    "operator": operator,
                    "contract_start": handed if contract else None,
                    "contract_end": handed + dt.timedelta(days=5 * 365 + 1) if contract else None,
                    "custodian": custodian,
                    "custodian_person": head if owner is not None else self.name(self.surname(), True, 1975),
                    "custodian_phone": self.phone(),
                    "custody_rule": "落实管护责任人，定期巡查维护，建立管护台账",
                    "registered_on": registered,
                    "handed_over_on": handed,
                    "handover_doc": handover_doc,
                    "beneficiaries_note": "本村脱贫户和监测户" if owner is None else None,
                    "status": "01",
                    "status_changed_on": None,
                    "note": None,
                    # Kept for the children; removed before insert.
                    "_fund": fundings,
                    "_village": v,
                }
            )
        return out

    def _disposals(self, assets: list[dict[str, Any]], w: _Rows) -> None:
        old = [a for a in assets if a["formed_on"] <= dt.date(2024, 6, 30)]
        if not old:
            return
        n = min(len(old), max(6, len(old) // 150))
        chosen = [old[(i * len(old)) // n] for i in range(n)]
        states = ("01", "02", "03", "04", "05", "06")
        for i, asset in enumerate(chosen):
            state = states[i % len(states)]
            trigger = self.one(("01", "03", "04", "05"))
            method = {"01": "05", "03": "06", "04": "03", "05": "02"}[trigger]
            requested = self.date_between(
                max(asset["formed_on"] + dt.timedelta(days=180), dt.date(2025, 1, 1)), dt.date(2026, 3, 31)
            )
            steps = [requested]
            for _ in range(4):
                steps.append(min(self.ref, steps[-1] + dt.timedelta(days=self.ri(10, 40))))
            order = ("01", "02", "03", "04", "05")
            reached = order.index(state) if state in order else 2
            row = {
                "id": self.new_id("asset_disposals"),
                "asset_id": asset["id"],
                "trigger": trigger,
                "method": method,
                "status": state,
                "reason": {"01": "2025年汛期洪水冲毁", "03": "设施老化，已不能安全使用",
                           "04": "经营效益不佳，拟转产", "05": "入股分红协议到期"}[trigger],
                "requested_on": steps[0],
                "village_resolution_on": steps[1] if reached >= 1 else None,
                "village_resolution_doc": "村民代表大会决议" if reached >= 1 else None,
                "township_approved_on": steps[2] if reached >= 2 and state != "06" else None,
                "township_doc": f"乡镇审〔{steps[2].year}〕{self.ri(1, 60)}号" if reached >= 2 and state != "06" else None,
                "county_approved_on": steps[3] if reached >= 3 else None,
                "county_doc": f"望乡振资〔{steps[3].year}〕{self.ri(1, 60)}号" if reached >= 3 else None,
                "disposed_on": steps[4] if state == "05" else None,
                "proceeds": int(asset["book_value"] * 0.3) if state == "05" and method in ("01", "02") else None,
                "proceeds_use": "用于村级巩固衔接项目" if state == "05" and method in ("01", "02") else None,
                "rejected_reason": "处置理由不充分，建议维修后继续使用" if state == "06" else None,
            }
            w.add("asset_disposals", row)
            if state == "05":
                asset["status"] = "05"
                asset["status_changed_on"] = steps[4]
            elif trigger == "01":
                asset["status"] = "04"
                asset["status_changed_on"] = steps[0]
            elif trigger == "04":
                asset["status"] = "03"
                asset["status_changed_on"] = steps[0]

    def _asset_children(self, assets: list[dict[str, Any]], villages: list[_Village], w: _Rows) -> None:
        r = self.rng
        for asset in assets:
            fundings = asset.pop("_fund")
            v: _Village = asset.pop("_village")
            value = int(asset["original_value"])
            by_source: dict[str, int] = {}
            for _level, source, amount in fundings:
                by_source[source] = by_source.get(source, 0) + amount
            parts = _split(value, list(by_source.values()))
            for source, amount in zip(by_source, parts, strict=True):
                if amount:
                    w.add("asset_fundings", {"id": self.new_id("asset_fundings"), "asset_id": asset["id"],
                                             "source": source, "amount": amount})
            if asset["category"] == "01":
                first_year = asset["formed_on"].year + 1
                for year in range(first_year, self.ref.year):
                    self._income(asset, year, v, w)
            if asset["category"] != "03" and r.random() < 0.3:
                for _ in range(self.ri(1, 3)):
                    kind = self.one(("01", "02"))
                    w.add(
                        "asset_maintenance",
                        {
                            "id": self.new_id("asset_maintenance"),
                            "asset_id": asset["id"],
                            "kind": kind,
                            "date": self.date_between(asset["formed_on"], self.ref),
                            "content": self.one(D.MAINTENANCE_TEXT[kind]),
                            "cost": self.ri(5, 80) * 100 if kind == "01" else None,
                            "person": asset["custodian_person"],
                            "finding": None,
                        },
                    )

    def _income(self, asset: dict[str, Any], year: int, v: _Village, w: _Rows) -> None:
        r = self.rng
        amount = max(100, int(int(asset["original_value"]) * r.uniform(0.04, 0.08)))
        iid = self.new_id("asset_incomes")
        received = dt.date(year, 12, self.ri(1, 28))
        w.add(
            "asset_incomes",
            {
                "id": iid,
                "asset_id": asset["id"],
                "year": year,
                "amount": amount,
                "source_kind": D.ASSET_INCOME_KIND.get(asset["operation_mode"] or "01", "租金"),
                "received_on": received,
                "payer": asset["operator"],
                "note": None,
            },
        )
        approved = dt.date(year + 1, 1, self.ri(5, 25))
        posted = approved + dt.timedelta(days=3)
        paid = min(self.ref, posted + dt.timedelta(days=self.ri(7, 20)))
        collective = int(amount * r.uniform(0.2, 0.3))
        jobs = int(amount * r.uniform(0.1, 0.2)) if r.random() < 0.6 else 0
        to_households = amount - collective - jobs
        pool = range(v.first_hh_id, v.first_hh_id + v.households)
        k = min(len(pool), self.ri(5, 20))
        share = to_households // k
        collective += to_households - share * k  # the odd 元 stay with the village
        common = {"approved_on": approved, "posted_on": posted, "paid_on": paid}
        basis = "按村民代表大会通过的收益分配方案"
        for hid in r.sample(pool, k):
            if share:
                w.add("income_distributions", {"id": self.new_id("income_distributions"), "asset_income_id": iid,
                                               "recipient_type": "01", "household_id": hid,
                                               "recipient_name": self.head_names[hid], "amount": share,
                                               "basis": basis + "，户均分配", **common})
        w.add("income_distributions", {"id": self.new_id("income_distributions"), "asset_income_id": iid,
                                       "recipient_type": "02", "household_id": None,
                                       "recipient_name": f"{v.name}股份经济合作社", "amount": collective,
                                       "basis": basis + "，留存村集体", **common})
        if jobs:
            w.add("income_distributions", {"id": self.new_id("income_distributions"), "asset_income_id": iid,
                                           "recipient_type": "03", "household_id": None,
                                           "recipient_name": "村级公益性岗位（护林员、保洁员）", "amount": jobs,
                                           "basis": basis + "，设置公益性岗位", **common})
