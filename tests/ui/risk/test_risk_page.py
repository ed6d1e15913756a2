"""The 防返贫 page: suggested grades confirmed and adjusted, the registry's grade column and
chip, a warning verified, a helper's visits and a recorded visit, the rule table (offscreen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from sqlalchemy import select

from fupin_desktop.models import AppSetting, HandbookEntry, Helper, HelperAssignment, HouseholdYear, RiskGrade
from fupin_desktop.services import registry as reg
from fupin_desktop.services import risk
from fupin_desktop.ui.risk import RiskPage
from tests.factories import VILLAGE, add_household, add_regions


@pytest.fixture
def county_db(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        s.add(AppSetting(key="monitoring_line", value={"2025": "7500"}))
        poor = add_household(s, no="5223261002010001", head="张三", seq=1)
        add_household(s, no="5223261002010002", head="王五", seq=2)
        s.add(HouseholdYear(household_id=poor.id, year=2025, household_size=2,
                            per_capita_net_income=Decimal("6000")))
        helper = Helper(name="刘帮扶", unit_name="县农业局")
        s.add(helper)
        s.flush()
        s.add(HelperAssignment(helper_id=helper.id, household_id=poor.id, start_date=dt.date(2024, 1, 1)))
    return ui_db


def _page(main_window) -> RiskPage:
    page = main_window.select_page("risk")
    assert isinstance(page, RiskPage)
    return page


def _select(view, rows):
    model = view.model()
    view.clearSelection()
    for row in rows:
        view.selectionModel().select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                                     | QItemSelectionModel.SelectionFlag.Rows)


def test_grades_confirmed_adjusted_and_shown_in_the_registry(county_db, main_window, qtbot):
    page = _page(main_window)
    page.compute_grades()
    rows = page.grade_model.rows()
    assert [(r["head_name"], r["suggested"], r["current"]) for r in rows] == [("张三", "一级", "未定级"),
                                                                               ("王五", "三级", "未定级")]
    assert "低于监测范围" in rows[0]["reasons"]
    _select(page.grade_view, [0, 1])
    assert page.confirm_selected() == 2
    assert page.grade_model.rows() == []  # nothing differs any more
    page.changed_only.setChecked(False)
    _select(page.grade_view, [1])
    dialog = page.adjust_selected()
    dialog.grade.setCurrentIndex(dialog.grade.findData("2"))
    dialog.reason.setText("户主长期慢性病，入户核实")
    dialog.accept()
    with county_db.session() as s:
        assert {g.grade for g in s.scalars(select(RiskGrade))} == {"1", "2"}
        assert reg.household_rows(s, [r["id"] for r in page.grade_model.rows()])[0].risk_grade == "一级"
        ids = reg.list_households(s, reg.HouseholdFilter(risk_grades=("2",))).ids
        assert len(ids) == 1
        assert reg.list_households(s, reg.HouseholdFilter(risk_grades=("none",))).ids == []
    registry = main_window.select_page("registry")
    headers = [registry.model.headerData(c, Qt.Orientation.Horizontal) for c in range(registry.model.columnCount())]
    assert "风险等级" in headers
    registry.chip_grade.set_values(("1",))
    assert registry.model.rowCount() == 1
    assert registry.model.data(registry.model.index(0, headers.index("风险等级"))) == "一级"
    registry.chip_grade.clear()


def test_household_window_shows_the_grade_and_reasons(county_db, qtbot):
    from fupin_desktop.ui.registry.editor import HouseholdWindow

    with county_db.session() as s:
        hid = reg.find_household(s, "5223261002010001").id
    window = HouseholdWindow(county_db, hid)
    qtbot.addWidget(window)
    text = window.grade_panel.label.text()
    assert "未定级" in text and "建议：<b>一级" in text and "低于监测范围" in text
    window.grade_panel.confirm()
    assert "风险等级：一级（极易返贫户）" in window.grade_panel.label.text()
    assert not window.grade_panel.confirm_button.isEnabled()


def test_warning_verified_and_visit_recorded(county_db, main_window, qtbot):
    page = _page(main_window)
    page.tabs.setCurrentIndex(1)
    assert page.refresh_warnings().raised == 1
    assert [r["rule"] for r in page.warning_model.rows()] == ["收入低于监测范围"]
    page.warning_view.setCurrentIndex(page.warning_model.index(0, 0))
    dialog = page.warning_no_risk()
    dialog.note.setText("入户核实：另有未登记的务工收入")
    dialog.accept()
    assert page.warning_model.rows() == []
    page.warning_status.setCurrentIndex(1)
    assert page.warning_model.rows()[0]["status"] == "已核实无风险"

    with county_db.session() as s:
        risk.set_grade(s, reg.find_household(s, "5223261002010001").id, "一级")
    page.tabs.setCurrentIndex(2)
    page.helper_combo.setCurrentIndex(page.helper_combo.findText("刘帮扶（县农业局）"))
    assert [(r["head_name"], r["status"]) for r in page.visit_model.rows()] == [("张三", "待走访")]
    dialog = page.record_visit(0)
    dialog.findings.setPlainText("户主腰伤")
    dialog.content.setPlainText("联系县医院复查")
    dialog.signs["household"][0].setChecked(True)
    dialog.signs["helper"][0].setChecked(True)
    dialog.accept()
    assert page.visit_model.rows()[0]["status"].startswith("已走访")
    with county_db.session() as s:
        entry = s.scalar(select(HandbookEntry))
        assert (entry.section, entry.findings, entry.signatures) == ("06", "户主腰伤",
                                                                    {"household": "张三", "helper": "刘帮扶"})


def test_rules_dialog_saves_thresholds_and_lines(county_db, main_window, message_boxes):
    page = _page(main_window)
    dialog = page.edit_rules()
    dialog.line_edit.setText("2025=5100，2024=4800")
    dialog.months["3"].setValue(4)
    dialog.accept()
    with county_db.session() as s:
        assert risk.load_rules(s).visit_months["3"] == 4
        assert s.get(AppSetting, "monitoring_line").value == {"2025": "5100", "2024": "4800"}
    page.compute_grades()
    assert page.grade_model.rows()[0]["suggested"] == "二级"  # 6000 is 17.6 % above 5100 (< 20 %)
    dialog = page.edit_rules()
    dialog.line_edit.setText("2025年七千")
    dialog.accept()
    assert dialog.isVisible() and "年度=金额" in message_boxes[-1][1]
    dialog.close()
