"""The 扶贫手册 page: find a household and fill its handbook, keep the helper registry and the
village work teams, run the 4-3-2-1 check, and print (one household or a whole village)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.db import Database
from fupin_desktop.services import handbook as hb
from fupin_desktop.services import registry
from fupin_desktop.ui.handbook.assist import HouseholdAssistWidget
from fupin_desktop.ui.handbook.widgets import (
    Field,
    FormDialog,
    ReadOnlyTable,
)
from fupin_desktop.ui.printing import print_and_preview
from fupin_desktop.ui.widgets.columns import fit_menu_button, fit_placeholder

SEARCH_LIMIT = 200
FORMS = (("handbook", "扶贫手册"), ("card", "明白卡"), ("form", "户信息采集表"))
# Offered under 「其他表」 beside the three buttons (and in 批量打印).
MORE_FORMS = (("monitoring-form", "防止返贫监测对象信息采集表"), ("authorization", "监测对象申请及承诺授权书"),
              ("income", "收入测算表"), ("plan", "帮扶计划表"), ("visits", "走访记录表"))
CHANGE_NOTICE = "change"  # the 人口变动 notice: by month, not by year

HELPER_FIELDS = [
    Field("name", "姓名"), Field("sex", "性别", "code:sex"), Field("id_number", "身份证号"),
    Field("political_status", "政治面貌", "code:political_status"),
    Field("unit_name", "帮扶单位"), Field("unit_level", "单位隶属关系", "code:helper_unit_level"),
    Field("title", "职务"), Field("cadre_rank", "干部职级（4-3-2-1）", "code:cadre_rank"),
    Field("phone", "联系电话"), Field("active", "在岗（可安排结对）", "bool"), Field("note", "备注"),
]


def _day(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


class HandbookPage(QWidget):
    """The main window's 扶贫手册 page (replaces the placeholder under the same key)."""

    key = "handbook"
    title = "扶贫手册"
    icon_name = "handbook"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_handbook")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_households(), "按户填写")
        self.tabs.addTab(self._build_helpers(), "帮扶责任人")
        self.tabs.addTab(self._build_team(), "驻村工作队")
        self.tabs.addTab(self._build_check(), "4-3-2-1 检查")
        self.tabs.addTab(self._build_batch(), "批量打印")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.title_label = QLabel(self.title)
        self.title_label.setObjectName("pageTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("pageSubtitle")
        heading = QHBoxLayout()
        heading.addWidget(self.title_label)
        heading.addSpacing(16)
        heading.addWidget(self.summary_label, 1)
        layout.addLayout(heading)
        layout.addWidget(self.tabs, 1)
        self._regions_loaded = False

    def refresh(self) -> None:
        """Called by the main window whenever the page is shown."""
        if not self._regions_loaded:
            self._load_regions()
        self.refresh_counts()
        self.search()
        self.load_helpers()
        self.assist.reload()

    def refresh_counts(self) -> None:
        """The header's counts (also after every committed write, via the main window)."""
        from fupin_desktop.services import overview

        with self.db.session() as s:
            c = overview.handbook_counts(s)
        self.summary_label.setText(f"手册记录 {c.entries:,} 条　已填写手册 {c.households_with_entries:,} 户　"
                                   f"帮扶责任人 {c.helpers:,} 人")

    # -- 按户填写 ---------------------------------------------------------------------------------
    def _build_households(self) -> QWidget:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("姓名、拼音首字母、身份证号后几位、户编号或电话")
        self.search_edit.setClearButtonEnabled(True)
        fit_placeholder(self.search_edit)  # the list is as wide as this hint; its footer wraps
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.search)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.results = QListWidget()
        self.results.currentItemChanged.connect(self._household_chosen)
        left = QWidget()
        left.setMaximumWidth(340)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search_edit)
        ll.addWidget(self.results, 1)
        self.result_count = QLabel()
        self.result_count.setWordWrap(True)  # the list is narrow; the hint must end with its bracket
        ll.addWidget(self.result_count)

        self.assist = HouseholdAssistWidget(self.db)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("打印本户："))
        self.print_buttons: dict[str, QPushButton] = {}
        for key, title in FORMS:
            b = QPushButton(title)
            b.clicked.connect(lambda _c=False, k=key, t=title: self.print_household(k, t))
            self.print_buttons[key] = b
            buttons.addWidget(b)
        self.more_forms = QToolButton()
        self.more_forms.setText("其他表")  # the menu arrow is the style's
        self.more_forms.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_forms)
        for key, title in MORE_FORMS:
            menu.addAction(title, lambda k=key, t=title: self.print_household(k, t))
        self.more_forms.setMenu(menu)
        fit_menu_button(self.more_forms)
        buttons.addWidget(self.more_forms)
        buttons.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(buttons)
        rl.addWidget(self.assist, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 800])
        return split

    def search(self) -> None:
        current = self.assist.household_id
        with self.db.session() as s:
            # The registry's search: a name, 拼音首字母, the last digits of an ID number, a 户编号
            # or a phone number.
            ids = registry.household_ids(s, registry.HouseholdFilter(text=self.search_edit.text()))
            hits = hb.household_hits(s, ids[:SEARCH_LIMIT])
        self.results.blockSignals(True)
        self.results.clear()
        for h in hits:
            item = QListWidgetItem(f"{h.head_name}（{h.member_count}人）\n{h.place}  {h.household_no}")
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            self.results.addItem(item)
            if h.id == current:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        more = f"（只显示前 {SEARCH_LIMIT} 户，请输入更多文字缩小范围）" if len(ids) > SEARCH_LIMIT else ""
        self.result_count.setText(f"找到 {len(ids)} 户{more}")

    def _household_chosen(self, item: QListWidgetItem | None, _prev=None) -> None:
        hid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.assist.set_household(hid)

    def print_household(self, form: str, title: str):
        hid = self.assist.household_id
        if hid is None:
            QMessageBox.information(self, "打印", "请先在左边选择一户。")
            return
        from fupin_desktop.services import printing

        name = self.results.currentItem().text().split("（")[0] if self.results.currentItem() else ""
        return print_and_preview(
            self, f"{title} — {name}",
            lambda path, progress, cancel: printing.print_households(
                self.db, form, [hid], path, progress=progress, cancel=cancel),
            save_name=f"{name}_{title}.pdf")

    # -- 帮扶责任人 --------------------------------------------------------------------------------
    def _build_helpers(self) -> QWidget:
        self.helper_search = QLineEdit()
        self.helper_search.setPlaceholderText("姓名、单位或电话")
        self.helper_search.textChanged.connect(lambda _t: self.load_helpers())
        self.helpers = ReadOnlyTable(["姓名", "帮扶单位", "单位隶属关系", "职务", "干部职级", "联系电话",
                                      "现帮扶户数", "上限", "状态"])
        self.helpers.doubleClicked.connect(lambda _i: self.edit_helper())
        add = QPushButton("新增…")
        add.clicked.connect(lambda: self.edit_helper(new=True))
        edit = QPushButton("修改…")
        edit.clicked.connect(lambda: self.edit_helper())
        top = QHBoxLayout()
        top.addWidget(self.helper_search, 1)
        top.addWidget(add)
        top.addWidget(edit)
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.addLayout(top)
        layout.addWidget(self.helpers, 1)
        return w

    def load_helpers(self) -> None:
        levels, ranks = code_list("helper_unit_level"), code_list("cadre_rank")
        with self.db.session() as s:
            rows = hb.list_helpers(s, self.helper_search.text())
            data = []
            for r in rows:
                h = r.helper
                over = r.limit is not None and r.households > r.limit
                data.append((h.id, [h.name, h.unit_name or "", levels.label(h.unit_level),
                                    h.title or "", ranks.label(h.cadre_rank), h.phone or "",
                                    r.households, "" if r.limit is None else r.limit,
                                    ("超出上限" if over else "在岗") if h.active else "停用"]))
        self.helpers.fill(data)

    def edit_helper(self, new: bool = False) -> None:
        from fupin_desktop.models import Helper

        hid = None if new else self.helpers.row_id()
        if not new and hid is None:
            QMessageBox.information(self, "帮扶责任人", "请先在表中选中一位帮扶责任人。")
            return
        values: dict[str, Any] = {"active": True}
        if hid is not None:
            with self.db.session() as s:
                h = s.get(Helper, hid)
                values = {f.key: getattr(h, f.key) for f in HELPER_FIELDS}

        def save(v: dict[str, Any]) -> None:
            with self.db.session() as s:
                hb.save_helper(s, v, hid)

        if FormDialog(self, "新增帮扶责任人" if new else "修改帮扶责任人", HELPER_FIELDS, values, save).exec():
            self.load_helpers()

    # -- 驻村工作队 --------------------------------------------------------------------------------
    def _build_team(self) -> QWidget:
        self.team_village = QComboBox()
        self.team_village.currentIndexChanged.connect(lambda _i: self.load_team())
        self.team = ReadOnlyTable(["职务", "姓名", "派出单位", "单位职务", "联系电话", "开始", "结束"])
        self.team.doubleClicked.connect(lambda _i: self.edit_team_member())
        add = QPushButton("新增队员…")
        add.clicked.connect(lambda: self.edit_team_member(new=True))
        edit = QPushButton("修改…")
        edit.clicked.connect(lambda: self.edit_team_member())
        top = QHBoxLayout()
        top.addWidget(QLabel("村："))
        top.addWidget(self.team_village, 1)
        top.addWidget(add)
        top.addWidget(edit)
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.addLayout(top)
        layout.addWidget(self.team, 1)
        return w

    def load_team(self) -> None:
        code = self.team_village.currentData()
        if not code:
            self.team.fill([])
            return
        with self.db.session() as s:
            rows = hb.team_of(s, code)
            self.team.fill([(t.id, ["、".join(hb.team_roles(t)), t.name, t.unit_name or "", t.unit_title or "",
                                    t.phone or "", _day(t.start_date), _day(t.end_date) or "至今"])
                            for t in rows])

    def edit_team_member(self, new: bool = False) -> None:
        from fupin_desktop.models import VillageTeamMember

        code = self.team_village.currentData()
        if not code:
            return
        mid = None if new else self.team.row_id()
        if not new and mid is None:
            QMessageBox.information(self, "驻村工作队", "请先在表中选中一位队员。")
            return
        fields = [Field("name", "姓名"), Field("roles", "职务（可多个，用顿号隔开）"),
                  Field("unit_name", "派出单位"), Field("unit_title", "派出单位职务"),
                  Field("unit_level", "单位隶属关系", "code:helper_unit_level"), Field("phone", "联系电话"),
                  Field("start_date", "驻村开始时间", "date"), Field("end_date", "驻村结束时间", "optional_date")]
        values: dict[str, Any] = {"roles": "队员", "start_date": dt.date.today()}
        if mid is not None:
            with self.db.session() as s:
                t = s.get(VillageTeamMember, mid)
                values = {f.key: getattr(t, f.key, None) for f in fields}
                values["roles"] = "、".join(hb.team_roles(t))

        def save(v: dict[str, Any]) -> None:
            with self.db.session() as s:
                hb.save_team_member(s, {**v, "region_code": code}, mid)

        if FormDialog(self, "驻村工作队员", fields, values, save).exec():
            self.load_team()

    # -- 4-3-2-1 -------------------------------------------------------------------------------
    def _build_check(self) -> QWidget:
        self.check_region = QComboBox()
        run = QPushButton("开始检查")
        run.clicked.connect(self.run_check)
        self.check_summary = QLabel("按“4-3-2-1”要求检查：县级领导帮扶不超过4户、正科级3户、副科级2户、其他干部1户；"
                                    "并列出没有在岗帮扶责任人的脱贫户和监测户。")
        self.check_summary.setWordWrap(True)
        self.overloaded = ReadOnlyTable(["帮扶责任人", "帮扶单位", "干部职级", "现帮扶户数", "上限"])
        self.unassigned = ReadOnlyTable(["户主", "户编号", "乡镇村组", "人口"])
        top = QHBoxLayout()
        top.addWidget(QLabel("范围："))
        top.addWidget(self.check_region, 1)
        top.addWidget(run)
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.addLayout(top)
        layout.addWidget(self.check_summary)
        layout.addWidget(QLabel("超出帮扶户数上限："))
        layout.addWidget(self.overloaded, 1)
        layout.addWidget(QLabel("没有帮扶责任人的户："))
        layout.addWidget(self.unassigned, 2)
        return w

    def run_check(self) -> None:
        with self.db.session() as s:
            report = hb.load_check(s, self.check_region.currentData())
            self.overloaded.fill([(o.helper.id, [o.helper.name, o.helper.unit_name or "", o.rank_label,
                                                 o.households, o.limit]) for o in report.overloaded])
            unranked = len(report.unranked)
        self.unassigned.fill([(h.id, [h.head_name, h.household_no, h.place, h.member_count])
                              for h in report.without_helper])
        text = (f"检查完成：{len(report.overloaded)} 位帮扶责任人超出上限，"
                f"{len(report.without_helper)} 户没有帮扶责任人。")
        if unranked:
            text += f"另有 {unranked} 位帮扶责任人未填写干部职级，无法检查（请在“帮扶责任人”页补填）。"
        self.check_summary.setText(text)

    # -- 批量打印 ---------------------------------------------------------------------------------
    def _build_batch(self) -> QWidget:
        self.batch_region = QComboBox()
        self.batch_form = QComboBox()
        for key, title in FORMS + MORE_FORMS:
            self.batch_form.addItem(title, key)
        self.batch_form.addItem("公示表", "notice")
        from fupin_desktop.printing.notice import NOTICE_KINDS

        self.notice_kind = QComboBox()
        for k in NOTICE_KINDS.values():
            self.notice_kind.addItem(k.short, k.key)
        self.notice_kind.addItem("人口变动（动态调整）", CHANGE_NOTICE)
        self.notice_kind.currentIndexChanged.connect(self._batch_form_changed)
        self.batch_month = QDateEdit(QDate.currentDate())
        self.batch_month.setDisplayFormat("yyyy-MM")
        self.batch_year = QSpinBox()
        self.batch_year.setRange(0, 2100)
        self.batch_year.setSpecialValueText("默认（户表为今年）")
        self.batch_year.setValue(0)
        self.one_file = QRadioButton("合并为一个 PDF（每户从新的一页开始）")
        self.one_file.setChecked(True)
        self.many_files = QRadioButton("每户一个 PDF 文件")
        self.batch_form.currentIndexChanged.connect(self._batch_form_changed)
        preview = QPushButton("预览并打印…")
        preview.clicked.connect(self.batch_preview)
        save = QPushButton("生成文件…")
        save.clicked.connect(self.batch_save)

        w = QWidget()
        layout = QVBoxLayout(w)
        for label, widget in (("范围（乡镇或村）：", self.batch_region), ("表：", self.batch_form),
                              ("公示类型：", self.notice_kind), ("年度：", self.batch_year),
                              ("月份（人口变动）：", self.batch_month)):
            row = QHBoxLayout()
            lab = QLabel(label)
            lab.setMinimumWidth(130)
            row.addWidget(lab)
            widget.setMinimumWidth(260)
            widget.setMaximumWidth(420)
            row.addWidget(widget, 1)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.one_file)
        layout.addWidget(self.many_files)
        buttons = QHBoxLayout()
        buttons.addWidget(preview)
        buttons.addWidget(save)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._batch_form_changed()
        return w

    def _batch_form_changed(self) -> None:
        notice = self.batch_form.currentData() == "notice"
        change = notice and self.notice_kind.currentData() == CHANGE_NOTICE
        self.notice_kind.setEnabled(notice)
        self.batch_year.setEnabled(not change)
        self.batch_month.setEnabled(change)
        self.many_files.setEnabled(not notice)
        if notice:
            self.one_file.setChecked(True)

    def _batch_job(self):
        from fupin_desktop.services import printing

        region = self.batch_region.currentData()
        form = self.batch_form.currentData()
        year = self.batch_year.value() or None
        if form == "notice" and self.notice_kind.currentData() == CHANGE_NOTICE:
            month = self.batch_month.date().toString("yyyy-MM")
            return lambda out, progress, cancel, many=False: printing.print_change_notice(
                self.db, region, month, out)
        if form == "notice":
            kind = self.notice_kind.currentData()
            return lambda out, progress, cancel, many=False: printing.print_notice(
                self.db, region, kind, out, year=year)
        return lambda out, progress, cancel, many=False: printing.print_region(
            self.db, form, region, out, per_household=many, year=year, progress=progress, cancel=cancel)

    def _batch_title(self) -> str:
        return f"{self.batch_region.currentText().replace(' · ', '')}_{self.batch_form.currentText()}"

    def batch_preview(self):
        if not self.batch_region.currentData():
            return
        job = self._batch_job()
        return print_and_preview(self, self._batch_title(), lambda p, pr, c: job(p, pr, c),
                          save_name=f"{self._batch_title()}.pdf")

    def batch_save(self) -> None:
        from fupin_desktop.ui.operations import BackgroundOp

        if not self.batch_region.currentData():
            return
        many = self.many_files.isChecked() and self.many_files.isEnabled()
        if many:
            target = QFileDialog.getExistingDirectory(self, "选择保存文件夹")
        else:
            target, _ = QFileDialog.getSaveFileName(self, "保存 PDF", f"{self._batch_title()}.pdf",
                                                    "PDF 文件 (*.pdf)")
        if not target:
            return
        job = self._batch_job()
        out = Path(target)
        BackgroundOp(self, lambda progress, cancel: job(out, progress, cancel, many),
                     title="批量打印", label="正在生成 PDF…").success(
            lambda result: QMessageBox.information(self, "批量打印", result.summary())).start()

    # -- regions -----------------------------------------------------------------------------
    def _load_regions(self) -> None:
        with self.db.session() as s:
            choices = hb.region_choices(s)
        self.check_region.clear()
        self.check_region.addItem("全部", None)
        self.batch_region.clear()
        self.team_village.clear()
        for c in choices:
            self.check_region.addItem(c.label, c.code)
            self.batch_region.addItem(c.label, c.code)
            if c.level == "village":
                self.team_village.addItem(c.label, c.code)
        self._regions_loaded = True
        self.load_team()

