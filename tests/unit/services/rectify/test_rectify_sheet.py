"""整改清单 from a county-style sheet (title rows, merged headers, section rows, 时限 as a
date, text or Excel serial), its round trip, failures that change nothing, the CLI and the
printed list."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from fupin_desktop.cli import main
from fupin_desktop.models import RectifyItem, RectifyProgress
from fupin_desktop.services import rectify
from tests.factories import add_household, add_regions

PAST = dt.date(2021, 6, 30)


def county_sheet(path, rows=None):
    """As a county office sends it: two title rows, a header merged over two rows with
    groups 「责任落实」 and 「整改情况」, a section row, a category merged down three rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(["某县巩固拓展脱贫攻坚成果问题整改清单"])
    ws.merge_cells("A1:K1")
    ws.append(["填报单位：城关镇（盖章）", None, None, None, None, None, None, None, "填报日期：2021年5月"])
    ws.append(["序号", "问题来源", "问题类型", "存在问题", "涉及村（社区）", "责任落实", None, None,
               "整改情况", None, "涉及农户"])
    ws.append([None, None, None, None, None, "牵头领导", "牵头单位", "责任人", "整改时限", "完成情况", None])
    for col in "ABCDEK":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("F3:H3")
    ws.merge_cells("I3:J3")
    ws.append(["一、“两不愁三保障”方面"] + [None] * 10)
    ws.merge_cells("A5:K5")
    body = rows or [
        [1, "省级成效考核", "两不愁、三保障", "2户危房未改造", "新寨村委会", "王副镇长", "镇村建站", "李明",
         PAST, "已完成整改", "5223261002010001"],
        [2, "巡察反馈", None, "1名学生辍学未劝返", "新寨村", "赵副镇长", "中心学校", "周红",
         "2021年9月底", "正在整改", None],
        [3, "暗访", None, "慢病签约服务未落实", None, "赵副镇长", "镇卫生院", "吴刚",
         44561, "整改中", None],
        [4, "群众举报", "扶贫小额信贷", "贷款逾期未收回", None, "钱副镇长", "镇财政所", "孙丽",
         "立行立改", "未整改", None],
    ]
    for r in body:
        ws.append(r)
    if rows is None:
        ws.merge_cells("C6:C8")  # the category written once for three rows
    wb.save(path)
    return path


def _setup(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)


def _count(db):
    with db.session() as s:
        return s.scalar(select(func.count(RectifyItem.id)))


def test_county_sheet_imports_and_round_trips(db, tmp_path):
    _setup(db)
    path = county_sheet(tmp_path / "清单.xlsx")
    report = rectify.import_list(db, path, dry_run=True)
    assert report.issues == [], [str(i) for i in report.issues]
    assert (report.rows, len(report.new)) == (4, 4)
    assert _count(db) == 0  # a dry run writes nothing
    report = rectify.import_list(db, path)
    assert report.applied and len(report.new) == 4
    with db.session() as s:
        rows = {r.description: r for r in rectify.list_items(s)}
    first = rows["2户危房未改造"]
    assert (first.source_label, first.category_label, first.status_label) == ("考核", "两不愁三保障", "已完成")
    assert (first.lead, first.unit, first.person, first.deadline) == ("王副镇长", "镇村建站", "李明", PAST)
    assert first.villages == ["新寨村"] and first.households == ["5223261002010001"]
    # The merged category cell covers rows 2 and 3; 时限 as text and as an Excel serial.
    assert rows["1名学生辍学未劝返"].category_label == "两不愁三保障"
    assert rows["1名学生辍学未劝返"].deadline == dt.date(2021, 9, 30)
    assert rows["慢病签约服务未落实"].deadline == dt.date(2021, 12, 31)
    assert rows["慢病签约服务未落实"].overdue and not first.overdue
    assert (rows["贷款逾期未收回"].deadline, rows["贷款逾期未收回"].deadline_text) == (None, "立行立改")
    # The same county sheet again: matched by description, nothing changes.
    again = rectify.import_list(db, path, dry_run=True)
    assert (again.unchanged, again.new, again.changed, again.issues) == (4, [], [], [])

    out = tmp_path / "导出.xlsx"
    assert rectify.export_list(db, out) == 4
    same = rectify.import_list(db, out, dry_run=True)
    assert (same.unchanged, same.new, same.changed, same.issues) == (4, [], [], [])
    wb = load_workbook(out)
    ws = wb["整改清单"]
    head = [c.value for c in ws[3]]
    assert head[:4] == ["序号", "问题编号", "问题来源", "问题类别"]
    col = {h: i + 1 for i, h in enumerate(head)}
    assert ws.cell(4, col["涉及农户户编号"]).data_type == "s"
    assert ws.cell(4, col["整改时限"]).data_type == "s"
    assert "共 2 类 4 个问题" in wb["汇总"].cell(wb["汇总"].max_row - 1, 1).value
    # Edit it as a clerk would: a status, a progress note with evidence, a new problem.
    r = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, col["问题描述"]).value == "1名学生辍学未劝返")
    ws.cell(r, col["整改状态"]).value = "已完成"
    ws.cell(r, col["完成时间"]).value = dt.date(2021, 9, 20)
    ws.cell(r, col["整改进展"]).value = "已劝返复学"
    ws.cell(r, col["佐证材料"]).value = "复学证明.pdf"
    new = [None] * len(head)
    for key, value in (("问题来源", "自查"), ("问题类别", "饮水安全"), ("问题描述", "=水质未检测"),
                       ("整改时限", "2022-03-31")):
        new[col[key] - 1] = value
    ws.append(new)
    for c in ws[ws.max_row]:
        if c.value == "=水质未检测":
            c.data_type = "s"
    wb.save(out)
    report = rectify.import_list(db, out)
    assert report.issues == [] and report.applied
    assert [r.description for r in report.new] == ["=水质未检测"]
    assert [c[0] for c in report.changed[0].changes] == ["整改状态", "完成时间", "整改进展", "佐证材料"]
    with db.session() as s:
        rows = {r.description: r for r in rectify.list_items(s)}
        item = rows["1名学生辍学未劝返"]
        assert (item.status_label, item.completed_on) == ("已完成", dt.date(2021, 9, 20))
        assert (item.last_progress, item.last_evidence) == ("已劝返复学", "复学证明.pdf")
        assert rows["=水质未检测"].category_label == "安全饮水"
    out2 = tmp_path / "再导出.xlsx"
    rectify.export_list(db, out2)
    again = rectify.import_list(db, out2, dry_run=True)
    assert (again.unchanged, again.new, again.changed) == (5, [], [])
    # Blank 整改进展 / 佐证材料 cells leave the progress history alone.
    wb = load_workbook(out2)
    ws = wb["整改清单"]
    for r in range(4, ws.max_row + 1):
        ws.cell(r, col["整改进展"]).value = ws.cell(r, col["佐证材料"]).value = None
    wb.save(out2)
    again = rectify.import_list(db, out2, dry_run=True)
    assert (again.unchanged, again.new, again.changed, again.issues) == (5, [], [], [])


def test_a_bad_row_changes_nothing_and_names_row_and_column(db, tmp_path):
    _setup(db)
    rows = [
        [1, "巡视", "安全饮水", "水池渗漏", "新寨村", "王", "水务站", "李", "2021-06-30", "已完成", None],
        [2, "小道消息", "其他", "x", None, None, None, None, "2021-02-30", "正在整改", "9999"],
        [3, "审计", "其他", None, "不存在村", None, None, None, None, "好了", None],
    ]
    report = rectify.import_list(db, county_sheet(tmp_path / "坏.xlsx", rows))
    assert not report.applied and _count(db) == 0
    assert [(i.row, i.column) for i in report.issues] == [
        (7, "问题来源"), (7, "整改时限"), (7, "涉及农户"), (8, "存在问题"), (8, "涉及村（社区）"), (8, "完成情况")]
    messages = [str(i) for i in report.issues]
    assert messages[0].startswith("第 7 行“问题来源”列：问题来源“小道消息”不在可选范围内")
    assert "9999" in messages[2] and "不存在村" in messages[4] and "好了" in messages[5]


def test_cli_import_list_export_and_print(sqlite_db, tmp_path, capsys):
    _setup(sqlite_db)
    url = sqlite_db.url
    path = county_sheet(tmp_path / "清单.xlsx")
    assert main(["--db", url, "rectify", "import", str(path), "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["applied"], len(dry["new"]), dry["issues"]) == (False, 4, [])
    assert main(["--db", url, "rectify", "import", str(path)]) == 0
    assert "新增 4 个" in capsys.readouterr().out
    assert main(["--db", url, "rectify", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["by_status"] == {"未整改": 1, "正在整改": 2, "已完成": 1, "已完成并长期坚持": 0}
    first = next(i for i in listed["items"] if i["deadline"] == "2021-06-30")
    assert set(first) >= {"id", "source", "category", "status", "deadline", "overdue"}
    assert (first["source"], first["category"], first["status"], first["overdue"]) == ("考核", "两不愁三保障", "已完成", False)
    assert sorted(i["overdue"] for i in listed["items"]) == [False, False, True, True]
    assert main(["--db", url, "rectify", "list", "--json", "--overdue"]) == 0
    assert len(json.loads(capsys.readouterr().out)["items"]) == 2
    assert main(["--db", url, "rectify", "list", "--status", "好了"]) == 2
    assert "整改状态" in capsys.readouterr().err
    out = tmp_path / "导出.xlsx"
    assert main(["--db", url, "rectify", "export", str(out)]) == 0
    assert out.exists()
    pdf = tmp_path / "整改清单.pdf"
    assert main(["--db", url, "print", "rectify", "-o", str(pdf), "--status", "正在整改", "未整改"]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "整改清单" in text and "慢病签约服务未落实" in text and "贷款逾期未收回" in text
    assert "2户危房未改造" not in text  # filtered out: 已完成
    assert "共 2 类 4 个问题：已完成 1 个，正在整改 2 个" in text.replace("\n", "")
    assert "九个清零" in text
    # A bad sheet: exit 2, nothing written.
    bad = county_sheet(tmp_path / "坏.xlsx", [[1, "小道消息", "其他", "x", None, None, None, None, None, None, None]])
    assert main(["--db", url, "rectify", "import", str(bad)]) == 2
    assert "问题来源" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        raise SystemExit(main(["--db", url, "rectify", "list"]))
