"""Users and the audit log every write goes into (see fupin_desktop.audit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fupin_desktop.models.base import Base, Code


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[Code] = mapped_column(default="02")  # user_role: 管理员 / 专干 / 只读
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_table_key", "table_name", "row_key"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[dt.datetime]
    user: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(10))  # insert / update / delete / bulk
    table_name: Mapped[str] = mapped_column(String(60))
    row_key: Mapped[str | None] = mapped_column(String(60))
    old_values: Mapped[dict[str, Any] | None]
    new_values: Mapped[dict[str, Any] | None]
    note: Mapped[str | None] = mapped_column(String(200))


class AppSetting(Base):
    """Small key/value settings kept in the database (shared by every clerk)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any] | None]


class ImportProfile(Base):
    """A column mapping a clerk made once, remembered for files with the same headers."""

    __tablename__ = "import_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # households / projects / assets
    header_signature: Mapped[str] = mapped_column(String(64), unique=True)
    headers: Mapped[list[Any]]
    mapping: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    last_used_at: Mapped[dt.datetime | None]
