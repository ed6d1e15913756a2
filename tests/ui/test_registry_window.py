"""The 户籍管理 window driven through its widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from fupin_desktop.services import registry as svc
from fupin_desktop.ui.registry.editor import HouseholdWindow
from fupin_desktop.ui.registry.models import (
    HOUSEHOLD_COLUMNS,
    HouseholdTableModel,
    MemberTableModel,
    RecordTableModel,
    RegionTreeModel,
)
from tests.factories import VILLAGE, add_household, add_regions, make_id

TODAY = dt.date.today()


def type_text(qtbot, widget, text: str) -> None:
    """Type text as a clerk would: ASCII by key clicks, Chinese through the input method
    (qtbot.keyClicks with non-ASCII text aborts pytest, TECH-NOTES)."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def filled_db(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        a = add_household(s, no="5223261002010001", head="张三", seq=1)
        a.group_name, a.phone = "一组", "13812345678"
        b = add_household(s, no="5223261002010002", head="王五", seq=2)
        b.group_name, b.phone = "二组", "13900001111"
        for i in range(3, 40):
            add_household(s, no=f"52232610020100{i:02d}", head=f"刘{i}", seq=i)
    return ui_db


@pytest.fixture
def page(make_main_window, filled_db):
    window = make_main_window()
    return window.select_page("registry")


def _wait_search(qtbot, page, rows: int) -> None:
    qtbot.waitUntil(lambda: page.model.rowCount() == rows and not page._search_timer.isActive(),
                    timeout=3000)


def test_models_pass_qmodeltester(qtmodeltester, filled_db):
    with filled_db.session() as s:
        roots = svc.region_tree(s)
        data = svc.load_household(s, svc.household_ids(s)[0])

    tree = RegionTreeModel()
    tree.set_roots(roots)
    qtmodeltester.check(tree)

    def fetch(ids):
        with filled_db.session() as s:
            return svc.household_rows(s, ids)

    with filled_db.session() as s:
        ids = svc.household_ids(s)
    households = HouseholdTableModel(fetch)
    households.set_ids(ids)
    qtmodeltester.check(households)

    members = MemberTableModel()
    members.set_members(data.members)
    qtmodeltester.check(members)

    records = RecordTableModel([("type", "变动类型"), ("details", "内容")])
    records.set_rows([{"type": "信息变更", "details": "户联系电话：1 → 2"}])
    qtmodeltester.check(records)


def test_list_is_lazy_and_masks_ids(page, qtbot):
    assert page.totals() == (39, 78)
    assert page.model.rowCount() == 39
    page.model.PAGE = 10
    page.model.set_ids(page.model.ids())
    page.model.fetch_count = 0
    page.model.data(page.model.index(0, 0))
    assert page.model.fetch_count == 1 and len(page.model._cache) == 10
    row = page.model.index(0, 2)
    assert "********" in page.model.data(row)
    page.show_ids.setChecked(True)
    assert "********" not in page.model.data(row)
    # Column choice is remembered.
    page.set_column_visible(8, False)
    assert page.table.isColumnHidden(8)


def test_search_as_you_type_and_filter_by_tree(page, qtbot):
    type_text(qtbot, page.search, "zs")
    _wait_search(qtbot, page, 1)
    assert page.model.row(0).head_name == "张三"
    page.search.clear()
    type_text(qtbot, page.search, "王五")
    _wait_search(qtbot, page, 1)
    assert page.model.row(0).head_name == "王五"
    page.search.clear()
    _wait_search(qtbot, page, 39)
    page.select_region(f"{VILLAGE}/二组")
    assert page.model.rowCount() == 1
    page.select_region(VILLAGE)
    page.chip_type.set_values(("02",))
    assert page.model.rowCount() == 0
    page.chip_type.clear()
    assert page.model.rowCount() == 39


def test_a_search_by_a_member_names_that_member(page, qtbot):
    """Every household has a 配偶 李四: searching 李四 lists them all, each saying so, with
    the 户主 column widened to show it while the search lasts."""
    col = [k for k, *_ in HOUSEHOLD_COLUMNS].index("head_name")
    width = page.table.columnWidth(col)
    type_text(qtbot, page.search, "李四")
    _wait_search(qtbot, page, 39)
    head = page.model.index(0, col)
    assert head.data() == "张三　成员：李四"
    assert head.data(Qt.ItemDataRole.ToolTipRole) == "按家庭成员“李四”找到"
    assert page.table.columnWidth(col) >= 230 > width
    page.search.clear()
    _wait_search(qtbot, page, 39)
    assert page.table.columnWidth(col) == width
    type_text(qtbot, page.search, "张三")  # the 户主 itself: nothing added
    _wait_search(qtbot, page, 1)
    assert page.model.index(0, col).data() == "张三"


def test_open_edit_member_record_birth_and_death_and_save(page, qtbot, filled_db):
    type_text(qtbot, page.search, "zs")
    _wait_search(qtbot, page, 1)
    page.table.setCurrentIndex(page.model.index(0, 0))
    window = page.open_current()
    assert isinstance(window, HouseholdWindow)
    assert "张三" in window.header.text()

    # Edit a member in the table: education of 李四.
    model = window.member_model
    model.setData(model.index(1, model.column_of("education")), "03")
    assert window.is_dirty() and window.save_button.isEnabled()
    # A wrong ID number shows as an identity problem beside the cell and blocks saving.
    idx = model.index(1, model.column_of("id_number"))
    good = model.data(idx, Qt.ItemDataRole.EditRole)
    model.setData(idx, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert model.data(idx, Qt.ItemDataRole.ToolTipRole)
    assert "身份错误" in window.problem_summary.text()
    model.setData(idx, good)
    assert window.save()
    assert not window.is_dirty()
    assert window.events_model.rows()[0]["type"] == "信息变更"
    assert "李四 文化程度" in window.events_model.rows()[0]["details"]

    # Record a birth: typing the ID fills sex and birth date.
    dialog = window.start_action("add")
    baby = make_id(TODAY - dt.timedelta(days=20), 19)
    dialog.person["name"].setText("张小宝")
    dialog.person["id_number"].setText(baby)
    assert "出生日期" in dialog.person["facts"].text()
    dialog.accept()
    qtbot.waitUntil(lambda: len(window.data.present_members()) == 3)
    added = window.data.members[-1]
    assert added["name"] == "张小宝" and added["birth_date"] == TODAY - dt.timedelta(days=20)

    # Record a death.
    dialog = window.start_action("remove")
    dialog.member.setCurrentIndex(dialog.member.findText("李四（配偶）"))
    dialog.reason.setCurrentIndex(dialog.reason.findData("21"))
    dialog.accept()
    qtbot.waitUntil(lambda: len(window.data.present_members()) == 2)
    types = [e["type"] for e in window.events_model.rows()]
    assert types[:2] == ["自然减少", "自然增加"]
    last = window.member_model.rowCount() - 1  # people who left are listed last
    assert window.member_model.data(window.member_model.index(last, 0)).startswith("减少（死亡")

    # The list and the tree counts follow.
    assert page.totals() == (39, 78)  # +1 birth −1 death
    page.search.clear()
    _wait_search(qtbot, page, 39)
    window.close()


def test_death_of_head_needs_a_new_head(page, qtbot, message_boxes):
    window = page.open_row(0)
    dialog = window.start_action("remove")
    dialog.member.setCurrentIndex(0)  # the 户主
    assert dialog.new_head.isEnabled()
    dialog.reason.setCurrentIndex(dialog.reason.findData("21"))
    dialog.effective.setDate(QDate.currentDate())
    dialog.accept()
    assert len(window.data.present_members()) == 1
    assert window.data.present_members()[0]["relation"] == "01"
    assert message_boxes == []


def test_action_refusal_keeps_the_dialog_open(page, qtbot, message_boxes):
    window = page.open_row(0)
    dialog = window.start_action("add")
    dialog.person["name"].setText("无号")
    dialog.person["id_number"].setText("123")
    dialog.accept()
    assert dialog.isVisible()
    assert message_boxes and "证件号码" in message_boxes[0][1]
    dialog.reject()


def test_concurrent_edit_in_the_window_offers_merge(page, qtbot, filled_db):
    window = page.open_row(0)
    # Another clerk changes the phone meanwhile.
    other_base = window.base.copy()
    theirs = other_base.copy()
    theirs.household["phone"] = "13811112222"
    with filled_db.session() as s:
        svc.save_household(s, other_base, theirs)
    window.basic_form.set_value("address", "新寨村一组8号")
    assert not window.save()
    dialog = window.conflict_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.merge_button.click()
    assert window.data.household["address"] == "新寨村一组8号"
    assert window.data.household["phone"] == "13811112222"
    assert window.save()
    with filled_db.session() as s:
        final = svc.load_household(s, window.household_id)
    assert final.household["address"] == "新寨村一组8号"
    assert final.household["phone"] == "13811112222"


def test_income_totals_and_guarantee_suggestions_update_as_typed(page, qtbot):
    window = page.open_row(0)
    year = window.add_year(TODAY.year - 1)
    assert window.income_year.year() == year
    window.income_form.set_value("wage_income", "6000")
    window.income_form.set_value("business_expense", "1000")
    window.income_form.set_value("household_size", 2)
    assert window.total_labels["per_capita_net_income"].text() == "2,500.00 元"
    window.conditions_form.set_value("is_dangerous_house", True)
    assert "有问题" in window.suggestion_labels["housing"].text()
    window.adopt_suggestions()
    assert window.guarantee_combos["housing_problem"].currentData() is True
    assert window.save()
    assert str(window.data.years[year]["per_capita_net_income"]) == "2500.00"


def test_every_tab_renders(page, qtbot):
    window = page.open_row(0)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["基本信息", "家庭成员", "收支", "生产生活条件", "两不愁三保障", "帮扶", "监测", "变动记录"]
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        assert not window.grab().isNull()


def test_assistance_tab_is_the_handbook_widget(page, filled_db, qtbot):
    from fupin_desktop.services import handbook as hb
    from fupin_desktop.ui.handbook import HouseholdAssistWidget

    window = page.open_row(0)
    with filled_db.session() as s:
        helper = hb.save_helper(s, {"name": "杨帮扶", "unit_name": "县农业农村局", "phone": "13700000001"})
        hb.assign_helper(s, window.household_id, helper.id, dt.date(2024, 3, 1))
    tab = window.assistance
    assert isinstance(tab, HouseholdAssistWidget) and tab.household_id == window.household_id
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.assistance_holder))
    # Typed into the quick entry, then the household is saved: the tab is reloaded, not rebuilt.
    tab.q_content.setText("送化肥两袋")
    window.basic_form.set_value("phone", "13812340000")
    assert window.save()
    assert window.assistance is tab and tab.q_content.text() == "送化肥两袋"
    assert tab.assignments.rowCount() == 1 and tab.assignments.item(0, 0).text() == "杨帮扶"
    # A line added on the tab refreshes the household list.
    with qtbot.waitSignal(window.saved, timeout=2000):
        assert tab.submit_entry()
    assert tab.entries.rowCount() == 1


def test_a_broad_search_lists_its_first_households_then_all_on_request(page, qtbot, monkeypatch):
    monkeypatch.setattr(svc, "SEARCH_HIT_LIMIT", 10)
    monkeypatch.setattr(svc, "SEARCH_LIST_LIMIT", 5)
    type_text(qtbot, page.search, "5223261002010")  # every 户编号 starts so
    _wait_search(qtbot, page, 5)
    assert not page.is_complete() and not page.show_all_button.isHidden()
    assert "超过 5 户" in page.status.text()
    page.show_all_button.click()
    assert page.model.rowCount() == 39 and page.is_complete()
    assert page.show_all_button.isHidden() and "共 39 户" in page.status.text()
    type_text(qtbot, page.search, "0")  # typing on asks for the first ones again
    _wait_search(qtbot, page, 5)
    assert not page.is_complete()
    # Sorted by 户主: the first five in pinyin order (刘 liu, digits as written, before 王, 张).
    page._on_header_clicked(1)
    assert [page.model.row(i).head_name for i in range(5)] == ["刘10", "刘11", "刘12", "刘13", "刘14"]


def test_errors_chip_runs_the_checks_and_lists_what_they_found(page, qtbot, filled_db):
    from fupin_desktop.models import Household
    from fupin_desktop.services import checks

    with filled_db.session() as s:
        clean = s.query(Household).filter_by(household_no="5223261002010001").one().id
        # The factory households lack 民族 etc.; with every required field present one is clean.
        for m in s.get(Household, clean).members:
            m.ethnicity, m.health, m.labour_skill, m.education, m.id_type = "01", "01", "01", "03", "01"
            m.has_resident_medical, m.has_employee_medical, m.has_critical_illness_ins = True, False, True
            m.has_resident_pension, m.is_dibao, m.is_tekun = True, False, False
        s.get(Household, clean).household_type, s.get(Household, clean).exit_year = "02", None
    page.chip_errors.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 38, timeout=20000)
    with filled_db.session() as s:
        assert checks.latest_run(s) is not None
        flagged = set(svc.household_ids(s, svc.HouseholdFilter(has_errors=True)))
        errors = checks.household_error_counts(s, flagged)
    assert clean not in flagged and set(page.model.ids()) == flagged
    tip = page.model.data(page.model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert tip == f"上次核查发现 {errors[page.model.ids()[0]]} 个数据错误"
    page.chip_errors.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 39, timeout=5000)


def test_household_window_lists_the_households_cross_table_findings(page, qtbot, filled_db, tmp_path):
    from fupin_desktop.models import Household
    from fupin_desktop.services import checks

    with filled_db.session() as s:
        hid = s.query(Household).filter_by(household_no="5223261002010002").one().id
        s.get(Household, hid).member_count = 5
        checks.run_checks(s, user="测试员")
    window = page.open_household(hid)
    qtbot.waitUntil(lambda: "家庭人口数为5人" in window.household_problems.text(), timeout=5000)
    assert "✖ 核查：家庭人口数为5人，但在户成员有2人" in window.household_problems.text()
    assert window.grab().save(str(tmp_path / "household_window_findings.png"))
    window.close()
