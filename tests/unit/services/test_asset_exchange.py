"""Ledger export → edit in Excel → import with difference review; bad files change nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from fupin_desktop.cli import main
from fupin_desktop.models import Asset
from fupin_desktop.services import asset_exchange as ex
from fupin_desktop.services import assets as svc
from tests.factories import VILLAGE, add_household, add_regions

D = Decimal


def _setup(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)
        for name, value in (("通组公路", "100000"), ("饮水池", "50000")):
            svc.create_asset(s, {"name": name, "category": "公益性", "original_value": value, "ownership_level": "村",
                                 "formed_on": dt.date(2021, 5, 1)},
                             region_code=VILLAGE, fundings=[svc.FundingShare("01", D(value))])


def _column(ws, title):
    return next(c.column for c in ws[1] if c.value == title)


def test_round_trip_with_changes_and_new_rows(db, tmp_path):
    _setup(db)
    out = tmp_path / "台账.xlsx"
    assert ex.export_ledger(db, out) == 2
    same = ex.import_ledger(db, out, dry_run=True)
    assert (same.unchanged, same.new, same.changed, same.issues) == (2, [], [], [])
    wb = load_workbook(out)
    ws = wb["资产台账"]
    assert ws.cell(1, 1).value == "资产编号" and ws.cell(2, 1).value == "52232620210001"
    ws.cell(2, _column(ws, "管护主体")).value = "新寨村村民委员会"
    ws.cell(2, _column(ws, "资产状态")).value = "闲置"
    new_row = [None] * ws.max_column
    for title, value in (("资产名称", "村级文化广场"), ("资产类别", "公益性资产"), ("区划代码", VILLAGE),
                         ("形成时间", "2022-08-01"), ("资金来源及金额", "衔接资金 30000；社会捐赠 2000"),
                         ("资产原值（元）", 32000), ("确权层级", "村")):
        new_row[_column(ws, title) - 1] = value
    ws.append(new_row)
    wb.save(out)
    report = ex.import_ledger(db, out, dry_run=True)
    assert not report.issues, report.issues
    assert [r.name for r in report.new] == ["村级文化广场"]
    assert [(c[0], c[2]) for c in report.changed[0].changes] == [("管护主体", "新寨村村民委员会"), ("资产状态", "闲置")]
    with db.session() as s:
        assert s.scalar(select(func.count(Asset.id))) == 2  # dry run wrote nothing
    report = ex.import_ledger(db, out)
    assert report.applied
    with db.session() as s:
        assert s.scalar(select(func.count(Asset.id))) == 3
        first = s.scalar(select(Asset).where(Asset.asset_no == "52232620210001"))
        assert first.custodian == "新寨村村民委员会" and first.status == "02"
        new = s.scalar(select(Asset).where(Asset.name == "村级文化广场"))
        assert new.asset_no == "52232620220001"


def test_a_file_with_problems_changes_nothing(db, tmp_path):
    _setup(db)
    out = tmp_path / "台账.xlsx"
    ex.export_ledger(db, out)
    wb = load_workbook(out)
    ws = wb["资产台账"]
    ws.cell(2, _column(ws, "管护主体")).value = "改了"
    ws.cell(3, _column(ws, "资产原值（元）")).value = "五万"
    ws.cell(3, _column(ws, "资产状态")).value = "已处置"
    wb.save(out)
    report = ex.import_ledger(db, out)
    assert not report.applied
    messages = [str(i) for i in report.issues]
    assert any(m.startswith("第 3 行“资产原值（元）”列") for m in messages), messages
    with db.session() as s:
        assert s.scalar(select(Asset.custodian).where(Asset.asset_no == "52232620210001")) is None
    # CLI: exit 2 with the problems; --json gives the same report.
    code = main(["--db", db.url, "import", "assets", str(out), "--json"]) if db.is_sqlite else 2
    assert code == 2


def test_cli_export_print_and_refusals(sqlite_db, tmp_path, capsys):
    _setup(sqlite_db)
    url = sqlite_db.url
    out = tmp_path / "a.xlsx"
    assert main(["--db", url, "export", "assets", str(out), "--region", "522326100000"]) == 0
    assert main(["--db", url, "import", "assets", str(out), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert report["unchanged"] == 2 and report["applied"] is False
    pdf = tmp_path / "card.pdf"
    assert main(["--db", url, "print", "asset", "--id", "1", "--kind", "card", "-o", str(pdf)]) == 0
    assert pdf.stat().st_size > 5000
    assert main(["--db", url, "print", "asset", "--region", "522326000000", "--kind", "ledger", "-o",
                 str(tmp_path / "l.pdf")]) == 0
    capsys.readouterr()
    assert main(["--db", url, "print", "asset", "--id", "1", "--kind", "distribution", "-o", str(tmp_path / "d.pdf")]) == 2
    assert "没有已分配的收益" in capsys.readouterr().err
    assert main(["--db", url, "print", "asset", "--kind", "ledger", "-o", str(tmp_path / "x.pdf")]) == 2
    assert main(["--db", url, "export", "assets", str(out), "--region", "999999999999"]) == 2
    assert main(["--db", url, "import", "assets", str(tmp_path / "nope.xlsx")]) == 2
    assert "找不到文件" in capsys.readouterr().err


def _rich_setup(db):
    _setup(db)
    with db.session() as s:
        from fupin_desktop.models import Household
        hh = s.scalar(select(Household.household_no))
        svc.create_asset(s, {"name": "光伏电站（二期）", "category": "经营性", "subtype": None, "original_value": "1.2万",
                             "ownership_level": "村", "formed_on": dt.date(2022, 3, 9), "quantity": "12.5", "unit": "千瓦",
                             "custodian_phone": "0851-83210001", "operation_mode": None, "project_year": 2022,
                             "contract_start": dt.date(2022, 4, 1), "note": "全角，标点（保留）"},
                         region_code=VILLAGE, fundings=[svc.FundingShare("01", D("12000"))])
        svc.create_asset(s, {"name": "到户产业大棚", "category": "到户类", "original_value": "8000",
                             "ownership_level": "户", "formed_on": dt.date(2023, 6, 1)},
                         region_code=VILLAGE, fundings=[svc.FundingShare("01", D("8000"))],
                         household_id=s.scalar(select(Household.id)))
        add_household(s, no="5223261002010002", head="李四", seq=2)
    return hh


def test_export_imports_back_with_zero_changes(db, tmp_path):
    _rich_setup(db)
    out = tmp_path / "台账.xlsx"
    assert ex.export_ledger(db, out) == 4
    wb = load_workbook(out)
    ws = wb["资产台账"]
    assert ws.freeze_panes == "A2" and ws.cell(1, 1).font.bold
    assert ws.cell(2, _column(ws, "区划代码")).data_type == "s"
    assert ws.cell(2, _column(ws, "资产编号")).data_type == "s"
    assert "分类汇总" in wb.sheetnames
    report = ex.import_ledger(db, out, dry_run=True)
    assert (report.unchanged, report.new, report.changed, report.issues) == (4, [], [], [])
    # Moving the 到户 asset to another household is a reported, applied change.
    hh_col = _column(ws, "所属农户户编号")
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, hh_col).value)
    assert ws.cell(row, hh_col).value == "5223261002010001" and ws.cell(row, hh_col).data_type == "s"
    ws.cell(row, hh_col).value = "5223261002010002"
    wb.save(out)
    report = ex.import_ledger(db, out)
    assert report.applied and [c[1:] for c in report.changed[0].changes] == [("5223261002010001", "5223261002010002")]
    with db.session() as s:
        from fupin_desktop.models import Household
        moved = s.scalar(select(Asset).where(Asset.name == "到户产业大棚"))
        assert s.get(Household, moved.household_id).household_no == "5223261002010002"


def test_title_rows_merged_header_and_gbk_csv(db, tmp_path):
    from openpyxl import Workbook

    _setup(db)
    wb = Workbook()
    ws = wb.active
    ws.append(["某某县扶贫项目资产台账"])
    ws.merge_cells("A1:F1")
    ws.append(["填报单位：某某乡", None, None, None, "单位：元"])
    ws.append(["资产编号", "资产名称", "资产类别", "资产价值", None, "所在地", "形成时间", "资金来源"])
    ws.append([None, None, None, "资产原值（元）", "确权层级", "区划代码"])
    for col in "ABCGH":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:E3")
    ws.append(["52232620210001", "通组公路", "公益性资产", 100000, "村", VILLAGE, dt.datetime(2021, 5, 1), "衔接资金 100000"])
    ws.append([None, "村级文化广场", "公益性资产", 32000, "村", VILLAGE, "2022年8月1日", "衔接资金"])
    path = tmp_path / "county.xlsx"
    wb.save(path)
    report = ex.import_ledger(db, path, dry_run=True)
    assert not report.issues, report.issues
    assert report.unchanged == 1 and [r.name for r in report.new] == ["村级文化广场"] and report.new[0].row == 6

    csv_path = tmp_path / "台账.csv"
    csv_path.write_bytes("资产编号,资产名称,资产类别,资产原值（元）,确权层级,区划代码,管护主体\n"
                         f"52232620210001,通组公路,公益性资产,100000.00,村,{VILLAGE},新寨村村委会\n".encode("gbk"))
    report = ex.import_ledger(db, csv_path)
    assert report.applied and [(c[0], c[2]) for c in report.changed[0].changes] == [("管护主体", "新寨村村委会")]
    with db.session() as s:
        assert s.scalar(select(Asset.custodian).where(Asset.asset_no == "52232620210001")) == "新寨村村委会"


def test_error_report_marks_bad_cells(sqlite_db, tmp_path, capsys):
    _setup(sqlite_db)
    out = tmp_path / "台账.xlsx"
    ex.export_ledger(sqlite_db, out)
    wb = load_workbook(out)
    ws = wb["资产台账"]
    value_col = _column(ws, "资产原值（元）")
    ws.cell(3, value_col).value = "五万"
    ws.cell(2, _column(ws, "资产状态")).value = "已处置"
    wb.save(out)
    errors = tmp_path / "错误报告.xlsx"
    assert main(["--db", sqlite_db.url, "import", "assets", str(out), "--errors", str(errors)]) == 2
    assert "错误报告" in capsys.readouterr().err
    rep = load_workbook(errors).active
    last = rep.max_column
    assert rep.cell(1, last).value == "错误说明"
    assert "资产原值" in rep.cell(3, last).value and "已处置" in rep.cell(2, last).value
    assert rep.cell(3, value_col).fill.fgColor.rgb.endswith("FFC7CE")
    with sqlite_db.session() as s:
        assert s.scalar(select(Asset.status).where(Asset.asset_no == "52232620210001")) == "01"


def test_place_names_in_their_usual_variants(db, tmp_path):
    """乡镇 / 村 columns instead of 区划代码: 城关 for 城关镇, 新寨村委会 for 新寨村 (the region resolver)."""
    with db.session() as s:
        add_regions(s)
    path = tmp_path / "台账.csv"
    path.write_bytes("资产名称,资产类别,资产原值（元）,确权层级,乡镇,村,形成时间,资金来源\n"
                     "通组公路,公益性资产,100000.00,村,城关,新寨村委会,2021-05-01,衔接资金\n"
                     "文化广场,公益性资产,30000.00,村,城关镇, 新寨 村民委员会 ,2022-08-01,衔接资金\n"
                     "水池,公益性资产,5000.00,村,城关镇,大坡村,2022-08-01,衔接资金\n".encode("gbk"))
    report = ex.import_ledger(db, path)
    assert not report.applied and len(report.issues) == 1 and "大坡村" in str(report.issues[0])
    path.write_bytes(path.read_bytes().rsplit(b"\n", 2)[0] + b"\n")
    report = ex.import_ledger(db, path)
    assert report.applied, report.issues
    with db.session() as s:
        assert set(s.scalars(select(Asset.region_code))) == {VILLAGE}
        assert s.scalar(select(func.count()).select_from(Asset)) == 2
