"""The household window's 监测 tab driven through its widgets: a case's risks and 帮扶措施,
adding, correcting, ending and removing a measure through the dialogs (pytest-qt)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate

from fupin_desktop.models import AssistanceMeasure
from fupin_desktop.services import registry as svc
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.monitoring import MEASURE_COLUMNS, EndMeasureDialog, MeasureDialog
from tests.factories import add_household, add_regions

TODAY = dt.date.today()
MONTH = TODAY.strftime("%Y-%m")
IDENTIFIED = (TODAY - dt.timedelta(days=60)).strftime("%Y-%m")


@pytest.fixture
def monitored(ui_db):
    """张三's household monitored for 因病 and 因学, with one 健康帮扶 measure."""
    with ui_db.session() as s:
        add_regions(s)
        hh = add_household(s, no="5223261002010001", head="张三", seq=1)
        s.flush()
        case = svc.start_monitoring(s, hh.id, category="03", risks=["因病", "因学"],
                                    identified_ym=IDENTIFIED, effective=TODAY, reported_month=MONTH)
        svc.add_measure(s, hh.id, {"category": "05", "content": "落实医疗救助", "unit": "县卫生健康局",
                                   "start_date": TODAY - dt.timedelta(days=30), "amount": "2000"},
                        case_id=case.id)
        hid = hh.id
    return ui_db, hid


@pytest.fixture
def tab(make_main_window, monitored):
    _db, hid = monitored
    page = make_main_window().select_page("registry")
    window = page.open_household(hid)
    window.tabs.setCurrentWidget(window.monitoring)
    return window.monitoring


def _texts(model: RecordTableModel, key: str) -> list[str]:
    col = [k for k, _h in MEASURE_COLUMNS].index(key)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def _type(dialog: MeasureDialog, name: str, text: str) -> None:
    """Type into a field of the dialog as the clerk would (textEdited fires)."""
    edit = dialog.form.editors[name]
    edit.selectAll()
    edit.insert(text)


def test_selecting_a_case_shows_its_risks_measures_and_gaps(tab, qtmodeltester):
    assert tab.current_case() is not None and "监测帮扶中" in tab.case_title.text()
    assert "因病" in tab.risk_label.text() and "因学" in tab.risk_label.text()
    assert _texts(tab.measure_model, "category_label") == ["健康帮扶"]
    assert _texts(tab.measure_model, "unit") == ["县卫生健康局"]
    assert _texts(tab.measure_model, "amount_text") == ["2,000.00"]
    assert "因学" in tab.gap_label.text() and "因病" not in tab.gap_label.text()
    assert "帮扶措施 1 项（实施中 1 项）" in tab.case_facts.text()
    assert tab.case_model.rows()[0]["measure_count"] == "1 项"
    qtmodeltester.check(tab.measure_model)
    qtmodeltester.check(tab.case_model)


def test_add_a_measure_through_the_dialog_checking_as_typed(tab, qtbot):
    window = tab.window()
    window.basic_form.set_value("address", "新寨村一组8号")  # unsaved edit on another tab
    dialog = tab.add_measure()
    assert isinstance(dialog, MeasureDialog) and dialog.isVisible()
    # The category that answers the unanswered risk (因学) is offered first.
    assert dialog.form.editors["category"].currentData() == "06"
    # Nothing is flagged before the clerk types; 保存 with 措施内容 empty says so and stays.
    assert all(label.isHidden() for label in dialog.form.problem_labels.values())
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "请填写措施内容" in dialog.form.problem_labels["content"].text()
    _type(dialog, "content", "落实义务教育资助")
    assert dialog.form.problem_labels["content"].isHidden()
    _type(dialog, "amount", "一千五")
    assert "不是有效金额" in dialog.form.problem_labels["amount"].text()
    dialog.ok_button.click()
    assert dialog.isVisible()
    _type(dialog, "amount", "1500")
    _type(dialog, "end_date", "2020-01-01")
    assert "早于开始日期" in dialog.form.problem_labels["end_date"].text()
    _type(dialog, "end_date", "")
    _type(dialog, "unit", "县教育局")
    assert all(label.isHidden() for label in dialog.form.problem_labels.values())
    with qtbot.waitSignal(tab.measures_changed, timeout=2000):
        dialog.ok_button.click()
    assert _texts(tab.measure_model, "category_label") == ["健康帮扶", "义务教育保障"]
    assert _texts(tab.measure_model, "amount_text")[1] == "1,500.00"
    assert tab.gap_label.text() == "" and tab.gap_label.isHidden()  # both risks answered
    # The household's own unsaved edit is untouched.
    assert window.is_dirty() and window.data.household["address"] == "新寨村一组8号"
    with window.db.session() as s:
        saved = s.query(AssistanceMeasure).filter_by(content="落实义务教育资助").one()
        assert (saved.unit, str(saved.amount), saved.year) == ("县教育局", "1500.00", TODAY.year)
    window.revert()


def test_correct_end_and_delete_a_measure(tab, qtbot, message_boxes):
    tab.select_measure(0)
    assert tab.edit_button.isEnabled() and tab.end_button.isEnabled()
    dialog = tab.edit_measure()
    assert dialog.form.editors["content"].text() == "落实医疗救助"
    _type(dialog, "amount", "2500")
    with qtbot.waitSignal(tab.measures_changed, timeout=2000):
        dialog.ok_button.click()
    assert _texts(tab.measure_model, "amount_text") == ["2,500.00"]

    tab.select_measure(0)
    dialog = tab.end_measure()
    assert isinstance(dialog, EndMeasureDialog)
    dialog.end_date.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    with qtbot.waitSignal(tab.measures_changed, timeout=2000):
        dialog.accept()
    assert _texts(tab.measure_model, "status") == ["已结束"]
    assert _texts(tab.measure_model, "end_text") == [TODAY.isoformat()]
    tab.select_measure(0)
    assert not tab.end_button.isEnabled()
    assert "实施中 0 项" in tab.case_facts.text()
    # An ended measure still answered its risk; 因学 never had one.
    assert "因学" in tab.gap_label.text() and "因病" not in tab.gap_label.text()

    tab.select_measure(0)
    assert tab.delete_measure()
    assert message_boxes and "只用于删除录错的记录" in message_boxes[0][1]
    assert tab.measure_model.rowCount() == 0


def test_someone_elses_change_is_shown_not_overwritten(tab, qtbot, message_boxes):
    tab.select_measure(0)
    dialog = tab.edit_measure()
    with tab.db.session() as s:  # another clerk corrects the amount meanwhile
        measure = s.query(AssistanceMeasure).one()
        svc.update_measure(s, measure.id, {"amount": "2200"})
    _type(dialog, "amount", "9999")
    dialog.ok_button.click()
    assert message_boxes and "已被其他人修改" in message_boxes[0][1]
    assert not dialog.isVisible()
    assert _texts(tab.measure_model, "amount_text") == ["2,200.00"]


def test_a_household_without_cases_says_how_to_start(make_main_window, ui_db):
    with ui_db.session() as s:
        add_regions(s)
        hid = add_household(s, no="5223261002010009", head="李明", seq=3).id
    window = make_main_window().select_page("registry").open_household(hid)
    tab = window.monitoring
    assert tab.case_model.rowCount() == 0 and not tab.empty_label.isHidden()
    assert not tab.add_button.isEnabled()
    # Measures tied to no case (older or imported records) get a row of their own.
    with ui_db.session() as s:
        svc.add_measure(s, hid, {"category": "01", "content": "发放产业奖补资金",
                                 "start_date": TODAY, "amount": "3000"})
    window.reload()
    assert [r["category"] for r in tab.case_model.rows()] == ["（未关联监测记录的措施）"]
    assert _texts(tab.measure_model, "content") == ["发放产业奖补资金"]
    assert tab.add_button.isEnabled() and not tab.empty_label.isHidden()
