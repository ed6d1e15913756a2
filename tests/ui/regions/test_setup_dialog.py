"""First run: the county set-up dialog on a real database (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fupin_desktop.services import regions as rsvc
from fupin_desktop.ui import main_window as main_window_module
from fupin_desktop.ui.regions import CountySetupDialog

WANGMO = "522326000000"
WANGMU, PINGDONG = "522326001000", "522326002000"


@pytest.fixture
def dialog(ui_db, qtbot):
    d = CountySetupDialog(ui_db)
    qtbot.addWidget(d)
    return d


@pytest.mark.parametrize("text", ["望谟", "wmx", "522326"])
def test_county_is_found_by_name_initials_or_code(dialog, text):
    dialog.search.setText(text)
    dialog.run_search()
    shown = [dialog.counties.item(r).text() for r in range(dialog.counties.count())]
    assert any(t.startswith("贵州省 黔西南布依族苗族自治州 望谟县") for t in shown), shown


def test_ticked_townships_and_their_villages_are_created(dialog, ui_db):
    created = []
    dialog.regions_created.connect(created.append)
    dialog.search.setText("wmx")
    dialog.run_search()
    dialog.choose_county(WANGMO)
    nat = rsvc.national()
    towns = nat.children(WANGMO)
    assert dialog.townships.count() == len(towns) > 10
    first = dialog.townships.item(0).text()
    assert first.startswith(f"王母街道（{len(nat.children(WANGMU))} 个村、社区）")
    assert not dialog.ok_button.isEnabled()  # nothing ticked yet
    dialog.tick([WANGMU, PINGDONG])
    villages = len(nat.children(WANGMU)) + len(nat.children(PINGDONG))
    assert dialog.ok_button.isEnabled()
    assert dialog.summary.text() == f"将建立 2 个乡镇、{villages} 个村（社区）。"
    dialog.ok_button.click()
    assert dialog.result() == CountySetupDialog.DialogCode.Accepted
    with ui_db.session() as s:
        rows = rsvc.list_regions(s)
    by_level = {}
    for r in rows:
        by_level.setdefault(r.level, []).append(r)
    assert [r.code for r in by_level["county"]] == [WANGMO]
    assert {r.code for r in by_level["township"]} == {WANGMU, PINGDONG}
    assert len(by_level["village"]) == villages
    assert created == [len(rows)]


def test_skip_creates_nothing(dialog, ui_db):
    dialog.search.setText("wmx")
    dialog.run_search()
    dialog.choose_county(WANGMO)
    dialog.tick_all(True)
    dialog.skip_button.click()
    assert dialog.result() == CountySetupDialog.DialogCode.Rejected
    with ui_db.session() as s:
        assert not rsvc.has_regions(s)


def test_tick_all_and_none(dialog):
    dialog.search.setText("522326")
    dialog.run_search()
    dialog.choose_county(WANGMO)
    dialog.all_button.click()
    assert len(dialog.ticked()) == dialog.townships.count()
    dialog.none_button.click()
    assert dialog.ticked() == [] and not dialog.ok_button.isEnabled()
    dialog.townships.item(1).setCheckState(Qt.CheckState.Checked)
    assert dialog.ticked() == [PINGDONG] and dialog.ok_button.isEnabled()


def test_main_window_offers_set_up_only_when_asked(make_main_window, ui_db, qtbot, monkeypatch):
    calls = []
    monkeypatch.setattr(main_window_module, "offer_region_setup",
                        lambda db, parent: calls.append(db) or False)
    make_main_window()
    qtbot.wait(10)
    assert calls == []  # tests and other callers get no modal dialog
    make_main_window(offer_region_setup=True)
    qtbot.waitUntil(lambda: calls == [ui_db])


def test_no_set_up_dialog_on_a_database_with_regions(ui_db):
    from fupin_desktop.ui.regions import offer_region_setup

    with ui_db.session() as s:
        rsvc.setup_county(s, WANGMO, [WANGMU])
    assert offer_region_setup(ui_db) is False  # returns at once, nothing shown
