"""Imports that fail cleanly: formulas saved without a result, a second import racing the
first, long login names, --strict, a closed pipe, a database another process is writing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from fupin_desktop.cli import main
from fupin_desktop.models import Household, ImportBatch, Member
from fupin_desktop.services import household_import as hi
from tests.unit.services.test_household_import import REF, base_people, members, write_xlsx


@pytest.fixture
def regions(db):
    from tests.factories import add_regions

    with db.session() as s:
        add_regions(s)
    return db


def _phone(db, no="5223261002010001"):
    with db.session() as s:
        return s.execute(select(Household.phone).where(Household.household_no == no)).scalar_one()


# -- 4. a formula without a cached result never blanks stored data ----------------------------

def test_an_uncomputed_formula_is_a_row_error_not_a_blank(regions, tmp_path):
    db = regions
    hi.import_households(db, write_xlsx(tmp_path / "a.xlsx", base_people()), ref_date=REF)
    assert _phone(db) == "13800001111"
    people = base_people()
    for p in people[:3]:
        p["户联系电话"] = '=CONCAT("138","0000","2222")'  # openpyxl saves it without a result
    result = hi.import_households(db, write_xlsx(tmp_path / "b.xlsx", people), ref_date=REF)
    messages = {(e.excel_row, e.message) for e in result.errors}
    assert (4, "公式没有计算结果，请在 Excel 中打开并保存后再导入") in messages
    assert _phone(db) == "13800001111"


# -- 7. the second of two imports creating the same households --------------------------------

def test_a_second_import_racing_the_first_gets_a_clean_message(regions, tmp_path, monkeypatch, capsys):
    db = regions
    path = write_xlsx(tmp_path / "a.xlsx", base_people())
    other = write_xlsx(tmp_path / "b.xlsx", base_people())
    real = hi.analyse
    calls = []

    def racing(session, parsed, **kw):
        plan = real(session, parsed, **kw)
        if not calls:
            calls.append(1)
            hi.import_households(db, other, ref_date=REF)
        return plan

    monkeypatch.setattr(hi, "analyse", racing)
    assert main(["--db", db.url, "import", "households", str(path)]) == 2
    err = capsys.readouterr().err
    assert "另一个导入正在进行或刚刚写入，请稍后重试" in err
    assert "同一证件号码" not in err and "Traceback" not in err
    assert len(members(db)) == 5  # the first import's, once
    with db.session() as s:
        assert len(s.scalars(select(ImportBatch)).all()) == 1


# -- 7. a long login name --------------------------------------------------------------------

def test_a_long_login_name_does_not_stop_an_import(regions, tmp_path, monkeypatch):
    db = regions
    long_name = "域账户-" + "x" * 150
    db.user = None
    monkeypatch.setattr("fupin_desktop.audit.os_login_name", lambda: long_name)
    result = hi.import_households(db, write_xlsx(tmp_path / "a.xlsx", base_people()), ref_date=REF)
    assert result.committed
    with db.session() as s:
        assert s.scalar(select(ImportBatch.imported_by)) == long_name[:100]


def test_a_sixty_character_user_is_kept_whole(regions, tmp_path):
    db = regions
    db.user = "县乡村振兴局" * 10
    hi.import_households(db, write_xlsx(tmp_path / "a.xlsx", base_people()), ref_date=REF)
    with db.session() as s:
        assert s.scalar(select(ImportBatch.imported_by)) == "县乡村振兴局" * 10


# -- 7. --strict that refuses the file ----------------------------------------------------------

def test_strict_refusal_exits_2(regions, tmp_path, capsys):
    db = regions
    people = base_people()
    people[1]["证件号码"] = "123"
    path = write_xlsx(tmp_path / "a.xlsx", people)
    assert main(["--db", db.url, "import", "households", str(path), "--strict"]) == 2
    assert "严格模式" in capsys.readouterr().out
    assert main(["--db", db.url, "import", "households", str(path), "--strict", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["strict_refused"] is True
    assert members(db) == []
