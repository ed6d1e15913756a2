"""First run: a database without regions opens on this dialog. The clerk finds the county
(name, pinyin initials or code), ticks the townships the office handles, and their villages
are created with their national codes (services.regions.setup_county). 「跳过」 leaves the
regions to the first import."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import regions as svc
from fupin_desktop.ui.errors import show_user_error

SEARCH_DELAY_MS = 150
_CODE = Qt.ItemDataRole.UserRole


class CountySetupDialog(QDialog):
    """Pick the county and the townships; 确定 creates them in one session."""

    regions_created = Signal(int)  # how many regions were created

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("countySetup")
        self.setWindowTitle("区划设置 — 选择本县和乡镇")
        self.resize(760, 560)
        self._county: str | None = None

        intro = QLabel(
            "数据库里还没有行政区划。请先找到本县，再勾选本办公室负责的乡镇（镇、街道），"
            "这些乡镇下的行政村（社区）连同国家统计用区划代码一起建立。"
            "村民小组以后在户信息中填写，或导入表格时自动填写。"
            "也可以点“跳过”，直接导入县里的表格，由导入建立区划。")
        intro.setWordWrap(True)
        intro.setStyleSheet("color:#5a6678;")

        self.search = QLineEdit()
        self.search.setObjectName("countySearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("县名、拼音首字母或区划代码，如 望谟、wmx、522326")
        self.counties = QListWidget()
        self.counties.setObjectName("countyList")
        self.counties.currentItemChanged.connect(self._county_chosen)
        self.county_hint = QLabel()
        self.county_hint.setStyleSheet("color:#5a6678;")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())

        self.townships = QListWidget()
        self.townships.setObjectName("townshipList")
        self.townships.itemChanged.connect(lambda _i: self._update_ok())
        self.township_title = QLabel("乡镇（请先在左边选县）")
        self.all_button = QPushButton("全选")
        self.none_button = QPushButton("全不选")
        self.all_button.clicked.connect(lambda: self.tick_all(True))
        self.none_button.clicked.connect(lambda: self.tick_all(False))
        self.summary = QLabel()
        self.summary.setObjectName("setupSummary")

        left = QVBoxLayout()
        left.addWidget(QLabel("本县："))
        left.addWidget(self.search)
        left.addWidget(self.counties, 1)
        left.addWidget(self.county_hint)
        right = QVBoxLayout()
        right.addWidget(self.township_title)
        right.addWidget(self.townships, 1)
        ticks = QHBoxLayout()
        ticks.addWidget(self.all_button)
        ticks.addWidget(self.none_button)
        ticks.addStretch(1)
        right.addLayout(ticks)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("确定", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = self.buttons.addButton("跳过", QDialogButtonBox.ButtonRole.RejectRole)
        self.skip_button.setToolTip("先不设置区划：导入县里的表格时可以自动建立乡镇和村；以后可从“文件 → 区划设置”设置")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self._update_ok()
        self.search.setFocus()

    # -- county ----------------------------------------------------------------------------
    def run_search(self) -> None:
        self._timer.stop()
        text = self.search.text().strip()
        self.counties.clear()
        if not text:
            self.county_hint.setText("")
            return
        found = svc.national().search_counties(text)
        nat = svc.national()
        for entry in found:
            item = QListWidgetItem(f"{nat.full_name(entry.code)}　{entry.code}")
            item.setData(_CODE, entry.code)
            self.counties.addItem(item)
        self.county_hint.setText(f"找到 {len(found)} 个县（区、市）" if found else "没有找到，请换个写法或输入区划代码")
        if len(found) == 1:
            self.counties.setCurrentRow(0)

    def choose_county(self, code: str) -> None:
        """Select ``code`` in the result list (after a search)."""
        for row in range(self.counties.count()):
            if self.counties.item(row).data(_CODE) == code:
                self.counties.setCurrentRow(row)
                return
        raise KeyError(code)

    def _county_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        self.townships.blockSignals(True)
        self.townships.clear()
        self._county = item.data(_CODE) if item is not None else None
        if self._county is not None:
            nat = svc.national()
            towns = nat.children(self._county)
            self.township_title.setText(f"{nat.get(self._county).name}的乡镇（勾选本办公室负责的）：")
            for town in towns:
                villages = len(nat.children(town.code))
                entry = QListWidgetItem(f"{town.name}（{villages} 个村、社区）　{town.code}")
                entry.setData(_CODE, town.code)
                entry.setData(Qt.ItemDataRole.UserRole + 1, villages)
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(Qt.CheckState.Unchecked)
                self.townships.addItem(entry)
        else:
            self.township_title.setText("乡镇（请先在左边选县）")
        self.townships.blockSignals(False)
        self._update_ok()

    # -- townships -------------------------------------------------------------------------
    def tick(self, codes) -> None:
        wanted = set(codes)
        for row in range(self.townships.count()):
            item = self.townships.item(row)
            if item.data(_CODE) in wanted:
                item.setCheckState(Qt.CheckState.Checked)

    def tick_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for row in range(self.townships.count()):
            self.townships.item(row).setCheckState(state)

    def ticked(self) -> list[str]:
        return [self.townships.item(r).data(_CODE) for r in range(self.townships.count())
                if self.townships.item(r).checkState() == Qt.CheckState.Checked]

    def _update_ok(self) -> None:
        ticked = [self.townships.item(r) for r in range(self.townships.count())
                  if self.townships.item(r).checkState() == Qt.CheckState.Checked]
        villages = sum(item.data(Qt.ItemDataRole.UserRole + 1) or 0 for item in ticked)
        self.ok_button.setEnabled(bool(self._county and ticked))
        if self._county and ticked:
            self.summary.setText(f"将建立 {len(ticked)} 个乡镇、{villages} 个村（社区）。")
        elif self._county:
            self.summary.setText("请勾选至少一个乡镇。")
        else:
            self.summary.setText("")

    # -- done ------------------------------------------------------------------------------
    def accept(self) -> None:
        if not (self._county and self.ticked()):
            return
        try:
            with self.db.session(note="区划设置") as s:
                created = svc.setup_county(s, self._county, self.ticked())
        except UserError as err:
            show_user_error(self, err, "区划设置")
            return
        super().accept()
        self.regions_created.emit(len(created))


def offer_region_setup(db: Database, parent: QWidget | None = None) -> bool:
    """Show :class:`CountySetupDialog` when the database has no regions; True when regions
    were created."""
    with db.session() as s:
        if svc.has_regions(s):
            return False
    dialog = CountySetupDialog(db, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        if shiboken6.isValid(dialog):  # gone already when its window was closed meanwhile
            dialog.deleteLater()
