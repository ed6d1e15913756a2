"""Users, roles and sign-in.

Passwords are hashed with scrypt from the standard library (``hashlib.scrypt``): memory-hard
like argon2, and no native package to build or bundle for the Windows installer. A hash is
stored as ``scrypt$N$r$p$salt$key`` (base64), so the cost can be raised later and old
hashes still verify.

Login is needed on a shared (PostgreSQL) database once it has users; on a single-PC SQLite
database it is off unless the administrator switches it on (``set_login_required``).
Before any user exists nobody can sign in: the first user made is the administrator.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import AppSetting, Region, User
from fupin_desktop.models.base import USER_NAME_LENGTH

ROLE_CLERK = "clerk"
ROLE_REVIEWER = "reviewer"
ROLE_ADMIN = "admin"
ROLE_LABELS = {ROLE_CLERK: "录入员", ROLE_REVIEWER: "审核员", ROLE_ADMIN: "管理员"}

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 6
SETTING_LOGIN = "login_required"


def role_code(value: str) -> str:
    """``value`` as a role code: 录入员/审核员/管理员 or clerk/reviewer/admin."""
    text = (value or "").strip()
    if text in ROLE_LABELS:
        return text
    for code, label in ROLE_LABELS.items():
        if text == label:
            return code
    raise UserError(f"没有角色“{value}”，可选：录入员、审核员、管理员。")


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
                         dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    try:
        kind, n, r, p, salt, key = (stored or "").split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want), maxmem=2**27)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@dataclass(frozen=True)
class Principal:
    """The signed-in user: what services.trust.require checks against."""

    username: str
    display_name: str
    role: str
    regions: tuple[str, ...] = field(default=())

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    role: str
    role_label: str
    regions: tuple[str, ...]
    region_names: str
    active: bool
    last_login_at: dt.datetime | None


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 位。")


def _clean_regions(session: Session, regions: Iterable[str] | None) -> list[str]:
    codes: list[str] = []
    known = None
    for raw in regions or ():
        code = str(raw).strip()
        if not code:
            continue
        if known is None:
            known = {c: n for c, n in session.execute(select(Region.code, Region.name))}
        if code not in known:
            by_name = [c for c, n in known.items() if n == code]
            if len(by_name) != 1:
                raise UserError(f"区划“{code}”不在本系统中，请先在“区划设置”中添加，或填写12位区划代码。")
            code = by_name[0]
        codes.append(code)
    return codes


def _clean_name(username: str) -> str:
    name = (username or "").strip()
    if not name:
        raise UserError("用户名不能为空。")
    if len(name) > USER_NAME_LENGTH:
        raise UserError(f"用户名最多 {USER_NAME_LENGTH} 个字符。")
    return name


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def add_user(session: Session, username: str, password: str, *, role: str = ROLE_CLERK,
             display_name: str | None = None, regions: Sequence[str] | None = None) -> User:
    """A new user. The first user of a database is always the administrator."""
    name = _clean_name(username)
    _check_password(password)
    if session.scalar(select(User).where(User.username == name)) is not None:
        raise UserError(f"用户“{name}”已存在。")
    first = not has_users(session)
    user = User(username=name, display_name=(display_name or name).strip()[:40],
                role=ROLE_ADMIN if first else role_code(role), active=True,
                password_hash=hash_password(password), regions=_clean_regions(session, regions) or None)
    session.add(user)
    session.flush()
    return user


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise UserError(f"没有用户“{username}”。用 fupin users list 查看已有用户。")
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == ROLE_ADMIN, User.active.is_(True), User.id != user.id)) or 0


def update_user(session: Session, username: str, *, role: str | None = None,
                display_name: str | None = None, regions: Sequence[str] | None = None,
                active: bool | None = None) -> User:
    user = _user(session, username)
    demoting = (role is not None and role_code(role) != ROLE_ADMIN) or active is False
    if user.role == ROLE_ADMIN and demoting and not _other_active_admins(session, user):
        raise UserError("这是唯一的管理员，不能停用或改为其他角色。请先设置另一位管理员。")
    if role is not None:
        user.role = role_code(role)
    if display_name is not None:
        user.display_name = display_name.strip()[:40] or user.username
    if regions is not None:
        user.regions = _clean_regions(session, regions) or None
    if active is not None:
        user.active = active
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> None:
    _check_password(password)
    _user(session, username).password_hash = hash_password(password)
    session.flush()


def disable_user(session: Session, username: str) -> None:
    update_user(session, username, active=False)


def list_users(session: Session) -> list[UserRow]:
    names = {c: n for c, n in session.execute(select(Region.code, Region.name))}
    rows = []
    for u in session.scalars(select(User).order_by(User.id)):
        regions = tuple(u.regions or ())
        rows.append(UserRow(u.username, u.display_name, u.role, ROLE_LABELS.get(u.role, u.role), regions,
                            "、".join(names.get(c, c) for c in regions) or "全部", u.active, u.last_login_at))
    return rows


def principal_of(user: User) -> Principal:
    return Principal(user.username, user.display_name, user.role, tuple(user.regions or ()))


def authenticate(session: Session, username: str, password: str) -> Principal:
    """The user's principal when the password is right, else ``UserError`` (one message for
    a wrong name and a wrong password, so names cannot be guessed)."""
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not verify_password(password or "", user.password_hash):
        raise UserError("用户名或密码不对，请重新输入。")
    if not user.active:
        raise UserError(f"用户“{user.username}”已停用，请联系管理员。")
    # The sign-in itself is logged under the user signing in.
    session.info["user"], session.info["audit_note"] = user.username, "登录"
    user.last_login_at = dt.datetime.now().replace(microsecond=0)
    session.flush()
    return principal_of(user)


def login_required(session: Session) -> bool:
    """Whether opening this database needs a sign-in: when it has users and either it is
    shared (PostgreSQL: always) or the administrator switched login on (SQLite)."""
    if not has_users(session):
        return False
    if session.get_bind().dialect.name != "sqlite":
        return True
    setting = session.get(AppSetting, SETTING_LOGIN)
    return bool(setting and isinstance(setting.value, dict) and setting.value.get("on"))


def set_login_required(session: Session, on: bool) -> None:
    """Switch login on or off for a SQLite database (管理员). A shared database always asks."""
    from fupin_desktop.services.trust.permissions import USERS_MANAGE, require

    require(session, USERS_MANAGE)
    if not on and session.get_bind().dialect.name != "sqlite":
        raise UserError("多人共用的数据库（PostgreSQL）必须登录，不能关闭。")
    setting = session.get(AppSetting, SETTING_LOGIN)
    if setting is None:
        session.add(AppSetting(key=SETTING_LOGIN, value={"on": bool(on)}))
    else:
        setting.value = {"on": bool(on)}
    session.flush()


def as_principal(value: Any) -> Principal | None:
    return value if isinstance(value, Principal) else None
