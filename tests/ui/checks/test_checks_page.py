"""The 数据核查 page: running the checks, a check's findings, a household opened on the
field, the findings workbook, and the 比对 tab (offscreen)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from fupin_desktop.models import Household, Member
from fupin_desktop.ui.checks import ChecksPage
from tests.factories import VILLAGE, add_household, add_regions


@pytest.fixture
def county_db(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        add_household(s, no="5223261002010001", head="张三", seq=1).member_count = 5  # 人口数 ≠ 在户
        add_household(s, no="5223261002010002", head="王五", seq=2)
    return ui_db


def _page(main_window) -> ChecksPage:
    page = main_window.select_page("checks")
    assert isinstance(page, ChecksPage)
    return page


def _wait(qtbot, op):
    with qtbot.waitSignal(op.finished, timeout=30000):
        pass


def _row_of(page, code):
    return next(i for i, r in enumerate(page.check_model.rows()) if r["code"] == code)


def test_run_lists_counts_and_opens_the_household_on_the_field(county_db, main_window, qtbot, tmp_path):
    page = _page(main_window)
    assert "还没有运行过核查" in page.status_label.text()
    _wait(qtbot, page.run())
    row = _row_of(page, "household.member_count")
    assert page.check_model.rows()[row]["count"] == 1
    assert "错误" in page.status_label.text() and page.run_model.rowCount() == 1
    assert page.check_model.rows()[row]["top"] == "新寨村 1 条"
    page.region_combo.setCurrentIndex(page.region_combo.findData(VILLAGE))
    row = _row_of(page, "household.member_count")
    assert page.check_model.rows()[row]["count"] == 1 and "新寨村" in page.status_label.text()

    dialog = page.open_check(row)
    assert dialog.model.rowCount() == 1
    assert dialog.model.rows()[0]["no"] == "5223261002010001" and dialog.model.rows()[0]["head"] == "张三"
    window = dialog.open_row(0)
    assert window.household_id == dialog.findings[0].household_id
    assert window.tabs.tabText(window.tabs.currentIndex()) == "家庭成员"  # 人口数 is fixed there
    window.close()
    dialog.close()

    out = tmp_path / "核查结果.xlsx"
    _wait(qtbot, page.export_to(out))
    wb = load_workbook(out)
    assert "汇总" in wb.sheetnames and len(wb.sheetnames) >= 2

    with county_db.session() as s:  # fix it, run again: the page says what was fixed
        s.scalars(select(Household).where(Household.household_no == "5223261002010001")).one().member_count = 2
    _wait(qtbot, page.run())
    assert page.check_model.rows()[_row_of(page, "household.member_count")]["count"] == 0
    assert "上次以来已改正 1 条" in page.status_label.text()
    assert page.run_model.rowCount() == 2 and "比上次减少" in page.trend_label.text()


def test_focus_field_on_a_member_cell(county_db, main_window, qtbot):
    page = _page(main_window)
    with county_db.session() as s:
        hh = s.scalars(select(Household).where(Household.household_no == "5223261002010002")).one()
        member = next(m for m in hh.members if m.relation == "02")
        hid, mid = hh.id, member.id
    window = page.opener.open(hid, "id_number", mid)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "家庭成员"
    index = window.member_view.currentIndex()
    assert window.member_model.members()[index.row()]["id"] == mid
    assert index.column() == window.member_model.column_of("id_number")
    assert page.opener.windows == {hid: window}  # one window per household
    window.close()


def test_compare_tab_imports_a_list_and_marks_a_hit(county_db, main_window, qtbot, tmp_path):
    page = _page(main_window)
    page.tabs.setCurrentIndex(2)
    tab = page.compare_tab
    assert tab.list_model.rowCount() == 0
    with county_db.session() as s:
        zhang = s.scalars(select(Member).where(Member.name == "张三")).one().id18
    path = tmp_path / "死亡人员.csv"
    path.write_bytes(f"死亡人员名单\n序号,姓名,公民身份号码\n1,张三,{zhang.lower()}\n2,某人,110101199001011234\n"
                     .encode("gbk"))
    _wait(qtbot, tab.import_file(path, "死亡人员"))
    assert tab.list_model.rowCount() == 1 and tab.list_model.rows()[0]["hits"] == 1
    assert tab.hit_model.rowCount() == 1
    tab.hit_view.selectRow(0)
    hit = tab.selected_hit()
    assert hit.name == "张三" and "登记死亡" in hit.action
    assert tab.mark(hit, "已入户核实：本人健在，系公安数据错误")
    assert tab.hit_model.rows()[0]["state"] == "已核实"
    assert tab.list_model.rows()[0]["verified"] == 1
    _wait(qtbot, tab.import_file(path, "死亡人员"))  # the same list again: the mark stays
    assert tab.list_model.rows()[0]["version"] == 2 and tab.hit_model.rows()[0]["state"] == "已核实"
    tab.hit_view.selectRow(0)
    window = tab.open_selected()
    assert window.tabs.tabText(window.tabs.currentIndex()) == "家庭成员"
    window.close()


def test_compare_import_of_a_bad_file_shows_the_message(county_db, main_window, qtbot, tmp_path,
                                                         message_boxes):
    tab = _page(main_window).compare_tab
    path = tmp_path / "名单.csv"
    path.write_text("姓名,单位\n张三,县医院\n", encoding="utf-8")
    op = tab.import_file(path, "财政供养人员")
    with qtbot.waitSignal(op.finished, timeout=30000):
        pass
    assert any("身份证号列" in text for _t, text, _d in message_boxes)
    assert tab.list_model.rowCount() == 0
