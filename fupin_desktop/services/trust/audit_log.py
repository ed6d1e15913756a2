"""操作日志 for reading: who changed what, old → new per field, in Chinese.

Field names come from rules.validation's FIELD_LABELS (the household meaning of 电话 for
households) and code values from the code lists the household sheet names, so the log
reads like the 户籍 screens.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from fupin_desktop.models import AuditLog, Household, Member

TABLE_LABELS = {
    "households": "农户", "members": "家庭成员", "change_events": "变动记录", "household_years": "年度收入",
    "monitoring_cases": "监测对象", "assistance_measures": "帮扶措施", "handbook_entries": "帮扶手册",
    "helper_assignments": "结对帮扶", "projects": "项目", "project_status_log": "项目流转",
    "assets": "资产", "regions": "区划", "region_changes": "区划变更", "report_locks": "月报锁定",
    "report_snapshots": "月报", "users": "用户", "app_settings": "设置", "import_batches": "导入批次",
}
ACTION_LABELS = {"insert": "新增", "update": "修改", "delete": "删除", "bulk": "批量"}
_HIDDEN = {"password_hash", "id", "source_row_id", "head_name_sort", "name_initials", "name_initials_alt",
           "id18", "id_tail", "record_valid"}


@functools.cache
def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    from fupin_desktop.rules.validation import FIELD_LABELS, HOUSEHOLD_FIELD_LABELS
    from fupin_desktop.services.household_sheet import HOUSEHOLD_ATTR, HOUSEHOLD_SCHEMA

    codes = {}
    for f in HOUSEHOLD_SCHEMA.fields:
        if f.code_list:
            codes[HOUSEHOLD_ATTR.get(f.key, f.key)] = f.code_list
    household = dict(HOUSEHOLD_FIELD_LABELS)
    household.update({HOUSEHOLD_ATTR.get(f.key, f.key): f.label for f in HOUSEHOLD_SCHEMA.fields
                      if f.group != "member"})
    household.update(region_code="所在村", head_name="户主姓名", member_count="人数", status="状态",
                     household_id="农户", seq="序号", left_on="减少日期", left_reason="减少原因")
    member = dict(FIELD_LABELS, household_id="农户", seq="序号", left_on="减少日期", left_reason="减少原因")
    household.update(_OTHER_LABELS)
    return household, member, codes


# Fields of the tables outside the household sheet that the log shows often.
_OTHER_LABELS = {
    "username": "用户名", "display_name": "姓名", "role": "角色", "regions": "负责区划", "active": "启用",
    "last_login_at": "登录时间", "key": "设置项", "value": "值", "locked": "锁定", "locked_by": "上报人",
    "period": "月份", "revision": "第几次上报", "unlock_reason": "解锁原因", "unlocked_by": "解锁人",
}


def field_label(table: str, key: str) -> str:
    household, member, _codes = _labels()
    return (member if table == "members" else household).get(key, key)


def value_text(key: str, value: Any) -> str:
    """A stored value as the screens show it: code labels, 是/否, blanks as “（空）”."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "role":
        from fupin_desktop.services.trust.users import ROLE_LABELS

        return ROLE_LABELS.get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（空）"
    if key == "key" and value == "login_required":
        return "打开数据库时要登录"
    if key == "value" and isinstance(value, dict) and set(value) == {"on"}:
        return "开启" if value["on"] else "关闭"
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T" and value[:4].isdigit():
        return value.replace("T", " ")[:19]  # a stored date-time
    code_list = _labels()[2].get(key)
    if code_list:
        from fupin_desktop.codes import label_of

        return label_of(code_list, str(value))
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    user: str
    action: str
    table: str
    row_key: str | None
    note: str | None
    changes: tuple[Change, ...]

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def table_label(self) -> str:
        return TABLE_LABELS.get(self.table, self.table)

    def summary(self) -> str:
        """“字段：旧 → 新；…” (an insert lists the values, a delete the old ones)."""
        parts = []
        for c in self.changes:
            if self.action == "insert":
                parts.append(f"{c.field}：{c.new}")
            elif self.action == "delete":
                parts.append(f"{c.field}：{c.old}")
            else:
                parts.append(f"{c.field}：{c.old} → {c.new}")
        return "；".join(parts) or (self.note or "")


def _entry(row: AuditLog) -> AuditEntry:
    old, new = row.old_values or {}, row.new_values or {}
    changes = []
    for key in dict.fromkeys([*old, *new]):
        if key in _HIDDEN:
            continue
        changes.append(Change(field_label(row.table_name, key),
                              value_text(key, old.get(key)) if key in old else "",
                              value_text(key, new.get(key)) if key in new else ""))
    return AuditEntry(row.id, row.at, row.user, row.action, row.table_name, row.row_key, row.note, tuple(changes))


def _household_keys(session: Session, text: str) -> tuple[list[str], list[str]]:
    """Row keys of the households and members a 户编号 / 户主姓名 / 证件号码 names."""
    like = f"%{text}%"
    hids = list(session.scalars(select(Household.id).where(or_(
        Household.household_no.like(like), Household.head_name.like(like), Household.head_id18 == text)).limit(500)))
    hids += list(session.scalars(select(Member.household_id).where(or_(
        Member.name == text, Member.id_number == text)).limit(500)))
    mids = list(session.scalars(select(Member.id).where(Member.household_id.in_(hids)))) if hids else []
    return [str(h) for h in dict.fromkeys(hids)], [str(m) for m in mids]


def query_audit(session: Session, *, household: str | None = None, user: str | None = None,
                table: str | None = None, since: dt.date | None = None, until: dt.date | None = None,
                limit: int = 2000) -> list[AuditEntry]:
    """Entries newest first, filtered by household (户编号, 户主姓名 or 证件号码: its own row,
    its members' and its other records'), user, table and date range (inclusive)."""
    q = select(AuditLog)
    if household and household.strip():
        hids, mids = _household_keys(session, household.strip())
        conds = [AuditLog.table_name.in_(("households",)) & AuditLog.row_key.in_(hids or ["-"])]
        if mids:
            conds.append((AuditLog.table_name == "members") & AuditLog.row_key.in_(mids))
        for hid in hids[:50]:  # other tables record the household in their values
            conds.append(cast(AuditLog.new_values, String).like(f'%"household_id":{hid}%')
                         | cast(AuditLog.new_values, String).like(f'%"household_id": {hid}%'))
        q = q.where(or_(*conds))
    if user:
        q = q.where(AuditLog.user == user)
    if table:
        q = q.where(AuditLog.table_name == table)
    if since:
        q = q.where(AuditLog.at >= dt.datetime.combine(since, dt.time()))
    if until:
        q = q.where(AuditLog.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    q = q.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    return [_entry(r) for r in session.scalars(q)]


def audit_users(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditLog.user).distinct()))


def audit_tables(session: Session) -> list[tuple[str, str]]:
    names = session.scalars(select(AuditLog.table_name).distinct()).all()
    return sorted(((n, TABLE_LABELS.get(n, n)) for n in names), key=lambda x: x[1])


def export_audit(entries: Sequence[AuditEntry], path: Path) -> int:
    """The entries as an .xlsx: one row per changed field (text cells as text)."""
    from fupin_desktop.sheets.export import ExportColumn, write_table

    columns = [ExportColumn("时间", width=20), ExportColumn("用户"), ExportColumn("操作"),
               ExportColumn("数据表"), ExportColumn("记录编号"), ExportColumn("字段"),
               ExportColumn("原值", width=24), ExportColumn("新值", width=24), ExportColumn("备注", width=30)]

    def rows():
        for e in entries:
            head = [e.at.strftime("%Y-%m-%d %H:%M:%S"), e.user, e.action_label, e.table_label, e.row_key or ""]
            if not e.changes:
                yield [*head, "", "", "", e.note or ""]
            for c in e.changes:
                yield [*head, c.field, c.old, c.new, e.note or ""]

    return write_table(path, columns, rows(), sheet_title="操作日志", title_rows=["操作日志"])
