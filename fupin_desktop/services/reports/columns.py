"""The report's columns in the county layout (DOMAIN §12.2): three header rows — column
group, sub-group, leaf with its unit — shared by the xlsx, the PDF and the page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

COUNT, MONEY, RATE = "count", "money", "rate"
NAME_HEADER = "单位名称"
HEADER_ROWS = 3
UNIT_TEXT = "单位：户、人、个、元"


@dataclass(frozen=True)
class Column:
    group: str  # header row 1
    sub: str | None  # header row 2; None: the leaf spans rows 2–3
    leaf: str  # header row 3 (or rows 2–3), with its unit
    key: str  # figure key; "key.part" or "key.part.households" inside nested figures
    kind: str = COUNT


def _pair(group: str, sub: str, key_h: str, key_p: str) -> list[Column]:
    return [Column(group, sub, "户数（户）", key_h), Column(group, sub, "人数（人）", key_p)]


def columns(yearly: bool = False) -> list[Column]:
    """Leaf columns in order (the 本月 texts read 本年 in a year report)."""
    this = "本年" if yearly else "本月"
    scale, change = "对象规模", f"{this}变动"
    out: list[Column] = [
        *_pair(scale, "脱贫户", "households_tuopin", "people_tuopin"),
        *_pair(scale, "监测对象合计", "households_monitored", "people_monitored"),
    ]
    for cat in ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户"):
        out += _pair(scale, cat, f"monitored_by_category.{cat}.households",
                     f"monitored_by_category.{cat}.people")
    out += [
        Column(scale, "其中（户）", "风险已消除", "households_risk_eliminated"),
        Column(scale, "其中（户）", "风险未消除", "households_risk_open"),
        *_pair(change, "新识别监测对象", "new_monitored_households", "new_monitored_people"),
        *_pair(change, "风险消除", "eliminated_households", "eliminated_people"),
        Column(change, "自然增加（人）", "小计", "people_added"),
        *(Column(change, "自然增加（人）", r, f"added_by_reason.{r}") for r in ("出生", "婚入", "迁入", "其他")),
        Column(change, "自然减少（人）", "小计", "people_removed"),
        *(Column(change, "自然减少（人）", r, f"removed_by_reason.{r}") for r in ("死亡", "婚出", "迁出", "其他")),
        *_pair(change, "返贫/致贫", "returned_households", "returned_people"),
        Column("保障", "三保障和饮水问题（个）", "未解决", "problems_open"),
        Column("保障", "三保障和饮水问题（个）", f"{this}解决", "problems_closed"),
        Column("保障", None, "医保参保率", "medical_insurance_rate", RATE),
        *(Column("就业", "务工人数（人）", p, f"workers_by_place.{p}") for p in ("县内", "县外省内", "省外")),
        Column("就业", None, "公益岗位（人）", "public_welfare_jobs"),
        Column("项目", None, "计划（个）", "projects_planned"),
        Column("项目", None, "开工（个）", "projects_started"),
        Column("项目", None, "完工（个）", "projects_completed"),
        Column("项目", None, "验收（个）", "projects_accepted"),
        Column("项目", None, "开工率", "start_rate", RATE),
        Column("项目", None, "完工率", "completion_rate", RATE),
        Column("资金", None, "下达（元）", "funds_allocated", MONEY),
        Column("资金", None, "拨付（元）", "funds_disbursed", MONEY),
        Column("资金", None, "支出（报账）（元）", "funds_spent", MONEY),
        Column("资金", None, "拨付率", "disbursement_rate", RATE),
        Column("资金", None, "支出进度", "spending_progress", RATE),
        Column("资产", None, f"{this}新增（个）", "assets_new"),
        Column("资产", None, f"{this}处置（个）", "assets_disposed"),
        Column("资产", None, "期末个数（个）", "assets_count"),
        Column("资产", None, "期末原值（元）", "assets_value", MONEY),
    ]
    return out


def value(figures: dict[str, Any], column: Column) -> Any:
    """The column's value in a row's figures: int, Decimal, or a rate (float | None)."""
    v: Any = figures
    for part in column.key.split("."):
        v = v[part]
    return Decimal(v) if column.kind == MONEY else v


def text(v: Any, kind: str) -> str:
    """A value as printed: counts plain, money with two decimals, rates as percentages."""
    if v is None:
        return "—" if kind == RATE else ""
    if kind == MONEY:
        return f"{Decimal(v):,.2f}"
    if kind == RATE:
        return f"{float(v) * 100:.1f}%"
    return str(v)


@dataclass(frozen=True)
class HeaderCell:
    text: str
    col: int  # first leaf column (0 = the name column)
    row: int  # 0..2
    last_col: int
    last_row: int


def unit_on_own_line(text: str) -> str:
    """「户数（户）」 → 「户数\n（户）」: a narrow column's unit on a line of its own."""
    head, sep, unit = text.partition("（")
    return f"{head}\n{sep}{unit}" if sep and head else text


def header_cells(cols: list[Column]) -> list[HeaderCell]:
    """The merged header: the name column over all three rows, each group over its
    columns, each sub-group over its leaves (a leaf without a sub-group over rows 2–3).
    A leaf's unit is on a line of its own."""
    out = [HeaderCell(NAME_HEADER, 0, 0, 0, HEADER_ROWS - 1)]
    i = 0
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == cols[i].group:
            j += 1
        out.append(HeaderCell(cols[i].group, i + 1, 0, j + 1, 0))
        k = i
        while k <= j:
            c = cols[k]
            if c.sub is None:
                out.append(HeaderCell(unit_on_own_line(c.leaf), k + 1, 1, k + 1, 2))
                k += 1
                continue
            m = k
            while m + 1 <= j and cols[m + 1].sub == c.sub:
                m += 1
            out.append(HeaderCell(c.sub, k + 1, 1, m + 1, 1))
            out += [HeaderCell(unit_on_own_line(cols[n].leaf), n + 1, 2, n + 1, 2)
                    for n in range(k, m + 1)]
            k = m + 1
        i = j + 1
    return out


def group_ranges(cols: list[Column]) -> list[tuple[int, int]]:
    """(first, last) leaf column (1-based, after the name column) of each column group."""
    out: list[tuple[int, int]] = []
    for i, c in enumerate(cols, 1):
        if out and cols[out[-1][0] - 1].group == c.group:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out
