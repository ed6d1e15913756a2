"""Migration 0004: rows kept in ``source_row`` move to ``source_rows`` (and back, where the
database can go back), nothing else of the registry changes, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from factories import add_regions, make_id
from fupin_desktop import db as dbmod
from fupin_desktop.models import Household, Member, SourceRow

BEFORE = "0003_measures_and_sort_keys"
HEAD_ID = make_id(dt.date(1960, 1, 2), 11)
HEAD_ROW = {"_row": 4, "户编号": "H1", "姓名": "张三", "证件号码": HEAD_ID}


def _alembic(engine, action: str, target: str) -> None:
    cfg = dbmod._alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, target)
    engine.dispose()


def _index_names(engine, table: str) -> set[str]:
    return {ix["name"] for ix in inspect(engine).get_indexes(table)}


def _fill_before(engine) -> None:
    """A household and two members as 0003 kept them: the sheet row in ``source_row``."""
    assert "ix_members_name" in _index_names(engine, "members")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO households (id, household_no, region_code, member_count, status, version, record_valid, "
            "code_list_era, source_row) VALUES (1, 'H1', '522326100201', 2, '01', 1, :t, '2021', :src)"
        ), {"t": True, "src": json.dumps({"_row": 4, "户编号": "H1", "姓名": "张三"}, ensure_ascii=False)})
        for mid, name, relation, id_number, src in ((1, "张三", "01", HEAD_ID, HEAD_ROW),
                                                     (2, "张小", "03", None, None)):
            conn.execute(text(
                "INSERT INTO members (id, household_id, seq, name, relation, id_number, id18, status, source_row) "
                "VALUES (:id, 1, :id, :name, :rel, :idn, :idn, '01', :src)"
            ), {"id": mid, "name": name, "rel": relation, "idn": id_number,
                "src": json.dumps(src, ensure_ascii=False) if src else None})


def _check_moved(db) -> None:
    with db.session() as s:
        hh = s.get(Household, 1)
        head, child = s.get(Member, 1), s.get(Member, 2)
        assert hh.source.row_no == 4 and hh.source.batch is None
        assert hh.source.as_dict() == {"户编号": "H1", "姓名": "张三"}
        assert head.source.as_dict() == {k: v for k, v in HEAD_ROW.items() if k != "_row"}
        assert child.source is None
        assert s.scalar(select(SourceRow.id).where(SourceRow.id == head.source_row_id)) is not None
    columns = {c["name"] for c in inspect(db.engine).get_columns("members")}
    assert "source_row" not in columns and "source_row_id" in columns
    names = _index_names(db.engine, "members")
    assert "ix_members_name" not in names and {"ix_members_name_search", "uq_members_current_id18"} <= names
    assert "ix_households_status" not in _index_names(db.engine, "households")


def test_sqlite_file_of_0003_is_backed_up_and_upgraded(tmp_path, _isolated_user_folders):
    """What a clerk's database goes through: opened by the new program, backed up, upgraded."""
    path = tmp_path / "old.sqlite3"
    engine = dbmod.make_engine(f"sqlite:///{path}")
    _alembic(engine, "upgrade", BEFORE)
    with Session(engine) as s:
        add_regions(s)
        s.commit()
    _fill_before(engine)
    db = dbmod.open_database(path)
    try:
        _check_moved(db)
        with pytest.raises(NotImplementedError, match="备份"):
            _alembic(db.engine, "downgrade", BEFORE)
        _check_moved(db)  # the refused downgrade changed nothing
    finally:
        db.dispose()
    from fupin_desktop.services.trust import list_backups

    assert [b.reason for b in list_backups(db.url)] == ["upgrade"]


def test_postgresql_moves_rows_out_and_back(pg_db):
    db = pg_db
    with db.session() as s:
        add_regions(s)
    _alembic(db.engine, "downgrade", BEFORE)
    _fill_before(db.engine)
    _alembic(db.engine, "upgrade", "head")
    _check_moved(db)
    _alembic(db.engine, "downgrade", BEFORE)
    with db.engine.connect() as conn:
        kept = dict(conn.execute(text("SELECT id, source_row FROM members ORDER BY id")).all())
    assert kept == {1: HEAD_ROW, 2: None}
    assert {"uq_members_current_id18", "uq_members_one_head", "ix_members_name"} <= _index_names(db.engine, "members")
    _alembic(db.engine, "upgrade", "head")
    assert dbmod.current_revision(db.engine) == dbmod.head_revision(db.engine)
