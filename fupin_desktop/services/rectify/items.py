"""The 整改清单 itself: items, their links, progress notes, status changes, the list with
filters, and the summary by category and status (DOMAIN §16.3).

Every write goes through the caller's session (one per clerk action), so the audit hook
records it with old and new values. Status codes (``rectify_status``): 01 未整改 and
02 正在整改 are open, 03 已完成 and 04 已完成并长期坚持 done. An item is overdue when it is
open and its 时限 has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from fupin_desktop.audit import current_user
from fupin_desktop.codes import CodeError, code_list, label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    Household,
    Project,
    RectifyHousehold,
    RectifyItem,
    RectifyProgress,
    RectifyProject,
    RectifyVillage,
    Region,
)
from fupin_desktop.rules.text import normalize_text, text_key

OPEN = ("01", "02")
DONE = ("03", "04")
STATUSES = ("01", "02", "03", "04")
# The 「九个清零」 categories, each tracked until no item is open (99 其他 is not one).
NINE_ZERO = ("01", "02", "03", "04", "05", "06", "07", "08", "09")

# Text fields: attribute → (label, max length, required).
TEXT_FIELDS: dict[str, tuple[str, int, bool]] = {
    "description": ("问题描述", 2000, True),
    "lead": ("牵头领导", 60, False),
    "unit": ("责任单位", 200, False),
    "person": ("责任人", 60, False),
    "measures": ("整改措施", 2000, False),
    "note": ("备注", 500, False),
}
CODE_FIELDS = {"source": "rectify_source", "category": "rectify_category"}
LABELS = {**{k: v[0] for k, v in TEXT_FIELDS.items()}, "source": "问题来源", "category": "问题类别",
          "deadline": "整改时限", "status": "整改状态", "completed_on": "完成时间", "item_no": "问题编号"}


# -- values ---------------------------------------------------------------------------------


def status_label(code: str) -> str:
    return label_of("rectify_status", code)


def is_overdue(deadline: dt.date | None, status: str, today: dt.date | None = None) -> bool:
    """Open (未整改 / 正在整改) and past its 时限."""
    return deadline is not None and status in OPEN and deadline < (today or dt.date.today())


def _code(list_name: str, value: Any, label: str) -> str:
    """A code from its code, label or alias; else the one entry whose label or alias the text
    contains (「省级成效考核」 → 考核, 「中央巡视反馈」 → 巡视, 「“两不愁三保障”方面」)."""
    codes = code_list(list_name)
    try:
        code = codes.normalize(value)
    except CodeError as exc:
        key = text_key(value)
        found = {e.code for e in codes for name in (e.label, *e.aliases)
                 if len(text_key(name)) > 1 and text_key(name) in key}
        if len(found) != 1:
            raise UserError(str(exc)) from None
        code = found.pop()
    if code is None:
        raise UserError(f"请填写{label}。")
    return code


def normalize_status(value: Any) -> str:
    return _code("rectify_status", value, "整改状态")


_MONTH_END = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(底|末|前|份)?$")
_HAS_DIGIT = re.compile(r"[0-9]")


def parse_deadline(value: Any) -> tuple[dt.date | None, str | None]:
    """A 时限 as counties write it: a date (cell, text, Excel serial, ``20210630``), a month
    (``2021年6月底``, ``2021-06`` → its last day), or words without a date (``立行立改``,
    ``长期坚持``) kept as a note. A date that cannot be read raises UserError."""
    from fupin_desktop.sheets.schema import CellError, Field, convert_value

    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, str):
        text = normalize_text(value).replace(" ", "")
        m = _MONTH_END.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                nxt = dt.date(year + month // 12, month % 12 + 1, 1)
                return nxt - dt.timedelta(days=1), None
        if not _HAS_DIGIT.search(text):
            if len(text) > 60:
                raise UserError(f"整改时限“{text[:20]}…”过长，最多60个字。")
            return None, text
        text = text.removesuffix("前").removesuffix("底")
        value = text
    try:
        return convert_value(Field("deadline", "整改时限", "date"), value), None
    except CellError as exc:
        raise UserError(str(exc)) from None


def deadline_text(deadline: dt.date | None, note: str | None) -> str:
    return deadline.isoformat() if deadline else (note or "")


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The item fields in ``values`` cleaned and checked (codes from code or label, text
    trimmed and within its length, 时限 parsed). Raises UserError with a Chinese message."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in CODE_FIELDS:
            out[key] = _code(CODE_FIELDS[key], value, LABELS[key])
        elif key in TEXT_FIELDS:
            label, limit, required = TEXT_FIELDS[key]
            text = normalize_text(value) if value is not None else ""
            if len(text) > limit:
                raise UserError(f"{label}最多{limit}个字，现有{len(text)}个字，请缩短。")
            if required and not text:
                raise UserError(f"请填写{label}。")
            out[key] = text or None
        elif key == "deadline":
            if isinstance(value, dt.date) or value is None:
                out["deadline"] = value
                if "deadline_note" not in values:
                    out["deadline_note"] = None
            else:
                out["deadline"], out["deadline_note"] = parse_deadline(value)
        elif key == "deadline_note":
            if isinstance(values.get("deadline"), dt.date | None):  # else parsed from the text
                out["deadline_note"] = normalize_text(value)[:60] if value else None
        elif key == "item_no":
            text = normalize_text(value) if value is not None else ""
            if len(text) > 40:
                raise UserError(f"问题编号“{text}”过长（最多40个字符）。")
            out["item_no"] = text or None
        elif key == "completed_on":
            out["completed_on"] = value
        else:
            raise KeyError(key)
    return out


# -- writes ---------------------------------------------------------------------------------


def _item(session: Session, item_id: int) -> RectifyItem:
    item = session.get(RectifyItem, item_id)
    if item is None:
        raise UserError(f"整改问题 {item_id} 不存在（可能已被删除）。")
    return item


def next_item_no(session: Session, year: int | None = None) -> str:
    """「ZG2025-001」: the next free number of the year."""
    year = year or dt.date.today().year
    prefix = f"ZG{year}-"
    taken = session.scalars(select(RectifyItem.item_no).where(RectifyItem.item_no.like(prefix + "%"))).all()
    numbers = [int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def create_item(session: Session, values: Mapping[str, Any], *, status: str = "01",
                household_ids: Iterable[int] = (), project_ids: Iterable[int] = (),
                village_codes: Iterable[str] = ()) -> RectifyItem:
    """Register a problem. ``values``: source, category, description (required), lead, unit,
    person, measures, deadline (date or text), note, item_no (generated when blank)."""
    clean = clean_values(values)
    for key in ("source", "category", "description"):
        if not clean.get(key):
            raise UserError(f"请填写{LABELS[key]}。")
    status = normalize_status(status)
    if not clean.get("item_no"):
        clean["item_no"] = next_item_no(session)
    elif session.scalar(select(RectifyItem.id).where(RectifyItem.item_no == clean["item_no"])) is not None:
        raise UserError(f"问题编号“{clean['item_no']}”已被其他问题使用。")
    item = RectifyItem(status=status, **clean)
    session.add(item)
    session.flush()
    set_links(session, item.id, household_ids=household_ids, project_ids=project_ids,
              village_codes=village_codes)
    return item


def update_item(session: Session, item_id: int, values: Mapping[str, Any], *,
                household_ids: Iterable[int] | None = None, project_ids: Iterable[int] | None = None,
                village_codes: Iterable[str] | None = None) -> RectifyItem:
    """Change the fields in ``values`` (status goes through :func:`set_status`)."""
    item = _item(session, item_id)
    clean = clean_values(values)
    number = clean.pop("item_no", None)
    if number and number != item.item_no:
        if session.scalar(select(RectifyItem.id).where(RectifyItem.item_no == number)) is not None:
            raise UserError(f"问题编号“{number}”已被其他问题使用。")
        item.item_no = number
    for key, value in clean.items():
        if key == "description" and not value:
            raise UserError("请填写问题描述。")
        setattr(item, key, value)
    session.flush()
    set_links(session, item.id, household_ids=household_ids, project_ids=project_ids,
              village_codes=village_codes)
    return item


def set_links(session: Session, item_id: int, *, household_ids: Iterable[int] | None = None,
              project_ids: Iterable[int] | None = None, village_codes: Iterable[str] | None = None) -> None:
    """Replace the item's linked households / projects / villages (None keeps a kind as is)."""
    for ids, model, column, target, what in (
        (household_ids, RectifyHousehold, "household_id", Household.id, "户"),
        (project_ids, RectifyProject, "project_id", Project.id, "项目"),
        (village_codes, RectifyVillage, "region_code", Region.code, "区划"),
    ):
        if ids is None:
            continue
        wanted = list(dict.fromkeys(ids))
        found = set(session.scalars(select(target).where(target.in_(wanted)))) if wanted else set()
        missing = [str(i) for i in wanted if i not in found]
        if missing:
            raise UserError(f"关联的{what}不存在：{'、'.join(missing)}。")
        attr = getattr(model, column)
        have = set(session.scalars(select(attr).where(model.item_id == item_id)))
        gone = have - set(wanted)
        if gone:
            session.execute(delete(model).where(model.item_id == item_id, attr.in_(gone)))
        for value in wanted:
            if value not in have:
                session.add(model(item_id=item_id, **{column: value}))
    session.flush()
    item = session.get(RectifyItem, item_id)
    if item is not None:
        session.expire(item, ["households", "projects", "villages"])


def add_progress(session: Session, item_id: int, note: str, *, on: dt.date | None = None,
                 evidence: str | Sequence[str] | None = None, user: str | None = None) -> RectifyProgress:
    """A dated progress note; ``evidence`` is file names/paths or text (a list is one a line)."""
    item = _item(session, item_id)
    text = normalize_text(note or "")
    if not isinstance(evidence, str) and evidence is not None:
        evidence = "\n".join(str(e) for e in evidence if str(e).strip())
    evidence = (evidence or "").strip() or None
    if not text and not evidence:
        raise UserError("请填写整改进展或佐证材料。")
    if len(text) > 2000 or len(evidence or "") > 2000:
        raise UserError("整改进展和佐证材料各最多2000个字，请缩短。")
    day = on or dt.date.today()
    if day > dt.date.today():
        raise UserError(f"进展日期 {day.isoformat()} 在今天之后，请核对。")
    row = RectifyProgress(item_id=item.id, date=day, note=text or "（佐证材料）", evidence=evidence,
                          recorded_by=user or current_user(session))
    session.add(row)
    session.flush()
    return row


def set_status(session: Session, item_id: int, status: str, *, on: dt.date | None = None,
               note: str | None = None, user: str | None = None) -> RectifyItem:
    """Move the item to ``status`` (code or label), recorded as a progress row.

    Completing (已完成 / 已完成并长期坚持) dates the completion (``on``, default today);
    going back (已完成 → 正在整改, 正在整改 → 未整改 …) needs a reason in ``note`` and
    clears the completion date when the item is open again."""
    item = _item(session, item_id)
    new = normalize_status(status)
    old = item.status
    if new == old:
        raise UserError(f"整改状态已是“{status_label(old)}”。")
    note = normalize_text(note or "")
    if new < old and not note:
        raise UserError(f"把“{status_label(old)}”改回“{status_label(new)}”须写明原因（如复查发现问题反弹）。")
    day = on or dt.date.today()
    if day > dt.date.today():
        raise UserError(f"日期 {day.isoformat()} 在今天之后，请核对。")
    if new in DONE and old in OPEN:
        item.completed_on = day
    elif new in OPEN:
        item.completed_on = None
    item.status = new
    session.add(RectifyProgress(item_id=item.id, date=day, status_from=old, status_to=new,
                                note=note or f"整改状态：{status_label(old)} → {status_label(new)}",
                                recorded_by=user or current_user(session)))
    session.flush()
    return item


def delete_item(session: Session, item_id: int) -> None:
    session.delete(_item(session, item_id))
    session.flush()


# -- reads ----------------------------------------------------------------------------------


@dataclass
class ItemRow:
    id: int
    item_no: str
    source: str
    category: str
    status: str
    description: str
    lead: str
    unit: str
    person: str
    measures: str
    deadline: dt.date | None
    deadline_note: str | None
    completed_on: dt.date | None
    note: str
    overdue: bool
    households: list[str] = field(default_factory=list)  # 户编号
    projects: list[str] = field(default_factory=list)  # 项目编号 (or name)
    villages: list[str] = field(default_factory=list)  # names
    last_progress: str = ""
    last_evidence: str = ""
    last_progress_on: dt.date | None = None

    @property
    def source_label(self) -> str:
        return label_of("rectify_source", self.source)

    @property
    def category_label(self) -> str:
        return label_of("rectify_category", self.category)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def deadline_text(self) -> str:
        return deadline_text(self.deadline, self.deadline_note)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "item_no": self.item_no, "source": self.source_label,
                "category": self.category_label, "status": self.status_label,
                "deadline": self.deadline_text or None, "overdue": self.overdue}


@dataclass
class RectifyFilter:
    statuses: Sequence[str] = ()  # codes or labels; empty = all
    category: str | None = None
    source: str | None = None
    overdue: bool | None = None
    text: str = ""
    region_code: str | None = None  # items linked to this village (or a village of this township)


def _filtered(stmt, flt: RectifyFilter, today: dt.date):
    if flt.statuses:
        stmt = stmt.where(RectifyItem.status.in_([normalize_status(s) for s in flt.statuses]))
    if flt.category:
        stmt = stmt.where(RectifyItem.category == _code("rectify_category", flt.category, "问题类别"))
    if flt.source:
        stmt = stmt.where(RectifyItem.source == _code("rectify_source", flt.source, "问题来源"))
    late = (RectifyItem.deadline < today) & RectifyItem.status.in_(OPEN)
    if flt.overdue is True:
        stmt = stmt.where(late)
    elif flt.overdue is False:
        stmt = stmt.where(~late | RectifyItem.deadline.is_(None))
    text = normalize_text(flt.text or "")
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(RectifyItem.description.like(like), RectifyItem.item_no.like(like),
                              RectifyItem.unit.like(like), RectifyItem.person.like(like),
                              RectifyItem.lead.like(like), RectifyItem.measures.like(like)))
    if flt.region_code:
        from fupin_desktop.models.region import code_prefix

        stmt = stmt.where(RectifyItem.id.in_(select(RectifyVillage.item_id).where(
            RectifyVillage.region_code.like(code_prefix(flt.region_code) + "%"))))
    return stmt


def list_items(session: Session, flt: RectifyFilter | None = None, *,
               today: dt.date | None = None) -> list[ItemRow]:
    """Items matching ``flt`` in category, then number order, with their links."""
    today = today or dt.date.today()
    flt = flt or RectifyFilter()
    items = list(session.scalars(_filtered(select(RectifyItem), flt, today)
                                 .order_by(RectifyItem.category, RectifyItem.item_no)))
    ids = [i.id for i in items]
    households: dict[int, list[str]] = {}
    projects: dict[int, list[str]] = {}
    villages: dict[int, list[str]] = {}
    last: dict[int, RectifyProgress] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for item_id, no in session.execute(
                select(RectifyHousehold.item_id, Household.household_no)
                .join(Household, Household.id == RectifyHousehold.household_id)
                .where(RectifyHousehold.item_id.in_(chunk)).order_by(Household.household_no)):
            households.setdefault(item_id, []).append(no or "")
        for item_id, no, name in session.execute(
                select(RectifyProject.item_id, Project.project_no, Project.name)
                .join(Project, Project.id == RectifyProject.project_id)
                .where(RectifyProject.item_id.in_(chunk)).order_by(Project.project_no, Project.id)):
            projects.setdefault(item_id, []).append(no or name)
        for item_id, name in session.execute(
                select(RectifyVillage.item_id, Region.name)
                .join(Region, Region.code == RectifyVillage.region_code)
                .where(RectifyVillage.item_id.in_(chunk)).order_by(Region.code)):
            villages.setdefault(item_id, []).append(name)
        notes = session.scalars(select(RectifyProgress).where(
            RectifyProgress.item_id.in_(chunk), RectifyProgress.status_to.is_(None))
            .order_by(RectifyProgress.date, RectifyProgress.id))
        for p in notes:
            last[p.item_id] = p
    rows = []
    for i in items:
        p = last.get(i.id)
        rows.append(ItemRow(
            i.id, i.item_no, i.source, i.category, i.status, i.description, i.lead or "", i.unit or "",
            i.person or "", i.measures or "", i.deadline, i.deadline_note, i.completed_on, i.note or "",
            is_overdue(i.deadline, i.status, today), households.get(i.id, []), projects.get(i.id, []),
            villages.get(i.id, []), p.note if p else "", p.evidence or "" if p else "", p.date if p else None))
    return rows


@dataclass(frozen=True)
class LinkedHousehold:
    id: int
    household_no: str
    head_name: str
    village: str


@dataclass(frozen=True)
class LinkedProject:
    id: int
    project_no: str
    name: str
    year: int


@dataclass
class ItemDetail:
    """One item for the dialog: its fields, links with names, and the progress history."""

    item: RectifyItem
    households: list[LinkedHousehold]
    projects: list[LinkedProject]
    villages: list[tuple[str, str]]  # (code, name)
    progress: list[RectifyProgress]
    overdue: bool


def item_detail(session: Session, item_id: int, *, today: dt.date | None = None) -> ItemDetail:
    item = _item(session, item_id)
    names = dict(session.execute(select(Region.code, Region.name)).all())
    households = [LinkedHousehold(h.id, h.household_no or "", h.head_name or "", names.get(h.region_code, ""))
                  for h in session.scalars(select(Household).join(
                      RectifyHousehold, RectifyHousehold.household_id == Household.id)
                      .where(RectifyHousehold.item_id == item_id).order_by(Household.household_no))]
    projects = [LinkedProject(p.id, p.project_no or "", p.name, p.year)
                for p in session.scalars(select(Project).join(
                    RectifyProject, RectifyProject.project_id == Project.id)
                    .where(RectifyProject.item_id == item_id).order_by(Project.project_no, Project.id))]
    villages = [(c, names.get(c, c)) for c in session.scalars(
        select(RectifyVillage.region_code).where(RectifyVillage.item_id == item_id)
        .order_by(RectifyVillage.region_code))]
    return ItemDetail(item, households, projects, villages, list(item.progress),
                      is_overdue(item.deadline, item.status, today))


# -- summary --------------------------------------------------------------------------------


@dataclass
class CategoryLine:
    category: str
    counts: dict[str, int]  # status code → items
    overdue: int = 0

    @property
    def label(self) -> str:
        return label_of("rectify_category", self.category)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def open(self) -> int:
        return sum(self.counts.get(s, 0) for s in OPEN)

    @property
    def zeroed(self) -> bool:
        return self.open == 0

    def to_json(self) -> dict[str, Any]:
        return {"category": self.label, "total": self.total, "open": self.open, "overdue": self.overdue,
                "by_status": {status_label(s): self.counts.get(s, 0) for s in STATUSES}}


@dataclass
class Summary:
    """Counts by category × status, as the city reports them (「15 类 41 个问题：已完成 20 个，
    正在整改 2 个，已完成并长期坚持 19 个」), and the 九个清零 tracking."""

    lines: list[CategoryLine]  # categories that have items, code-list order
    nine_zero: list[CategoryLine]  # the nine categories, with or without items

    @property
    def by_status(self) -> dict[str, int]:
        return {s: sum(line.counts.get(s, 0) for line in self.lines) for s in STATUSES}

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.lines)

    @property
    def zeroed(self) -> int:
        return sum(1 for line in self.nine_zero if line.zeroed)

    def text(self) -> str:
        n = self.by_status
        parts = [f"已完成 {n['03']} 个", f"正在整改 {n['02']} 个", f"已完成并长期坚持 {n['04']} 个"]
        if n["01"]:
            parts.append(f"未整改 {n['01']} 个")
        text = f"共 {len(self.lines)} 类 {self.total} 个问题：" + "，".join(parts)
        if self.overdue:
            text += f"；逾期未完成 {self.overdue} 个"
        return text + "。"

    def nine_zero_text(self) -> str:
        open_ = [f"{line.label} {line.open} 个" for line in self.nine_zero if not line.zeroed]
        head = f"九个清零：已清零 {self.zeroed} 类（共 {len(self.nine_zero)} 类）"
        return head + ("；未清零：" + "，".join(open_) + "。" if open_ else "，全部清零。")

    def to_json(self) -> dict[str, Any]:
        return {"categories": len(self.lines), "total": self.total, "overdue": self.overdue,
                "by_status": {status_label(s): v for s, v in self.by_status.items()},
                "by_category": [line.to_json() for line in self.lines],
                "nine_zero": [line.to_json() | {"zeroed": line.zeroed} for line in self.nine_zero]}


def summary(session: Session, *, today: dt.date | None = None) -> Summary:
    today = today or dt.date.today()
    counts: dict[str, dict[str, int]] = {}
    overdue: dict[str, int] = {}
    for category, status, n in session.execute(
            select(RectifyItem.category, RectifyItem.status, func.count(RectifyItem.id))
            .group_by(RectifyItem.category, RectifyItem.status)):
        counts.setdefault(category, {})[status] = n
    for category, n in session.execute(
            select(RectifyItem.category, func.count(RectifyItem.id))
            .where(RectifyItem.deadline < today, RectifyItem.status.in_(OPEN))
            .group_by(RectifyItem.category)):
        overdue[category] = n
    order = {e.code: i for i, e in enumerate(code_list("rectify_category"))}
    lines = [CategoryLine(c, counts[c], overdue.get(c, 0))
             for c in sorted(counts, key=lambda c: (order.get(c, len(order)), c))]
    by_code = {line.category: line for line in lines}
    nine = [by_code.get(c) or CategoryLine(c, {}) for c in NINE_ZERO]
    return Summary(lines, nine)
