"""The 月度报表 page on a demo county: the table and its merged header, 与上月比较, the
charts, drill-down into 户籍管理, 上报 and 申请解锁 (through the real reports service)."""

from __future__ import annotations

import sys
import types
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableView

from fupin_desktop.services import demo
from fupin_desktop.services import reports as svc
from fupin_desktop.services.reports import columns as report_layout
from fupin_desktop.ui.reports.model import COLUMNS, Roles, format_delta, format_value
from fupin_desktop.ui.widgets.grouped_table import GroupedHeaderView

MONTH = "2026-10"  # the demo's reference month: it has changes of its own


def column(key: str, *sub: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.path == (key, *sub))


@pytest.fixture
def demo_db(ui_db):
    demo.generate(ui_db, households=160, seed=3)
    return ui_db


def wait_loaded(qtbot, page):
    qtbot.waitUntil(lambda: page.last_op is not None and not page.last_op.is_running()
                    and page.report is not None, timeout=20000)


@pytest.fixture
def page(qtbot, make_main_window, demo_db):
    window = make_main_window(demo_db)
    page = window.select_page("reports")
    wait_loaded(qtbot, page)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_period(MONTH)
    return page


def service_report(db, month=MONTH, region=None, live=False):
    with db.session() as s:
        return svc.monthly_report(s, month, region, live=live)


# --------------------------------------------------------------------------- the header


def test_grouped_header_merges_neighbours_that_share_a_group(qtbot):
    view = QTableView()
    qtbot.addWidget(view)
    model = QStandardItemModel(2, 5)
    view.setModel(model)
    header = GroupedHeaderView(view)
    view.setHorizontalHeader(header)
    header.set_paths([("单位名称",), ("对象规模", "脱贫户", "户数"), ("对象规模", "脱贫户", "人数"),
                      ("对象规模", "其中", "已消除"), ("就业", "公益岗位")])
    for col, width in enumerate((90, 50, 60, 70, 80)):
        view.setColumnWidth(col, width)
    assert header.levels() == 3
    assert header.span(1, 0) == (1, 3)  # 对象规模 over three columns
    assert header.span(2, 1) == (1, 2)  # 脱贫户 over two
    assert header.span(3, 1) == (3, 3)
    assert header.span(4, 0) == (4, 4)  # 就业 is alone
    assert header.cell_rect(2, 0).width() == 50 + 60 + 70
    assert header.cell_rect(1, 1).width() == 50 + 60
    rows = header.row_heights()
    # a short path's last label fills the rows below it
    assert header.cell_rect(0, 0).height() == sum(rows)
    assert header.cell_rect(4, 1).height() == rows[1] + rows[2]
    assert header.cell_rect(4, 1).top() == rows[0]
    assert header.sizeHint().height() == sum(rows)


def test_report_table_header_groups_as_the_issue_lists(page):
    header = page.table.header()
    groups = []
    for col in range(1, len(COLUMNS)):
        first, last = header.span(col, 0)
        name = COLUMNS[col].header[0]
        if not groups or groups[-1][0] != name:
            groups.append((name, first, last))
    names = [g[0] for g in groups]
    assert names == list(dict.fromkeys(c.group for c in report_layout.columns()))
    assert names == ["对象规模", "本月变动", "保障", "就业", "项目", "资金", "资产"]
    labels = {c.label for c in COLUMNS}
    assert {"返贫/致贫 户数（户）", "返贫/致贫 人数（人）", "医保参保率"} <= labels
    # each group's cell covers exactly its own columns
    for name, first, last in groups:
        members = [i for i, c in enumerate(COLUMNS) if c.header[0] == name]
        assert (first, last) == (members[0], members[-1])
    # the name column stays put: it lives in the frozen part only
    assert not page.table.frozen_view.isColumnHidden(0)
    assert page.table.main_view.isColumnHidden(0)
    assert page.table.frozen_view.isColumnHidden(1)


# --------------------------------------------------------------------------- the table


def test_page_loads_the_county_report_total_first_then_townships_and_villages(page, demo_db):
    report = service_report(demo_db)
    model = page.model
    assert page.region_combo.level() == "county"
    assert page.period() == MONTH
    assert model.rowCount() == 1 + len(report.rows)
    assert model.index(0, 0).data() == "合计"
    names = [model.index(r, 0).data().strip() for r in range(1, model.rowCount())]
    assert names == [r.name for r in report.rows]
    codes = [r.code for r in report.rows if r.level in ("township", "village")]
    assert codes == sorted(codes)
    col = column("households_tuopin")
    assert model.index(0, col).data() == f"{report.total['households_tuopin']:,}"
    assert int(model.index(0, col).data().replace(",", "")) > 0
    align = Qt.AlignmentFlag(model.index(0, col).data(Qt.ItemDataRole.TextAlignmentRole))
    assert align & Qt.AlignmentFlag.AlignRight
    money = model.index(0, column("funds_allocated")).data()
    assert money == f"{Decimal(report.total['funds_allocated']):,.2f}"
    assert money.count(".") == 1 and len(money.split(".")[1]) == 2
    rate = report.total["disbursement_rate"]
    assert model.index(0, column("disbursement_rate")).data() == (
        "—" if rate is None else f"{Decimal(str(rate)) * 100:.1f}%")
    nested = model.index(0, column("monitored_by_category", "边缘易致贫户", "people")).data()
    assert nested == f"{report.total['monitored_by_category']['边缘易致贫户']['people']:,}"
    assert page.state_label.text() == "未上报"


def test_formats():
    assert format_value("count", 1234567) == "1,234,567"
    assert format_value("money", Decimal("1234.5")) == "1,234.50"
    assert format_value("money", "7642600.00") == "7,642,600.00"
    assert format_value("rate", 0.8289) == "82.9%"
    assert format_value("rate", None) == "—"
    assert format_delta("count", -3) == "−3"
    assert format_delta("count", 0) == "持平"
    assert format_delta("rate", 0.025) == "+2.5个百分点"
    assert format_delta("rate", 0.025, short=True) == "+2.5"
    assert format_delta("count", 0, short=True) == ""


def test_compare_shows_the_change_against_last_month(qtbot, page, demo_db):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.compare_box.setChecked(True)
    now, before = service_report(demo_db), service_report(demo_db, "2026-09")
    col = column("households_monitored")
    change = now.total["households_monitored"] - before.total["households_monitored"]
    cell = page.model.index(0, col)
    assert cell.data(Roles.DELTA) == change
    assert cell.data(Roles.DELTA_TEXT) == format_delta("count", change, short=True)
    assert page.model.text(0, col) == f"{now.total['households_monitored']:,}（{format_delta('count', change)}）"
    # a village row compares with the same village
    village = next(i for i, r in enumerate(page.model.rows) if r.level == "village")
    code = page.model.rows[village].code
    old = next(r for r in before.rows if r.code == code)
    new = next(r for r in now.rows if r.code == code)
    people = column("people_tuopin")
    assert page.model.index(village, people).data(Roles.DELTA) == \
        new.figures["people_tuopin"] - old.figures["people_tuopin"]
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.compare_box.setChecked(False)
    assert page.model.index(0, col).data(Roles.DELTA_TEXT) == ""


def test_charts_show_villages_and_twelve_months(qtbot, page, demo_db):
    with qtbot.waitSignal(page.trend_loaded, timeout=20000):
        page.tabs.setCurrentIndex(1)
    report = service_report(demo_db)
    villages = [r for r in report.rows if r.level == "village"]
    assert page.bar_chart.labels == [r.name for r in villages]
    assert page.bar_chart.values == [float(r.figures["households_monitored"]) for r in villages]
    assert len(page.line_chart.values) == 12
    assert page.line_chart.values[-1] == float(report.total["households_monitored"])
    assert page.line_chart.labels[-1] == "10月"
    with demo_db.session() as s:
        assert page._trend == svc.trend(s, page.region_code(), MONTH, 12)
    page.metric_combo.setCurrentIndex(page.metric_combo.findText("脱贫户 人数（人）"))
    assert page.bar_chart.values == [float(r.figures["people_tuopin"]) for r in villages]
    page.bar_chart.grab()
    page.line_chart.grab()


# --------------------------------------------------------------------------- drill-down


def test_double_click_on_a_count_lists_its_households_in_the_registry(qtbot, page, demo_db):
    window = page.window()
    row = next(i for i, r in enumerate(page.model.rows) if r.level == "village"
               and r.figures["households_monitored"] > 0)
    village = page.model.rows[row]
    col = column("households_monitored")
    view = page.table.view_for(col)
    rect = view.visualRect(page.model.index(row, col))
    assert view.viewport().rect().contains(rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page_key() == "registry"
    registry = window.page("registry")
    with demo_db.session() as s:
        expected = svc.households_behind(s, MONTH, village.code, "households_monitored")
    assert len(expected) == village.figures["households_monitored"]
    listed = [registry.model.id_at(r) for r in range(registry.model.rowCount())]
    assert sorted(listed) == sorted(expected)
    assert registry.chip_source.isVisible()
    label = f"来自月报：2026年10月 {village.name} 监测对象合计 户数（户）"
    assert registry.household_id_set()[1] == label
    assert registry.chip_source.text().startswith("来自月报") and label in registry.chip_source.toolTip()
    assert "来自月报" in registry.status.text()
    registry.chip_source.click()
    assert not registry.chip_source.isVisible()
    assert registry.household_id_set() is None
    assert registry.model.rowCount() > len(expected)


def test_drill_down_skips_sums_of_money(qtbot, page):
    window = page.window()
    assert page.drill_down(page.model.index(0, column("funds_allocated"))) is None
    assert window.current_page_key() == "reports"


# --------------------------------------------------------------------------- submit, unlock


def test_submit_locks_the_month_and_unlock_reopens_it(qtbot, page, demo_db, message_boxes,
                                                     monkeypatch):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.submit_button.click()
    assert message_boxes[0][0] == "上报" and "上报望谟县2026年10月的月报" in message_boxes[0][1]
    assert "错误" not in message_boxes[0][1]  # no data check has run (or exists)
    assert "第1版" in message_boxes[1][1]
    assert page.state_label.text().startswith("已上报（第1版，测试员 于 ")
    assert not page.submit_button.isEnabled() and page.unlock_button.isEnabled()
    assert page.live_box.isEnabled()
    with demo_db.session() as s:
        assert svc.month_lock(s, page.region_code(), MONTH).revision == 1

    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.live_box.setChecked(True)
    assert "重新计算" in page.state_label.text()

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("补录10月新生儿", True)))
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.unlock_button.click()
    assert "补录10月新生儿" in page.state_label.text() and page.state_label.text().startswith("未上报")
    assert page.submit_button.text() == "重新上报"
    with demo_db.session() as s:
        assert svc.month_lock(s, page.region_code(), MONTH) is None

    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.submit_button.click()
    assert page.state_label.text().startswith("已上报（第2版")
    with demo_db.session() as s:
        assert [r["revision"] for r in svc.report_revisions(s, MONTH, page.region_code())] == [1, 2]


def test_unlock_needs_a_reason(qtbot, page, demo_db, message_boxes, monkeypatch):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.submit_button.click()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("  ", True)))
    assert page.unlock() is False
    assert message_boxes[-1][0] == "申请解锁" and "原因" in message_boxes[-1][1]
    with demo_db.session() as s:
        assert svc.month_lock(s, page.region_code(), MONTH) is not None


def test_submit_names_open_errors_and_can_be_declined(qtbot, page, demo_db, monkeypatch):
    checks = types.ModuleType("fupin_desktop.services.checks")
    checks.open_error_count = lambda session, region_code=None: 7
    monkeypatch.setitem(sys.modules, "fupin_desktop.services.checks", checks)
    asked = []

    def decline(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(decline))
    assert page.submit() is None
    assert "还有 7 个错误" in asked[0]
    with demo_db.session() as s:
        assert svc.month_lock(s, page.region_code(), MONTH) is None


def test_township_report_and_empty_database(qtbot, page, make_main_window, ui_db):
    township = next(c for c in page.region_combo.codes() if c.endswith("000") and not c.endswith("000000"))
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.region_combo.set_code(township)
    assert {r.level for r in page.model.rows} <= {"total", "village", "own"}
    assert page.model.rows[0].code == township


def test_a_database_without_regions_says_what_to_do(make_main_window, tmp_path, sqlite_template):
    import shutil

    from fupin_desktop.db import open_database

    path = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, path)
    db = open_database(path, user="测试员")
    window = make_main_window(db)
    page = window.select_page("reports")
    assert "还没有区划" in page.state_label.text()
    assert not page.submit_button.isEnabled() and not page.export_button.isEnabled()


# --------------------------------------------------------------------------- outputs, 年报


def test_export_writes_the_county_layout_xlsx(qtbot, page, demo_db, tmp_path, monkeypatch,
                                             message_boxes):
    from openpyxl import load_workbook

    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "月报"  # no suffix: the page adds .xlsx
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "Excel 工作簿 (*.xlsx)")))
    op = page.export_xlsx()
    qtbot.waitUntil(lambda: not op.is_running(), timeout=20000)
    written = tmp_path / "月报.xlsx"
    assert message_boxes == [("导出Excel", f"已导出：{written}", "")]
    sheet = load_workbook(written).active
    texts = [c.value for row in sheet.iter_rows(max_row=8) for c in row if isinstance(c.value, str)]
    assert any("望谟县2026年10月" in t and "月报表" in t for t in texts)
    report = service_report(demo_db)
    numbers = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, int)]
    assert report.total["households_tuopin"] in numbers


def test_print_opens_the_pdf_in_the_preview(qtbot, page):
    from fupin_desktop.ui.printing import PdfPreviewDialog

    op = page.print_pdf()
    qtbot.waitUntil(lambda: not op.is_running(), timeout=30000)
    previews = page.findChildren(PdfPreviewDialog)
    assert len(previews) == 1 and previews[0].page_count >= 1
    assert previews[0].save_name == "望谟县2026年10月月报.pdf"
    path = previews[0].path
    previews[0].reject()
    assert not path.exists()


def test_yearly_report_reads_this_year_and_cannot_be_submitted(qtbot, page, demo_db):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.kind_combo.setCurrentIndex(page.kind_combo.findData("yearly"))
    assert page.period() == "2026"
    assert page.report.kind == "yearly" and page.report.period == "2026"
    groups = {c.header[0] for c in page.model.columns}
    assert "本年变动" in groups and "本月变动" not in groups
    assert not page.submit_button.isEnabled() and not page.unlock_button.isEnabled()
    with demo_db.session() as s:
        yearly = svc.yearly_report(s, 2026)
    col = next(i for i, c in enumerate(page.model.columns) if c.path == ("new_monitored_households",))
    assert page.model.index(0, col).data() == f"{yearly.total['new_monitored_households']:,}"
    assert page.metric_combo.count() == len(page.chart_columns())


def test_a_refused_submit_says_why_and_changes_nothing(qtbot, page, demo_db, message_boxes):
    with demo_db.session() as s:  # someone else submitted meanwhile
        svc.submit_report(s, MONTH, page.region_code(), user="王五")
    op = page.submit()
    qtbot.waitUntil(lambda: not op.is_running(), timeout=20000)
    assert "已上报" in message_boxes[-1][1] and "申请解锁" in message_boxes[-1][1]
    with demo_db.session() as s:
        assert [r["revision"] for r in svc.report_revisions(s, MONTH, page.region_code())] == [1]


def test_the_trend_can_be_stopped(qtbot, page):
    page.tabs.setCurrentIndex(1)
    op = page.trend_op
    op.cancel()
    with qtbot.waitSignal(op.cancelled, timeout=20000):
        pass
    assert page._trend_key is None  # asked again next time the chart tab is shown
    page.tabs.setCurrentIndex(0)
    with qtbot.waitSignal(page.trend_loaded, timeout=20000):
        page.tabs.setCurrentIndex(1)
    assert len(page.line_chart.values) == 12
