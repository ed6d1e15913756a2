"""Users and the audit log every write goes into (see fupin_desktop.audit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import USER_NAME_LENGTH, Base, Code


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USER_NAME_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[Code] = mapped_column(default="clerk")  # clerk / reviewer / admin (services.trust)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Region codes the user may write under (a township covers its villages); None/[]: all.
    regions: Mapped[list[Any] | None]
    last_login_at: Mapped[dt.datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_table_key", "table_name", "row_key"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[dt.datetime]
    user: Mapped[str] = mapped_column(String(USER_NAME_LENGTH))
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


class ImportBatch(Base):
    """One import of a spreadsheet: the file, the sheet, who and when, and the header texts
    its :class:`SourceRow` cells are listed by."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # households / projects / assets
    file_name: Mapped[str] = mapped_column(String(255))
    sheet_name: Mapped[str | None] = mapped_column(String(100))
    # Header text of each cell position of the batch's source rows (None: no header).
    headers: Mapped[list[Any]]
    # Fields (rules.validation attribute names) the file had no column for: blanks in them
    # of the records it created are 待补充, not errors (services.household_import).
    absent_fields: Mapped[list[Any] | None]
    imported_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    imported_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))


class SourceRow(Base):
    """A spreadsheet row as it came in, kept for audit and re-mapping. Households and
    members point at the row they were read from (a household and its 户主 share one).

    ``cells`` lists the row's cells as the spreadsheet reader gave them, in the order of
    its batch's ``headers`` (text as it stands, blank cells "" or null, numbers as numbers,
    dates as ISO text). Rows kept before batches existed hold a header → value object
    instead, and no batch. Kept apart from the registry tables so that their scans and
    index builds do not wade through the text of every imported row."""

    __tablename__ = "source_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    row_no: Mapped[int | None]  # the row's number in the sheet (1 = its first row)
    cells: Mapped[list[Any] | dict[str, Any]] = mapped_column(JSON())

    batch: Mapped[ImportBatch | None] = relationship()

    def as_dict(self) -> dict[str, Any]:
        """Header text → value, blank cells left out (a repeated header: its first cell)."""
        if isinstance(self.cells, dict):
            return dict(self.cells)
        headers = self.batch.headers if self.batch is not None else []
        out: dict[str, Any] = {}
        for n, value in enumerate(self.cells):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            name = headers[n] if n < len(headers) and headers[n] else f"第{n + 1}列"
            out.setdefault(name, value)
        return out
