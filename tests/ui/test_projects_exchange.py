"""导入/导出 on the 项目库 page: dry run → review dialog → import; export; screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from fupin_desktop.models import Project
from fupin_desktop.ui.projects.exchange import ProjectImportReviewDialog
from tests.factories import add_regions
from tests.unit.services.test_project_exchange import template_row, write_template

SCREENS = Path(os.environ.get("FUPIN_SCREENS", "/tmp/screens/projx"))


def _shot(widget, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SCREENS / name))


def _wait(qtbot, exchange):
    op = exchange.last_op
    if op is not None and op.is_running():
        with qtbot.waitSignal(op.finished, timeout=30000):
            pass


def test_import_review_commit_then_export(ui_db, main_window, qtbot, tmp_path, message_boxes):
    with ui_db.session() as s:
        add_regions(s)
    page = main_window.select_page("projects")
    assert page.import_button.text() == "导入…" and page.export_button.text() == "导出…"
    path = write_template(tmp_path / "模板.xlsx", [
        template_row(1, "新寨村通组路硬化项目", total=12.3456, central=10.0006, county=2.345),
        template_row(2, "新寨村产业路项目", total=60),  # funds do not add up
    ])  # fmt: skip
    page.exchange.start_import(path)
    _wait(qtbot, page.exchange)
    dialog = page.exchange.review
    assert isinstance(dialog, ProjectImportReviewDialog)
    qtbot.waitExposed(dialog)
    assert dialog.tabs.currentIndex() == 2 and dialog.import_button.isEnabled()
    assert dialog.report_button.isEnabled()
    saved = dialog.save_report(str(tmp_path / "err.xlsx"))
    assert saved is not None and saved.exists()
    _shot(dialog, "review-errors.png")
    dialog.tabs.setCurrentIndex(1)
    _shot(dialog, "review-new.png")
    with ui_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 0  # the review is a dry run
    dialog.accept()
    _wait(qtbot, page.exchange)
    with ui_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 1
    assert message_boxes and "新增 1 个项目" in message_boxes[-1][1]
    assert page.model.rowCount() == 1
    _shot(main_window, "page-after-import.png")

    # A change shows old → new in the review.
    path = write_template(tmp_path / "b.xlsx", [template_row(1, "新寨村通组路硬化项目", total=12.3456,
                                                             central=10.0006, county=2.345, phone="13911112222")])
    page.exchange.start_import(path)
    _wait(qtbot, page.exchange)
    dialog = page.exchange.review
    qtbot.waitExposed(dialog)
    assert dialog.tabs.currentIndex() == 0
    tree = dialog.tabs.widget(0)
    child = tree.topLevelItem(0).child(0)
    assert (child.text(0), child.text(1), child.text(2)) == ("联系电话", "13800001111", "13911112222")
    _shot(dialog, "review-changes.png")
    dialog.reject()

    target = tmp_path / "导出.xlsx"
    page.exchange.start_export(target, None)
    _wait(qtbot, page.exchange)
    ws = openpyxl.load_workbook(target).active
    assert "项目批量导入模板" in ws.cell(1, 1).value and ws.max_row == 3
    assert "已导出 1 个项目" in message_boxes[-1][1]
