"""项目库 batch import/export: the county template (title row, header on row 2, 万元, aliases),
row errors with their exact cell, dry run, idempotence, export → import round trip, bad files."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from fupin_desktop.cli import main
from fupin_desktop.models import AuditLog, Project, ProjectFunding, ProjectStatusLog
from fupin_desktop.services import project_exchange as X
from fupin_desktop.services import projects as P
from tests.factories import TOWNSHIP, VILLAGE, add_regions

HEADER = [
    "序号", "项目所属年度", "项目名称", "项目类别", "项目类型", "项目状态", "主管部门", "所属乡镇", "所属村",
    "实施单位", "实施地点", "建设性质", "实施开始年月", "实施完结年月", "是否贫困村", "建设内容及规模", "绩效目标",
    "带贫机制", "受益贫困户(户)", "受益贫困人口(人)", "项目负责人", "联系方式", "项目总投资（万元）",
    "本次拟申请资金（万元）", "中央资金（万元）", "省级资金（万元）", "市级资金（万元）", "县级资金（万元）",
    "社会资金（万元）", "是否统筹整合项目", "县文件号", "钱物是否直接补助到人", "是否脱贫攻坚项目", "是否公示",
]  # fmt: skip


def template_row(seq, name, *, category="乡村建设", sub="进村道路硬化", total=50, central=30, county=20,
                 village="新寨村", nature="新建", phone="13800001111"):  # fmt: skip
    return [
        seq, 2024, name, category, sub, "村级申报", "县交通运输局", "城关镇", village, "新寨村民委员会",
        "新寨村一组至三组", nature, "2024年3月", "2024-10", "是", "硬化道路2公里", "硬化道路2公里，满意度≥95%",
        "优先吸纳脱贫劳动力务工", 12, 40, "王五", phone, total, total, central, None, None, county, None, "否",
        "示县发〔2024〕5号", "否", "是", "是",
    ]  # fmt: skip


def write_template(path, rows, title="示例县2024年度巩固衔接项目批量导入模板"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def regions(db):
    with db.session() as s:
        add_regions(s)
    return db


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_template_with_title_row_wan_amounts_and_aliases(regions, tmp_path):
    db = regions
    path = write_template(tmp_path / "t.xlsx", [
        template_row(1, "新寨村通组路硬化项目", total=12.3456, central=10.0006, county=2.345),
        template_row(2, "新寨村饮水巩固提升工程", category="饮水安全巩固提升", sub=None, total=8, central=8, county=None),
    ])  # fmt: skip
    result = X.import_projects(db, path)
    assert result.errors == []
    assert result.counts["projects_created"] == 2
    assert result.counts["rows_read"] == 2
    assert "项目总投资（万元）" in result.amounts_in_wan
    with db.session() as s:
        road = s.scalar(select(Project).where(Project.name == "新寨村通组路硬化项目"))
        assert road.total_funds == Decimal("123456.00")
        assert road.requested_funds == Decimal("123456.00")
        assert {f.level: f.amount for f in road.fundings} == {"01": Decimal("100006.00"), "04": Decimal("23450.00")}
        assert (road.category, road.subcategory, road.status) == ("23", "2301", P.DECLARED)
        assert road.region_code == VILLAGE and road.construction_nature == "01"
        assert (road.start_ym, road.end_ym) == ("2024-03", "2024-10")
        assert road.in_poor_village is True and road.is_integrated is False
        assert road.integration == {"county_doc_no": "示县发〔2024〕5号"}
        assert road.manager_phone == "13800001111"
        assert road.beneficiaries_poor_hh == 12 and road.beneficiaries_poor_persons == 40
        assert road.project_no.startswith("5223262024")
        logs = s.scalars(select(ProjectStatusLog).where(ProjectStatusLog.project_id == road.id)).all()
        assert [(lg.from_status, lg.to_status) for lg in logs] == [(None, P.DECLARED)]
        water = s.scalar(select(Project).where(Project.name == "新寨村饮水巩固提升工程"))
        # A sub-type given as the category: its parent becomes the category (the save path's rule).
        assert (water.category, water.subcategory) == ("23", "2302")


def test_bad_rows_are_reported_with_their_cell_and_the_rest_imported(regions, tmp_path, capsys):
    db = regions
    rows = [
        template_row(1, "新寨村通组路硬化项目"),
        template_row(2, "新寨村火箭发射项目", category="火箭", sub=None),  # Excel row 4
        template_row(3, "新寨村产业路项目", total=60),  # funds 30 + 20 ≠ 60, Excel row 5
        template_row(4, "某村项目", village="不存在村"),  # Excel row 6
        template_row(5, "新寨村通组路硬化项目"),  # duplicate of row 3, Excel row 7
    ]
    path = write_template(tmp_path / "t.xlsx", rows)
    report = tmp_path / "errors.xlsx"
    assert main(["--db", db.url, "import", "projects", str(path), "--json", "--errors", str(report)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["projects_created"] == 1 and out["projects_updated"] == 0
    errs = {(e["row"], e["column"]) for e in out["errors"]}
    assert (4, "项目类别") in errs
    assert (5, "项目总投资（万元）") in errs
    assert (6, "所属村") in errs
    assert (7, "项目名称") in errs
    bad = next(e for e in out["errors"] if e["row"] == 4)
    assert bad["value"] == "火箭" and "项目类别" in bad["message"]
    money = next(e for e in out["errors"] if e["row"] == 5)
    assert "分级资金合计" in money["message"]
    assert count(db, Project) == 1

    ws = load_workbook(report).active
    assert ws.cell(1, 1).value.endswith("项目批量导入模板")
    assert ws.cell(2, len(HEADER) + 1).value == "错误说明"
    assert ws.cell(4, HEADER.index("项目类别") + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert "项目类别" in ws.cell(4, len(HEADER) + 1).value
    assert ws.cell(3, len(HEADER) + 1).value is None


def test_dry_run_writes_nothing_and_second_import_changes_nothing(regions, tmp_path):
    db = regions
    path = write_template(tmp_path / "t.xlsx", [template_row(1, "新寨村通组路硬化项目"),
                                                template_row(2, "新寨村产业路项目", total=40, central=40, county=0)])
    from fupin_desktop.services.trust import list_backups

    def import_backups() -> int:
        return sum(b.reason == "import" for b in list_backups(db.engine.url)) if db.is_sqlite else 0

    audits = count(db, AuditLog)
    dry = X.import_projects(db, path, dry_run=True)
    assert dry.counts["projects_created"] == 2 and not dry.committed
    assert count(db, Project) == 0 and count(db, ProjectFunding) == 0 and count(db, AuditLog) == audits
    assert import_backups() == 0  # a dry run writes nothing, so it backs nothing up

    first = X.import_projects(db, path)
    assert first.counts["projects_created"] == 2 and first.committed
    assert import_backups() == (1 if db.is_sqlite else 0)  # the automatic backup before an import
    second = X.import_projects(db, path)
    assert second.counts == {**second.counts, "projects_created": 0, "projects_updated": 0, "projects_unchanged": 2}
    assert not second.committed and count(db, Project) == 2


def test_changes_are_listed_old_to_new_and_keep_the_status(regions, tmp_path):
    db = regions
    path = write_template(tmp_path / "t.xlsx", [template_row(1, "新寨村通组路硬化项目")])
    X.import_projects(db, path)
    with db.session() as s:
        pid = s.scalar(select(Project.id))
        P.transition(s, pid, P.VILLAGE_NOTICE, date=dt.date.today(), doc_no="公示1")
        number = s.get(Project, pid).project_no
    rows = [template_row(1, "新寨村通组路硬化项目", total=60, central=40, county=20)]
    path = write_template(tmp_path / "t2.xlsx", rows)
    result = X.import_projects(db, path)
    assert result.counts["projects_updated"] == 1
    changes = {c.key: (c.old, c.new) for c in result.rows[0].changes}
    assert changes["total_funds"] == (Decimal("500000.00"), Decimal("600000.00"))
    assert changes["fund_01"] == (Decimal("300000.00"), Decimal("400000.00"))
    assert "fund_04" not in changes
    assert [w.column for w in result.warnings] == ["项目状态"]  # file says 村级申报: not applied
    with db.session() as s:
        project = s.get(Project, pid)
        assert project.status == P.VILLAGE_NOTICE and project.project_no == number
        assert sum(f.amount for f in project.fundings) == Decimal("600000.00")


def test_export_imports_back_with_no_change(regions, tmp_path, capsys):
    db = regions
    with db.session() as s:
        P.create_project(s, P.ProjectInput(
            year=2024, name="新寨村通组路硬化项目（一期）", region_code=VILLAGE, category="23", subcategory="2301",
            total_funds="500000.50", fundings=[P.FundingInput("01", "300000.25", "01", "黔财农〔2024〕1号"),
                                               P.FundingInput("05", "200000.25")],
            scope_and_content="硬化道路2公里，宽4.5米。", manager_phone="0859-1234567", start_ym="2024-03",
            in_poor_village=False, integration={"catalog_type": "农村道路", "integrated_amount": "50"},
            beneficiaries_poor_hh=0, note="第一行\n第二行",
        ))  # fmt: skip
        P.create_project(s, P.ProjectInput(year=2023, name="城关镇项目管理费", region_code=TOWNSHIP, category="90"))
    out = tmp_path / "导出.xlsx"
    assert main(["--db", db.url, "export", "projects", str(out)]) == 0
    ws = load_workbook(out).active
    assert X.TEMPLATE_TITLE in ws.cell(1, 1).value
    assert ws.cell(2, 2).value == "项目编号" and ws.cell(2, 2).font.b
    assert ws.freeze_panes == "A3"
    assert ws.cell(3, 2).data_type == "s"  # 项目编号 stays text
    capsys.readouterr()
    assert main(["--db", db.url, "import", "projects", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["errors"] == [] and result["warnings"] == []
    assert (result["projects_unchanged"], result["projects_created"], result["projects_updated"]) == (2, 0, 0)
    assert main(["--db", db.url, "export", "projects", str(tmp_path / "y.xlsx"), "--year", "2023"]) == 0
    assert load_workbook(tmp_path / "y.xlsx").active.max_row == 3


def test_unreadable_or_broken_files_never_raise_past_the_command(regions, tmp_path, capsys):
    db = regions
    rng = random.Random(6)
    cases = {
        "empty.xlsx": b"",
        "noise.xlsx": bytes(rng.randrange(256) for _ in range(3000)),
        "truncated.xlsx": None,
        "nohead.csv": "甲,乙\n1,2\n".encode("gbk"),
    }
    good = write_template(tmp_path / "good.xlsx", [template_row(1, "新寨村通组路硬化项目")])
    cases["truncated.xlsx"] = good.read_bytes()[:900]
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert main(["--db", db.url, "import", "projects", str(path)]) == 2, name
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.strip()
    # Garbage in every cell of a well-formed template: processed, every row an error or a project.
    junk = [None, "", "abc", -5, 1e300, "２０２４", "是否", dt.date(1900, 1, 1), "=SUM(A1)", "中央", 3.5, "万元", 5e13, 10**10, "9999999999999"]
    rows = [[rng.choice(junk) for _ in HEADER] for _ in range(40)]
    path = write_template(tmp_path / "junk.xlsx", rows)
    assert main(["--db", db.url, "import", "projects", str(path), "--json", "--errors", str(tmp_path / "e.xlsx")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows_read"] + out["rows_skipped"] <= 40
    assert out["projects_created"] + len({e["row"] for e in out["errors"]}) == out["rows_read"]


def test_commit_refuses_when_the_file_or_the_projects_changed_since_the_review(regions, tmp_path):
    from fupin_desktop.errors import ConcurrentEditError

    db = regions
    path = write_template(tmp_path / "t.xlsx", [template_row(1, "新寨村通组路硬化项目")])
    X.import_projects(db, path)
    rows = [template_row(1, "新寨村通组路硬化项目", total=60, central=40, county=20)]
    path = write_template(tmp_path / "t2.xlsx", rows)
    reviewed = X.import_projects(db, path, dry_run=True)
    assert reviewed.fingerprint() == X.import_projects(db, path, dry_run=True).fingerprint()

    with db.session() as s:  # another clerk edits the project after the review
        project = s.scalar(select(Project))
        project.fundings[0].amount = Decimal("350000.00")
    with pytest.raises(ConcurrentEditError, match="没有导入"):
        X.import_projects(db, path, expected_fingerprint=reviewed.fingerprint())
    with db.session() as s:
        assert sum(f.amount for f in s.scalar(select(Project)).fundings) == Decimal("550000.00")

    reviewed = X.import_projects(db, path, dry_run=True)
    write_template(path, [template_row(1, "新寨村通组路硬化项目", total=70, central=50, county=20)])  # edited in Excel
    with pytest.raises(ConcurrentEditError):
        X.import_projects(db, path, expected_fingerprint=reviewed.fingerprint())

    reviewed = X.import_projects(db, path, dry_run=True)
    done = X.import_projects(db, path, expected_fingerprint=reviewed.fingerprint())
    assert done.committed and done.counts["projects_updated"] == 1
    with db.session() as s:
        assert sum(f.amount for f in s.scalar(select(Project)).fundings) == Decimal("700000.00")


def test_place_names_in_their_usual_variants(regions, tmp_path):
    """城关 for 城关镇, 新寨村委会 for 新寨村, full-width spaces: the one region resolver."""
    db = regions
    first = template_row(1, "新寨村通组路硬化项目", village="新寨村委会")
    first[HEADER.index("所属乡镇")] = "城关"
    second = template_row(2, "新寨村饮水巩固提升工程", village="新寨\u3000村民委员会")
    third = template_row(3, "某村项目", village="大坡村")  # not in 区划表: an error on 所属村
    path = write_template(tmp_path / "t.xlsx", [first, second, third])
    result = X.import_projects(db, path)
    assert result.counts["projects_created"] == 2
    (error,) = result.errors
    assert (error.excel_row, error.column) == (5, "所属村") and "区划" in error.message
    with db.session() as s:
        assert set(s.scalars(select(Project.region_code))) == {VILLAGE}
