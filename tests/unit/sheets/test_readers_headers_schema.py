"""The generic spreadsheet machinery: readers (every format and fault), header detection,
field conversion, diff and the written files."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwt

from fupin_desktop.sheets.diff import compare, comparable
from fupin_desktop.sheets.error_report import Issue, write_error_report
from fupin_desktop.sheets.export import ExportColumn, write_table
from fupin_desktop.sheets.headers import detect_header, header_key
from fupin_desktop.sheets.readers import SheetReadError, fill_merged, open_workbook
from fupin_desktop.sheets.schema import CellError, Field, Schema, convert_value

REAL = Path("/work/shared/samples/real")
ID18 = "522326197005010113"


def test_header_key_normalises_brackets_spaces_and_markers():
    assert header_key("务工时间（月）") == header_key(" 务工时间 (月)") == header_key("*务工时间\n(月)")


# ----------------------------------------------------------------------------- readers


def test_xlsx_positions_merges_and_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"] = "标题"
    ws.merge_cells("B3:E3")
    ws["B4"] = "户编号"
    ws["B5"] = 52232610020100
    ws.merge_cells("B5:B7")
    for r in (5, 6, 7):
        ws[f"C{r}"] = f"成员{r}"
    path = tmp_path / "a.xlsx"
    wb.save(path)
    with open_workbook(path) as book:
        assert book.format == "xlsx"
        sheet = book.read()
    assert sheet.cell(2, 1) == "标题"
    assert sheet.cell(4, 1) == 52232610020100
    assert sorted(sheet.merged) == [(2, 1, 2, 4), (4, 1, 6, 1)]
    fill_merged(sheet, first_row=4)
    assert sheet.cell(6, 1) == 52232610020100
    assert sheet.cell(2, 2) in ("", None)  # above first_row: untouched


def test_xls_reads_with_merges(tmp_path):
    book = xlwt.Workbook()
    s = book.add_sheet("花名册")
    s.write_merge(0, 0, 0, 3, "标题")
    s.write(1, 0, "姓名")
    s.write(2, 0, "张三")
    path = tmp_path / "a.xls"
    book.save(str(path))
    with open_workbook(path) as wb:
        assert wb.format == "xls"
        assert wb.sheet_names == ["花名册"]
        sheet = wb.read("花名册")
    assert sheet.cell(2, 0) == "张三"
    assert (0, 0, 0, 3) in sheet.merged


@pytest.mark.parametrize(
    ("encoding", "bom", "delim"),
    [("gbk", b"", ","), ("utf-8", b"", ","), ("utf-8", b"\xef\xbb\xbf", ","), ("utf-16-le", b"\xff\xfe", "\t")],
)
def test_text_files_detect_encoding_and_unwrap(tmp_path, encoding, bom, delim):
    text = delim.join(["姓名", "证件号码"]) + "\r\n" + delim.join(["张三", f'="{ID18}"']) + "\r\n"
    path = tmp_path / "a.csv"
    path.write_bytes(bom + text.encode(encoding))
    with open_workbook(path) as book:
        assert book.format == "csv"
        sheet = book.read()
    assert sheet.rows[1] == ["张三", ID18]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "空的"),
        (b"PK\x03\x04garbage-not-a-zip", "已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600, "密码"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "网页"),
        (bytes(range(256)) * 20, "不是可识别"),
        (b"   \r\n  ", "没有任何内容"),
    ],
)
def test_unreadable_files_give_chinese_messages(tmp_path, content, needle):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(SheetReadError) as info:
        with open_workbook(path) as book:
            book.read()
    assert needle in str(info.value)


def test_other_office_files_are_named(tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(SheetReadError, match="Word文档"):
        open_workbook(path)


def test_missing_file_and_unknown_sheet(tmp_path):
    with pytest.raises(SheetReadError, match="找不到文件"):
        open_workbook(tmp_path / "nope.xlsx")
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "a.xlsx")
    with open_workbook(tmp_path / "a.xlsx") as book, pytest.raises(SheetReadError, match="没有名为“户”"):
        book.read("户")


@pytest.mark.skipif(not REAL.exists(), reason="shared samples not present")
@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.xls")) if REAL.exists() else [])
def test_real_county_templates_read_and_find_a_header(name):
    with open_workbook(REAL / name) as book:
        for sheet_name in book.sheet_names:
            sheet = book.read(sheet_name)
            if sheet.last_nonblank_row() < 0:
                continue
            header = detect_header(sheet)
            assert header.height >= 1
            assert any(c.parts for c in header.columns)


@pytest.mark.skipif(not REAL.exists(), reason="shared samples not present")
def test_real_household_list_header_is_found_below_its_title():
    with open_workbook(REAL / "gz2012_household_list_import.xls") as book:
        sheet = book.read()
    header = detect_header(sheet)
    texts = [c.leaf for c in header.columns]
    assert "户名" in "".join(texts)


# ----------------------------------------------------------------------------- headers


def test_two_row_merged_header_below_title_rows():
    from fupin_desktop.sheets.readers import SheetData

    rows = [
        ["××县脱贫人口信息表", "", "", "", ""],
        ["填报单位：城关镇", "", "", "单位：人", ""],
        ["姓名", "证件号码", "是否参加", "", "务工时间（月）"],
        ["", "", "城乡居民基本医疗保险", "大病保险", ""],
        ["张三", ID18, "是", "是", 3],
    ]
    merged = [(0, 0, 0, 4), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 3), (2, 4, 3, 4)]
    sheet = SheetData("s", rows, merged)
    schema = Schema("t", [Field("name", "姓名"), Field("id_number", "证件号码", "id"),
                          Field("med", "是否参加城乡居民基本医疗保险", "bool"),
                          Field("big", "是否参加大病保险", "bool", aliases=("大病保险",)),
                          Field("months", "务工时间(月)", "int")])
    rows[2][4] = " 务工时间\n（月） "
    header = detect_header(sheet, schema.knows)
    assert (header.first_row, header.height, header.data_start) == (2, 2, 4)
    assert header.columns[2].parts == ("是否参加", "城乡居民基本医疗保险")
    mapping = schema.map_columns(header)
    assert mapping.columns == {0: "name", 1: "id_number", 2: "med", 3: "big", 4: "months"}
    assert header.display(4) == "务工时间（月）"


# ----------------------------------------------------------------------------- conversion


def f(kind, **kw):
    return Field("x", "证件号码" if kind == "id" else "项目", kind, **kw)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("id", 430524199001011.0, "430524199001011"),  # 15 digits survive
        ("id", f" {ID18.lower()[:-1]}x ", ID18[:-1] + "X"),
        ("id", "５２２３２６１９７００５０１０１１３", ID18),
        ("digits", 52232610020100.0, "52232610020100"),
        ("digits", 13800001111, "13800001111"),
        ("digits", '="0001"', "0001"),
        ("text", 3.0, "3"),
        ("decimal", "1,234.5", Decimal("1234.50")),
        ("decimal", "１，２３４元", Decimal("1234.00")),
        ("decimal", 12.345, Decimal("12.35")),
        ("year", "2016年", 2016),
        ("year", 2016.0, 2016),
        ("int", "3个月", 3),
        ("date", "2016/1/2", dt.date(2016, 1, 2)),
        ("date", "2016年1月2日", dt.date(2016, 1, 2)),
        ("date", 42371, dt.date(2016, 1, 2)),
        ("date", 20160102, dt.date(2016, 1, 2)),
        ("month", "2024年5月", "2024-05"),
        ("bool", "√", True),
        ("bool", "未参加", False),
        ("text", "  ", None),
    ],
)
def test_conversions(kind, raw, expected):
    assert convert_value(f(kind), raw) == expected


def test_code_aliases():
    field = Field("relation", "与户主关系", "code", code_list="relation")
    assert convert_value(field, "本人或户主") == "01"
    assert convert_value(field, 1.0) == "01"
    with pytest.raises(CellError, match="可选"):
        convert_value(field, "邻居")


@pytest.mark.parametrize("raw", [4.30524199001011e17, 430524199001011234, "4.30524E+17", "4.30524199001011E+17"])
def test_ids_whose_digits_were_lost_are_errors(raw):
    with pytest.raises(CellError, match="丢失"):
        convert_value(f("id"), raw)


@pytest.mark.parametrize(("kind", "raw"), [("int", "三"), ("year", "16"), ("date", "去年"), ("decimal", "一千"),
                                           ("int", 2.5), ("bool", "可能")])
def test_bad_values_are_errors(kind, raw):
    with pytest.raises(CellError):
        convert_value(f(kind), raw)


def test_int_range():
    field = Field("m", "务工时间（月）", "int", min_value=0, max_value=12)
    with pytest.raises(CellError, match="0–12"):
        convert_value(field, 13)


# ----------------------------------------------------------------------------- diff


def test_compare_sorts_records_and_ignores_representation():
    existing = {"a": {"x": Decimal("1.50"), "y": None}, "b": {"x": 1, "y": "k"}, "c": {"x": 1}}
    incoming = {"a": {"x": 1.5, "y": ""}, "b": {"x": 2, "y": "k"}, "d": {"x": 1}}
    result = compare(existing, incoming, ["x", "y"], {"x": "金额"})
    assert result.unchanged == ["a"]
    assert [c.describe() for c in result.changed["b"]] == ["金额：1 → 2"]
    assert result.new == ["d"] and result.missing == ["c"]
    assert comparable(dt.datetime(2020, 1, 1)) == dt.date(2020, 1, 1)


# ----------------------------------------------------------------------------- writing


def test_write_table_keeps_ids_as_text_and_freezes_header(tmp_path):
    path = tmp_path / "out.xlsx"
    cols = [ExportColumn("证件号码", "id"), ExportColumn("金额", "decimal"), ExportColumn("是否", "bool")]
    n = write_table(path, cols, [[ID18, Decimal("1234.50"), True], [None, None, False]])
    assert n == 2
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws["A2"].value == ID18 and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1234.5 and ws["C2"].value == "是" and ws["C3"].value == "否"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws.column_dimensions["A"].width >= 18


def test_write_table_refuses_other_suffix_and_leaves_nothing_on_cancel(tmp_path):
    from fupin_desktop.errors import UserError

    with pytest.raises(UserError):
        write_table(tmp_path / "a.xls", [ExportColumn("a")], [])
    with pytest.raises(UserError, match="取消"):
        write_table(tmp_path / "b.xlsx", [ExportColumn("a")], ([i] for i in range(5000)), cancel=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_error_report_copies_sheet_and_marks_cells(tmp_path):
    from fupin_desktop.sheets.readers import SheetData

    sheet = SheetData("户", [["标题", "", ""], ["姓名", "证件号码", "关系"], ["张三", "123", "户主"]],
                      [(0, 0, 0, 2)])
    header = detect_header(sheet)
    out = write_error_report(sheet, header, [Issue(2, 1, "证件号码应为18位")], tmp_path / "e.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "标题" and "A1:C1" in [str(r) for r in ws.merged_cells.ranges]
    assert ws["D2"].value == "错误说明"
    assert ws["D3"].value == "证件号码应为18位"
    assert ws["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A3"].fill.fgColor.rgb in ("00000000", None)
