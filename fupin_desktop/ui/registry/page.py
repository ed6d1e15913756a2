"""户籍管理 page: region tree on the left, the household list with search and filter chips.

The list keeps ids only (``HouseholdTableModel``); every query is a service call in a
short session. Search runs as the clerk types, debounced by a short timer.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QScrollArea,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.db import Database
from fupin_desktop.services import registry as svc
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.registry.models import HOUSEHOLD_COLUMNS, HouseholdTableModel, RegionTreeModel
from fupin_desktop.ui.settings import ui_settings
from fupin_desktop.ui.widgets.titles import page_title

SETTING_HEADER = "registry/household_header"
SEARCH_HEAD_WIDTH = 230  # px: 「张三　成员：李四、李小明」
SETTING_SPLITTER = "registry/splitter"
SEARCH_DELAY_MS = 150


class ChipButton(QToolButton):
    """A filter chip: a drop-down of checkable options; shows how many are on."""

    changed = Signal()

    def __init__(self, title: str, options: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.title = title
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setObjectName("filterChip")
        menu = QMenu(self)
        self.actions_: list[QAction] = []
        for value, label in options:
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setData(value)
            action.toggled.connect(self._toggled)
            self.actions_.append(action)
        menu.addSeparator()
        clear = menu.addAction("清除")
        clear.triggered.connect(self.clear)
        self.setMenu(menu)
        self._update()

    def values(self) -> tuple[str, ...]:
        return tuple(a.data() for a in self.actions_ if a.isChecked())

    def set_values(self, values) -> None:
        for a in self.actions_:
            a.blockSignals(True)
            a.setChecked(a.data() in values)
            a.blockSignals(False)
        self._update()
        self.changed.emit()

    def clear(self) -> None:
        self.set_values(())

    def _toggled(self, _checked: bool) -> None:
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        picked = [a.text() for a in self.actions_ if a.isChecked()]
        if not picked:
            self.setText(f"{self.title} ▾")
            self.setProperty("active", False)
        elif len(picked) <= 2:
            self.setText(f"{self.title}：{'、'.join(picked)} ▾")
            self.setProperty("active", True)
        else:
            self.setText(f"{self.title}：{len(picked)}项 ▾")
            self.setProperty("active", True)
        self.style().unpolish(self)
        self.style().polish(self)


class RegistryPage(QWidget):
    """The 户籍管理 page the main window registers under ``registry``."""

    key = "registry"
    title = "户籍管理"
    icon_name = "registry"

    household_opened = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_registry")
        self._windows: dict[int, QWidget] = {}
        self._region_key: str | None = None
        self._sort = ("household_no", False)
        # A given set of households (e.g. behind a 月报 figure) and what to call it.
        self._id_set: tuple[tuple[int, ...], str] | None = None

        # -- left: region tree ------------------------------------------------------------
        self.tree_model = RegionTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("regionTree")
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().selectionChanged.connect(self._on_tree_selection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)

        # -- search and chips -------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setObjectName("householdSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("搜索：户主或成员姓名、拼音首字母（如 zs）、证件号码或后几位、户编号、电话")
        self.search.setMinimumWidth(160)
        self.search.textChanged.connect(self._schedule_search)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)

        self.chip_type = ChipButton("户类型", code_list("household_type").entries())
        self.chip_monitor = ChipButton(
            "监测类别", [*code_list("monitoring_category").entries(), ("none", "非监测对象")]
        )
        self.chip_cause = ChipButton(
            "风险/致贫原因",
            [("cause:" + c, "致贫：" + l) for c, l in code_list("poverty_cause").entries()]
            + [("risk:" + c, "风险：" + l) for c, l in code_list("risk_type").entries()],
        )
        self.chip_guarantee = ChipButton(
            "三保障问题", [(k, v) for k, v in svc.GUARANTEE_LABELS.items()]
        )
        self.chip_grade = ChipButton(
            "风险等级", [*code_list("risk_grade").entries(), ("none", "未定级")]
        )
        self.chip_errors = QPushButton("有数据错误")
        self.chip_errors.setObjectName("filterChip")
        self.chip_errors.setCheckable(True)
        self.chip_errors.toggled.connect(self._on_errors_chip)
        self.chip_source = QPushButton()
        self.chip_source.setObjectName("filterChip")
        self.chip_source.setProperty("active", True)
        self.chip_source.setToolTip("只列出这些农户；点一下清除，回到按区划列出")
        self.chip_source.setVisible(False)
        self.chip_source.clicked.connect(self.clear_household_ids)
        self.chips = (self.chip_type, self.chip_monitor, self.chip_cause, self.chip_guarantee, self.chip_grade)
        for chip in self.chips:
            chip.changed.connect(self.reload)

        self.show_ids = QPushButton("显示完整证件号码")
        self.show_ids.setCheckable(True)
        self.show_ids.setToolTip("默认只显示证件号码和电话的前后几位；需要核对时再显示完整号码")
        self.show_ids.toggled.connect(self._on_show_ids)
        self.new_button = QPushButton("新识别户…")
        self.new_button.setObjectName("newHousehold")
        self.new_button.clicked.connect(self.new_household)
        self.open_button = QPushButton("打开")
        self.open_button.clicked.connect(self.open_current)

        # -- list -------------------------------------------------------------------------
        self._listed_text = ""  # the search the listed ids came from
        self._head_width: int | None = None  # the 户主 column's width before a search widened it
        self.model = HouseholdTableModel(self._fetch_rows, self)
        self.table = QTableView()
        self.table.setObjectName("householdTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setVisible(False)
        hh = self.table.horizontalHeader()
        hh.setSectionsMovable(True)
        hh.setSortIndicatorShown(True)
        hh.setSectionsClickable(True)
        hh.setHighlightSections(False)
        hh.sectionClicked.connect(self._on_header_clicked)
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(self._column_menu)
        for col, width in enumerate((130, 80, 160, 44, 80, 100, 130, 64, 110, 80, 128)):
            self.table.setColumnWidth(col, width)
        hh.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda idx: self.open_row(idx.row()))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, activated=self.open_current)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)

        self.columns_button = QToolButton()
        self.columns_button.setText("列 ▾")
        self.columns_button.setToolTip("选择列表显示的列（也可在表头上点右键）")
        self.columns_button.clicked.connect(lambda: self._column_menu(None))

        self.status = QLabel()
        self.status.setObjectName("listStatus")
        # A broad search lists its first households only; this lists every match.
        self.show_all_button = QPushButton("全部列出")
        self.show_all_button.setObjectName("showAllMatches")
        self.show_all_button.setToolTip("列出所有符合搜索的农户（范围很大时需要稍等）")
        self.show_all_button.setVisible(False)
        self.show_all_button.clicked.connect(self.show_all_matches)
        self._show_all = False
        self._complete = True
        self.hint = QLabel()
        self.hint.setObjectName("searchHint")
        self.hint.setStyleSheet("color:#9a6700;")

        # -- layout -----------------------------------------------------------------------
        self.title_label = title = page_title("户籍管理")

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(self.chip_source)
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.open_button)

        chips = QHBoxLayout()
        chips.setSpacing(6)
        chips.addWidget(QLabel("筛选："))
        for chip in self.chips:
            chips.addWidget(chip)
        chips.addWidget(self.chip_errors)
        chips.addStretch(1)
        chips.addWidget(self.columns_button)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status)
        bottom.addWidget(self.show_all_button)
        bottom.addWidget(self.hint)
        bottom.addStretch(1)
        bottom.addWidget(self.show_ids)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 0, 0, 0)
        # On a narrow screen the chips scroll sideways rather than widen the window.
        chip_box = QWidget()
        chip_box.setLayout(chips)
        chips.setContentsMargins(0, 0, 0, 0)
        chip_scroll = QScrollArea()
        chip_scroll.setWidget(chip_box)
        chip_scroll.setWidgetResizable(True)
        chip_scroll.setFrameShape(QFrame.Shape.NoFrame)
        chip_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        chip_scroll.setFixedHeight(chip_box.sizeHint().height() + 4)
        chip_scroll.setMinimumWidth(200)
        rl.addWidget(chip_scroll)
        rl.addWidget(self.table, 1)
        rl.addLayout(bottom)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.tree.setMinimumWidth(150)
        self.table.setMinimumWidth(300)
        self.splitter.setSizes([250, 900])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 8)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.setStyleSheet(
            "QToolButton#filterChip, QPushButton#filterChip {"
            " border:1px solid #c8d2df; border-radius:11px; padding:2px 10px; background:#f7f9fc; }"
            "QToolButton#filterChip[active=\"true\"], QPushButton#filterChip:checked {"
            " background:#d3e2f5; border-color:#1f5fa8; color:#123f73; }"
            "QPushButton#filterChip[active=\"true\"] {"
            " background:#d3e2f5; border-color:#1f5fa8; color:#123f73; }"
            "QToolButton#filterChip::menu-indicator { image:none; width:0; }"
        )
        self._restore_settings()
        self._loaded = False

    # -- data -----------------------------------------------------------------------------
    def _fetch_rows(self, ids):
        with self.db.session() as s:
            return svc.household_rows(s, ids, self._listed_text)

    def current_filter(self) -> svc.HouseholdFilter:
        region, group = None, None
        if self._region_key:
            region, _, rest = self._region_key.partition("/")
            group = rest if "/" in self._region_key else None
        causes = tuple(v[6:] for v in self.chip_cause.values() if v.startswith("cause:"))
        risks = tuple(v[5:] for v in self.chip_cause.values() if v.startswith("risk:"))
        ids = None
        if self._id_set is not None:
            # The given households wherever they are, closed ones too (a past month's count).
            ids, region, group = self._id_set[0], None, None
        return svc.HouseholdFilter(
            household_ids=ids, include_closed=ids is not None,
            region_code=region, group_name=group, text=self.search.text(),
            household_types=self.chip_type.values(),
            monitoring_categories=self.chip_monitor.values(),
            causes=causes, risks=risks,
            guarantee_problems=self.chip_guarantee.values(),
            risk_grades=self.chip_grade.values(),
            has_errors=self.chip_errors.isChecked(),
        )

    def totals(self) -> tuple[int, int]:
        """(households, persons) on the register, from the top of the tree."""
        roots = self.tree_model._roots
        return sum(r.households for r in roots), sum(r.persons for r in roots)

    def refresh(self) -> None:
        """Re-read the tree (counts) and the list; keeps the selected node and row."""
        with self.db.session() as s:
            roots = svc.region_tree(s)
        key = self._region_key
        self.tree.selectionModel().blockSignals(True)
        self.tree_model.set_roots(roots)
        self.tree.selectionModel().blockSignals(False)
        self.tree.expandToDepth(1)
        if key is None and roots:
            key = roots[0].key
        index = self.tree_model.find(key) if key else QModelIndex()
        if index.isValid():
            self.tree.selectionModel().blockSignals(True)
            self.tree.setCurrentIndex(index)
            self.tree.selectionModel().blockSignals(False)
            self._region_key = key
        self.reload()
        self._loaded = True

    def reload(self) -> None:
        """Run the current filter/search and show the result (keeps the current household)."""
        self._search_timer.stop()
        current = self.current_household_id()
        flt = self.current_filter()
        terms = svc.parse_search(flt.text)
        if terms.kind == "short_number":
            self.hint.setText(f"证件号码、户编号或电话请至少输入{svc.MIN_NUMBER_DIGITS}位")
        elif terms.kind == "short_initials":
            self.hint.setText(f"拼音首字母请至少输入{svc.MIN_INITIALS}个")
        else:
            self.hint.setText("")
        sort, desc = self._sort
        # While the clerk types, a broad search (half a 证件号码 matches the whole county)
        # lists its first households at once; 全部列出 asks for every match.
        limit = None if self._show_all else svc.SEARCH_LIST_LIMIT
        with self.db.session() as s:
            result = svc.list_households(s, flt, sort=sort, descending=desc, limit=limit)
        ids = result.ids
        self._complete = result.complete
        self._listed_text = flt.text  # rows say which members this search matched
        self._fit_head_column(bool(flt.text.strip()))
        self.model.set_ids(ids)
        self._update_status()
        if current is not None:
            row = self.model.row_of(current)
            if row >= 0:
                self.table.selectRow(row)
                return
        if ids and flt.text:
            self.table.selectRow(0)

    def _fit_head_column(self, searching: bool) -> None:
        """While a search lists households, the 户主 column is wide enough for 「张三　成员：
        李四」 (the member the search found); back to the clerk's width afterwards."""
        col = next(i for i, (key, *_rest) in enumerate(HOUSEHOLD_COLUMNS) if key == "head_name")
        if searching and self._head_width is None:
            self._head_width = self.table.columnWidth(col)
            self.table.setColumnWidth(col, max(self._head_width, SEARCH_HEAD_WIDTH))
        elif not searching and self._head_width is not None:
            self.table.setColumnWidth(col, self._head_width)
            self._head_width = None

    def _update_status(self) -> None:
        n = self.model.rowCount()
        node = self.tree_model.node(self.tree.currentIndex())
        place = node.name if node else "全部"
        if self._id_set is not None:
            place = self._id_set[1]
        searched = self.search.text().strip()
        if self._complete:
            text = f"{place}：共 {n:,} 户"
            if searched:
                text += f"（搜索“{searched}”）"
        else:
            text = f"{place}：搜索“{searched}”超过 {n:,} 户，先列出前 {n:,} 户，继续输入可缩小范围"
        self.status.setText(text)
        self.show_all_button.setVisible(not self._complete)

    def is_complete(self) -> bool:
        """False while the list shows only the first households of a broad search."""
        return self._complete

    def show_all_matches(self) -> None:
        self._show_all = True
        self.reload()

    def _schedule_search(self, _text: str) -> None:
        self._show_all = False
        self._search_timer.start()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def show_household_ids(self, ids, label: str) -> None:
        """List only ``ids`` (e.g. the households behind a 月报 figure) under a chip that
        says ``label`` (「来自月报：…」); the chip clears it. Search and chips still apply."""
        self._id_set = (tuple(ids), label)
        shown = self.chip_source.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, 420)
        self.chip_source.setText(f"{shown}　✕")
        self.chip_source.setToolTip(f"{label}\n只列出这些农户；点一下清除，回到按区划列出")
        self.chip_source.setVisible(True)
        self._show_all = True
        self.reload()

    def clear_household_ids(self) -> None:
        """Back to listing by the region tree."""
        self._id_set = None
        self.chip_source.setVisible(False)
        self._show_all = False
        self.reload()

    def household_id_set(self) -> tuple[tuple[int, ...], str] | None:
        return self._id_set

    def select_region(self, key: str) -> None:
        index = self.tree_model.find(key)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _on_tree_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        node = self.tree_model.node(indexes[0])
        self._region_key = node.key if node else None
        if self._id_set is not None:
            self.clear_household_ids()  # picking a place in the tree leaves the given set
            return
        self.reload()

    def _tree_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction("区划设置…", self.show_region_settings)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def show_region_settings(self):
        """区划设置 on the selected region: the main window's one window when there is one."""
        node = self.tree_model.node(self.tree.currentIndex())
        code = node.region_code if node is not None else None
        window = self.window()
        if hasattr(window, "show_region_settings"):
            return window.show_region_settings(code)
        from fupin_desktop.ui.regions import RegionSettingsWindow

        dialog = RegionSettingsWindow(self.db, self, select=code)
        dialog.changed.connect(self.refresh)
        dialog.show()
        return dialog

    def _on_header_clicked(self, column: int) -> None:
        key = HOUSEHOLD_COLUMNS[column][2]
        sort, desc = self._sort
        desc = (not desc) if sort == key else False
        self._sort = (key, desc)
        self.table.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder
        )
        self.reload()

    def _on_show_ids(self, show: bool) -> None:
        self.model.set_show_ids(show)
        self.show_ids.setText("隐藏完整证件号码" if show else "显示完整证件号码")

    def _on_errors_chip(self, checked: bool) -> None:
        if not checked:
            self.reload()
            return
        # The filter reads the stored 核查 findings: run the checks now (seconds for a county).
        op = BackgroundOp(
            self,
            lambda progress, cancelled: self._recheck(progress, cancelled),
            title="检查数据",
            label="正在核查全部农户数据，请稍候…",
        )
        op.success(lambda _n: self.reload()).failure(lambda _e: self.reload()).start()
        self._recheck_op = op

    def _recheck(self, progress, cancelled) -> int:
        from fupin_desktop.audit import current_user
        from fupin_desktop.services.checks import run_checks

        with self.db.session(note="数据核查") as s:
            return run_checks(s, user=current_user(s), progress=progress,
                              cancel=cancelled).households_checked

    # -- columns --------------------------------------------------------------------------
    def _column_menu(self, pos) -> None:
        menu = QMenu(self)
        header = self.table.horizontalHeader()
        for col, (_key, label, _sort) in enumerate(HOUSEHOLD_COLUMNS):
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(col))
            action.toggled.connect(lambda on, c=col: self.set_column_visible(c, on))
        target = header.mapToGlobal(pos) if pos is not None else \
            self.columns_button.mapToGlobal(self.columns_button.rect().bottomLeft())
        menu.popup(target)

    def set_column_visible(self, column: int, visible: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(column, not visible)
        self.save_settings()

    def _restore_settings(self) -> None:
        settings = ui_settings()
        state = settings.value(SETTING_HEADER)
        if isinstance(state, QByteArray):
            self.table.horizontalHeader().restoreState(state)
        split = settings.value(SETTING_SPLITTER)
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)

    def save_settings(self) -> None:
        settings = ui_settings()
        searching = self._head_width is not None
        self._fit_head_column(False)  # the clerk's own width is what is kept
        settings.setValue(SETTING_HEADER, self.table.horizontalHeader().saveState())
        self._fit_head_column(searching)
        settings.setValue(SETTING_SPLITTER, self.splitter.saveState())
        settings.sync()

    def hideEvent(self, event) -> None:
        self.save_settings()
        super().hideEvent(event)

    # -- opening households ---------------------------------------------------------------
    def current_household_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def open_current(self):
        index = self.table.currentIndex()
        return self.open_row(index.row()) if index.isValid() else None

    def open_row(self, row: int):
        hid = self.model.id_at(row)
        return self.open_household(hid) if hid is not None else None

    def open_household(self, household_id: int):
        """Show the household's window (one per household; raised if already open)."""
        from fupin_desktop.ui.registry.editor import HouseholdWindow

        window = self._windows.get(household_id)
        if window is not None:
            window.show()
            window.raise_()
            window.activateWindow()
            return window
        window = HouseholdWindow(self.db, household_id, self)
        window.saved.connect(self._on_household_saved)
        window.destroyed.connect(lambda _o=None, h=household_id: self._windows.pop(h, None))
        self._windows[household_id] = window
        window.show()
        self.household_opened.emit(household_id)
        return window

    def open_windows(self) -> list[QWidget]:
        return list(self._windows.values())

    def refresh_counts(self) -> None:
        """Re-read the tree's 户数/人数 (after every committed write), keeping its selection."""
        if not self._loaded:
            return
        with self.db.session() as s:
            roots = svc.region_tree(s)
        key = self._region_key
        self.tree.selectionModel().blockSignals(True)
        self.tree_model.set_roots(roots)
        self.tree.expandToDepth(1)
        if key:
            index = self.tree_model.find(key)
            if index.isValid():
                self.tree.setCurrentIndex(index)
        self.tree.selectionModel().blockSignals(False)

    def _on_household_saved(self, household_id: int) -> None:
        self.model.invalidate([household_id])
        self.refresh_counts()
        self.reload()

    def new_household(self):
        from fupin_desktop.ui.registry.dialogs import NewHouseholdDialog

        node = self.tree_model.node(self.tree.currentIndex())
        village = None
        group = None
        if node is not None and node.level in ("village", "group"):
            village = node.region_code
            group = node.group_name
        with self.db.session() as s:
            roots = svc.region_tree(s)
        dialog = NewHouseholdDialog(self.db, roots, village, group, self)
        dialog.created.connect(self._on_created)
        dialog.open()
        return dialog

    def _on_created(self, household_id: int) -> None:
        self._on_household_saved(household_id)
        self.open_household(household_id)
