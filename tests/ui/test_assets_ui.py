"""The 资产台账 page and the asset dialog, driven like a clerk would (offscreen)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from fupin_desktop.models import Asset, IncomeDistribution
from fupin_desktop.services import assets as svc
from tests.factories import VILLAGE, add_household, add_regions

D = Decimal


@pytest.fixture
def ledger_db(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        h1 = add_household(s, no="5223261002010001", head="张三", seq=1)
        h2 = add_household(s, no="5223261002010002", head="李秀英", seq=2)
        for m in h2.members:
            m.labour_skill = "05"
        for m in h1.members:
            m.labour_skill = "01"
        for name, category, value in (("通组公路", "02", "100000"), ("光伏电站", "01", "300000")):
            svc.create_asset(
                s, {"name": name, "category": category, "original_value": value, "ownership_level": "03",
                    "formed_on": dt.date(2021, 5, 1), "owner_name": "新寨村股份经济合作社",
                    "handed_over_on": dt.date(2021, 6, 1)},
                region_code=VILLAGE, fundings=[svc.FundingShare("01", D(value))])
    return ui_db


def _page(main_window):
    page = main_window.select_page("assets")
    from fupin_desktop.ui.assets import AssetsPage

    assert isinstance(page, AssetsPage)
    return page


def test_ledger_lists_filters_and_totals(ledger_db, main_window, qtbot):
    page = _page(main_window)
    assert page.model.rowCount() == 2
    assert "合计 2 项" in page.totals_label.text() and "400,000.00" in page.totals_label.text()
    page.category_combo.set_code("01")
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 1)) == "光伏电站"
    assert "合计 1 项" in page.totals_label.text()
    page.category_combo.set_code(None)
    page.search_edit.setText("公路")
    page.search_edit.returnPressed.emit()
    assert [r.name for r in page.model.rows] == ["通组公路"]
    from pytestqt.modeltest import ModelTester

    ModelTester(None).check(page.model)


def test_new_asset_then_income_distribution_upkeep_and_disposal(ledger_db, qtbot, message_boxes, tmp_path):
    from fupin_desktop.ui.assets.dialog import AssetDialog

    dlg = AssetDialog(ledger_db, None, region_code=VILLAGE)
    qtbot.addWidget(dlg)
    assert not dlg.tabs.isTabEnabled(2)
    dlg.name_edit.setText("蔬菜大棚")
    dlg.category_combo.set_code("01")
    dlg.subtype_combo.set_code("0107")
    dlg.formed_date.set_value(dt.date(2023, 10, 1))
    dlg.original_edit.setText("50000")
    dlg.funding_edit.setText("衔接资金 40000；社会捐赠 9000")  # 1000 short: refused
    assert not dlg.save_registration()
    assert "与资产原值 50,000.00 元不一致" in message_boxes[-1][1]
    dlg.funding_edit.setText("衔接资金 40000；社会捐赠 10000")
    assert dlg.save_registration()
    assert dlg.no_label.text() == "52232620230001"
    assert dlg.tabs.isTabEnabled(5)

    # Income and a distribution that must add up.
    dlg.tabs.setCurrentIndex(2)
    assert not dlg.save_button.isVisible() or not dlg.isVisible()
    dlg.income_year.setValue(2024)
    dlg.income_amount.setText("6000")
    assert dlg.add_income()
    assert dlg.income_table.rowCount() == 1
    dlg.tabs.setCurrentIndex(3)
    dlg.suggest()
    assert "✓" in dlg.sum_label.text() and dlg.save_dist_button.isEnabled()
    households = [dlg.dist_table.item(r, 1).text() for r in range(dlg.dist_table.rowCount())
                  if dlg.dist_table.item(r, 0).data(Qt.ItemDataRole.UserRole) == "01"]
    assert households == ["张三", "李秀英"]
    # Edit one amount: the sum check turns red and saving is blocked.
    dlg.dist_table.item(0, 2).setText("1.00")
    assert "还差" in dlg.sum_label.text() and not dlg.save_dist_button.isEnabled()
    dlg.suggest()
    assert dlg.save_distribution()
    with ledger_db.session() as s:
        assert s.scalar(select(func.sum(IncomeDistribution.amount))) == D("6000.00")
    dlg.print_notice()
    assert dlg.last_pdf.exists() and dlg.last_pdf.stat().st_size > 5000

    # Upkeep and state.
    dlg.tabs.setCurrentIndex(4)
    dlg.care_content.setText("更换棚膜")
    dlg.care_cost.setText("800")
    assert dlg.add_care()
    assert dlg.care_table.rowCount() == 1
    dlg.state_combo.setCurrentIndex(dlg.state_combo.findData("02"))
    assert dlg.set_state()
    assert "闲置" in dlg.current_state_label.text()

    # Disposal: completion before approval is refused with what is missing, then the chain.
    dlg.tabs.setCurrentIndex(5)
    dlg.reason_edit.setText("大棚损毁")
    dlg.method_combo.set_code("06")
    assert dlg.request_disposal()
    n_boxes = len(message_boxes)
    assert not dlg.complete()
    assert "处置未经完整审批" in message_boxes[n_boxes][1]
    for doc in ("村民代表大会决议", "乡审〔2026〕1号", "县乡振资〔2026〕2号"):
        dlg.step_doc.setText(doc)
        assert dlg.record_step(), message_boxes
    assert "审批已完成" in dlg.step_label.text()
    assert dlg.complete()
    assert "已处置" in dlg.status_label.text()
    assert not dlg.add_income_button.isEnabled()
    dlg.print_disposal()
    assert dlg.last_pdf.exists()
    with ledger_db.session() as s:
        asset = s.scalar(select(Asset).where(Asset.name == "蔬菜大棚"))
        assert asset.status == "05"
    dlg.grab().save(str(tmp_path / "disposal.png"))


def test_neglect_dialog_and_ledger_export(ledger_db, main_window, qtbot, tmp_path):
    from fupin_desktop.ui.assets.neglect import NeglectDialog

    dlg = NeglectDialog(ledger_db, None)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 2  # handed over 2021, never maintained
    assert "无管护记录" in dlg.table.item(0, 3).text()
    with ledger_db.session() as s:
        first = s.scalar(select(Asset.id).order_by(Asset.id))
        svc.add_maintenance(s, first, kind="巡查", date=dt.date.today(), content="巡查")
    dlg.reload()
    assert dlg.table.rowCount() == 1

    page = _page(main_window)
    out = tmp_path / "台账.xlsx"
    op = page.export_to(out)
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert out.exists()
    from openpyxl import load_workbook

    ws = load_workbook(out)["资产台账"]
    assert ws.max_row == 3 and ws.cell(1, 1).value == "资产编号"


def test_ledger_and_card_open_in_the_print_preview(ledger_db, main_window, qtbot):
    from fupin_desktop.ui.printing import PdfPreviewDialog

    page = _page(main_window)
    op = page.print_ledger()  # 全县: the county is chosen when no region is
    qtbot.waitUntil(lambda: not op.is_running(), timeout=10000)
    ledger = page.findChildren(PdfPreviewDialog)
    assert len(ledger) == 1 and ledger[0].windowTitle() == "资产台账" and ledger[0].page_count >= 1
    ledger_path = ledger[0].path
    ledger[0].reject()
    assert not ledger_path.exists()  # the temporary file goes with the preview

    page.table.selectRow(0)
    card_path = page.print_card()
    previews = [d for d in page.findChildren(PdfPreviewDialog) if d.path == card_path]
    assert len(previews) == 1 and previews[0].save_name.startswith("资产登记卡")
    previews[0].reject()


def _wait_op(qtbot, dialog):
    if dialog.op.is_running():
        with qtbot.waitSignal(dialog.op.finished, timeout=30000):
            pass


def test_import_review_offers_the_error_report_then_imports_the_fixed_sheet(ledger_db, qtbot, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from fupin_desktop.services import asset_exchange
    from fupin_desktop.ui.assets.importer import ImportReviewDialog

    opened = []
    monkeypatch.setattr("fupin_desktop.ui.assets.importer.open_file", opened.append)
    sheet = tmp_path / "台账.xlsx"
    assert asset_exchange.export_ledger(ledger_db, sheet) == 2
    wb = load_workbook(sheet)
    ws = wb["资产台账"]
    columns = {c.value: c.column for c in ws[1]}
    original = ws.cell(2, columns["资产原值（元）"]).value
    ws.cell(2, columns["资产原值（元）"]).value = "五万"
    ws.cell(3, columns["管护主体"]).value = "新寨村村民委员会"
    wb.save(sheet)

    dialog = ImportReviewDialog(ledger_db, sheet)
    qtbot.addWidget(dialog)
    _wait_op(qtbot, dialog)
    assert "发现 1 个问题，未导入任何数据" in dialog.summary.text()
    if os.environ.get("FUPIN_SCREENS"):
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save(os.path.join(os.environ["FUPIN_SCREENS"], "asset-import-problems.png"))
    assert not dialog.apply_button.isEnabled()
    assert dialog.report_button.isVisibleTo(dialog)
    report = dialog.open_report()
    assert opened == [report] and report.exists() and "台账-错误报告-" in report.name
    marked = load_workbook(report).active
    assert marked.cell(1, marked.max_column).value == "错误说明"
    assert "资产原值" in marked.cell(2, marked.max_column).value

    ws.cell(2, columns["资产原值（元）"]).value = original
    wb.save(sheet)
    dialog = ImportReviewDialog(ledger_db, sheet)
    qtbot.addWidget(dialog)
    _wait_op(qtbot, dialog)
    assert not dialog.report_button.isVisibleTo(dialog), dialog.summary.text()
    assert dialog.apply_button.isEnabled()
    dialog.apply()
    _wait_op(qtbot, dialog)
    assert dialog.report.applied and "已导入" in dialog.summary.text()
    changed = ws.cell(3, columns["资产名称"]).value
    with ledger_db.session() as s:
        assert s.scalar(select(Asset.custodian).where(Asset.name == changed)) == "新寨村村民委员会"
