"""Sheets whose used range would take the reader gigabytes are refused before reading, in
one line; formula cells without a cached result are marked, never read as blank."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fupin_desktop.sheets.readers import SheetReadError, UncomputedFormula, open_workbook

ROOT = Path(__file__).resolve().parents[3]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def write_xlsx(path: Path, sheet_data: str, *, root: str = f"<worksheet {NS}>", close: str = "</worksheet>") -> Path:
    """A minimal .xlsx (one sheet named 表1) around ``sheet_data`` (the <sheetData> body)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?>{root}<sheetData>{sheet_data}</sheetData>{close}',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def block(rows: int, cols: int) -> str:
    from fupin_desktop.sheets.headers import column_letter

    out = []
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{column_letter(c)}{r}" t="inlineStr"><is><t>x{r}</t></is></c>' for c in range(cols))
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def read_in_child(path: Path, limit_mb: int = 1500) -> dict:
    """Read ``path`` in a child process whose address space is capped; its outcome and peak."""
    script = textwrap.dedent(f"""
        import json, resource
        resource.setrlimit(resource.RLIMIT_AS, ({limit_mb} << 20, {limit_mb} << 20))
        from fupin_desktop.sheets.readers import open_workbook, SheetReadError
        try:
            sheet = open_workbook({str(path)!r}).read()
            out = {{"ok": True, "height": sheet.height, "width": sheet.width}}
        except SheetReadError as exc:
            out = {{"ok": False, "message": str(exc)}}
        # VmHWM: this process's own peak (ru_maxrss would include the forked parent's)
        out["peak_mb"] = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
        print(json.dumps(out, ensure_ascii=False))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
@pytest.mark.parametrize("cells", [
    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    block(10, 30) + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
    # the reference on a row that claims to be the first
    block(3, 3) + '<row r="4"><c r="XFD1048576"><v>1</v></c></row>',
    # r after another attribute, and in single quotes
    block(3, 3) + "<row r=\"4\"><c s=\"0\" r='XFD1000000'><v>1</v></c></row>",
    # cells without a reference take the next column: 16 384 of them on row 2 000
    '<row r="2000">' + "<c/>" * 16383 + "<c><v>1</v></c></row>",
])
def test_a_huge_used_range_is_refused_within_a_memory_bound(tmp_path, cells):
    path = write_xlsx(tmp_path / "huge.xlsx", cells)
    assert path.stat().st_size < 200_000
    out = read_in_child(path)
    assert out["ok"] is False, out
    assert "太大，无法读取" in out["message"]
    assert "\n" not in out["message"]
    assert out["peak_mb"] < 400


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_a_sparse_but_modest_range_is_read(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", block(10, 5) + '<row r="300000"><c r="E300000"><v>7</v></c></row>')
    out = read_in_child(path)
    assert out["ok"] and (out["height"], out["width"]) == (300000, 5)


def test_the_scan_matches_what_the_reader_sees(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", block(40, 12) + '<row r="41"><c r="M41"><v>1</v></c></row>')
    sheet = open_workbook(path).read()
    assert (sheet.height, sheet.width) == (41, 13)


def test_formula_cells_without_a_cached_value_are_marked(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c><c r="B1"><f>1+1</f></c></row>'
        '<row r="2"><c r="A2"><f>SUM(B1:B9)</f><v>2</v></c><c r="B2" t="str"><f>""</f><v></v></c></row>'
        '<row r="3"><c r="C3"><f t="shared" si="0" ref="C3:C4"/></c></row>'))
    rows = open_workbook(path).read().rows
    assert rows[0][1] == UncomputedFormula("1+1")
    assert rows[1][0] == 2 and rows[1][1] == ""
    assert rows[2][2] == UncomputedFormula("")


def test_an_openpyxl_formula_is_a_row_error_in_every_import(tmp_path):
    from fupin_desktop.sheets.schema import CellError, Field, Schema

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "=CONCAT(\"138\",\"00001111\")"])
    wb.save(tmp_path / "p.xlsx")
    value = open_workbook(tmp_path / "p.xlsx").read().rows[1][1]
    conv = Schema("t", [Field("phone", "电话", "digits")]).converter()
    with pytest.raises(CellError, match="公式没有计算结果，请在 Excel 中打开并保存后再导入"):
        conv.convert("phone", value)
    values, errors = conv.convert_column("phone", [value] * 300 + ["13800001111"] * 300)
    assert len(errors) == 300 and values[-1] == "13800001111"


def test_a_merged_range_past_the_cells_fills_only_the_cells():
    from fupin_desktop.sheets.readers import SheetData, fill_merged

    sheet = SheetData("s", [["户主", "张三"], ["", ""], ["", ""]], merged=[(0, 0, 1_048_575, 16_383)])
    fill_merged(sheet)
    assert sheet.rows == [["户主", "张三"], ["户主", "户主"], ["户主", "户主"]]


def test_the_asset_import_reports_uncomputed_formulas_in_its_own_columns(sqlite_db, tmp_path):
    import datetime as dt
    from decimal import Decimal

    from fupin_desktop.services import asset_exchange as ax
    from fupin_desktop.services import assets as svc
    from tests.factories import VILLAGE, add_regions

    with sqlite_db.session() as s:
        add_regions(s)
        svc.create_asset(s, {"name": "通组公路", "category": "公益性", "original_value": "100", "ownership_level": "村",
                             "formed_on": dt.date(2021, 5, 1), "custodian": "新寨村"},
                         region_code=VILLAGE, fundings=[svc.FundingShare("01", Decimal("100"))])
    out = tmp_path / "台账.xlsx"
    ax.export_ledger(sqlite_db, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["资产台账"]
    col = next(c.column for c in ws[1] if c.value == "管护主体")
    ws.cell(2, col).value = '=CONCAT("新寨","村委")'
    wb.save(out)
    report = ax.import_ledger(sqlite_db, out, dry_run=True)
    assert any("公式没有计算结果" in str(i) for i in report.issues), report.issues
