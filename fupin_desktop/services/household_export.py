"""Exporting households and members to .xlsx in the national-export column order
(services.household_sheet), one row per current member, so the file imports back unchanged.

Codes are written as their Chinese labels, yes/no as 是/否, IDs and numbers as text.
``mask=True`` hides 证件号码, phone numbers and bank accounts with the shared masks
(rules.idnumber.mask_*) and reduces 出生日期 to the year (with the whole date the masked ID
could be rebuilt) — such a file is for reading and printing, not for re-import.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fupin_desktop.codes import bool_label, label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import Household, Member, Region
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE, MEMBER_PRESENT
from fupin_desktop.models.region import code_prefix
from fupin_desktop.rules.idnumber import mask_bank_account, mask_birth_date, mask_id, mask_phone
from fupin_desktop.services.household_sheet import HOUSEHOLD_ATTR, HOUSEHOLD_SCHEMA
from fupin_desktop.sheets.export import ExportColumn, write_table

__all__ = ["ExportResult", "export_columns", "export_households", "region_choices"]

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

_MASKS = {
    "id_number": mask_id,
    "head_id_number": mask_id,
    "birth_date": mask_birth_date,  # with the whole date the masked ID could be rebuilt
    "phone": mask_phone,
    "household_phone": mask_phone,
    "bank_account": mask_bank_account,
}
_SOURCE = {"head_id_number": "head_id18"}


@dataclass
class ExportResult:
    path: Path
    households: int
    members: int
    seconds: float
    masked: bool


def export_columns() -> list[ExportColumn]:
    """The header row of a household export (every schema field, in order)."""
    out = []
    for f in HOUSEHOLD_SCHEMA:
        kind = "text" if f.kind in ("bool", "code") else f.kind
        out.append(ExportColumn(f.label, kind))
    return out


def _region_names(session) -> dict[str, tuple[str, str, str]]:
    rows = session.execute(select(Region.code, Region.name, Region.parent_code)).all()
    by_code = {r.code: r for r in rows}
    out = {}
    for r in rows:
        town = by_code.get(r.parent_code) if r.parent_code else None
        county = by_code.get(town.parent_code) if town is not None and town.parent_code else None
        out[r.code] = (county.name if county else "", town.name if town else "", r.name)
    return out


def export_households(
    db: Any,
    path: str | os.PathLike[str],
    *,
    region: str | None = None,
    mask: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ExportResult:
    """Write every current member of every active household (within ``region``, a 12-digit
    code of any level) to ``path``. Raises ``UserError`` for an unknown region, an
    unwritable target or a cancel (no file is left behind)."""
    started = time.perf_counter()
    with db.session() as session:
        names = _region_names(session)
        h, m = Household.__table__, Member.__table__
        where = [h.c.status == HOUSEHOLD_ACTIVE]
        if region:
            region = region.strip()
            if region not in names:
                raise UserError(f"行政区划代码“{region}”不在本系统中，请核对（应为12位数字）。")
            where.append(h.c.region_code.like(code_prefix(region) + "%"))
        total = session.execute(
            select(func.count()).select_from(m.join(h, m.c.household_id == h.c.id))
            .where(*where, m.c.status == MEMBER_PRESENT)
        ).scalar_one()
        hh_count = session.execute(select(func.count()).select_from(h).where(*where)).scalar_one()

        fields = list(HOUSEHOLD_SCHEMA)
        h_cols = {f.key: h.c[_SOURCE.get(f.key, HOUSEHOLD_ATTR.get(f.key, f.key))]
                  for f in fields if f.group == "household"}
        m_cols = {f.key: m.c[f.key] for f in fields if f.group == "member"}
        selected = [h.c.id.label("hid")] + [c.label("h_" + k) for k, c in h_cols.items()] + [
            c.label("m_" + k) for k, c in m_cols.items()
        ]
        stmt = (
            select(*selected)
            .select_from(m.join(h, m.c.household_id == h.c.id))
            .where(*where, m.c.status == MEMBER_PRESENT)
            .order_by(h.c.region_code, h.c.group_name, h.c.household_no, h.c.id, m.c.seq, m.c.id)
        )
        label_caches: dict[str, dict[Any, str]] = {f.key: {} for f in fields if f.kind == "code"}

        def render(f, value: Any) -> Any:
            if value is None:
                return None
            if f.kind == "code":
                cache = label_caches[f.key]
                text = cache.get(value)
                if text is None:
                    text = cache[value] = label_of(f.code_list, value)
                return text
            if f.kind == "bool":
                return bool_label(value)
            if mask and f.key in _MASKS:
                return _MASKS[f.key](value)
            return value

        plan = []
        for f in fields:
            if f.group == "region":
                plan.append((f, "region", ("county_name", "township_name", "village_name").index(f.key)))
            elif f.group == "household":
                plan.append((f, "h_" + f.key, None))
            else:
                plan.append((f, "m_" + f.key, None))

        def rows() -> Iterator[list[Any]]:
            result = session.execute(stmt.execution_options(yield_per=2000))
            for rec in result.mappings():
                region_names = names.get(rec["h_region_code"], ("", "", ""))
                out = []
                for f, source, pos in plan:
                    if source == "region":
                        out.append(region_names[pos] or None)
                    else:
                        out.append(render(f, rec[source]))
                yield out

        count = write_table(
            path,
            export_columns(),
            rows(),
            sheet_title="家庭成员",
            total=total,
            progress=progress,
            cancel=cancel,
        )
    return ExportResult(Path(path), hh_count, count, time.perf_counter() - started, mask)


def region_choices(db: Any) -> list[tuple[str, str, str]]:
    """``(code, indented name, level)`` of every county, township and village that has
    households, in code order — what the export dialog offers."""
    with db.session() as session:
        used = {c for (c,) in session.execute(
            select(Household.region_code).where(Household.status == HOUSEHOLD_ACTIVE).distinct())}
        rows = session.execute(select(Region.code, Region.name, Region.level).order_by(Region.code)).all()
    prefixes = {code_prefix(r.code) for r in rows if r.level in ("county", "township", "village")}
    keep = {p for p in prefixes if any(u.startswith(p) for u in used)}
    indent = {"county": "", "township": "　", "village": "　　"}
    return [(r.code, indent[r.level] + r.name, r.level) for r in rows
            if r.level in indent and code_prefix(r.code) in keep]
