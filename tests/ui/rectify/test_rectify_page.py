"""The 整改清单 page (offscreen): list, filters, overdue in red, summary, item dialog with links,
progress and status, import review, export and print."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from fupin_desktop.services import rectify
from fupin_desktop.ui.rectify import RectifyPage
from fupin_desktop.ui.rectify.page import RectifyImportDialog
from fupin_desktop.ui.theme import DANGER
from tests.factories import VILLAGE, add_household, add_regions

PAST = dt.date.today() - dt.timedelta(days=5)


@pytest.fixture
def list_db(ui_db):
    with ui_db.session() as s:
        add_regions(s)
        add_household(s)
        rectify.create_item(s, {"source": "巡视", "category": "安全饮水", "description": "季节性缺水",
                                "deadline": PAST, "unit": "水务站"})
        done = rectify.create_item(s, {"source": "审计", "category": "资金项目管理", "description": "拨付滞后"})
        rectify.set_status(s, done.id, "已完成并长期坚持")
    return ui_db


def _wait(qtbot, op):
    with qtbot.waitSignal(op.finished, timeout=30000):
        pass


def _page(main_window) -> RectifyPage:
    page = main_window.select_page("rectify")
    assert isinstance(page, RectifyPage)
    return page


def test_list_filters_overdue_red_and_summary(list_db, main_window):
    page = _page(main_window)
    rows = page.item_model.rows()
    assert [r["description"] for r in rows] == ["季节性缺水", "拨付滞后"]
    late = page.item_model.index(0, 3)
    assert page.item_model.data(late, Qt.ItemDataRole.ForegroundRole).color() == QColor(DANGER)
    assert page.item_model.data(page.item_model.index(1, 3), Qt.ItemDataRole.ForegroundRole) is None
    assert "（逾期）" in rows[0]["deadline"]
    assert "共 2 类 2 个问题：已完成 0 个，正在整改 0 个，已完成并长期坚持 1 个，未整改 1 个" in page.summary_label.text()
    assert "逾期未完成 1 个" in page.summary_label.text()
    assert "未清零：安全饮水 1 个" in page.zero_label.text()
    totals = page.summary_model.rows()
    assert totals[-1] == {"category": "合计", "total": 2, "01": 1, "02": 0, "03": 0, "04": 1, "overdue": 1}
    zero = {r["category"]: r["zeroed"] for r in page.zero_model.rows()}
    assert zero["安全饮水"] == "未清零" and zero["资金项目管理"] == "已清零" and len(zero) == 9
    page.overdue_combo.setCurrentIndex(page.overdue_combo.findData(True))
    assert [r["description"] for r in page.item_model.rows()] == ["季节性缺水"]
    page.overdue_combo.setCurrentIndex(0)
    page.status_combo.setCurrentIndex(page.status_combo.findData("04"))
    assert [r["description"] for r in page.item_model.rows()] == ["拨付滞后"]
    page.status_combo.setCurrentIndex(0)
    page.category_combo.setCurrentIndex(page.category_combo.findData("03"))
    assert [r["description"] for r in page.item_model.rows()] == ["季节性缺水"]
    assert page.count_label.text() == "列出 1 个问题，其中逾期 1 个"


def test_new_item_links_progress_and_status(list_db, main_window, qtbot):
    page = _page(main_window)
    dialog = page.open_item(None)
    qtbot.addWidget(dialog)
    assert not dialog.tabs.isTabEnabled(2)
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData("03"))
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("01"))
    dialog.deadline_edit.setText("2099年6月底")
    assert not dialog.save()
    assert "请填写问题描述" in dialog.message.text()
    dialog.description_edit.setPlainText("危房鉴定资料不全")
    dialog.hh_search.setText("5223261002010001")
    dialog.search_households()
    assert dialog.hh_found.rowCount() == 1
    dialog.hh_found.selectRow(0)
    dialog.link_households()
    dialog.villages_combo.set_code(VILLAGE)
    dialog.add_village()
    assert dialog.save() and dialog.item_id is not None
    assert dialog.tabs.isTabEnabled(2)
    row = next(r for r in page.item_model.rows() if r["description"] == "危房鉴定资料不全")
    assert row["places"] == "新寨村" and row["deadline"] == "2099-06-30" and row["category"] == "两不愁三保障"
    dialog.progress_note.setPlainText("已完成入户鉴定")
    dialog.evidence_edit.setPlainText("鉴定报告.pdf")
    assert dialog.add_progress()
    assert dialog.progress_table.item(0, 1).text() == "已完成入户鉴定"
    assert dialog.progress_table.item(0, 2).text() == "鉴定报告.pdf"
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("03"))
    assert dialog.change_status()
    assert dialog.status_label.text().startswith("已完成（")
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("02"))
    assert not dialog.change_status()
    assert "须写明原因" in dialog.message.text()
    dialog.status_note.setText("复查发现反弹")
    assert dialog.change_status()
    with list_db.session() as s:
        d = rectify.item_detail(s, dialog.item_id)
        assert d.item.status == "02" and [h.household_no for h in d.households] == ["5223261002010001"]
        assert [p.note for p in d.progress][-1] == "复查发现反弹"
    assert next(r for r in page.item_model.rows() if r["id"] == dialog.item_id)["status"] == "正在整改"


def test_import_review_export_and_print(list_db, main_window, qtbot, tmp_path):
    page = _page(main_window)
    out = tmp_path / "清单.xlsx"
    _wait(qtbot, page.export_to(out))
    assert "已导出 2 个问题" in page.count_label.text()
    dialog = page.import_file(out)
    qtbot.addWidget(dialog)
    _wait(qtbot, dialog.op)
    assert "无变化 2 个" in dialog.summary.text() and not dialog.apply_button.isEnabled()
    dialog.close()

    from openpyxl import load_workbook

    wb = load_workbook(out)
    ws = wb["整改清单"]
    ws.append([None, None, "自查", "其他", "档案不规范"])
    wb.save(out)
    dialog = RectifyImportDialog(list_db, out)
    qtbot.addWidget(dialog)
    _wait(qtbot, dialog.op)
    assert "新增 1 个" in dialog.summary.text() and dialog.apply_button.isEnabled()
    assert dialog.tree.topLevelItem(0).child(0).text(2) == "档案不规范"
    dialog.apply()
    _wait(qtbot, dialog.op)
    assert dialog.report.applied
    page.reload()
    assert len(page.item_model.rows()) == 3

    pdf = tmp_path / "整改清单.pdf"
    page.overdue_combo.setCurrentIndex(page.overdue_combo.findData(True))
    _wait(qtbot, page.print_to(pdf))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "季节性缺水" in text and "档案不规范" not in text and "逾期未完成" in text
