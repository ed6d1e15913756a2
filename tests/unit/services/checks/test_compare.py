"""比对 lists: reading any layout, matching on normalised IDs, marks kept across imports."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from fupin_desktop.errors import UserError
from fupin_desktop.models import ComparisonList, ComparisonRow, Member
from fupin_desktop.services.checks import compare as cmp
from tests.factories import add_household, add_regions, make_id

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _x_id() -> str:
    """A valid ID ending in X (to be written lower-case in a list)."""
    for seq in range(1, 999):
        candidate = make_id(dt.date(1985, 7, 14), seq)
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no X check char")


def _county(db) -> dict[str, str]:
    """Two households; returns name → ID of their members."""
    with db.session() as s:
        add_regions(s)
        add_household(s, no="5223261002010001", head="张三", seq=1)
        hh = add_household(s, no="5223261002010002", head="王五", seq=2)
        hh.members[1].name = "周九"
        xid = _x_id()
        hh.members.append(Member(name="赵六", relation="03", sex="1", id_number=xid, id18=xid, seq=3))
        hh.member_count = 3
        s.flush()
        return {m.name: m.id18 for m in s.scalars(select(Member))}


def _xlsx(path, rows, *, title=True):
    """A list as departments send it: title row, a two-row merged header."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "财政供养人员"
    if title:
        ws.append(["某某县财政供养人员花名册（2024年12月）"])
        ws.merge_cells("A1:E1")
    top = ws.max_row + 1 if title else 1
    ws.append(["序号", "单位", "人员信息", None, "备注"])
    ws.append([None, None, "姓名", "公民身份号码", None])
    for col in "ABE":
        ws.merge_cells(f"{col}{top}:{col}{top + 1}")
    ws.merge_cells(f"C{top}:D{top}")
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_hits_near_misses_and_unusable_ids(db, tmp_path):
    ids = _county(db)
    other = make_id(dt.date(1990, 1, 1), 77)  # valid, nobody in the county has it
    elsewhere = make_id(dt.date(1970, 5, 1), 3, prefix="110101")  # another county, same birth
    path = _xlsx(tmp_path / "财政供养.xlsx", [
        [1, "县教育局", "张三", ids["张三"], None],                         # hit
        [2, "县医院", "张三", other, "同名不同号"],                          # near miss: same name, other ID
        [3, "县林业局", "李 四", ids["李四"].translate(FULL), None],         # full-width digits → hit
        [4, "县水务局", "赵六", _x_id().lower(), None],                      # lower-case x → hit
        [5, "县交通局", "钱七", float(ids["王五"]), None],                   # stored as a number: digits lost
        [6, "县财政局", "孙八", elsewhere, None],                            # not in the county
        [None, None, None, None, None],
        ["合计", None, None, None, None],
    ])
    with db.session() as s:
        result = cmp.import_list(s, path, "财政供养人员", user="甲")
    assert (result.rows_read, result.ids_valid) == (6, 5)
    assert [(u.row, "丢失" in u.message) for u in result.unusable] == [(8, True)]
    assert {(h.name, h.household_no, h.name_differs) for h in result.hits} == {
        ("张三", "5223261002010001", False), ("李四", "5223261002010001", False),
        ("赵六", "5223261002010002", False)}
    hit = next(h for h in result.hits if h.name == "张三")
    assert hit.id_number == ids["张三"] and hit.row_no == 4 and hit.list_values["单位"] == "县教育局"
    assert "退出" in hit.action and "财政供养人员" in hit.finding
    assert result.name_column == "姓名" and result.id_column == "公民身份号码"


def test_same_id_other_name_is_flagged(db, tmp_path):
    ids = _county(db)
    path = _xlsx(tmp_path / "车辆.xlsx", [[1, "黔A12345", "张叁", ids["张三"], "小型轿车"]], title=False)
    with db.session() as s:
        hits = cmp.import_list(s, path, "车辆登记", user="甲").hits
    assert [(h.name, h.list_name, h.name_differs) for h in hits] == [("张三", "张叁", True)]
    assert "不同" in hits[0].finding


def test_marks_survive_reimport_and_rows_are_replaced(db, tmp_path):
    ids = _county(db)
    path = tmp_path / "死亡人员名单.csv"
    path.write_bytes(f"死亡人员花名册\n姓名,身份证号,死亡日期\n张三,{ids['张三']},2024-03-02\n"
                     f"王五,{ids['王五']},2024-05-06\n".encode("gbk"))
    with db.session() as s:
        first = cmp.import_list(s, path, "死亡人员", user="甲")
        assert [h.name for h in first.hits] == ["张三", "王五"] and "登记死亡" in first.hits[0].action
        cmp.mark_hit(s, "死亡人员", ids["张三"], "已入户核实，系同名同号错误登记，本人健在", user="甲")
    path.write_bytes(f"姓名,身份证号,死亡日期\n张三,{ids['张三']},2024-03-02\n".encode("gbk"))
    with db.session() as s:
        second = cmp.import_list(s, path, "死亡人员", user="乙")
    assert second.version == 2 and second.list_id == first.list_id
    assert [(h.name, h.verified, h.note) for h in second.hits] == [
        ("张三", True, "已入户核实，系同名同号错误登记，本人健在")]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ComparisonRow)) == 1
        [summary] = cmp.comparison_lists(s)
    assert (summary.version, summary.rows_read, summary.hits, summary.verified, summary.imported_by) == (
        2, 1, 1, 1, "乙")


def test_coverage_list_reports_members_missing_from_it(db, tmp_path):
    ids = _county(db)
    path = tmp_path / "参保.csv"
    path.write_text("参保人姓名,社会保障号码,参保类型\n" + "".join(
        f"{name},{ids[name]},城乡居民\n" for name in ("张三", "李四", "王五")), encoding="utf-8")
    with db.session() as s:
        assert cmp.comparison_hits(s, "参保人员") == []  # no list yet: nothing to report
        hits = cmp.import_list(s, path, "参保人员", user="甲").hits
    assert sorted(h.name for h in hits) == sorted(n for n in ids if n not in ("张三", "李四", "王五"))
    assert all("没有此人" in h.finding for h in hits)


def test_dibao_list_checks_status_consistency(db, tmp_path):
    ids = _county(db)
    with db.session() as s:
        s.scalars(select(Member).where(Member.name == "王五")).one().is_dibao = True
    path = tmp_path / "低保.csv"
    path.write_text(f"户主姓名,保障对象姓名,身份证号码\n张三,李四,{ids['李四']}\n", encoding="utf-8")
    with db.session() as s:
        hits = cmp.import_list(s, path, "低保/特困", user="甲").hits
        assert [(h.name, "没有标注" in h.finding) for h in hits] == [("李四", True)]
        assert hits[0].list_name == "李四"  # 保障对象姓名, not 户主姓名
        all_hits = cmp.comparison_hits(s, "低保特困")
    assert [(h.name, "名单中本户没有人" in h.finding) for h in all_hits] == [("李四", False), ("王五", True)]


def test_region_filter_and_unknown_kind(db, tmp_path):
    ids = _county(db)
    path = _xlsx(tmp_path / "商品房.xlsx", [[1, "某小区", "张三", ids["张三"], None]])
    with db.session() as s:
        cmp.import_list(s, path, "商品房", user="甲")
        assert len(cmp.comparison_hits(s, region_code="522326100000")) == 1
        assert cmp.comparison_hits(s, region_code="522326200000") == []
        with pytest.raises(UserError, match="无法识别"):
            cmp.import_list(s, path, "房产", user="甲")


def test_unusable_files_change_nothing(db, tmp_path):
    _county(db)
    no_id = tmp_path / "无证件号.csv"
    no_id.write_text("姓名,单位\n张三,县医院\n", encoding="utf-8")
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with db.session() as s:
        with pytest.raises(UserError, match="找不到身份证号列"):
            cmp.import_list(s, no_id, "工商注册", user="甲")
        with pytest.raises(UserError, match="损坏"):
            cmp.import_list(s, broken, "工商注册", user="甲")
        assert s.scalar(select(func.count()).select_from(ComparisonList)) == 0


def test_mark_needs_a_note(db):
    with db.session() as s:
        with pytest.raises(UserError, match="核实情况"):
            cmp.mark_hit(s, "车辆登记", "522326197005010031", "  ", user="甲")


def test_cli_import_list_and_lists(db, tmp_path, capsys):
    import json

    from fupin_desktop.cli import main

    ids = _county(db)
    path = _xlsx(tmp_path / "工商.xlsx", [[1, "某某商贸有限公司", "王五", ids["王五"], "法定代表人"],
                                         [2, "某某合作社", "某人", 522326197001010000.0, None]])
    assert main(["--db", db.url, "check", "import-list", str(path), "--kind", "工商注册", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows_read"], out["ids_valid"]) == (2, 1)
    assert [(h["id_number"], h["household_no"], h["member_no"], h["name"], h["kind"]) for h in out["hits"]] == [
        (ids["王五"], "5223261002010002", None, "王五", "工商注册")]
    assert out["unusable"][0]["row"] == 5
    assert main(["--db", db.url, "check", "lists", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["kind"], listed["source"], listed["hits"]) == ("工商注册", "工商.xlsx", 1)
    assert main(["--db", db.url, "check", "import-list", str(tmp_path / "没有.xlsx"), "--kind", "工商注册"]) == 2
    err = capsys.readouterr().err.strip()
    assert "找不到文件" in err and "\n" not in err


def test_xls_with_unnamed_id_header_and_old_15_digit_ids(db, tmp_path):
    import xlwt

    ids = _county(db)
    book = xlwt.Workbook()
    ws = book.add_sheet("商品房备案")
    ws.write_merge(0, 0, 0, 3, "2024年商品房网签备案名单")
    for col, text in enumerate(("买受人", "身份证号码（18位）", "项目名称", "面积")):
        ws.write(1, col, text)
    old15 = ids["王五"][:6] + ids["王五"][8:17]
    for row, values in enumerate((("王五", old15, "城南小区", 98.5), ("周九", ids["周九"], "城南小区", 120))):
        for col, value in enumerate(values):
            ws.write(row + 2, col, value)
    path = tmp_path / "商品房.xls"
    book.save(str(path))
    with db.session() as s:
        result = cmp.import_list(s, path, "商品房", user="甲")
    assert result.id_column == "身份证号码（18位）" and result.name_column == "买受人"
    assert sorted((h.name, h.list_values["面积"]) for h in result.hits) == [("周九", 120), ("王五", 98.5)]


def test_cli_kind_choices_are_the_list_kinds():
    from fupin_desktop.commands.check_lists import KIND_CHOICES
    from fupin_desktop.services.checks.compare import LIST_KINDS

    assert KIND_CHOICES == tuple(k.key for k in LIST_KINDS)
