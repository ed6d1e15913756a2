"""The two dialogs of an import: mapping unknown columns, and reviewing the difference."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.services.household_import import ImportPlan
from fupin_desktop.services.household_sheet import HOUSEHOLD_SCHEMA
from fupin_desktop.services.regions import LEVEL_LABELS
from fupin_desktop.sheets.diff import display_value
from fupin_desktop.sheets.headers import HeaderBlock
from fupin_desktop.sheets.schema import ColumnMapping

IGNORE = "（不导入此列）"


def _month_date(month: str) -> QDate:
    return QDate(int(month[:4]), int(month[5:7]), 1)


class ColumnMappingDialog(QDialog):
    """One row per column of the file: its header, sample values and the field it holds."""

    def __init__(self, header: HeaderBlock, mapping: ColumnMapping | None, samples: dict[int, list[str]],
                 parent: QWidget | None = None, *, message: str = ""):
        super().__init__(parent)
        self.setWindowTitle("指定各列对应的项目")
        self.resize(760, 560)
        self.header = header
        fields = [f for f in HOUSEHOLD_SCHEMA if not f.export_only]
        intro = QLabel(
            message
            or "程序没有认出这个表格的全部列。请为每一列选择它对应的项目；不需要的列选“不导入此列”。"
            "带 * 的项目必须指定。"
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(header.columns), 3)
        self.table.setHorizontalHeaderLabels(["表格中的列", "示例内容", "对应项目"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        current = mapping.columns if mapping else {}
        self.combos: list[tuple[str, QComboBox]] = []
        for row, column in enumerate(header.columns):
            text = column.joined or f"（第{column.index + 1}列，无表头）"
            self.table.setItem(row, 0, _item(text))
            self.table.setItem(row, 1, _item("、".join(samples.get(column.index, []))))
            combo = QComboBox()
            combo.addItem(IGNORE, None)
            for f in fields:
                combo.addItem(f.label + (" *" if f.required else ""), f.key)
            key = current.get(column.index)
            if key is not None:
                combo.setCurrentIndex(combo.findData(key))
            self.table.setCellWidget(row, 2, combo)
            self.combos.append((column.joined, combo))
        self.remember = QCheckBox("记住这个对应方案（以后表头相同的文件自动使用）")
        self.remember.setChecked(True)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)  # names every column still missing: may be long
        self.problem.setStyleSheet("color:#9c0006")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._check_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.remember)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def overrides(self) -> dict[str, str | None]:
        return {text: combo.currentData() for text, combo in self.combos if text}

    def _check_accept(self) -> None:
        chosen = [combo.currentData() for _t, combo in self.combos if combo.currentData()]
        dupes = {k for k in chosen if chosen.count(k) > 1}
        missing = [f.label for f in HOUSEHOLD_SCHEMA if f.required and f.key not in chosen]
        if dupes:
            names = "、".join(HOUSEHOLD_SCHEMA.field(k).label for k in sorted(dupes))
            self.problem.setText(f"“{names}”被指定给了多列，每个项目只能对应一列。")
            return
        if missing:
            self.problem.setText("还需要指定：" + "、".join(missing))
            return
        self.accept()


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


class _Count(QFrame):
    def __init__(self, caption: str, value: int, warn: bool = False):
        super().__init__()
        self.setObjectName("statCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        number = QLabel(f"{value:,}")
        font = number.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        number.setFont(font)
        if warn and value:
            number.setStyleSheet("color:#9c0006")
        layout.addWidget(number)
        layout.addWidget(QLabel(caption))


class ImportReviewDialog(QDialog):
    """What the import would do: counts, then the changes field by field, the new records,
    the records missing from the file (optionally recorded as 自然减少) and the errors."""

    options_changed = Signal()
    remap_requested = Signal()
    error_report_requested = Signal()

    MAX_ROWS = 2000  # the tree shows the first ones; the error report has them all

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None, *, strict: bool = False):
        super().__init__(parent)
        self.setWindowTitle("核对导入内容")
        self.resize(980, 680)
        self.strict = strict
        self.plan = plan
        self._layout = QVBoxLayout(self)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self._layout.addWidget(self.info)
        # 报告月份 of the changes the import records (nothing to re-check when it changes).
        month_row = QHBoxLayout()
        month_row.addWidget(QLabel("报告月份："))
        self.month = QDateEdit(_month_date(plan.month))
        self.month.setObjectName("reportMonth")
        self.month.setDisplayFormat("yyyy-MM")
        self.month.setCalendarPopup(True)
        self.month.setToolTip("导入登记的人口变动（新增成员、自然减少）计入哪个月的月报")
        month_row.addWidget(self.month)
        month_row.addStretch(1)
        self._layout.addLayout(month_row)
        self.absent_label = QLabel()
        self.absent_label.setObjectName("absentColumns")
        self.absent_label.setWordWrap(True)
        self._layout.addWidget(self.absent_label)
        self.counts_box = QWidget()
        self._layout.addWidget(self.counts_box)
        self.tabs = QTabWidget()
        self._layout.addWidget(self.tabs, 1)

        # Missing-member options (on their tab).
        self.record_missing = QCheckBox("把文件中没有的成员登记为“自然减少”（不删除，记入人口变动）")
        self.reason = QComboBox()
        for e in code_list("change_reason").children("decrease"):
            self.reason.addItem(e.label, e.code)
        self.left_on = QDateEdit(QDate.currentDate())
        self.left_on.setCalendarPopup(True)
        self.left_on.setDisplayFormat("yyyy-MM-dd")
        self.record_missing.toggled.connect(self._toggle_missing)
        # Regions the file's places need (on their tab).
        self.create_regions = QCheckBox()
        self.create_regions.setObjectName("createRegions")
        self.create_regions.toggled.connect(self._toggle_regions)

        buttons = QHBoxLayout()
        self.remap_button = QPushButton("调整列对应…")
        self.remap_button.clicked.connect(self.remap_requested)
        self.report_button = QPushButton("打开错误报告")
        self.report_button.clicked.connect(self.error_report_requested)
        self.import_button = QPushButton("导入")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.accept)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.remap_button)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(cancel)
        self._layout.addLayout(buttons)
        self.set_plan(plan)

    # -- options ---------------------------------------------------------------------------
    def options(self) -> dict:
        qd = self.left_on.date()
        month = self.month.date()
        return {
            "record_missing": self.record_missing.isChecked(),
            "left_reason": self.reason.currentData(),
            "left_on": dt.date(qd.year(), qd.month(), qd.day()),
            "create_regions": self.create_regions.isChecked(),
            "month": f"{month.year():04d}-{month.month():02d}",
        }

    def _toggle_regions(self, checked: bool) -> None:
        if checked != self.plan.create_regions:
            self.options_changed.emit()

    def _toggle_missing(self, checked: bool) -> None:
        self.reason.setEnabled(checked)
        self.left_on.setEnabled(checked)
        if checked != self.plan.record_missing:
            self.options_changed.emit()

    # -- content ---------------------------------------------------------------------------
    def set_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        c = plan.counts()
        p = plan.parsed
        enc = f"，编码 {p.encoding.upper()}" if p.encoding else ""
        self.info.setText(
            f"文件：{p.path.name}（工作表“{p.sheet_name}”，表头在{p.header.excel_rows}{enc}）。"
            f"共读取 {c['rows_read']:,} 行，跳过空行和合计行 {c['rows_skipped']:,} 行。"
            "以下是导入后数据库会发生的变化，确认无误后点“导入”。导入不会删除任何数据。"
        )
        # A new box of counts each time (cards added to a shown box would stay hidden).
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self._layout.replaceWidget(self.counts_box, box)
        self.counts_box.hide()
        self.counts_box.deleteLater()
        self.counts_box = box
        items = [
            ("新增农户", c["households_created"]), ("有变更的农户", c["households_updated"]),
            ("无变化的农户", c["households_unchanged"]), ("库中有、文件中没有的农户", c["households_missing"]),
            ("新增成员", c["members_created"]), ("有变更的成员", c["members_updated"]),
            ("无变化的成员", c["members_unchanged"]), ("文件中没有的成员", c["members_missing"]),
        ]
        for i, (caption, value) in enumerate(items):
            grid.addWidget(_Count(caption, value), i // 4, i % 4)
        grid.addWidget(_Count("有错误未导入的行", len({e.row for e in plan.errors}), warn=True), 0, 4)
        grid.addWidget(_Count("提示（不影响导入）", len(plan.warnings)), 1, 4)
        box.show()

        if plan.columns_absent:
            shown = "、".join(f"“{label}”（{n}户）" for _k, label, n in plan.columns_absent)
            self.absent_label.setText(
                f"表格中没有这些列：{shown}。不逐行报错：已有的户保留系统中的原值，新增的户这些项目先留空，"
                "在数据检查中列为“待补充”（提示，不影响导入）。")
        self.absent_label.setVisible(bool(plan.columns_absent))

        self.tabs.clear()
        if plan.regions_missing:
            self.tabs.addTab(self._regions_tab(plan), f"新建区划（{len(plan.regions_missing)}）")
        self.tabs.addTab(self._changes_tab(plan), f"变更明细（{c['households_updated']}户）")
        self.tabs.addTab(self._new_tab(plan), f"新增（{c['households_created']}户 {c['members_created']}人）")
        self.tabs.addTab(self._missing_tab(plan), f"文件中没有的（{c['members_missing']}人 {c['households_missing']}户）")
        self.tabs.addTab(self._errors_tab(plan), f"错误（{len(plan.errors)}）与提示（{len(plan.warnings)}）")
        if plan.regions_missing:
            self.tabs.setCurrentIndex(0)
        elif plan.errors:
            self.tabs.setCurrentIndex(self.tabs.count() - 1)
        self.report_button.setEnabled(bool(plan.errors or plan.warnings))
        blocked = self.strict and bool(plan.errors)
        self.import_button.setEnabled(plan.has_changes and not blocked)
        if blocked:
            self.import_button.setToolTip("严格模式：文件中有错误时不导入任何数据。请先改正错误。")
        elif not plan.has_changes:
            self.import_button.setToolTip("文件中的数据与数据库完全一致，没有需要导入的内容。")
        else:
            self.import_button.setToolTip("")

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return tree

    def _changes_tab(self, plan: ImportPlan) -> QWidget:
        tree = self._tree(["农户 / 成员 / 项目", "原值", "新值", "行号"])
        shown = 0
        for hp in plan.households:
            if hp.status != "changed":
                continue
            shown += 1
            if shown > self.MAX_ROWS:
                QTreeWidgetItem(tree, ["……另有更多变更户，未全部列出"])
                break
            top = QTreeWidgetItem(tree, [hp.label, "", "", str((hp.head_row or 0) + 1)])
            for ch in hp.changes:
                QTreeWidgetItem(top, [ch.label, ch.old_text, ch.new_text, ""])
            for m in hp.members:
                if m.status == "new":
                    QTreeWidgetItem(top, [f"新增成员 {m.values.get('name')}", "", m.values.get("id_number") or "",
                                          str(m.row + 1)])
                elif m.status == "changed":
                    node = QTreeWidgetItem(top, [f"成员 {m.values.get('name')}", "", "", str(m.row + 1)])
                    for ch in m.changes:
                        QTreeWidgetItem(node, [ch.label, ch.old_text, ch.new_text, ""])
            if plan.record_missing:
                for miss in hp.missing_members:
                    QTreeWidgetItem(top, [f"{miss['name']} 登记为自然减少", "在户", "自然减少", ""])
            top.setExpanded(shown <= 30)
        if shown == 0:
            QTreeWidgetItem(tree, ["没有需要变更的农户"])
        return tree

    def _new_tab(self, plan: ImportPlan) -> QWidget:
        tree = self._tree(["户主 / 成员", "证件号码", "与户主关系", "行号"])
        shown = 0
        for hp in plan.households:
            if hp.status != "new":
                continue
            shown += 1
            if shown > self.MAX_ROWS:
                QTreeWidgetItem(tree, ["……另有更多新增户，未全部列出"])
                break
            top = QTreeWidgetItem(tree, [hp.label, "", "", str((hp.head_row or 0) + 1)])
            for m in hp.members:
                if m.status == "new":
                    rel = code_list("relation").label(m.values.get("relation"), default="")
                    QTreeWidgetItem(top, [m.values.get("name") or "", m.values.get("id_number") or "", rel,
                                          str(m.row + 1)])
        if shown == 0:
            QTreeWidgetItem(tree, ["没有新增的农户"])
        return tree

    def _regions_tab(self, plan: ImportPlan) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        villages = sum(1 for r in plan.regions_missing if r.level == "village")
        local = sum(1 for r in plan.regions_missing if not r.national)
        note = QLabel(
            f"表格里有 {len(plan.regions_missing)} 个乡（镇）、村在本系统的区划中还没有（其中村 {villages} 个）。"
            "代码按国家统计用区划代码（2023）取得；国家名录中找不到的村给“本地编码”"
            f"（{local} 个，以后可在“区划设置”中改为正式代码）。勾选后，导入时在同一次写入中新建这些区划；"
            "不勾选时，这些地方的农户作为错误行不导入。"
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.create_regions.blockSignals(True)
        self.create_regions.setText(f"新建表格中缺少的区划（{len(plan.regions_missing)}个）")
        self.create_regions.setChecked(plan.create_regions)
        self.create_regions.blockSignals(False)
        layout.addWidget(self.create_regions)
        tree = self._tree(["名称", "级别", "代码", "来源", "涉及农户"])
        items: dict[str, QTreeWidgetItem] = {}
        for r in plan.regions_missing:
            row = [r.name, LEVEL_LABELS.get(r.level, r.level), r.code, "国家区划代码" if r.national else "本地编码",
                   f"{r.households}户"]
            parent = items.get(r.parent_code or "")
            item = QTreeWidgetItem(parent, row) if parent is not None else QTreeWidgetItem(tree, row)
            items[r.code] = item
        tree.expandAll()
        layout.addWidget(tree, 1)
        return page

    def _missing_tab(self, plan: ImportPlan) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(
            "下列成员所在的户在文件中，但文件里没有这些成员（例如去世、嫁出、迁出）。导入不会删除他们；"
            "如果文件是完整的导出，可以把他们登记为“自然减少”。下面还列出了文件涉及的村中，"
            "数据库里有而文件中没有的农户（只列出，不做改动）。"
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        row = QHBoxLayout()
        row.addWidget(self.record_missing)
        row.addWidget(QLabel("减少原因："))
        row.addWidget(self.reason)
        row.addWidget(QLabel("减少日期："))
        row.addWidget(self.left_on)
        row.addStretch(1)
        layout.addLayout(row)
        self.record_missing.blockSignals(True)
        self.record_missing.setChecked(plan.record_missing)
        self.record_missing.blockSignals(False)
        self.reason.setEnabled(plan.record_missing)
        self.left_on.setEnabled(plan.record_missing)
        tree = self._tree(["农户 / 成员", "证件号码", "与户主关系"])
        for hp in plan.households:
            if hp.status == "skipped" or not hp.missing_members:
                continue
            top = QTreeWidgetItem(tree, [hp.label, "", ""])
            for miss in hp.missing_members:
                rel = code_list("relation").label(miss["relation"], default="")
                QTreeWidgetItem(top, [miss["name"], miss["id18"] or "", rel])
            top.setExpanded(True)
        if plan.missing_households:
            top = QTreeWidgetItem(tree, [f"库中有、文件中没有的农户（{len(plan.missing_households)}户）", "", ""])
            for x in plan.missing_households[: self.MAX_ROWS]:
                QTreeWidgetItem(top, [f"{x['head_name'] or '（无户主）'}（户编号 {x['household_no'] or '无'}）",
                                      "", f"{x['member_count']}人"])
        layout.addWidget(tree, 1)
        return page

    def _errors_tab(self, plan: ImportPlan) -> QWidget:
        rows = [(e, "错误") for e in plan.errors] + [(e, "提示") for e in plan.warnings]
        rows.sort(key=lambda x: (x[0].row, x[1] != "错误"))
        table = QTableWidget(min(len(rows), self.MAX_ROWS), 5)
        table.setHorizontalHeaderLabels(["行号", "类别", "列", "内容", "说明"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        for i, (e, kind) in enumerate(rows[: self.MAX_ROWS]):
            for j, text in enumerate([str(e.excel_row), kind, e.column, display_value(e.value)
                                      if e.value is not None else "", e.message]):
                item = _item(text)
                if kind == "错误" and j == 1:
                    item.setForeground(Qt.GlobalColor.darkRed)
                table.setItem(i, j, item)
        hh = table.horizontalHeader()
        for j in range(4):
            hh.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if not rows:
            page = QLabel("没有发现错误。")
            page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return page
        return table
