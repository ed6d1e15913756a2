"""操作日志: an import records each created household and member with its values; entries
read old → new with Chinese labels and code names; the export writes text as text."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import func, select

from fupin_desktop.models import AuditLog, Household
from fupin_desktop.services import household_import as hi
from fupin_desktop.services.trust.audit_log import export_audit, query_audit
from tests.factories import add_regions
from tests.unit.services.test_household_import import REF, base_people, write_xlsx


@pytest.fixture
def imported(db, tmp_path):
    with db.session() as s:
        add_regions(s)
    db.user = "小李"
    hi.import_households(db, write_xlsx(tmp_path / "a.xlsx", base_people()), ref_date=REF)
    return db


def test_an_import_records_each_created_row_with_its_key_and_values(imported):
    db = imported
    with db.session() as s:
        households = s.scalar(select(func.count()).select_from(Household))
        rows = s.execute(select(AuditLog.table_name, AuditLog.row_key, AuditLog.new_values, AuditLog.user)
                         .where(AuditLog.action == "insert", AuditLog.row_key.is_not(None))).all()
        ids = set(map(str, s.scalars(select(Household.id))))
    created = [r for r in rows if r.table_name == "households"]
    assert len(created) == households and {r.row_key for r in created} == ids
    assert all(r.user == "小李" for r in rows if r.table_name in ("households", "members"))
    first = next(r for r in created if r.new_values["household_no"] == "5223261002010001")
    assert first.new_values["region_code"] and first.new_values["head_name"] == "张三"
    members = [r for r in rows if r.table_name == "members"]
    assert {"张三", "李四"} <= {r.new_values["name"] for r in members}


def test_entries_read_old_to_new_with_labels_and_export_as_text(imported, tmp_path):
    db = imported
    db.user = "老张"
    with db.session() as s:
        hh = s.scalar(select(Household).where(Household.household_no == "5223261002010001"))
        hh.phone = "=HYPERLINK(\"x\")"
        hh.household_type = "02"
    with db.session() as s:
        entries = query_audit(s, household="张三", user="老张")
        everyone = query_audit(s, household="5223261002010001")
        other = query_audit(s, household="没有这户")
    assert len(entries) == 1 and entries[0].action_label == "修改" and entries[0].table_label == "农户"
    changes = {c.field: (c.old, c.new) for c in entries[0].changes}
    assert changes["户联系电话"][1] == '=HYPERLINK("x")'
    assert changes["户类型"][1] != "02"  # the code's name, not the code
    assert {e.user for e in everyone} == {"小李", "老张"}
    assert {e.table for e in everyone} >= {"households", "members"}
    assert other == []

    out = tmp_path / "log.xlsx"
    export_audit(entries, out)
    ws = openpyxl.load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    phone = next(r for r in values if r[5] == "户联系电话")
    assert phone[7] == '=HYPERLINK("x")' and ws.cell(row=values.index(phone) + 1, column=8).data_type == "s"


def test_cli_log_filters_and_exports(imported, tmp_path, capsys):
    import json

    from fupin_desktop.cli import main

    db = imported
    assert main(["--db", db.url, "log", "--household", "张三", "--table", "农户", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and all(e["table"] == "农户" and e["user"] == "小李" for e in listed)
    assert any(c["field"] == "户编号" and c["new"] == "5223261002010001" for e in listed for c in e["changes"])
    assert main(["--db", db.url, "log", "--table", "没有这张表"]) == 2
    assert "没有数据表" in capsys.readouterr().err
    out = tmp_path / "log.xlsx"
    assert main(["--db", db.url, "log", "--by", "小李", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).active.max_row > 2
