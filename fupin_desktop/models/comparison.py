"""比对 lists: other departments' lists of people by ID number, and the clerk's marks on hits.

A list is identified by its kind (财政供养人员, 死亡人员 …) and source (the file name): the
next import of the same kind and source replaces its rows and bumps ``version``. Marks
(已核实 + note) are keyed by kind and 18-character ID, so they outlive any one import.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import USER_NAME_LENGTH, Base, Text


class ComparisonList(Base):
    __tablename__ = "comparison_lists"
    __table_args__ = (UniqueConstraint("kind", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # services.checks.compare.LIST_KINDS key
    source: Mapped[str] = mapped_column(String(260))  # file name the list came from
    version: Mapped[int] = mapped_column(default=1)
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str] = mapped_column(String(USER_NAME_LENGTH))
    sheet: Mapped[str | None] = mapped_column(String(100))
    headers: Mapped[list[Any] | None]
    rows_read: Mapped[int] = mapped_column(default=0)
    ids_valid: Mapped[int] = mapped_column(default=0)

    rows: Mapped[list[ComparisonRow]] = relationship(
        back_populates="list", cascade="all, delete-orphan", passive_deletes=True
    )


class ComparisonRow(Base):
    """One person of a list: the ID as the list gives it, its valid 18-char form when it has
    one (``id18``; ``problem`` says why not), the name when the list has a name column and
    the other columns (header → value)."""

    __tablename__ = "comparison_rows"
    __table_args__ = (
        Index("ix_comparison_rows_list_id18", "list_id", "id18"),
        Index("ix_comparison_rows_id18", "id18"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("comparison_lists.id", ondelete="CASCADE"))
    row_no: Mapped[int]  # Excel row number in the source file
    id_number: Mapped[str | None] = mapped_column(String(40))
    id18: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str | None] = mapped_column(String(40))
    problem: Mapped[Text | None]
    values: Mapped[dict[str, Any] | None]

    list: Mapped[ComparisonList] = relationship(back_populates="rows")


class ComparisonMark(Base):
    """A hit the clerk has checked (已核实) with a note; keyed by list kind + ID."""

    __tablename__ = "comparison_marks"
    __table_args__ = (UniqueConstraint("kind", "id18"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    id18: Mapped[str] = mapped_column(String(18))
    note: Mapped[Text]
    marked_by: Mapped[str] = mapped_column(String(USER_NAME_LENGTH))
    marked_at: Mapped[dt.datetime]
