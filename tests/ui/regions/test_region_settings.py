"""区划设置 on a real database: add, rename, merge, retire (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from fupin_desktop.models import ChangeEvent, Household, Member
from fupin_desktop.services import regions as rsvc
from fupin_desktop.ui.regions import RegionSettingsWindow
from tests.factories import make_id

WANGMO = "522326000000"
WANGMU, PINGDONG, XINTUN = "522326001000", "522326002000", "522326003000"
HEDONG, HEXI = "522326001001", "522326001002"  # 河东社区, 河西社区 in 王母街道


@pytest.fixture
def county(ui_db):
    """望谟县 with 王母街道 and 平洞街道; three households in 河东社区."""
    with ui_db.session() as s:
        rsvc.setup_county(s, WANGMO, [WANGMU, PINGDONG])
        for i in range(3):
            head_id = make_id(dt.date(1970, 5, 1), 2 * i + 1)
            s.add(Household(household_no=f"52232600100100{i + 1:02d}", region_code=HEDONG,
                            head_name=f"户主{i}", head_id18=head_id, member_count=1, household_type="01",
                            members=[Member(name=f"户主{i}", relation="01", sex="1", id_number=head_id,
                                            id18=head_id, seq=1, birth_date=dt.date(1970, 5, 1))]))
        s.flush()
    return ui_db


@pytest.fixture
def window(county, qtbot):
    w = RegionSettingsWindow(county)
    qtbot.addWidget(w)
    w.show()
    return w


def _rows(db):
    with db.session() as s:
        return {r.code: r for r in rsvc.list_regions(s, include_retired=True)}


def test_tree_shows_regions_with_household_counts(window):
    top = window.tree.topLevelItem(0)
    assert top.text(0) == "贵州省"
    item = window._items[HEDONG]
    assert (item.text(0), item.text(3)) == ("河东社区", "3")
    assert window._items[WANGMU].text(3) == "3" and window._items[WANGMO].text(3) == "3"
    assert "2 个乡镇" in window.summary.text()


def test_add_township_from_the_national_list_and_a_village_with_a_local_code(window, county):
    window.select(WANGMO)
    assert window.add_button.isEnabled()
    dialog = window.add_child()
    offered = [dialog.offered.item(r).text() for r in range(dialog.offered.count())]
    assert any(t.startswith("新屯街道") for t in offered)
    assert not any(t.startswith("王母街道") for t in offered)  # already in the database
    dialog.pick(XINTUN)
    assert (dialog.name.text(), dialog.code.text()) == ("新屯街道", XINTUN)
    changed = []
    window.changed.connect(lambda: changed.append(1))
    dialog.accept()
    assert changed == [1] and window.current_code() == XINTUN
    rows = _rows(county)
    assert rows[XINTUN].level == "township" and rows[XINTUN].parent_code == WANGMO

    window.select(PINGDONG)
    dialog = window.add_child()
    dialog.name.setText("新农村委会")  # not in the national list
    dialog.accept()
    added = window.current_row()
    assert added.name == "新农村" and added.parent_code == PINGDONG
    assert rsvc.is_local_code(added.code) and added.code.startswith("522326002")


def test_add_refuses_a_duplicate_name_and_stays_open(window, message_boxes):
    window.select(WANGMU)
    dialog = window.add_child()
    dialog.name.setText("河东社区")
    dialog.accept()
    assert dialog.isVisible() and "已有" in message_boxes[0][1]
    dialog.reject()


def test_rename_with_an_effective_date_keeps_the_households(window, county):
    window.select(HEDONG)
    dialog = window.rename()
    dialog.name.setText("河东新区社区")
    dialog.effective.setDate(dt.date(2026, 1, 1))
    dialog.accept()
    rows = _rows(county)
    assert rows[HEDONG].name == "河东新区社区" and rows[HEDONG].households == 3
    assert window._items[HEDONG].text(0) == "河东新区社区"


def test_merge_moves_households_and_records_events(window, county):
    window.select(HEDONG)
    assert window.merge_button.isEnabled()
    dialog = window.merge()
    targets = [dialog.target.itemData(i) for i in range(dialog.target.count())]
    assert targets[0] == HEXI  # same township first
    dialog.target.setCurrentIndex(0)
    dialog.accept()
    rows = _rows(county)
    assert rows[HEXI].households == 3 and not rows[HEDONG].valid
    assert HEDONG not in window._items and window.current_code() == HEXI
    with county.session() as s:
        assert set(s.scalars(select(Household.region_code))) == {HEXI}
        assert s.scalar(select(func.count()).select_from(ChangeEvent)
                        .where(ChangeEvent.note.like("%合村并组%"))) == 3
    window.show_retired.setChecked(True)
    assert window._items[HEDONG].text(4) == "已撤销"


def test_regions_in_use_cannot_be_retired(window, county):
    window.select(HEDONG)
    assert not window.retire_button.isEnabled()
    assert "3 户在册" in window.retire_button.toolTip()
    window.select(PINGDONG)
    assert not window.retire_button.isEnabled() and "下面还有区划" in window.retire_button.toolTip()
    window.select(HEXI)
    assert window.retire_button.isEnabled()
    window.retire().accept()
    assert not _rows(county)[HEXI].valid and HEXI not in window._items


def test_file_menu_and_region_tree_open_the_same_window(make_main_window, county):
    main = make_main_window(county)
    assert main.action_regions.text().startswith("区划设置")
    main.action_regions.trigger()
    first = main._region_settings
    assert first is not None and first.isVisible()
    page = main.select_page("registry")
    page.select_region(HEDONG)
    assert page.show_region_settings() is first and first.current_code() == HEDONG


def _name_groups(db, names):
    with db.session() as s:
        for hh, name in zip(s.scalars(select(Household).order_by(Household.id)), names, strict=True):
            hh.group_name = name


def test_a_village_lists_its_groups_in_number_order(window, county):
    _name_groups(county, ["十一组", "二组", "二组"])
    window.select(WANGMU)
    assert window.groups.topLevelItemCount() == 0 and not window.add_group_button.isEnabled()
    window.select(HEDONG)
    listed = [(window.groups.topLevelItem(i).text(0), window.groups.topLevelItem(i).text(1))
              for i in range(window.groups.topLevelItemCount())]
    assert listed == [("二组", "2"), ("十一组", "1")]
    assert "河东社区" in window.groups_box.title() and "2 个组，3 户" in window.groups_note.text()


def test_group_add_rename_merge_retire(window, county, message_boxes):
    _name_groups(county, ["一组", "二组", "二组"])
    window.select(HEDONG)
    dialog = window.add_group()
    dialog.name.setText("十组")
    dialog.accept()
    assert window.current_group_name() == "十组" and window._group_rows["十组"].households == 0
    assert window.retire_group_button.isEnabled()

    window.select_group("二组")
    assert not window.retire_group_button.isEnabled() and "2 户" in window.retire_group_button.toolTip()
    dialog = window.rename_group()
    dialog.name.setText("一组")
    dialog.accept()  # refused: 一组 exists
    assert dialog.isVisible() and "合并" in message_boxes[-1][1]
    dialog.name.setText("东风组")
    dialog.effective.setDate(dt.date(2026, 2, 1))
    dialog.accept()
    assert window.current_group_name() == "东风组"

    dialog = window.merge_group()
    assert [dialog.target.itemData(i) for i in range(dialog.target.count())] == ["一组", "十组"]
    dialog.target.setCurrentIndex(0)
    dialog.accept()
    assert [window.groups.topLevelItem(i).text(0) for i in range(window.groups.topLevelItemCount())] == [
        "一组", "十组"]
    assert window._group_rows["一组"].households == 3
    with county.session() as s:
        assert set(s.scalars(select(Household.group_name))) == {"一组"}
        notes = s.scalars(select(ChangeEvent.note).order_by(ChangeEvent.id)).all()
        assert len(notes) == 4 and "改名" in notes[0] and "合组" in notes[-1]

    window.select_group("十组")
    window.retire_group().accept()
    assert "十组" not in window._group_rows
    window.show_retired.setChecked(True)
    window.select(HEDONG)
    retired = {window.groups.topLevelItem(i).text(0): window.groups.topLevelItem(i).text(3)
               for i in range(window.groups.topLevelItemCount())}
    assert retired == {"一组": "", "十组": "已撤销", "东风组": "已撤销"}
