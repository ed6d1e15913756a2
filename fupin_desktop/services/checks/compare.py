"""比对: other departments' lists of people checked against the registry by ID number.

A clerk imports a list (财政供养人员, 车辆登记, 商品房, 工商注册, 村干部及亲属, 死亡人员,
参保人员, 低保特困) from any .xlsx/.xls/.csv the way the household import reads files
(``sheets.readers`` + ``sheets.headers``: title rows, merged headers, GBK CSV). The ID
column is found by its header (身份证号 / 证件号码 / 公民身份号码 …), a name column when
there is one; every ID goes through the one normalisation (``rules.idnumber``: full-width
digits, lower-case x, 15-digit IDs) and the sheet converter's rule for IDs stored as
numbers (digits lost → the row is kept as unusable, never matched on a wrong number).

Hits are computed against the current registry each time (members 在户 of 正常 households):

* ``match`` kinds: a member whose ID is on the list (flagged when the list's name differs);
* ``coverage`` (参保人员): a member whose ID is on NO list of the kind;
* ``consistency`` (低保特困): a listed member whose household has no 低保/特困 mark, and a
  marked member whose household has nobody on the lists.

A list is kept per (kind, source file); importing it again replaces its rows in the same
transaction and bumps its version. Marks (已核实 + note) are keyed by kind + ID and so
survive every re-import.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from fupin_desktop import audit
from fupin_desktop.errors import UserError
from fupin_desktop.models import ComparisonList, ComparisonMark, ComparisonRow, Household, Member
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE, MEMBER_PRESENT
from fupin_desktop.models.region import code_prefix
from fupin_desktop.rules.idnumber import IdNumberError, validate_id
from fupin_desktop.rules.text import normalize_text, text_key
from fupin_desktop.services.household_import import _is_skippable, _json_value
from fupin_desktop.services.household_sheet import HOUSEHOLD_SCHEMA
from fupin_desktop.sheets.headers import HeaderBlock, detect_header, header_key
from fupin_desktop.sheets.readers import SheetData, SheetReadError, fill_merged, open_workbook
from fupin_desktop.sheets.schema import CellError, Field, Schema, convert_value

__all__ = [
    "LIST_KINDS",
    "ComparisonHit",
    "ListImport",
    "ListKind",
    "ListSummary",
    "ParsedList",
    "UnusableRow",
    "comparison_hits",
    "comparison_lists",
    "delete_list",
    "import_list",
    "list_kind",
    "mark_hit",
    "read_list",
    "unmark_hit",
    "unusable_rows",
]


@dataclass(frozen=True)
class ListKind:
    key: str  # what the CLI takes and the database stores
    label: str  # shown to the clerk
    department: str
    mode: str  # match / coverage / consistency
    action: str  # what the clerk must do with a hit


LIST_KINDS: tuple[ListKind, ...] = (
    ListKind("财政供养人员", "财政供养人员", "财政/人社", "match",
             "核实是否为财政供养人员并说明；不符合条件的退出"),
    ListKind("车辆登记", "车辆登记", "公安交管", "match",
             "核实车辆情况（车型、用途、购置时间）并说明；不符合条件的退出"),
    ListKind("商品房", "商品房", "住建/不动产", "match",
             "核实购房情况并说明；不符合条件的退出"),
    ListKind("工商注册", "工商注册", "市场监管", "match",
             "核实经营情况并说明；不符合条件的退出"),
    ListKind("村干部", "村干部及亲属", "组织/乡镇", "match",
             "核实识别程序（评议、公示）并说明；优亲厚友的退出"),
    ListKind("死亡人员", "死亡人员（公安/民政）", "公安/民政", "match",
             "核实后登记死亡（成员自然减少）"),
    ListKind("参保人员", "参保人员（医保）", "医保", "coverage",
             "不在医保参保名单中：核实参保情况，动员参保或说明原因"),
    ListKind("低保特困", "低保/特困（民政）", "民政", "consistency",
             "核实户的低保/特困标注与民政名单是否一致"),
    # Early-warning lists (监测预警, services.risk): a hit raises a warning to verify.
    ListKind("医保大额", "医疗费用大额支出人员（医保）", "医保", "match",
             "核实医疗费用和报销后自付情况；有返贫致贫风险的纳入监测"),
    ListKind("应急受灾", "受灾人员（应急管理）", "应急管理", "match",
             "核实受灾损失；有返贫致贫风险的纳入监测"),
)
_KINDS = {k.key: k for k in LIST_KINDS}
_KIND_ALIASES = {text_key(t): k.key for k in LIST_KINDS for t in (k.key, k.label)} | {
    text_key("村干部及亲属"): "村干部", text_key("低保/特困"): "低保特困", text_key("医保"): "参保人员",
    text_key("死亡"): "死亡人员", text_key("车辆"): "车辆登记", text_key("工商"): "工商注册",
    text_key("财政供养"): "财政供养人员", text_key("大额医疗费用"): "医保大额", text_key("受灾人员"): "应急受灾",
}


def list_kind(text: str) -> ListKind:
    """The kind named by ``text`` (key or label); UserError listing the kinds otherwise."""
    key = _KIND_ALIASES.get(text_key(text))
    if key is None:
        known = "、".join(k.key for k in LIST_KINDS)
        raise UserError(f"比对名单类别“{text}”无法识别，应为：{known}。")
    return _KINDS[key]


# --------------------------------------------------------------------------- reading

_ID_ALIASES = (
    *HOUSEHOLD_SCHEMA.field("id_number").aliases, "身份证", "证件号", "身份证件号", "公民身份证号",
    "身份证号码(18位)", "社会保障号码", "社会保障号", "社保号", "车主身份证号", "车主身份证号码",
    "车主证件号码", "所有人证件号码", "购房人身份证号", "购房人身份证号码", "买受人证件号码",
    "法定代表人身份证号", "法定代表人证件号码", "法人身份证号", "投资人身份证号", "经营者身份证号",
    "经营者证件号码", "参保人身份证号", "死者身份证号", "死亡人员身份证号", "保障对象身份证号",
    "户主身份证号", "户主身份证号码", "户主证件号码",
)
_NAME_ALIASES = (
    "成员姓名", "人员姓名", "家庭成员姓名", "车主", "车主姓名", "所有人", "机动车所有人", "购房人",
    "购房人姓名", "买受人", "法定代表人", "法人代表", "投资人", "经营者", "经营者姓名", "参保人",
    "参保人姓名", "死者姓名", "死亡人员姓名", "保障对象", "保障对象姓名", "干部姓名", "亲属姓名",
)
_ID_FIELD = Field("id_number", "证件号码", "id", aliases=tuple(dict.fromkeys(_ID_ALIASES)))
LIST_SCHEMA = Schema("comparison", [_ID_FIELD, Field("name", "姓名", "text", aliases=_NAME_ALIASES)])
# Header words that name an ID or a name column no alias spells out.
_ID_WORDS = ("身份证", "证件号", "身份号码", "社会保障号")
_SCAN = 25


@dataclass(frozen=True)
class UnusableRow:
    row: int  # Excel row number
    value: str  # the ID cell as shown
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "value": self.value, "message": self.message}


@dataclass
class ParsedRow:
    row_no: int
    id_number: str | None
    id18: str | None
    name: str | None
    problem: str | None
    values: dict[str, Any]


@dataclass
class ParsedList:
    """A list file read and checked, without database access."""

    source: str
    sheet: str
    headers: list[str]
    id_column: str
    name_column: str | None
    rows: list[ParsedRow] = field(default_factory=list)

    @property
    def ids_valid(self) -> int:
        return sum(1 for r in self.rows if r.id18)

    @property
    def unusable(self) -> list[UnusableRow]:
        return [UnusableRow(r.row_no, r.id_number or "", r.problem) for r in self.rows if r.problem]


def _columns(header: HeaderBlock) -> tuple[int | None, int | None]:
    """(ID column, name column) of a header: by the schema's names, else by header words."""
    mapping = LIST_SCHEMA.map_columns(header)
    by_key = mapping.by_key()
    id_col, name_col = by_key.get("id_number"), by_key.get("name")
    if id_col is None:
        for column in header.columns:
            if any(word in header_key(column.joined) for word in _ID_WORDS):
                id_col = column.index
                break
    if name_col is None:
        candidates = [c for c in header.columns if c.index != id_col and "姓名" in header_key(c.joined)]
        # A 户主姓名 column names the household, not the listed person: last resort only.
        candidates.sort(key=lambda c: "户主" in c.joined)
        name_col = candidates[0].index if candidates else None
    return id_col, name_col


def _find_sheet(book) -> tuple[str, HeaderBlock, int, int | None]:
    for name in book.sheet_names:
        try:
            top = book.read(name, max_rows=_SCAN)
            header = detect_header(top, LIST_SCHEMA.knows)
        except (ValueError, SheetReadError):
            continue
        id_col, name_col = _columns(header)
        if id_col is not None:
            return name, header, id_col, name_col
    raise UserError(
        f"文件“{book.path.name}”中找不到身份证号列：表头应有“身份证号”“证件号码”或“公民身份号码”等列名。"
        "请在表头行写明身份证号列后再导入。"
    )


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.5E}" if abs(value) >= 1e15 else (str(int(value)) if value.is_integer() else str(value))
    return normalize_text(value)


def _parse_id(value: Any, column: Field = _ID_FIELD) -> tuple[str | None, str | None, str | None]:
    """(ID as text, valid 18-char ID, problem) for one ID cell; messages name ``column``."""
    try:
        text = convert_value(column, value)
    except CellError as exc:
        return _shown(value)[:40], None, str(exc)
    if not text:
        return None, None, "证件号码为空，无法比对。"
    try:
        return text[:40], validate_id(text).id18, None
    except IdNumberError as exc:
        return text[:40], None, str(exc)


def read_list(path: str | os.PathLike[str]) -> ParsedList:
    """Read a list file (see the module docstring). Raises UserError for a file that cannot
    be used at all (unreadable, no ID column)."""
    p = Path(path)
    with open_workbook(p) as book:
        sheet_name, header, id_col, name_col = _find_sheet(book)
        sheet: SheetData = book.read(sheet_name)
    fill_merged(sheet, header.data_start)
    mapped = [c.index for c in header.columns if c.parts]
    others = [(c.index, header.display(c.index)) for c in header.columns
              if c.parts and c.index not in (id_col, name_col)]
    parsed = ParsedList(
        source=p.name, sheet=sheet_name, headers=header.texts(),
        id_column=header.display(id_col), name_column=header.display(name_col) if name_col is not None else None,
    )
    identity = [id_col] if name_col is None else [id_col, name_col]
    column = replace(_ID_FIELD, label=parsed.id_column)
    for r in range(header.data_start, sheet.last_nonblank_row() + 1):
        cells = sheet.rows[r]
        raw = cells[id_col] if id_col < len(cells) else None
        # A row whose ID cell starts with digits is a person: the blank/合计/footer test is for the rest.
        if not (type(raw) is str and raw[:6].isdigit()) and _is_skippable(cells, mapped, identity):
            continue
        id_text, id18, problem = _parse_id(raw, column)
        name = normalize_text(sheet.cell(r, name_col))[:40] if name_col is not None else ""
        values = {}
        for c, label in others:
            v = sheet.cell(r, c)
            if v is not None and v != "":
                values[label] = _json_value(v)
        parsed.rows.append(ParsedRow(r + 1, id_text, id18, name or None, problem, values))
    if not parsed.rows:
        raise UserError(f"文件“{p.name}”的工作表“{sheet_name}”在表头（{header.excel_rows}）下面没有数据行。")
    return parsed


# --------------------------------------------------------------------------- hits


@dataclass(frozen=True)
class ComparisonHit:
    kind: str
    id_number: str  # the member's 18-char ID
    household_id: int
    household_no: str | None
    member_id: int
    member_no: str | None  # 人编号
    name: str  # the member's name in the registry
    region_code: str | None
    finding: str  # what the list says, in one sentence
    action: str  # what the clerk must do
    list_id: int | None = None
    source: str | None = None
    row_no: int | None = None
    list_name: str | None = None
    list_values: dict[str, Any] = field(default_factory=dict)
    name_differs: bool = False
    verified: bool = False
    note: str | None = None
    verified_by: str | None = None
    verified_at: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id_number": self.id_number, "household_no": self.household_no, "member_no": self.member_no,
            "name": self.name, "kind": self.kind, "list_name": self.list_name,
            "name_differs": self.name_differs, "source": self.source, "row": self.row_no,
            "finding": self.finding, "action": self.action, "verified": self.verified, "note": self.note,
        }


def _name_key(name: str | None) -> str:
    return normalize_text(name).replace(" ", "").replace("·", "").replace("•", "")


def _place_filter(region_code: str | None):
    if not region_code:
        return []
    return [Household.region_code.like(code_prefix(region_code) + "%")]


_MEMBER_COLUMNS = (Member.id, Member.id18, Member.name, Member.person_no, Household.id,
                   Household.household_no, Household.region_code)


def _current(stmt, region_code: str | None):
    return stmt.where(Member.status == MEMBER_PRESENT, Household.status == HOUSEHOLD_ACTIVE,
                      *_place_filter(region_code))


def _listed(session: Session, kinds: Sequence[str], list_id: int | None, region_code: str | None):
    """Rows of lists of ``kinds`` whose ID is a current member's, with that member."""
    stmt = (
        select(ComparisonList.kind, ComparisonList.id, ComparisonList.source, ComparisonRow.row_no,
               ComparisonRow.name, ComparisonRow.values, *_MEMBER_COLUMNS)
        .join(ComparisonRow, ComparisonRow.list_id == ComparisonList.id)
        .join(Member, Member.id18 == ComparisonRow.id18)
        .join(Household, Household.id == Member.household_id)
        .where(ComparisonList.kind.in_(kinds))
        .order_by(Household.household_no, Member.seq, ComparisonList.id, ComparisonRow.row_no)
    )
    if list_id is not None:
        stmt = stmt.where(ComparisonList.id == list_id)
    return session.execute(_current(stmt, region_code)).all()


def _list_hit(kind: ListKind, row, finding: str | None = None) -> ComparisonHit:
    (_k, list_id, source, row_no, list_name, values, member_id, id18, name, person_no,
     household_id, household_no, region_code) = row
    differs = bool(list_name) and _name_key(list_name) != _name_key(name)
    if finding is None:
        finding = f"{kind.label}名单（{source}第{row_no}行）有此人"
        if differs:
            finding += f"，但名单姓名为“{list_name}”，与系统姓名“{name}”不同，请先核对是否同一人"
        finding += "。"
    return ComparisonHit(
        kind=kind.key, id_number=id18, household_id=household_id, household_no=household_no,
        member_id=member_id, member_no=person_no, name=name, region_code=region_code, finding=finding,
        action=kind.action, list_id=list_id, source=source, row_no=row_no, list_name=list_name,
        list_values=dict(values or {}), name_differs=differs,
    )


def _member_hit(kind: ListKind, row, finding: str) -> ComparisonHit:
    member_id, id18, name, person_no, household_id, household_no, region_code = row
    return ComparisonHit(
        kind=kind.key, id_number=id18, household_id=household_id, household_no=household_no,
        member_id=member_id, member_no=person_no, name=name, region_code=region_code, finding=finding,
        action=kind.action,
    )


def _has_list(session: Session, kind: str) -> bool:
    return session.execute(select(exists().where(ComparisonList.kind == kind))).scalar()


def _coverage_hits(session: Session, kind: ListKind, region_code: str | None) -> list[ComparisonHit]:
    if not _has_list(session, kind.key):
        return []
    covered = (
        select(ComparisonRow.id)
        .join(ComparisonList, ComparisonList.id == ComparisonRow.list_id)
        .where(ComparisonList.kind == kind.key, ComparisonRow.id18 == Member.id18)
    )
    stmt = (
        select(*_MEMBER_COLUMNS)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id18.is_not(None), ~exists(covered))
        .order_by(Household.household_no, Member.seq)
    )
    finding = f"{kind.label}名单中没有此人。"
    return [_member_hit(kind, row, finding) for row in session.execute(_current(stmt, region_code))]


def _consistency_hits(session: Session, kind: ListKind, list_id: int | None,
                      region_code: str | None) -> list[ComparisonHit]:
    if not _has_list(session, kind.key):
        return []
    flagged = or_(Member.is_dibao.is_(True), Member.is_tekun.is_(True))
    marked_households = set(session.execute(
        _current(select(Household.id).join(Member, Member.household_id == Household.id).where(flagged),
                 region_code)
    ).scalars())
    listed = _listed(session, [kind.key], None, region_code)
    listed_households = {row[10] for row in listed}
    hits = []
    for row in listed:
        if row[10] not in marked_households and (list_id is None or row[1] == list_id):
            hit = _list_hit(kind, row)
            hits.append(replace(hit, finding=hit.finding.rstrip("。") + "，但系统中本户没有标注享受低保或特困供养。"))
    if list_id is None:
        stmt = (select(*_MEMBER_COLUMNS).join(Household, Household.id == Member.household_id)
                .where(flagged, Member.id18.is_not(None)).order_by(Household.household_no, Member.seq))
        finding = f"系统标注此人享受低保或特困供养，但{kind.label}名单中本户没有人。"
        hits += [_member_hit(kind, row, finding) for row in session.execute(_current(stmt, region_code))
                 if row[4] not in listed_households]
    return hits


def comparison_hits(session: Session, kind: str | None = None, *, list_id: int | None = None,
                    region_code: str | None = None) -> list[ComparisonHit]:
    """Hits of every list (or of one kind / one list), with the clerk's marks, ordered by
    household; one hit per kind and member."""
    if list_id is not None and kind is None:
        kind = session.get(ComparisonList, list_id).kind
    kinds = [list_kind(kind)] if kind else list(LIST_KINDS)
    hits: list[ComparisonHit] = []
    matching = [k for k in kinds if k.mode == "match"]
    if matching:
        hits += [_list_hit(_KINDS[row[0]], row)
                 for row in _listed(session, [k.key for k in matching], list_id, region_code)]
    for k in kinds:
        if k.mode == "coverage":
            hits += _coverage_hits(session, k, region_code)
        elif k.mode == "consistency":
            hits += _consistency_hits(session, k, list_id, region_code)
    marks = {(m.kind, m.id18): m for m in session.scalars(
        select(ComparisonMark).where(ComparisonMark.kind.in_([k.key for k in kinds])))}
    seen: set[tuple[str, int]] = set()
    out = []
    for hit in hits:
        if (hit.kind, hit.member_id) in seen:
            continue
        seen.add((hit.kind, hit.member_id))
        mark = marks.get((hit.kind, hit.id_number))
        if mark is not None:
            hit = replace(hit, verified=True, note=mark.note, verified_by=mark.marked_by,
                          verified_at=mark.marked_at)
        out.append(hit)
    return out


# --------------------------------------------------------------------------- lists


@dataclass
class ListImport:
    list_id: int
    kind: str
    source: str
    version: int
    rows_read: int
    ids_valid: int
    unusable: list[UnusableRow]
    hits: list[ComparisonHit]
    id_column: str
    name_column: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "list_id": self.list_id, "kind": self.kind, "source": self.source, "version": self.version,
            "rows_read": self.rows_read, "ids_valid": self.ids_valid,
            "unusable": [u.to_json() for u in self.unusable],
            "hits": [h.to_json() for h in self.hits],
        }


def import_list(session: Session, path: str | os.PathLike[str], kind: str, *, user: str,
                source: str | None = None) -> ListImport:
    """Import (or re-import) a list; its rows are replaced in the session's transaction.
    The file is read completely before anything is written (a bad file changes nothing)."""
    k = list_kind(kind)
    parsed = read_list(path)
    source = (source or parsed.source)[:260]
    now = dt.datetime.now().replace(microsecond=0)
    lst = session.scalars(select(ComparisonList).where(
        ComparisonList.kind == k.key, ComparisonList.source == source)).one_or_none()
    if lst is None:
        lst = ComparisonList(kind=k.key, source=source, version=1)
        session.add(lst)
    else:
        session.execute(delete(ComparisonRow).where(ComparisonRow.list_id == lst.id),
                        execution_options={"synchronize_session": False})
        lst.version += 1
    lst.imported_at, lst.imported_by, lst.sheet = now, user[:40], parsed.sheet[:100]
    lst.headers, lst.rows_read, lst.ids_valid = parsed.headers, len(parsed.rows), parsed.ids_valid
    session.flush()
    rows = [{"list_id": lst.id, "row_no": r.row_no, "id_number": r.id_number, "id18": r.id18,
             "name": r.name, "problem": r.problem[:500] if r.problem else None, "values": r.values}
            for r in parsed.rows]
    conn = session.connection()
    for start in range(0, len(rows), 5000):
        conn.execute(insert(ComparisonRow.__table__), rows[start:start + 5000])
    audit.record_bulk(conn, ComparisonRow.__tablename__, "bulk",
                      f"导入比对名单：{k.label} {source}（第{lst.version}版，{len(rows)}行）", user)
    return ListImport(
        list_id=lst.id, kind=k.key, source=source, version=lst.version, rows_read=len(parsed.rows),
        ids_valid=parsed.ids_valid, unusable=parsed.unusable,
        hits=comparison_hits(session, k.key, list_id=lst.id), id_column=parsed.id_column,
        name_column=parsed.name_column,
    )


@dataclass(frozen=True)
class ListSummary:
    id: int
    kind: str
    label: str
    source: str
    version: int
    imported_at: dt.datetime
    imported_by: str
    rows_read: int
    ids_valid: int
    hits: int
    verified: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "source": self.source, "version": self.version,
            "imported_at": self.imported_at.isoformat(sep=" "), "imported_by": self.imported_by,
            "rows_read": self.rows_read, "ids_valid": self.ids_valid, "hits": self.hits,
            "verified": self.verified,
        }


def comparison_lists(session: Session, hits: Sequence[ComparisonHit] | None = None) -> list[ListSummary]:
    """Every imported list with its hit counts (pass ``hits`` when already computed).
    A coverage/consistency kind's hits that come from no one row count for each of its lists."""
    if hits is None:
        hits = comparison_hits(session)
    by_list: dict[Any, list[int]] = {}
    for h in hits:
        key = h.list_id if h.list_id is not None else h.kind
        counts = by_list.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += h.verified
    out = []
    for lst in session.scalars(select(ComparisonList).order_by(ComparisonList.kind, ComparisonList.imported_at)):
        own = by_list.get(lst.id, [0, 0])
        shared = by_list.get(lst.kind, [0, 0])
        out.append(ListSummary(
            id=lst.id, kind=lst.kind, label=_KINDS[lst.kind].label if lst.kind in _KINDS else lst.kind,
            source=lst.source, version=lst.version, imported_at=lst.imported_at, imported_by=lst.imported_by,
            rows_read=lst.rows_read, ids_valid=lst.ids_valid, hits=own[0] + shared[0],
            verified=own[1] + shared[1],
        ))
    return out


def unusable_rows(session: Session, list_id: int) -> list[UnusableRow]:
    """A list's rows that could not be compared (no ID, digits lost, invalid ID)."""
    rows = session.execute(
        select(ComparisonRow.row_no, ComparisonRow.id_number, ComparisonRow.problem)
        .where(ComparisonRow.list_id == list_id, ComparisonRow.problem.is_not(None))
        .order_by(ComparisonRow.row_no)
    )
    return [UnusableRow(row_no, id_number or "", problem) for row_no, id_number, problem in rows]


def delete_list(session: Session, list_id: int) -> None:
    lst = session.get(ComparisonList, list_id)
    if lst is None:
        raise UserError("该比对名单已被删除。")
    session.execute(delete(ComparisonRow).where(ComparisonRow.list_id == list_id),
                    execution_options={"synchronize_session": False})
    session.delete(lst)
    session.flush()


def mark_hit(session: Session, kind: str, id_number: str, note: str, *, user: str) -> None:
    """Mark the hit of ``kind`` on the person ``id_number`` 已核实 with ``note`` (replaces an
    earlier mark)."""
    k = list_kind(kind)
    note = (note or "").strip()
    if not note:
        raise UserError("请填写核实情况说明（例如：已入户核实，车辆已于2023年转让）。")
    if len(note) > 500:
        raise UserError(f"核实情况说明最多500个字，实际{len(note)}个字，请缩短。")
    mark = session.scalars(select(ComparisonMark).where(
        and_(ComparisonMark.kind == k.key, ComparisonMark.id18 == id_number))).one_or_none()
    if mark is None:
        mark = ComparisonMark(kind=k.key, id18=id_number)
        session.add(mark)
    mark.note, mark.marked_by, mark.marked_at = note, user[:40], dt.datetime.now().replace(microsecond=0)
    session.flush()


def unmark_hit(session: Session, kind: str, id_number: str) -> None:
    k = list_kind(kind)
    for mark in session.scalars(select(ComparisonMark).where(
            ComparisonMark.kind == k.key, ComparisonMark.id18 == id_number)):
        session.delete(mark)
    session.flush()
