"""资产台账 under 三定四管 (DOMAIN §10): what an asset is, of which kind, whose; and its
登记, 运行 (income and distribution), 维护 and 处置.

Every public function takes an open session (one per user action, the caller's
``db.session()`` commits) and raises ``UserError`` with a Chinese message for anything the
clerk can fix; the caller's session then rolls back, so nothing is half-written.

Asset numbers are ``<county prefix><year><4-digit sequence>`` (e.g. ``52232620230001``). The
last sequence per prefix and year lives in ``asset_number_sequences`` and is taken with one
atomic ``UPDATE … RETURNING`` (a row lock on PostgreSQL, the write lock on SQLite), so two
clerks never get the same number, and a number is never handed out again — not after the
asset was disposed of, nor after it was deleted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from fupin_desktop.rules.text import group_sort_key
from fupin_desktop.codes import CodeError, code_list, label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    MEMBER_PRESENT,
    Asset,
    AssetDisposal,
    AssetFunding,
    AssetIncome,
    AssetMaintenance,
    AssetNumberSequence,
    Household,
    IncomeDistribution,
    Member,
    Project,
    ProjectFunding,
    ProjectStatusLog,
    Region,
)
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
from fupin_desktop.models.region import (
    LEVEL_COUNTY,
    LEVEL_TOWNSHIP,
    LEVEL_VILLAGE,
    code_prefix,
    level_of_code,
)
from fupin_desktop.services import projects as project_svc

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# asset_category
CATEGORY_OPERATING = "01"  # 经营性资产
CATEGORY_PUBLIC = "02"  # 公益性资产
CATEGORY_HOUSEHOLD = "03"  # 到户类资产
# ownership_level
LEVEL_CODE_COUNTY = "01"
LEVEL_CODE_TOWNSHIP = "02"
LEVEL_CODE_VILLAGE = "03"
LEVEL_CODE_HOUSEHOLD = "04"
# asset_status
STATUS_NORMAL = "01"
STATUS_IDLE = "02"
STATUS_LOW = "03"
STATUS_DAMAGED = "04"
STATUS_DISPOSED = "05"
CLERK_STATUSES = (STATUS_NORMAL, STATUS_IDLE, STATUS_LOW, STATUS_DAMAGED)
# disposal_status: 申请 → 村级决议 → 乡镇审核 → 县级审批 → 已处置 / 驳回
DISPOSAL_REQUESTED = "01"
DISPOSAL_VILLAGE = "02"
DISPOSAL_TOWNSHIP = "03"
DISPOSAL_COUNTY = "04"
DISPOSAL_DONE = "05"
DISPOSAL_REJECTED = "06"
DISPOSAL_OPEN = (DISPOSAL_REQUESTED, DISPOSAL_VILLAGE, DISPOSAL_TOWNSHIP, DISPOSAL_COUNTY)
APPROVAL_STEPS = (DISPOSAL_VILLAGE, DISPOSAL_TOWNSHIP, DISPOSAL_COUNTY)
APPROVAL_STEP_NAMES = {
    DISPOSAL_VILLAGE: "村民代表大会决议",
    DISPOSAL_TOWNSHIP: "乡镇政府审核批准",
    DISPOSAL_COUNTY: "县级主管部门与财政部门审批",
}
# disposal_method codes whose proceeds must be recorded (拍卖, 转让)
METHODS_WITH_PROCEEDS = ("01", "02")
# recipient_type
RECIPIENT_HOUSEHOLD = "01"
RECIPIENT_COLLECTIVE = "02"
RECIPIENT_WELFARE_JOB = "03"
RECIPIENT_PUBLIC_CAUSE = "04"
RECIPIENT_OTHER = "99"
# project_status: the projects service's state machine decides when a project may be handed
# over; a project already 已移交 may hand over a later part of its assets.
PROJECT_ACCEPTED = project_svc.ACCEPTED  # 已验收
PROJECT_HANDED_OVER = project_svc.HANDED_OVER  # 已移交
HANDOVER_FROM = tuple(
    s for s, nexts in project_svc.TRANSITIONS.items() if PROJECT_HANDED_OVER in nexts
) + (PROJECT_HANDED_OVER,)

# 定范围: assets formed since 2013 (党的十八大以来) from the fund sources DOMAIN §9.1 lists.
SCOPE_FIRST_YEAR = 2013
SCOPE_FUND_SOURCES = ("01", "02", "03", "04", "05", "06", "07", "08", "09")

INCOME_KINDS = ("租金", "分红", "经营利润", "承包费", "其他")
# labour_skill codes of people who can work (普通/技能/弱或半劳动力).
_LABOUR_CODES = ("01", "02", "03")
_HOUSEHOLD_TYPE_LIFTED = "01"  # household_type 脱贫户


# -- small value parsers (shared with the spreadsheet import) --------------------------------


def parse_money(value: object, label: str, *, required: bool = False) -> Decimal | None:
    """``12,345.6`` / ``"1.2万"`` / a number → Decimal(元, 2 places); blank → None."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise UserError(f"{label}不能为空，请填写金额（元）。")
        return None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("元", "")
        factor = Decimal(1)
        if text.endswith("万"):
            text, factor = text[:-1], Decimal(10000)
        try:
            amount = Decimal(text) * factor
        except InvalidOperation:
            raise UserError(f"{label}“{value}”不是金额，请填写数字（元）。") from None
    if not amount.is_finite():
        raise UserError(f"{label}“{value}”不是金额，请填写数字（元）。")
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise UserError(f"{label}不能为负数（{amount} 元）。")
    return amount


def parse_date(value: object, label: str) -> dt.date | None:
    """A date from a date, ``2023-05-01``, ``2023/5/1``, ``2023年5月1日``, ``20230501``; blank → None."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text)
    if m and 1 <= int(m[2]) <= 12:
        return dt.date(int(m[1]), int(m[2]), 1)
    raise UserError(f"{label}“{value}”不是日期，请写成 2023-05-01 的样子。")


def parse_int(value: object, label: str) -> int | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise UserError(f"{label}“{value}”不是整数。") from None
    if number != number.to_integral_value():
        raise UserError(f"{label}“{value}”不是整数。")
    return int(number)


def parse_quantity(value: object, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise UserError(f"{label}“{value}”不是数字。") from None
    if not number.is_finite() or number < 0:
        raise UserError(f"{label}“{value}”不是非负数字。")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _code(name: str, value: object, label: str) -> str | None:
    try:
        return code_list(name).normalize(value)
    except CodeError as exc:
        raise UserError(f"{label}：{exc}") from None


def yuan_text(amount: Decimal | None) -> str:
    """``12,345.60`` for tables and forms; blank for None."""
    return "" if amount is None else f"{amount:,.2f}"


# -- ledger fields (DOMAIN §10.2) ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One editable asset column: attribute, Chinese label, kind and (for codes) the list."""

    attr: str
    label: str
    kind: str  # text, code, date, money, int, quantity
    code_list: str | None = None
    required: bool = False
    max_length: int | None = None


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "资产名称", "text", required=True, max_length=200),
    FieldSpec("category", "资产类别", "code", "asset_category", required=True),
    FieldSpec("subtype", "资产类型", "code", "asset_subtype"),
    FieldSpec("project_year", "项目年度", "int"),
    FieldSpec("location", "建设地点", "text", max_length=200),
    FieldSpec("quantity", "建设规模", "quantity"),
    FieldSpec("unit", "计量单位", "text", max_length=20),
    FieldSpec("formed_on", "形成时间", "date"),
    FieldSpec("original_value", "资产原值（元）", "money", required=True),
    FieldSpec("book_value", "账面价值（元）", "money"),
    FieldSpec("ownership_level", "确权层级", "code", "ownership_level", required=True),
    FieldSpec("owner_name", "所有权人", "text", max_length=100),
    FieldSpec("ownership_holder", "所有权", "text", max_length=100),
    FieldSpec("operation_holder", "经营权", "text", max_length=100),
    FieldSpec("income_holder", "收益权", "text", max_length=100),
    FieldSpec("distribution_holder", "分配权", "text", max_length=100),
    FieldSpec("disposal_holder", "处置权", "text", max_length=100),
    FieldSpec("supervision_holder", "监督权", "text", max_length=100),
    FieldSpec("operation_mode", "经营方式", "code", "operation_mode"),
    FieldSpec("operator", "经营主体", "text", max_length=100),
    FieldSpec("contract_start", "合同起始日期", "date"),
    FieldSpec("contract_end", "合同截止日期", "date"),
    FieldSpec("custodian", "管护主体", "text", max_length=100),
    FieldSpec("custodian_person", "管护责任人", "text", max_length=40),
    FieldSpec("custodian_phone", "管护人电话", "text", max_length=20),
    FieldSpec("custody_rule", "管护制度", "text", max_length=500),
    FieldSpec("registered_on", "确权登记日期", "date"),
    FieldSpec("handed_over_on", "移交日期", "date"),
    FieldSpec("handover_doc", "移交文书号", "text", max_length=60),
    FieldSpec("beneficiaries_note", "收益对象", "text", max_length=500),
    FieldSpec("note", "备注", "text", max_length=500),
)
FIELD_BY_ATTR = {f.attr: f for f in FIELDS}


def clean_field(spec: FieldSpec, value: object) -> Any:
    """The stored value for what a form or a sheet cell holds; raises UserError naming the field."""
    if spec.kind == "text":
        text = "" if value is None else str(value).strip()
        if spec.max_length and len(text) > spec.max_length:
            raise UserError(f"{spec.label}太长（{len(text)} 字），最多 {spec.max_length} 字。")
        result: Any = text or None
    elif spec.kind == "code":
        result = _code(spec.code_list or "", value, spec.label)
    elif spec.kind == "date":
        result = parse_date(value, spec.label)
    elif spec.kind == "money":
        result = parse_money(value, spec.label)
    elif spec.kind == "int":
        result = parse_int(value, spec.label)
    elif spec.kind == "quantity":
        result = parse_quantity(value, spec.label)
    else:  # pragma: no cover - a programming error in FIELDS
        raise ValueError(spec.kind)
    if spec.required and result is None:
        raise UserError(f"{spec.label}不能为空。")
    return result


@dataclass
class FundingShare:
    """One 资金来源 row of an asset: a fund_source code and its amount (元)."""

    source: str
    amount: Decimal


def parse_fundings(value: object, total: Decimal | None = None) -> list[FundingShare]:
    """``衔接资金 30000；社会捐赠 5000`` → shares; a lone source name takes the whole ``total``."""
    text = "" if value is None else str(value).strip()
    if not text:
        return []
    shares: list[FundingShare] = []
    parts = [p.strip() for p in re.split(r"[;；、,，\n]+", text) if p.strip()]
    for part in parts:
        m = re.fullmatch(r"(.+?)\s*[:：]?\s*([0-9][0-9.]*\s*万?)\s*元?", part)
        if m:
            source = _code("fund_source", m[1].strip(), "资金来源")
            amount = parse_money(m[2], f"资金来源“{m[1].strip()}”的金额", required=True)
        else:
            source = _code("fund_source", part, "资金来源")
            if len(parts) > 1 or total is None:
                raise UserError(f"资金来源“{part}”没有写金额，请写成“衔接资金 30000；社会捐赠 5000”。")
            amount = total
        assert source is not None and amount is not None
        shares.append(FundingShare(source, amount))
    return shares


def fundings_text(fundings: Iterable[AssetFunding | FundingShare]) -> str:
    return "；".join(f"{label_of('fund_source', f.source)} {f.amount:.2f}" for f in fundings)


# -- 定范围 / 定类型 / 定归属 checks ------------------------------------------------------------


def check_asset(asset: Asset, fundings: Sequence[AssetFunding | FundingShare], session: Session) -> None:
    """Scope (§10.1), class/subtype, owner level and fund rules; raises UserError on the first problem."""
    year = asset.formed_on.year if asset.formed_on else asset.project_year
    if year is None:
        raise UserError("请填写形成时间或项目年度：资产范围按形成年份认定（2013年以来）。")
    if year < SCOPE_FIRST_YEAR:
        raise UserError(
            f"资产形成于 {year} 年，不在扶贫项目资产范围内（2013年以来由财政衔接/扶贫等资金形成的资产才登记入台账）。"
        )
    if asset.subtype:
        entry = code_list("asset_subtype").get(asset.subtype)
        if entry is not None and entry.parent != asset.category:
            raise UserError(
                f"资产类型“{entry.label}”不属于{label_of('asset_category', asset.category)}，请重新选择资产类型。"
            )
    if not fundings:
        raise UserError("请填写资金来源及金额：资产范围按资金来源认定。")
    if not any(f.source in SCOPE_FUND_SOURCES for f in fundings):
        names = "、".join(label_of("fund_source", c) for c in SCOPE_FUND_SOURCES)
        raise UserError(f"资金来源中没有扶贫项目资产范围内的资金（{names}），不能登记为扶贫项目资产。")
    total = sum((f.amount for f in fundings), ZERO)
    if total != asset.original_value:
        raise UserError(
            f"资金来源合计 {yuan_text(total)} 元与资产原值 {yuan_text(asset.original_value)} 元不一致，请核对。"
        )
    if asset.book_value is not None and asset.book_value > asset.original_value:
        raise UserError("账面价值不能大于资产原值。")
    if asset.contract_start and asset.contract_end and asset.contract_end < asset.contract_start:
        raise UserError("合同截止日期早于起始日期，请核对。")
    if _region_id(session, asset.region_code) is None:
        raise UserError(f"区划代码 {asset.region_code} 不存在，请先在区划中添加。")
    if asset.category == CATEGORY_HOUSEHOLD or asset.ownership_level == LEVEL_CODE_HOUSEHOLD:
        if asset.household_id is None:
            raise UserError("到户类资产或确权到户的资产必须选择所属农户。")
        if asset.ownership_level != LEVEL_CODE_HOUSEHOLD:
            raise UserError("到户类资产的确权层级应为“户”。")
    if asset.ownership_level == LEVEL_CODE_VILLAGE and level_of_code(asset.region_code) != LEVEL_VILLAGE:
        raise UserError("确权到村的资产，所在区划应选到村。")


def _region_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    return session.scalar(select(Region.id).where(Region.code == code))


def _default_rights(asset: Asset, session: Session) -> None:
    """Rights holders the clerk left blank follow the owner (监督权: the township government)."""
    owner = asset.owner_name
    if asset.household_id is not None and not owner:
        hh = session.get(Household, asset.household_id)
        owner = asset.owner_name = hh.head_name if hh else None
    for attr in ("ownership_holder", "income_holder", "distribution_holder", "disposal_holder"):
        if not getattr(asset, attr):
            setattr(asset, attr, owner)
    if not asset.operation_holder:
        asset.operation_holder = asset.operator or owner
    if not asset.supervision_holder:
        township = _township_name(session, asset.region_code)
        if township:
            asset.supervision_holder = f"{township}人民政府"


def _township_name(session: Session, region_code: str) -> str | None:
    if level_of_code(region_code) in (LEVEL_VILLAGE,):
        code = region_code[:9] + "000"
    else:
        code = region_code
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None or region.level not in (LEVEL_TOWNSHIP,):
        return None
    return region.name


# -- 资产编号 ------------------------------------------------------------------------------------


def number_prefix(region_code: str) -> str:
    """The county part of an asset number: the first 6 digits of the region code."""
    return region_code[:6]


def _max_used_seq(session: Session, prefix: str, year: int) -> int:
    head = f"{prefix}{year}"
    numbers = session.scalars(select(Asset.asset_no).where(Asset.asset_no.like(f"{head}%")))
    best = 0
    for no in numbers:
        tail = no[len(head):]
        if tail.isdigit():
            best = max(best, int(tail))
    return best


def next_asset_no(session: Session, prefix: str, year: int) -> str:
    """Take the next number for ``prefix``/``year``; never returns a number used before.

    The sequence row is bumped with one atomic UPDATE … RETURNING, which holds the row lock
    until the caller's transaction ends: a second clerk taking a number at the same time waits
    and gets the next one. The first number of a new year starts above any number already in
    the ledger for that year (ledgers imported from Excel keep theirs).
    """
    bump = (
        update(AssetNumberSequence)
        .where(AssetNumberSequence.prefix == prefix, AssetNumberSequence.year == year)
        .values(last_seq=AssetNumberSequence.last_seq + 1)
        .returning(AssetNumberSequence.last_seq)
        .execution_options(synchronize_session=False)
    )
    seq = session.execute(bump).scalar_one_or_none()
    if seq is None:
        start = _max_used_seq(session, prefix, year) + 1
        try:
            with session.begin_nested():
                session.add(AssetNumberSequence(prefix=prefix, year=year, last_seq=start))
                session.flush()
            seq = start
        except IntegrityError:
            # Another clerk created this year's row a moment ago: take the next from it.
            seq = session.execute(bump).scalar_one()
    while True:
        number = f"{prefix}{year}{seq:04d}"
        if session.scalar(select(Asset.id).where(Asset.asset_no == number)) is None:
            return number
        # A number typed in by hand or imported is taken already: skip past it.
        seq = session.execute(bump).scalar_one()


def reserve_asset_no(session: Session, number: str) -> None:
    """An imported/typed number of our scheme moves the sequence past it, so it is never reissued."""
    m = re.fullmatch(r"(\d{6})(\d{4})(\d{4,})", number)
    if not m:
        return
    prefix, year, seq = m[1], int(m[2]), int(m[3])
    row = session.scalar(
        select(AssetNumberSequence)
        .where(AssetNumberSequence.prefix == prefix, AssetNumberSequence.year == year)
        .with_for_update()
    )
    if row is None:
        try:
            with session.begin_nested():
                session.add(AssetNumberSequence(prefix=prefix, year=year, last_seq=seq))
                session.flush()
            return
        except IntegrityError:
            row = session.scalar(
                select(AssetNumberSequence)
                .where(AssetNumberSequence.prefix == prefix, AssetNumberSequence.year == year)
                .with_for_update()
            )
    assert row is not None
    if row.last_seq < seq:
        row.last_seq = seq
        session.flush()


def _number_year(asset: Asset) -> int:
    if asset.project_year:
        return asset.project_year
    if asset.formed_on:
        return asset.formed_on.year
    return (asset.registered_on or dt.date.today()).year


# -- 登记: create, edit, delete ---------------------------------------------------------------


def _apply_values(asset: Asset, values: Mapping[str, object]) -> None:
    for key, value in values.items():
        spec = FIELD_BY_ATTR.get(key)
        if spec is None:
            raise ValueError(f"unknown asset field {key!r}")
        setattr(asset, key, clean_field(spec, value))
    for spec in FIELDS:
        if spec.required and getattr(asset, spec.attr) in (None, ""):
            raise UserError(f"{spec.label}不能为空。")


def _check_household(session: Session, household_id: int | None) -> None:
    if household_id is not None and session.get(Household, household_id) is None:
        raise UserError("所选农户不存在（可能已被删除），请重新选择。")


def create_asset(
    session: Session,
    values: Mapping[str, object],
    *,
    region_code: str,
    fundings: Sequence[FundingShare],
    household_id: int | None = None,
    project_id: int | None = None,
    asset_no: str | None = None,
) -> Asset:
    """Register an asset directly (older projects, or a ledger kept on paper until now).

    ``values`` holds FIELDS attributes (text as typed is fine: codes by label, dates as text).
    A blank ``asset_no`` takes the next number; a given one must be unused and is reserved in
    the sequence. Raises UserError for anything out of scope or inconsistent.
    """
    asset = Asset(region_code=region_code, household_id=household_id, project_id=project_id)
    _apply_values(asset, values)
    _check_household(session, household_id)
    if project_id is not None and session.get(Project, project_id) is None:
        raise UserError("来源项目不存在，请重新选择。")
    check_asset(asset, fundings, session)
    _default_rights(asset, session)
    if not asset.registered_on:
        asset.registered_on = dt.date.today()
    if asset.book_value is None:
        asset.book_value = asset.original_value
    if asset_no:
        asset_no = asset_no.strip()
        if session.scalar(select(Asset.id).where(Asset.asset_no == asset_no)) is not None:
            raise UserError(f"资产编号 {asset_no} 已被使用，资产编号不能重复。")
        reserve_asset_no(session, asset_no)
        asset.asset_no = asset_no
    else:
        asset.asset_no = next_asset_no(session, number_prefix(region_code), _number_year(asset))
    asset.status = STATUS_NORMAL
    asset.fundings = [AssetFunding(source=f.source, amount=f.amount) for f in fundings]
    session.add(asset)
    session.flush()
    return asset


def update_asset(
    session: Session,
    asset_id: int,
    values: Mapping[str, object],
    *,
    region_code: str | None = None,
    fundings: Sequence[FundingShare] | None = None,
    household_id: int | None | type[...] = ...,
) -> Asset:
    """Change an asset's registration. A disposed asset keeps its record: only 备注 may change."""
    asset = get_asset(session, asset_id)
    if asset.status == STATUS_DISPOSED:
        changed = {k for k, v in values.items() if clean_field(FIELD_BY_ATTR[k], v) != getattr(asset, k)}
        if changed - {"note"} or fundings is not None or region_code not in (None, asset.region_code):
            raise UserError(f"资产 {asset.asset_no} 已处置，台账记录只能修改备注。")
    _apply_values(asset, values)
    if region_code is not None:
        asset.region_code = region_code
    if household_id is not ...:
        _check_household(session, household_id)  # type: ignore[arg-type]
        asset.household_id = household_id  # type: ignore[assignment]
    shares = fundings if fundings is not None else list(asset.fundings)
    check_asset(asset, shares, session)
    if fundings is not None:
        asset.fundings = [AssetFunding(source=f.source, amount=f.amount) for f in fundings]
    _default_rights(asset, session)
    session.flush()
    return asset


def delete_asset(session: Session, asset_id: int) -> None:
    """Remove an asset entered by mistake. One with income or a disposal record cannot go: it
    is history. Its number is not reused (the sequence never goes back)."""
    asset = get_asset(session, asset_id)
    if asset.incomes or asset.disposals:
        raise UserError(
            f"资产 {asset.asset_no} 已有收益或处置记录，不能删除；如已不存在，请走处置程序。"
        )
    session.delete(asset)
    session.flush()


def get_asset(session: Session, asset_id: int) -> Asset:
    """The asset with its child rows loaded; UserError when it no longer exists."""
    asset = session.get(
        Asset,
        asset_id,
        options=[
            selectinload(Asset.fundings),
            selectinload(Asset.incomes).selectinload(AssetIncome.distributions),
            selectinload(Asset.maintenance),
            selectinload(Asset.disposals),
        ],
    )
    if asset is None:
        raise UserError("该资产不存在（可能已被其他人删除），请刷新台账。")
    return asset


# -- 资产移交: a finished project forms assets ----------------------------------------------------


@dataclass
class AssetSplit:
    """One asset a project hands over: its share of the project's funds and what it is.

    ``fundings`` may be left empty: the share is then split over the project's fund sources in
    proportion to them. ``values`` holds any further FIELDS (owner, custodian, subtype …).
    """

    name: str
    category: str
    value: Decimal
    fundings: list[FundingShare] = field(default_factory=list)
    household_id: int | None = None
    values: dict[str, object] = field(default_factory=dict)


def project_funds(session: Session, project: Project) -> tuple[Decimal, dict[str, Decimal]]:
    """A project's total funds and its funds by fund_source (sources left blank are not listed)."""
    rows = session.execute(
        select(ProjectFunding.source, func.sum(ProjectFunding.amount))
        .where(ProjectFunding.project_id == project.id)
        .group_by(ProjectFunding.source)
    ).all()
    by_source = {src: Decimal(amount) for src, amount in rows if src}
    total = project.total_funds
    if total is None:
        total = sum((Decimal(a) for _s, a in rows), ZERO)
    return Decimal(total).quantize(CENT), by_source


def handed_over_so_far(session: Session, project_id: int) -> tuple[Decimal, dict[str, Decimal]]:
    """What earlier hand-overs of this project already put into assets: total and by source."""
    rows = session.execute(
        select(AssetFunding.source, func.sum(AssetFunding.amount))
        .join(Asset, Asset.id == AssetFunding.asset_id)
        .where(Asset.project_id == project_id)
        .group_by(AssetFunding.source)
    ).all()
    by_source = {src: Decimal(a) for src, a in rows}
    return sum(by_source.values(), ZERO), by_source


@dataclass(frozen=True)
class HandoverBalance:
    """What a project can still hand over: its funds, what earlier hand-overs used, the rest."""

    project_id: int
    project_no: str | None
    name: str
    year: int
    region_code: str
    location: str | None
    status: str
    total: Decimal
    by_source: dict[str, Decimal]
    used: Decimal
    used_by_source: dict[str, Decimal]
    scale_quantity: Decimal | None
    scale_unit: str | None
    blocked: str | None  # why the project cannot hand over now (None: it can)

    @property
    def remaining(self) -> Decimal:
        return self.total - self.used

    @property
    def remaining_by_source(self) -> dict[str, Decimal]:
        return {src: amount - self.used_by_source.get(src, ZERO) for src, amount in self.by_source.items()}


def handover_balance(session: Session, project_id: int) -> HandoverBalance:
    """The funds a hand-over form shows, and whether the state machine lets the project hand over."""
    project = session.get(Project, project_id)
    if project is None:
        raise UserError("项目不存在，请刷新项目列表。")
    total, by_source = project_funds(session, project)
    used, used_by_source = handed_over_so_far(session, project_id)
    blocked = None
    if project.status not in HANDOVER_FROM:
        state = label_of("project_status", project.status)
        if project.status == PROJECT_ACCEPTED:
            blocked = f"项目当前为“{state}”，按项目流程须先办理“报账”，报账后才能移交资产。"
        else:
            blocked = f"项目当前为“{state}”，不能移交资产：验收、报账后才能移交。"
    return HandoverBalance(
        project_id=project.id, project_no=project.project_no, name=project.name, year=project.year,
        region_code=project.region_code, location=project.location, status=project.status,
        total=total, by_source=by_source, used=used, used_by_source=used_by_source,
        scale_quantity=project.scale_quantity, scale_unit=project.scale_unit, blocked=blocked,
    )  # fmt: skip


def _split_by_weights(total: Decimal, weights: Mapping[str, Decimal]) -> list[FundingShare]:
    """``total`` over the keys in proportion to the weights, to the cent, adding up exactly."""
    weight_sum = sum(weights.values(), ZERO)
    if weight_sum <= 0:
        return []
    cents = int(total * 100)
    shares = {k: int(cents * w / weight_sum) for k, w in weights.items()}
    rest = cents - sum(shares.values())
    for key in sorted(weights, key=lambda k: weights[k], reverse=True):
        if rest <= 0:
            break
        shares[key] += 1
        rest -= 1
    return [FundingShare(k, Decimal(v) / 100) for k, v in shares.items() if v]


def hand_over_project(
    session: Session,
    project_id: int,
    assets: Sequence[AssetSplit],
    *,
    handed_over_on: dt.date,
    handover_doc: str | None = None,
    actor: str | None = None,
) -> list[Asset]:
    """资产移交: create the assets a finished project formed and mark the project 已移交.

    The move to 已移交 goes through the projects service's state machine
    (:func:`fupin_desktop.services.projects.transition`): the project must be in a state from
    which 已移交 may follow (已报账), the date must not be before the previous step nor after
    today, and the 移交文书号 is its document number. A project already 已移交 hands over a
    later part of its assets without a second state change. The assets' funds together with
    earlier hand-overs must not exceed the project's funds, in total and per fund source.
    Raises UserError otherwise; nothing is written then (not even in the caller's session).
    """
    project = session.get(Project, project_id)
    if project is None:
        raise UserError("项目不存在，请刷新项目列表。")
    if not assets:
        raise UserError("请至少填写一项移交形成的资产。")
    handover_doc = (handover_doc or "").strip()
    if not handover_doc:
        raise UserError("请填写移交文书号（资产移交书的编号），移交须有书面凭证。")
    if handed_over_on > dt.date.today():
        raise UserError("移交日期不能晚于今天。")
    # A savepoint: a refusal after the state change leaves the session as it was.
    with session.begin_nested():
        log = None
        if project.status != PROJECT_HANDED_OVER:
            log = project_svc.transition(
                session, project.id, PROJECT_HANDED_OVER,
                date=handed_over_on, doc_no=handover_doc, actor=actor,
            )  # fmt: skip
        created, new_total = _create_handover_assets(session, project, assets, handed_over_on, handover_doc)
        if log is not None:
            log.note = f"移交形成资产 {len(created)} 项，金额 {yuan_text(new_total)} 元"
            session.flush()
    return created


def _create_handover_assets(
    session: Session,
    project: Project,
    assets: Sequence[AssetSplit],
    handed_over_on: dt.date,
    handover_doc: str,
) -> tuple[list[Asset], Decimal]:
    project_id = project.id
    total, by_source = project_funds(session, project)
    used_total, used_by_source = handed_over_so_far(session, project_id)
    planned: list[tuple[AssetSplit, list[FundingShare]]] = []
    # Assets without their own fund sources share what is left of each source once earlier
    # hand-overs and the assets of this one that name their sources are taken off.
    remaining = {s: a - used_by_source.get(s, ZERO) for s, a in by_source.items()}
    for split in assets:
        for share in split.fundings:
            if share.source in remaining:
                remaining[share.source] -= share.amount
    for i, split in enumerate(assets, start=1):
        value = parse_money(split.value, f"第 {i} 项资产的金额", required=True)
        assert value is not None
        if value <= 0:
            raise UserError(f"第 {i} 项资产“{split.name}”的金额应大于 0。")
        split.value = value
        shares = list(split.fundings)
        if not shares:
            positive = {s: a for s, a in remaining.items() if a > 0}
            shares = _split_by_weights(value, positive or by_source)
            if not shares:
                raise UserError(f"项目“{project.name}”没有填写资金来源，请逐项填写第 {i} 项资产的资金来源。")
            for share in shares:
                if share.source in remaining:
                    remaining[share.source] -= share.amount
        planned.append((split, shares))
    new_total = sum((s.value for s, _ in planned), ZERO)
    if used_total + new_total > total:
        raise UserError(
            f"移交资产金额合计 {yuan_text(new_total)} 元"
            + (f"（此前已移交 {yuan_text(used_total)} 元）" if used_total else "")
            + f"，超过项目资金 {yuan_text(total)} 元，请核减。"
        )
    new_by_source: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for _split, shares in planned:
        for share in shares:
            new_by_source[share.source] += share.amount
    for source, amount in new_by_source.items():
        if source in by_source and used_by_source.get(source, ZERO) + amount > by_source[source]:
            raise UserError(
                f"移交资产中“{label_of('fund_source', source)}”合计 {yuan_text(amount)} 元，"
                f"超过项目该来源资金 {yuan_text(by_source[source] - used_by_source.get(source, ZERO))} 元（可移交余额）。"
            )
    formed = _accepted_on(session, project) or handed_over_on
    created = []
    for i, (split, shares) in enumerate(planned, start=1):
        level = LEVEL_CODE_VILLAGE if level_of_code(project.region_code) == LEVEL_VILLAGE else LEVEL_CODE_TOWNSHIP
        if split.household_id is not None:
            level = LEVEL_CODE_HOUSEHOLD
        values: dict[str, object] = {
            "name": split.name,
            "category": split.category,
            "project_year": project.year,
            "location": project.location,
            "formed_on": formed,
            "original_value": split.value,
            "book_value": split.value,
            "ownership_level": level,
            "handed_over_on": handed_over_on,
            "handover_doc": handover_doc,
            "registered_on": handed_over_on,
        }
        if len(planned) == 1 and project.scale_quantity is not None:
            values["quantity"] = project.scale_quantity
            values["unit"] = project.scale_unit
        values.update(split.values)
        if not values.get("owner_name"):
            # The owner follows the level finally chosen (村 → 股份经济合作社, 乡镇 → 人民政府).
            chosen = _code("ownership_level", values["ownership_level"], "确权层级") or level
            values["owner_name"] = _default_owner(session, project.region_code, chosen)
        try:
            asset = create_asset(
                session,
                values,
                region_code=project.region_code,
                fundings=shares,
                household_id=split.household_id,
                project_id=project.id,
            )
        except UserError as err:
            if len(planned) == 1:
                raise
            raise UserError(f"第 {i} 项资产“{split.name}”：{err}") from err
        created.append(asset)
    return created, new_total


def _accepted_on(session: Session, project: Project) -> dt.date | None:
    return session.scalar(
        select(func.max(ProjectStatusLog.date)).where(
            ProjectStatusLog.project_id == project.id, ProjectStatusLog.to_status == PROJECT_ACCEPTED
        )
    )


def _default_owner(session: Session, region_code: str, level: str) -> str | None:
    if level == LEVEL_CODE_HOUSEHOLD:
        return None
    name = session.scalar(select(Region.name).where(Region.code == region_code))
    if name is None:
        return None
    return f"{name}股份经济合作社" if level == LEVEL_CODE_VILLAGE else f"{name}人民政府"


def projects_ready_for_handover(session: Session, region_code: str | None = None) -> list[dict[str, Any]]:
    """Projects that can hand over assets, with their funds and what is left to hand over."""
    stmt = select(Project).where(Project.status.in_(HANDOVER_FROM)).order_by(Project.year.desc(), Project.name)
    if region_code:
        stmt = stmt.where(Project.region_code.like(code_prefix(region_code) + "%"))
    out = []
    for project in session.scalars(stmt):
        total, _ = project_funds(session, project)
        used, _ = handed_over_so_far(session, project.id)
        if used >= total and project.status == PROJECT_HANDED_OVER:
            continue
        out.append(
            {"id": project.id, "name": project.name, "year": project.year,
             "region_code": project.region_code, "status": project.status,
             "total": total, "handed_over": used, "remaining": total - used}
        )
    return out


# -- 运行: operation, income, distribution -------------------------------------------------------


def add_income(
    session: Session,
    asset_id: int,
    *,
    year: int,
    amount: object,
    source_kind: str | None = None,
    received_on: dt.date | None = None,
    payer: str | None = None,
    note: str | None = None,
) -> AssetIncome:
    """Record a year's income of an asset (租金, 分红, 经营利润 …)."""
    asset = get_asset(session, asset_id)
    money = parse_money(amount, "收益金额", required=True)
    assert money is not None
    if money <= 0:
        raise UserError("收益金额应大于 0。")
    _check_income_year(asset, year)
    income = AssetIncome(
        asset_id=asset.id, year=year, amount=money, source_kind=(source_kind or None),
        received_on=received_on, payer=payer or None, note=note or None,
    )
    session.add(income)
    session.flush()
    return income


def _check_income_year(asset: Asset, year: int) -> None:
    this_year = dt.date.today().year
    if not (SCOPE_FIRST_YEAR <= year <= this_year + 1):
        raise UserError(f"收益年度 {year} 不对，应在 {SCOPE_FIRST_YEAR}—{this_year} 年之间。")
    if asset.formed_on and year < asset.formed_on.year:
        raise UserError(f"收益年度 {year} 早于资产形成年份 {asset.formed_on.year}。")
    if asset.status == STATUS_DISPOSED:
        done = max((d.disposed_on for d in asset.disposals if d.disposed_on), default=None)
        if done is None or year > done.year:
            raise UserError(f"资产 {asset.asset_no} 已处置，不能再登记 {year} 年的收益。")


def update_income(session: Session, income_id: int, **changes: object) -> AssetIncome:
    """Change an income record. Its amount cannot change while distributions are recorded that
    would then no longer add up (clear or redo the distribution first)."""
    income = _get_income(session, income_id)
    if "amount" in changes:
        money = parse_money(changes.pop("amount"), "收益金额", required=True)
        assert money is not None
        if money <= 0:
            raise UserError("收益金额应大于 0。")
        if income.distributions and money != income.amount:
            raise UserError("该笔收益已有分配方案，金额改变后分配将不再相等：请先调整分配方案。")
        income.amount = money
    if "year" in changes:
        year = int(changes.pop("year"))  # type: ignore[arg-type]
        _check_income_year(income.asset, year)
        income.year = year
    for key in ("source_kind", "received_on", "payer", "note"):
        if key in changes:
            setattr(income, key, changes.pop(key) or None)
    if changes:
        raise ValueError(f"unknown income fields {sorted(changes)}")
    session.flush()
    return income


def delete_income(session: Session, income_id: int) -> None:
    income = _get_income(session, income_id)
    if any(d.paid_on for d in income.distributions):
        raise UserError("该笔收益已发放到户，不能删除；如有错误请登记冲减的收益记录并说明。")
    session.delete(income)
    session.flush()


def _get_income(session: Session, income_id: int) -> AssetIncome:
    income = session.get(AssetIncome, income_id, options=[selectinload(AssetIncome.distributions)])
    if income is None:
        raise UserError("该收益记录不存在（可能已被删除），请刷新。")
    return income


@dataclass
class Share:
    """One line of a distribution plan (before it is saved)."""

    recipient_type: str
    amount: Decimal
    household_id: int | None = None
    recipient_name: str | None = None
    basis: str | None = None


def set_distribution(
    session: Session,
    income_id: int,
    shares: Sequence[Share],
    *,
    approved_on: dt.date | None = None,
    posted_on: dt.date | None = None,
    paid_on: dt.date | None = None,
) -> list[IncomeDistribution]:
    """Replace an income's distribution with ``shares``; the amounts must add up exactly to the
    income. Raises UserError (naming the line) for a bad share and for any difference."""
    income = _get_income(session, income_id)
    if not shares:
        raise UserError("分配方案为空，请至少填写一行。")
    total = ZERO
    seen_households: set[int] = set()
    for i, share in enumerate(shares, start=1):
        kind = _code("recipient_type", share.recipient_type, f"第 {i} 行分配对象")
        share.recipient_type = kind or ""
        amount = parse_money(share.amount, f"第 {i} 行分配金额", required=True)
        assert amount is not None
        if amount <= 0:
            raise UserError(f"第 {i} 行分配金额应大于 0。")
        share.amount = amount
        if kind == RECIPIENT_HOUSEHOLD:
            if share.household_id is None:
                raise UserError(f"第 {i} 行分配到户，请选择农户。")
            hh = session.get(Household, share.household_id)
            if hh is None:
                raise UserError(f"第 {i} 行的农户不存在，请重新选择。")
            if share.household_id in seen_households:
                raise UserError(f"第 {i} 行：农户“{hh.head_name}”重复出现，请合并为一行。")
            seen_households.add(share.household_id)
            share.recipient_name = share.recipient_name or hh.head_name
        elif not (share.recipient_name or "").strip():
            raise UserError(f"第 {i} 行请填写分配对象名称（如“××村股份经济合作社”“护林员岗位”）。")
        total += amount
    if total != income.amount:
        diff = income.amount - total
        more_less = f"还差 {yuan_text(diff)} 元未分配" if diff > 0 else f"多分了 {yuan_text(-diff)} 元"
        raise UserError(
            f"分配金额合计 {yuan_text(total)} 元，与收益 {yuan_text(income.amount)} 元不相等（{more_less}），请调整后再保存。"
        )
    income.distributions.clear()
    session.flush()
    for share in shares:
        income.distributions.append(
            IncomeDistribution(
                recipient_type=share.recipient_type,
                household_id=share.household_id if share.recipient_type == RECIPIENT_HOUSEHOLD else None,
                recipient_name=share.recipient_name,
                amount=share.amount,
                basis=share.basis or None,
                approved_on=approved_on,
                posted_on=posted_on,
                paid_on=paid_on,
            )
        )
    session.flush()
    return list(income.distributions)


@dataclass
class Candidate:
    """A household the distribution should reach first (脱贫户/监测户)."""

    household_id: int
    head_name: str | None
    group_name: str | None
    member_count: int
    kind: str  # 脱贫户 / 监测户 label
    no_labour: bool


def priority_households(session: Session, region_code: str) -> list[Candidate]:
    """Active 脱贫户 and 监测户 in the region (a village, or every village of a township/county),
    marking those without labour (no present member able to work, or flagged 整户无劳动力)."""
    prefix = code_prefix(region_code)
    labour = (
        select(Member.household_id, func.count(Member.id).label("n"))
        .where(Member.status == MEMBER_PRESENT, Member.labour_skill.in_(_LABOUR_CODES))
        .group_by(Member.household_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Household.id, Household.head_name, Household.group_name, Household.member_count,
            Household.household_type, Household.monitoring_category,
            Household.whole_household_no_labour, labour.c.n,
        )
        .outerjoin(labour, labour.c.household_id == Household.id)
        .where(
            Household.region_code.like(prefix + "%"),
            Household.status == HOUSEHOLD_ACTIVE,
            or_(Household.household_type == _HOUSEHOLD_TYPE_LIFTED, Household.monitoring_category.is_not(None)),
        )
        .order_by(Household.group_name, Household.household_no, Household.id)
    ).all()
    out = []
    for hid, head, group, count, htype, mcat, flag, n_labour in rows:
        kind = label_of("monitoring_category", mcat) if mcat else label_of("household_type", htype)
        out.append(Candidate(hid, head, group, count or 0, kind, bool(flag) or not n_labour))
    return out


def suggest_distribution(
    session: Session,
    income_id: int,
    *,
    collective_pct: Decimal = Decimal("20"),
    welfare_job_pct: Decimal = Decimal("10"),
    public_cause_pct: Decimal = Decimal("10"),
    no_labour_weight: int = 2,
) -> list[Share]:
    """A proposed plan for the clerk to adjust: the percentages go to 村集体, 公益岗位 and
    公益事业; the rest to the region's 脱贫户/监测户 in whole 元, households without labour
    getting ``no_labour_weight`` shares. The odd 元 and cents stay with the 村集体, so the plan
    always adds up exactly to the income. Nothing is saved."""
    income = _get_income(session, income_id)
    asset = income.asset
    for pct, label in ((collective_pct, "村集体"), (welfare_job_pct, "公益岗位"), (public_cause_pct, "公益事业")):
        if pct < 0 or pct > 100:
            raise UserError(f"{label}比例应在 0—100 之间。")
    if collective_pct + welfare_job_pct + public_cause_pct > 100:
        raise UserError("村集体、公益岗位、公益事业的比例合计不能超过 100%。")
    amount = income.amount
    jobs = (amount * welfare_job_pct / 100).quantize(Decimal(1), rounding=ROUND_DOWN)
    cause = (amount * public_cause_pct / 100).quantize(Decimal(1), rounding=ROUND_DOWN)
    collective = (amount * collective_pct / 100).quantize(Decimal(1), rounding=ROUND_DOWN)
    candidates = priority_households(session, asset.region_code)
    to_households = amount - jobs - cause - collective
    shares: list[Share] = []
    if candidates:
        weights = [no_labour_weight if c.no_labour else 1 for c in candidates]
        unit = (to_households / sum(weights)).quantize(Decimal(1), rounding=ROUND_DOWN)
        if unit > 0:
            for c, w in zip(candidates, weights, strict=True):
                basis = f"{c.kind}" + ("，无劳动力户按 %d 份" % w if c.no_labour and w != 1 else "")
                shares.append(Share(RECIPIENT_HOUSEHOLD, unit * w, c.household_id, c.head_name, basis))
    collective = amount - jobs - cause - sum((s.amount for s in shares), ZERO)
    owner = asset.owner_name if asset.ownership_level != LEVEL_CODE_HOUSEHOLD else None
    village = session.scalar(select(Region.name).where(Region.code == asset.region_code)) or ""
    if collective > 0:
        shares.append(Share(RECIPIENT_COLLECTIVE, collective, None, owner or f"{village}股份经济合作社",
                            "村集体留存（用于巩固衔接和村级公益事业）"))
    if jobs > 0:
        shares.append(Share(RECIPIENT_WELFARE_JOB, jobs, None, "村级公益性岗位", "设置公益性岗位，优先安排脱贫劳动力"))
    if cause > 0:
        shares.append(Share(RECIPIENT_PUBLIC_CAUSE, cause, None, "村级公益事业", "村内小型公益事业"))
    return shares


@dataclass
class NoticeRow:
    seq: int
    group: str
    recipient: str
    members: str
    kind: str
    amount: Decimal
    note: str


@dataclass
class DistributionNotice:
    """收益分配公示表: never carries ID numbers, phones or bank accounts."""

    title: str
    asset_no: str
    asset_name: str
    region_name: str
    year: int
    income: Decimal
    source_kind: str
    rows: list[NoticeRow]
    totals_by_type: dict[str, Decimal]
    approved_on: dt.date | None


def region_full_name(session: Session, code: str) -> str:
    """乡镇 + 村 names for a village/township code ("城关镇新寨村")."""
    names = []
    level = level_of_code(code)
    codes = [code]
    if level == LEVEL_VILLAGE:
        codes = [code[:9] + "000", code]
    for c in codes:
        name = session.scalar(select(Region.name).where(Region.code == c))
        if name:
            names.append(name)
    return "".join(names)


def distribution_notice(session: Session, income_id: int) -> DistributionNotice:
    """The rows of the 收益分配公示表 for one income (序号, 组, 户主/对象, 人口, 类别, 金额, 备注)."""
    income = _get_income(session, income_id)
    asset = income.asset
    if not income.distributions:
        raise UserError(f"{income.year} 年的这笔收益还没有分配方案，请先填写分配。")
    rows = []
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    households = {
        h.id: h for h in session.scalars(
            select(Household).where(Household.id.in_([d.household_id for d in income.distributions if d.household_id]))
        )
    }
    ordered = sorted(
        income.distributions,
        key=lambda d: (d.recipient_type, group_sort_key(households[d.household_id].group_name)
                       if d.household_id in households else group_sort_key(""), d.id),
    )
    for i, d in enumerate(ordered, start=1):
        hh = households.get(d.household_id) if d.household_id else None
        kind = label_of("recipient_type", d.recipient_type)
        if hh is not None:
            kind = (label_of("monitoring_category", hh.monitoring_category) if hh.monitoring_category
                    else label_of("household_type", hh.household_type) or "农户")
        rows.append(
            NoticeRow(
                seq=i,
                group=(hh.group_name or "") if hh else "",
                recipient=d.recipient_name or (hh.head_name if hh else "") or "",
                members=str(hh.member_count) if hh else "",
                kind=kind,
                amount=d.amount,
                note=d.basis or "",
            )
        )
        totals[label_of("recipient_type", d.recipient_type)] += d.amount
    region = region_full_name(session, asset.region_code)
    return DistributionNotice(
        title=f"{region}{income.year}年度扶贫项目资产收益分配公示表",
        asset_no=asset.asset_no,
        asset_name=asset.name,
        region_name=region,
        year=income.year,
        income=income.amount,
        source_kind=income.source_kind or "",
        rows=rows,
        totals_by_type=dict(totals),
        approved_on=max((d.approved_on for d in income.distributions if d.approved_on), default=None),
    )


def set_operation(
    session: Session,
    asset_id: int,
    *,
    mode: object,
    operator: str | None,
    contract_start: dt.date | None = None,
    contract_end: dt.date | None = None,
) -> Asset:
    """运行管理: how the asset is run and by whom. 承包/租赁/入股/托管 need the operator."""
    asset = get_asset(session, asset_id)
    if asset.status == STATUS_DISPOSED:
        raise UserError(f"资产 {asset.asset_no} 已处置，不能再修改经营信息。")
    code = _code("operation_mode", mode, "经营方式")
    if code and code != "01" and not (operator or "").strip():
        raise UserError(f"经营方式为“{label_of('operation_mode', code)}”时，请填写经营主体（承包方、承租方等）。")
    if contract_start and contract_end and contract_end < contract_start:
        raise UserError("合同截止日期早于起始日期，请核对。")
    asset.operation_mode = code
    asset.operator = (operator or "").strip() or None
    asset.operation_holder = asset.operator or asset.operation_holder
    asset.contract_start = contract_start
    asset.contract_end = contract_end
    session.flush()
    return asset


# -- 维护: custodian, upkeep, inspections, state ------------------------------------------------


def add_maintenance(
    session: Session,
    asset_id: int,
    *,
    kind: object,
    date: dt.date,
    content: str,
    cost: object = None,
    person: str | None = None,
    finding: str | None = None,
) -> AssetMaintenance:
    """An upkeep (维护) or inspection (巡查) record: date, what was done, cost."""
    asset = get_asset(session, asset_id)
    if asset.status == STATUS_DISPOSED:
        raise UserError(f"资产 {asset.asset_no} 已处置，不再登记管护记录。")
    code = _code("maintenance_kind", kind, "管护类型")
    if not code:
        raise UserError("请选择管护类型（维护或巡查）。")
    if not (content or "").strip():
        raise UserError("请填写管护内容。")
    if date > dt.date.today():
        raise UserError("管护日期不能晚于今天。")
    record = AssetMaintenance(
        asset_id=asset.id, kind=code, date=date, content=content.strip()[:500],
        cost=parse_money(cost, "管护费用"), person=(person or None), finding=(finding or None),
    )
    session.add(record)
    session.flush()
    return record


def delete_maintenance(session: Session, record_id: int) -> None:
    record = session.get(AssetMaintenance, record_id)
    if record is None:
        raise UserError("该管护记录不存在（可能已被删除），请刷新。")
    session.delete(record)
    session.flush()


def set_custodian(
    session: Session, asset_id: int, *, custodian: str | None, person: str | None,
    phone: str | None = None, rule: str | None = None,
) -> Asset:
    asset = get_asset(session, asset_id)
    asset.custodian = (custodian or "").strip() or None
    asset.custodian_person = (person or "").strip() or None
    asset.custodian_phone = (phone or "").strip() or None
    asset.custody_rule = (rule or "").strip() or None
    session.flush()
    return asset


def set_status(session: Session, asset_id: int, status: object, *, on: dt.date | None = None) -> Asset:
    """The clerk sets 正常运营, 闲置, 低效 or 损毁; 已处置 only comes from a completed disposal."""
    asset = get_asset(session, asset_id)
    code = _code("asset_status", status, "资产状态")
    if asset.status == STATUS_DISPOSED:
        raise UserError(f"资产 {asset.asset_no} 已处置，状态不能再改。")
    if code not in CLERK_STATUSES:
        raise UserError("“已处置”须经处置审批程序完成后由系统标记，请在“处置”页办理。")
    if code != asset.status:
        asset.status = code
        asset.status_changed_on = on or dt.date.today()
    session.flush()
    return asset


@dataclass
class NeglectRow:
    asset_id: int
    asset_no: str
    name: str
    region_code: str
    status: str
    reason: str
    since: dt.date | None
    last_care: dt.date | None
    custodian: str | None
    custodian_person: str | None


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    while True:
        try:
            return dt.date(year, month, day.day)
        except ValueError:
            day = day - dt.timedelta(days=1)


def neglected_assets(
    session: Session, *, months: int = 12, today: dt.date | None = None, region_code: str | None = None
) -> list[NeglectRow]:
    """Assets idle for ``months`` or more, and assets with no upkeep or inspection in the last
    ``months`` (counted from hand-over when there was never any). Disposed assets are left out."""
    if months < 1:
        raise UserError("期限至少为 1 个月。")
    today = today or dt.date.today()
    cutoff = _months_before(today, months)
    last_care = (
        select(AssetMaintenance.asset_id, func.max(AssetMaintenance.date).label("last"))
        .group_by(AssetMaintenance.asset_id)
        .subquery()
    )
    stmt = (
        select(Asset, last_care.c.last)
        .outerjoin(last_care, last_care.c.asset_id == Asset.id)
        .where(Asset.status != STATUS_DISPOSED)
        .order_by(Asset.region_code, Asset.asset_no)
    )
    if region_code:
        stmt = stmt.where(Asset.region_code.like(code_prefix(region_code) + "%"))
    out = []
    for asset, last in session.execute(stmt):
        reasons = []
        since = None
        if asset.status == STATUS_IDLE and (asset.status_changed_on is None or asset.status_changed_on <= cutoff):
            reasons.append(f"闲置超过 {months} 个月")
            since = asset.status_changed_on
        start = asset.handed_over_on or asset.registered_on or asset.formed_on
        if last is None:
            if start is not None and start <= cutoff:
                reasons.append(f"移交后 {months} 个月以上无管护记录")
        elif last <= cutoff:
            reasons.append(f"{months} 个月以上无管护记录")
        if reasons:
            out.append(NeglectRow(asset.id, asset.asset_no, asset.name, asset.region_code, asset.status,
                                  "；".join(reasons), since, last, asset.custodian, asset.custodian_person))
    return out


# -- 处置: request, approval chain, completion -------------------------------------------------


def request_disposal(
    session: Session,
    asset_id: int,
    *,
    trigger: object,
    method: object,
    reason: str | None,
    requested_on: dt.date,
) -> AssetDisposal:
    """Start a disposal (申请). One open request per asset; a disposed asset cannot be again."""
    asset = get_asset(session, asset_id)
    if asset.status == STATUS_DISPOSED:
        raise UserError(f"资产 {asset.asset_no} 已处置，不能再次申请处置。")
    if any(d.status in DISPOSAL_OPEN for d in asset.disposals):
        raise UserError(f"资产 {asset.asset_no} 已有一份处置申请在审批中，请先办完或驳回。")
    trigger_code = _code("disposal_trigger", trigger, "处置情形")
    method_code = _code("disposal_method", method, "处置方式")
    if not trigger_code or not method_code:
        raise UserError("请选择处置情形和处置方式。")
    if not (reason or "").strip():
        raise UserError("请填写处置理由。")
    disposal = AssetDisposal(
        asset_id=asset.id, trigger=trigger_code, method=method_code, status=DISPOSAL_REQUESTED,
        reason=reason.strip(), requested_on=requested_on,
    )
    session.add(disposal)
    session.flush()
    return disposal


def _get_disposal(session: Session, disposal_id: int) -> AssetDisposal:
    disposal = session.get(AssetDisposal, disposal_id)
    if disposal is None:
        raise UserError("该处置申请不存在（可能已被删除），请刷新。")
    return disposal


def record_approval(
    session: Session, disposal_id: int, step: str, *, on: dt.date, doc: str | None
) -> AssetDisposal:
    """Record one approval of the chain 村民代表大会 → 乡镇 → 县级主管部门与财政, in that order.

    ``step`` is the disposal_status the approval reaches (02, 03 or 04). A step cannot be
    skipped, repeated, dated before the previous one, or recorded without its document."""
    disposal = _get_disposal(session, disposal_id)
    if step not in APPROVAL_STEPS:
        raise ValueError(step)
    if disposal.status in (DISPOSAL_DONE, DISPOSAL_REJECTED):
        raise UserError(f"该处置申请已{label_of('disposal_status', disposal.status)}，不能再审批。")
    chain = (DISPOSAL_REQUESTED, *APPROVAL_STEPS)
    reached = chain.index(disposal.status)
    wanted = chain.index(step)
    if wanted <= reached:
        raise UserError(f"“{APPROVAL_STEP_NAMES[step]}”已经登记过了。")
    if wanted > reached + 1:
        missing = APPROVAL_STEP_NAMES[chain[reached + 1]]
        raise UserError(f"请先登记“{missing}”，审批须按 村民代表大会 → 乡镇 → 县级主管部门与财政 的顺序进行。")
    if not (doc or "").strip():
        what = "决议名称或文号" if step == DISPOSAL_VILLAGE else "批复文号"
        raise UserError(f"请填写“{APPROVAL_STEP_NAMES[step]}”的{what}。")
    previous = {
        DISPOSAL_VILLAGE: disposal.requested_on,
        DISPOSAL_TOWNSHIP: disposal.village_resolution_on,
        DISPOSAL_COUNTY: disposal.township_approved_on,
    }[step]
    if previous and on < previous:
        raise UserError(f"“{APPROVAL_STEP_NAMES[step]}”的日期 {on} 早于上一步（{previous}），请核对。")
    if step == DISPOSAL_VILLAGE:
        disposal.village_resolution_on, disposal.village_resolution_doc = on, doc.strip()
    elif step == DISPOSAL_TOWNSHIP:
        disposal.township_approved_on, disposal.township_doc = on, doc.strip()
    else:
        disposal.county_approved_on, disposal.county_doc = on, doc.strip()
    disposal.status = step
    session.flush()
    return disposal


def reject_disposal(session: Session, disposal_id: int, *, reason: str) -> AssetDisposal:
    """Any reviewer may turn the request down (驳回); the asset stays as it is."""
    disposal = _get_disposal(session, disposal_id)
    if disposal.status not in DISPOSAL_OPEN:
        raise UserError(f"该处置申请已{label_of('disposal_status', disposal.status)}，不能驳回。")
    if not (reason or "").strip():
        raise UserError("请填写驳回理由。")
    disposal.status = DISPOSAL_REJECTED
    disposal.rejected_reason = reason.strip()
    session.flush()
    return disposal


def complete_disposal(
    session: Session,
    disposal_id: int,
    *,
    disposed_on: dt.date,
    proceeds: object = None,
    proceeds_use: str | None = None,
) -> AssetDisposal:
    """Carry out an approved disposal: record proceeds, mark the asset 已处置 (it stays in the
    ledger). Refused unless all three approvals are recorded."""
    disposal = _get_disposal(session, disposal_id)
    if disposal.status != DISPOSAL_COUNTY:
        if disposal.status in (DISPOSAL_DONE, DISPOSAL_REJECTED):
            raise UserError(f"该处置申请已{label_of('disposal_status', disposal.status)}，不能再实施。")
        reached = (DISPOSAL_REQUESTED, *APPROVAL_STEPS).index(disposal.status)
        missing = [APPROVAL_STEP_NAMES[s] for s in APPROVAL_STEPS[reached:]]
        raise UserError("处置未经完整审批，不能实施。尚缺：" + "、".join(missing) + "。")
    if disposed_on < (disposal.county_approved_on or disposal.requested_on):
        raise UserError("处置日期早于县级审批日期，请核对。")
    amount = parse_money(proceeds, "处置收入")
    if disposal.method in METHODS_WITH_PROCEEDS and amount is None:
        raise UserError(f"{label_of('disposal_method', disposal.method)}须登记处置收入（没有收入请填 0）。")
    disposal.proceeds = amount
    disposal.proceeds_use = (proceeds_use or "").strip() or None
    disposal.disposed_on = disposed_on
    disposal.status = DISPOSAL_DONE
    asset = disposal.asset
    asset.status = STATUS_DISPOSED
    asset.status_changed_on = disposed_on
    asset.book_value = ZERO
    session.flush()
    return disposal


# -- 台账 (ledger) queries and roll-ups ----------------------------------------------------------


@dataclass
class LedgerFilter:
    region_code: str | None = None  # any level; its descendants are included
    category: str | None = None
    ownership_level: str | None = None
    status: str | None = None
    year: int | None = None  # project year (or formed year)
    text: str | None = None  # asset no, name, owner, operator, custodian


def _filtered(stmt, flt: LedgerFilter):
    if flt.region_code:
        stmt = stmt.where(Asset.region_code.like(code_prefix(flt.region_code) + "%"))
    if flt.category:
        stmt = stmt.where(Asset.category == flt.category)
    if flt.ownership_level:
        stmt = stmt.where(Asset.ownership_level == flt.ownership_level)
    if flt.status:
        stmt = stmt.where(Asset.status == flt.status)
    if flt.year:
        stmt = stmt.where(func.coalesce(Asset.project_year, func.extract("year", Asset.formed_on)) == flt.year)
    if flt.text and flt.text.strip():
        like = f"%{flt.text.strip()}%"
        stmt = stmt.where(
            or_(Asset.asset_no.like(like), Asset.name.like(like), Asset.owner_name.like(like),
                Asset.operator.like(like), Asset.custodian.like(like), Asset.location.like(like))
        )
    return stmt


@dataclass
class LedgerRow:
    id: int
    asset_no: str
    name: str
    category: str
    subtype: str | None
    region_code: str
    township: str
    village: str
    project_year: int | None
    formed_on: dt.date | None
    original_value: Decimal
    book_value: Decimal | None
    ownership_level: str
    owner_name: str | None
    operation_mode: str | None
    operator: str | None
    custodian: str | None
    status: str
    income_total: Decimal


def region_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Region.code, Region.name)).all())


def ledger_rows(session: Session, flt: LedgerFilter | None = None) -> list[LedgerRow]:
    """The ledger lines for the filter, in region and number order, with their income to date."""
    flt = flt or LedgerFilter()
    income = (
        select(AssetIncome.asset_id, func.sum(AssetIncome.amount).label("total"))
        .group_by(AssetIncome.asset_id)
        .subquery()
    )
    stmt = _filtered(
        select(
            Asset.id, Asset.asset_no, Asset.name, Asset.category, Asset.subtype, Asset.region_code,
            Asset.project_year, Asset.formed_on, Asset.original_value, Asset.book_value,
            Asset.ownership_level, Asset.owner_name, Asset.operation_mode, Asset.operator,
            Asset.custodian, Asset.status, income.c.total,
        ).outerjoin(income, income.c.asset_id == Asset.id),
        flt,
    ).order_by(Asset.region_code, Asset.asset_no)
    names = region_names(session)
    out = []
    for r in session.execute(stmt):
        code = r.region_code
        level = level_of_code(code)
        township = names.get(code[:9] + "000", "") if level in (LEVEL_VILLAGE, LEVEL_TOWNSHIP) else ""
        village = names.get(code, "") if level == LEVEL_VILLAGE else ""
        out.append(
            LedgerRow(
                r.id, r.asset_no, r.name, r.category, r.subtype, code, township, village,
                r.project_year, r.formed_on, r.original_value, r.book_value, r.ownership_level,
                r.owner_name, r.operation_mode, r.operator, r.custodian, r.status,
                Decimal(r.total or 0).quantize(CENT),
            )
        )
    return out


@dataclass
class Totals:
    count: int = 0
    original: Decimal = ZERO
    book: Decimal = ZERO

    def add(self, count: int, original: Decimal | None, book: Decimal | None) -> None:
        self.count += count
        self.original += Decimal(original or 0)
        self.book += Decimal(book or 0)


@dataclass
class LedgerTotals:
    """Totals of a ledger: all, by class (asset_category), by owner level, by status."""

    all: Totals
    by_category: dict[str, Totals]
    by_level: dict[str, Totals]
    by_status: dict[str, Totals]


def ledger_totals(session: Session, flt: LedgerFilter | None = None) -> LedgerTotals:
    """Counts, original and book values of the filtered ledger, broken down three ways.
    One GROUP BY query; codes with no asset are present with zeros."""
    flt = flt or LedgerFilter()
    stmt = _filtered(
        select(
            Asset.category, Asset.ownership_level, Asset.status, func.count(Asset.id),
            func.sum(Asset.original_value), func.sum(Asset.book_value),
        ),
        flt,
    ).group_by(Asset.category, Asset.ownership_level, Asset.status)
    result = LedgerTotals(
        Totals(),
        {c: Totals() for c in code_list("asset_category").codes()},
        {c: Totals() for c in code_list("ownership_level").codes()},
        {c: Totals() for c in code_list("asset_status").codes()},
    )
    for category, level, status, n, original, book in session.execute(stmt):
        for bucket in (result.all, result.by_category.setdefault(category, Totals()),
                       result.by_level.setdefault(level, Totals()), result.by_status.setdefault(status, Totals())):
            bucket.add(n, original, book)
    for t in (result.all, *result.by_category.values(), *result.by_level.values(), *result.by_status.values()):
        t.original = t.original.quantize(CENT)
        t.book = t.book.quantize(CENT)
    return result


@dataclass
class RollupRow:
    """One line of a roll-up ledger: a child region (or 本级) with totals by class."""

    region_code: str
    region_name: str
    totals: Totals
    by_category: dict[str, Totals]


def ledger_rollup(session: Session, region_code: str, flt: LedgerFilter | None = None) -> list[RollupRow]:
    """The county 总台账 (one line per township) or a township's 明细台账 (one line per village):
    the same assets as the detail ledger, summed by the child region they lie in. Assets held
    at the region itself come first as 「××本级」. A village gives one line per asset's class
    (its detail ledger is ``ledger_rows``)."""
    level = level_of_code(region_code)
    flt = LedgerFilter(**{**(flt or LedgerFilter()).__dict__, "region_code": region_code})
    stmt = _filtered(
        select(Asset.region_code, Asset.category, func.count(Asset.id),
               func.sum(Asset.original_value), func.sum(Asset.book_value)),
        flt,
    ).group_by(Asset.region_code, Asset.category)
    names = region_names(session)
    child_len = {LEVEL_COUNTY: 9, LEVEL_TOWNSHIP: 12}.get(level)
    children = session.execute(
        select(Region.code, Region.name).where(Region.parent_code == region_code).order_by(Region.code)
    ).all()
    rows: dict[str, RollupRow] = {}
    own = RollupRow(region_code, f"{names.get(region_code, region_code)}本级", Totals(), {})
    for code, name in children:
        rows[code] = RollupRow(code, name, Totals(), {})
    for code, category, n, original, book in session.execute(stmt):
        if child_len is None or code == region_code:
            target = own
        else:
            child = code[:child_len].ljust(12, "0")
            target = rows.setdefault(child, RollupRow(child, names.get(child, child), Totals(), {}))
        target.totals.add(n, original, book)
        target.by_category.setdefault(category, Totals()).add(n, original, book)
    out = ([own] if own.totals.count else []) + list(rows.values())
    return out


def income_by_year(session: Session, asset_id: int) -> list[AssetIncome]:
    return list(
        session.scalars(
            select(AssetIncome).where(AssetIncome.asset_id == asset_id)
            .options(selectinload(AssetIncome.distributions))
            .order_by(AssetIncome.year, AssetIncome.id)
        )
    )


def regions_for_filter(session: Session) -> list[tuple[str, str, str]]:
    """(code, name, level) of counties, townships and villages, in code order, for pickers."""
    return [
        (c, n, lvl) for c, n, lvl in session.execute(
            select(Region.code, Region.name, Region.level)
            .where(Region.level.in_((LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE)), Region.valid.is_(True))
            .order_by(Region.code)
        )
    ]


def households_in(session: Session, region_code: str, text: str | None = None, limit: int = 200) -> list[tuple[int, str, str]]:
    """(id, head name, 户编号/组) of active households of a region, for a household picker."""
    stmt = (
        select(Household.id, Household.head_name, Household.group_name, Household.household_no)
        .where(Household.region_code.like(code_prefix(region_code) + "%"), Household.status == HOUSEHOLD_ACTIVE)
        .order_by(Household.group_name, Household.head_name)
        .limit(limit)
    )
    if text:
        stmt = stmt.where(Household.head_name.like(f"%{text.strip()}%"))
    return [(i, n or "", f"{g or ''} {no or ''}".strip()) for i, n, g, no in session.execute(stmt)]
