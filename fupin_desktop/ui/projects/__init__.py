"""项目库 page: the project list with filters, counts and sums per state, the figures panel,
and the actions (新建, 打开, 流转, 删除, 打印, 十制缺项).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import assets as asset_svc
from fupin_desktop.services import overview
from fupin_desktop.services import projects as svc
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.projects.exchange import ProjectExchange
from fupin_desktop.ui.pages import AreaPage, Stat, count, yuan
from fupin_desktop.ui.printing import print_and_preview
from fupin_desktop.ui.projects.dialog import ProjectDialog
from fupin_desktop.ui.projects.handover import HandoverDialog
from fupin_desktop.ui.projects.model import NAME_COLUMN, ProjectTableModel, Roles
from fupin_desktop.ui.projects.transition import TransitionDialog
from fupin_desktop.ui.projects.widgets import date_edit, from_qdate, wan
from fupin_desktop.ui.widgets.columns import fit_menu_button, fit_placeholder

ALL = "（全部）"


class FiguresPanel(QGroupBox):
    """开工率, 完工率, 拨付率, 支出进度 … for a year and region as of a date."""

    FIELDS = (
        ("in_library", "入库数", "个"), ("in_plan", "年度计划数", "个"),
        ("started", "开工数", "个"), ("start_rate", "开工率", ""),
        ("finished", "完工数", "个"), ("finish_rate", "完工率", ""),
        ("accepted", "验收数", "个"), ("planned_funds", "计划投资", "万元"),
        ("allocated", "下达资金", "万元"), ("paid", "拨付资金", "万元"),
        ("payment_rate", "资金拨付率", ""), ("spent", "支出资金", "万元"),
        ("spending_progress", "支出进度", ""),
    )  # fmt: skip

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__("项目进度统计", parent)
        self.db = db
        self.year = QSpinBox()
        self.year.setRange(2014, 2100)
        self.year.setValue(dt.date.today().year)
        self.region = QComboBox()
        self.as_of = date_edit()
        self.year.valueChanged.connect(self.compute)
        self.region.currentIndexChanged.connect(self.compute)
        self.as_of.dateChanged.connect(self.compute)
        top = QGridLayout()
        top.addWidget(QLabel("年度"), 0, 0)
        top.addWidget(self.year, 0, 1)
        top.addWidget(QLabel("截至"), 0, 2)
        top.addWidget(self.as_of, 0, 3)
        top.addWidget(QLabel("区域"), 1, 0)
        top.addWidget(self.region, 1, 1, 1, 3)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for i, (key, label, unit) in enumerate(self.FIELDS):
            value = QLabel("—")
            value.setObjectName(f"fig_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setStyleSheet("font-weight:bold")
            self.values[key] = value
            r, c = divmod(i, 2)
            grid.addWidget(QLabel(label), r, c * 3)
            grid.addWidget(value, r, c * 3 + 1)
            grid.addWidget(QLabel(unit), r, c * 3 + 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        self.note = QLabel("按流转记录和资金记录的日期统计，可重现任一日期的数字。")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#5a6678")
        layout.addWidget(self.note)
        self.figures: svc.ProjectFigures | None = None

    def set_regions(self, county: str | None, regions: list[tuple[str, str, str]]) -> None:
        self.region.blockSignals(True)
        current = self.region.currentData()
        self.region.clear()
        if county:
            self.region.addItem("全县", county)
        for code, name, level in regions:
            self.region.addItem(name if level == "township" else f"　　{name}", code)
        index = self.region.findData(current)
        self.region.setCurrentIndex(max(0, index))
        self.region.blockSignals(False)

    def compute(self) -> None:
        code = self.region.currentData()
        if not code:
            return
        with self.db.session() as s:
            f = svc.project_figures(s, year=self.year.value(), region_code=code,
                                    as_of=from_qdate(self.as_of.date()))  # fmt: skip
        self.figures = f
        for key, _label, unit in self.FIELDS:
            value = getattr(f, key)
            if unit == "万元":
                text = wan(value)
            elif unit == "":
                text = svc.percent(value)
            else:
                text = str(value)
            self.values[key].setText(text)


class ProjectsPage(AreaPage):
    key = "projects"
    title = "项目库"
    icon_name = "projects"
    subtitle = "项目申报、审核、入库、实施、验收、报账和资产移交的全过程。"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(db, parent)
        self._dialogs: list[QWidget] = []
        self._build()

    # AreaPage's summary cards are replaced by the per-state table and the figures panel;
    # the numbers are still computed (the main window and its tests read ``stats``).
    def summary(self, session):
        c = overview.project_counts(session)
        return [
            Stat("项目", *count(c.projects, "个")),
            Stat("计划总投资", *yuan(c.total_funds)),
            Stat("最新年度", str(c.latest_year), "年") if c.latest_year else Stat("最新年度", "—"),
        ]

    def _build(self) -> None:
        # Re-home the title into a non-scrolling layout: the table scrolls by itself.
        old = self.layout().takeAt(0).widget()
        self._cards_box.setParent(self)
        self._cards_box.hide()
        self.note_label.setParent(self)
        self.note_label.hide()
        old.deleteLater()

        self.year = QComboBox()
        self.category = QComboBox()
        self.status = QComboBox()
        self.region = QComboBox()
        self.dept = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("项目名称或编号")
        self.search.setClearButtonEnabled(True)
        fit_placeholder(self.search)
        self.category.addItem(ALL, None)
        for e in code_list("project_category"):
            self.category.addItem(e.label if not e.parent else f"　{e.label}", e.code)
        self.status.addItem(ALL, None)
        for code, label in code_list("project_status").entries():
            if code in svc.STATES:
                self.status.addItem(label, code)
        for combo in (self.year, self.category, self.status, self.region, self.dept):
            combo.currentIndexChanged.connect(self.reload)
        self.search.textChanged.connect(self.reload)
        filters = QHBoxLayout()
        for label, widget in (("年度", self.year), ("类别", self.category), ("状态", self.status),
                              ("乡镇/村", self.region), ("主管单位", self.dept)):  # fmt: skip
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        clear = QPushButton("清空条件")
        clear.clicked.connect(self.clear_filters)
        filters.addWidget(clear)

        self.new_button = QPushButton("新建项目")
        self.open_button = QPushButton("打开")
        self.transition_button = QPushButton("办理流转…")
        self.handover_button = QPushButton("资产移交…")
        self.handover_button.setToolTip("已报账（或已移交、还有后续部分）的项目，登记形成的资产并移交")
        self.delete_button = QPushButton("删除")
        self.missing_button = QPushButton("十制缺项")
        self.print_button = QToolButton()
        self.print_button.setText("打印")
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.print_button)
        menu.addAction("项目入库申报表（所选项目）", lambda: self.print_pdf("declaration", selected=True))
        menu.addAction("项目公示表（所选项目）", lambda: self.print_pdf("notice", selected=True))
        menu.addAction("资产移交书（所选项目）", self.print_handover)
        menu.addSeparator()
        menu.addAction("项目公示表（本年度、本区域）", lambda: self.print_pdf("notice"))
        menu.addAction("项目清单（本年度、本区域）", lambda: self.print_pdf("list"))
        self.print_button.setMenu(menu)
        fit_menu_button(self.print_button)
        self.exchange = ProjectExchange(self)
        self.import_button = QPushButton("导入…")
        self.import_button.setToolTip("从项目批量导入模板（.xlsx/.xls）导入：先核对新增和变更，再写入")
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("把项目库（所选年度）导出为项目批量导入模板格式的 .xlsx")
        self.import_button.clicked.connect(self.exchange.ask_import)
        self.export_button.clicked.connect(self.exchange.ask_export)
        self.new_button.clicked.connect(self.new_project)
        self.open_button.clicked.connect(self.open_selected)
        self.transition_button.clicked.connect(self.transition_selected)
        self.handover_button.clicked.connect(self.handover_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.missing_button.clicked.connect(self.show_missing)
        actions = QHBoxLayout()
        for b in (self.new_button, self.open_button, self.transition_button, self.handover_button,
                  self.delete_button, self.missing_button, self.print_button, self.import_button,
                  self.export_button):  # fmt: skip
            actions.addWidget(b)
        actions.addStretch(1)
        self.count_label = QLabel()
        actions.addWidget(self.count_label)

        self.model = ProjectTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("projectTable")
        self.table.setModel(self.proxy)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.states = QTableWidget(0, 3)
        self.states.setObjectName("stateSummary")
        self.states.setHorizontalHeaderLabels(["状态", "项目数", "总投资(万元)"])
        self.states.verticalHeader().setVisible(False)
        self.states.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.states.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.states.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.states.cellDoubleClicked.connect(self._filter_by_state_row)
        self.states.setToolTip("双击某一状态，只看该状态的项目")
        self.figures = FiguresPanel(self.db)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("各状态项目数和投资（按上方条件）"))
        side_layout.addWidget(self.states, 1)
        side_layout.addWidget(self.figures)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 330])

        body = QWidget()
        body.setMinimumSize(640, 420)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(6)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.subtitle_label, 1)
        layout.addLayout(title_row)
        layout.addLayout(filters)
        layout.addLayout(actions)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        layout.addWidget(splitter, 1)
        # Like AreaPage: a small screen or a large font scrolls instead of forcing a window size.
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.layout().addWidget(scroll)
        self._loading = False
        self._update_buttons()

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        super().refresh()
        self._loading = True
        try:
            with self.db.session() as s:
                years, depts = svc.filter_choices(s)
                regions = svc.region_choices(s)
            county = regions[0][0][:6] + "000000" if regions else None
            self._refill(self.year, [(str(y), y) for y in years])
            self._refill(self.dept, [(d, d) for d in depts])
            self._refill(self.region, [(n if lv == "township" else f"　{n}", c) for c, n, lv in regions])
            self.figures.set_regions(county, regions)
            if years and self.figures.year.value() not in years:
                self.figures.year.blockSignals(True)
                self.figures.year.setValue(years[0])
                self.figures.year.blockSignals(False)
        finally:
            self._loading = False
        self.reload()
        self.figures.compute()

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL, None)
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def current_filter(self) -> svc.ProjectFilter:
        return svc.ProjectFilter(
            year=self.year.currentData(), category=self.category.currentData(),
            status=self.status.currentData(), region_code=self.region.currentData(),
            competent_dept=self.dept.currentData(), text=self.search.text(),
        )  # fmt: skip

    def reload(self) -> None:
        if getattr(self, "_loading", True):
            return
        selected = self.selected_id()
        f = self.current_filter()
        with self.db.session() as s:
            rows = svc.list_projects(s, f)
            summary = svc.state_summary(s, f)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            if column != NAME_COLUMN and self.table.columnWidth(column) > 150:
                self.table.setColumnWidth(column, 150)
        self.table.horizontalHeader().setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        total = sum((r.total_funds or 0 for r in rows), 0)
        self.count_label.setText(f"共 {len(rows)} 个项目，总投资 {wan(total) or '0.00'} 万元")
        self.states.setRowCount(0)
        for st in summary:
            if not st.count and st.status not in svc.CHAIN:
                continue
            n = self.states.rowCount()
            self.states.insertRow(n)
            for c, value in enumerate((st.label, str(st.count), wan(st.total_funds))):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if not st.count:
                    item.setForeground(Qt.GlobalColor.gray)
                self.states.setItem(n, c, item)
            self.states.item(n, 0).setData(Qt.ItemDataRole.UserRole, st.status)
        if selected is not None:
            self.select_project(selected)
        self._update_buttons()

    def clear_filters(self) -> None:
        self._loading = True
        for combo in (self.year, self.category, self.status, self.region, self.dept):
            combo.setCurrentIndex(0)
        self.search.clear()
        self._loading = False
        self.reload()

    def _filter_by_state_row(self, row: int, _column: int) -> None:
        status = self.states.item(row, 0).data(Qt.ItemDataRole.UserRole)
        index = self.status.findData(status)
        if index >= 0:
            self.status.setCurrentIndex(index)

    # ------------------------------------------------------------------ selection
    def selected_id(self) -> int | None:
        if not hasattr(self, "table"):
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(Roles.ProjectId)

    def select_project(self, project_id: int) -> bool:
        row = self.model.row_of(project_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        for b in (self.open_button, self.transition_button, self.delete_button):
            b.setEnabled(has)
        # 已验收 too: the dialog then says that 报账 comes first.
        self.handover_button.setEnabled(
            has and self.selected_status() in (*asset_svc.HANDOVER_FROM, asset_svc.PROJECT_ACCEPTED)
        )

    def selected_status(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if hasattr(self, "table") else []
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row()).status_code

    # ------------------------------------------------------------------ actions
    def _keep(self, dialog: QWidget) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self._forget(dialog))

    def _forget(self, dialog: QWidget) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)
        dialog.deleteLater()

    def new_project(self) -> ProjectDialog:
        dialog = ProjectDialog(self.db, None, self)
        dialog.changed.connect(self._after_change)
        self._keep(dialog)
        dialog.open()
        return dialog

    def open_selected(self) -> ProjectDialog | None:
        pid = self.selected_id()
        if pid is None:
            return None
        dialog = ProjectDialog(self.db, pid, self)
        dialog.changed.connect(self._after_change)
        self._keep(dialog)
        dialog.open()
        return dialog

    def transition_selected(self) -> TransitionDialog | None:
        pid = self.selected_id()
        if pid is None:
            return None
        dialog = TransitionDialog(self.db, pid, self)
        dialog.accepted.connect(lambda: self._after_change(pid))
        self._keep(dialog)
        dialog.open()
        return dialog

    def handover_selected(self) -> HandoverDialog | None:
        pid = self.selected_id()
        if pid is None:
            return None
        dialog = HandoverDialog(self.db, pid, self)
        dialog.handed_over.connect(lambda project_id, _ids: self._after_change(project_id))
        self._keep(dialog)
        dialog.open()
        return dialog

    def _after_change(self, project_id: int) -> None:
        self.refresh()
        self.select_project(project_id)

    def delete_selected(self) -> None:
        pid = self.selected_id()
        if pid is None:
            return
        name = self.model.row_at(self.proxy.mapToSource(self.table.selectionModel().selectedRows()[0]).row()).name
        answer = QMessageBox.question(self, "删除项目", f"确定删除项目“{name}”吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.db.session() as s:
                svc.delete_project(s, pid)
        except UserError as err:
            show_user_error(self, err)
            return
        self.refresh()

    def show_missing(self) -> None:
        f = self.current_filter()
        with self.db.session() as s:
            missing = svc.missing_checklist(s, year=f.year, region_code=f.region_code)
        if not missing:
            QMessageBox.information(self, "十制缺项", "按各项目目前的进度，应落实的“十制”事项都已落实。")
            return
        lines = [f"{m.project_no or ''} {m.name}（{svc.status_label(m.status)}）：缺 {m.missing_labels}"
                 for m in missing]  # fmt: skip
        box = QMessageBox(QMessageBox.Icon.Information, "十制缺项",
                          f"有 {len(missing)} 个项目的“十制”事项未落实，详见下方。", QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setDetailedText("\n".join(lines))
        box.exec()

    def print_handover(self) -> BackgroundOp | None:
        """The 资产移交书 of the selected project's latest hand-over, in the print preview."""
        from fupin_desktop.services import printing

        pid = self.selected_id()
        if pid is None:
            QMessageBox.information(self, "打印", "请先在列表中选择一个项目。")
            return None
        db = self.db
        return print_and_preview(self, "资产移交书",
                                 lambda path, _p, _c: printing.print_handover(db, None, path, project_id=pid),
                                 save_name="资产移交书.pdf", cancellable=False)

    def print_pdf(self, kind: str, *, selected: bool = False) -> BackgroundOp | None:
        """Render a PDF off the GUI thread, then show it in the print preview (打印, 另存为)."""
        from fupin_desktop.printing import projects as pp

        pid = self.selected_id() if selected else None
        f = self.current_filter()
        year = f.year
        if selected and pid is None:
            QMessageBox.information(self, "打印", "请先在列表中选择一个项目。")
            return None
        if not selected and year is None:
            QMessageBox.information(self, "打印", "请先在“年度”中选择要打印的年度。")
            return None
        db = self.db

        def work(path, _progress, _cancelled):
            with db.session() as s:
                return pp.render(s, kind, str(path), project_id=pid, year=None if pid else year,
                                 region_code=None if pid else f.region_code)  # fmt: skip

        what = pp.KINDS[kind]
        scope = f"{year}年度" if pid is None else ""
        return print_and_preview(self, f"{scope}{what}", work, save_name=f"{scope}{what}.pdf",
                                 cancellable=False)
