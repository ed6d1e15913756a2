"""The 扶贫手册 UI: the household 帮扶 widget, the page, and the PDF preview/print dialog."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from fupin_desktop.services import handbook as hb
from fupin_desktop.services import printing
from fupin_desktop.ui.handbook import HandbookPage, HouseholdAssistWidget
from fupin_desktop.ui.printing import PdfPreviewDialog, print_pdf
from tests.unit.printing.sample import build_household


def _household(db) -> int:
    with db.session() as s:
        return build_household(s, members=3).id


def test_quick_entry_adds_edits_and_refuses_bad_input(qtbot, ui_db, message_boxes):
    hid = _household(ui_db)
    w = HouseholdAssistWidget(ui_db, hid)
    qtbot.addWidget(w)
    assert w.assignments.rowCount() == 2 and w.income.rowCount() == 1
    before = w.entries.rowCount()
    w.q_section.setCurrentIndex(w.q_section.findData("02"))
    w.q_category.setCurrentIndex(w.q_category.findData("01"))
    w.q_content.setText("发放鸡苗50只")
    w.q_amount.setText("600")
    with qtbot.waitSignal(w.changed):
        qtbot.keyClick(w.q_amount, Qt.Key.Key_Return)
    assert w.entries.rowCount() == before + 1
    assert w.q_content.text() == ""  # ready for the next line
    # Bad amount: a message, nothing saved, text kept.
    w.q_content.setText("x")
    w.q_amount.setText("abc")
    assert not w.submit_entry()
    assert message_boxes and "金额" in message_boxes[-1][1]
    assert w.q_amount.text() == "abc"
    with ui_db.session() as s:
        assert sum(e.content == "发放鸡苗50只" for e in hb.entries_of(s, hid)) == 1
    # Edit the new line in place.
    row = next(r for r in range(w.entries.rowCount()) if w.entries.item(r, 4).text() == "发放鸡苗50只")
    w.entries.selectRow(row)
    w.edit_selected_entry()
    assert w.q_add.text() == "保存修改"
    w.q_content.setText("发放鸡苗60只")
    w.q_amount.setText("720")
    assert w.submit_entry()
    with ui_db.session() as s:
        assert [e.amount for e in hb.entries_of(s, hid) if e.content == "发放鸡苗60只"] == [720]
    w.set_household(None)
    assert not w.q_add.isEnabled()


def test_page_searches_and_checks(qtbot, ui_db):
    _household(ui_db)
    page = HandbookPage(ui_db)
    qtbot.addWidget(page)
    page.refresh()
    assert page.results.count() == 2
    page.search_edit.setText("5223261002010099")
    page.search()
    assert page.results.count() == 1
    page.results.setCurrentRow(0)
    assert page.assist.household_id is not None
    page.run_check()
    assert "检查完成" in page.check_summary.text()
    assert page.helpers.rowCount() == 2
    assert page.team_village.count() >= 1 and page.team.rowCount() == 1


def test_preview_shows_and_prints_the_pdf(qtbot, ui_db, tmp_path):
    hid = _household(ui_db)
    pdf = tmp_path / "hb.pdf"
    result = printing.print_households(ui_db, "handbook", [hid], pdf)
    dialog = PdfPreviewDialog(pdf, title="扶贫手册")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page_count == result.pages
    image = dialog.page_image(0)
    assert image is not None and not image.isNull() and image.width() > 100
    assert "共 %d 页" % result.pages in dialog.page_label.text()
    dialog.zoom_by(1.25)
    assert dialog.page_image(1) is not None
    # Print pages 2-3 to a PDF printer: the output has exactly those pages.
    out = tmp_path / "printed.pdf"
    dialog.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.printer.setOutputFileName(str(out))
    dialog.printer.setPrintRange(QPrinter.PrintRange.PageRange)
    dialog.printer.setFromTo(2, 3)
    assert dialog.run_print() == 2
    from pypdf import PdfReader

    assert len(PdfReader(out).pages) == 2
    dialog.close()


def test_print_pdf_all_pages(tmp_path, ui_db):
    hid = _household(ui_db)
    pdf = tmp_path / "card.pdf"
    printing.print_households(ui_db, "card", [hid], pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    assert print_pdf(pdf, printer) == 1
    assert (tmp_path / "out.pdf").stat().st_size > 1000
    assert dt.date.today()
