"""项目库: projects through the approval and delivery chain (DOMAIN §9). No Qt here.

What this module promises:

* **CRUD** — :func:`save_project` validates every field (codes through the code lists, money
  as Decimal 元, months as ``YYYY-MM``), keeps the funds by level and source adding up to
  the total, numbers new projects and writes the first status-log row (村级申报).
* **The state machine** — :data:`TRANSITIONS` is the one place that says which state may
  follow which (DOMAIN §9.4); :func:`transition` refuses anything else, needs a date and a
  document number for every step and a reason for 退回, applies the §9.3 entry rules before
  入库 and writes a :class:`ProjectStatusLog` row.
* **The 十制 checklist** — :data:`CHECKLIST_DUE` says from which state each item is due;
  :func:`checklist` and :func:`missing_checklist` list what is done and what is missing.
* **Funds** — :func:`add_disbursement` records 下达 / 拨付 / 支出 and refuses paying out
  more than was allocated, or spending more than was paid, at any date.
* **Figures** — :func:`project_figures` computes the county's progress figures for a year
  and region *as of* any date from the dated status logs and money movements, so last
  month's report can be reproduced exactly.

Every refusal is a :class:`ProjectError` (a ``UserError``) with a Chinese message that says
what to do. Callers own the session (one per user action) and commit it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from fupin_desktop.codes import CodeError, code_list, label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    Disbursement,
    Household,
    Project,
    ProjectBeneficiary,
    ProjectChecklistItem,
    ProjectFunding,
    ProjectIndicator,
    ProjectStatusLog,
    Region,
)
from fupin_desktop.models.region import code_prefix, level_of_code
from fupin_desktop.rules.income import IncomeError, to_amount
from fupin_desktop.rules.text import normalize_text
from fupin_desktop.services import registry

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# ------------------------------------------------------------------------- states

# project_status codes (resources/codes/project_status.csv)
DECLARED = "01"  # 村级申报
VILLAGE_NOTICE = "02"  # 村级公示
TOWNSHIP_REVIEW = "03"  # 乡镇审核
TOWNSHIP_NOTICE = "04"  # 乡镇公示
COUNTY_REVIEW = "05"  # 县级论证
APPROVED = "06"  # 审定
IN_LIBRARY = "07"  # 已入库
IN_PLAN = "08"  # 已列入年度计划
STARTED = "09"  # 实施中
FINISHED = "10"  # 已完工
ACCEPTED = "11"  # 已验收
SETTLED = "12"  # 已报账
HANDED_OVER = "13"  # 已移交
CLOSED = "14"  # 已完结
RETURNED = "21"  # 退回
REMOVED = "22"  # 出库

CHAIN: tuple[str, ...] = (
    DECLARED, VILLAGE_NOTICE, TOWNSHIP_REVIEW, TOWNSHIP_NOTICE, COUNTY_REVIEW, APPROVED,
    IN_LIBRARY, IN_PLAN, STARTED, FINISHED, ACCEPTED, SETTLED, HANDED_OVER, CLOSED,
)  # fmt: skip
SIDE_STATES = (RETURNED, REMOVED)
STATES = CHAIN + SIDE_STATES

# The explicit state machine. Each state lists the states that may follow it.
# * 退回 is possible at every review before the library (the reviewer sends it back);
#   from 退回 the project goes back to the state it was returned from (resubmitted after
#   correction, see :func:`allowed_transitions`), is declared anew, or leaves the library.
# * 出库 (动态调整 clean-up) is possible while the project is in the library and not started.
# * 已报账 may go straight to 已完结 when the project formed no asset to hand over
#   (小额信贷贴息, 公益性岗位, 培训 …).
# * 调整变更 (code 23) is not a state here: changing a project in the library is an edit of
#   its fields, which the audit log records with old and new values.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DECLARED: (VILLAGE_NOTICE,),
    VILLAGE_NOTICE: (TOWNSHIP_REVIEW, RETURNED),
    TOWNSHIP_REVIEW: (TOWNSHIP_NOTICE, RETURNED),
    TOWNSHIP_NOTICE: (COUNTY_REVIEW, RETURNED),
    COUNTY_REVIEW: (APPROVED, RETURNED),
    APPROVED: (IN_LIBRARY, RETURNED),
    IN_LIBRARY: (IN_PLAN, REMOVED),
    IN_PLAN: (STARTED, REMOVED),
    STARTED: (FINISHED,),
    FINISHED: (ACCEPTED,),
    ACCEPTED: (SETTLED,),
    SETTLED: (HANDED_OVER, CLOSED),
    HANDED_OVER: (CLOSED,),
    CLOSED: (),
    RETURNED: (DECLARED, REMOVED),  # plus the state it was returned from
    REMOVED: (),
}

# What each step is called on a button / in the transition dialog.
ACTION_LABELS: dict[str, str] = {
    VILLAGE_NOTICE: "村内公示",
    TOWNSHIP_REVIEW: "乡镇审核通过",
    TOWNSHIP_NOTICE: "乡镇公示",
    COUNTY_REVIEW: "主管部门论证通过",
    APPROVED: "领导小组审定",
    IN_LIBRARY: "公告入库",
    IN_PLAN: "列入年度计划",
    STARTED: "开工",
    FINISHED: "完工",
    ACCEPTED: "验收",
    SETTLED: "报账",
    HANDED_OVER: "资产移交",
    CLOSED: "绩效评价完结",
    RETURNED: "退回",
    REMOVED: "出库",
    DECLARED: "重新申报",
}

# Who usually acts and what the evidence is called (DOMAIN §9.4), shown as hints.
STEP_EVIDENCE: dict[str, str] = {
    DECLARED: "村两委会议或村民代表大会记录",
    VILLAGE_NOTICE: "村内公示（公示文号/照片编号）",
    TOWNSHIP_REVIEW: "乡镇审核意见文号",
    TOWNSHIP_NOTICE: "乡镇公示文号",
    COUNTY_REVIEW: "主管部门论证意见文号",
    APPROVED: "领导小组审定文件文号",
    IN_LIBRARY: "入库公告文号",
    IN_PLAN: "年度项目计划文号",
    STARTED: "开工报告编号",
    FINISHED: "完工报告编号",
    ACCEPTED: "验收报告编号",
    SETTLED: "报账凭证号",
    HANDED_OVER: "资产移交书编号",
    CLOSED: "绩效评价报告编号",
    RETURNED: "退回通知文号",
    REMOVED: "出库（动态调整）文件文号",
}

# 产业 top-level categories (2014 产业扶贫, 2021 产业发展): 联农带农 is mandatory (§9.3).
INDUSTRY_CATEGORIES = ("01", "21")

# 十制 (ten_systems code) → the first state in which the item must be done.
# 公示制 once the village has posted the notice; 法人负责制 when the project enters the annual
# plan (the implementer and its legal person are named in the plan); 招投标制 and 监理制 when
# it starts; 竣工验收制 at acceptance; 报账制 and 决算审计制 at settlement; 管护责任制 when
# the asset is handed over; 绩效评价制 and 责任追究制 when the project is closed.
# An item that does not apply to a project (no bidding for 小额信贷贴息) is marked done with
# a note saying why (不适用：…).
CHECKLIST_DUE: dict[str, str] = {
    "01": VILLAGE_NOTICE,
    "02": IN_PLAN,
    "03": STARTED,
    "04": STARTED,
    "05": ACCEPTED,
    "06": SETTLED,
    "07": SETTLED,
    "08": HANDED_OVER,
    "09": CLOSED,
    "10": CLOSED,
}

# disbursement_kind codes
ALLOCATION = "01"  # 下达
PAYMENT = "02"  # 拨付
SPENDING = "03"  # 支出 / 报账

PROJECT_NO_WIDTH = 4


class ProjectError(UserError):
    """A refused project operation; the message says what is wrong and what to do."""


class TransitionError(ProjectError):
    """A state change that the state machine or the entry rules refuse."""


def status_label(code: str | None) -> str:
    return label_of("project_status", code)


def chain_index(status: str | None) -> int:
    """Position of ``status`` in the main chain; -1 for side states and None."""
    try:
        return CHAIN.index(status)  # type: ignore[arg-type]
    except ValueError:
        return -1


# ------------------------------------------------------------------------- input values


@dataclass
class FundingInput:
    """One planned-funds row: level (fund_level), source (fund_source), amount in 元."""

    level: str
    amount: Decimal | str | int | float
    source: str | None = None
    doc_no: str | None = None


@dataclass
class IndicatorInput:
    """One 绩效目标 indicator: kind (indicator_kind), name, target, actual, unit."""

    kind: str
    name: str
    target: str | None = None
    actual: str | None = None
    unit: str | None = None


# Plain fields of Project that the form and the batch template edit.
TEXT_FIELDS = (
    "project_no", "name", "competent_dept", "implementer", "location", "covered_villages",
    "scope_and_content", "scale_unit", "benefit_linkage", "performance_summary", "manager",
    "manager_phone", "social_benefit", "economic_benefit", "budget_unit", "note",
)  # fmt: skip
INT_FIELDS = (
    "beneficiaries_poor_hh", "beneficiaries_poor_persons", "beneficiaries_monitored_hh",
    "beneficiaries_monitored_persons", "beneficiaries_nonpoor_hh", "beneficiaries_nonpoor_persons",
)  # fmt: skip
MONEY_FIELDS = ("total_funds", "requested_funds", "expected_income_gain")
DECIMAL_FIELDS = ("scale_quantity",)
BOOL_FIELDS = ("in_poor_village", "is_integrated", "direct_to_person", "is_publicized")
MONTH_FIELDS = ("start_ym", "end_ym")
CODE_FIELDS = {"category": "project_category", "subcategory": "project_category",
               "construction_nature": "construction_nature"}  # fmt: skip

FIELD_LABELS: dict[str, str] = {
    "project_no": "项目编号", "year": "项目年度", "name": "项目名称", "category": "项目类别",
    "subcategory": "项目子类", "status": "项目状态", "competent_dept": "项目主管单位",
    "region_code": "所属乡镇/村", "implementer": "实施主体", "location": "建设地点",
    "construction_nature": "建设性质", "start_ym": "实施开始年月", "end_ym": "实施完结年月",
    "in_poor_village": "是否脱贫村", "covered_villages": "覆盖村", "scope_and_content": "建设规模及内容",
    "scale_quantity": "建设规模", "scale_unit": "规模单位", "benefit_linkage": "联农带农机制",
    "performance_summary": "绩效目标（概述）",
    "beneficiaries_poor_hh": "受益脱贫户(户)", "beneficiaries_poor_persons": "受益脱贫人口(人)",
    "beneficiaries_monitored_hh": "受益监测户(户)", "beneficiaries_monitored_persons": "受益监测人口(人)",
    "beneficiaries_nonpoor_hh": "受益一般农户(户)", "beneficiaries_nonpoor_persons": "受益一般农户人口(人)",
    "expected_income_gain": "预计带动增收(元)", "manager": "项目负责人", "manager_phone": "联系电话",
    "social_benefit": "社会效益", "economic_benefit": "经济效益", "total_funds": "项目总投资(元)",
    "requested_funds": "本次拟申请资金(元)", "is_integrated": "是否统筹整合项目",
    "direct_to_person": "钱物是否直接补助到人", "is_publicized": "是否公示", "budget_unit": "预算单位",
    "note": "备注",
}  # fmt: skip

# Keys of Project.integration (the 涉农资金统筹整合 bookkeeping of the batch template).
INTEGRATION_KEYS: dict[str, str] = {
    "fund_doc_source": "资金文号来源",
    "county_doc_no": "县文件号",
    "catalog_type": "对应整合资金目录类型",
    "budget_subject": "指标下达功能科目",
    "integrated_subject": "整合后功能科目",
    "integrated_amount": "统筹资金规模",
}


@dataclass
class ProjectInput:
    """Everything the project form edits. ``None`` means blank.

    Money is in 元. ``fundings``/``indicators`` replace the project's rows when not ``None``.
    ``declared_on`` / ``declared_doc_no`` are used only when creating: they date the first
    status-log row (村级申报).
    """

    year: int | None = None
    name: str | None = None
    region_code: str | None = None
    category: str | None = None
    subcategory: str | None = None
    project_no: str | None = None
    competent_dept: str | None = None
    implementer: str | None = None
    location: str | None = None
    construction_nature: str | None = None
    start_ym: str | None = None
    end_ym: str | None = None
    in_poor_village: bool | None = None
    covered_villages: str | None = None
    scope_and_content: str | None = None
    scale_quantity: Decimal | str | None = None
    scale_unit: str | None = None
    benefit_linkage: str | None = None
    performance_summary: str | None = None
    beneficiaries_poor_hh: int | None = None
    beneficiaries_poor_persons: int | None = None
    beneficiaries_monitored_hh: int | None = None
    beneficiaries_monitored_persons: int | None = None
    beneficiaries_nonpoor_hh: int | None = None
    beneficiaries_nonpoor_persons: int | None = None
    expected_income_gain: Decimal | str | None = None
    manager: str | None = None
    manager_phone: str | None = None
    social_benefit: str | None = None
    economic_benefit: str | None = None
    total_funds: Decimal | str | None = None
    requested_funds: Decimal | str | None = None
    is_integrated: bool | None = None
    integration: dict[str, str] | None = None
    direct_to_person: bool | None = None
    is_publicized: bool | None = None
    budget_unit: str | None = None
    note: str | None = None
    fundings: list[FundingInput] | None = None
    indicators: list[IndicatorInput] | None = None
    declared_on: dt.date | None = None
    declared_doc_no: str | None = None
    actor: str | None = None

    @classmethod
    def from_project(cls, project: Project) -> ProjectInput:
        """The current values of ``project`` (for editing and re-saving)."""
        data = cls()
        for name in (
            "year", "name", "region_code", "category", "subcategory", *TEXT_FIELDS,
            "construction_nature", *MONTH_FIELDS, *BOOL_FIELDS, *INT_FIELDS, *MONEY_FIELDS,
            *DECIMAL_FIELDS,
        ):  # fmt: skip
            setattr(data, name, getattr(project, name))
        data.integration = dict(project.integration or {})
        data.fundings = [
            FundingInput(f.level, f.amount, f.source, f.doc_no) for f in project.fundings
        ]
        data.indicators = [
            IndicatorInput(i.kind, i.name, i.target, i.actual, i.unit) for i in project.indicators
        ]
        return data


# ------------------------------------------------------------------------- value parsing


def parse_money(value: object, what: str) -> Decimal | None:
    """Text/number → Decimal 元 with 2 places (rules.income.to_amount); blank → None.

    Raises ProjectError naming ``what`` for text that is not a number or a negative amount.
    """
    if value is None or (isinstance(value, str) and normalize_text(value) == ""):
        return None
    try:
        amount = to_amount(value)  # type: ignore[arg-type]
    except IncomeError as err:
        raise ProjectError(f"{what}{err}") from None
    if amount < 0:
        raise ProjectError(f"{what}不能为负数（填写了 {value}）。")
    return amount


def parse_month(value: object, what: str) -> str | None:
    """``2024-03`` / ``202403`` / ``2024.3`` / ``2024年3月`` / a date → ``"2024-03"``."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    if text == "":
        return None
    m = re.fullmatch(r"(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*月?(?:[-./]?\s*\d{1,2}\s*日?)?|(\d{2}))", text)
    if m:
        year = int(m.group(1))
        month = int(m.group(2) or m.group(3))
        if 1 <= month <= 12 and 1990 <= year <= 2100:
            return f"{year:04d}-{month:02d}"
    raise ProjectError(f"{what}“{value}”不是有效年月，请按“2024-03”的格式填写。")


def plain_number(value: Decimal | str | None) -> str:
    """``Decimal("5.00")`` → ``"5"``, ``Decimal("2.50")`` → ``"2.5"``; None → ``""``."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    return f"{number:f}"


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: object, what: str) -> int | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ProjectError(f"{what}“{value}”不是整数，请填写数字。") from None
    if number != number.to_integral_value() or number < 0:
        raise ProjectError(f"{what}“{value}”应为不小于 0 的整数。")
    return int(number)


def _code(list_name: str, value: object, what: str) -> str | None:
    try:
        return code_list(list_name).normalize(value)
    except CodeError as err:
        raise ProjectError(f"{what}：{err}") from None


# ------------------------------------------------------------------------- CRUD


def get_project(session: Session, project_id: int) -> Project:
    """The project with every child collection loaded; ProjectError if it is gone."""
    project = session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(
            selectinload(Project.fundings),
            selectinload(Project.status_logs),
            selectinload(Project.disbursements),
            selectinload(Project.indicators),
            selectinload(Project.checklist),
            selectinload(Project.beneficiaries).selectinload(ProjectBeneficiary.household),
        )
    )
    if project is None:
        raise ProjectError(f"项目（编号 {project_id}）不存在，可能已被删除。请刷新列表。")
    return project


def next_project_no(session: Session, year: int, region_code: str) -> str:
    """County code (6 digits) + year + a 4-digit sequence, one past the highest in use."""
    prefix = f"{region_code[:6]}{year}"
    taken = session.scalars(
        select(Project.project_no).where(Project.project_no.like(f"{prefix}%"))
    ).all()
    highest = 0
    for no in taken:
        tail = (no or "")[len(prefix):]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:0{PROJECT_NO_WIDTH}d}"


def _apply(session: Session, project: Project, data: ProjectInput) -> None:
    problems: list[str] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except ProjectError as err:
            problems.append(str(err))
            return None

    name = _text(data.name)
    if not name:
        problems.append("项目名称不能为空。")
    year = attempt(_int, data.year, "项目年度")
    if year is None and not any("项目年度" in p for p in problems):
        problems.append("项目年度不能为空。")
    elif year is not None and not 2000 <= year <= 2100:
        problems.append(f"项目年度“{year}”不合理，请填写四位年份。")
    region_code = _text(data.region_code)
    if not region_code:
        problems.append("请选择项目所属的乡镇或村。")
    elif session.scalar(select(Region.id).where(Region.code == region_code)) is None:
        problems.append(f"区划代码“{region_code}”不在区划表中，请从列表中选择乡镇或村。")
    elif level_of_code(region_code) not in ("township", "village"):
        problems.append("项目应属于一个乡镇或一个村，请选择乡镇或村。")

    category = attempt(_code, "project_category", data.category, "项目类别")
    subcategory = attempt(_code, "project_category", data.subcategory, "项目子类")
    if category and len(category) != 2:
        # A sub-type given as the category: keep its parent as the category.
        subcategory, category = category, category[:2]
    if subcategory and category and not subcategory.startswith(category):
        problems.append(
            f"项目子类“{label_of('project_category', subcategory)}”不属于项目类别"
            f"“{label_of('project_category', category)}”，请重新选择。"
        )
    if subcategory and not category:
        category = subcategory[:2]
    if not category:
        problems.append("请选择项目类别。")

    values: dict[str, object] = {}
    for key in TEXT_FIELDS:
        values[key] = _text(getattr(data, key))
    values["construction_nature"] = attempt(
        _code, "construction_nature", data.construction_nature, "建设性质"
    )
    for key in MONTH_FIELDS:
        values[key] = attempt(parse_month, getattr(data, key), FIELD_LABELS[key])
    if values["start_ym"] and values["end_ym"] and values["end_ym"] < values["start_ym"]:
        problems.append("实施完结年月早于实施开始年月，请检查。")
    for key in INT_FIELDS:
        values[key] = attempt(_int, getattr(data, key), FIELD_LABELS[key])
    for key in MONEY_FIELDS + DECIMAL_FIELDS:
        values[key] = attempt(parse_money, getattr(data, key), FIELD_LABELS.get(key, key))
    for key in BOOL_FIELDS:
        value = getattr(data, key)
        values[key] = None if value is None else bool(value)
    for hh_key, p_key in (
        ("beneficiaries_poor_hh", "beneficiaries_poor_persons"),
        ("beneficiaries_monitored_hh", "beneficiaries_monitored_persons"),
        ("beneficiaries_nonpoor_hh", "beneficiaries_nonpoor_persons"),
    ):
        hh, persons = values[hh_key], values[p_key]
        if hh and persons is not None and persons < hh:
            problems.append(f"{FIELD_LABELS[p_key]}少于{FIELD_LABELS[hh_key]}，请检查。")

    if values["project_no"]:
        clash = session.scalar(
            select(Project.id).where(
                Project.project_no == values["project_no"],
                Project.id != (project.id or -1),
            )
        )
        if clash is not None:
            problems.append(f"项目编号“{values['project_no']}”已被其他项目使用，请换一个或留空自动编号。")

    fundings: list[ProjectFunding] | None = None
    if data.fundings is not None:
        fundings = []
        for n, row in enumerate(data.fundings, start=1):
            level = attempt(_code, "fund_level", row.level, f"资金第{n}行 资金级次")
            source = attempt(_code, "fund_source", row.source, f"资金第{n}行 资金来源")
            amount = attempt(parse_money, row.amount, f"资金第{n}行 金额")
            if level is None and not any(f"资金第{n}行" in p for p in problems):
                problems.append(f"资金第{n}行：请选择资金级次（中央/省级/市级/县级/社会…）。")
            if amount is None and not any(f"资金第{n}行 金额" in p for p in problems):
                problems.append(f"资金第{n}行：请填写金额。")
            fundings.append(
                ProjectFunding(level=level, source=source, amount=amount, doc_no=_text(row.doc_no))
            )
        total = values["total_funds"]
        parts = sum((f.amount for f in fundings if f.amount is not None), ZERO)
        if fundings and total is None:
            values["total_funds"] = total = parts
        if fundings and total is not None and parts != total:
            problems.append(
                f"分级资金合计 {parts:,.2f} 元与项目总投资 {total:,.2f} 元不相等，"
                f"相差 {total - parts:,.2f} 元。请调整资金明细或总投资。"
            )

    indicators: list[ProjectIndicator] | None = None
    if data.indicators is not None:
        indicators = []
        for n, row in enumerate(data.indicators, start=1):
            kind = attempt(_code, "indicator_kind", row.kind, f"绩效目标第{n}行 指标类型")
            iname = _text(row.name)
            if not iname:
                problems.append(f"绩效目标第{n}行：请填写指标名称。")
            if kind is None and not any(f"绩效目标第{n}行 指标" in p for p in problems):
                problems.append(f"绩效目标第{n}行：请选择指标类型（产出/效益/满意度）。")
            indicators.append(
                ProjectIndicator(
                    kind=kind, name=iname, target=_text(row.target), actual=_text(row.actual),
                    unit=_text(row.unit),
                )
            )

    if problems:
        raise ProjectError("项目未保存：\n" + "\n".join(f"· {p}" for p in problems))

    project.name = name
    project.year = year
    project.region_code = region_code
    project.category = category
    project.subcategory = subcategory
    for key, value in values.items():
        setattr(project, key, value)
    if data.integration is not None:
        cleaned = {k: v for k, v in ((k, _text(v)) for k, v in data.integration.items()) if v}
        project.integration = cleaned or None
    if not project.project_no:
        project.project_no = next_project_no(session, year, region_code)
    if fundings is not None:
        project.fundings = fundings
    if indicators is not None:
        project.indicators = indicators


def create_project(session: Session, data: ProjectInput) -> Project:
    """A new project in state 村级申报, with its first status-log row.

    The log row is dated ``data.declared_on`` (default today) with ``declared_doc_no``.
    Raises ProjectError listing every problem at once.
    """
    project = Project(status=DECLARED)
    _apply(session, project, data)
    day = data.declared_on or dt.date.today()
    if day > dt.date.today():
        raise ProjectError("申报日期不能晚于今天。")
    project.status_logs = [
        ProjectStatusLog(
            from_status=None, to_status=DECLARED, date=day, doc_no=_text(data.declared_doc_no),
            actor=_text(data.actor), note="新建项目",
        )
    ]
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, project_id: int, data: ProjectInput) -> Project:
    """Save the form for an existing project (status is changed only by :func:`transition`)."""
    project = get_project(session, project_id)
    _apply(session, project, data)
    if data.fundings is not None:
        _check_money_against_total(project)
    session.flush()
    return project


def delete_project(session: Session, project_id: int) -> None:
    """Delete a project that never got past the township: 村级申报/村级公示/退回 without money.

    Projects further along are kept for the record; take them out with 出库 instead.
    """
    project = get_project(session, project_id)
    if chain_index(_highest_status(project)) > chain_index(VILLAGE_NOTICE) or project.disbursements:
        raise ProjectError(
            f"项目“{project.name}”已经过乡镇审核或已有资金记录，不能删除；"
            "如不再实施，请办理“出库”。"
        )
    session.delete(project)
    session.flush()


def _highest_status(project: Project) -> str | None:
    best = None
    for log in project.status_logs:
        if chain_index(log.to_status) > chain_index(best):
            best = log.to_status
    return best


# ------------------------------------------------------------------------- state machine


def _ordered_logs(project: Project) -> list[ProjectStatusLog]:
    return sorted(project.status_logs, key=lambda log: (log.date, log.id or 0))


def returned_from(project: Project) -> str | None:
    """For a project in 退回: the state it was in when it was sent back."""
    logs = _ordered_logs(project)
    if logs and logs[-1].to_status == RETURNED:
        return logs[-1].from_status
    return None


def allowed_transitions(project: Project) -> list[str]:
    """The states ``project`` may move to next, in the order a dialog should offer them."""
    nexts = list(TRANSITIONS.get(project.status, ()))
    if project.status == RETURNED:
        back = returned_from(project)
        if back and back not in nexts:
            nexts.insert(0, back)
    return nexts


def entry_problems(project: Project) -> list[str]:
    """The §9.3 entry rules that keep ``project`` out of the library (empty list: admissible)."""
    problems = []
    if not project.indicators:
        problems.append("没有填写绩效目标（产出、效益、满意度指标），不能入库。请在“绩效目标”页补充。")
    if project.category in INDUSTRY_CATEGORIES and not (project.benefit_linkage or "").strip():
        problems.append(
            "产业类项目必须有联农带农（带贫）机制，不能入库。请在“基本信息”页填写联农带农机制。"
        )
    if not project.total_funds:
        problems.append("没有填写项目总投资，不能入库。请在“资金”页填写。")
    elif project.fundings:
        parts = sum((f.amount for f in project.fundings), ZERO)
        if parts != project.total_funds:
            problems.append("分级资金合计与项目总投资不相等，不能入库。请在“资金”页调整。")
    else:
        problems.append("没有填写资金来源（分级资金），不能入库。请在“资金”页补充。")
    return problems


def transition(
    session: Session,
    project_id: int,
    to_status: str,
    *,
    date: dt.date | None,
    doc_no: str | None,
    actor: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> ProjectStatusLog:
    """Move a project to ``to_status`` and record it.

    Refuses (TransitionError) a state the machine does not allow from the current one, a
    missing date or document number, a date before the previous step or after today, 退回
    without a reason, and 入库 when the entry rules (§9.3) are not met.
    """
    from fupin_desktop.services.trust import PROJECT_TRANSITION, require

    require(session, PROJECT_TRANSITION)
    project = get_project(session, project_id)
    to_status = _code("project_status", to_status, "目标状态") or ""
    current = project.status
    allowed = allowed_transitions(project)
    if to_status not in allowed:
        if allowed:
            offer = "、".join(status_label(s) for s in allowed)
            hint = f"当前只能转为：{offer}。"
        else:
            hint = "该项目已是最终状态，不能再流转。"
        raise TransitionError(
            f"项目“{project.name}”当前状态为“{status_label(current)}”，"
            f"不能直接转为“{status_label(to_status)}”。{hint}"
        )
    if date is None:
        raise TransitionError(f"请填写“{ACTION_LABELS.get(to_status, status_label(to_status))}”的日期。")
    doc_no = _text(doc_no)
    if not doc_no:
        evidence = STEP_EVIDENCE.get(to_status, "文号")
        raise TransitionError(f"请填写文号或凭证编号（{evidence}）。")
    note = _text(note)
    if to_status == RETURNED and not note:
        raise TransitionError("退回必须写明退回原因，以便村里或乡镇补充完善。")
    if to_status == REMOVED and not note:
        raise TransitionError("出库必须写明出库原因（如：不再实施、已由其他资金实施）。")
    today = today or dt.date.today()
    if date > today:
        raise TransitionError(f"日期 {date:%Y-%m-%d} 晚于今天，请填写实际办理日期。")
    logs = _ordered_logs(project)
    if logs and date < logs[-1].date:
        raise TransitionError(
            f"日期 {date:%Y-%m-%d} 早于上一步“{status_label(logs[-1].to_status)}”的日期 "
            f"{logs[-1].date:%Y-%m-%d}，请检查。"
        )
    if to_status == IN_LIBRARY:
        problems = entry_problems(project)
        if problems:
            raise TransitionError(
                f"项目“{project.name}”不符合入库条件：\n" + "\n".join(f"· {p}" for p in problems)
            )
    log = ProjectStatusLog(
        from_status=current, to_status=to_status, date=date, doc_no=doc_no,
        actor=_text(actor), note=note,
    )  # fmt: skip
    project.status_logs.append(log)
    project.status = to_status
    if to_status == STARTED and not project.start_ym:
        project.start_ym = f"{date:%Y-%m}"
    if to_status == FINISHED and not project.end_ym:
        project.end_ym = f"{date:%Y-%m}"
    session.flush()
    return log


def undo_last_transition(session: Session, project_id: int) -> None:
    """Take back the latest step (a wrong click), restoring the previous state.

    The first row (村级申报) cannot be taken back; delete the project instead. The removed
    row stays visible in the audit log.
    """
    from fupin_desktop.services.trust import PROJECT_TRANSITION, require

    require(session, PROJECT_TRANSITION)
    project = get_project(session, project_id)
    logs = _ordered_logs(project)
    if len(logs) <= 1:
        raise TransitionError("项目只有申报记录，没有可以撤销的流转。")
    last = logs[-1]
    project.status_logs.remove(last)
    project.status = last.from_status or logs[-2].to_status
    session.flush()


# ------------------------------------------------------------------------- 十制 checklist


@dataclass(frozen=True)
class ChecklistRow:
    item: str
    label: str
    due_from: str  # project_status code from which the item is due
    due: bool  # due for the project's current progress
    done: bool
    doc_no: str | None
    date: dt.date | None
    note: str | None

    @property
    def missing(self) -> bool:
        return self.due and not self.done


def _progress_status(project: Project) -> str | None:
    """The furthest state of the main chain the project has reached (for what is due)."""
    return _highest_status(project)


def checklist(project: Project) -> list[ChecklistRow]:
    """The ten items for ``project`` in code-list order, with evidence and whether due."""
    items = {c.item: c for c in project.checklist}
    reached = chain_index(_progress_status(project))
    rows = []
    for code, label in code_list("ten_systems").entries():
        due_from = CHECKLIST_DUE[code]
        have = items.get(code)
        rows.append(
            ChecklistRow(
                item=code, label=label, due_from=due_from,
                due=project.status != REMOVED and reached >= chain_index(due_from),
                done=bool(have and have.done), doc_no=have.doc_no if have else None,
                date=have.date if have else None, note=have.note if have else None,
            )
        )  # fmt: skip
    return rows


def set_checklist_item(
    session: Session,
    project_id: int,
    item: str,
    *,
    done: bool,
    doc_no: str | None = None,
    date: dt.date | None = None,
    note: str | None = None,
) -> ProjectChecklistItem:
    """Record one 十制 item. Done needs a date and a document number or a note (不适用：…)."""
    project = get_project(session, project_id)
    item = _code("ten_systems", item, "十制事项") or ""
    doc_no, note = _text(doc_no), _text(note)
    label = label_of("ten_systems", item)
    if done and date is None:
        raise ProjectError(f"“{label}”已落实，请填写落实日期。")
    if done and not doc_no and not note:
        raise ProjectError(f"“{label}”已落实，请填写佐证文号；不适用的请在备注中写明“不适用”及原因。")
    if date is not None and date > dt.date.today():
        raise ProjectError(f"“{label}”的日期晚于今天，请检查。")
    row = next((c for c in project.checklist if c.item == item), None)
    if row is None:
        row = ProjectChecklistItem(item=item)
        project.checklist.append(row)
    row.done, row.doc_no, row.date, row.note = done, doc_no, date, note
    session.flush()
    return row


@dataclass(frozen=True)
class MissingChecklist:
    project_id: int
    project_no: str | None
    name: str
    year: int
    region_code: str
    status: str
    missing: tuple[str, ...]  # ten_systems codes

    @property
    def missing_labels(self) -> str:
        return "、".join(label_of("ten_systems", c) for c in self.missing)


def missing_checklist(
    session: Session, *, year: int | None = None, region_code: str | None = None
) -> list[MissingChecklist]:
    """Projects whose 十制 items due for their current progress are not all done."""
    stmt = select(Project).options(
        selectinload(Project.checklist), selectinload(Project.status_logs)
    )
    stmt = _filter(stmt, ProjectFilter(year=year, region_code=region_code))
    out = []
    for project in session.scalars(stmt.order_by(Project.year, Project.project_no, Project.id)):
        missing = tuple(r.item for r in checklist(project) if r.missing)
        if missing:
            out.append(
                MissingChecklist(
                    project.id, project.project_no, project.name, project.year,
                    project.region_code, project.status, missing,
                )
            )  # fmt: skip
    return out


# ------------------------------------------------------------------------- funds


@dataclass(frozen=True)
class FundTotals:
    planned: Decimal  # 项目总投资
    allocated: Decimal  # 下达
    paid: Decimal  # 拨付
    spent: Decimal  # 支出 / 报账

    @property
    def unpaid(self) -> Decimal:
        return self.allocated - self.paid

    @property
    def unspent(self) -> Decimal:
        return self.paid - self.spent


def fund_totals(project: Project, as_of: dt.date | None = None) -> FundTotals:
    sums = {ALLOCATION: ZERO, PAYMENT: ZERO, SPENDING: ZERO}
    for d in project.disbursements:
        if as_of is None or d.date <= as_of:
            sums[d.kind] = sums.get(d.kind, ZERO) + d.amount
    return FundTotals(
        project.total_funds or ZERO, sums[ALLOCATION], sums[PAYMENT], sums[SPENDING]
    )


def _money_problem(project: Project, rows: Iterable[Disbursement]) -> str | None:
    """The first date at which payments exceed allocations or spending exceeds payments."""
    rows = sorted(rows, key=lambda d: (d.date, d.kind))
    allocated = paid = spent = ZERO
    by_day: dict[dt.date, list[Disbursement]] = defaultdict(list)
    for d in rows:
        by_day[d.date].append(d)
    for day in sorted(by_day):
        for d in by_day[day]:
            if d.kind == ALLOCATION:
                allocated += d.amount
            elif d.kind == PAYMENT:
                paid += d.amount
            elif d.kind == SPENDING:
                spent += d.amount
        if paid > allocated:
            return (
                f"截至 {day:%Y-%m-%d}，累计拨付 {paid:,.2f} 元超过累计下达 {allocated:,.2f} 元"
                f"（超出 {paid - allocated:,.2f} 元）。拨付不能超过已下达的资金，请先登记资金下达。"
            )
        if spent > paid:
            return (
                f"截至 {day:%Y-%m-%d}，累计支出 {spent:,.2f} 元超过累计拨付 {paid:,.2f} 元"
                f"（超出 {spent - paid:,.2f} 元）。支出（报账）不能超过已拨付的资金。"
            )
    if project.total_funds is not None and allocated > project.total_funds:
        return (
            f"累计下达 {allocated:,.2f} 元超过项目总投资 {project.total_funds:,.2f} 元。"
            "如项目资金有调整，请先修改项目总投资和分级资金。"
        )
    return None


def _check_money_against_total(project: Project) -> None:
    problem = _money_problem(project, project.disbursements)
    if problem:
        raise ProjectError(problem)


def plan_date(project: Project) -> dt.date | None:
    """When the project entered the annual plan (first log to 已列入年度计划)."""
    for log in _ordered_logs(project):
        if log.to_status == IN_PLAN:
            return log.date
    return None


def add_disbursement(
    session: Session,
    project_id: int,
    *,
    kind: str,
    date: dt.date | None,
    amount: object,
    level: str | None = None,
    doc_no: str | None = None,
    note: str | None = None,
) -> Disbursement:
    """Record a 下达 / 拨付 / 支出 of money for a project in the annual plan or later.

    Refuses (ProjectError): a project not yet in the annual plan (or taken out of the
    library), a date before it entered the plan or after today, a non-positive amount, a
    下达 without document number, and any record that would make payments exceed
    allocations or spending exceed payments at any date.
    """
    project = get_project(session, project_id)
    kind = _code("disbursement_kind", kind, "资金类型") or ""
    kind_label = label_of("disbursement_kind", kind)
    if project.status == REMOVED or chain_index(_highest_status(project)) < chain_index(IN_PLAN):
        raise ProjectError(
            f"项目“{project.name}”当前状态为“{status_label(project.status)}”，"
            "列入年度计划后才能登记资金下达、拨付和支出。"
        )
    if date is None:
        raise ProjectError(f"请填写{kind_label}日期。")
    if date > dt.date.today():
        raise ProjectError(f"{kind_label}日期晚于今天，请填写实际日期。")
    started = plan_date(project)
    if started and date < started:
        raise ProjectError(
            f"{kind_label}日期 {date:%Y-%m-%d} 早于项目列入年度计划的日期 {started:%Y-%m-%d}，请检查。"
        )
    value = parse_money(amount, f"{kind_label}金额")
    if value is None or value <= 0:
        raise ProjectError(f"{kind_label}金额必须大于 0。")
    doc_no = _text(doc_no)
    if kind == ALLOCATION and not doc_no:
        raise ProjectError("资金下达必须填写下达文号。")
    row = Disbursement(
        kind=kind, date=date, amount=value, doc_no=doc_no, note=_text(note),
        level=_code("fund_level", level, "资金级次"),
    )  # fmt: skip
    problem = _money_problem(project, [*project.disbursements, row])
    if problem:
        raise ProjectError(f"未登记：{problem}")
    project.disbursements.append(row)
    session.flush()
    return row


def delete_disbursement(session: Session, disbursement_id: int) -> None:
    """Remove a wrong money record, unless later payments or spending depend on it."""
    row = session.get(Disbursement, disbursement_id)
    if row is None:
        raise ProjectError("该资金记录不存在，可能已被删除。请刷新。")
    project = get_project(session, row.project_id)
    rest = [d for d in project.disbursements if d.id != disbursement_id]
    problem = _money_problem(project, rest)
    if problem:
        raise ProjectError(f"不能删除：删除后{problem}")
    project.disbursements.remove(row)
    session.flush()


# ------------------------------------------------------------------------- beneficiaries


@dataclass(frozen=True)
class HouseholdHit:
    id: int
    household_no: str | None
    head_name: str | None
    region_name: str
    group_name: str | None
    household_type: str
    monitoring: str
    member_count: int


def search_households(
    session: Session, text: str, *, region_code: str | None = None, limit: int = 50
) -> list[HouseholdHit]:
    """Current households matching ``text`` the way the 户籍管理 search box does (户主 or
    member names, 拼音首字母, 证件号码 or its last digits, 户编号, phone), for linking
    beneficiaries; the first ``limit`` in 户编号 order."""
    flt = registry.HouseholdFilter(region_code=region_code, text=(text or "").strip())
    ids = registry.list_households(session, flt, first=limit).ids
    if not ids:
        return []
    found = {
        hh.id: (hh, rname)
        for hh, rname in session.execute(
            select(Household, Region.name).join(Region, Region.code == Household.region_code)
            .where(Household.id.in_(ids)))
    }
    return [_hit(*found[i]) for i in ids if i in found]


def _hit(hh: Household, region_name: str) -> HouseholdHit:
    return HouseholdHit(
        hh.id, hh.household_no, hh.head_name, region_name, hh.group_name,
        label_of("household_type", hh.household_type),
        label_of("monitoring_category", hh.monitoring_category), hh.member_count,
    )  # fmt: skip


def beneficiary_households(session: Session, project_id: int) -> list[HouseholdHit]:
    stmt = (
        select(Household, Region.name)
        .join(ProjectBeneficiary, ProjectBeneficiary.household_id == Household.id)
        .join(Region, Region.code == Household.region_code)
        .where(ProjectBeneficiary.project_id == project_id)
        .order_by(Household.household_no)
    )
    return [_hit(hh, rname) for hh, rname in session.execute(stmt)]


def set_beneficiary_households(
    session: Session, project_id: int, household_ids: Sequence[int]
) -> None:
    """Make exactly ``household_ids`` the linked beneficiary households of the project."""
    project = get_project(session, project_id)
    wanted = list(dict.fromkeys(household_ids))
    found = set(session.scalars(select(Household.id).where(Household.id.in_(wanted))).all())
    if len(found) != len(wanted):
        raise ProjectError("部分农户已不在户籍库中，请刷新后重新选择。")
    keep = [b for b in project.beneficiaries if b.household_id in found]
    have = {b.household_id for b in keep}
    project.beneficiaries = keep + [
        ProjectBeneficiary(household_id=hid) for hid in wanted if hid not in have
    ]
    session.flush()


@dataclass(frozen=True)
class BeneficiaryCounts:
    poor_hh: int
    poor_persons: int
    monitored_hh: int
    monitored_persons: int
    nonpoor_hh: int
    nonpoor_persons: int


def beneficiary_counts_from_households(session: Session, project_id: int) -> BeneficiaryCounts:
    """Counts from the linked households: 脱贫户 (incl. 2014 未脱贫户), 监测户 (any household
    with a 监测对象 category, also counted among 脱贫户 when it is one), 一般农户 (not monitored)."""
    rows = session.execute(
        select(Household.household_type, Household.monitoring_category, Household.member_count)
        .join(ProjectBeneficiary, ProjectBeneficiary.household_id == Household.id)
        .where(ProjectBeneficiary.project_id == project_id)
    ).all()
    c = defaultdict(int)
    for htype, monitoring, members in rows:
        members = members or 0
        if htype in ("01", "03"):
            c["poor_hh"] += 1
            c["poor_persons"] += members
        if monitoring:
            c["monitored_hh"] += 1
            c["monitored_persons"] += members
        elif htype not in ("01", "03"):
            c["nonpoor_hh"] += 1
            c["nonpoor_persons"] += members
    return BeneficiaryCounts(
        c["poor_hh"], c["poor_persons"], c["monitored_hh"], c["monitored_persons"],
        c["nonpoor_hh"], c["nonpoor_persons"],
    )  # fmt: skip


# ------------------------------------------------------------------------- list and summary


@dataclass
class ProjectFilter:
    year: int | None = None
    category: str | None = None  # top level (2 digits) or sub type (4 digits)
    status: str | None = None
    region_code: str | None = None  # county / township / village: everything below it
    competent_dept: str | None = None
    text: str | None = None  # name or project number contains
    ids: Sequence[int] | None = None  # only these projects


def _filter(stmt, f: ProjectFilter):
    if f.year is not None:
        stmt = stmt.where(Project.year == f.year)
    if f.category:
        if len(f.category) == 2:
            stmt = stmt.where(Project.category == f.category)
        else:
            stmt = stmt.where(Project.subcategory == f.category)
    if f.status:
        stmt = stmt.where(Project.status == f.status)
    if f.region_code:
        stmt = stmt.where(Project.region_code.like(f"{code_prefix(f.region_code)}%"))
    if f.competent_dept:
        stmt = stmt.where(Project.competent_dept == f.competent_dept)
    if f.ids is not None:
        stmt = stmt.where(Project.id.in_(list(f.ids)))
    if f.text and f.text.strip():
        t = f.text.strip()
        stmt = stmt.where(or_(Project.name.contains(t), Project.project_no.contains(t)))
    return stmt


@dataclass(frozen=True)
class ProjectRow:
    """One line of the project list, ready to show."""

    id: int
    project_no: str | None
    year: int
    name: str
    category: str
    subcategory: str
    status: str
    status_code: str
    region_name: str
    region_code: str
    competent_dept: str | None
    implementer: str | None
    total_funds: Decimal | None
    allocated: Decimal
    paid: Decimal
    spent: Decimal
    last_date: dt.date | None


def region_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Display names: 乡镇 for a township, 乡镇·村 for a village."""
    codes = set(codes)
    parents = {c[:9] + "000" for c in codes}
    rows = session.execute(
        select(Region.code, Region.name, Region.parent_code).where(Region.code.in_(codes | parents))
    ).all()
    names = {code: name for code, name, _ in rows}
    out = {}
    for code in codes:
        name = names.get(code, code)
        if level_of_code(code) == "village":
            town = names.get(code[:9] + "000")
            if town:
                name = f"{town}·{name}"
        out[code] = name
    return out


def list_projects(session: Session, f: ProjectFilter | None = None) -> list[ProjectRow]:
    """Projects matching ``f`` (newest year first, then number) with their money totals."""
    f = f or ProjectFilter()
    stmt = _filter(select(Project), f).order_by(
        Project.year.desc(), Project.project_no, Project.id
    )
    projects = session.scalars(stmt).all()
    ids = [p.id for p in projects]
    money: dict[tuple[int, str], Decimal] = {}
    last: dict[int, dt.date] = {}
    for chunk in _chunks(ids, 900):
        for pid, kind, total in session.execute(
            select(Disbursement.project_id, Disbursement.kind, func.sum(Disbursement.amount))
            .where(Disbursement.project_id.in_(chunk))
            .group_by(Disbursement.project_id, Disbursement.kind)
        ):
            money[(pid, kind)] = Decimal(total or 0)
        for pid, day in session.execute(
            select(ProjectStatusLog.project_id, func.max(ProjectStatusLog.date))
            .where(ProjectStatusLog.project_id.in_(chunk))
            .group_by(ProjectStatusLog.project_id)
        ):
            last[pid] = day
    regions = region_names(session, {p.region_code for p in projects})
    cats = code_list("project_category")
    return [
        ProjectRow(
            id=p.id, project_no=p.project_no, year=p.year, name=p.name,
            category=cats.label(p.category, default=p.category or ""),
            subcategory=cats.label(p.subcategory, default=p.subcategory or ""),
            status=status_label(p.status), status_code=p.status,
            region_name=regions.get(p.region_code, p.region_code), region_code=p.region_code,
            competent_dept=p.competent_dept, implementer=p.implementer,
            total_funds=p.total_funds,
            allocated=money.get((p.id, ALLOCATION), ZERO).quantize(CENT),
            paid=money.get((p.id, PAYMENT), ZERO).quantize(CENT),
            spent=money.get((p.id, SPENDING), ZERO).quantize(CENT),
            last_date=last.get(p.id),
        )  # fmt: skip
        for p in projects
    ]


def _chunks(items: Sequence[int], size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class StateSummary:
    status: str
    label: str
    count: int
    total_funds: Decimal


def state_summary(session: Session, f: ProjectFilter | None = None) -> list[StateSummary]:
    """Count and planned funds per current state for the filtered projects (the status
    filter itself is ignored, so the summary shows every state), in workflow order."""
    f = f or ProjectFilter()
    base = ProjectFilter(f.year, f.category, None, f.region_code, f.competent_dept, f.text)
    stmt = _filter(
        select(Project.status, func.count(Project.id), func.sum(Project.total_funds)), base
    ).group_by(Project.status)
    got = {status: (n, Decimal(total or 0)) for status, n, total in session.execute(stmt)}
    out = []
    for status in STATES + tuple(s for s in got if s not in STATES):
        n, total = got.get(status, (0, ZERO))
        if n or status in STATES:
            out.append(StateSummary(status, status_label(status), n, total.quantize(CENT)))
    return out


def filter_choices(session: Session) -> tuple[list[int], list[str]]:
    """Years and 主管单位 in use, for the filter combo boxes."""
    years = [y for (y,) in session.execute(select(Project.year).distinct().order_by(Project.year.desc()))]
    depts = [
        d
        for (d,) in session.execute(
            select(Project.competent_dept).distinct().order_by(Project.competent_dept)
        )
        if d
    ]
    return years, depts


def region_choices(session: Session) -> list[tuple[str, str, str]]:
    """(code, name, level) for townships and villages, township first then its villages."""
    rows = session.execute(
        select(Region.code, Region.name, Region.level)
        .where(Region.level.in_(("township", "village")))
        .order_by(Region.code)
    ).all()
    return [(c, n, lv) for c, n, lv in rows]


# ------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class ProjectFigures:
    """Progress figures for one year and region, as of one date (DOMAIN §9.5).

    Counts follow the dated status logs: a project counts as 入库 / 年度计划 / 开工 / 完工 /
    验收 when, by ``as_of``, it had reached that step of the chain (or any later one), and —
    for 入库 and 年度计划 — had not been taken out (出库) by then. Money sums the dated
    下达 / 拨付 / 支出 records up to ``as_of``. Rates are fractions (0.8 = 80%), ``None``
    when the denominator is zero.
    """

    year: int
    region_code: str
    as_of: dt.date
    in_library: int  # 入库数
    in_plan: int  # 年度计划数
    started: int  # 开工数
    finished: int  # 完工数
    accepted: int  # 验收数
    planned_funds: Decimal  # 年度计划项目总投资
    allocated: Decimal  # 下达
    paid: Decimal  # 拨付
    spent: Decimal  # 支出 (报账)

    @property
    def start_rate(self) -> Decimal | None:  # 开工率
        return _ratio(self.started, self.in_plan)

    @property
    def finish_rate(self) -> Decimal | None:  # 完工率
        return _ratio(self.finished, self.in_plan)

    @property
    def payment_rate(self) -> Decimal | None:  # 资金拨付率
        return _ratio(self.paid, self.allocated)

    @property
    def spending_progress(self) -> Decimal | None:  # 支出进度
        return _ratio(self.spent, self.allocated)


def _ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent(rate: Decimal | None) -> str:
    """``0.8125`` → ``81.25%``; ``None`` → ``—``."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def project_figures(
    session: Session, *, year: int, region_code: str, as_of: dt.date
) -> ProjectFigures:
    """The project figures of ``year`` for the region ``region_code`` (county, township or
    village: every project whose region lies below it) as they stood at the end of ``as_of``.

    Derived only from ProjectStatusLog and Disbursement rows dated on or before ``as_of``,
    never from the current status, so a past month's figures can be reproduced.
    """
    prefix = code_prefix(region_code)
    scope = select(Project.id).where(
        Project.year == year, Project.region_code.like(f"{prefix}%")
    )
    logs = session.execute(
        select(ProjectStatusLog.project_id, ProjectStatusLog.to_status, ProjectStatusLog.id)
        .where(ProjectStatusLog.project_id.in_(scope), ProjectStatusLog.date <= as_of)
        .order_by(ProjectStatusLog.project_id, ProjectStatusLog.date, ProjectStatusLog.id)
    ).all()
    reached: dict[int, int] = {}
    last: dict[int, str] = {}
    for pid, to_status, _ in logs:
        reached[pid] = max(reached.get(pid, -1), chain_index(to_status))
        last[pid] = to_status
    in_lib = [pid for pid, r in reached.items() if r >= chain_index(IN_LIBRARY) and last[pid] != REMOVED]
    in_plan = [pid for pid, r in reached.items() if r >= chain_index(IN_PLAN) and last[pid] != REMOVED]

    def count(step: str) -> int:
        return sum(1 for r in reached.values() if r >= chain_index(step))

    planned = ZERO
    if in_plan:
        for chunk in _chunks(in_plan, 900):
            planned += Decimal(
                session.scalar(select(func.sum(Project.total_funds)).where(Project.id.in_(chunk)))
                or 0
            )
    money = dict.fromkeys((ALLOCATION, PAYMENT, SPENDING), ZERO)
    for kind, total in session.execute(
        select(Disbursement.kind, func.sum(Disbursement.amount))
        .where(Disbursement.project_id.in_(scope), Disbursement.date <= as_of)
        .group_by(Disbursement.kind)
    ):
        money[kind] = Decimal(total or 0).quantize(CENT)
    return ProjectFigures(
        year=year, region_code=region_code, as_of=as_of,
        in_library=len(in_lib), in_plan=len(in_plan),
        started=count(STARTED), finished=count(FINISHED), accepted=count(ACCEPTED),
        planned_funds=planned.quantize(CENT),
        allocated=money[ALLOCATION], paid=money[PAYMENT], spent=money[SPENDING],
    )  # fmt: skip


def project_figures_by_region(
    session: Session, *, year: int, region_code: str, as_of: dt.date
) -> list[tuple[str, str, ProjectFigures]]:
    """``(code, name, figures)`` for ``region_code`` itself, then each region directly below
    it — the rows of a month-end report (township total, then each village)."""
    rows = [(region_code, region_name(session, region_code),
             project_figures(session, year=year, region_code=region_code, as_of=as_of))]  # fmt: skip
    children = session.execute(
        select(Region.code, Region.name).where(Region.parent_code == region_code).order_by(Region.code)
    ).all()
    for code, name in children:
        rows.append((code, name, project_figures(session, year=year, region_code=code, as_of=as_of)))
    return rows


def region_name(session: Session, code: str) -> str:
    return session.scalar(select(Region.name).where(Region.code == code)) or code


def status_at(project: Project, as_of: dt.date) -> str | None:
    """The state the project was in at the end of ``as_of`` (None: not declared yet)."""
    state = None
    for log in _ordered_logs(project):
        if log.date <= as_of:
            state = log.to_status
    return state

