"""One 整改 problem: its fields, the households / villages / projects it concerns, its
status (changes recorded with a date and, going back, a reason) and its progress notes with
evidence (file names or paths, or text)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import rectify
from fupin_desktop.services.overview import current_user_name
from fupin_desktop.services.projects import ProjectFilter, list_projects, search_households
from fupin_desktop.services.registry import region_tree
from fupin_desktop.ui.registry.widgets import code_combo, date_edit, date_of, set_combo_data
from fupin_desktop.ui.theme import DANGER
from fupin_desktop.ui.widgets.regions import RegionCombo

TABS = ("问题", "涉及农户、村和项目", "整改进展")


def _text_edit(height: int = 64) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setFixedHeight(height)
    return edit


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setMinimumSectionSize(60)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple], ids: list) -> None:
    table.setRowCount(0)
    for values, key in zip(rows, ids, strict=True):
        n = table.rowCount()
        table.insertRow(n)
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, key)
            table.setItem(n, c, item)


def _ids(table: QTableWidget, selected_only: bool) -> list:
    rows = sorted({i.row() for i in table.selectedIndexes()}) if selected_only else range(table.rowCount())
    return [table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]


class RectifyDialog(QDialog):
    saved = Signal()

    def __init__(self, db: Database, item_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.item_id = item_id
        self.setWindowTitle("整改问题" if item_id else "新增整改问题")
        self.resize(900, 620)
        self.households: dict[int, tuple] = {}  # id → (户编号, 户主, 村)
        self.projects: dict[int, tuple] = {}  # id → (项目编号, 名称, 年度)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._item_tab(), TABS[0])
        self.tabs.addTab(self._links_tab(), TABS[1])
        self.tabs.addTab(self._progress_tab(), TABS[2])
        self.message = QLabel()
        self.message.setStyleSheet(f"color:{DANGER};")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.save)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        with db.session() as s:
            self.villages_combo.set_nodes(region_tree(s))
        self.load()

    # -- tabs ---------------------------------------------------------------------------------
    def _item_tab(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self.no_edit = QLineEdit()
        self.no_edit.setPlaceholderText("不填则自动编号")
        self.source_combo = code_combo("rectify_source")
        self.category_combo = code_combo("rectify_category")
        self.description_edit = _text_edit(70)
        self.lead_edit, self.unit_edit, self.person_edit = QLineEdit(), QLineEdit(), QLineEdit()
        self.measures_edit = _text_edit(70)
        self.deadline_edit = QLineEdit()
        self.deadline_edit.setPlaceholderText("如 2025-06-30、2025年6月底、立行立改、长期坚持")
        self.note_edit = QLineEdit()
        self.status_label = QLabel()
        self.status_label.setObjectName("rectifyStatus")
        rows = (("问题编号", self.no_edit, "问题来源", self.source_combo),
                ("问题类别", self.category_combo, "整改时限", self.deadline_edit),
                ("牵头领导", self.lead_edit, "责任单位", self.unit_edit),
                ("责任人", self.person_edit, "整改状态", self.status_label))
        for r, (a, wa, b, wb) in enumerate(rows):
            grid.addWidget(QLabel(a), r, 0)
            grid.addWidget(wa, r, 1)
            grid.addWidget(QLabel(b), r, 2)
            grid.addWidget(wb, r, 3)
        r = len(rows)
        for label, widget in (("问题描述", self.description_edit), ("整改措施", self.measures_edit),
                              ("备注", self.note_edit)):
            grid.addWidget(QLabel(label), r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(widget, r, 1, 1, 3)
            r += 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(r, 1)
        return page

    def _links_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        box = QGroupBox("涉及农户（户籍库）")
        inner = QVBoxLayout(box)
        search = QHBoxLayout()
        self.hh_search = QLineEdit()
        self.hh_search.setPlaceholderText("姓名、拼音首字母、证件号码（或后几位）、户编号、电话")
        self.hh_search.returnPressed.connect(self.search_households)
        find = QPushButton("查找")
        find.clicked.connect(self.search_households)
        search.addWidget(self.hh_search, 1)
        search.addWidget(find)
        inner.addLayout(search)
        tables = QHBoxLayout()
        self.hh_found = _table(["户编号", "户主", "村"])
        self.hh_linked = _table(["户编号", "户主", "村"])
        middle = QVBoxLayout()
        link, unlink = QPushButton("关联 →"), QPushButton("← 取消关联")
        link.clicked.connect(self.link_households)
        unlink.clicked.connect(self.unlink_households)
        middle.addStretch(1)
        middle.addWidget(link)
        middle.addWidget(unlink)
        middle.addStretch(1)
        tables.addWidget(self.hh_found, 1)
        tables.addLayout(middle)
        tables.addWidget(self.hh_linked, 1)
        inner.addLayout(tables)
        layout.addWidget(box, 2)

        row = QHBoxLayout()
        box = QGroupBox("涉及村")
        inner = QVBoxLayout(box)
        pick = QHBoxLayout()
        self.villages_combo = RegionCombo(levels=("township", "village"))
        add = QPushButton("添加")
        add.clicked.connect(self.add_village)
        remove = QPushButton("移除")
        pick.addWidget(self.villages_combo, 1)
        pick.addWidget(add)
        pick.addWidget(remove)
        inner.addLayout(pick)
        self.villages_list = QListWidget()
        remove.clicked.connect(lambda: [self.villages_list.takeItem(self.villages_list.row(i))
                                        for i in self.villages_list.selectedItems()])
        inner.addWidget(self.villages_list)
        row.addWidget(box, 1)
        box = QGroupBox("涉及项目（项目库）")
        inner = QVBoxLayout(box)
        pick = QHBoxLayout()
        self.project_search = QLineEdit()
        self.project_search.setPlaceholderText("项目名称或编号")
        self.project_combo = QComboBox()
        self.project_combo.setMinimumContentsLength(16)
        self.project_search.returnPressed.connect(self.search_projects)
        add = QPushButton("添加")
        add.clicked.connect(self.add_project)
        remove = QPushButton("移除")
        pick.addWidget(self.project_search, 1)
        pick.addWidget(self.project_combo, 2)
        pick.addWidget(add)
        pick.addWidget(remove)
        inner.addLayout(pick)
        self.projects_table = _table(["项目编号", "项目名称", "年度"])
        remove.clicked.connect(self.remove_projects)
        inner.addWidget(self.projects_table)
        row.addWidget(box, 1)
        layout.addLayout(row, 1)
        return page

    def _progress_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.progress_table = _table(["日期", "进展 / 状态变化", "佐证材料", "记录人"])
        self.progress_table.setWordWrap(True)
        self.progress_table.horizontalHeader().setStretchLastSection(False)
        self.progress_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.progress_table, 1)
        box = QGroupBox("记录整改进展")
        form = QFormLayout(box)
        self.progress_date = date_edit()
        self.progress_note = _text_edit(54)
        self.evidence_edit = _text_edit(44)
        self.evidence_edit.setPlaceholderText("佐证材料：文件名或路径（一行一个），或文字说明")
        files = QPushButton("选择文件…")
        files.clicked.connect(self.choose_evidence)
        add = QPushButton("添加进展")
        add.clicked.connect(self.add_progress)
        evidence = QHBoxLayout()
        evidence.addWidget(self.evidence_edit, 1)
        evidence.addWidget(files, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("日期", self.progress_date)
        form.addRow("整改进展", self.progress_note)
        form.addRow("佐证材料", evidence)
        form.addRow("", add)
        layout.addWidget(box)
        box = QGroupBox("更改整改状态")
        status = QHBoxLayout(box)
        self.status_combo = code_combo("rectify_status", blank=None)
        self.status_note = QLineEdit()
        self.status_note.setPlaceholderText("说明（改回未完成时必填，如复查发现问题反弹）")
        change = QPushButton("更改状态")
        change.clicked.connect(self.change_status)
        status.addWidget(self.status_combo)
        status.addWidget(self.status_note, 1)
        status.addWidget(change)
        layout.addWidget(box)
        return page

    # -- data ---------------------------------------------------------------------------------
    def load(self) -> None:
        self.tabs.setTabEnabled(2, self.item_id is not None)
        if self.item_id is None:
            self.status_label.setText("未整改（新登记）")
            return
        with self.db.session() as s:
            d = rectify.item_detail(s, self.item_id)
            i = d.item
            self.no_edit.setText(i.item_no)
            set_combo_data(self.source_combo, i.source)
            set_combo_data(self.category_combo, i.category)
            self.description_edit.setPlainText(i.description)
            self.lead_edit.setText(i.lead or "")
            self.unit_edit.setText(i.unit or "")
            self.person_edit.setText(i.person or "")
            self.measures_edit.setPlainText(i.measures or "")
            self.deadline_edit.setText(rectify.deadline_text(i.deadline, i.deadline_note))
            self.note_edit.setText(i.note or "")
            done = f"（{i.completed_on.isoformat()} 完成）" if i.completed_on else ""
            self.status_label.setText(rectify.status_label(i.status) + done + ("　已逾期" if d.overdue else ""))
            self.status_label.setStyleSheet(f"color:{DANGER};" if d.overdue else "")
            set_combo_data(self.status_combo, i.status)
            self.households = {h.id: (h.household_no, h.head_name, h.village) for h in d.households}
            self.projects = {p.id: (p.project_no, p.name, p.year) for p in d.projects}
            self.villages_list.clear()
            for code, name in d.villages:
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, code)
                self.villages_list.addItem(item)
            progress = [(p.date.isoformat(), p.note, p.evidence or "", p.recorded_by or "") for p in d.progress]
            ids = [p.id for p in d.progress]
        self._show_links()
        _fill(self.progress_table, progress, ids)
        self.progress_table.resizeRowsToContents()

    def _show_links(self) -> None:
        _fill(self.hh_linked, list(self.households.values()), list(self.households))
        _fill(self.projects_table, list(self.projects.values()), list(self.projects))

    def values(self) -> dict:
        return {"item_no": self.no_edit.text(), "source": self.source_combo.currentData(),
                "category": self.category_combo.currentData(),
                "description": self.description_edit.toPlainText(), "lead": self.lead_edit.text(),
                "unit": self.unit_edit.text(), "person": self.person_edit.text(),
                "measures": self.measures_edit.toPlainText(), "deadline": self.deadline_edit.text() or None,
                "note": self.note_edit.text()}

    def links(self) -> dict:
        return {"household_ids": list(self.households), "project_ids": list(self.projects),
                "village_codes": [self.villages_list.item(i).data(Qt.ItemDataRole.UserRole)
                                  for i in range(self.villages_list.count())]}

    def _run(self, note: str, action) -> bool:
        try:
            with self.db.session(note=note) as s:
                result = action(s)
        except UserError as err:
            self.message.setText(str(err))
            return False
        self.message.clear()
        if isinstance(result, int):
            self.item_id = result
        self.load()
        self.saved.emit()
        return True

    def save(self) -> bool:
        values, links = self.values(), self.links()
        if self.item_id is None:
            ok = self._run("登记整改问题", lambda s: rectify.create_item(s, values, **links).id)
            if ok:
                self.setWindowTitle("整改问题")
            return ok
        return self._run("修改整改问题", lambda s: rectify.update_item(s, self.item_id, values, **links) and None)

    # -- links --------------------------------------------------------------------------------
    def search_households(self) -> None:
        with self.db.session() as s:
            hits = search_households(s, self.hh_search.text())
        _fill(self.hh_found, [(h.household_no, h.head_name, h.region_name) for h in hits], [h.id for h in hits])

    def link_households(self) -> None:
        for r in sorted({i.row() for i in self.hh_found.selectedIndexes()}):
            key = self.hh_found.item(r, 0).data(Qt.ItemDataRole.UserRole)
            self.households[key] = tuple(self.hh_found.item(r, c).text() for c in range(3))
        self._show_links()

    def unlink_households(self) -> None:
        for key in _ids(self.hh_linked, True):
            self.households.pop(key, None)
        self._show_links()

    def add_village(self) -> None:
        code = self.villages_combo.code()
        taken = {self.villages_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.villages_list.count())}
        if code and code not in taken:
            item = QListWidgetItem(self.villages_combo.name())
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.villages_list.addItem(item)

    def search_projects(self) -> None:
        with self.db.session() as s:
            found = list_projects(s, ProjectFilter(text=self.project_search.text().strip() or None))[:50]
        self.project_combo.clear()
        for p in found:
            self.project_combo.addItem(f"{p.project_no or ''} {p.name}", (p.id, p.project_no or "", p.name, p.year))

    def add_project(self) -> None:
        if self.project_combo.count() == 0:
            self.search_projects()
        data = self.project_combo.currentData()
        if data:
            self.projects[data[0]] = data[1:]
            self._show_links()

    def remove_projects(self) -> None:
        for key in _ids(self.projects_table, True):
            self.projects.pop(key, None)
        self._show_links()

    # -- progress -----------------------------------------------------------------------------
    def choose_evidence(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择佐证材料", "", "所有文件 (*)")
        if paths:
            current = self.evidence_edit.toPlainText().strip()
            self.evidence_edit.setPlainText("\n".join(x for x in (current, *paths) if x))

    def add_progress(self) -> bool:
        note, evidence, day = self.progress_note.toPlainText(), self.evidence_edit.toPlainText(), \
            date_of(self.progress_date)
        user = current_user_name(self.db)
        ok = self._run("记录整改进展", lambda s: rectify.add_progress(s, self.item_id, note, on=day,
                                                               evidence=evidence, user=user) and None)
        if ok:
            self.progress_note.clear()
            self.evidence_edit.clear()
        return ok

    def change_status(self) -> bool:
        status, note, day = self.status_combo.currentData(), self.status_note.text(), date_of(self.progress_date)
        user = current_user_name(self.db)
        ok = self._run("更改整改状态", lambda s: rectify.set_status(
            s, self.item_id, status, on=day if status in rectify.DONE else dt.date.today(), note=note,
            user=user) and None)
        if ok:
            self.status_note.clear()
        return ok


__all__ = ["RectifyDialog"]
