"""Imported rows kept apart from the registry; single-column indexes a wider one covers dropped

Revision ID: 0004_source_rows
Revises: 0003_measures_and_sort_keys

- ``import_batches`` (one per imported file: file, sheet, who, when, header texts) and
  ``source_rows`` (a row's cells in the order of its batch's headers). ``households`` and
  ``members`` point at theirs with ``source_row_id`` instead of holding a ``source_row``
  copy: that text was most of the bytes of both tables, so every scan and index build read
  it, and a household repeated its 户主's row. Rows already kept move to ``source_rows`` in
  their header → value form (no batch), then the old columns are dropped.
- Dropped: ``ix_members_name``, ``_name_initials``, ``_id18``, ``_id_tail``, ``_phone`` and
  ``ix_households_status``. Each is the leading column of another index
  (``ix_members_*_search`` with the household id; the ``ix_households_status_*`` ones),
  which serves every query the narrow one served, on PostgreSQL too (``text_pattern_ops``
  serves equality). An import or the demo load then builds five fewer member indexes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_source_rows"
down_revision = "0003_measures_and_sort_keys"
branch_labels = None
depends_on = None

_BATCH = 2000
_OWNERS = ("households", "members")
# (index, table, columns): what downgrade() creates again.
_DROPPED_INDEXES = (
    ("ix_members_name", "members", ["name"]),
    ("ix_members_name_initials", "members", ["name_initials"]),
    ("ix_members_id18", "members", ["id18"]),
    ("ix_members_id_tail", "members", ["id_tail"]),
    ("ix_members_phone", "members", ["phone"]),
    ("ix_households_status", "households", ["status"]),
)

_source_rows = sa.table(
    "source_rows",
    sa.column("id", sa.Integer),
    sa.column("batch_id", sa.Integer),
    sa.column("row_no", sa.Integer),
    sa.column("cells", sa.JSON),
)


def _owner(name: str, column: str) -> sa.TableClause:
    return sa.table(name, sa.column("id", sa.Integer), sa.column(column, sa.JSON if column == "source_row"
                                                                   else sa.Integer))


def _add_link(table: str) -> None:
    fk = f"fk_{table}_source_row_id_source_rows"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with an inline (named) reference; no table rebuild.
        op.execute(f"ALTER TABLE {table} ADD COLUMN source_row_id INTEGER "
                   f"CONSTRAINT {fk} REFERENCES source_rows (id)")
    else:
        op.add_column(table, sa.Column("source_row_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, table, "source_rows", ["source_row_id"], ["id"])


def _drop_column(table: str, column: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # SQLite ≥ 3.35
    else:
        op.drop_column(table, column)


def _move_rows_out(table: str) -> None:
    """Each kept ``source_row`` becomes a ``source_rows`` row (header → value form, its
    ``_row`` as ``row_no``) that the owner then points at."""
    conn = op.get_bind()
    old = _owner(table, "source_row")
    link = sa.table(table, sa.column("id", sa.Integer), sa.column("source_row_id", sa.Integer))
    ids = conn.execute(sa.select(old.c.id).where(old.c.source_row.is_not(None)).order_by(old.c.id)).scalars().all()
    insert = sa.insert(_source_rows).returning(_source_rows.c.id, sort_by_parameter_order=True)
    point = sa.update(link).where(link.c.id == sa.bindparam("owner")).values(source_row_id=sa.bindparam("row"))
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        rows = conn.execute(sa.select(old.c.id, old.c.source_row).where(old.c.id.in_(chunk)).order_by(old.c.id)).all()
        params = []
        for _owner_id, data in rows:
            cells = dict(data) if isinstance(data, dict) else {"值": data}
            row_no = cells.pop("_row", None)
            params.append({"batch_id": None, "row_no": row_no if isinstance(row_no, int) else None,
                           "cells": cells})
        new_ids = conn.execute(insert, params).scalars().all()
        conn.execute(point, [{"owner": owner_id, "row": new_id}
                             for (owner_id, _data), new_id in zip(rows, new_ids, strict=True)])


def upgrade() -> None:
    for name, table, _columns in _DROPPED_INDEXES:
        op.drop_index(name, table_name=table)
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sheet_name", sa.String(length=100), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_table(
        "source_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("row_no", sa.Integer(), nullable=True),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"],
                                name=op.f("fk_source_rows_batch_id_import_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_rows")),
    )
    for table in _OWNERS:
        _add_link(table)
        _move_rows_out(table)
        _drop_column(table, "source_row")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        # SQLite cannot drop the referencing source_row_id in place, and rebuilding the
        # table would cascade (dropping the old households table deletes their members).
        # The program backs a SQLite file up before every upgrade: that copy is the way back.
        raise NotImplementedError(
            "SQLite 数据库不能回退到 0003：请使用升级前自动备份的数据库文件（备份文件夹中 *-before-upgrade-0003_* 文件）。"
        )
    batches = {bid: headers for bid, headers in conn.execute(sa.text("SELECT id, headers FROM import_batches"))}
    for table in _OWNERS:
        op.add_column(table, sa.Column("source_row", sa.JSON(), nullable=True))
        old = _owner(table, "source_row")
        link = sa.table(table, sa.column("id", sa.Integer), sa.column("source_row_id", sa.Integer))
        rows = conn.execute(
            sa.select(link.c.id, _source_rows.c.batch_id, _source_rows.c.row_no, _source_rows.c.cells)
            .join(_source_rows, _source_rows.c.id == link.c.source_row_id)
        ).all()
        back = []
        for owner_id, batch_id, row_no, cells in rows:
            if isinstance(cells, dict):
                data = {"_row": row_no, **cells}
            else:
                headers = batches.get(batch_id)
                headers = headers if isinstance(headers, list) else []
                data = {"_row": row_no}
                for n, value in enumerate(cells):
                    if value is not None:
                        data.setdefault(headers[n] if n < len(headers) and headers[n] else f"col{n + 1}", value)
            back.append({"owner": owner_id, "data": data})
        update = sa.update(old).where(old.c.id == sa.bindparam("owner")).values(source_row=sa.bindparam("data"))
        for start in range(0, len(back), _BATCH):
            conn.execute(update, back[start:start + _BATCH])
        op.drop_constraint(f"fk_{table}_source_row_id_source_rows", table, type_="foreignkey")
        op.drop_column(table, "source_row_id")
    op.drop_table("source_rows")
    op.drop_table("import_batches")
    for name, table, columns in _DROPPED_INDEXES:
        op.create_index(name, table, columns, unique=False)
