"""The 比对 tab: other departments' lists (kind, source, date, rows, hits), importing one,
and the hits with 标记已核实."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services.checks import compare as svc
from fupin_desktop.services.overview import current_user_name
from fupin_desktop.ui.checks.findings import HouseholdOpener
from fupin_desktop.ui.errors import show_error, show_user_error
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.widgets import record_view

LIST_COLUMNS = (("label", "类别"), ("source", "来源文件"), ("version", "版本"), ("imported", "导入时间"),
                ("imported_by", "导入人"), ("rows_read", "行数"), ("ids_valid", "有效证件号"),
                ("hits", "比中"), ("verified", "已核实"))
HIT_COLUMNS = (("household_no", "户编号"), ("name", "姓名"), ("list_name", "名单姓名"), ("state", "核实"),
               ("kind", "名单"), ("says", "名单情况"), ("action", "处理要求"), ("note", "核实说明"))


def what_the_list_says(hit: svc.ComparisonHit) -> str:
    """第N行 and the list's other columns for a plain hit; the finding sentence otherwise
    (a person missing from a coverage list, a 低保 mark the list contradicts)."""
    if hit.row_no is None or svc.list_kind(hit.kind).mode != "match":
        return hit.finding
    values = "；".join(f"{k}：{v}" for k, v in hit.list_values.items() if k not in ("序号", "编号"))
    warning = "，姓名不同，请先核对是否同一人" if hit.name_differs else ""
    return f"第{hit.row_no}行{warning}" + (f"：{values}" if values else "")



class ImportListDialog(QDialog):
    """File + kind of a list to import."""

    def __init__(self, parent: QWidget | None = None, path: str = ""):
        super().__init__(parent)
        self.setWindowTitle("导入比对名单")
        self.kind_combo = QComboBox()
        for kind in svc.LIST_KINDS:
            self.kind_combo.addItem(f"{kind.label}（{kind.department}）", kind.key)
        self.path_label = QLabel(path or "（未选择）")
        self.path_label.setWordWrap(True)
        choose = QPushButton("选择文件…")
        choose.clicked.connect(self.choose)
        row = QHBoxLayout()
        row.addWidget(self.path_label, 1)
        row.addWidget(choose)
        hint = QLabel("名单可以是 .xlsx、.xls 或 .csv，表头要有“身份证号”“证件号码”或“公民身份号码”列，"
                      "有“姓名”列时一并核对姓名。同一类别、同一文件名再次导入时替换上次的名单，已核实的标记保留。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#5a6678;")
        form = QFormLayout()
        form.addRow("名单类别：", self.kind_combo)
        form.addRow("名单文件：", row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导入")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(560, 200)
        self.path = path

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择比对名单", "", "表格文件 (*.xlsx *.xls *.csv)")
        if path:
            self.path = path
            self.path_label.setText(path)

    def kind(self) -> str:
        return self.kind_combo.currentData()

    def accept(self) -> None:
        if not self.path:
            show_user_error(self, UserError("请先选择名单文件。"))
            return
        super().accept()


class NoteDialog(QDialog):
    """标记已核实: the note is required."""

    def __init__(self, hit: svc.ComparisonHit, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("标记已核实")
        text = QLabel(f"{hit.name}（户编号 {hit.household_no or '未编号'}）\n{hit.finding}\n处理要求：{hit.action}")
        text.setWordWrap(True)
        self.note_edit = QPlainTextEdit(hit.note or "")
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("核实情况说明，例如：已入户核实，车辆已于2023年转让给他人。")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(QLabel("核实情况说明："))
        layout.addWidget(self.note_edit, 1)
        layout.addWidget(buttons)
        self.resize(520, 300)

    def note(self) -> str:
        return self.note_edit.toPlainText()


class CompareTab(QWidget):
    """Lists on top, the selected list's hits (or all hits) below."""

    def __init__(self, db: Database, opener: HouseholdOpener, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.opener = opener
        self.lists: list[svc.ListSummary] = []
        self.hits: list[svc.ComparisonHit] = []
        self.import_button = QPushButton("导入比对名单…")
        self.import_button.clicked.connect(self.import_dialog)
        self.delete_button = QPushButton("删除名单")
        self.delete_button.clicked.connect(self.delete_selected)
        self.mark_button = QPushButton("标记已核实…")
        self.mark_button.clicked.connect(self.mark_selected)
        self.unmark_button = QPushButton("取消核实标记")
        self.unmark_button.clicked.connect(self.unmark_selected)
        self.open_button = QPushButton("打开农户")
        self.open_button.clicked.connect(self.open_selected)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("compareSummary")

        self.list_model = RecordTableModel(LIST_COLUMNS, self, right=("version", "rows_read", "ids_valid",
                                                                       "hits", "verified"))
        self.list_view = record_view(self.list_model, "comparisonLists")
        self.list_view.selectionModel().selectionChanged.connect(lambda *_a: self._show_hits())
        self.hit_model = RecordTableModel(HIT_COLUMNS, self, muted=lambda r: r.get("state") == "已核实")
        self.hit_view = record_view(self.hit_model, "comparisonHits")
        self.hit_view.doubleClicked.connect(lambda _i: self.open_selected())
        for col, width in enumerate((120, 60, 120, 56, 110, 340, 330, 320)):
            self.hit_view.setColumnWidth(col, width)
        for col, width in enumerate((150, 200, 44, 130, 70, 60, 80, 50, 56)):
            self.list_view.setColumnWidth(col, width)

        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.delete_button)
        top.addStretch(1)
        top.addWidget(self.summary_label)
        hit_buttons = QHBoxLayout()
        self.hits_label = QLabel("比中人员")
        hit_buttons.addWidget(self.hits_label)
        hit_buttons.addStretch(1)
        hit_buttons.addWidget(self.open_button)
        hit_buttons.addWidget(self.mark_button)
        hit_buttons.addWidget(self.unmark_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(hit_buttons)
        lower_layout.addWidget(self.hit_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list_view)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # -- data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        selected = self.selected_list()
        with self.db.session() as s:
            self.hits = svc.comparison_hits(s)
            self.lists = svc.comparison_lists(s, self.hits)
        self.list_model.set_rows([{
            "id": x.id, "label": x.label, "source": x.source, "version": x.version,
            "imported": f"{x.imported_at:%Y-%m-%d %H:%M}", "imported_by": x.imported_by,
            "rows_read": x.rows_read, "ids_valid": x.ids_valid, "hits": x.hits, "verified": x.verified,
        } for x in self.lists])
        open_hits = sum(1 for h in self.hits if not h.verified)
        self.summary_label.setText(f"共 {len(self.lists)} 份名单，比中 {len(self.hits)} 人，其中待核实 {open_hits} 人")
        if selected is not None:
            row = next((i for i, x in enumerate(self.lists) if x.id == selected.id), None)
            if row is not None:
                self.list_view.selectRow(row)
                return
        self._show_hits()

    def selected_list(self) -> svc.ListSummary | None:
        rows = self.list_view.selectionModel().selectedRows() if self.list_view.selectionModel() else []
        return self.lists[rows[0].row()] if rows and rows[0].row() < len(self.lists) else None

    def shown_hits(self) -> list[svc.ComparisonHit]:
        lst = self.selected_list()
        if lst is None:
            return self.hits
        kind = svc.list_kind(lst.kind)
        if kind.mode == "match":
            return [h for h in self.hits if h.list_id == lst.id]
        return [h for h in self.hits if h.kind == lst.kind and (h.list_id in (None, lst.id))]

    def _show_hits(self) -> None:
        self._shown = self.shown_hits()
        self.hit_model.set_rows([{
            "id": i, "kind": h.kind, "household_no": h.household_no, "name": h.name,
            "list_name": (h.list_name or "") + ("（姓名不同）" if h.name_differs else ""),
            "says": what_the_list_says(h), "action": h.action, "state": "已核实" if h.verified else "待核实",
            "note": h.note or "",
        } for i, h in enumerate(self._shown)])
        lst = self.selected_list()
        self.hits_label.setText(f"比中人员（{lst.label} {lst.source}）" if lst else "比中人员（全部名单）")

    def selected_hit(self) -> svc.ComparisonHit | None:
        rows = self.hit_view.selectionModel().selectedRows()
        return self._shown[rows[0].row()] if rows else None

    # -- actions ------------------------------------------------------------------------------
    def import_dialog(self) -> ImportListDialog:
        dialog = ImportListDialog(self)
        dialog.accepted.connect(lambda: self.import_file(Path(dialog.path), dialog.kind()))
        dialog.open()
        return dialog

    def import_file(self, path: Path, kind: str) -> BackgroundOp:
        user = current_user_name(self.db)

        def work(_progress, _cancelled):
            with self.db.session(note="导入比对名单") as s:
                return svc.import_list(s, path, kind, user=user)

        def done(result: svc.ListImport) -> None:
            self.reload()
            row = next((i for i, x in enumerate(self.lists) if x.id == result.list_id), None)
            if row is not None:
                self.list_view.selectRow(row)
            problems = f"，{len(result.unusable)} 行证件号码无法比对（第 {result.unusable[0].row} 行起）" \
                if result.unusable else ""
            self.summary_label.setText(
                f"已导入“{result.source}”（第{result.version}版）：{result.rows_read} 行，"
                f"有效证件号 {result.ids_valid} 个，比中 {len(result.hits)} 人{problems}。")

        return BackgroundOp(self, work, title="导入比对名单", label=f"正在读取 {path.name}…",
                            cancellable=False).success(done).start()

    def delete_selected(self) -> None:
        lst = self.selected_list()
        if lst is None:
            show_user_error(self, UserError("请先在上面的表中选中要删除的名单。"))
            return
        answer = QMessageBox.question(self, "删除名单", f"删除“{lst.label} {lst.source}”？已核实的标记保留。")
        if answer != QMessageBox.StandardButton.Yes:
            return
        with self.db.session(note="删除比对名单") as s:
            svc.delete_list(s, lst.id)
        self.list_view.clearSelection()
        self.reload()

    def mark_selected(self) -> NoteDialog | None:
        hit = self.selected_hit()
        if hit is None:
            show_user_error(self, UserError("请先在比中人员表中选中一人。"))
            return None
        dialog = NoteDialog(hit, self)
        dialog.accepted.connect(lambda: self.mark(hit, dialog.note()))
        dialog.open()
        return dialog

    def mark(self, hit: svc.ComparisonHit, note: str) -> bool:
        try:
            with self.db.session(note="比对核实") as s:
                svc.mark_hit(s, hit.kind, hit.id_number, note, user=current_user_name(self.db))
        except Exception as exc:  # noqa: BLE001 - shown to the clerk (UserError) or logged
            show_error(self, exc)
            return False
        self.reload()
        return True

    def unmark_selected(self) -> None:
        hit = self.selected_hit()
        if hit is None or not hit.verified:
            show_user_error(self, UserError("请先选中一个已核实的比中人员。"))
            return
        with self.db.session(note="取消比对核实") as s:
            svc.unmark_hit(s, hit.kind, hit.id_number)
        self.reload()

    def open_selected(self):
        hit = self.selected_hit()
        if hit is None:
            return None
        return self.opener.open(hit.household_id, "id_number", hit.member_id)
