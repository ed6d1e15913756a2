"""A short live summary per business area, for the main window's pages and status bar.

Plain counts and sums only: every function here is a handful of indexed aggregate queries,
fast enough to run on the GUI thread when a page is shown. Nothing here knows about Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import distinct, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fupin_desktop import audit
from fupin_desktop.db import Database, current_revision
from fupin_desktop.models import (
    Asset,
    AuditLog,
    HandbookEntry,
    Helper,
    Household,
    ImportProfile,
    Project,
    Region,
    ReportSnapshot,
)
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
from fupin_desktop.models.region import LEVEL_VILLAGE

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RegistryCounts:
    """户籍管理: households and people currently on the register."""

    villages: int
    households: int  # status 正常
    members: int  # 在户 members of those households
    monitored_households: int  # households with a 监测对象 category


@dataclass(frozen=True)
class HandbookCounts:
    """扶贫手册: entries written, households that have any, and helpers (帮扶责任人)."""

    entries: int
    households_with_entries: int
    helpers: int


@dataclass(frozen=True)
class ProjectCounts:
    """项目库: projects and their planned funds (元)."""

    projects: int
    total_funds: Decimal
    latest_year: int | None


@dataclass(frozen=True)
class AssetCounts:
    """资产台账: assets and their original value (元)."""

    assets: int
    original_value: Decimal


@dataclass(frozen=True)
class ReportCounts:
    """月度报表: saved report snapshots and the latest period."""

    snapshots: int
    latest_period: str | None


@dataclass(frozen=True)
class ExchangeCounts:
    """导入导出: remembered column mappings and audit-log rows."""

    import_profiles: int
    audit_entries: int


@dataclass(frozen=True)
class Overview:
    registry: RegistryCounts
    handbook: HandbookCounts
    projects: ProjectCounts
    assets: AssetCounts
    reports: ReportCounts
    exchange: ExchangeCounts


@dataclass(frozen=True)
class DatabaseInfo:
    """What the status bar shows about the open database.

    ``place`` is what a clerk recognises: the file's path, or the server and database name.
    ``user`` is the logged-in person, None while nobody is logged in (there is no login yet,
    and the operating-system account is not a person the clerk knows).
    """

    display_name: str
    place: str
    user: str | None
    schema_version: str | None


def _count(session: Session, stmt) -> int:
    return int(session.scalar(stmt) or 0)


def register_counts_by_place(session: Session) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(households, people) on the register per (village code, 组): the one definition of
    户数 and 人数 that the pages, the region tree, the demo summary and the reports show.

    Households: status 正常. People: their 家庭人口数 (``member_count``, kept equal to the
    在户 members by every write, and what the month-end report starts from).
    """
    rows = session.execute(
        select(
            Household.region_code,
            Household.group_name,
            func.count(Household.id),
            func.coalesce(func.sum(Household.member_count), 0),
        )
        .where(Household.status == HOUSEHOLD_ACTIVE)
        .group_by(Household.region_code, Household.group_name)
    ).all()
    return {(code, group): (int(n), int(people)) for code, group, n, people in rows}


def registry_counts(session: Session) -> RegistryCounts:
    """Counts for 户籍管理. Never raises for an empty database (all zeros)."""
    active = Household.status == HOUSEHOLD_ACTIVE
    places = register_counts_by_place(session).values()
    return RegistryCounts(
        villages=_count(
            session, select(func.count(Region.id)).where(Region.level == LEVEL_VILLAGE)
        ),
        households=sum(n for n, _ in places),
        members=sum(people for _, people in places),
        monitored_households=_count(
            session,
            select(func.count(Household.id)).where(
                active, Household.monitoring_category.is_not(None)
            ),
        ),
    )


def handbook_counts(session: Session) -> HandbookCounts:
    """Counts for 扶贫手册."""
    return HandbookCounts(
        entries=_count(session, select(func.count(HandbookEntry.id))),
        households_with_entries=_count(
            session, select(func.count(distinct(HandbookEntry.household_id)))
        ),
        helpers=_count(session, select(func.count(Helper.id))),
    )


def project_counts(session: Session) -> ProjectCounts:
    """Counts for 项目库; ``total_funds`` is 0.00 when no project has funds."""
    count, funds, year = session.execute(
        select(func.count(Project.id), func.sum(Project.total_funds), func.max(Project.year))
    ).one()
    return ProjectCounts(
        projects=int(count or 0),
        total_funds=Decimal(funds).quantize(ZERO) if funds is not None else ZERO,
        latest_year=year,
    )


def asset_counts(session: Session) -> AssetCounts:
    """Counts for 资产台账."""
    count, value = session.execute(
        select(func.count(Asset.id), func.sum(Asset.original_value))
    ).one()
    return AssetCounts(
        assets=int(count or 0),
        original_value=Decimal(value).quantize(ZERO) if value is not None else ZERO,
    )


def report_counts(session: Session) -> ReportCounts:
    """Counts for 月度报表."""
    count, latest = session.execute(
        select(func.count(ReportSnapshot.id), func.max(ReportSnapshot.period))
    ).one()
    return ReportCounts(snapshots=int(count or 0), latest_period=latest)


def exchange_counts(session: Session) -> ExchangeCounts:
    """Counts for 导入导出."""
    return ExchangeCounts(
        import_profiles=_count(session, select(func.count(ImportProfile.id))),
        audit_entries=_count(session, select(func.count(AuditLog.id))),
    )


def overview(session: Session) -> Overview:
    """Every area's counts in one go (six small aggregate queries per area at most)."""
    return Overview(
        registry=registry_counts(session),
        handbook=handbook_counts(session),
        projects=project_counts(session),
        assets=asset_counts(session),
        reports=report_counts(session),
        exchange=exchange_counts(session),
    )


def current_user_name(db: Database) -> str:
    """The name writes are recorded under: the database's user, else the login name."""
    if db.user:
        return audit.user_name(db.user)
    return audit.user_name(audit.os_login_name())


def database_place(db: Database) -> str:
    """Where the data is, in words for the status bar: a file path, or a server's database."""
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite":
        return url.database if url.database and url.database != ":memory:" else "内存数据库（不保存）"
    server = url.host or "本机"
    return f"服务器 {server} 上的数据库 {url.database or ''}".rstrip()


def database_info(db: Database) -> DatabaseInfo:
    """Display name, user and Alembic schema revision (None for an unversioned database)."""
    return DatabaseInfo(
        display_name=db.display_name(),
        place=database_place(db),
        user=db.user or None,
        schema_version=current_revision(db.engine),
    )
