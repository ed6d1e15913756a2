"""The newer forms in 打印预览: the household page's 「其他表」, the 批量打印 tab's 人口变动
notice (by month), and the 资产移交书 from the asset ledger and the project list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate

from fupin_desktop.models import ChangeEvent
from fupin_desktop.ui.handbook import HandbookPage
from fupin_desktop.ui.handbook.page import MORE_FORMS
from fupin_desktop.ui.printing import PdfPreviewDialog
from tests.factories import VILLAGE
from tests.unit.printing.sample import build_handover, build_household


def _preview(qtbot, parent, op) -> PdfPreviewDialog:
    qtbot.waitUntil(lambda: not op.is_running(), timeout=20000)
    dialogs = parent.findChildren(PdfPreviewDialog)
    assert len(dialogs) == 1
    return dialogs[0]


def _text(path) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(path).pages)


def test_household_page_offers_the_new_forms_and_previews_one(qtbot, ui_db):
    with ui_db.session() as s:
        build_household(s, members=3)
    page = HandbookPage(ui_db)
    qtbot.addWidget(page)
    page.refresh()
    page.search_edit.setText("5223261002010099")
    page.search()
    page.results.setCurrentRow(0)
    titles = [a.text() for a in page.more_forms.menu().actions()]
    assert titles == [t for _k, t in MORE_FORMS]
    op = page.print_household("income", "收入测算表")
    dialog = _preview(qtbot, page, op)
    assert dialog.page_count >= 1 and "收入测算表" in _text(dialog.path)
    dialog.reject()
    # Every form of the menu is in 批量打印 too.
    batch = [page.batch_form.itemData(i) for i in range(page.batch_form.count())]
    assert all(k in batch for k, _t in MORE_FORMS)


def test_batch_tab_prints_the_months_change_notice(qtbot, ui_db):
    with ui_db.session() as s:
        hh = build_household(s, members=3)
        s.add(ChangeEvent(household_id=hh.id, member_id=hh.members[1].id, type="04", reason="21",
                          effective_date=dt.date(2026, 11, 9), reported_month="2026-11"))
    page = HandbookPage(ui_db)
    qtbot.addWidget(page)
    page.refresh()
    page.batch_region.setCurrentIndex(page.batch_region.findData(VILLAGE))
    page.batch_form.setCurrentIndex(page.batch_form.findData("notice"))
    assert not page.batch_month.isEnabled()
    page.notice_kind.setCurrentIndex(page.notice_kind.findData("change"))
    assert page.batch_month.isEnabled() and not page.batch_year.isEnabled()
    page.batch_month.setDate(QDate(2026, 11, 1))
    op = page.batch_preview()
    dialog = _preview(qtbot, page, op)
    text = _text(dialog.path)
    assert "2026年11月人口变动" in text and "死亡" in text
    dialog.reject()


def test_ledger_and_project_list_preview_the_handover(qtbot, ui_db, main_window):
    from tests.factories import add_regions

    with ui_db.session() as s:
        add_regions(s)
        build_handover(s)
    page = main_window.select_page("assets")
    page.refresh()
    page.table.selectRow(0)
    dialog = _preview(qtbot, page, page.print_handover())
    assert "扶贫项目资产移交书" in _text(dialog.path) and dialog.windowTitle() == "资产移交书"
    dialog.reject()

    projects = main_window.select_page("projects")
    projects.refresh()
    projects.table.selectRow(0)
    dialog = _preview(qtbot, projects, projects.print_handover())
    assert "城移字〔2025〕3号" in _text(dialog.path).replace(" ", "")
    dialog.reject()
