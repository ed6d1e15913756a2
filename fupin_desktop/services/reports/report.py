"""月报/年报: rows for a region (total, then townships and villages in code order)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import Household, Region, ReportSnapshot
from fupin_desktop.models.region import (
    LEVEL_COUNTY,
    LEVEL_TOWNSHIP,
    LEVEL_VILLAGE,
    code_prefix,
)
from fupin_desktop.services.reports import figures as F

KIND_MONTHLY, KIND_YEARLY = "monthly", "yearly"
SNAPSHOT_KIND = {KIND_MONTHLY: "01", KIND_YEARLY: "02"}  # report_kind codes
LEVEL_OWN = "own"  # a township's (or the region's) own projects and assets: 本级


@dataclass
class ReportRow:
    code: str
    name: str
    level: str  # "county" | "township" | "village" | "own" (本级)
    figures: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "level": self.level,
                "figures": figures_to_json(self.figures)}


@dataclass
class Report:
    kind: str  # "monthly" | "yearly"
    period: str  # "YYYY-MM" or "YYYY"
    region_code: str
    region_name: str
    submitted: bool = False
    revision: int | None = None
    submitted_by: str | None = None
    submitted_at: dt.datetime | None = None
    rows: list[ReportRow] = field(default_factory=list)
    total: dict[str, Any] = field(default_factory=dict)
    region_level: str = LEVEL_COUNTY

    @property
    def title(self) -> str:
        """「××乡（镇）××××年××月巩固拓展脱贫攻坚成果统计月报表」"""
        if self.kind == KIND_YEARLY:
            when, what = f"{self.period}年", "年报表"
        else:
            when, what = f"{self.period[:4]}年{self.period[5:]}月", "月报表"
        return f"{self.region_name}{when}巩固拓展脱贫攻坚成果统计{what}"

    def to_json(self) -> dict[str, Any]:
        return {
            "year" if self.kind == KIND_YEARLY else "month": self.period,
            "region": {"code": self.region_code, "name": self.region_name},
            "submitted": self.submitted,
            "revision": self.revision,
            "rows": [row.to_json() for row in self.rows],
            "total": figures_to_json(self.total),
        }

    @classmethod
    def from_json(cls, kind: str, data: dict[str, Any], *, level: str = LEVEL_COUNTY) -> Report:
        return cls(
            kind=kind, period=data.get("month") or data.get("year") or "",
            region_code=data["region"]["code"], region_name=data["region"]["name"],
            submitted=bool(data.get("submitted")), revision=data.get("revision"),
            rows=[ReportRow(r["code"], r["name"], r["level"], figures_from_json(r["figures"]))
                  for r in data["rows"]],
            total=figures_from_json(data["total"]), region_level=level,
        )


def figures_to_json(fig: dict[str, Any]) -> dict[str, Any]:
    """Money as strings of yuan with two decimals, rates as numbers (None when undefined)."""
    out: dict[str, Any] = {}
    for key in F.FIGURE_KEYS:
        value = fig[key]
        if key in F.MONEY_KEYS:
            out[key] = f"{Decimal(value):.2f}"
        elif isinstance(value, dict):
            out[key] = copy.deepcopy(value)
        elif key in F.RATES:
            out[key] = None if value is None else round(float(value), 6)
        else:
            out[key] = int(value)
    return out


def figures_from_json(data: dict[str, Any]) -> dict[str, Any]:
    out = F.empty_figures()
    for key in F.FIGURE_KEYS:
        if key not in data:
            continue
        value = data[key]
        out[key] = Decimal(value) if key in F.MONEY_KEYS else copy.deepcopy(value)
    return out


# ----------------------------------------------------------------------------- regions


def resolve_region(session: Session, region_code: str | None) -> Region:
    """The chosen region, or by default the county (the one holding the most households)."""
    if region_code:
        code = str(region_code).strip()
        region = session.scalar(select(Region).where(Region.code == code))
        if region is None:
            raise UserError(f"区划代码 {code} 在数据库中不存在，请核对（12位统计用区划代码）。")
        return region
    counties = session.scalars(
        select(Region).where(Region.level == LEVEL_COUNTY).order_by(Region.code)
    ).all()
    if not counties:
        regions = session.scalars(
            select(Region).where(Region.level == LEVEL_TOWNSHIP).order_by(Region.code)
        ).all()
        if not regions:
            raise UserError("数据库中还没有行政区划，请先建立县、乡镇和村，或导入户籍数据。")
        counties = regions
    if len(counties) == 1:
        return counties[0]
    codes = [c.code for c in counties]
    best = session.scalar(
        select(Household.region_code).where(
            or_(*(Household.region_code.like(code_prefix(c) + "%") for c in codes))
        ).limit(1)
    )
    for c in counties:
        if best and best.startswith(code_prefix(c.code)):
            return c
    return counties[0]


def _tree(session: Session, region: Region) -> list[tuple[str, str, str]]:
    """(code, name, level) of the townships and villages under ``region``, in code order."""
    if region.level == LEVEL_VILLAGE:
        return [(region.code, region.name, region.level)]
    prefix = code_prefix(region.code)
    levels = (LEVEL_VILLAGE,) if region.level == LEVEL_TOWNSHIP else (LEVEL_TOWNSHIP, LEVEL_VILLAGE)
    rows = session.execute(
        select(Region.code, Region.name, Region.level)
        .where(Region.code.like(prefix + "%"), Region.level.in_(levels), Region.code != region.code)
        .order_by(Region.code)
    ).all()
    return [tuple(r) for r in rows]


def _assemble(region: Region, tree: list[tuple[str, str, str]],
              raw: dict[str, dict[str, Any]]) -> tuple[list[ReportRow], dict[str, Any]]:
    """Rows in code order (each township followed by its villages and its 本级 row when it
    has figures of its own); township rows sum their villages; the total sums everything."""
    villages = {code for code, _n, level in tree if level == LEVEL_VILLAGE}
    townships = {code for code, _n, level in tree if level == LEVEL_TOWNSHIP}
    own: dict[str, dict[str, Any]] = {}
    for code, fig in raw.items():
        if code in villages:
            continue
        parent = code[:9] + "000"
        owner = parent if parent in townships else region.code
        add_to = own.setdefault(owner, F.empty_figures())
        F.add_into(add_to, fig)

    total = F.empty_figures()
    rows: list[ReportRow] = []
    township_rows: dict[str, ReportRow] = {}
    current: ReportRow | None = None

    def close_township() -> None:
        if current is not None and current.code in own:
            fig = own[current.code]
            F.add_into(current.figures, fig)
            F.add_into(total, fig)
            rows.append(ReportRow(current.code, f"{current.name}本级", LEVEL_OWN, F.finish(fig)))
        if current is not None:
            F.finish(current.figures)

    for code, name, level in tree:
        if level == LEVEL_TOWNSHIP:
            close_township()
            current = ReportRow(code, name, level, F.empty_figures())
            township_rows[code] = current
            rows.append(current)
            continue
        fig = raw.get(code) or F.empty_figures()
        village = ReportRow(code, name, level, fig)
        rows.append(village)
        F.add_into(total, fig)
        if current is not None and code.startswith(current.code[:9]):
            F.add_into(current.figures, fig)
        F.finish(fig)
    close_township()
    if region.code in own:
        fig = own[region.code]
        F.add_into(total, fig)
        rows.append(ReportRow(region.code, f"{region.name}本级", LEVEL_OWN, F.finish(fig)))
    return rows, F.finish(total)


def compute_report(session: Session, kind: str, period_text: str, period: F.Period,
                   region: Region) -> Report:
    prefix = code_prefix(region.code)
    raw = F.figures_by_region(session, period, prefix)
    rows, total = _assemble(region, _tree(session, region), raw)
    return Report(kind=kind, period=period_text, region_code=region.code,
                  region_name=region.name, rows=rows, total=total, region_level=region.level)


def _latest_snapshot(session: Session, kind: str, period: str, region_code: str,
                     revision: int | None = None) -> ReportSnapshot | None:
    stmt = select(ReportSnapshot).where(
        ReportSnapshot.region_code == region_code, ReportSnapshot.kind == SNAPSHOT_KIND[kind],
        ReportSnapshot.period == period, ReportSnapshot.submitted.is_(True),
    )
    if revision is not None:
        stmt = stmt.where(ReportSnapshot.revision == revision)
    return session.scalar(stmt.order_by(ReportSnapshot.revision.desc()).limit(1))


def report_from_snapshot(snap: ReportSnapshot, kind: str, level: str) -> Report:
    report = Report.from_json(kind, snap.data, level=level)
    report.submitted, report.revision = True, snap.revision
    report.submitted_by, report.submitted_at = snap.created_by, snap.created_at
    return report


def monthly_report(session: Session, month: str, region_code: str | None = None, *,
                   live: bool = False) -> Report:
    """The 月报 as of ``month``'s end. A month that is submitted and locked gives its saved
    figures (the latest revision) unless ``live``; ``live`` computes them again."""
    from fupin_desktop.services.reports.locks import month_lock

    period = F.month_period(month)
    region = resolve_region(session, region_code)
    if not live and month_lock(session, region.code, period.last) is not None:
        snap = _latest_snapshot(session, KIND_MONTHLY, period.last, region.code)
        if snap is not None:
            return report_from_snapshot(snap, KIND_MONTHLY, region.level)
    return compute_report(session, KIND_MONTHLY, period.last, period, region)


def saved_report(session: Session, month: str, region_code: str | None, revision: int) -> Report:
    """A submitted revision of a month's report, as it was saved."""
    region = resolve_region(session, region_code)
    month = F.check_month(month)
    snap = _latest_snapshot(session, KIND_MONTHLY, month, region.code, revision)
    if snap is None:
        raise UserError(f"{month} 月报没有第 {revision} 次上报的记录。")
    return report_from_snapshot(snap, KIND_MONTHLY, region.level)


def report_revisions(session: Session, month: str, region_code: str | None) -> list[dict[str, Any]]:
    """Every submitted revision of a month: revision, who, when."""
    region = resolve_region(session, region_code)
    snaps = session.scalars(
        select(ReportSnapshot).where(
            ReportSnapshot.region_code == region.code, ReportSnapshot.kind == SNAPSHOT_KIND[KIND_MONTHLY],
            ReportSnapshot.period == F.check_month(month), ReportSnapshot.submitted.is_(True),
        ).order_by(ReportSnapshot.revision)
    )
    return [{"revision": s.revision, "submitted_by": s.created_by, "submitted_at": s.created_at}
            for s in snaps]


def yearly_report(session: Session, year: int, region_code: str | None = None, *,
                  live: bool = False) -> Report:
    """The 年报: the same figures as of 31 December, changes counted over the whole year."""
    period = F.year_period(year)
    region = resolve_region(session, region_code)
    return compute_report(session, KIND_YEARLY, str(period.year), period, region)


# ----------------------------------------------------------------------------- comparisons


def _delta(new: Any, old: Any) -> Any:
    if isinstance(new, dict):
        return {k: _delta(v, (old or {}).get(k)) for k, v in new.items()}
    if new is None or old is None:
        return None
    return new - old


def compare(report: Report, previous: Report) -> dict[str, dict[str, Any]]:
    """增减 per row code (the total under ``"total"``) and figure key: report − previous.
    Rates give the difference of the rates, None where either is undefined."""
    before = {(r.code, r.level): r.figures for r in previous.rows}
    out: dict[str, dict[str, Any]] = {"total": {k: _delta(report.total[k], previous.total[k])
                                                for k in F.FIGURE_KEYS}}
    for row in report.rows:
        old = before.get((row.code, row.level)) or F.finish(F.empty_figures())
        key = row.code if row.level != LEVEL_OWN else f"{row.code}:own"
        out[key] = {k: _delta(row.figures[k], old[k]) for k in F.FIGURE_KEYS}
    return out


def trend(session: Session, region_code: str | None, end_month: str,
          months: int = 12) -> list[tuple[str, dict[str, Any]]]:
    """(month, total figures) for ``months`` months ending with ``end_month``, oldest first;
    submitted months give their saved figures. One grouped computation for all the months
    (figures.trend_figures), not one report per month."""
    from fupin_desktop.services.reports.locks import month_lock

    end_month = F.check_month(end_month)
    region = resolve_region(session, region_code)
    names = [F.add_months(end_month, -i) for i in range(months - 1, -1, -1)]
    live = F.trend_figures(session, code_prefix(region.code), names)
    out = []
    for month in names:
        snap = (_latest_snapshot(session, KIND_MONTHLY, month, region.code)
                if month_lock(session, region.code, month) is not None else None)
        total = report_from_snapshot(snap, KIND_MONTHLY, region.level).total if snap is not None else None
        out.append((month, total if total is not None else F.finish(live[month])))
    return out


def households_behind(session: Session, month: str, region_code: str, key: str) -> list[int]:
    """Household ids behind a count of the month's report for a row's region (drill-down)."""
    region = resolve_region(session, region_code)
    return F.households_behind(session, F.month_period(month), code_prefix(region.code), key)
