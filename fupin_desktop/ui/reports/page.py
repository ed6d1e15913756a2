"""月度报表 page: pick a month (or year) and a region, read the report, compare, chart,
drill into the households behind a count, export, print, submit and unlock.

Every figure comes from ``services.reports``; the computation runs through the one
background helper (``ui.operations.BackgroundOp``). A submitted month shows its saved
figures; 「重新计算」 shows them computed again as of the month's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import registry as registry_svc
from fupin_desktop.ui.errors import show_error
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.printing.preview import print_and_preview
from fupin_desktop.ui.reports.model import (
    Column,
    CompareDelegate,
    ReportTableModel,
    TableRow,
    figure,
    report_columns,
)
from fupin_desktop.ui.widgets.charts import BarChart, LineChart
from fupin_desktop.ui.widgets.grouped_table import GroupedTable
from fupin_desktop.ui.widgets.regions import RegionCombo
from fupin_desktop.ui.widgets.titles import page_title

MONTHLY, YEARLY = "monthly", "yearly"
NAME_WIDTH = 150
COUNT_WIDTH, MONEY_WIDTH = 62, 110
ROW_HEIGHT, COMPARE_ROW_HEIGHT = 26, 40
TREND_MONTHS = 12
MAX_BARS = 40  # more villages than this: the bar chart shows townships instead
DEFAULT_CHART_KEY = "households_monitored"


def last_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def month_title(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


@dataclass(frozen=True)
class MonthState:
    """Whether the month is 上报 and locked for the region, and its last lock."""

    locked: bool
    revision: int | None = None
    by: str | None = None
    at: dt.datetime | None = None
    unlock_reason: str | None = None
    unlocked_by: str | None = None
    unlocked_at: dt.datetime | None = None

    def text(self, *, live: bool = False) -> str:
        """「已上报（第2版，张三 于 2026-12-01 10:00）」, 「未上报」, or 未上报 after 解锁."""
        if self.locked:
            text = f"已上报（第{self.revision}版，{self.by or '—'} 于 {_when(self.at)}）"
            return text + ("　现在显示的是重新计算的数字" if live else "　显示的是上报时保存的数字")
        if self.revision is not None:
            return (f"未上报　第{self.revision}版已由 {self.unlocked_by or '—'} 于 "
                    f"{_when(self.unlocked_at)} 解锁（{self.unlock_reason or ''}），改好后请重新上报")
        return "未上报"


def month_state(service: ModuleType, session, month: str, region: str) -> MonthState:
    lock = service.month_lock(session, region, month)
    if lock is not None:
        return MonthState(True, lock.revision, lock.locked_by, lock.locked_at)
    history = service.lock_history(session, region, month)
    if history:
        last = history[-1]
        return MonthState(False, last.revision, last.locked_by, last.locked_at,
                          last.unlock_reason, last.unlocked_by, last.unlocked_at)
    return MonthState(False)


@dataclass
class Loaded:
    """What one background load brings back."""

    report: Any
    previous: Any | None
    deltas: dict[str, dict[str, Any]] | None
    state: MonthState | None  # None for a 年报 (not submitted on its own)


class ReportsPage(QWidget):
    """The 月度报表 page the main window registers under ``reports``."""

    key = "reports"
    title = "月度报表"
    icon_name = "reports"

    loaded = Signal()  # a report is on screen (tests wait for it)
    trend_loaded = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None, *,
                 service: ModuleType | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_reports")
        self._service = service
        self.report: Any = None
        self.state: MonthState | None = None
        self.previous: Any = None
        self._generation = 0
        self._trend_key: tuple | None = None
        self._trend: list[tuple[str, dict]] = []
        self.last_op: BackgroundOp | None = None
        self.trend_op: BackgroundOp | None = None
        self.submit_op: BackgroundOp | None = None

        self.title_label = page_title(self.title)
        self.state_label = QLabel("")
        self.state_label.setObjectName("reportState")

        # -- pickers ----------------------------------------------------------------------
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("月报", MONTHLY)
        self.kind_combo.addItem("年报", YEARLY)
        self.period_edit = QDateEdit()
        self.period_edit.setObjectName("reportPeriod")
        self.period_edit.setCalendarPopup(False)
        today = dt.date.today()
        self.period_edit.setMaximumDate(QDate(today.year, today.month, 1))
        self.period_edit.setMinimumDate(QDate(2014, 1, 1))
        self.set_period(last_month(today))
        self.region_combo = RegionCombo()
        self.region_combo.setObjectName("reportRegion")
        self.compare_box = QCheckBox("与上月比较")
        self.compare_box.setToolTip("每格后面括号里显示与上一期相比的增减")
        self.live_box = QCheckBox("重新计算")
        self.live_box.setToolTip("已上报的月份默认显示上报时保存的数字；勾选后按月末的记录重新计算")

        self.export_button = QPushButton("导出Excel…")
        self.print_button = QPushButton("打印/PDF…")
        self.submit_button = QPushButton("上报")
        self.submit_button.setObjectName("submitReport")
        self.unlock_button = QPushButton("申请解锁…")

        self._apply_kind()
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.period_edit.dateChanged.connect(lambda _d: self.load())
        self.region_combo.currentIndexChanged.connect(lambda _i: self.load())
        self.compare_box.toggled.connect(lambda _on: self.load())
        self.live_box.toggled.connect(lambda _on: self.load())
        self.export_button.clicked.connect(self.export_xlsx)
        self.print_button.clicked.connect(self.print_pdf)
        self.submit_button.clicked.connect(self.submit)
        self.unlock_button.clicked.connect(self.unlock)

        # -- table ------------------------------------------------------------------------
        self.model = ReportTableModel(self, report_columns(yearly=False))
        self.table = GroupedTable()
        self.table.setObjectName("reportTable")
        self.table.set_model(self.model, [c.header for c in self.model.columns], frozen=1)
        self._fit_columns()
        self.delegate = CompareDelegate(self)
        for view in (self.table.frozen_view, self.table.main_view):
            view.setItemDelegate(self.delegate)
        self.table.activated.connect(self.drill_down)
        self.hint = QLabel("双击户数或人数可在户籍管理中列出这些农户。")
        self.hint.setObjectName("reportHint")
        self.hint.setStyleSheet("color:#5a6678;")

        # -- charts -----------------------------------------------------------------------
        self.metric_combo = QComboBox()
        self._fill_metrics()
        self.metric_combo.setCurrentIndex(self.metric_combo.findData(DEFAULT_CHART_KEY))
        self.metric_combo.currentIndexChanged.connect(lambda _i: self._update_charts())
        self.bar_chart = BarChart()
        self.bar_chart.setObjectName("villageChart")
        self.line_chart = LineChart()
        self.line_chart.setObjectName("trendChart")
        charts = QWidget()
        cl = QVBoxLayout(charts)
        cl.setContentsMargins(0, 6, 0, 0)
        metric_row = QHBoxLayout()
        metric_row.addWidget(QLabel("指标："))
        metric_row.addWidget(self.metric_combo)
        metric_row.addStretch(1)
        cl.addLayout(metric_row)
        chart_split = QSplitter()
        chart_split.addWidget(self.bar_chart)
        chart_split.addWidget(self.line_chart)
        chart_split.setChildrenCollapsible(False)
        cl.addWidget(chart_split, 1)

        table_tab = QWidget()
        tl = QVBoxLayout(table_tab)
        tl.setContentsMargins(0, 6, 0, 0)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.hint)
        self.tabs = QTabWidget()
        self.tabs.addTab(table_tab, "报表")
        self.tabs.addTab(charts, "图表")
        self.tabs.currentChanged.connect(lambda _i: self._maybe_load_trend())

        # -- layout -----------------------------------------------------------------------
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addSpacing(16)
        top.addWidget(self.state_label, 1)
        for button in (self.export_button, self.print_button, self.submit_button, self.unlock_button):
            top.addWidget(button)
        pickers = QHBoxLayout()
        pickers.setSpacing(6)
        for label, widget in (("报表类型：", self.kind_combo), ("期间：", self.period_edit),
                              ("区划：", self.region_combo)):
            pickers.addWidget(QLabel(label))
            pickers.addWidget(widget)
            pickers.addSpacing(8)
        pickers.addWidget(self.compare_box)
        pickers.addWidget(self.live_box)
        pickers.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 8)
        layout.addLayout(top)
        layout.addLayout(pickers)
        layout.addWidget(self.tabs, 1)
        self._set_actions_enabled(False)

    # -- columns --------------------------------------------------------------------------
    def chart_columns(self) -> list[Column]:
        return [c for c in self.model.columns if c.kind in ("count", "money")]

    def _fill_metrics(self) -> None:
        index = self.metric_combo.currentIndex()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        for col in self.chart_columns():
            self.metric_combo.addItem(col.label, ".".join(col.path))
        self.metric_combo.setCurrentIndex(max(index, 0))
        self.metric_combo.blockSignals(False)

    def _fit_columns(self) -> None:
        self.table.fit_columns([NAME_WIDTH if c.kind == "name" else MONEY_WIDTH if c.kind == "money"
                                else COUNT_WIDTH for c in self.model.columns])

    def _use_columns(self, yearly: bool) -> tuple[Column, ...] | None:
        """The yearly report says 本年 where the monthly one says 本月."""
        columns = report_columns(yearly)
        if columns == self.model.columns:
            return None
        return columns

    # -- the service --------------------------------------------------------------------------
    @property
    def service(self) -> ModuleType:
        if self._service is None:
            from fupin_desktop.services import reports

            self._service = reports
        return self._service

    # -- pickers ------------------------------------------------------------------------------
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def period(self) -> str:
        """「2026-11」 for a monthly report, 「2026」 for a yearly one."""
        date = self.period_edit.date()
        if self.kind() == YEARLY:
            return f"{date.year():04d}"
        return f"{date.year():04d}-{date.month():02d}"

    def set_period(self, period: str) -> None:
        year, _, month = period.partition("-")
        self.period_edit.setDate(QDate(int(year), int(month or 12), 1))

    def region_code(self) -> str | None:
        return self.region_combo.code()

    def _apply_kind(self) -> None:
        yearly = self.kind() == YEARLY
        self.period_edit.setDisplayFormat("yyyy年" if yearly else "yyyy年MM月")
        self.compare_box.setText("与上年比较" if yearly else "与上月比较")
        self.title_label.setText(self.title)

    def _kind_changed(self) -> None:
        self._apply_kind()
        self.load()

    # -- loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the regions and the report (the main window calls this when shown)."""
        with self.db.session() as s:
            roots = registry_svc.region_tree(s)
        self.region_combo.blockSignals(True)
        self.region_combo.set_nodes(roots)
        self.region_combo.blockSignals(False)
        self._trend_key = None
        self.load()

    def load(self) -> BackgroundOp | None:
        """Compute the chosen report off the GUI thread; ``loaded`` fires when shown."""
        self._generation += 1
        generation = self._generation
        region = self.region_code()
        if region is None:
            self.report = None
            self.model.set_report([])
            self.state_label.setText("数据库中还没有区划：请先在户籍管理中导入或新建农户。")
            self._set_actions_enabled(False)
            return None
        kind, period = self.kind(), self.period()
        compare, live = self.compare_box.isChecked(), self.live_box.isChecked()
        self.state_label.setText("正在计算…")
        self.last_op = self._run(
            lambda _p, _c: self._compute(kind, period, region, compare, live), "正在计算报表，请稍候…",
            lambda loaded: self._show(generation, loaded), lambda exc: self._failed(generation, exc))
        return self.last_op

    def _run(self, work, label: str, done, failed, *, cancelled=None) -> BackgroundOp:
        """``work(progress, is_cancelled)`` off the GUI thread, then ``done(result)`` or
        ``failed(exc)``; with ``cancelled`` the clerk may stop it (then ``cancelled()``)."""
        op: BackgroundOp = BackgroundOp(self, work, title="月度报表", label=label,
                                        cancellable=cancelled is not None)
        op.success(done).failure(failed)
        if cancelled is not None:
            op.on_cancelled(cancelled)
        return op.start()

    def _report(self, session, kind: str, period: str, region: str, live: bool):
        if kind == YEARLY:
            return self.service.yearly_report(session, int(period), region, live=live)
        return self.service.monthly_report(session, period, region, live=live)

    def _compute(self, kind: str, period: str, region: str, compare: bool, live: bool) -> Loaded:
        with self.db.session() as s:
            report = self._report(s, kind, period, region, live)
            previous = deltas = None
            if compare:
                before = str(int(period) - 1) if kind == YEARLY else previous_month(period)
                previous = self._report(s, kind, before, region, live)
                deltas = self.service.compare(report, previous)
            state = None if kind == YEARLY else month_state(self.service, s, period, region)
        return Loaded(report, previous, deltas, state)

    def _show(self, generation: int, loaded: Loaded) -> None:
        if generation != self._generation:
            return  # the clerk has picked something else meanwhile
        report = self.report = loaded.report
        self.previous = loaded.previous
        rows = [TableRow(report.region_code, "合计", "total", report.total, "total")]
        rows += [TableRow(r.code, r.name, r.level, r.figures,
                          f"{r.code}:own" if r.level == "own" else r.code) for r in report.rows]
        columns = self._use_columns(report.kind == YEARLY)
        self.model.set_report(rows, loaded.deltas, columns)
        if columns is not None:
            self.table.set_paths([c.header for c in columns])
            self._fit_columns()
            self._fill_metrics()
        height = ROW_HEIGHT if loaded.deltas is None else COMPARE_ROW_HEIGHT
        for view in (self.table.frozen_view, self.table.main_view):
            view.verticalHeader().setDefaultSectionSize(height)
        self.state = loaded.state
        if loaded.state is None:
            self.state_label.setText("年报按当年12月31日的记录计算")
            self.state_label.setStyleSheet("color:#5a6678;")
        else:
            self.state_label.setText(loaded.state.text(live=self.live_box.isChecked()))
            self.state_label.setStyleSheet("color:#1a7f37;" if loaded.state.locked else "color:#9a6700;")
        self._set_actions_enabled(True)
        self._update_charts()
        self._maybe_load_trend()
        self.loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.report = None
            self.model.set_report([])
            self.state_label.setText("报表没有算出来，请看提示。")
            self._set_actions_enabled(False)
        show_error(self, exc)

    def _set_actions_enabled(self, on: bool) -> None:
        monthly = self.kind() == MONTHLY
        locked = bool(on and monthly and self.state is not None and self.state.locked)
        self.export_button.setEnabled(on)
        self.print_button.setEnabled(on)
        self.submit_button.setEnabled(on and monthly and not locked)
        self.unlock_button.setEnabled(locked)
        self.live_box.setEnabled(locked or self.live_box.isChecked())
        self.submit_button.setText("重新上报" if on and self.state and self.state.revision else "上报")

    # -- charts -------------------------------------------------------------------------------
    def chart_column(self) -> Column:
        return self.chart_columns()[max(self.metric_combo.currentIndex(), 0)]

    def _update_charts(self) -> None:
        col = self.chart_column()
        unit = "元" if col.kind == "money" else ("户" if "户" in col.label else "人" if "人" in col.label else "个")
        rows = [r for r in self.model.rows if r.level == "village"]
        if len(rows) > MAX_BARS or not rows:
            rows = [r for r in self.model.rows if r.level == "township"] or rows
        where = "各村" if rows and rows[0].level == "village" else "各乡镇"
        period = self.report.period if self.report is not None else ""
        title = f"{where}{col.label}（{self._period_title(period)}）" if period else col.label
        self.bar_chart.set_data([r.name for r in rows], [figure(r.figures, col.path) for r in rows],
                                title=title, unit=unit)
        labels = [f"{int(m[5:])}月" for m, _ in self._trend]
        span = f"（{month_title(self._trend[0][0])}—{month_title(self._trend[-1][0])}）" if self._trend else ""
        self.line_chart.set_data(labels, [figure(f, col.path) for _m, f in self._trend],
                                 title=f"近12个月{col.label}{span}", unit=unit)

    def _period_title(self, period: str) -> str:
        return month_title(period) if "-" in period else f"{period}年"

    def _trend_end(self) -> str:
        """The trend's last month: the month shown, or December of the year shown (the
        current month while that year is still running)."""
        period = self.period()
        if self.kind() != YEARLY:
            return period
        today = dt.date.today()
        return min(f"{period}-12", f"{today.year:04d}-{today.month:02d}")

    def _maybe_load_trend(self) -> BackgroundOp | None:
        """The 12-month trend is computed when the chart tab is first shown for a choice."""
        if self.tabs.currentIndex() != 1 or self.report is None:
            return None
        key = (self.region_code(), self._trend_end())
        if key == self._trend_key:
            return None
        self._trend_key = key
        region, end = key
        self.trend_op = self._run(
            lambda progress, cancelled: self._compute_trend(region, end, progress, cancelled),
            "正在计算近12个月的变化…",
            lambda trend: self._show_trend(key, trend), lambda exc: self._trend_failed(key, exc),
            cancelled=lambda: self._trend_cancelled(key))
        return self.trend_op

    def _compute_trend(self, region: str | None, end: str, progress, cancelled) -> list[tuple[str, dict]]:
        """services.reports.trend month by month, so the clerk sees progress and can stop."""
        months = [end]
        while len(months) < TREND_MONTHS:
            months.insert(0, previous_month(months[0]))
        out: list[tuple[str, dict]] = []
        with self.db.session() as s:
            for done, month in enumerate(months):
                if cancelled():
                    break
                progress(done, len(months), f"正在计算{month_title(month)}…")
                out += self.service.trend(s, region, month, 1)
        return out

    def _trend_cancelled(self, key: tuple) -> None:
        if key == self._trend_key:
            self._trend_key = None  # computed again when the chart tab is next shown

    def _show_trend(self, key: tuple, trend: list[tuple[str, dict]]) -> None:
        if key != self._trend_key:
            return
        self._trend = trend
        self._update_charts()
        self.trend_loaded.emit()

    def _trend_failed(self, key: tuple, exc: BaseException) -> None:
        if key == self._trend_key:
            self._trend_key = None
        show_error(self, exc)

    # -- drill-down ---------------------------------------------------------------------------
    def drill_down(self, index: QModelIndex) -> list[int] | None:
        """Double-click on a count: list the households behind it in 户籍管理."""
        if not index.isValid() or self.report is None:
            return None
        col = self.model.columns[index.column()]
        row = self.model.rows[index.row()]
        if col.drill is None or not row.drillable:
            return None
        if self.kind() != MONTHLY:
            QMessageBox.information(self, "月度报表", "年报的数字不能直接列出农户，请改看12月的月报。")
            return None
        month = self.report.period
        try:
            with self.db.session() as s:
                ids = list(self.service.households_behind(s, month, row.code, col.drill))
        except UserError as exc:
            show_error(self, exc)
            return None
        name = self.report.region_name if row.level == "total" else row.name
        label = f"来自月报：{month_title(month)} {name} {col.label}"
        window = self.window()
        select_page = getattr(window, "select_page", None)
        if callable(select_page):
            registry = select_page("registry")
            show = getattr(registry, "show_household_ids", None)
            if callable(show):
                show(ids, label)
        return ids

    # -- outputs ------------------------------------------------------------------------------
    def _file_stem(self) -> str:
        report = self.report
        kind = "年报" if report.kind == YEARLY else "月报"
        return f"{report.region_name}{self._period_title(report.period)}{kind}"

    def export_xlsx(self) -> BackgroundOp | None:
        if self.report is None:
            return None
        path, _ = QFileDialog.getSaveFileName(self, "导出Excel", f"{self._file_stem()}.xlsx",
                                              "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        report, user = self.report, self.db.user or ""
        op = BackgroundOp(self, lambda _p, _c: self.service.write_report_xlsx(report, path, filled_by=user),
                          title="导出Excel", label="正在写入 Excel…", cancellable=False)
        op.success(lambda written: QMessageBox.information(self, "导出Excel", f"已导出：{written}"))
        return op.start()

    def print_pdf(self) -> BackgroundOp | None:
        if self.report is None:
            return None
        report, user = self.report, self.db.user or ""
        return print_and_preview(
            self, f"打印 — {self._file_stem()}",
            lambda path, _p, _c: self.service.write_report_pdf(report, path, filled_by=user),
            save_name=f"{self._file_stem()}.pdf", cancellable=False,
        )

    # -- submit / unlock ----------------------------------------------------------------------
    def open_error_count(self) -> int | None:
        """Open 错误 findings of the latest data check, when that check exists."""
        try:
            from fupin_desktop.services.checks import open_error_count
        except ImportError:
            return None
        with self.db.session() as s:
            return open_error_count(s, self.region_code())

    def submit(self) -> BackgroundOp | None:
        """上报: confirm (naming open data errors), then save the figures and lock the month
        in the background; None when there is nothing to submit or the clerk declined."""
        if self.report is None or self.kind() != MONTHLY:
            return None
        month, region = self.report.period, self.region_code()
        place = self.report.region_name
        errors = self.open_error_count()
        question = f"上报{place}{month_title(month)}的月报？\n\n上报后这个月份锁定，不能再录入日期在本月的变动；需要改动时要先申请解锁。"
        if errors:
            question = (f"数据检查还有 {errors:,} 个错误没有处理。\n\n" + question
                        + "\n\n建议先处理这些错误再上报。仍然上报吗？")
        answer = QMessageBox.question(self, "上报", question)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        user = self.db.user or ""

        def work(_progress, _cancelled) -> int:
            with self.db.session(note=f"上报{month}月报") as s:
                return self.service.submit_report(s, month, region, user=user)

        def done(revision: int) -> None:
            QMessageBox.information(
                self, "上报", f"已上报{place}{month_title(month)}月报（第{revision}版），本月已锁定。")
            self.live_box.blockSignals(True)
            self.live_box.setChecked(False)  # a new revision: show what was saved
            self.live_box.blockSignals(False)
            self.load()

        # Submitting computes the month again as of its end: off the GUI thread.
        self.submit_op = self._run(work, "正在上报…", done, lambda exc: show_error(self, exc))
        return self.submit_op

    def unlock(self) -> bool:
        """申请解锁: a reason, then the month is open again (the next 上报 is a new version)."""
        if self.report is None or self.kind() != MONTHLY:
            return False
        month, region = self.report.period, self.region_code()
        reason, ok = QInputDialog.getText(
            self, "申请解锁", f"解锁{self.report.region_name}{month_title(month)}的原因：",
            QLineEdit.EchoMode.Normal, "")
        if not ok:
            return False
        reason = reason.strip()
        if not reason:
            QMessageBox.warning(self, "申请解锁", "请填写解锁原因（例如：补录本月新识别的监测户）。")
            return False
        try:
            with self.db.session(note=f"解锁{month}") as s:
                self.service.unlock_month(s, month, region, reason=reason, user=self.db.user or "")
        except UserError as exc:
            show_error(self, exc)
            return False
        QMessageBox.information(self, "申请解锁", f"{month_title(month)}已解锁，改好后请重新上报。")
        self.load()
        return True
