"""上报 and 申请解锁: a submitted month is saved as a ReportSnapshot and locked; a change
dated into a locked month is refused (``ensure_month_open``, called wherever changes and
monitoring records are written)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import Region, ReportLock, ReportSnapshot
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services.reports import figures as F
from fupin_desktop.services.reports.report import (
    KIND_MONTHLY,
    SNAPSHOT_KIND,
    compute_report,
    resolve_region,
)

MonthLock = ReportLock


def month_lock(session: Session, region_code: str | None, month: str) -> ReportLock | None:
    """The lock in force on ``month`` for exactly this region (None: the month is open)."""
    code = region_code or resolve_region(session, None).code
    return session.scalar(
        select(ReportLock).where(
            ReportLock.region_code == code, ReportLock.period == F.check_month(month),
            ReportLock.locked.is_(True),
        ).order_by(ReportLock.id.desc()).limit(1)
    )


def lock_history(session: Session, region_code: str | None, month: str) -> list[ReportLock]:
    """Every lock of the month for the region, oldest first (with the unlock reasons)."""
    code = resolve_region(session, region_code).code
    return list(session.scalars(
        select(ReportLock).where(ReportLock.region_code == code,
                                 ReportLock.period == F.check_month(month))
        .order_by(ReportLock.id)
    ))


def submit_report(session: Session, month: str, region_code: str | None, *, user: str) -> int:
    """上报: save the month's figures (computed now, as of the month's end) as the next
    revision and lock the month for the region. Returns the revision (1, 2, …)."""
    from fupin_desktop.services.trust import REPORT_SUBMIT, require

    period = F.month_period(month)
    region = resolve_region(session, region_code)
    require(session, REPORT_SUBMIT, region.code)
    lock = month_lock(session, region.code, period.last)
    if lock is not None:
        raise UserError(
            f"{region.name} {period.last} 月报已上报（第 {lock.revision} 次），"
            "如需修改请先申请解锁。"
        )
    report = compute_report(session, KIND_MONTHLY, period.last, period, region)
    kind = SNAPSHOT_KIND[KIND_MONTHLY]
    last = session.scalar(
        select(func.max(ReportSnapshot.revision)).where(
            ReportSnapshot.region_code == region.code, ReportSnapshot.kind == kind,
            ReportSnapshot.period == period.last,
        )
    )
    revision = (last or 0) + 1
    now = dt.datetime.now().replace(microsecond=0)
    report.submitted, report.revision = True, revision
    session.add(ReportSnapshot(
        region_code=region.code, kind=kind, period=period.last, revision=revision,
        data=report.to_json(), submitted=True, created_by=user, created_at=now,
    ))
    session.add(ReportLock(region_code=region.code, period=period.last, revision=revision,
                           locked=True, locked_by=user, locked_at=now))
    session.flush()
    return revision


def unlock_month(session: Session, month: str, region_code: str | None, *, reason: str,
                 user: str) -> None:
    """申请解锁: reopen a submitted month (the reason, who and when are kept). The saved
    revisions stay; the next 上报 saves a new revision."""
    from fupin_desktop.services.trust import REPORT_UNLOCK, require

    month = F.check_month(month)
    region = resolve_region(session, region_code)
    require(session, REPORT_UNLOCK, region.code)
    reason = (reason or "").strip()
    if not reason:
        raise UserError("申请解锁要写明原因，例如“补录3月新生儿”。")
    lock = month_lock(session, region.code, month)
    if lock is None:
        raise UserError(f"{region.name} {month} 月报没有锁定，不需要解锁。")
    lock.locked = False
    lock.unlock_reason = reason
    lock.unlocked_by = user
    lock.unlocked_at = dt.datetime.now().replace(microsecond=0)
    session.flush()


def ensure_month_open(session: Session, month: str, household_region_code: str | None = None) -> None:
    """Refuse (``UserError``) a change dated into ``month`` when that month is locked for the
    household's region (any lock of the month when the region is not given). The message
    names the first open month after it."""
    month = F.check_month(month)
    locks = session.execute(
        select(ReportLock.region_code, ReportLock.period)
        .where(ReportLock.locked.is_(True), ReportLock.period >= month)
    ).all()
    if not locks:
        return

    def covers(code: str) -> bool:
        return household_region_code is None or household_region_code.startswith(code_prefix(code))

    locked = {period for code, period in locks if covers(code)}
    if month not in locked:
        return
    first_open = month
    while first_open in locked:
        first_open = F.add_months(first_open, 1)
    codes = sorted({code for code, period in locks if period == month and covers(code)})
    name = session.scalar(select(Region.name).where(Region.code == codes[0])) or codes[0]
    raise UserError(
        f"{name} {month} 月报已上报锁定，不能再登记报告月份为 {month} 的变动；"
        f"请把报告月份改为 {first_open}（第一个未锁定的月份），或先申请解锁 {month}。"
    )
