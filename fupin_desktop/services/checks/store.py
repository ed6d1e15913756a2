"""Stored 核查 runs and findings: what the 核查 page, the 「有数据错误」 filter and each
household's error list read (one source).

``check_findings`` keeps, per place, the open findings of the latest run over it
(``fixed_run_id`` NULL; ``run_id`` = the run that first found each) and the findings that
run no longer found (``fixed_run_id`` = the run): 「已整改」. A run over a place replaces
both for that place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from fupin_desktop.models import CheckFinding, CheckRun, Household, Member
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services.checks.catalogue import BY_CODE, ERROR
from fupin_desktop.services.checks.engine import CheckResult, Finding

_CHUNK = 500
F = CheckFinding


def _in_place(region_code: str | None):
    """Findings of the place: everything under the region (all when None)."""
    if not region_code:
        return True
    return F.region_code.like(code_prefix(region_code) + "%")


def _key_of_row(row) -> tuple:
    return (row.check, row.household_id, row.member_id, row.project_id, row.asset_id, row.helper_id,
            row.field)


def _rows(findings: Iterable[Finding], run_id: int) -> list[dict]:
    return [{"run_id": run_id, "fixed_run_id": None, "check": f.check, "severity": BY_CODE[f.check].severity,
             "household_id": f.household_id, "member_id": f.member_id, "project_id": f.project_id,
             "asset_id": f.asset_id, "helper_id": f.helper_id, "field": f.field,
             "message": f.message[:500], "region_code": f.region_code} for f in findings]


def store_run(session: Session, result: CheckResult, *, user: str, seconds: float) -> int:
    """Save ``result`` as a run: its findings become the open ones of its place, the previous
    open findings it no longer finds are marked fixed by it. Returns the run id (also set on
    ``result``)."""
    place = _in_place(result.region_code)
    prefix = code_prefix(result.region_code) if result.region_code else None
    findings = [f for f in result.findings
                if prefix is None or (f.region_code or "").startswith(prefix)]
    run = CheckRun(started_at=dt.datetime.now(), user=user, region_code=result.region_code,
                   seconds=round(seconds, 3), households_checked=result.households_checked,
                   counts={k: v for k, v in result.counts.items() if v})
    session.add(run)
    session.flush()
    # Findings fixed by an earlier run: replaced by what this run finds fixed.
    session.execute(delete(F).where(place, F.fixed_run_id.is_not(None)))
    # Diff against the open findings: a finding found again keeps its row (``run_id`` stays
    # the run that first found it), one no longer found is marked fixed by this run, a new
    # one is inserted. A repeat run over unchanged data writes almost nothing.
    old: dict[tuple, tuple[int, str]] = {}
    duplicates: list[int] = []
    for r in session.execute(
        select(F.id, F.check, F.household_id, F.member_id, F.project_id, F.asset_id, F.helper_id, F.field,
               F.message).where(place, F.fixed_run_id.is_(None))
    ):
        key = _key_of_row(r)
        if key in old:
            duplicates.append(r.id)
        else:
            old[key] = (r.id, r.message)
    fixed: dict[str, int] = {}
    fixed_ids, reworded, fresh = [], [], []
    seen: set[tuple] = set()
    for f in findings:
        key = f.key()
        if key in seen:
            fresh.append(f)  # a second finding of the same kind on the same field
            continue
        seen.add(key)
        hit = old.pop(key, None)
        if hit is None:
            fresh.append(f)
        elif hit[1] != f.message[:500]:
            reworded.append({"fid": hit[0], "msg": f.message[:500]})
    for key, (fid, _msg) in old.items():
        fixed_ids.append(fid)
        fixed[key[0]] = fixed.get(key[0], 0) + 1
    for i in range(0, len(fixed_ids), _CHUNK):
        session.execute(update(F).where(F.id.in_(fixed_ids[i:i + _CHUNK])).values(fixed_run_id=run.id))
    for i in range(0, len(duplicates), _CHUNK):
        session.execute(delete(F).where(F.id.in_(duplicates[i:i + _CHUNK])))
    table = F.__table__
    conn = session.connection()
    if reworded:
        conn.execute(table.update().where(table.c.id == bindparam("fid")).values(message=bindparam("msg")),
                     reworded)
    rows = _rows(fresh, run.id)
    for i in range(0, len(rows), 5000):
        conn.execute(table.insert(), rows[i:i + 5000])
    run.fixed = fixed
    session.flush()
    result.run_id = run.id
    result.fixed = fixed
    return run.id


def record_household(session: Session, household_id: int, findings: list[Finding]) -> None:
    """After the editor saved a household: its open findings from the per-household rules
    are replaced by ``findings`` (the same validator's result on the saved data), so the
    filter and the list show it at once. Cross-table findings wait for the next run."""
    from fupin_desktop.services.checks.catalogue import FIELD_CHECKS

    field_codes = [c.code for c in FIELD_CHECKS]
    latest = session.scalar(select(func.max(CheckRun.id)))
    session.execute(delete(F).where(F.household_id == household_id, F.fixed_run_id.is_(None),
                                    F.check.in_(field_codes)))
    if latest is None:
        run = CheckRun(started_at=dt.datetime.now(), user=None, region_code=None, seconds=0.0,
                       households_checked=0, counts={})
        session.add(run)
        session.flush()
        latest = run.id
    rows = _rows(findings, latest)
    if rows:
        session.connection().execute(F.__table__.insert(), rows)


def _finding(row) -> Finding:
    return Finding(row.check, row.household_id, row.household_no, row.member_id, row.person_no,
                   row.field, row.message, row.region_code, row.project_id, row.asset_id, row.helper_id)


def _select_findings():
    return (select(F.check, F.household_id, Household.household_no, F.member_id, Member.person_no,
                   F.field, F.message, F.region_code, F.project_id, F.asset_id, F.helper_id)
            .outerjoin(Household, Household.id == F.household_id)
            .outerjoin(Member, Member.id == F.member_id))


def open_findings(session: Session, region_code: str | None = None, check: str | None = None) -> list[Finding]:
    """The open findings (latest run over each place) under ``region_code``."""
    stmt = _select_findings().where(_in_place(region_code), F.fixed_run_id.is_(None))
    if check:
        stmt = stmt.where(F.check == check)
    return [_finding(r) for r in session.execute(stmt.order_by(F.id))]


def findings_for_household(session: Session, household_id: int) -> list[Finding]:
    """The household's open findings, catalogue order."""
    from fupin_desktop.services.checks.catalogue import CATALOGUE

    order = {c.code: i for i, c in enumerate(CATALOGUE)}
    rows = [_finding(r) for r in session.execute(
        _select_findings().where(F.household_id == household_id, F.fixed_run_id.is_(None)).order_by(F.id))]
    return sorted(rows, key=lambda f: order.get(f.check, len(order)))


def open_error_count(session: Session, region_code: str | None = None) -> int:
    """错误-severity findings still open (latest run over each place) under ``region_code``."""
    return session.scalar(select(func.count()).select_from(F).where(
        _in_place(region_code), F.fixed_run_id.is_(None), F.severity == ERROR)) or 0


def open_counts_by_village(session: Session, region_code: str | None = None) -> dict[str, dict[str, int]]:
    """check code → village (region) code → open findings under ``region_code``: what
    :meth:`CheckResult.counts_by_village` gives, read from the stored findings."""
    out: dict[str, dict[str, int]] = {}
    for check, region, n in session.execute(
        select(F.check, F.region_code, func.count()).where(_in_place(region_code), F.fixed_run_id.is_(None))
        .group_by(F.check, F.region_code)
    ):
        out.setdefault(check, {})[region or ""] = n
    return out


def household_error_counts(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """household id → open 错误 findings, for the household list."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(F.household_id, func.count()).where(F.household_id.in_(ids), F.fixed_run_id.is_(None),
                                                   F.severity == ERROR)
        .group_by(F.household_id)).all())


def has_open_errors():
    """SQL condition on ``Household``: it has an open 错误 finding (「有数据错误」)."""
    from sqlalchemy import exists

    return exists().where(F.household_id == Household.id, F.fixed_run_id.is_(None), F.severity == ERROR)


def fixed_since_previous(session: Session, region_code: str | None = None) -> list[Finding]:
    """Findings the latest run over the place no longer found (「已整改」)."""
    stmt = _select_findings().where(_in_place(region_code), F.fixed_run_id.is_not(None))
    return [_finding(r) for r in session.execute(stmt.order_by(F.id))]


def run_history(session: Session, region_code: str | None = None) -> list[dict]:
    """Runs that covered the place (over it, a place containing it, or a place inside it;
    all when None), newest first: id, when, who, region, seconds, households checked,
    findings per check and fixed per check."""
    def covers(run_region: str | None) -> bool:
        if not region_code or not run_region:
            return True
        return region_code.startswith(code_prefix(run_region)) or run_region.startswith(code_prefix(region_code))

    runs = session.scalars(select(CheckRun).where(CheckRun.households_checked > 0).order_by(CheckRun.id.desc()))
    return [{"id": r.id, "when": r.started_at, "who": r.user, "region_code": r.region_code,
             "seconds": r.seconds, "households_checked": r.households_checked,
             "counts": dict(r.counts or {}), "fixed": dict(r.fixed or {})}
            for r in runs if covers(r.region_code)]


def latest_run(session: Session) -> CheckRun | None:
    return session.scalar(select(CheckRun).where(CheckRun.households_checked > 0)
                          .order_by(CheckRun.id.desc()).limit(1))
