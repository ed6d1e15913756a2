"""The report's outputs: the county-layout xlsx read back, the PDF's text, the CLI."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fupin_desktop.cli import main as cli_main
from fupin_desktop.services import reports as rep
from fupin_desktop.services.reports import columns as C
from tests.factories import COUNTY, TOWNSHIP, VILLAGE
from tests.unit.services.reports.county import MARCH, VILLAGE2, march_changes


@pytest.fixture
def march(county):
    db, ids = county
    with db.session() as s:
        march_changes(s, ids)
        report = rep.monthly_report(s, MARCH)
    return db, report


def test_xlsx_has_the_county_layout_with_numbers(march, tmp_path):
    _db, report = march
    path = rep.write_report_xlsx(report, tmp_path / "月报.xlsx", filled_by="王会计",
                                 reviewed_by="李审核", phone="0859-4612345")
    ws = load_workbook(path).active
    assert ws["A1"].value == "示例县2026年03月巩固拓展脱贫攻坚成果统计月报表"
    assert "填报单位（盖章）：示例县" in ws["A2"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    cols = C.columns()
    last = C.group_ranges(cols)
    assert "A3:A5" in merged  # 单位名称 over the three header rows
    assert "B3:M3" in merged and ws["B3"].value == "对象规模"  # the first group's 12 columns
    assert "B4:C4" in merged and ws["B4"].value == "脱贫户"
    assert ws["B5"].value == "户数\n（户）"
    assert len(last) == 7
    at = {c.key: i + 2 for i, c in enumerate(cols)}
    assert ws.cell(4, at["start_rate"]).value == "开工率"
    rows = {ws.cell(r, 1).value.strip(): r for r in range(6, 6 + len(report.rows) + 1)}
    total = rows["示例县合计"]
    assert ws.cell(total, at["households_tuopin"]).value == 3
    rate = ws.cell(total, at["start_rate"])
    assert rate.value == 0.5 and rate.number_format == "0.0%"
    money = ws.cell(total, at["funds_allocated"])
    assert money.value == 100000.0 and money.number_format == "#,##0.00"
    assert ws.cell(rows["新寨村"], at["households_tuopin"]).value == 2
    assert ws.cell(rows["大坪村"], at["households_tuopin"]).value == 0
    texts = [ws.cell(r, c).value for r in range(ws.max_row - 3, ws.max_row + 1)
             for c in range(1, ws.max_column + 1)]
    for label in ("填报人：王会计", "审核人：李审核", "联系电话：0859-4612345"):
        assert label in texts
    assert any(str(t).startswith("填报日期：") for t in texts if t)


def test_pdf_is_split_by_column_groups_for_signing(march, tmp_path):
    _db, report = march
    path = rep.write_report_pdf(report, tmp_path / "月报.pdf", filled_by="王会计")
    pdf = PdfReader(str(path))
    page = pdf.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) >= 2
    assert f"第 1 部分，共 {len(pdf.pages)} 部分" in text.replace("\n", "")
    for part in ("巩固拓展脱贫攻坚成果统计月报表", "示例县合计", "新寨村", "城关镇本级",
                 "对象规模", "资金", "填报人：王会计", "审核人：", "100,000.00", "50.0%"):
        assert part in text, part


def test_cli_prints_the_json_object_and_refuses_bad_input(march, capsys):
    db, _report = march
    url = db.engine.url.render_as_string(hide_password=False)
    assert cli_main(["--db", url, "report", "monthly", "--month", MARCH, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"month", "region", "submitted", "revision", "rows", "total"}
    assert data["region"] == {"code": COUNTY, "name": "示例县"}
    assert list(data["total"]) == list(rep.FIGURE_KEYS)
    assert [r["code"] for r in data["rows"]][:3] == [TOWNSHIP, VILLAGE, VILLAGE2]
    assert set(data["rows"][0]) == {"code", "name", "level", "figures"}
    assert data["total"]["funds_allocated"] == "100000.00"
    assert data["total"]["added_by_reason"] == {"出生": 1, "婚入": 0, "迁入": 0, "其他": 0}

    assert cli_main(["--db", url, "report", "submit", "--month", MARCH]) == 0
    assert "第 1 次" in capsys.readouterr().out
    assert cli_main(["--db", url, "report", "monthly", "--month", MARCH, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["submitted"] is True and data["revision"] == 1
    assert cli_main(["--db", url, "report", "unlock", "--month", MARCH, "--reason", " "]) == 2
    err = capsys.readouterr().err.strip()
    assert "原因" in err and "\n" not in err
    assert cli_main(["--db", url, "report", "monthly", "--month", "2026/03"]) == 2
    assert "年-月" in capsys.readouterr().err
    assert cli_main(["--db", url, "report", "yearly", "--year", "2026", "--region", "123"]) == 2
    assert "区划代码" in capsys.readouterr().err
    assert cli_main(["--db", url, "report", "yearly", "--year", "2026", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == "2026"
