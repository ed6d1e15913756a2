"""Household import and export end to end: the layouts and faults counties send, exact rows
reported, exact records written, idempotent re-import, round trip, nothing half-written."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from factories import VILLAGE, add_regions, make_id
from fupin_desktop.cli import main
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import AuditLog, ChangeEvent, Household, ImportProfile, Member, SourceRow
from fupin_desktop.services import household_import as hi
from fupin_desktop.services.household_export import export_households
from fupin_desktop.services.registry import load_household
from fupin_desktop.sheets import profiles

REF = dt.date(2025, 6, 1)

HEAD_1 = make_id(dt.date(1970, 5, 1), 11)  # male
WIFE_1 = make_id(dt.date(1972, 3, 9), 12)  # female
SON_1 = make_id(dt.date(1998, 7, 1), 13)
HEAD_2 = make_id(dt.date(1960, 1, 2), 15)
DAUGHTER_2 = make_id(dt.date(1990, 2, 3), 16)

HEADERS = ["乡（镇）", "村", "户编号", "姓名", "证件号码", "与户主关系", "民族", "健康状况", "劳动技能",
           "文化程度", "户联系电话", "户类型", "脱贫年度", "是否参加城乡居民基本医疗保险",
           "是否参加城镇职工基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险",
           "是否享受农村居民最低生活保障", "是否特困供养人员", "务工时间（月）", "务工所在地"]


def person(no, name, id_number, relation, **over):
    row = {
        "乡（镇）": "城关镇", "村": "新寨村", "户编号": no, "姓名": name, "证件号码": id_number,
        "与户主关系": relation, "民族": "汉族", "健康状况": "健康", "劳动技能": "普通劳动力",
        "文化程度": "初中", "户联系电话": "13800001111", "户类型": "脱贫户", "脱贫年度": "2018年",
        "是否参加城乡居民基本医疗保险": "是", "是否参加城镇职工基本医疗保险": "否", "是否参加大病保险": "是",
        "是否参加城乡居民基本养老保险": "是", "是否享受农村居民最低生活保障": "否", "是否特困供养人员": "否",
        "务工时间（月）": None, "务工所在地": None,
    }
    row.update(over)
    return row


def base_people():
    return [
        person("5223261002010001", "张三", HEAD_1, "户主"),
        person("5223261002010001", "李四", WIFE_1, "配偶"),
        person("5223261002010001", "张小", SON_1, "之子", **{"务工时间（月）": 6, "务工所在地": "广东"}),
        person("5223261002010002", "王五", HEAD_2, "户主"),
        person("5223261002010002", "王丽", DAUGHTER_2, "之女"),
    ]


def write_xlsx(path, people, *, title=True, headers=HEADERS, total_row=True, blank_row=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "家庭成员"
    if title:
        ws.append(["××县脱贫人口家庭成员信息表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append(["填报单位：城关镇", None, None, None, "导出时间：2025-05-31"])
    ws.append(headers)
    for i, p in enumerate(people):
        if blank_row and i == 3:
            ws.append([])
        ws.append([p.get(h) for h in headers])
    if total_row:
        ws.append(["合计", None, None, f"{len(people)}人"])
    wb.save(path)
    return path


def run(db, path, **kw):
    kw.setdefault("ref_date", REF)
    return hi.import_households(db, path, **kw)


@pytest.fixture
def regions(db):
    with db.session() as s:
        add_regions(s)
    return db


def members(db):
    with db.session() as s:
        rows = s.execute(
            select(Household.household_no, Member.name, Member.id_number, Member.relation, Member.status,
                   Member.sex, Member.birth_date, Member.work_months, Member.seq)
            .join(Household).order_by(Household.household_no, Member.seq)
        ).all()
    return [tuple(r) for r in rows]


def test_first_import_writes_exact_records_and_summary(regions, tmp_path):
    db = regions
    path = write_xlsx(tmp_path / "a.xlsx", base_people())
    result = run(db, path)
    c = result.counts
    assert (c["rows_read"], c["rows_skipped"]) == (7, 2)  # 5 people + blank + 合计
    assert (c["households_created"], c["members_created"], c["households_updated"]) == (2, 5, 0)
    assert result.errors == []
    assert members(db) == [
        ("5223261002010001", "张三", HEAD_1, "01", "01", "1", dt.date(1970, 5, 1), None, 1),
        ("5223261002010001", "李四", WIFE_1, "02", "01", "2", dt.date(1972, 3, 9), None, 2),
        ("5223261002010001", "张小", SON_1, "03", "01", "1", dt.date(1998, 7, 1), 6, 3),
        ("5223261002010002", "王五", HEAD_2, "01", "01", "1", dt.date(1960, 1, 2), None, 1),
        ("5223261002010002", "王丽", DAUGHTER_2, "04", "01", "2", dt.date(1990, 2, 3), None, 2),
    ]
    with db.session() as s:
        hh = s.execute(select(Household).where(Household.household_no == "5223261002010001")).scalar_one()
        assert (hh.head_name, hh.head_id18, hh.member_count, hh.region_code) == ("张三", HEAD_1, 3, VILLAGE)
        assert (hh.phone, hh.household_type, hh.exit_year) == ("13800001111", "01", 2018)
        son = s.execute(select(Member).where(Member.id18 == SON_1)).scalar_one()
        assert son.id_tail == SON_1[-6:] and son.name_initials and son.source.row_no == 6
        # The sheet row is kept once per row, under the import's batch; a household
        # shares its 户主's.
        cells = son.source.as_dict()
        assert (cells["姓名"], cells["证件号码"]) == (son.name, SON_1)
        assert son.source.batch.file_name == path.name and son.source.batch.kind == "households"
        head = s.execute(select(Member).where(Member.id18 == HEAD_1)).scalar_one()
        assert hh.source_row_id == head.source_row_id != son.source_row_id
        assert s.scalar(select(func.count()).select_from(SourceRow)) == 5
        # … and the household window says where the record came from.
        shown = load_household(s, hh.id).source
        assert shown.startswith(f"{path.name}（") and f"第{hh.source.row_no}行" in shown and "导入" in shown
        notes = [a.note or "" for a in s.execute(select(AuditLog).where(AuditLog.action == "insert")).scalars()]
        assert any("新增 2 户" in n for n in notes) and any("新增 5 人" in n for n in notes)

    # The same file again changes nothing.
    again = run(db, path)
    assert again.counts["households_unchanged"] == 2 and again.counts["members_unchanged"] == 5
    assert again.counts["households_created"] == again.counts["members_updated"] == 0


def test_changes_are_reported_field_by_field_and_written(regions, tmp_path):
    db = regions
    run(db, write_xlsx(tmp_path / "a.xlsx", base_people()))
    people = base_people()
    people[2]["务工时间（月）"] = 8
    people[3]["户联系电话"] = "13900002222"
    people[4]["户联系电话"] = "13900002222"
    people.append(person("5223261002010002", "王小宝", make_id(dt.date(2024, 1, 5), 17), "之孙子",
                         **{"文化程度": None, "是否参加城乡居民基本养老保险": "否"}))
    del people[1]  # 李四 not in this file
    plan_file = write_xlsx(tmp_path / "b.xlsx", people)
    parsed = hi.read_file(plan_file)
    with db.session() as s:
        plan = hi.analyse(s, parsed, ref_date=REF)
    c = plan.counts()
    assert (c["households_updated"], c["members_updated"], c["members_created"], c["members_missing"]) == (2, 1, 1, 1)
    by_no = {hp.values["household_no"]: hp for hp in plan.households}
    assert [ch.describe() for ch in by_no["5223261002010002"].changes] == ["户联系电话：13800001111 → 13900002222"]
    son = next(m for m in by_no["5223261002010001"].members if m.status == "changed")
    assert [ch.describe() for ch in son.changes] == ["务工时间（月）：6 → 8"]
    assert [m["name"] for m in by_no["5223261002010001"].missing_members] == ["李四"]

    result = hi.commit(db, parsed, ref_date=REF, expected_fingerprint=plan.fingerprint())
    assert result.committed
    rows = members(db)
    assert ("5223261002010001", "李四", WIFE_1, "02", "01", "2", dt.date(1972, 3, 9), None, 2) in rows  # kept
    assert ("5223261002010001", "张小", SON_1, "03", "01", "1", dt.date(1998, 7, 1), 8, 3) in rows
    with db.session() as s:
        hh2 = s.execute(select(Household).where(Household.household_no == "5223261002010002")).scalar_one()
        assert (hh2.phone, hh2.member_count, hh2.version) == ("13900002222", 3, 2)
        assert hh2.source.batch.file_name == "b.xlsx"  # its fields now come from this file
        hh1 = s.execute(select(Household).where(Household.household_no == "5223261002010001")).scalar_one()
        assert hh1.source.batch.file_name == "a.xlsx"  # only its members changed
        events = s.execute(select(ChangeEvent)).scalars().all()
        assert [(e.type, e.member.name) for e in events] == [("03", "王小宝")]
        upd = s.execute(select(AuditLog).where(AuditLog.action == "update", AuditLog.table_name == "members")).scalars().all()
        assert [(a.old_values, a.new_values) for a in upd] == [({"work_months": 6}, {"work_months": 8})]
        # The changed member now points at its row of the second file.
        son_now = s.execute(select(Member).where(Member.id18 == SON_1)).scalar_one()
        assert son_now.source.batch.file_name == "b.xlsx"
        assert son_now.source.as_dict()["务工时间（月）"] == 8


def test_missing_members_recorded_as_natural_decrease(regions, tmp_path):
    db = regions
    run(db, write_xlsx(tmp_path / "a.xlsx", base_people()))
    people = [p for p in base_people() if p["姓名"] != "李四"]
    result = run(db, write_xlsx(tmp_path / "b.xlsx", people), record_missing=True, left_reason="21")
    assert result.counts["members_recorded_left"] == 1
    with db.session() as s:
        wife = s.execute(select(Member).where(Member.id18 == WIFE_1)).scalar_one()
        assert (wife.status, wife.left_reason, wife.left_on) == ("02", "21", REF)
        ev = s.execute(select(ChangeEvent)).scalar_one()
        assert (ev.type, ev.reason, ev.member_id, ev.reported_month) == ("04", "21", wife.id, "2025-06")
        assert s.execute(select(Household.member_count).where(Household.household_no == "5223261002010001")).scalar() == 2
        assert s.execute(select(func.count()).select_from(Member)).scalar() == 5  # nothing deleted
    with pytest.raises(UserError, match="减少原因"):
        run(db, write_xlsx(tmp_path / "c.xlsx", people), record_missing=True, left_reason="11")


def test_row_errors_exact_rows_and_household_rules(regions, tmp_path):
    db = regions
    people = base_people()
    people[1]["证件号码"] = 4.30524199001011e17  # digits lost
    people[2]["务工时间（月）"] = 13
    people[4]["与户主关系"] = "户主"  # second 户主 in household 2
    people.append(person("5223261002010003", "赵一", make_id(dt.date(1980, 1, 1), 19), "之子"))  # no 户主
    people.append(person("5223261002010004", "钱二", make_id(dt.date(1981, 1, 1), 21), "户主", 民族="火星族"))
    path = write_xlsx(tmp_path / "e.xlsx", people, blank_row=False)
    result = run(db, path, errors_out=tmp_path / "err.xlsx")
    got = [(e["row"], e["column"]) for e in result.to_json()["errors"]]
    assert got == [(5, "证件号码"), (6, "务工时间（月）"), (8, "与户主关系"), (9, "与户主关系"), (10, "民族")]
    messages = [e.message for e in result.errors]
    for text, needle in zip(messages, ["已经丢失", "0–12", "不能也是户主", "本户没有户主", "火星族"], strict=True):
        assert needle in text
    c = result.counts
    assert (c["households_created"], c["members_created"], c["households_skipped"]) == (1, 1, 3)
    assert members(db) == [("5223261002010001", "张三", HEAD_1, "01", "01", "1", dt.date(1970, 5, 1), None, 1)]
    ws = openpyxl.load_workbook(result.error_report).active
    assert ws.cell(3, len(HEADERS) + 1).value == "错误说明"
    assert "丢失" in ws.cell(5, len(HEADERS) + 1).value
    assert ws.cell(5, 5).fill.fgColor.rgb.endswith("FFC7CE")
    assert "本户未导入" in ws.cell(7, len(HEADERS) + 1).value  # 王五's row, because of 王丽


def test_strict_mode_writes_nothing(regions, tmp_path):
    db = regions
    people = base_people()
    people[4]["证件号码"] = DAUGHTER_2[:-1] + ("1" if DAUGHTER_2[-1] != "1" else "2")  # bad check digit
    result = run(db, write_xlsx(tmp_path / "s.xlsx", people), strict=True)
    assert result.strict_refused and not result.committed
    assert [e.excel_row for e in result.errors] == [9]
    assert members(db) == []


def test_layouts_merged_households_csv_gbk_xls_and_numbers(regions, tmp_path):
    db = regions
    # Household columns merged vertically, IDs/户编号/phone as numbers where digits survive.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["本表说明：…"])
    data = wb.create_sheet("花名册")
    data.append(["序号", "户编号", "户主姓名", "村", "姓名", "公民身份号码", "与户主的关系", "民族", "健康状况",
                 "劳动技能", "文化程度", "户主联系电话", "户类型", "脱贫年份", "城乡居民基本医疗保险",
                 "城镇职工基本医疗保险", "大病保险", "城乡居民基本养老保险", "是否低保", "是否特困供养"])
    rows = [
        [1, 52232610020100, "张三", "新寨村", "张三", HEAD_1.lower(), "本人或户主", "汉", "健康", "普通劳力", "初中",
         13800001111, "脱贫户", 2018, "√", "×", "是", "是", "否", "否"],
        [2, None, None, None, "李四", f" {WIFE_1} ", "妻子", "汉族", "健康", "普通劳动力", "小学",
         None, None, None, "是", "否", "是", "是", "否", "否"],
    ]
    for r in rows:
        data.append(r)
    for col in "BCDLMN":
        data.merge_cells(f"{col}2:{col}3")
    path = tmp_path / "m.xlsx"
    wb.save(path)
    result = run(db, path)
    assert result.sheet == "花名册"
    assert result.errors == [] and result.counts["members_created"] == 2
    assert [r[:4] for r in members(db)] == [("52232610020100", "张三", HEAD_1, "01"),
                                             ("52232610020100", "李四", WIFE_1, "02")]

    # The same people as GBK CSV with ="…" wrappers: nothing changes.
    csv_path = tmp_path / "m.csv"
    with csv_path.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["户编号", "村", "姓名", "证件号码", "与户主关系", "民族", "健康状况", "劳动技能", "文化程度",
                    "户联系电话", "户类型", "脱贫年度", "是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险",
                    "是否参加大病保险", "是否参加城乡居民基本养老保险", "是否享受农村居民最低生活保障", "是否特困供养人员"])
        for name, idn, rel in (("张三", HEAD_1, "户主"), ("李四", WIFE_1, "配偶")):
            w.writerow(['="52232610020100"', "新寨村", name, f'="{idn}"', rel, "汉族", "健康", "普通劳动力",
                        "初中" if name == "张三" else "小学", '="13800001111"', "脱贫户", "2018", "是", "否", "是",
                        "是", "否", "否"])
    again = run(db, csv_path)
    assert again.errors == [] and again.counts["members_unchanged"] == 2, again.to_json()

    # Legacy .xls with a two-row merged header and a 小计 row.
    book = xlwt.Workbook()
    s = book.add_sheet("户")
    s.write_merge(0, 0, 0, 9, "户籍信息")
    top = ["户编号", "村", "姓名", "证件号码", "与户主关系", "民族", "健康状况", "劳动技能", "文化程度"]
    for i, t in enumerate(top):
        s.write_merge(1, 2, i, i, t)
    s.write_merge(1, 1, 9, 10, "是否参加")
    s.write(2, 9, "城乡居民基本医疗保险")
    s.write(2, 10, "城镇职工基本医疗保险")
    for j, (name, idn, rel) in enumerate((("张三", HEAD_1, "户主"), ("李四", WIFE_1, "配偶"))):
        for i, v in enumerate(["52232610020100", "新寨村", name, idn, rel, "汉族", "健康", "普通劳动力",
                               "初中" if j == 0 else "文盲", "是", "否"]):
            s.write(3 + j, i, v)
    s.write(5, 0, "小计")
    xls = tmp_path / "h.xls"
    book.save(str(xls))
    parsed = hi.read_file(xls)
    assert (parsed.header.first_row, parsed.header.height, parsed.rows_skipped) == (1, 2, 1)
    with db.session() as s2:
        plan = hi.analyse(s2, parsed, ref_date=REF)
    changed = [m for hp in plan.households for m in hp.members if m.status == "changed"]
    assert [(m.values["name"], [c.describe() for c in m.changes]) for m in changed] == [
        ("李四", ["文化程度：小学 → 文盲或半文盲"])
    ]


def test_unknown_headers_need_a_mapping_remembered_as_profile(regions, tmp_path):
    db = regions
    headers = ["户号码", "村", "成员", "身份号", "身份", "民族", "健康状况", "劳动技能", "文化程度", "户联系电话",
               "户类型", "脱贫年度", "是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险", "是否参加大病保险",
               "是否参加城乡居民基本养老保险", "是否享受农村居民最低生活保障", "是否特困供养人员"]
    ren = {"户编号": "户号码", "姓名": "成员", "证件号码": "身份号", "与户主关系": "身份"}
    people = [{ren.get(k, k): v for k, v in p.items()} for p in base_people()[:2]]
    path = write_xlsx(tmp_path / "u.xlsx", people, headers=headers, total_row=False, blank_row=False)
    with pytest.raises(hi.MappingNeeded) as info:
        run(db, path)
    assert "姓名" in str(info.value) and info.value.header is not None
    assert main(["--db", db.url, "import", "households", str(path), "--json"]) == 2

    mapping = {"户号码": "household_no", "成员": "name", "身份号": "id_number", "身份": "relation"}
    with db.session() as s:
        profiles.save_profile(s, hi.PROFILE_KIND, info.value.header.texts(), mapping)
    result = run(db, path)  # remembered
    assert result.counts["members_created"] == 2 and result.errors == []
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(ImportProfile)).scalar() == 1


def test_export_imports_back_with_zero_changes_and_masks(regions, tmp_path):
    db = regions
    run(db, write_xlsx(tmp_path / "a.xlsx", base_people()))
    out = tmp_path / "out.xlsx"
    res = export_households(db, out)
    assert (res.households, res.members) == (2, 5)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["县", "乡（镇）", "村", "行政区划代码"] and ws.freeze_panes == "A2"
    ids = [r[header.index("证件号码")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert ids == [HEAD_1, WIFE_1, SON_1, HEAD_2, DAUGHTER_2]
    assert ws.cell(2, header.index("证件号码") + 1).data_type == "s"
    back = run(db, out, dry_run=True)
    c = back.counts
    assert back.errors == []
    assert (c["households_unchanged"], c["members_unchanged"], c["households_updated"], c["members_updated"],
            c["households_created"], c["members_created"]) == (2, 5, 0, 0, 0, 0)

    masked = tmp_path / "masked.xlsx"
    export_households(db, masked, region=VILLAGE, mask=True)
    ws = openpyxl.load_workbook(masked).active
    row = [c.value for c in ws[2]]
    assert row[header.index("证件号码")] == HEAD_1[:6] + "********" + HEAD_1[-4:]
    assert row[header.index("户联系电话")] == "138****1111"
    with pytest.raises(UserError, match="不在本系统"):
        export_households(db, tmp_path / "x.xlsx", region="999999999999")


def test_concurrent_change_between_review_and_commit(regions, tmp_path):
    db = regions
    run(db, write_xlsx(tmp_path / "a.xlsx", base_people()))
    people = base_people()
    people[0]["户联系电话"] = "13700000000"
    parsed = hi.read_file(write_xlsx(tmp_path / "b.xlsx", people))
    with db.session() as s:
        fp = hi.analyse(s, parsed, ref_date=REF).fingerprint()
    with db.session() as s:  # someone edits the household meanwhile
        hh = s.execute(select(Household).where(Household.household_no == "5223261002010001")).scalar_one()
        hh.bank_name = "农商行"
    with pytest.raises(ConcurrentEditError):
        hi.commit(db, parsed, ref_date=REF, expected_fingerprint=fp)


def test_cli_json_and_exit_codes(regions, tmp_path, capsys):
    db = regions
    path = write_xlsx(tmp_path / "a.xlsx", base_people())
    assert main(["--db", db.url, "import", "households", str(path), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["households_created"] == 2 and out["members_created"] == 5 and out["errors"] == []
    assert members(db) == []
    assert main(["--db", db.url, "import", "households", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["members_created"] == 5
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a spreadsheet at all, just text\x00\x01\x02" * 10)
    assert main(["--db", db.url, "import", "households", str(bad), "--json"]) == 2
    assert "不是可识别" in capsys.readouterr().err
    out_file = tmp_path / "e.xlsx"
    assert main(["--db", db.url, "export", "households", str(out_file), "--region", VILLAGE]) == 0
    assert "已导出 2 户 5 人" in capsys.readouterr().out


def test_killed_mid_import_leaves_database_as_it_was(regions, tmp_path):
    db = regions
    path = write_xlsx(tmp_path / "a.xlsx", base_people())
    script = textwrap.dedent(f"""
        import os, signal
        from fupin_desktop.db import open_database
        from fupin_desktop.services import household_import as hi
        def die(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        hi._refresh_summaries = die  # after households and members are inserted
        hi.import_households(open_database({db.url!r}), {str(path)!r})
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=120)
    assert proc.returncode == -9
    assert members(db) == []
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Household)).scalar() == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                                                              "姓名,证件号码\n".encode("gbk")]))
def test_fuzzed_files_never_raise_past_the_command(sqlite_db, tmp_path, capsys, data, prefix):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(prefix + data)
    code = main(["--db", sqlite_db.url, "import", "households", str(path), "--json"])
    assert code in (0, 2)
    capsys.readouterr()


def test_truncated_real_workbook_is_reported(sqlite_db, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", base_people())
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(UserError, match="损坏"):
        hi.read_file(broken)


def test_large_sqlite_import_rebuilds_indexes_and_rolls_back_whole(sqlite_db, tmp_path, monkeypatch):
    """A large commit on SQLite drops and rebuilds the households/members indexes inside its
    transaction: the records are the same, the indexes are back, and a failure restores all."""
    db = sqlite_db
    with db.session() as s:
        add_regions(s)

    def index_names():
        with db.session() as s:
            return sorted(r[0] for r in s.connection().exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('households', 'members')"))

    before = index_names()
    assert before
    monkeypatch.setattr(hi, "_BULK_ROWS", 0)
    path = write_xlsx(tmp_path / "a.xlsx", base_people())

    def boom(*_a, **_k):
        raise RuntimeError("disk gone")

    with monkeypatch.context() as m:
        m.setattr(hi, "_refresh_summaries", boom)
        with pytest.raises(RuntimeError):
            run(db, path)
    assert members(db) == [] and index_names() == before

    result = run(db, path)
    assert result.counts["members_created"] == 5 and index_names() == before
    assert [r[:2] for r in members(db)] == [
        ("5223261002010001", "张三"), ("5223261002010001", "李四"), ("5223261002010001", "张小"),
        ("5223261002010002", "王五"), ("5223261002010002", "王丽")]
    with db.session() as s:
        hh = s.execute(select(Household).where(Household.household_no == "5223261002010001")).scalar_one()
        assert (hh.head_name, hh.member_count) == ("张三", 3)
