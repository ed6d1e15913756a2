"""Every .xlsx the program writes keeps text as text: a value that starts with ``=`` (or
looks like an Excel error code) is never written as a formula (no ``<f>`` in the XML)."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from fupin_desktop.sheets.error_report import Issue, write_error_report
from fupin_desktop.sheets.export import ExportColumn, write_table
from fupin_desktop.sheets.headers import HeaderBlock
from fupin_desktop.sheets.readers import SheetData

HOSTILE = ["=1+1", '=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "#N/A", "=", "==A1"]


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))


def _assert_text(path, values):
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    ws = openpyxl.load_workbook(path).worksheets[0]
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in values:
                found[cell.value] = cell.data_type
    assert found == {v: "s" for v in values}


def test_write_table_writes_formula_like_text_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    cols = [ExportColumn("姓名"), ExportColumn("证件号码", "id"), ExportColumn("金额", "decimal"),
            ExportColumn("日期", "date"), ExportColumn("其他", "int")]
    rows = [[v, v, Decimal("1.50"), dt.date(2024, 1, 2), v] for v in HOSTILE]
    write_table(path, cols, rows, title_rows=("=cmd|' /C calc'!A0",))
    _assert_text(path, HOSTILE + ["=cmd|' /C calc'!A0"])
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.cell(3, 3).value == 1.5 and ws.cell(3, 4).value == dt.datetime(2024, 1, 2)


def test_error_report_writes_formula_like_text_as_text(tmp_path):
    sheet = SheetData("S", [["姓名", "地址"]] + [[v, v] for v in HOSTILE])
    header = HeaderBlock(first_row=0, height=1, columns=())
    path = tmp_path / "e.xlsx"
    write_error_report(sheet, header, [Issue(1, 0, "=1+1 错误"), Issue(2, None, "@x")], path)
    _assert_text(path, HOSTILE + ["=1+1 错误"])


@pytest.fixture
def asset_db(sqlite_db):
    from fupin_desktop.services import assets as svc
    from tests.factories import VILLAGE, add_regions

    with sqlite_db.session() as s:
        add_regions(s)
        svc.create_asset(s, {"name": "=1+1", "category": "公益性", "original_value": "100",
                             "ownership_level": "村", "formed_on": dt.date(2021, 5, 1),
                             "custodian": '=HYPERLINK("http://x","y")'},
                         region_code=VILLAGE, fundings=[svc.FundingShare("01", Decimal("100"))])
    return sqlite_db


def test_asset_ledger_export_writes_text_as_text(asset_db, tmp_path):
    from fupin_desktop.services import asset_exchange as ex

    out = tmp_path / "台账.xlsx"
    ex.export_ledger(asset_db, out)
    _assert_text(out, ["=1+1", '=HYPERLINK("http://x","y")'])
