"""The 项目库 page and its dialogs, driven with pytest-qt."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate

from fupin_desktop.services import projects as P
from fupin_desktop.ui.projects import ProjectsPage
from fupin_desktop.ui.projects.dialog import ProjectDialog
from tests.factories import VILLAGE, add_regions
from tests.unit.services.test_projects import road, walk_to


@pytest.fixture
def seeded(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        ready = P.create_project(s, road())
        walk_to(s, ready.id, P.APPROVED, dt.date(2023, 10, 8))
        bare = P.create_project(s, road(name="新寨村茶叶基地", category="21", subcategory="2101",
                                        indicators=[]))  # fmt: skip
        walk_to(s, bare.id, P.APPROVED, dt.date(2023, 10, 8))
        ids = ready.id, bare.id
    return ui_db, ids


@pytest.fixture
def page(qtbot, seeded):
    db, _ = seeded
    widget = ProjectsPage(db)
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    widget.refresh()
    return widget


def test_list_filters_and_state_counts(page, seeded):
    assert page.model.rowCount() == 2
    states = {page.states.item(r, 0).text(): page.states.item(r, 1).text() for r in range(page.states.rowCount())}
    assert states["审定"] == "2" and states["已入库"] == "0"
    page.search.setText("茶叶")
    assert page.model.rowCount() == 1
    page.clear_filters()
    page.category.setCurrentIndex(page.category.findData("21"))
    assert [r.name for r in page.model.rows()] == ["新寨村茶叶基地"]


def test_transition_through_the_dialog(page, seeded, qtbot):
    _, (ready, _bare) = seeded
    assert page.select_project(ready)
    dialog = page.transition_selected()
    assert list(dialog.radios) == [P.IN_LIBRARY, P.RETURNED]  # only what the machine allows
    dialog.date.setDate(QDate(2024, 1, 5))
    dialog.doc_no.setText("望衔领办〔2024〕3号")
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.accepted.emit()
    assert page.model.row_at(page.model.row_of(ready)).status == "已入库"
    states = {page.states.item(r, 0).text(): page.states.item(r, 1).text() for r in range(page.states.rowCount())}
    assert states["已入库"] == "1"


def test_refused_transition_stays_open_with_the_reason(page, seeded, ui_db):
    _, (_ready, bare) = seeded
    page.select_project(bare)
    dialog = page.transition_selected()
    dialog.choose(P.IN_LIBRARY)
    assert dialog.error_label.isVisible()  # warned before trying
    dialog.doc_no.setText("x")
    dialog.date.setDate(QDate(2024, 1, 5))
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.result() == 0
    text = dialog.error_label.text()
    assert "不符合入库条件" in text and "绩效目标" in text and "联农带农" in text
    with ui_db.session() as s:
        assert P.get_project(s, bare).status == P.APPROVED
    dialog.choose(P.RETURNED)
    dialog.buttons.accepted.emit()
    assert "退回必须写明退回原因" in dialog.error_label.text()
    dialog.reject()


def test_new_project_through_the_form(page, qtbot, message_boxes, ui_db):
    dialog = page.new_project()
    assert not dialog.tabs.isTabEnabled(5)  # 流转记录 needs a saved project
    dialog.name.setText("新寨村产业路")
    dialog.category.setCurrentIndex(dialog.category.findData("23"))
    dialog.region.setCurrentIndex(dialog.region.findData(VILLAGE))
    dialog.total_funds.setText("100000")
    dialog._add_funding_row(P.FundingInput("01", "90000"))
    assert "相差 10,000.00 元" in dialog.funding_sum.text()
    assert not dialog.save()
    assert "分级资金合计 90,000.00 元与项目总投资 100,000.00 元不相等" in message_boxes[-1][1]
    dialog.funding_table.item(0, 2).setText("100000")
    dialog._add_indicator_row(P.IndicatorInput("01", "硬化长度", "1", None, "公里"))
    assert dialog.save()
    assert dialog.project_id is not None and dialog.tabs.isTabEnabled(5)
    assert "村级申报" in dialog.status_label.text()
    assert page.model.row_of(dialog.project_id) >= 0
    dialog.reject()


def test_money_refusal_in_the_form(qtbot, seeded, message_boxes, ui_db):
    db, (ready, _) = seeded
    with db.session() as s:
        walk_to(s, ready, P.IN_PLAN, dt.date(2023, 12, 10), step_days=3)
    dialog = ProjectDialog(db, ready)
    qtbot.addWidget(dialog)
    dialog.money_kind.setCurrentIndex(dialog.money_kind.findData(P.PAYMENT))
    dialog.money_date.setDate(QDate(2024, 2, 1))
    dialog.money_amount.setText("1000")
    dialog._add_money()
    assert "拨付不能超过已下达的资金" in message_boxes[-1][1]
    assert dialog.money_table.rowCount() == 0
    dialog.money_kind.setCurrentIndex(dialog.money_kind.findData(P.ALLOCATION))
    dialog.money_amount.setText("500000")
    dialog.money_doc.setText("望财农〔2024〕8号")
    dialog._add_money()
    assert dialog.money_table.rowCount() == 1 and "已下达 <b>500,000.00</b>" in dialog.money_totals.text()


def test_figures_panel(page, seeded, ui_db):
    page.figures.year.setValue(2024)
    page.figures.as_of.setDate(QDate(2024, 12, 31))
    page.figures.compute()
    assert page.figures.values["in_library"].text() == "0"
    assert page.figures.values["start_rate"].text() == "—"


def test_print_list_writes_a_pdf(page, qtbot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(page, "_open_pdf", opened.append)
    page.year.setCurrentIndex(page.year.findData(2024))
    target = tmp_path / "list.pdf"
    op = page.print_pdf("list", path=str(target))
    qtbot.waitUntil(lambda: not op.is_running(), timeout=10000)
    assert opened == [str(target)] and target.read_bytes().startswith(b"%PDF")
