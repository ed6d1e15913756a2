"""扶贫手册 data: 帮扶责任人, 结对 (helper ↔ household, with history), 驻村工作队, the handbook
entries (计划, 措施, 成效, 自我发展, 需求, 走访) and the 4-3-2-1 load check (DOMAIN §6, §8).

Every function takes an open session (one per user action, opened by the caller) and
raises :class:`UserError` with a Chinese message for anything the clerk typed wrong.
History is never overwritten: changing a household's helper ends the current row and adds
a new one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from fupin_desktop.codes import CodeError, code_list
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    HandbookEntry,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    Region,
    VillageTeamMember,
)
from fupin_desktop.models.region import code_prefix
from fupin_desktop.rules.helper_load import LOAD_LIMITS
from fupin_desktop.rules.idnumber import IdNumberError, normalize_id, validate_id
from fupin_desktop.rules.text import normalize_text

__all__ = [
    "LOAD_LIMITS",
    "HouseholdHit",
    "household_hits",
    "LoadReport",
    "add_entry",
    "assign_helper",
    "assignments_of",
    "delete_entry",
    "end_assignment",
    "entries_of",
    "helper_loads",
    "list_helpers",
    "load_check",
    "needs_helper",
    "over_limit",
    "region_loads",
    "region_choices",
    "save_helper",
    "save_team_member",
    "team_of",
    "team_roles",
    "update_entry",
    "years_of",
]

ROLE_HELPER = "01"


# -- small parsing helpers ------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str, label: str, *, required: bool = False,
          max_len: int | None = None) -> str | None:
    value = normalize_text(data.get(key))
    if not value:
        if required:
            raise UserError(f"请填写{label}。")
        return None
    if max_len and len(value) > max_len:
        raise UserError(f"{label}太长（最多 {max_len} 个字）：{value[:20]}…")
    return value


def _code(data: Mapping[str, Any], key: str, list_name: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return code_list(list_name).normalize(value)
    except CodeError as err:
        raise UserError(str(err)) from err


_PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")


def _phone(data: Mapping[str, Any], key: str = "phone") -> str | None:
    value = normalize_text(data.get(key))
    if not value:
        return None
    value = value.replace(" ", "")
    if not _PHONE.match(value):
        raise UserError(f"联系电话“{value}”格式不对：手机号为11位数字，固定电话如 0859-1234567。")
    if value.isdigit() and value.startswith("1") and len(value) != 11:
        raise UserError(f"手机号“{value}”应为11位数字。")
    return value


def _id(data: Mapping[str, Any], key: str = "id_number") -> str | None:
    value = data.get(key)
    if value is None or str(value).strip() == "":
        return None
    try:
        return validate_id(value).normalized
    except IdNumberError as err:
        raise UserError(f"身份证号“{normalize_id(value)}”有误：{err}") from err


def _date(value: Any, label: str, *, required: bool = False) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise UserError(f"请填写{label}。")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalize_text(value).replace("年", "-").replace("月", "-").replace("日", "")
    text = text.replace(".", "-").replace("/", "-")
    try:
        parts = [int(p) for p in text.split("-") if p]
        if len(parts) == 1 and len(text) == 8:  # 20240305
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return dt.date(*parts)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise UserError(f"{label}“{value}”不是有效日期，请写成 2024-03-05。") from None


def _money(value: Any, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        amount = value
    else:
        try:
            amount = Decimal(normalize_text(value).replace(",", "").replace("元", ""))
        except InvalidOperation:
            raise UserError(f"{label}“{value}”不是有效金额。") from None
    if amount < 0:
        raise UserError(f"{label}不能为负数。")
    if amount >= Decimal("1e12"):
        raise UserError(f"{label}太大：{value}。")
    return amount.quantize(Decimal("0.01"))


# -- helpers ---------------------------------------------------------------------------------


def save_helper(session: Session, data: Mapping[str, Any], helper_id: int | None = None) -> Helper:
    """Add (``helper_id`` None) or update a 帮扶责任人 from a dict of form fields:
    name, sex, id_number, political_status, unit_name, unit_level, title, cadre_rank, phone,
    active, note. Codes accept labels too (单位隶属关系 "县直", 职级 "正科")."""
    helper = Helper() if helper_id is None else session.get(Helper, helper_id)
    if helper is None:
        raise UserError("这位帮扶责任人已被删除，请刷新后重试。")
    helper.name = _text(data, "name", "姓名", required=True, max_len=40)  # type: ignore[assignment]
    helper.sex = _code(data, "sex", "sex")
    helper.id_number = _id(data)
    helper.political_status = _code(data, "political_status", "political_status")
    helper.unit_name = _text(data, "unit_name", "帮扶单位", max_len=100)
    helper.unit_level = _code(data, "unit_level", "helper_unit_level")
    helper.title = _text(data, "title", "职务", max_len=60)
    helper.cadre_rank = _code(data, "cadre_rank", "cadre_rank")
    helper.phone = _phone(data)
    helper.active = bool(data.get("active", True))
    helper.note = _text(data, "note", "备注", max_len=500)
    if helper_id is None:
        session.add(helper)
    session.flush()
    return helper


@dataclass(frozen=True)
class HelperRow:
    helper: Helper
    households: int  # households currently helped (any role)

    @property
    def limit(self) -> int | None:
        return LOAD_LIMITS.get(self.helper.cadre_rank or "")


def list_helpers(session: Session, text: str = "", *, active_only: bool = False,
                 on: dt.date | None = None) -> list[HelperRow]:
    """Helpers whose name, unit or phone contains ``text``, with their current load."""
    loads = helper_loads(session, on)
    stmt = select(Helper).order_by(Helper.unit_name, Helper.name, Helper.id)
    text = normalize_text(text)
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Helper.name.like(like), Helper.unit_name.like(like),
                              Helper.phone.like(like)))
    if active_only:
        stmt = stmt.where(Helper.active.is_(True))
    return [HelperRow(h, loads.get(h.id, 0)) for h in session.scalars(stmt)]


def _current(on: dt.date):
    return (HelperAssignment.start_date <= on) & (
        HelperAssignment.end_date.is_(None) | (HelperAssignment.end_date >= on))


def helper_loads(session: Session, on: dt.date | None = None) -> dict[int, int]:
    """helper id → number of households currently assigned (帮扶责任人 role)."""
    on = on or dt.date.today()
    stmt = (select(HelperAssignment.helper_id, func.count(func.distinct(HelperAssignment.household_id)))
            .where(_current(on), HelperAssignment.role == ROLE_HELPER)
            .group_by(HelperAssignment.helper_id))
    return dict(session.execute(stmt).all())


# -- assignments -----------------------------------------------------------------------------


def assignments_of(session: Session, household_id: int) -> list[HelperAssignment]:
    """The household's assignments, oldest first, with ``.helper`` loaded."""
    stmt = (select(HelperAssignment).where(HelperAssignment.household_id == household_id)
            .order_by(HelperAssignment.start_date, HelperAssignment.id))
    rows = list(session.scalars(stmt))
    ids = {a.helper_id for a in rows}
    if ids:
        list(session.scalars(select(Helper).where(Helper.id.in_(ids))))
    return rows


def assign_helper(session: Session, household_id: int, helper_id: int, start: Any, *,
                  role: str = ROLE_HELPER, note: str | None = None) -> HelperAssignment:
    """Make ``helper_id`` the household's helper from ``start``: the current assignment of
    the same role ends the day before, and a new row is added (DOMAIN §6.2)."""
    start_date = _date(start, "帮扶开始时间", required=True)
    assert start_date is not None
    role = _code({"role": role}, "role", "assignment_role") or ROLE_HELPER
    if session.get(Household, household_id) is None:
        raise UserError("这一户已被删除，请刷新后重试。")
    helper = session.get(Helper, helper_id)
    if helper is None:
        raise UserError("这位帮扶责任人已被删除，请刷新后重试。")
    if not helper.active:
        raise UserError(f"{helper.name}已停用，不能再安排结对。请先在帮扶责任人中重新启用。")
    open_rows = [a for a in assignments_of(session, household_id)
                 if a.role == role and (a.end_date is None or a.end_date >= start_date)]
    for a in open_rows:
        if a.helper_id == helper_id and a.end_date is None and a.start_date <= start_date:
            raise UserError(f"{helper.name}已经是这一户的{code_list('assignment_role').label(role)}。")
        if a.start_date >= start_date:
            raise UserError(
                f"开始时间 {start_date:%Y-%m-%d} 不能早于现有结对（{a.helper.name}，"
                f"{a.start_date:%Y-%m-%d} 起）的开始时间。如要更正，请修改原记录。")
    for a in open_rows:
        a.end_date = start_date - dt.timedelta(days=1)
    row = HelperAssignment(household_id=household_id, helper_id=helper_id, role=role,
                           start_date=start_date, note=normalize_text(note) or None)
    session.add(row)
    session.flush()
    return row


def end_assignment(session: Session, assignment_id: int, end: Any) -> HelperAssignment:
    """End an assignment on ``end`` (帮扶结束, e.g. the helper left the post)."""
    row = session.get(HelperAssignment, assignment_id)
    if row is None:
        raise UserError("这条结对记录已被删除，请刷新后重试。")
    end_date = _date(end, "帮扶结束时间", required=True)
    assert end_date is not None
    if end_date < row.start_date:
        raise UserError(f"结束时间不能早于开始时间（{row.start_date:%Y-%m-%d}）。")
    row.end_date = end_date
    session.flush()
    return row


# -- village work teams ---------------------------------------------------------------------

TEAM_FLAGS = {"01": "is_first_secretary", "02": "is_leader", "03": "is_deputy_leader",
              "04": "is_member", "05": "is_village_cadre"}


def team_roles(member: VillageTeamMember) -> list[str]:
    """The member's roles as labels, in team_role order (第一书记、队长 …)."""
    labels = code_list("team_role")
    return [labels.label(code) for code, attr in TEAM_FLAGS.items() if getattr(member, attr)]


def save_team_member(session: Session, data: Mapping[str, Any],
                     member_id: int | None = None) -> VillageTeamMember:
    """Add or update a 驻村工作队员: region_code (a village), name, roles (team_role codes or
    labels, several allowed), unit_name, unit_title, unit_level, phone, start_date, end_date …"""
    row = VillageTeamMember() if member_id is None else session.get(VillageTeamMember, member_id)
    if row is None:
        raise UserError("这位工作队员已被删除，请刷新后重试。")
    region = normalize_text(data.get("region_code"))
    if not region or session.scalar(select(Region.id).where(Region.code == region)) is None:
        raise UserError("请选择工作队所在的村。")
    row.region_code = region
    row.name = _text(data, "name", "姓名", required=True, max_len=40)  # type: ignore[assignment]
    row.sex = _code(data, "sex", "sex")
    row.id_number = _id(data)
    row.education = _code(data, "education", "education")
    row.political_status = _code(data, "political_status", "political_status")
    row.speciality = _text(data, "speciality", "技术特长", max_len=100)
    row.unit_name = _text(data, "unit_name", "派出单位", max_len=100)
    row.unit_title = _text(data, "unit_title", "派出单位职务", max_len=60)
    row.unit_level = _code(data, "unit_level", "helper_unit_level")
    row.phone = _phone(data)
    roles = data.get("roles") or []
    if isinstance(roles, str):
        roles = [r for r in re.split(r"[、,，/\s]+", roles) if r]
    codes = {_code({"r": r}, "r", "team_role") for r in roles}
    if not codes:
        raise UserError("请至少选择一个职务（第一书记、队长、副队长、队员或包村干部）。")
    for code, attr in TEAM_FLAGS.items():
        setattr(row, attr, code in codes)
    row.start_date = _date(data.get("start_date"), "驻村开始时间", required=True)  # type: ignore[assignment]
    row.end_date = _date(data.get("end_date"), "驻村结束时间")
    if row.end_date and row.end_date < row.start_date:
        raise UserError("驻村结束时间不能早于开始时间。")
    if member_id is None:
        session.add(row)
    session.flush()
    return row


def team_of(session: Session, region_code: str, *, current_only: bool = False,
            on: dt.date | None = None) -> list[VillageTeamMember]:
    """A village's work team, current members first (第一书记, 队长 …), then past ones."""
    on = on or dt.date.today()
    stmt = select(VillageTeamMember).where(VillageTeamMember.region_code == region_code)
    if current_only:
        stmt = stmt.where(VillageTeamMember.start_date <= on,
                          VillageTeamMember.end_date.is_(None) | (VillageTeamMember.end_date >= on))
    rows = list(session.scalars(stmt))

    def key(t: VillageTeamMember):
        current = t.end_date is None or t.end_date >= on
        return (not current, not t.is_first_secretary, not t.is_leader, t.start_date, t.id)

    return sorted(rows, key=key)


# -- handbook entries ------------------------------------------------------------------------

ENTRY_FIELDS = ("year", "section", "category", "unit", "content", "amount", "scale", "deadline",
                "entry_date", "helper_id", "findings", "household_signed", "note")


def _fill_entry(session: Session, entry: HandbookEntry, data: Mapping[str, Any]) -> None:
    section = _code(data, "section", "handbook_section")
    if section is None:
        raise UserError("请选择手册栏目（计划、措施、成效、自我发展、需求或走访）。")
    entry.section = section
    entry.category = _code(data, "category", "handbook_category")
    entry.unit = _text(data, "unit", "帮扶单位", max_len=100)
    entry.content = _text(data, "content", "内容", required=True, max_len=1000)  # type: ignore[assignment]
    entry.amount = _money(data.get("amount"), "金额")
    entry.scale = _text(data, "scale", "规模", max_len=100)
    entry.deadline = _date(data.get("deadline"), "完成时限")
    entry.entry_date = _date(data.get("entry_date"), "日期")
    year = data.get("year")
    if year in (None, ""):
        year = entry.entry_date.year if entry.entry_date else dt.date.today().year
    try:
        entry.year = int(year)
    except (TypeError, ValueError):
        raise UserError(f"年度“{year}”应为四位数字。") from None
    if not 2000 <= entry.year <= 2100:
        raise UserError(f"年度“{year}”超出范围。")
    helper_id = data.get("helper_id")
    if helper_id in (None, ""):
        entry.helper_id = None
    else:
        if session.get(Helper, int(helper_id)) is None:
            raise UserError("所选帮扶责任人已被删除，请重新选择。")
        entry.helper_id = int(helper_id)
    entry.findings = _text(data, "findings", "走访发现的情况", max_len=500)
    entry.household_signed = bool(data.get("household_signed", False))
    entry.note = _text(data, "note", "备注", max_len=500)
    if section == "06" and entry.entry_date is None:
        raise UserError("走访记录请填写走访日期。")


def add_entry(session: Session, household_id: int, data: Mapping[str, Any]) -> HandbookEntry:
    """Add one handbook line to a household (fields as in :data:`ENTRY_FIELDS`)."""
    if session.get(Household, household_id) is None:
        raise UserError("这一户已被删除，请刷新后重试。")
    entry = HandbookEntry(household_id=household_id)
    _fill_entry(session, entry, data)
    session.add(entry)
    session.flush()
    return entry


def update_entry(session: Session, entry_id: int, data: Mapping[str, Any]) -> HandbookEntry:
    entry = session.get(HandbookEntry, entry_id)
    if entry is None:
        raise UserError("这条手册记录已被删除，请刷新后重试。")
    _fill_entry(session, entry, data)
    session.flush()
    return entry


def delete_entry(session: Session, entry_id: int) -> None:
    entry = session.get(HandbookEntry, entry_id)
    if entry is None:
        raise UserError("这条手册记录已被删除，请刷新后重试。")
    session.delete(entry)
    session.flush()


def entries_of(session: Session, household_id: int, *, year: int | None = None,
               section: str | None = None) -> list[HandbookEntry]:
    """A household's handbook lines by year, section and date."""
    stmt = select(HandbookEntry).where(HandbookEntry.household_id == household_id)
    if year is not None:
        stmt = stmt.where(HandbookEntry.year == year)
    if section is not None:
        stmt = stmt.where(HandbookEntry.section == section)
    stmt = stmt.order_by(HandbookEntry.year.desc(), HandbookEntry.section, HandbookEntry.entry_date,
                         HandbookEntry.id)
    return list(session.scalars(stmt))


def years_of(session: Session, household_id: int) -> list[HouseholdYear]:
    """The household's yearly 收支 rows, newest first."""
    return list(session.scalars(select(HouseholdYear).where(HouseholdYear.household_id == household_id)
                                .order_by(HouseholdYear.year.desc())))


# -- household search ------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdHit:
    id: int
    household_no: str
    head_name: str
    region_code: str
    place: str  # 乡镇村组
    member_count: int


def household_hits(session: Session, ids: Sequence[int]) -> list[HouseholdHit]:
    """Display lines (户主, 乡镇村组, 户编号, 人数) for ``ids`` (a page of search results), in
    the order given. The search itself is the registry's (``services.registry.household_ids``
    with a text filter)."""
    if not ids:
        return []
    rows = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}
    return _hits(session, [rows[i] for i in ids if i in rows])


def _hits(session: Session, households: Sequence[Household]) -> list[HouseholdHit]:
    codes = {h.region_code for h in households} | {h.region_code[:9] + "000" for h in households}
    names = dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
    return [HouseholdHit(h.id, h.household_no or "", h.head_name or "", h.region_code,
                         f"{names.get(h.region_code[:9] + '000', '')}{names.get(h.region_code, '')}"
                         f"{h.group_name or ''}", h.member_count) for h in households]


# -- 4-3-2-1 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overload:
    helper: Helper
    rank_label: str
    households: int
    limit: int


@dataclass
class LoadReport:
    overloaded: list[Overload]  # carry more households than their rank allows
    unranked: list[Helper]  # helping households but no 职级 recorded: cannot be checked
    without_helper: list[HouseholdHit]  # 脱贫户/监测户 with no current helper

    @property
    def ok(self) -> bool:
        return not (self.overloaded or self.without_helper)


def region_loads(session: Session, region_code: str | None = None, *,
                 on: dt.date | None = None) -> dict[int, int]:
    """helper id → households they currently help (帮扶责任人 role, households 正常), for
    the helpers who help a household under ``region_code`` (all if None). A helper's load
    counts every household they help, wherever it is; the region only chooses the helpers."""
    on = on or dt.date.today()
    stmt = (select(HelperAssignment.helper_id, func.count(func.distinct(HelperAssignment.household_id)))
            .join(Household, Household.id == HelperAssignment.household_id)
            .where(_current(on), HelperAssignment.role == ROLE_HELPER, Household.status == "01"))
    if region_code:
        helpers_here = (select(HelperAssignment.helper_id)
                        .join(Household, Household.id == HelperAssignment.household_id)
                        .where(_current(on), Household.region_code.like(code_prefix(region_code) + "%")))
        stmt = stmt.where(HelperAssignment.helper_id.in_(helpers_here))
    return dict(session.execute(stmt.group_by(HelperAssignment.helper_id)).all())


def over_limit(cadre_rank: str | None, households: int) -> int | None:
    """The 4-3-2-1 limit a helper of ``cadre_rank`` carrying ``households`` exceeds, else
    None (also None for an unranked helper: they cannot be checked)."""
    limit = LOAD_LIMITS.get(cadre_rank or "")
    return limit if limit is not None and households > limit else None


def needs_helper(on: dt.date | None = None):
    """SQL condition on ``Household``: a 脱贫户 or monitored household (正常) without a
    current helper."""
    on = on or dt.date.today()
    helped = select(HelperAssignment.household_id).where(_current(on))
    return and_(Household.status == "01",
                or_(Household.household_type == "01", Household.monitoring_category.is_not(None)),
                Household.id.not_in(helped))


def load_check(session: Session, region_code: str | None = None, *,
               on: dt.date | None = None) -> LoadReport:
    """The 4-3-2-1 check (县级领导 4, 正科 3, 副科 2, 一般干部 1 households) on ``on``
    (today), for households under ``region_code`` (everything if None)."""
    on = on or dt.date.today()
    loads = region_loads(session, region_code, on=on)
    helpers = {h.id: h for h in session.scalars(select(Helper).where(Helper.id.in_(list(loads))))}
    ranks = code_list("cadre_rank")
    overloaded, unranked = [], []
    for hid, count in sorted(loads.items(), key=lambda kv: -kv[1]):
        h = helpers[hid]
        if LOAD_LIMITS.get(h.cadre_rank or "") is None:
            unranked.append(h)
        elif (limit := over_limit(h.cadre_rank, count)) is not None:
            overloaded.append(Overload(h, ranks.label(h.cadre_rank), count, limit))
    # Households that need a helper: 脱贫户 and monitored households.
    need = (select(Household).where(needs_helper(on))
            .order_by(Household.region_code, Household.group_name, Household.household_no))
    if region_code:
        need = need.where(Household.region_code.like(code_prefix(region_code) + "%"))
    without = _hits(session, list(session.scalars(need)))
    return LoadReport(overloaded, unranked, without)


# -- regions for pickers ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegionChoice:
    code: str
    name: str
    level: str
    label: str  # 「复兴镇」 / 「复兴镇 · 高桥村」


def region_choices(session: Session) -> list[RegionChoice]:
    """Townships and their villages, in code order, for region pickers."""
    rows = session.execute(select(Region.code, Region.name, Region.level)
                           .where(Region.level.in_(("township", "village")), Region.valid.is_(True))
                           .order_by(Region.code)).all()
    townships = {c: n for c, n, lvl in rows if lvl == "township"}
    out = []
    for code, name, level in rows:
        label = name if level == "township" else f"{townships.get(code[:9] + '000', '')} · {name}"
        out.append(RegionChoice(code, name, level, label))
    return out
