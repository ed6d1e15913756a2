"""导入导出: county spreadsheets in (read, map once, review the difference, commit) and the
household list out (national column order, optional masking).

All work runs through ``ui.operations.BackgroundOp`` (progress, 取消); the page only calls
service functions (services.household_import / household_export, sheets.profiles).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.services import household_export, household_import, overview
from fupin_desktop.services.household_import import ImportPlan, MappingNeeded
from fupin_desktop.sheets import profiles
from fupin_desktop.sheets.readers import is_blank
from fupin_desktop.ui.exchange.dialogs import ColumnMappingDialog, ImportReviewDialog
from fupin_desktop.ui.files import new_report_path, open_file
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.pages import AreaPage, Stat, count
from fupin_desktop.ui.settings import ui_settings

IMPORT_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.csv *.txt);;所有文件 (*)"
SETTING_IMPORT_DIR = "exchange/import_dir"
SETTING_EXPORT_DIR = "exchange/export_dir"


class ExchangePage(AreaPage):
    key = "exchange"
    title = "导入导出"
    icon_name = "exchange"
    subtitle = "从县里下发的表格导入农户和家庭成员，或把数据导出为全国系统格式的 Excel 表。"
    note = "列对应方案：导入表头不认识的表格时指定一次，以后表头相同的文件会自动使用。"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(db, parent)
        self._parsed = None
        self._overrides: dict[str, str | None] | None = None
        self._path: Path | None = None
        self.review: ImportReviewDialog | None = None
        self.last_report: Path | None = None
        self.last_op: BackgroundOp | None = None

        # --- import ---
        box_in = QGroupBox("导入农户和家庭成员")
        text_in = QLabel(
            "支持全国系统导出的成员表，以及县里自制的表格（.xlsx、.xls、.csv；标题行、合并单元格、"
            "合计行都可以保留）。导入前会逐行检查并列出与数据库的差异，确认后才写入；有错误的行不导入，"
            "并生成一份标出错误的表格副本，改好后再导入即可。"
        )
        text_in.setWordWrap(True)
        self.strict = QCheckBox("严格模式：文件中有任何错误时什么都不导入")
        self.import_button = QPushButton("选择文件并导入…")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.choose_import_file)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_button = QPushButton("打开错误报告")
        self.report_button.setVisible(False)
        self.report_button.clicked.connect(lambda: self.last_report and open_file(self.last_report))
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.strict)
        row.addStretch(1)
        lay_in = QVBoxLayout(box_in)
        lay_in.addWidget(text_in)
        lay_in.addLayout(row)
        res = QHBoxLayout()
        res.addWidget(self.result_label, 1)
        res.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignTop)
        lay_in.addLayout(res)

        # --- export ---
        box_out = QGroupBox("导出农户和家庭成员")
        text_out = QLabel(
            "按全国系统导出表的列顺序导出在户成员（每人一行），证件号码等以文本保存，Excel 不会改动；"
            "导出的文件可以原样再导入。需要公开或外发时，可隐去证件号码、电话和银行账号的中间几位。"
        )
        text_out.setWordWrap(True)
        self.region = QComboBox()
        self.region.setMinimumWidth(240)
        self.mask = QCheckBox("隐去证件号码、电话、银行账号，出生日期只留年份")
        self.export_button = QPushButton("导出…")
        self.export_button.clicked.connect(self.choose_export_file)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("范围："))
        row2.addWidget(self.region)
        row2.addWidget(self.mask)
        row2.addStretch(1)
        row2.addWidget(self.export_button)
        lay_out = QVBoxLayout(box_out)
        lay_out.addWidget(text_out)
        lay_out.addLayout(row2)

        # Our two boxes go between the summary cards and the note of the area page.
        content = self.note_label.parentWidget().layout()
        at = content.indexOf(self.note_label)
        content.insertWidget(at, box_in)
        content.insertWidget(at + 1, box_out)

    # -- page ------------------------------------------------------------------------------
    def summary(self, session):
        c = overview.exchange_counts(session)
        return [
            Stat("已保存的列对应方案", *count(c.import_profiles, "个")),
            Stat("操作日志", *count(c.audit_entries, "条"), action=self.open_audit_log),
        ]

    def open_audit_log(self):
        """The 操作日志 card opens the audit viewer."""
        from fupin_desktop.ui.trust import AuditLogWindow

        window = AuditLogWindow(self.db, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window

    def refresh(self) -> None:
        super().refresh()
        current = self.region.currentData()
        self.region.clear()
        self.region.addItem("全部", None)
        for code, name, _level in household_export.region_choices(self.db):
            self.region.addItem(name, code)
        index = self.region.findData(current)
        self.region.setCurrentIndex(max(index, 0))

    # -- import ----------------------------------------------------------------------------
    def choose_import_file(self) -> None:
        start = ui_settings().value(SETTING_IMPORT_DIR) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的表格", str(start), IMPORT_FILTER)
        if path:
            ui_settings().setValue(SETTING_IMPORT_DIR, str(Path(path).parent))
            self.start_import(Path(path))

    def start_import(self, path: Path, overrides: dict[str, str | None] | None = None) -> BackgroundOp:
        """Read and check ``path`` in the background, then show the review dialog."""
        self._path = path
        self._overrides = overrides
        db = self.db
        lookup = None if overrides else household_import.profile_lookup_for(db)

        def work(progress, cancelled):
            parsed = household_import.read_file(path, overrides=overrides, profile_lookup=lookup,
                                                progress=progress, cancel=cancelled)
            with db.session() as session:
                plan = household_import.analyse(session, parsed, progress=progress, cancel=cancelled)
                session.rollback()
            return plan

        op = BackgroundOp(self, work, title="导入农户和家庭成员", label=f"正在读取和检查 {path.name}…")
        op.success(self._show_review).failure(self._import_failed)
        self.last_op = op
        return op.start()

    def _import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, MappingNeeded) and exc.header is not None:
            self._ask_mapping(exc.header, exc.mapping, str(exc))
            return
        from fupin_desktop.ui.errors import show_error

        show_error(self, exc)

    def _ask_mapping(self, header, mapping, message: str = "") -> None:
        samples = self._samples(header)
        dialog = ColumnMappingDialog(header, mapping, samples, self, message=message)
        if dialog.exec() != ColumnMappingDialog.DialogCode.Accepted or self._path is None:
            return
        overrides = dialog.overrides()
        if dialog.remember.isChecked():
            with self.db.session() as session:
                profiles.save_profile(session, household_import.PROFILE_KIND, header.texts(), overrides)
        self.start_import(self._path, overrides)

    def _samples(self, header) -> dict[int, list[str]]:
        if self._path is None:
            return {}
        try:
            from fupin_desktop.sheets.readers import open_workbook

            with open_workbook(self._path) as book:
                names = book.sheet_names
                sheet = None
                for name in names:
                    data = book.read(name, max_rows=header.data_start + 6)
                    if data.height > header.first_row:
                        sheet = data
                        break
        except Exception:  # noqa: BLE001 - samples are a courtesy
            return {}
        if sheet is None:
            return {}
        out: dict[int, list[str]] = {}
        for c in header.columns:
            vals = [str(sheet.cell(r, c.index)) for r in range(header.data_start, sheet.height)
                    if not is_blank(sheet.cell(r, c.index))]
            out[c.index] = vals[:3]
        return out

    def _show_review(self, plan: ImportPlan) -> None:
        dialog = ImportReviewDialog(plan, self, strict=self.strict.isChecked())
        self.review = dialog
        dialog.options_changed.connect(lambda: self._reanalyse(dialog))
        dialog.remap_requested.connect(lambda: self._remap(dialog))
        dialog.error_report_requested.connect(lambda: self._open_report(dialog.plan))
        dialog.accepted.connect(lambda: self._commit(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _reanalyse(self, dialog: ImportReviewDialog) -> None:
        db, parsed, options = self.db, dialog.plan.parsed, dialog.options()

        def work(progress, cancelled):
            with db.session() as session:
                plan = household_import.analyse(session, parsed, record_missing=options["record_missing"],
                                                create_regions=options["create_regions"], month=options["month"],
                                                progress=progress, cancel=cancelled)
                session.rollback()
            return plan

        op = BackgroundOp(dialog, work, title="核对导入内容", label="正在重新核对…")
        op.success(dialog.set_plan)
        self.last_op = op
        op.start()

    def _remap(self, dialog: ImportReviewDialog) -> None:
        parsed = dialog.plan.parsed
        dialog.reject()
        self._ask_mapping(parsed.header, parsed.mapping)

    def _open_report(self, plan: ImportPlan) -> Path:
        path = household_import.write_errors(plan, new_report_path(plan.parsed.path))
        self.last_report = path
        open_file(path)
        return path

    def _commit(self, dialog: ImportReviewDialog) -> None:
        plan = dialog.plan
        options = dialog.options()
        strict = self.strict.isChecked()
        db = self.db
        fingerprint = plan.fingerprint()

        def work(progress, cancelled):
            result = household_import.commit(
                db, plan.parsed, strict=strict, record_missing=options["record_missing"],
                left_reason=options["left_reason"] if options["record_missing"] else None,
                left_on=options["left_on"], expected_fingerprint=fingerprint,
                month=options["month"], create_regions=options["create_regions"],
                progress=progress, cancel=cancelled)
            if result.errors or result.warnings:
                result.error_report = household_import.write_errors(result.plan, new_report_path(plan.parsed.path))
            return result

        op = BackgroundOp(self, work, title="导入农户和家庭成员", label="正在写入数据库…")
        op.success(self._committed)
        self.last_op = op
        op.start()

    def _committed(self, result) -> None:
        c = result.counts
        text = (
            f"已导入 {Path(result.file).name}：新增 {c['households_created']} 户 {c['members_created']} 人，"
            f"变更 {c['households_updated']} 户 {c['members_updated']} 人，"
            f"{c['households_unchanged']} 户无变化。"
        )
        if c.get("members_recorded_left"):
            text += f"登记自然减少 {c['members_recorded_left']} 人。"
        if result.plan is not None and result.plan.create_regions and result.plan.regions_missing:
            text += f"新建区划 {len(result.plan.regions_missing)} 个。"
        if result.strict_refused:
            text = f"严格模式：文件中有 {len(result.errors)} 处错误，没有导入任何数据。"
        elif result.errors:
            text += f"有 {len({e.row for e in result.errors})} 行因错误未导入，请打开错误报告改正后重新导入。"
        self.result_label.setText(text)
        self.last_report = result.error_report
        self.report_button.setVisible(result.error_report is not None)
        self.refresh()

    # -- export ----------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        start = Path(ui_settings().value(SETTING_EXPORT_DIR) or str(Path.home()))
        name = self.region.currentText().strip() or "全部"
        suggested = start / f"家庭成员-{name}-{dt.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出到", str(suggested), "Excel 工作簿 (*.xlsx)")
        if path:
            target = Path(path)
            if target.suffix.lower() != ".xlsx":
                target = target.with_suffix(".xlsx")
            ui_settings().setValue(SETTING_EXPORT_DIR, str(target.parent))
            self.start_export(target)

    def start_export(self, target: Path) -> BackgroundOp:
        db, region, mask = self.db, self.region.currentData(), self.mask.isChecked()
        op = BackgroundOp(
            self,
            lambda progress, cancelled: household_export.export_households(
                db, target, region=region, mask=mask, progress=progress, cancel=cancelled),
            title="导出农户和家庭成员",
            label="正在导出…",
        )
        op.success(self._exported)
        self.last_op = op
        return op.start()

    def _exported(self, result) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "导出完成",
                          f"已导出 {result.households} 户 {result.members} 人到\n{result.path}",
                          QMessageBox.StandardButton.Ok, self)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        open_button = box.addButton("打开文件", QMessageBox.ButtonRole.ActionRole)
        box.exec()
        if box.clickedButton() is open_button:
            open_file(result.path)
