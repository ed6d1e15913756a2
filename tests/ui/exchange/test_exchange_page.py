"""The 导入导出 page: import with review and commit, the mapping dialog, export."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QTreeWidget
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "services"))

from factories import add_regions, make_id  # noqa: E402
from fupin_desktop.models import ChangeEvent, Household, Member  # noqa: E402
from fupin_desktop.services.household_import import read_file  # noqa: E402
from fupin_desktop.ui.exchange import ExchangePage  # noqa: E402
from fupin_desktop.ui.exchange.dialogs import ColumnMappingDialog, ImportReviewDialog  # noqa: E402
from fupin_desktop.ui.operations import BackgroundOp  # noqa: E402
from test_household_import import base_people, write_xlsx  # noqa: E402

SCREENS = Path(os.environ.get("FUPIN_SCREENS", "/tmp/screens/exchange"))


def _shot(widget, name):
    if SCREENS.parent.exists():
        SCREENS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SCREENS / name))


@pytest.fixture
def page(qtbot, ui_db, monkeypatch):
    monkeypatch.setattr("fupin_desktop.ui.exchange.open_file", lambda path: None)
    with ui_db.session() as s:
        add_regions(s)
    widget = ExchangePage(ui_db)
    qtbot.addWidget(widget)
    widget.resize(1000, 640)
    widget.refresh()
    widget.show()
    yield widget
    assert not BackgroundOp.running()


def wait_op(qtbot, page):
    op = page.last_op
    if op is not None and op.is_running():
        with qtbot.waitSignal(op.finished, timeout=30000):
            pass


def test_import_review_then_commit_and_reimport(qtbot, page, ui_db, tmp_path):
    _shot(page, "page.png")
    people = base_people()
    people[4]["证件号码"] = people[4]["证件号码"][:-1] + ("1" if people[4]["证件号码"][-1] != "1" else "2")
    path = write_xlsx(tmp_path / "a.xlsx", people)
    page.start_import(path)
    wait_op(qtbot, page)
    dialog = page.review
    assert isinstance(dialog, ImportReviewDialog)
    qtbot.waitExposed(dialog)
    counts = dialog.plan.counts()
    assert (counts["households_created"], counts["members_created"]) == (2, 4)
    assert dialog.tabs.count() == 4 and dialog.tabs.currentIndex() == 3  # errors shown first
    _shot(dialog, "review-errors.png")
    from tests.ui.test_layout import problems_everywhere

    assert problems_everywhere(dialog, "核对导入内容") == []
    dialog.tabs.setCurrentIndex(1)
    _shot(dialog, "review-new.png")
    dialog.accept()
    wait_op(qtbot, page)
    with ui_db.session() as s:
        assert s.execute(select(func.count()).select_from(Member)).scalar() == 4
    assert "新增 2 户 4 人" in page.result_label.text()
    from tests.ui.layout_check import clipped_texts

    assert clipped_texts(page) == []
    assert page.last_report is not None and page.last_report.exists()
    assert page.report_button.isVisibleTo(page)
    _shot(page, "page-after-import.png")

    # A changed file: the review shows field-by-field changes; record the missing as 自然减少.
    people = base_people()
    people[0]["户联系电话"] = "13911112222"
    del people[2]
    page.start_import(write_xlsx(tmp_path / "b.xlsx", people))
    wait_op(qtbot, page)
    dialog = page.review
    qtbot.waitExposed(dialog)
    assert dialog.plan.counts()["members_missing"] == 1
    dialog.tabs.setCurrentIndex(2)
    dialog.record_missing.setChecked(True)  # re-checks in the background
    wait_op(qtbot, page)
    assert dialog.plan.record_missing
    dialog.reason.setCurrentIndex(dialog.reason.findData("23"))
    _shot(dialog, "review-missing.png")
    dialog.tabs.setCurrentIndex(0)
    _shot(dialog, "review-changes.png")
    dialog.accept()
    wait_op(qtbot, page)
    with ui_db.session() as s:
        ev = s.execute(select(ChangeEvent).where(ChangeEvent.type == "04")).scalar_one()
        assert ev.reason == "23"
        assert s.execute(select(Household.phone).where(Household.household_no == "5223261002010001")).scalar() \
            == "13911112222"


def test_mapping_dialog_builds_overrides(qtbot, tmp_path):
    headers = ["户号码", "成员", "身份号", "身份"]
    path = write_xlsx(tmp_path / "u.xlsx", [{"户号码": "1", "成员": "张三", "身份号": make_id(dt.date(1970, 1, 1), 1),
                                            "身份": "户主"}], headers=headers, title=False, total_row=False,
                      blank_row=False)
    from fupin_desktop.services.household_import import MappingNeeded

    with pytest.raises(MappingNeeded) as info:
        read_file(path)
    dialog = ColumnMappingDialog(info.value.header, info.value.mapping, {1: ["张三"]})
    qtbot.addWidget(dialog)
    for (text, combo), key in zip(dialog.combos, ["household_no", "name", "id_number", "relation"], strict=True):
        combo.setCurrentIndex(combo.findData(key))
    dialog._check_accept()
    assert dialog.result() == ColumnMappingDialog.DialogCode.Accepted
    assert dialog.overrides() == {"户号码": "household_no", "成员": "name", "身份号": "id_number", "身份": "relation"}
    dialog.show()
    _shot(dialog, "mapping.png")

    dialog2 = ColumnMappingDialog(info.value.header, info.value.mapping, {})
    qtbot.addWidget(dialog2)
    dialog2._check_accept()
    assert "还需要指定" in dialog2.problem.text()
    dialog2.show()
    from tests.ui.layout_check import clipped_texts

    assert clipped_texts(dialog2) == []  # the hint is read whole


def test_export_writes_file(qtbot, page, ui_db, tmp_path, message_boxes):
    from fupin_desktop.services.household_import import import_households

    import_households(ui_db, write_xlsx(tmp_path / "a.xlsx", base_people()))
    page.refresh()
    assert page.region.count() >= 4  # 全部 + county, township, village
    page.mask.setChecked(True)
    target = tmp_path / "out.xlsx"
    page.start_export(target)
    wait_op(qtbot, page)
    ws = openpyxl.load_workbook(target).active
    header = [c.value for c in ws[1]]
    assert ws.max_row == 6 and "********" in ws.cell(2, header.index("证件号码") + 1).value
    assert message_boxes and "已导出 2 户 5 人" in message_boxes[-1][1]


def test_review_creates_villages_with_confirmation(qtbot, ui_db, tmp_path, monkeypatch):
    """A new database (no regions) and the county's own file: the review lists the regions
    to create; confirming creates them with the households, in the month chosen."""
    from test_household_import_first_day import VALID_HOUSEHOLDS, write_county_file

    from fupin_desktop.models import Region

    monkeypatch.setattr("fupin_desktop.ui.exchange.open_file", lambda path: None)
    page = ExchangePage(ui_db)
    qtbot.addWidget(page)
    page.resize(1000, 640)
    page.refresh()
    page.show()
    page.start_import(write_county_file(tmp_path / "county.xlsx"))
    wait_op(qtbot, page)
    dialog = page.review
    qtbot.waitExposed(dialog)
    plan = dialog.plan
    assert not plan.create_regions and plan.count("new") == 0
    assert dialog.tabs.currentIndex() == 0 and dialog.tabs.tabText(0).startswith("新建区划")
    assert dialog.absent_label.isVisibleTo(dialog) and "待补充" in dialog.absent_label.text()
    assert not dialog.import_button.isEnabled()  # every row is in a place the database lacks
    _shot(dialog, "review-regions-unconfirmed.png")
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)
    _shot(dialog, "review-regions-unconfirmed-errors.png")
    dialog.tabs.setCurrentIndex(0)

    dialog.create_regions.setChecked(True)  # re-checks with the regions accepted
    wait_op(qtbot, page)
    qtbot.waitUntil(lambda: dialog.plan.create_regions, timeout=30000)
    plan = dialog.plan
    assert plan.count("new") == VALID_HOUSEHOLDS
    assert dialog.create_regions.isChecked() and dialog.import_button.isEnabled()
    tree = dialog.tabs.widget(0).findChild(QTreeWidget)
    top = tree.topLevelItem(0)
    assert (top.text(0), top.text(1), top.text(3)) == ("贵州省", "省", "国家区划代码")
    local = [i for i in _items(tree) if i.text(3) == "本地编码"]
    assert [(i.text(0), i.text(4)) for i in local] == [("新寨村", "1户")]
    dialog.month.setDate(QDate(2025, 5, 1))
    _shot(dialog, "review-create-villages.png")

    dialog.accept()
    wait_op(qtbot, page)
    with ui_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == VALID_HOUSEHOLDS
        assert s.scalar(select(func.count()).select_from(Region)) == len(plan.regions_missing)
    assert f"新建区划 {len(plan.regions_missing)} 个" in page.result_label.text()
    assert not BackgroundOp.running()


def _items(tree):
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))
