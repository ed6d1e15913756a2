"""Who may do what: ``require(session, permission, region_code)``.

The signed-in user travels with each session (``session.info["principal"]``, set by
db.Database.session). Without one — a single-PC database with login switched off, or a
database that has no users yet — everything is allowed, as before users existed.

Household data is guarded at its one choke point, the session flush (``install``): every
row of the household tables written through a session is checked against the writer's
regions, whichever service wrote it. Writes that bypass the session (the import's bulk
path) call ``require`` themselves, as do the actions that are not household rows
(上报, 解锁, 项目流转, 恢复).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    AppSetting,
    AssistanceMeasure,
    ChangeEvent,
    GuaranteeCheck,
    HandbookEntry,
    HelperAssignment,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Region,
    RegionChange,
    User,
)
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services.trust.users import (
    ROLE_ADMIN,
    ROLE_CLERK,
    ROLE_LABELS,
    ROLE_REVIEWER,
    SETTING_LOGIN,
    Principal,
)

HOUSEHOLD_EDIT = "household.edit"   # 农户、成员、手册
PROJECT_TRANSITION = "project.transition"
REPORT_SUBMIT = "report.submit"
REPORT_UNLOCK = "report.unlock"
USERS_MANAGE = "users.manage"
REGIONS_EDIT = "regions.edit"
RESTORE = "backup.restore"

PERMISSION_LABELS = {
    HOUSEHOLD_EDIT: "修改农户和手册",
    PROJECT_TRANSITION: "审批项目流转",
    REPORT_SUBMIT: "上报月报",
    REPORT_UNLOCK: "解锁月报",
    USERS_MANAGE: "管理用户",
    REGIONS_EDIT: "修改区划",
    RESTORE: "从备份恢复",
}

ROLE_PERMISSIONS = {
    ROLE_CLERK: frozenset({HOUSEHOLD_EDIT}),
    ROLE_REVIEWER: frozenset({HOUSEHOLD_EDIT, PROJECT_TRANSITION, REPORT_SUBMIT, REPORT_UNLOCK}),
    ROLE_ADMIN: frozenset(PERMISSION_LABELS),
}

# Permissions whose region matters (the others are county-wide by nature).
_REGIONAL = {HOUSEHOLD_EDIT, REPORT_SUBMIT, REPORT_UNLOCK}


class PermissionDenied(UserError):
    """The signed-in user may not do this (a UserError: one Chinese line, exit 2)."""


def principal(session: Session) -> Principal | None:
    value = session.info.get("principal")
    return value if isinstance(value, Principal) else None


def covers(regions: tuple[str, ...], region_code: str | None) -> bool:
    """Whether a user limited to ``regions`` (empty: all) may write under ``region_code``."""
    if not regions:
        return True
    if not region_code:
        return False
    for code in regions:
        try:
            prefix = code_prefix(code)
        except ValueError:
            prefix = code
        if region_code.startswith(prefix):
            return True
    return False


def allows(who: Principal | None, permission: str, region_code: str | None = None) -> bool:
    if who is None:
        return True
    if permission not in ROLE_PERMISSIONS.get(who.role, frozenset()):
        return False
    return permission not in _REGIONAL or covers(who.regions, region_code)


def require(session: Session, permission: str, region_code: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless the session's user may do ``permission`` (under
    ``region_code`` for the regional ones)."""
    who = principal(session)
    if allows(who, permission, region_code):
        return
    assert who is not None
    what = PERMISSION_LABELS.get(permission, permission)
    if permission in ROLE_PERMISSIONS.get(who.role, frozenset()):
        place = _region_name(session, region_code) or "全县"
        raise PermissionDenied(f"用户“{who.username}”只能修改自己负责区划的数据，不能{what}（{place}）。")
    allowed = [ROLE_LABELS[r] for r, perms in ROLE_PERMISSIONS.items() if permission in perms]
    raise PermissionDenied(
        f"用户“{who.username}”是{who.role_label}，不能{what}。这需要{'或'.join(allowed)}登录。")


def _region_name(session: Session, code: str | None) -> str | None:
    if not code:
        return None
    name = session.scalar(select(Region.name).where(Region.code == code))
    return f"{name} {code}" if name else code


# -- the flush guard -------------------------------------------------------------------------
_BY_HOUSEHOLD = (Member, HouseholdYear, ChangeEvent, MonitoringCase, AssistanceMeasure, GuaranteeCheck,
                 HandbookEntry, HelperAssignment)


def _household_region(session: Session, obj: Any, cache: dict[int, str | None]) -> str | None:
    if isinstance(obj, Household):
        return obj.region_code
    parent = obj.__dict__.get("household")  # a new row attached through the relationship
    if isinstance(parent, Household):
        return parent.region_code
    hid = getattr(obj, "household_id", None)
    if hid is None:
        return None
    if hid not in cache:
        with session.no_autoflush:
            cache[hid] = session.scalar(select(Household.region_code).where(Household.id == hid))
    return cache[hid]


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    who = principal(session)
    if who is None:
        return
    regions: dict[int, str | None] = {}  # household id → region, read once per flush
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Household) or isinstance(obj, _BY_HOUSEHOLD):
            require(session, HOUSEHOLD_EDIT, _household_region(session, obj, regions))
            if isinstance(obj, Household) and obj in session.dirty:
                # Moving a household out of one's regions is a write under the old region too.
                from sqlalchemy.orm import attributes

                old = attributes.get_history(obj, "region_code").deleted
                if old:
                    require(session, HOUSEHOLD_EDIT, old[0])
        elif isinstance(obj, (Region, RegionChange)):
            require(session, REGIONS_EDIT)
        elif isinstance(obj, User):
            if obj in session.dirty and obj.username == who.username and _only_own_login(obj):
                continue  # signing in records last_login_at; a password change of one's own
            require(session, USERS_MANAGE)
        elif isinstance(obj, AppSetting) and obj.key == SETTING_LOGIN:
            require(session, USERS_MANAGE)


def _only_own_login(user: User) -> bool:
    from sqlalchemy.orm import attributes

    changed = {key for key in ("role", "regions", "active", "username", "display_name")
               if attributes.get_history(user, key).has_changes()}
    return not changed


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
