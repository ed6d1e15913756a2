"""核查 page: run the checks over the county (or one township/village), the table of checks
with their counts, the run history with what was fixed, the findings of a check, the
findings workbook, and the 比对 tab."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services import checks
from fupin_desktop.services.overview import current_user_name
from fupin_desktop.services.projects import region_choices
from fupin_desktop.ui.checks.compare import CompareTab
from fupin_desktop.ui.checks.findings import FindingsDialog, HouseholdOpener
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.widgets import record_view

CHECK_COLUMNS = (("title", "核查项"), ("severity", "类别"), ("count", "条数"), ("previous", "上次"),
                 ("fixed", "上次以来已改正"), ("places", "村数"), ("top", "问题最多的村"), ("code", "代码"))
RUN_COLUMNS = (("when", "核查时间"), ("who", "核查人"), ("place", "范围"), ("households", "户数"),
               ("errors", "错误"), ("warnings", "提醒"), ("fixed", "已改正"), ("seconds", "用时(秒)"))
ERROR_FG = QBrush(QColor("#b3261e"))



class CheckTableModel(RecordTableModel):
    """The catalogue with counts; 错误 rows with findings in red."""

    def data(self, index, role=0):
        from PySide6.QtCore import Qt

        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.rows()[index.row()]
            if row["severity"] == checks.ERROR and row["count"]:
                return ERROR_FG
        return super().data(index, role)


class ChecksPage(QWidget):
    """数据核查: registered in the main window under the key ``checks``."""

    key: ClassVar[str] = "checks"
    title: ClassVar[str] = "数据核查"
    icon_name: ClassVar[str] = "checks"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_checks")
        self.opener = HouseholdOpener(db, self)
        self.by_village: dict[str, dict[str, int]] = {}  # check → place code → open findings
        self.fixed: list[checks.Finding] = []
        self.history: list[dict] = []
        self.region_names: dict[str, str] = {}
        self.dialog: FindingsDialog | None = None

        self.title_label = title = QLabel(self.title)
        title.setObjectName("pageTitle")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("checkStatus")
        self.status_label.setWordWrap(True)

        self.region_combo = QComboBox()
        self.region_combo.setMinimumContentsLength(12)
        self.region_combo.currentIndexChanged.connect(lambda _i: self._show())
        self.run_button = QPushButton("运行核查")
        self.run_button.setObjectName("runChecks")
        self.run_button.clicked.connect(self.run)
        self.export_button = QPushButton("导出核查结果…")
        self.export_button.clicked.connect(self.export_dialog)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("区划"))
        tools.addWidget(self.region_combo)
        tools.addWidget(self.run_button)
        tools.addWidget(self.export_button)
        tools.addStretch(1)

        self.check_model = CheckTableModel(CHECK_COLUMNS, self, right=("count", "previous", "fixed", "places"))
        self.check_view = record_view(self.check_model, "checkTable")
        self.check_view.doubleClicked.connect(lambda index: self.open_check(index.row()))
        header = self.check_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hint = QLabel("双击一项核查列出有问题的农户；再双击一户打开农户窗口，光标停在要改的地方。")
        hint.setStyleSheet("color:#5a6678;")
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.addWidget(self.check_view, 1)
        results_layout.addWidget(hint)

        self.run_model = RecordTableModel(RUN_COLUMNS, self, right=("households", "errors", "warnings",
                                                                     "fixed", "seconds"))
        self.run_view = record_view(self.run_model, "runTable")
        self.run_view.horizontalHeader().setMinimumSectionSize(80)
        self.run_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.trend_label = QLabel()
        self.trend_label.setObjectName("trend")
        self.trend_label.setWordWrap(True)
        runs = QWidget()
        runs_layout = QVBoxLayout(runs)
        runs_layout.addWidget(self.trend_label)
        runs_layout.addWidget(self.run_view, 1)

        self.compare_tab = CompareTab(db, self.opener)
        self.tabs = QTabWidget()
        self.tabs.addTab(results, "核查结果")
        self.tabs.addTab(runs, "核查记录")
        self.tabs.addTab(self.compare_tab, "比对")
        self.tabs.currentChanged.connect(lambda i: self.compare_tab.reload() if i == 2 else None)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addWidget(title)
        layout.addWidget(self.status_label)
        layout.addLayout(tools)
        layout.addWidget(self.tabs, 1)

    # -- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        with self.db.session() as s:
            choices = region_choices(s)
            self.by_village = checks.open_counts_by_village(s)
            self.fixed = checks.fixed_since_previous(s)
            self.history = checks.run_history(s)
        self.region_names = {code: name for code, name, _lv in choices}
        current = self.region_combo.currentData()
        self.region_combo.blockSignals(True)
        self.region_combo.clear()
        self.region_combo.addItem("全部", None)
        for code, name, level in choices:
            self.region_combo.addItem(("　" if level == "village" else "") + name, code)
        at = self.region_combo.findData(current)
        self.region_combo.setCurrentIndex(max(at, 0))
        self.region_combo.blockSignals(False)
        self._show()
        if self.tabs.currentIndex() == 2:
            self.compare_tab.reload()

    def region(self) -> str | None:
        return self.region_combo.currentData()

    def _in_region(self, code: str | None) -> bool:
        region = self.region()
        return not region or (code or "").startswith(code_prefix(region))

    def _show(self) -> None:
        fixed = [f for f in self.fixed if self._in_region(f.region_code)]
        by_place = {check: {code: n for code, n in per.items() if self._in_region(code)}
                    for check, per in self.by_village.items()}
        counts = {check: sum(per.values()) for check, per in by_place.items()}
        fixed_counts: dict[str, int] = {}
        for f in fixed:
            fixed_counts[f.check] = fixed_counts.get(f.check, 0) + 1
        previous = self.history[1]["counts"] if len(self.history) > 1 and not self.region() else {}
        rows = [{"id": c.code, "code": c.code, "title": c.title, "severity": c.severity,
                 "count": counts.get(c.code, 0), "previous": previous.get(c.code, "") if previous else "",
                 "fixed": fixed_counts.get(c.code) or "", "places": len(by_place.get(c.code, {})) or "",
                 "top": self._top_place(by_place.get(c.code, {}))} for c in checks.CATALOGUE]
        rows.sort(key=lambda r: (r["count"] == 0, r["severity"] != checks.ERROR))
        self.check_model.set_rows(rows)
        errors = sum(r["count"] for r in rows if r["severity"] == checks.ERROR)
        warnings = sum(r["count"] for r in rows) - errors
        place = self.region_combo.currentText().strip() or "全部"
        if not self.history:
            self.status_label.setText("还没有运行过核查。点“运行核查”检查全部农户、项目和资产。")
        else:
            last = self.history[0]
            self.status_label.setText(
                f"最近核查：{last['when']:%Y-%m-%d %H:%M}（{last['who']}），{place}：错误 {errors} 条，"
                f"提醒 {warnings} 条；上次以来已改正 {len(fixed)} 条。")
        self._show_history()

    def _top_place(self, per_place: dict[str, int]) -> str:
        if not per_place:
            return ""
        code, n = max(per_place.items(), key=lambda item: (item[1], item[0]))
        return f"{self.region_names.get(code, code or '（未定）').strip()} {n} 条"

    def _show_history(self) -> None:
        severity = {c.code: c.severity for c in checks.CATALOGUE}
        rows = []
        for run in self.history:
            errors = sum(n for code, n in run["counts"].items() if severity.get(code) == checks.ERROR)
            rows.append({
                "id": run["id"], "when": f"{run['when']:%Y-%m-%d %H:%M}", "who": run["who"],
                "place": self.region_names.get(run["region_code"], "全部") if run["region_code"] else "全部",
                "households": run["households_checked"], "errors": errors,
                "warnings": sum(run["counts"].values()) - errors, "fixed": sum(run["fixed"].values()),
                "seconds": f"{run['seconds']:.1f}" if run.get("seconds") is not None else "",
            })
        self.run_model.set_rows(rows)
        if len(rows) >= 2:
            trend = " → ".join(f"{r['errors'] + r['warnings']}" for r in reversed(rows[:8]))
            delta = (rows[0]["errors"] + rows[0]["warnings"]) - (rows[1]["errors"] + rows[1]["warnings"])
            self.trend_label.setText(f"最近 {min(len(rows), 8)} 次核查的问题总数：{trend}"
                                     f"（比上次{'减少' if delta <= 0 else '增加'} {abs(delta)} 条）")
        else:
            self.trend_label.setText("核查两次以上后，这里显示问题数的变化。")

    # -- actions ------------------------------------------------------------------------------
    def run(self) -> BackgroundOp:
        region, user = self.region(), current_user_name(self.db)

        def work(progress, cancelled):
            with self.db.session(note="数据核查") as s:
                return checks.run_checks(s, region, user=user, progress=progress, cancel=cancelled)

        return BackgroundOp(self, work, title="数据核查", label="正在核查…").success(
            lambda _result: self.refresh()).start()

    def open_check(self, row: int) -> FindingsDialog | None:
        rows = self.check_model.rows()
        if not 0 <= row < len(rows):
            return None
        code = rows[row]["code"]
        if not rows[row]["count"]:
            return None
        with self.db.session() as s:
            findings = checks.open_findings(s, self.region(), check=code)
        if not findings:
            return None
        place = self.region_combo.currentText().strip() or "全部"
        self.dialog = FindingsDialog(self.db, code, findings, self.opener, place, self)
        self.dialog.show()
        return self.dialog

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出核查结果", "核查结果.xlsx", "Excel 文件 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> BackgroundOp:
        region = self.region()
        households = self.history[0]["households_checked"] if self.history else 0

        def work(_progress, _cancelled):
            with self.db.session() as s:
                findings = checks.open_findings(s, region)
                counts: dict[str, int] = {}
                for f in findings:
                    counts[f.check] = counts.get(f.check, 0) + 1
                result = checks.CheckResult(None, households, 0.0, counts, findings, region_code=region)
                return checks.write_findings_xlsx(result, s, path)

        return BackgroundOp(self, work, title="导出核查结果", label="正在导出…", cancellable=False).success(
            lambda out: self.status_label.setText(f"核查结果已导出：{out}")).start()
