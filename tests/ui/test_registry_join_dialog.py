"""成员增加 / 新识别户 dialogs ask for every field the data check needs and suggest a
newborn's values (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin_desktop.services import registry as svc
from fupin_desktop.ui.registry.dialogs import AddMemberDialog, NewHouseholdDialog
from fupin_desktop.ui.registry.widgets import set_combo_data
from tests.factories import VILLAGE, add_household, add_regions, make_id

TODAY = dt.date.today()


@pytest.fixture
def household(ui_db):
    """张三 (户主, 汉族) and 李四 (配偶, 苗族); every field the check needs filled."""
    with ui_db.session() as s:
        add_regions(s)
        hh = add_household(s)
        hh.phone, hh.exit_year = "13812345678", 2019
        for m, ethnicity in zip(hh.members, ("01", "06"), strict=True):
            m.ethnicity, m.education, m.health, m.labour_skill = ethnicity, "03", "01", "01"
            m.has_resident_medical = m.has_critical_illness_ins = m.has_resident_pension = True
            m.has_employee_medical = m.is_dibao = m.is_tekun = False
        s.flush()
        hid = hh.id
    with ui_db.session() as s:
        data = svc.load_household(s, hid)
    assert [p for p in svc.check_household_data(data) if p.severity == "error"] == []
    return ui_db, data


def test_birth_dialog_suggests_a_newborns_values_and_leaves_no_errors(household, qtbot):
    db, data = household
    dialog = AddMemberDialog(db, data)
    qtbot.addWidget(dialog)
    born = TODAY - dt.timedelta(days=15)
    dialog.person["name"].setText("张小宝")
    set_combo_data(dialog.person["relation"], "03")
    dialog.person["id_number"].setText(make_id(born, 19))
    p = dialog.person
    assert (p["labour_skill"].currentText(), p["school_status"].currentText(),
            p["health"].currentText(), p["ethnicity"].currentText()) == ("无劳动力", "学龄前儿童", "健康", "苗族")
    assert p["education"].currentData() is None
    assert (p["has_resident_medical"].currentText(), p["has_resident_pension"].currentText()) == ("是", "否")
    # A clerk's own choice survives a later change of the ID.
    set_combo_data(p["ethnicity"], "01")
    p["ethnicity"].activated.emit(p["ethnicity"].currentIndex())
    p["id_number"].setText(make_id(born - dt.timedelta(days=1), 19))
    assert p["ethnicity"].currentText() == "汉族"
    dialog.accept()
    with db.session() as s:
        after = svc.load_household(s, data.id)
    assert len(after.present_members()) == 3
    assert [p.message for p in svc.check_household_data(after) if p.severity == "error"] == []


def test_moving_in_gets_an_adults_values(household, qtbot):
    db, data = household
    dialog = AddMemberDialog(db, data)
    qtbot.addWidget(dialog)
    set_combo_data(dialog.reason, "13")
    dialog.person["id_number"].setText(make_id(dt.date(1990, 2, 2), 41))
    assert dialog.person["labour_skill"].currentText() == "普通劳动力"
    assert dialog.person["school_status"].currentData() is None
    assert dialog.person["has_resident_pension"].currentText() == "是"
    dialog.reject()


def test_new_household_dialog_asks_for_everything(ui_db, qtbot):
    with ui_db.session() as s:
        add_regions(s)
        roots = svc.region_tree(s)
    dialog = NewHouseholdDialog(ui_db, roots, VILLAGE, "一组")
    qtbot.addWidget(dialog)
    created = []
    dialog.created.connect(created.append)
    dialog.household_no.setText("5223261002010055")
    dialog.phone.setText("13700002222")
    dialog.person["name"].setText("王五")
    dialog.person["id_number"].setText(make_id(dt.date(1980, 1, 1), 51))
    set_combo_data(dialog.person["ethnicity"], "01")
    set_combo_data(dialog.person["education"], "03")
    assert dialog.person["labour_skill"].currentText() == "普通劳动力"
    dialog.accept()
    assert len(created) == 1
    with ui_db.session() as s:
        data = svc.load_household(s, created[0])
    assert [p.message for p in svc.check_household_data(data) if p.severity == "error"] == []
