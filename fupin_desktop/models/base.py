"""Declarative base, shared column types and conventions for every model.

Conventions (ARCHITECTURE.md "Data"):
- money is ``Decimal`` in 元, stored as ``Numeric(14, 2)``;
- dates are ``date``; months are ``"YYYY-MM"`` strings (``Month`` below) everywhere;
- coded values are stored as the code string of a list in ``resources/codes``;
- every table has a local surrogate integer key, national numbers are indexed text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import JSON, Date, DateTime, MetaData, Numeric, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Width of every column holding a user or login name (users.username, audit_log.user and the
# *_by columns); audit.user_name() cuts longer names to it.
USER_NAME_LENGTH = 100

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Annotated[Decimal, 14]
Area = Annotated[Decimal, 10]
Code = Annotated[str, "code"]
Month = Annotated[str, "month"]
Text = Annotated[str, "text"]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Money: Numeric(14, 2, asdecimal=True),
        Area: Numeric(10, 2, asdecimal=True),
        Code: String(16),
        Month: String(7),
        Text: String(500),
        str: String(100),
        dt.date: Date(),
        dt.datetime: DateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(), server_default=func.current_timestamp(), nullable=False
    )
    updated_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(), onupdate=func.current_timestamp()
    )
