"""The household import's fast paths give exactly what the plain ways give: source rows as
JSON, Core inserts of tuples, column conversion, ID checks, the reading of existing
records in one pass or by IN lists, the full-width ID fix, and the collector resumed."""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from factories import add_regions, make_id
from fupin_desktop.db import dumps_json
from fupin_desktop.models import Member, SourceRow
from fupin_desktop.rules import idnumber, validation
from fupin_desktop.rules.text import normalize_text
from fupin_desktop.services import household_import as hi
from fupin_desktop.services.household_sheet import HOUSEHOLD_SCHEMA
from fupin_desktop.sheets.headers import HeaderBlock, HeaderColumn
from fupin_desktop.sheets.readers import SheetData
from test_household_import import REF, base_people, members, person, regions, run, write_xlsx  # noqa: F401 - regions is a fixture


def _parsed(names: list[str | None], rows: list[list]) -> hi.ParsedFile:
    columns = tuple(HeaderColumn(i, (n,) if n else ()) for i, n in enumerate(names))
    header = HeaderBlock(0, 1, columns)
    sheet = SheetData("s", [list(names), *rows], [])
    return hi.ParsedFile(Path("x.xlsx"), "xlsx", None, ["s"], sheet, header, None, [], [], len(rows), 0, [])


@pytest.mark.parametrize("names", [
    ["县", "姓名", "证件号码", "务工时间（月）", "出生日期", "是否", "金额"],
    ["县", "姓名", "姓名", None, "出生日期", "是否", "金额"],  # repeated header, unnamed column
])
def test_source_json_keeps_the_cells_as_read(names):
    values = [None, "", "  ", "\u3000", "望谟县", "a\"b\\c\n", 3, 3.0, -0.0, 2.5, 1e16,
              True, False, 0, dt.date(2001, 2, 3), dt.datetime(2001, 2, 3, 4, 5), dt.time(8, 30),
              Decimal("1.50"), "0", "１２３"]
    as_json = {dt.date(2001, 2, 3): "2001-02-03", dt.datetime(2001, 2, 3, 4, 5): "2001-02-03T04:05:00",
               dt.time(8, 30): "08:30:00", Decimal("1.50"): "1.50"}
    rnd = random.Random(5)
    rows = [[rnd.choice(values) for _ in names] for _ in range(400)]
    rows += [[], ["只有一格"], [None] * 3]  # shorter than the header
    rows += [["多出一格"] * (len(names) + 2)]  # longer than the header: cut at the last header
    parsed = _parsed(names, rows)
    wanted = list(range(1, len(rows) + 1))
    got = [json.loads(t) for t in hi._source_json(parsed, wanted)]
    expected = [[as_json.get(v, v) if not isinstance(v, (bool, int, float)) else v for v in row[:len(names)]]
                for row in rows]
    assert got == expected
    # Types survive: 3 stays a whole number, 3.0 a decimal one, True a boolean.
    texts = hi._source_json(_parsed(["a", "b", "c"], [[3, 3.0, True]]), [1])
    assert texts == ["[3,3.0,true]"]


def test_json_columns_are_compact_utf8(sqlite_db):
    assert dumps_json({"姓名": "张三", "n": [1, 2]}) == '{"姓名":"张三","n":[1,2]}'


def test_tuple_insert_writes_what_sqlalchemy_writes(sqlite_db, tmp_path):
    """The SQLite fast path (bind processors per column, scalar defaults) against the
    plain ``conn.execute(insert(table), dicts)``: the same stored values and types."""
    db = sqlite_db
    with db.session() as s:
        add_regions(s)
        for n in (1, 2):
            s.execute(text("INSERT INTO households (id, household_no, region_code, member_count, status, version, "
                           f"record_valid, code_list_era) VALUES ({n}, '{n}', '522326100201', 0, '01', 1, 1, '2021')"))
    keys = ("name", "id_number", "relation", "birth_date", "is_dibao", "has_resident_medical", "work_months",
            "household_id")
    rows = [("张三", make_id(dt.date(1970, 5, 1), 11), "01", dt.date(1970, 5, 1), True, None, 6, 1),
            ("李四", None, "02", None, False, 1, None, 1)]
    cells = [["望谟县", "张三", 3, None], []]
    with db.session() as s:
        conn = s.connection()
        ids = hi._insert_tuples(conn, Member.__table__, keys, rows)
        plain = [dict(zip(keys, row), id=100 + i, household_id=2) for i, row in enumerate(rows)]
        conn.execute(insert(Member.__table__), plain)
        # JSON columns given as JSON text.
        source_ids = hi._insert_tuples(conn, SourceRow.__table__, ("row_no", "cells"),
                                       [(5 + i, dumps_json(c)) for i, c in enumerate(cells)], json_text=("cells",))
        conn.execute(insert(SourceRow.__table__), [{"id": 100 + i, "row_no": 5 + i, "cells": c}
                                                   for i, c in enumerate(cells)])
    assert ids == [1, 2] and source_ids == [1, 2]
    with db.session() as s:
        q = "SELECT row_no, cells, typeof(cells) FROM source_rows ORDER BY id"
        stored = [tuple(r) for r in s.connection().exec_driver_sql(q).all()]
        assert stored[:2] == stored[2:]
        assert [r.cells for r in s.scalars(select(SourceRow).order_by(SourceRow.id))][:2] == cells
    with db.session() as s:
        cols = [c.name for c in Member.__table__.columns if c.name not in ("id", "household_id", "created_at")]
        q = "SELECT " + ", ".join(f"{c}, typeof({c})" for c in cols) + " FROM members ORDER BY id"
        fast, slow = (tuple(r) for r in s.connection().exec_driver_sql(q).all()[:2]), \
            (tuple(r) for r in s.connection().exec_driver_sql(q).all()[2:])
        assert list(fast) == list(slow)


@pytest.mark.parametrize("key", ["id_number", "household_no", "name", "bank_account"])
def test_whole_column_checks_match_value_by_value(key):
    """Columns converted with the joined check and the few-values table against
    converting every cell alone."""
    conv = HOUSEHOLD_SCHEMA.converter()
    ids = [make_id(dt.date(1950, 1, 1) + dt.timedelta(days=i * 7), i % 1000) for i in range(300)]
    base = {
        "id_number": ids,
        "household_no": [f"52232610020100{i:02d}" for i in range(300)],
        "name": [f"张{i}号" for i in range(300)],
        "bank_account": [f"6217{i:015d}" for i in range(300)],
    }[key]
    odd = ["", None, "  ", "１２３４５６７８９０１２３４５６７８", ids[0].lower()[:-1] + "x", " " + base[1],
           "a\x00b", "4.30524E+17", 4.30524e17, 12345, "张三\u3000", "x" * 50]
    for column in (base, base + odd, odd * 30 + base, base[:100] * 6 + odd):
        values, bad = conv.convert_column(key, column)
        one = HOUSEHOLD_SCHEMA.converter()
        single = []
        single_bad = {}
        for i, v in enumerate(column):
            got, errs = one.convert_column(key, [v])
            single.append(got[0])
            if errs:
                single_bad[i] = errs[0]
        assert values == single and bad == single_bad


def test_few_values_column_with_late_new_values():
    conv = HOUSEHOLD_SCHEMA.converter()
    column = ["是", "否"] * 400 + ["√", "也许", None, "", "是"] + ["否"] * 10
    values, bad = conv.convert_column("is_dibao", column)
    assert values[:800] == [True, False] * 400
    assert values[800:805] == [True, None, None, None, True]
    assert list(bad) == [801] and "也许" in bad[801]


def test_plain_id_fast_path_agrees_with_the_full_check():
    rnd = random.Random(3)
    today = dt.date(2025, 6, 1)
    for _ in range(3000):
        birth = dt.date(1900, 1, 1) + dt.timedelta(days=rnd.randint(0, 50000))
        good = make_id(birth, rnd.randint(0, 999))
        for value in (good, good[:-1] + rnd.choice("0123456789X"), good[:10] + "13" + good[12:],
                      good[:12] + "31" + good[14:], "523326" + "20301231" + good[14:]):
            try:
                fast = idnumber.validate_id(value, today)
            except idnumber.IdNumberError as exc:
                fast = str(exc)
            try:  # the same text through the general path (a trailing space is cleaned off)
                slow = idnumber.validate_id(value + " ", today)
            except idnumber.IdNumberError as exc:
                slow = str(exc)
            assert fast == slow, value


@pytest.mark.parametrize("value", ["abc123", "ABC", "5223261970", "x", "Ａ１", "a b", "123\t"])
def test_ascii_fast_paths_of_text_and_id_cleaning(value):
    assert normalize_text(value) == normalize_text(value + "\u200b")  # the slow path drops U+200B
    assert idnumber.normalize_id(value) == idnumber.normalize_id(" " + value)


def test_validation_of_mappings_equals_validation_of_objects():
    from types import SimpleNamespace

    head = person("1", "张三", make_id(dt.date(1970, 5, 1), 11), "户主")
    member = {"name": " 张三 ", "id_number": make_id(dt.date(1970, 5, 1), 11), "relation": "01", "sex": "2",
              "birth_date": dt.date(1971, 1, 1), "ethnicity": "99", "health": "01", "status": "01",
              "work_place": "广东", "is_dibao": True, "is_tekun": True}
    spouse = {"name": "李四", "id_number": make_id(dt.date(1972, 3, 9), 12), "relation": "02", "sex": "2",
              "birth_date": dt.date(2016, 3, 9), "status": "01"}
    household = SimpleNamespace(household_type="01", phone="12345", region_code="5223", bank_account="1",
                                exit_year=2030, identified_year=2010, monitoring_category="02")
    by_objects = validation.validate_household(household, [SimpleNamespace(**member), SimpleNamespace(**spouse)],
                                               ref_date=REF)
    read = [validation._member_values(m) for m in (member, spouse)]
    by_values = validation.validate_household_values(household, read, ref_date=REF)
    assert by_objects == by_values and len(by_values) > 8
    assert head  # the test module's helper stays importable


def test_full_width_digits_in_an_id_are_stored_half_width(regions, tmp_path):
    db = regions
    people = base_people()
    people[1]["证件号码"] = people[1]["证件号码"].replace("1", "１", 2)
    result = run(db, write_xlsx(tmp_path / "f.xlsx", people))
    assert result.errors == []
    stored = {r[2] for r in members(db)}
    assert all(x.isascii() for x in stored) and base_people()[1]["证件号码"] in stored


def test_existing_records_read_by_in_lists_or_in_one_pass(regions, tmp_path, monkeypatch):
    """The file names few of the registered households (IN lists) or most of them (one pass
    over the table): the same plan either way."""
    db = regions
    people = []
    for n in range(12):
        no = f"52232610020100{n + 10:02d}"
        people.append(person(no, f"户主{n}", make_id(dt.date(1960, 1, 1) + dt.timedelta(days=n), 100 + n * 2 + 1),
                             "户主"))
        people.append(person(no, f"子女{n}", make_id(dt.date(1990, 1, 1) + dt.timedelta(days=n), 300 + n * 2),
                             "之女"))
    run(db, write_xlsx(tmp_path / "all.xlsx", people))
    few = people[:4]
    few[0]["户联系电话"] = "13911112222"
    path = write_xlsx(tmp_path / "few.xlsx", few)
    plans = []
    original = hi._rows_with
    for scan in (False, True):

        def rows_with(conn, stmt, column, at, keys, table_rows, scan=scan):
            return original(conn, stmt, column, at, keys, 1 if scan else 10**9)

        monkeypatch.setattr(hi, "_rows_with", rows_with)
        parsed = hi.read_file(path, prepare_commit=False)
        with db.session() as s:
            plan = hi.analyse(s, parsed, ref_date=REF)
        plans.append((plan.counts(), plan.fingerprint(), [(h.status, [c.describe() for c in h.changes])
                                                           for h in plan.households]))
    assert plans[0] == plans[1]
    assert plans[0][0]["households_updated"] == 1 and plans[0][0]["households_missing"] == 10


def test_collector_resumes_after_import_and_command(regions, tmp_path, capsys):
    from fupin_desktop.cli import main

    path = write_xlsx(tmp_path / "a.xlsx", base_people())
    assert gc.isenabled()
    run(regions, path, dry_run=True)
    assert gc.isenabled()
    assert main(["--db", regions.url, "import", "households", str(path), "--dry-run", "--json"]) == 0
    capsys.readouterr()
    assert gc.isenabled()


def test_an_up_to_date_database_opens_without_alembic(sqlite_db, tmp_path):
    from fupin_desktop import db as dbmod

    assert dbmod._head_from_files(dbmod.MIGRATIONS_DIR) == dbmod.head_revision(sqlite_db.engine)
    script = (
        "import sys\nfrom fupin_desktop.db import open_database\n"
        f"open_database({str(sqlite_db.engine.url.database)!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip() == "False"


def test_imported_households_carry_the_pinyin_sort_key_of_their_head(regions, tmp_path):
    from fupin_desktop.models import Household
    from fupin_desktop.rules.names import name_sort_key

    db = regions
    result = run(db, write_xlsx(tmp_path / "f.xlsx", base_people()))
    assert result.errors == []
    with db.session() as s:
        rows = s.execute(select(Household.head_name, Household.head_name_sort)).all()
    assert sorted(rows) == sorted((name, name_sort_key(name)) for name in ("张三", "王五"))
    people = base_people()
    people[3], people[4] = {**people[4], "与户主关系": "户主"}, {**people[3], "与户主关系": "之父"}
    result = run(db, write_xlsx(tmp_path / "g.xlsx", people))  # the head changes: the key follows
    with db.session() as s:
        rows = s.execute(select(Household.head_name, Household.head_name_sort)).all()
    assert sorted(rows) == sorted((name, name_sort_key(name)) for name in ("张三", "王丽"))
