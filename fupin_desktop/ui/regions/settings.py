"""区划设置: the database's regions as a tree with household counts; add a township or
village (the national list offered for picking), rename or recode (with the date it takes
effect), merge (合村并组: the households move to the surviving village, each with a recorded
change) and retire. Regions are never deleted; one still in use cannot be retired.

Under a selected village, its 村民小组 (组) in number order with their households: add a
组 (kept before any household is in it), rename or merge one (its households follow, each
with a dated 信息变更 record) and retire an empty one.

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
    QGroupBox,
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


class _GroupDialog(_FormDialog):
    """A 组 action on the village ``village`` (a RegionRow)."""

    def __init__(self, db: Database, title: str, village: svc.RegionRow, parent: QWidget | None = None):
        super().__init__(db, title, parent)
        self.village = village
        self.form.addRow("村：", QLabel(f"{village.name}（{village.code}）"))

    def add_month(self) -> None:
        self.month = QLineEdit(dt.date.today().strftime("%Y-%m"))
        self.month.setObjectName("reportedMonth")
        self.month.setInputMask("0000-00")
        self.form.addRow("报告月份：", self.month)


class AddGroupDialog(_GroupDialog):
    def __init__(self, db: Database, village: svc.RegionRow, parent: QWidget | None = None):
        super().__init__(db, "添加村民小组", village, parent)
        self.name = QLineEdit()
        self.name.setObjectName("groupName")
        self.name.setPlaceholderText("如：七组")
        self.form.addRow("组名：", self.name)
        self.add_effective()
        self.finish("还没有农户的组也会保留在列表中；导入或录入农户时填写的组名与这里一致即归入该组。")

    def work(self, s):
        return svc.add_group(s, self.village.code, self.name.text(), effective=date_of(self.effective),
                             user=audit.current_user(s)).name


class RenameGroupDialog(_GroupDialog):
    def __init__(self, db: Database, village: svc.RegionRow, group: svc.GroupRow, parent: QWidget | None = None):
        super().__init__(db, "村民小组改名", village, parent)
        self.group = group
        self.form.addRow("原组名：", QLabel(f"{group.name}（{group.households} 户）"))
        self.name = QLineEdit(group.name)
        self.name.setObjectName("newGroupName")
        self.form.addRow("新组名：", self.name)
        self.add_effective()
        self.add_month()
        self.finish(f"本组 {group.households} 户的“村民小组”随之改为新组名，每户记一条信息变更，日期记入区划变更记录。")

    def work(self, s):
        new = self.name.text()
        svc.rename_group(s, self.village.code, self.group.name, new, effective=date_of(self.effective),
                         reported_month=self.month.text(), user=audit.current_user(s))
        return new.strip()


class MergeGroupDialog(_GroupDialog):
    """合组: ``group`` is merged into the 组 picked here."""

    def __init__(self, db: Database, village: svc.RegionRow, group: svc.GroupRow,
                 candidates: list[svc.GroupRow], parent: QWidget | None = None):
        super().__init__(db, "合并村民小组", village, parent)
        self.group = group
        self.form.addRow("并入的组：", QLabel(f"{group.name}（{group.households} 户）"))
        self.target = QComboBox()
        self.target.setObjectName("groupMergeTarget")
        for c in candidates:
            self.target.addItem(f"{c.name}（{c.households} 户）", c.name)
        self.form.addRow("保留的组：", self.target)
        self.add_effective()
        self.add_month()
        self.finish(f"{group.name}的 {group.households} 户移到保留的组，每户记一条信息变更；{group.name}随后撤销。")

    def work(self, s):
        svc.merge_group(s, self.village.code, self.group.name, self.target.currentData(),
                        effective=date_of(self.effective), reported_month=self.month.text(),
                        user=audit.current_user(s))
        return self.target.currentData()


class RetireGroupDialog(_GroupDialog):
    def __init__(self, db: Database, village: svc.RegionRow, group: svc.GroupRow, parent: QWidget | None = None):
        super().__init__(db, "撤销村民小组", village, parent)
        self.group = group
        self.form.addRow("组：", QLabel(group.name))
        self.add_effective("撤销日期")
        self.finish("只有没有在册农户的组可以撤销；记录保留，可在“显示已撤销的区划”中看到。")

    def work(self, s):
        svc.retire_group(s, self.village.code, self.group.name, effective=date_of(self.effective),
                         user=audit.current_user(s))


class RegionSettingsWindow(QDialog):
    """The 区划设置 window; ``changed`` fires after each change (trees elsewhere refresh)."""

    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None, *, select: str | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("regionSettings")
        self.setWindowTitle("区划设置")
        self.resize(1000, 640)
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
        self.tree.currentItemChanged.connect(lambda *_: self._current_changed())
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
        side.addSpacing(8)
        side.addWidget(self._groups_box(), 1)
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
        hint = QLabel("选中一个村，右侧列出它的村民小组（组），可添加、改名、合并和撤销。区划从不删除："
                      "有农户或下级区划的不能撤销，可用“合并”把农户并入其他村（组）。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#5a6678;")
        layout.addWidget(hint)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.reload(select)

    def _groups_box(self) -> QGroupBox:
        """村民小组 of the selected village: the list and its four actions."""
        self.groups_box = box = QGroupBox("村民小组")
        box.setObjectName("villageGroups")
        self.groups = QTreeWidget()
        self.groups.setObjectName("groupList")
        self.groups.setRootIsDecorated(False)
        self.groups.setHeaderLabels(["组", "户数", "人数", "状态"])
        self.groups.setMinimumWidth(250)
        gh = self.groups.header()
        gh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            gh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        gh.setStretchLastSection(False)
        self.groups.currentItemChanged.connect(lambda *_: self._update_group_buttons())
        self.add_group_button = QPushButton("添加组…")
        self.add_group_button.setObjectName("addGroup")
        self.rename_group_button = QPushButton("改名…")
        self.rename_group_button.setObjectName("renameGroup")
        self.merge_group_button = QPushButton("合并到…")
        self.merge_group_button.setObjectName("mergeGroup")
        self.retire_group_button = QPushButton("撤销")
        self.retire_group_button.setObjectName("retireGroup")
        self.add_group_button.clicked.connect(self.add_group)
        self.rename_group_button.clicked.connect(self.rename_group)
        self.merge_group_button.clicked.connect(self.merge_group)
        self.retire_group_button.clicked.connect(self.retire_group)
        self.groups_note = QLabel()
        self.groups_note.setWordWrap(True)
        self.groups_note.setStyleSheet("color:#5a6678;")
        buttons = QHBoxLayout()
        for b in (self.add_group_button, self.rename_group_button, self.merge_group_button,
                  self.retire_group_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(box)
        layout.addWidget(self.groups_note)
        layout.addWidget(self.groups, 1)
        layout.addLayout(buttons)
        self._group_rows: dict[str, svc.GroupRow] = {}
        return box

    # -- reading ---------------------------------------------------------------------------
    def _current_changed(self) -> None:
        self._update_buttons()
        self.load_groups()

    def village_row(self) -> svc.RegionRow | None:
        """The selected region when it is a village still in use (its 组 are listed)."""
        row = self.current_row()
        return row if row is not None and row.level == LEVEL_VILLAGE and row.valid else None

    def load_groups(self, select: str | None = None) -> None:
        current = select or self.current_group_name()
        village = self.village_row()
        self.groups.clear()
        self._group_rows = {}
        if village is None:
            self.groups_box.setTitle("村民小组")
            self.groups_note.setText("选中一个村（社区），这里列出它的村民小组。")
            self._update_group_buttons()
            return
        with self.db.session() as s:
            rows = svc.list_groups(s, village.code, include_retired=self.show_retired.isChecked())
        grey = QBrush(QColor("#8a94a6"))
        for g in rows:
            item = QTreeWidgetItem([g.name, f"{g.households:,}", f"{g.people:,}", "" if g.valid else "已撤销"])
            item.setData(0, _ROW, g.name)
            for col in (1, 2):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not g.valid:
                for col in range(4):
                    item.setForeground(col, grey)
            self.groups.addTopLevelItem(item)
            self._group_rows[g.name] = g
            if g.name == current:
                self.groups.setCurrentItem(item)
        used = [g for g in rows if g.valid]
        self.groups_box.setTitle(f"村民小组 — {village.name}")
        self.groups_note.setText(f"{len(used)} 个组，{sum(g.households for g in used):,} 户"
                                 if used else "还没有组：可“添加组”，或导入农户时按“组”列自动列出。")
        self._update_group_buttons()

    def current_group_name(self) -> str | None:
        item = self.groups.currentItem()
        return item.data(0, _ROW) if item is not None else None

    def current_group(self) -> svc.GroupRow | None:
        name = self.current_group_name()
        return self._group_rows.get(name) if name else None

    def select_group(self, name: str) -> None:
        for i in range(self.groups.topLevelItemCount()):
            if self.groups.topLevelItem(i).data(0, _ROW) == name:
                self.groups.setCurrentItem(self.groups.topLevelItem(i))
                return
        raise KeyError(name)

    def group_merge_candidates(self, group: svc.GroupRow) -> list[svc.GroupRow]:
        return [g for g in self._group_rows.values() if g.valid and g.name != group.name]

    def _update_group_buttons(self) -> None:
        village = self.village_row()
        group = self.current_group()
        live = group is not None and group.valid
        self.add_group_button.setEnabled(village is not None)
        self.rename_group_button.setEnabled(live)
        self.merge_group_button.setEnabled(live and bool(self.group_merge_candidates(group)))
        self.retire_group_button.setEnabled(live and group.households == 0)
        self.retire_group_button.setToolTip(
            "撤销这个没有农户的组" if live and group.households == 0
            else f"本组有 {group.households} 户，不能撤销；可用“合并到…”把这些户并入其他组" if live
            else "请先选中一个组")

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
        self.load_groups()

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

    def _open_group(self, dialog: _GroupDialog) -> _GroupDialog:
        def done() -> None:
            self.reload(dialog.village.code)
            if isinstance(dialog.result_value, str) and dialog.result_value in self._group_rows:
                self.select_group(dialog.result_value)
            self.changed.emit()

        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def add_group(self) -> AddGroupDialog | None:
        village = self.village_row()
        return None if village is None else self._open_group(AddGroupDialog(self.db, village, self))

    def rename_group(self) -> RenameGroupDialog | None:
        village, group = self.village_row(), self.current_group()
        if village is None or group is None or not self.rename_group_button.isEnabled():
            return None
        return self._open_group(RenameGroupDialog(self.db, village, group, self))

    def merge_group(self) -> MergeGroupDialog | None:
        village, group = self.village_row(), self.current_group()
        if village is None or group is None or not self.merge_group_button.isEnabled():
            return None
        return self._open_group(MergeGroupDialog(self.db, village, group, self.group_merge_candidates(group), self))

    def retire_group(self) -> RetireGroupDialog | None:
        village, group = self.village_row(), self.current_group()
        if village is None or group is None or not self.retire_group_button.isEnabled():
            return None
        return self._open_group(RetireGroupDialog(self.db, village, group, self))
