"""区划设置: the database's regions as a tree with household counts; add a township or
village (the national list offered for picking), rename or recode (with the date it takes
effect), merge (合村并组: the households move to the surviving village, each with a recorded
change) and retire. Regions are never deleted; one still in use cannot be retired.

Everything goes through services.regions; the UI builds no SQL."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop import audit
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models.region import LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE, LEVELS
from fupin_desktop.services import regions as svc
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.registry.widgets import date_edit, date_of

LEVEL_NAMES = {"province": "省", "prefecture": "市（州）", "county": "县（区、市）",
               LEVEL_TOWNSHIP: "乡镇（街道）", LEVEL_VILLAGE: "村（社区）"}
_ROW = Qt.ItemDataRole.UserRole
COL_NAME, COL_CODE, COL_LEVEL, COL_HOUSEHOLDS, COL_STATE = range(5)


def _child_level(level: str) -> str | None:
    i = LEVELS.index(level)
    return LEVELS[i + 1] if level in (LEVEL_COUNTY, LEVEL_TOWNSHIP) else None


class _FormDialog(QDialog):
    """A small form with 确定/取消 that runs ``work(session)`` in one session and stays open
    with the Chinese message when the service refuses."""

    def __init__(self, db: Database, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.layout_.addLayout(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.result_value = None

    def add_effective(self, label: str = "生效日期") -> None:
        self.effective = date_edit()
        self.effective.setObjectName("effectiveDate")
        self.form.addRow(f"{label}：", self.effective)

    def finish(self, note: str) -> None:
        """The grey note under the form, then 确定/取消."""
        label = QLabel(note)
        label.setWordWrap(True)
        label.setStyleSheet("color:#5a6678;")
        self.form.addRow("", label)
        self.layout_.addWidget(self.buttons)

    def work(self, session):  # pragma: no cover - overridden
        raise NotImplementedError

    def accept(self) -> None:
        try:
            with self.db.session(note=self.windowTitle()) as s:
                self.result_value = self.work(s)
        except UserError as err:
            show_user_error(self, err, self.windowTitle())
            return
        super().accept()


class AddRegionDialog(_FormDialog):
    """A township under the county or a village under a township; the national list's
    entries not yet in the database are offered for picking."""

    def __init__(self, db: Database, parent_row: svc.RegionRow, existing: set[str],
                 parent: QWidget | None = None):
        level = _child_level(parent_row.level)
        super().__init__(db, f"添加{LEVEL_NAMES[level]}", parent)
        self.parent_row = parent_row
        self.form.addRow("上级：", QLabel(f"{parent_row.name}（{parent_row.code}）"))
        self.offered = QListWidget()
        self.offered.setObjectName("nationalChoices")
        self.offered.setMaximumHeight(180)
        for entry in svc.national().children(parent_row.code):
            if entry.code not in existing:
                item = QListWidgetItem(f"{entry.name}　{entry.code}")
                item.setData(_ROW, (entry.code, entry.name))
                self.offered.addItem(item)
        self.offered.currentItemChanged.connect(self._picked)
        if self.offered.count():
            self.form.addRow("国家名录中\n尚未添加的：", self.offered)
        self.name = QLineEdit()
        self.name.setObjectName("regionName")
        self.code = QLineEdit()
        self.code.setObjectName("regionCode")
        self.code.setMaxLength(12)
        self.code.setPlaceholderText("可不填：自动取国家代码，名录中没有的编本地编码")
        self.form.addRow("名称：", self.name)
        self.form.addRow("区划代码：", self.code)
        self.finish("国家名录中有的乡镇、村请从上面的列表中选，代码随之填好。")

    def _picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            code, name = item.data(_ROW)
            self.name.setText(name)
            self.code.setText(code)

    def pick(self, code: str) -> None:
        for row in range(self.offered.count()):
            if self.offered.item(row).data(_ROW)[0] == code:
                self.offered.setCurrentRow(row)
                return
        raise KeyError(code)

    def work(self, s):
        return svc.add_region(s, self.parent_row.code, self.name.text(),
                              code=self.code.text().strip() or None, user=audit.current_user(s))


class RenameRegionDialog(_FormDialog):
    def __init__(self, db: Database, row: svc.RegionRow, parent: QWidget | None = None):
        super().__init__(db, "改名或改代码", parent)
        self.row = row
        self.form.addRow("区划：", QLabel(f"{row.name}（{row.code}）"))
        self.name = QLineEdit(row.name)
        self.name.setObjectName("newName")
        self.code = QLineEdit(row.code)
        self.code.setObjectName("newCode")
        self.code.setMaxLength(12)
        self.code.setToolTip("如把本地编码改为国家统计用区划代码；本区划的农户、项目和资产随之改用新代码")
        self.form.addRow("新名称：", self.name)
        self.form.addRow("新代码：", self.code)
        self.add_effective()
        self.finish("改名、改代码的日期记入区划变更记录。")

    def work(self, s):
        name = self.name.text().strip()
        code = self.code.text().strip()
        svc.rename_region(s, self.row.code, name=name if name != self.row.name else None,
                          new_code=code if code != self.row.code else None,
                          effective=date_of(self.effective), user=audit.current_user(s))
        return code or self.row.code


class MergeRegionDialog(_FormDialog):
    """合村并组: ``row`` is merged into the surviving region picked here."""

    def __init__(self, db: Database, row: svc.RegionRow, candidates: list[svc.RegionRow],
                 parent: QWidget | None = None):
        super().__init__(db, "合并（合村并组）", parent)
        self.row = row
        self.form.addRow("并入的区划：", QLabel(f"{row.name}（{row.code}），在册 {row.households} 户"))
        self.target = QComboBox()
        self.target.setObjectName("mergeTarget")
        for c in candidates:
            self.target.addItem(f"{c.name}（{c.code}）", c.code)
        self.month = QLineEdit(dt.date.today().strftime("%Y-%m"))
        self.month.setObjectName("reportedMonth")
        self.month.setInputMask("0000-00")
        self.form.addRow("保留的区划：", self.target)
        self.add_effective()
        self.form.addRow("报告月份：", self.month)
        self.finish(f"{row.name}的 {row.households} 户将移到保留的区划，每户记一条变动记录；"
                    f"{row.name}随后撤销（记录保留，不删除）。")

    def work(self, s):
        return svc.merge_region(s, self.row.code, self.target.currentData(),
                                effective=date_of(self.effective), reported_month=self.month.text(),
                                user=audit.current_user(s))


class RetireRegionDialog(_FormDialog):
    def __init__(self, db: Database, row: svc.RegionRow, parent: QWidget | None = None):
        super().__init__(db, "撤销区划", parent)
        self.row = row
        self.form.addRow("区划：", QLabel(f"{row.name}（{row.code}）"))
        self.add_effective("撤销日期")
        self.finish("撤销后不再列出，记录保留，可在“显示已撤销的区划”中看到。")

    def work(self, s):
        svc.retire_region(s, self.row.code, effective=date_of(self.effective), user=audit.current_user(s))


class RegionSettingsWindow(QDialog):
    """The 区划设置 window; ``changed`` fires after each change (trees elsewhere refresh)."""

    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None, *, select: str | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("regionSettings")
        self.setWindowTitle("区划设置")
        self.resize(820, 600)
        self._rows: dict[str, svc.RegionRow] = {}
        self._items: dict[str, QTreeWidgetItem] = {}

        self.tree = QTreeWidget()
        self.tree.setObjectName("regionSettingsTree")
        self.tree.setHeaderLabels(["名称", "区划代码", "级别", "在册户数", "状态"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for col in (COL_CODE, COL_LEVEL, COL_HOUSEHOLDS, COL_STATE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.show_retired = QCheckBox("显示已撤销的区划")
        self.show_retired.toggled.connect(lambda _on: self.reload())

        self.add_button = QPushButton("添加下级…")
        self.add_button.setObjectName("addRegion")
        self.rename_button = QPushButton("改名/改代码…")
        self.rename_button.setObjectName("renameRegion")
        self.merge_button = QPushButton("合并到…")
        self.merge_button.setObjectName("mergeRegion")
        self.retire_button = QPushButton("撤销…")
        self.retire_button.setObjectName("retireRegion")
        self.add_button.clicked.connect(self.add_child)
        self.rename_button.clicked.connect(self.rename)
        self.merge_button.clicked.connect(self.merge)
        self.retire_button.clicked.connect(self.retire)
        self.summary = QLabel()
        self.summary.setStyleSheet("color:#5a6678;")

        side = QVBoxLayout()
        for b in (self.add_button, self.rename_button, self.merge_button, self.retire_button):
            side.addWidget(b)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.tree, 1)
        body.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.show_retired)
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        hint = QLabel("村民小组（组）在户信息中填写，不在这里设置。区划从不删除：有农户或下级区划的不能撤销，"
                      "可用“合并”把农户并入其他村。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#5a6678;")
        layout.addWidget(hint)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.reload(select)

    # -- reading ---------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        current = select or self.current_code()
        with self.db.session() as s:
            rows = svc.list_regions(s, include_retired=self.show_retired.isChecked())
        self._rows = {r.code: r for r in rows}
        self._items = {}
        self.tree.clear()
        grey = QBrush(QColor("#8a94a6"))
        for r in rows:
            item = QTreeWidgetItem([r.name, r.code, LEVEL_NAMES.get(r.level, r.level),
                                    f"{r.households:,}", "" if r.valid else "已撤销"])
            item.setData(COL_NAME, _ROW, r.code)
            item.setTextAlignment(COL_HOUSEHOLDS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if svc.is_local_code(r.code):
                item.setToolTip(COL_CODE, "本地编码：国家名录中没有这个村；有正式代码后可用“改名/改代码”改正")
            if not r.valid:
                for col in range(5):
                    item.setForeground(col, grey)
            parent = self._items.get(r.parent_code or "")
            (parent.addChild(item) if parent is not None else self.tree.addTopLevelItem(item))
            self._items[r.code] = item
        self.tree.expandToDepth(2)
        towns = sum(r.level == LEVEL_TOWNSHIP and r.valid for r in rows)
        villages = sum(r.level == LEVEL_VILLAGE and r.valid for r in rows)
        self.summary.setText(f"{towns} 个乡镇，{villages} 个村（社区）")
        if current in self._items:
            self.tree.setCurrentItem(self._items[current])
        self._update_buttons()

    def current_code(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(COL_NAME, _ROW) if item is not None else None

    def current_row(self) -> svc.RegionRow | None:
        code = self.current_code()
        return self._rows.get(code) if code else None

    def select(self, code: str) -> None:
        self.tree.setCurrentItem(self._items[code])

    def _children(self, code: str) -> list[svc.RegionRow]:
        return [r for r in self._rows.values() if r.parent_code == code and r.valid]

    def merge_candidates(self, row: svc.RegionRow) -> list[svc.RegionRow]:
        """Same-level regions still valid, those under the same parent first."""
        same = [r for r in self._rows.values() if r.level == row.level and r.valid and r.code != row.code]
        return sorted(same, key=lambda r: (r.parent_code != row.parent_code, r.code))

    def retire_blocker(self, row: svc.RegionRow) -> str | None:
        """Why ``row`` cannot be retired (None when it can, as far as this window knows)."""
        if not row.valid:
            return "已经撤销。"
        if row.households:
            other = "其他村" if row.level == LEVEL_VILLAGE else "同级的其他区划"
            return f"有 {row.households} 户在册，不能撤销；可用“合并到…”把这些户并入{other}。"
        if self._children(row.code):
            return "下面还有区划，不能撤销；请先合并或撤销其下的区划。"
        return None

    def _update_buttons(self) -> None:
        row = self.current_row()
        valid = row is not None and row.valid
        can_add = valid and _child_level(row.level) is not None
        self.add_button.setEnabled(can_add)
        self.add_button.setToolTip(
            f"在“{row.name}”下添加{LEVEL_NAMES[_child_level(row.level)]}" if can_add
            else "请选中县（添加乡镇）或乡镇（添加村）")
        self.rename_button.setEnabled(valid)
        mergeable = valid and row.level in (LEVEL_TOWNSHIP, LEVEL_VILLAGE) and bool(self.merge_candidates(row))
        self.merge_button.setEnabled(mergeable)
        self.merge_button.setToolTip("把本村（乡镇）的农户并入另一个村（乡镇），本村随后撤销" if mergeable
                                     else "请选中一个村或乡镇（同级还要有可并入的区划）")
        blocker = self.retire_blocker(row) if row is not None else "请先选中一个区划。"
        self.retire_button.setEnabled(blocker is None)
        self.retire_button.setToolTip(blocker or "撤销后不再列出，记录保留")

    # -- actions ---------------------------------------------------------------------------
    # Each action opens its dialog window-modal and returns it; the tree reloads when the
    # dialog's work is done.
    def _open(self, dialog: _FormDialog, select=None) -> _FormDialog:
        def done() -> None:
            code = select(dialog.result_value) if callable(select) else select
            self.reload(code)
            self.changed.emit()

        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def add_child(self) -> AddRegionDialog | None:
        row = self.current_row()
        if row is None or row.level not in (LEVEL_COUNTY, LEVEL_TOWNSHIP) or not row.valid:
            return None
        dialog = AddRegionDialog(self.db, row, set(self._rows), self)
        return self._open(dialog, select=lambda entry: entry.code)

    def rename(self) -> RenameRegionDialog | None:
        row = self.current_row()
        if row is None or not row.valid:
            return None
        return self._open(RenameRegionDialog(self.db, row, self), select=lambda code: code)

    def merge(self) -> MergeRegionDialog | None:
        row = self.current_row()
        if row is None or not self.merge_button.isEnabled():
            return None
        dialog = MergeRegionDialog(self.db, row, self.merge_candidates(row), self)
        return self._open(dialog, select=lambda _n: dialog.target.currentData())

    def retire(self) -> RetireRegionDialog | None:
        row = self.current_row()
        if row is None or self.retire_blocker(row) is not None:
            return None
        return self._open(RetireRegionDialog(self.db, row, self), select=row.parent_code)
