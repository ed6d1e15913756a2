"""资产移交 from the 项目库 page: the dialog, its refusals, and the assets in the 资产台账."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import select

from fupin_desktop.models import Asset, AssetFunding
from fupin_desktop.services import projects as P
from fupin_desktop.ui.projects.handover import C_AMOUNT, C_CATEGORY, C_FUNDS, C_NAME, C_SUBTYPE
from tests.factories import add_regions
from tests.unit.services.test_projects import road, walk_to

D = Decimal


@pytest.fixture
def handover_db(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        settled = P.create_project(s, road())
        walk_to(s, settled.id, P.SETTLED, dt.date(2023, 10, 8))
        accepted = P.create_project(s, road(name="新寨村产业路项目"))
        walk_to(s, accepted.id, P.ACCEPTED, dt.date(2023, 10, 8))
        ids = settled.id, accepted.id
    return ui_db, ids


def _projects_page(main_window, project_id):
    page = main_window.select_page("projects")
    assert page.select_project(project_id)
    return page


def _fill(dialog, row, name, amount, *, category="01", subtype="0101", funds=""):
    dialog.table.cellWidget(row, C_NAME).setText(name)
    dialog.table.cellWidget(row, C_CATEGORY).set_code(category)
    dialog.table.cellWidget(row, C_SUBTYPE).set_code(subtype)
    dialog.table.cellWidget(row, C_AMOUNT).setText(amount)
    dialog.table.cellWidget(row, C_FUNDS).setText(funds)


def test_hand_over_two_assets_after_refusals(handover_db, main_window, qtbot):
    db, (settled, _accepted) = handover_db
    page = _projects_page(main_window, settled)
    assert page.handover_button.isEnabled()
    dialog = page.handover_selected()
    assert "项目资金 <b>500,000.00</b> 元" in dialog.funds_label.text()
    assert "尚未移交 <b>500,000.00</b> 元" in dialog.funds_label.text()
    assert dialog.ok_button.isEnabled()

    _fill(dialog, 0, "通组路", "300000", category="02", subtype="0201")
    dialog.add_row()
    _fill(dialog, 1, "路灯", "200000.01", category="02", subtype="")
    assert "移交后剩余 <b>-0.01</b> 元" in dialog.sum_label.text()
    dialog.date.setDate(QDate(2024, 3, 1))
    # Refusal 1: no 移交文书号. Refusal 2: more than the project's funds. The dialog stays open.
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "请填写移交文书号" in dialog.error_label.text()
    dialog.doc_no.setText("城关移交〔2024〕5号")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "超过项目资金 500,000.00 元" in dialog.error_label.text()
    with db.session() as s:
        assert P.get_project(s, settled).status == P.SETTLED
        assert s.scalars(select(Asset)).all() == []

    # Corrected: the second asset paid from one named source only.
    _fill(dialog, 1, "路灯", "200000", category="02", subtype="", funds="统筹整合财政涉农资金 200000")
    assert "移交后剩余 <b>0.00</b> 元" in dialog.sum_label.text()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.buttons.accepted.emit()
        assert not dialog.error_label.isVisible(), dialog.error_label.text()
    assert len(dialog.created_ids) == 2
    row = page.model.row_at(page.model.row_of(settled))
    assert row.status == "已移交"
    with db.session() as s:
        project = P.get_project(s, settled)
        log = project.status_logs[-1]
        assert (log.to_status, log.date, log.doc_no) == (P.HANDED_OVER, dt.date(2024, 3, 1), "城关移交〔2024〕5号")
        lamp = s.scalar(select(Asset).where(Asset.name == "路灯"))
        assert [(f.source, f.amount) for f in s.scalars(select(AssetFunding).where(AssetFunding.asset_id == lamp.id))] \
            == [("02", D("200000.00"))]
        assert lamp.owner_name == "新寨村股份经济合作社" and lamp.handover_doc == "城关移交〔2024〕5号"
        # The road, with no sources named, takes what the lamp left: all from source 01.
        road_id = s.scalar(select(Asset.id).where(Asset.name == "通组路"))
        assert [(f.source, f.amount) for f in s.scalars(select(AssetFunding).where(AssetFunding.asset_id == road_id))] \
            == [("01", D("300000.00"))]

    ledger = main_window.select_page("assets")
    names = sorted(r.name for r in ledger.model.rows)
    assert names == ["路灯", "通组路"]

    # A project fully handed over offers nothing more to hand over.
    page = _projects_page(main_window, settled)
    dialog = page.handover_selected()
    assert "尚未移交 <b>0.00</b> 元" in dialog.funds_label.text()
    dialog.reject()


def test_accepted_project_is_told_to_settle_first(handover_db, main_window):
    db, (_settled, accepted) = handover_db
    page = _projects_page(main_window, accepted)
    assert page.handover_button.isEnabled()
    dialog = page.handover_selected()
    assert not dialog.ok_button.isEnabled()
    assert "须先办理“报账”" in dialog.error_label.text()
    dialog.reject()
