"""One dialog per change action (DOMAIN §11.3, §11.4). Each asks for the effective date and
the month the change is reported in, calls its service function in one session, and stays
open with the Chinese message when the service refuses (``UserError``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list, label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import registry as svc
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.registry.widgets import bool_combo, code_combo, date_edit, date_of, set_combo_data


class ActionDialog(QDialog):
    """Base: a form, then 生效日期 / 报告月份 / 备注, 确定 and 取消.

    Subclasses add rows in ``build(form)`` and do the work in ``run(session)``; ``done_``
    fires with the household id to reopen after success.
    """

    done_ = Signal(int)
    title = ""
    intro = ""

    def __init__(self, db: Database, household: svc.HouseholdData | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.household = household
        self.setWindowTitle(self.title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        if self.intro:
            intro = QLabel(self.intro)
            intro.setWordWrap(True)
            intro.setStyleSheet("color:#5a6678;")
            layout.addWidget(intro)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addLayout(self.form)
        self.build(self.form)
        self.effective = date_edit()
        self.effective.setObjectName("effectiveDate")
        self.month = QLineEdit(dt.date.today().strftime("%Y-%m"))
        self.month.setObjectName("reportedMonth")
        self.month.setInputMask("0000-00")
        self.month.setToolTip("这项变动计入哪个月的月报（年-月）")
        self.note = QLineEdit()
        self.note.setPlaceholderText("如批准文号、情况说明（可不填）")
        self.form.addRow(self.effective_label() + "：", self.effective)
        self.form.addRow("报告月份：", self.month)
        self.form.addRow("备注：", self.note)
        self.effective.dateChanged.connect(self._sync_month)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons

    def effective_label(self) -> str:
        return "生效日期"

    def _sync_month(self) -> None:
        day = date_of(self.effective)
        current = self.month.text()
        if current < day.strftime("%Y-%m"):
            self.month.setText(day.strftime("%Y-%m"))

    def build(self, form: QFormLayout) -> None:  # pragma: no cover - overridden
        pass

    def common(self) -> dict[str, Any]:
        return {"effective": date_of(self.effective), "reported_month": self.month.text(),
                "note": self.note.text().strip() or None}

    def run(self, session) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def confirm(self) -> bool:
        """Last look before writing (warnings); True to go on."""
        return True

    def accept(self) -> None:
        if not self.confirm():
            return
        try:
            with self.db.session(note=self.title) as s:
                household_id = self.run(s)
        except UserError as err:
            show_user_error(self, err, self.title)
            return
        super().accept()
        self.done_.emit(household_id)

    @property
    def version(self) -> int | None:
        return self.household.version if self.household else None


# Yes/no fields the data check needs for everyone in the household, as (field, short label).
_PERSON_BOOLS = (
    ("has_resident_medical", "城乡居民医保"), ("has_employee_medical", "城镇职工医保"),
    ("has_critical_illness_ins", "大病保险"), ("has_resident_pension", "城乡居民养老保险"),
    ("is_dibao", "低保"), ("is_tekun", "特困供养"),
)
_PERSON_CODED = ("relation", "ethnicity", "education", "school_status", "health", "labour_skill")


def _person_rows(form: QFormLayout, dialog: QDialog,
                 defaults: Callable[[dt.date | None], dict[str, Any]]) -> dict[str, QWidget]:
    """Every field the data check needs of a person: name, ID (fills sex and birth), relation,
    民族, 文化程度 / 在校生状况, 健康, 劳动技能, insurance and 低保/特困, phone.

    ``defaults(birth)`` gives the suggested values (services.registry.member_defaults); they
    are filled in again whenever the birth date (from the ID) changes, except in fields the
    clerk has chosen himself. Call ``w["refresh"]()`` when something else they depend on
    (the reason, the relation) changes."""
    w: dict[str, Any] = {}
    w["name"] = QLineEdit()
    w["id_number"] = QLineEdit()
    w["id_number"].setPlaceholderText("18位身份证号码或20位残疾人证号")
    w["facts"] = QLabel()
    w["facts"].setStyleSheet("color:#5a6678;")
    for key in _PERSON_CODED:
        w[key] = code_combo(key)
    w["phone"] = QLineEdit()
    for key, label in (("name", "姓名"), ("id_number", "证件号码"), ("facts", ""),
                       ("relation", "与户主关系"), ("ethnicity", "民族"), ("education", "文化程度"),
                       ("school_status", "在校生状况"), ("health", "健康状况"),
                       ("labour_skill", "劳动技能")):
        w[key].setObjectName(f"person_{key}")
        form.addRow(f"{label}：" if label else "", w[key])
    grid = QGridLayout()
    grid.setContentsMargins(0, 0, 0, 0)
    for i, (key, label) in enumerate(_PERSON_BOOLS):
        w[key] = bool_combo()
        w[key].setObjectName(f"person_{key}")
        grid.addWidget(QLabel(label), i // 2, (i % 2) * 2)
        grid.addWidget(w[key], i // 2, (i % 2) * 2 + 1)
    box = QWidget()
    box.setLayout(grid)
    form.addRow("参保和保障：", box)
    w["phone"].setObjectName("person_phone")
    form.addRow("联系电话：", w["phone"])
    chosen: set[str] = set()  # fields the clerk picked: defaults leave them alone
    for key in (*_PERSON_CODED, *(k for k, _ in _PERSON_BOOLS)):
        w[key].activated.connect(lambda _i, key=key: chosen.add(key))

    def refresh() -> None:
        facts = svc.id_facts(w["id_number"].text())
        for key, value in defaults(facts[1] if facts else None).items():
            if key in w and key not in chosen and key != "relation":
                set_combo_data(w[key], value)

    def id_changed(text: str) -> None:
        facts = svc.id_facts(text)
        if facts is None:
            w["facts"].setText("号码不完整或校验不通过" if len(text.strip()) >= 15 else "")
        else:
            sex, birth = facts
            w["facts"].setText(f"性别：{label_of('sex', sex)}　出生日期：{birth:%Y-%m-%d}")
        refresh()

    w["id_number"].textChanged.connect(id_changed)
    w["relation"].currentIndexChanged.connect(lambda _i: refresh())
    w["refresh"] = refresh
    refresh()
    return w


def _person(w: dict[str, Any], relation: str | None = None) -> svc.NewMember:
    values = {key: w[key].currentData() for key in (*_PERSON_CODED, *(k for k, _ in _PERSON_BOOLS))}
    values["relation"] = relation or values["relation"] or ""
    return svc.NewMember(name=w["name"].text(), id_number=w["id_number"].text(),
                         phone=w["phone"].text().strip() or None, **values)


class AddMemberDialog(ActionDialog):
    title = "成员增加"
    intro = ("出生、婚入、迁入等使家庭人口增加。证件号码输入后自动识别性别和出生日期，"
             "并按年龄填好常用选项（新生儿的民族随母亲），请逐项核对。")

    def build(self, form):
        self.reason = code_combo("change_reason", codes=svc.INCREASE_REASONS, blank=None)
        self.reason.setObjectName("reason")
        form.addRow("增加原因：", self.reason)
        self.person = _person_rows(form, self, self._defaults)
        set_combo_data(self.person["relation"], "03")
        self.reason.currentIndexChanged.connect(lambda _i: self.person["refresh"]())

    def _defaults(self, birth: dt.date | None) -> dict[str, Any]:
        relation = self.person["relation"].currentData() if hasattr(self, "person") else None
        return svc.member_defaults(self.household, reason=self.reason.currentData(),
                                   birth_date=birth, relation=relation)

    def run(self, s):
        svc.add_member(s, self.household.id, _person(self.person), reason=self.reason.currentData(),
                       expected_version=self.version, **self.common())
        return self.household.id


class RemoveMemberDialog(ActionDialog):
    title = "成员减少"
    intro = "死亡、婚出、迁出等使家庭人口减少。成员记录保留，状态改为“自然减少”，不再计入当前人口。"

    def build(self, form):
        self.member = QComboBox()
        self.member.setObjectName("member")
        self.new_head = QComboBox()
        self.new_head.setObjectName("newHead")
        for m in self.household.present_members():
            text = f"{m['name']}（{label_of('relation', m['relation'])}）"
            self.member.addItem(text, m["id"])
        self.reason = code_combo("change_reason", codes=svc.DECREASE_REASONS, blank=None)
        self.reason.setObjectName("reason")
        form.addRow("减少的成员：", self.member)
        form.addRow("减少原因：", self.reason)
        form.addRow("新户主：", self.new_head)
        self.member.currentIndexChanged.connect(self._member_changed)
        self._member_changed()

    def effective_label(self):
        return "减少日期"

    def _member_changed(self) -> None:
        self.new_head.clear()
        chosen = self.member.currentData()
        head = next((m for m in self.household.present_members() if m["id"] == chosen), None)
        is_head = head is not None and head.get("relation") == "01"
        for m in self.household.present_members():
            if m["id"] != chosen:
                self.new_head.addItem(m["name"], m["id"])
        self.new_head.setEnabled(is_head and self.new_head.count() > 0)
        if not is_head:
            self.new_head.clear()
            self.new_head.addItem("（不需要）", None)

    def run(self, s):
        svc.remove_member(s, self.household.id, self.member.currentData(),
                          reason=self.reason.currentData(), new_head_id=self.new_head.currentData(),
                          expected_version=self.version, **self.common())
        return self.household.id


class CloseHouseholdDialog(ActionDialog):
    title = "自然销户"
    intro = "整户死亡或迁出等，整户不再在册。记录保留，状态为“已销户”，不计入户数和人数。"

    def build(self, form):
        form.addRow("农户：", QLabel(f"{self.household.household.get('household_no') or ''} "
                                    f"{self._head()}"))

    def _head(self) -> str:
        return next((m["name"] for m in self.household.present_members() if m.get("relation") == "01"), "")

    def run(self, s):
        svc.close_household(s, self.household.id, expected_version=self.version, **self.common())
        return self.household.id


class ExitDialog(ActionDialog):
    title = "标注脱贫"

    def build(self, form):
        self.year = QSpinBox()
        self.year.setRange(2014, dt.date.today().year)
        self.year.setValue(min(2020, dt.date.today().year))
        self.year.setObjectName("exitYear")
        form.addRow("脱贫年度：", self.year)

    def run(self, s):
        svc.mark_exit(s, self.household.id, exit_year=self.year.value(),
                      expected_version=self.version, **self.common())
        return self.household.id


class ReturnDialog(ActionDialog):
    title = "返贫"

    def build(self, form):
        self.cause = code_combo("poverty_cause")
        self.cause.setObjectName("returnCause")
        form.addRow("返贫原因：", self.cause)

    def run(self, s):
        svc.mark_return(s, self.household.id, return_cause=self.cause.currentData() or "",
                        expected_version=self.version, **self.common())
        return self.household.id


class StartMonitoringDialog(ActionDialog):
    title = "纳入监测"
    intro = "经农户申请、入户核查、民主评议、公示、乡镇审核和县级审定后，标注为监测对象。"

    def build(self, form):
        self.category = code_combo("monitoring_category")
        self.category.setObjectName("category")
        suggested = "01" if self.household.household.get("household_type") == "01" else "02"
        set_combo_data(self.category, suggested)
        self.risks = QListWidget()
        self.risks.setObjectName("risks")
        for code, label in code_list("risk_type").entries():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.risks.addItem(item)
        self.risks.setMaximumHeight(150)
        self.identified = QLineEdit(dt.date.today().strftime("%Y-%m"))
        self.identified.setInputMask("0000-00")
        self.contact = QLineEdit()
        self.contact_phone = QLineEdit()
        form.addRow("监测对象类别：", self.category)
        form.addRow("致贫/返贫风险\n（1至5项）：", self.risks)
        form.addRow("识别监测月份：", self.identified)
        form.addRow("监测联系人：", self.contact)
        form.addRow("联系电话：", self.contact_phone)

    def set_risks(self, codes) -> None:
        for i in range(self.risks.count()):
            item = self.risks.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked_risks(self) -> list[str]:
        return [self.risks.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.risks.count())
                if self.risks.item(i).checkState() == Qt.CheckState.Checked]

    def run(self, s):
        svc.start_monitoring(
            s, self.household.id, category=self.category.currentData() or "",
            risks=self.checked_risks(), identified_ym=self.identified.text(),
            contact=self.contact.text().strip() or None,
            contact_phone=self.contact_phone.text().strip() or None,
            expected_version=self.version, **self.common())
        return self.household.id


class EliminateRiskDialog(ActionDialog):
    title = "风险消除"
    intro = "收入稳定超过监测范围、三保障和饮水安全有保障、风险已稳定消除，经评议公示和审核审定后标注。"

    def build(self, form):
        self.mode = code_combo("elimination_mode", blank=None)
        self.mode.setObjectName("mode")
        self.dev = QComboBox()
        self.dev.addItems(["已实施", "未实施"])
        self.dev.setObjectName("devMeasures")
        form.addRow("消除方式：", self.mode)
        form.addRow("实施开发式帮扶措施情况：", self.dev)

    def effective_label(self):
        return "风险消除日期"

    def confirm(self) -> bool:
        with self.db.session() as s:
            try:
                warnings = svc.elimination_warnings(
                    s, self.household.id, mode=self.mode.currentData(),
                    eliminated_on=date_of(self.effective), dev_measures_status=self.dev.currentText())
            except UserError as err:
                show_user_error(self, err, self.title)
                return False
        if not warnings:
            return True
        answer = QMessageBox.question(
            self, self.title, "请注意：\n" + "\n".join(f"· {w}" for w in warnings) + "\n\n仍要标注风险消除吗？")
        return answer == QMessageBox.StandardButton.Yes

    def run(self, s):
        svc.eliminate_risk(s, self.household.id, mode=self.mode.currentData(),
                           eliminated_on=date_of(self.effective),
                           reported_month=self.month.text(), dev_measures_status=self.dev.currentText(),
                           note=self.note.text().strip() or None, expected_version=self.version)
        return self.household.id


def _relation_table(members: list[dict[str, Any]], default: Callable[[dict], str | None]) -> QTableWidget:
    table = QTableWidget(len(members), 2)
    table.setHorizontalHeaderLabels(["成员", "与（新）户主关系"])
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    for row, m in enumerate(members):
        name = QTableWidgetItem(m["name"])
        name.setData(Qt.ItemDataRole.UserRole, m["id"])
        name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
        table.setItem(row, 0, name)
        combo = code_combo("relation")
        set_combo_data(combo, default(m))
        table.setCellWidget(row, 1, combo)
    table.setMinimumHeight(140)
    return table


def _relations(table: QTableWidget, only: set[int] | None = None) -> dict[int, str]:
    out = {}
    for row in range(table.rowCount()):
        mid = table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        code = table.cellWidget(row, 1).currentData()
        if code and (only is None or mid in only):
            out[mid] = code
    return out


class SplitDialog(ActionDialog):
    title = "分户"
    intro = "勾选分出去的成员，并指定新户的户主和各人与新户主的关系。"

    def build(self, form):
        members = self.household.present_members()
        self.movers = QListWidget()
        self.movers.setObjectName("movers")
        for m in members:
            item = QListWidgetItem(f"{m['name']}（{label_of('relation', m['relation'])}）")
            item.setData(Qt.ItemDataRole.UserRole, m["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.movers.addItem(item)
        self.movers.setMaximumHeight(120)
        self.relations = _relation_table(members, lambda m: m.get("relation"))
        self.household_no = QLineEdit()
        self.household_no.setPlaceholderText("新户的户编号（可暂不填）")
        self.group = QLineEdit(self.household.household.get("group_name") or "")
        self.phone = QLineEdit()
        form.addRow("分出成员：", self.movers)
        form.addRow("关系：", self.relations)
        form.addRow("新户编号：", self.household_no)
        form.addRow("村民小组：", self.group)
        form.addRow("新户联系电话：", self.phone)

    def set_movers(self, ids) -> None:
        for i in range(self.movers.count()):
            item = self.movers.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_relation(self, member_id: int, code: str) -> None:
        for row in range(self.relations.rowCount()):
            if self.relations.item(row, 0).data(Qt.ItemDataRole.UserRole) == member_id:
                set_combo_data(self.relations.cellWidget(row, 1), code)

    def run(self, s):
        movers = [self.movers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.movers.count())
                  if self.movers.item(i).checkState() == Qt.CheckState.Checked]
        new = svc.split_household(
            s, self.household.id, movers, relations=_relations(self.relations),
            household_no=self.household_no.text(), group_name=self.group.text(),
            phone=self.phone.text(), expected_version=self.version, **self.common())
        self.new_household_id = new.id
        return self.household.id


class MergeDialog(ActionDialog):
    title = "并户"
    intro = "把另一户的全部在户成员并入本户（被并入的户状态改为“已并户”）。先输入对方的户编号或户主证件号码。"

    def build(self, form):
        self.other_no = QLineEdit()
        self.other_no.setObjectName("otherNo")
        self.other_no.editingFinished.connect(self.look_up)
        self.other_label = QLabel()
        self.relations = QTableWidget(0, 2)
        self.relations.setHorizontalHeaderLabels(["成员", "与本户户主关系"])
        self.relations.horizontalHeader().setStretchLastSection(True)
        self.relations.setMinimumHeight(140)
        self.other_id: int | None = None
        form.addRow("被并入户：", self.other_no)
        form.addRow("", self.other_label)
        form.addRow("关系：", self.relations)

    def look_up(self) -> None:
        text = self.other_no.text().strip()
        if not text:
            return
        try:
            with self.db.session() as s:
                other = svc.load_household(s, svc.find_household(s, text).id)
        except UserError as err:
            self.other_label.setText(str(err))
            self.other_id = None
            return
        self.other_id = other.id
        members = other.present_members()
        self.other_label.setText(f"{other.household.get('household_no')}，{other.region_name}，在户 {len(members)} 人")
        table = _relation_table(members, lambda m: "99")
        self.relations.setRowCount(table.rowCount())
        for row in range(table.rowCount()):
            self.relations.setItem(row, 0, table.takeItem(row, 0))
            combo = code_combo("relation")
            set_combo_data(combo, "99")
            self.relations.setCellWidget(row, 1, combo)
        table.deleteLater()

    def run(self, s):
        if self.other_id is None:
            self.look_up()
        if self.other_id is None:
            raise UserError("请先输入被并入户的户编号或户主证件号码。")
        svc.merge_households(s, self.household.id, self.other_id,
                             relations=_relations(self.relations),
                             expected_version=self.version, **self.common())
        return self.household.id


class NewHouseholdDialog(ActionDialog):
    """新识别/新纳入户: a new household and its 户主."""

    title = "新识别户"
    intro = "经申请、评议、公示和审定后新纳入的农户。先登记户主，其他成员在户窗口中用“成员增加”登记。"
    created = Signal(int)

    def __init__(self, db, roots, village: str | None, group: str | None, parent=None):
        self._roots = roots
        self._village = village
        self._group = group
        super().__init__(db, None, parent)
        self.done_.connect(self.created)

    def build(self, form):
        self.village = QComboBox()
        self.village.setObjectName("village")

        def walk(nodes, path):
            for n in nodes:
                if n.level == "village":
                    self.village.addItem(" ".join([*path, n.name]), n.region_code)
                elif n.level != "group":
                    walk(n.children, [*path, n.name] if n.level == "township" else path)

        walk(self._roots, [])
        if self._village:
            set_combo_data(self.village, self._village)
        self.group = QLineEdit(self._group or "")
        self.household_no = QLineEdit()
        self.household_no.setObjectName("householdNo")
        self.type = code_combo("household_type", blank=None)
        set_combo_data(self.type, "02")
        self.phone = QLineEdit()
        form.addRow("所在村：", self.village)
        form.addRow("村民小组：", self.group)
        form.addRow("户编号：", self.household_no)
        form.addRow("户类型：", self.type)
        form.addRow("户联系电话：", self.phone)
        self.person = _person_rows(
            form, self, lambda birth: svc.member_defaults(None, reason=None, birth_date=birth))
        self.person["relation"].setEnabled(False)
        set_combo_data(self.person["relation"], "01")

    def run(self, s):
        hh = svc.register_household(
            s, region_code=self.village.currentData() or "", head=_person(self.person, "01"),
            household_no=self.household_no.text(), group_name=self.group.text(),
            phone=self.phone.text(), household_type=self.type.currentData(), **self.common())
        return hh.id
