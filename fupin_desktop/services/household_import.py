"""Importing a county's household/member spreadsheet (导入户籍数据).

Three steps, each usable on its own (the UI reviews between 2 and 3; ``fupin import`` runs
them back to back):

1. :func:`read_file` — any .xlsx/.xls/.csv (services ``sheets.readers``), the header found
   among title rows and merged header rows, columns mapped (built-in national-export
   headers, a remembered :class:`ImportProfile`, or a mapping the clerk made), blank and
   合计/小计 rows skipped, merged household cells filled down, every cell converted
   (``sheets.schema``), rows grouped into households by 户编号 (else 户主证件号码, else a
   new household at each 户主 row). No database access; raises ``SheetReadError`` /
   :class:`MappingNeeded` (both ``UserError``) when the file cannot be used at all.
2. :func:`analyse` — in a session: villages resolved, households matched by 户编号 (else
   户主证件号码) and members by 证件号码 (else 人编号); every household validated with the
   shared rules (``rules.validation.validate_household`` on the database record overlaid
   with the file's values); the difference computed: new / changed (field by field) /
   unchanged households and members, and members and households in the database but not
   in the file. A member row with an error is not imported; a household whose 户主 row has
   an error, or with no or two 户主, is not imported at all.
3. :func:`commit` — one transaction: re-analyses against the database as it is now, refuses
   when that differs from what the clerk reviewed (``ConcurrentEditError``), and in strict
   mode writes nothing when any row has an error. New rows are Core bulk inserts (search
   keys from ``models.derived.member_search_keys``, household summaries recomputed in SQL);
   updates are per row with the household version checked. Nothing is deleted: members
   missing from the file stay, or — when asked — get status 自然减少 and a ChangeEvent.

Audit: bulk inserts are summarised with ``audit.record_bulk`` (one row per table naming the
file and the count; every inserted row keeps its source row in ``source_row``); every
update and status change gets its own audit row with old and new values; ChangeEvents are
audited per row too.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fupin_desktop import audit
from fupin_desktop.codes import code_list
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import AuditLog, ChangeEvent, Household, Member, Region
from fupin_desktop.models.derived import head_name_sort, id18_of, member_search_keys
from fupin_desktop.models.household import (
    HOUSEHOLD_ACTIVE,
    MEMBER_LEFT,
    MEMBER_PRESENT,
    RELATION_HEAD,
    RELATION_SPOUSE,
)
from fupin_desktop.rules.idnumber import IdNumberError, validate_id
from fupin_desktop.rules.text import text_key
from fupin_desktop.rules.validation import FIELD_LABELS, validate_household
from fupin_desktop.services.bulk import SqliteBulkLoad
from fupin_desktop.services.household_sheet import (
    HOUSEHOLD_ATTR,
    HOUSEHOLD_KEYS,
    HOUSEHOLD_SCHEMA,
    MEMBER_KEYS,
)
from fupin_desktop.sheets import profiles
from fupin_desktop.sheets.diff import FieldChange, diff_values
from fupin_desktop.sheets.error_report import Issue, write_error_report
from fupin_desktop.sheets.headers import HeaderBlock, detect_header
from fupin_desktop.sheets.readers import SheetData, SheetReadError, fill_merged, is_blank, open_workbook
from fupin_desktop.sheets.schema import CellError, ColumnMapping

log = logging.getLogger(__name__)

__all__ = [
    "PROFILE_KIND",
    "ImportPlan",
    "ImportResult",
    "MappingNeeded",
    "ParsedFile",
    "RowError",
    "analyse",
    "commit",
    "import_households",
    "read_file",
    "write_errors",
]

PROFILE_KIND = "households"
ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

CHANGE_NATURAL_INCREASE = "03"  # change_type 自然增加
CHANGE_NATURAL_DECREASE = "04"  # change_type 自然减少
MIN_KNOWN_HEADERS = 3
_CHUNK = 500
_BULK_ROWS = 5000  # SQLite: from this many new rows on, indexes are rebuilt instead of kept
_SUMMARY_WORDS = ("合计", "小计", "总计", "累计", "总数")
_FOOTER_PREFIXES = ("填表人", "制表人", "审核人", "填报人", "负责人", "单位负责人", "填报单位", "注:", "注：",
                    "说明:", "说明：", "备注:", "备注：", "填表说明", "填表日期")
_MEMBER_LABELS = {**FIELD_LABELS, **{f.key: f.label for f in HOUSEHOLD_SCHEMA if f.group == "member"}}
_HOUSEHOLD_LABELS = {f.key: f.label for f in HOUSEHOLD_SCHEMA if f.group != "member"}
_HOUSEHOLD_LABELS["region_code"] = "所在村"
# validate_household names household fields by model attribute; map back to schema keys.
_ATTR_TO_HOUSEHOLD_KEY = {v: k for k, v in HOUSEHOLD_ATTR.items()}


def _without_gc(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func`` with the cyclic garbage collector paused. An import builds a few hundred
    thousand dicts and lists, none of them in reference cycles; with the collector running,
    its full passes over all of them cost a third of the time at 50 000 rows."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


class MappingNeeded(UserError):
    """The columns cannot be recognised well enough to import: the clerk must map them.

    ``headers`` are the detected header texts; ``mapping`` the partial automatic mapping.
    """

    def __init__(self, message: str, parsed_header: HeaderBlock | None, mapping: ColumnMapping | None,
                 sheet_name: str | None = None):
        super().__init__(message)
        self.header = parsed_header
        self.mapping = mapping
        self.sheet_name = sheet_name


# ============================================================================ step 1: file


@dataclass
class RowError:
    """One finding on a sheet row. ``row`` is 0-based; :meth:`to_json` gives Excel's row."""

    row: int
    col: int | None
    column: str
    value: Any
    message: str
    severity: str = "error"

    @property
    def excel_row(self) -> int:
        return self.row + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.excel_row,
            "column": self.column,
            "value": _json_value(self.value),
            "message": self.message,
        }


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


@dataclass
class MemberIn:
    row: int
    values: dict[str, Any]  # member field key → converted value (only mapped columns + derived)
    bad: bool = False  # a cell on this row could not be converted
    id18: str | None = None


@dataclass
class HouseholdIn:
    key: str  # grouping key as in the file
    key_kind: str  # household_no / head_id / sequence
    rows: list[int] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # household + region field key → value
    value_rows: dict[str, int] = field(default_factory=dict)  # field key → row it came from
    members: list[MemberIn] = field(default_factory=list)
    row_values: list[tuple[int, bool, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ParsedFile:
    path: Path
    format: str
    encoding: str | None
    sheet_names: list[str]
    sheet: SheetData
    header: HeaderBlock
    mapping: ColumnMapping
    households: list[HouseholdIn]
    errors: list[RowError]
    rows_read: int
    rows_skipped: int
    skipped_rows: list[int]

    @property
    def sheet_name(self) -> str:
        return self.sheet.name

    def column_label(self, col: int | None, key: str | None = None) -> str:
        if col is not None:
            return self.header.display(col)
        if key is not None:
            if key in HOUSEHOLD_SCHEMA:
                return HOUSEHOLD_SCHEMA.field(key).label
            return _MEMBER_LABELS.get(key, key)
        return ""

    def header_texts(self) -> list[str]:
        return self.header.texts()


def _choose_sheet(book, sheet: str | None) -> tuple[SheetData | None, str]:
    if sheet is not None:
        return None, sheet
    if len(book.sheet_names) == 1:
        return None, book.sheet_names[0]
    best, best_known = book.sheet_names[0], -1
    for name in book.sheet_names:
        try:
            top = book.read(name, max_rows=25)
            header = detect_header(top, HOUSEHOLD_SCHEMA.knows)
        except (ValueError, SheetReadError):
            continue
        known = sum(1 for c in header.columns if HOUSEHOLD_SCHEMA.match(c.keys))
        if known > best_known:
            best, best_known = name, known
    return None, best


def _is_skippable(cells: Sequence[Any], mapped: Sequence[int], identity: Sequence[int]) -> bool:
    """Blank rows, 合计/小计 rows and footer notes (填表人：…) are skipped."""
    width = len(cells)
    has_identity = False
    for c in identity:
        if c < width:
            v = cells[c]
            if v is not None and v != "" and not (type(v) is str and not v.strip()):
                has_identity = True
                break
    if not has_identity and all(is_blank(cells[c]) for c in mapped if c < width):
        return True
    seen = 0
    for v in cells[:6]:
        if type(v) is not str or not v.strip():
            continue
        t = text_key(v)
        if any(word in t for word in _SUMMARY_WORDS) or (not has_identity and t.startswith(_FOOTER_PREFIXES)):
            return True
        seen += 1
        if seen == 3:
            break
    return False


@_without_gc
def read_file(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    overrides: dict[str, str | None] | None = None,
    profile_lookup: Callable[[list[str]], dict[str, str | None] | None] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ParsedFile:
    """Step 1 (see module docstring). ``overrides`` maps header texts to field keys (a
    mapping the clerk made); ``profile_lookup(headers)`` returns a remembered mapping.

    Raises ``SheetReadError`` (unreadable file), ``MappingNeeded`` (columns not
    recognised: 姓名, 证件号码 and 与户主关系 are needed) or ``UserError`` (cancelled).
    """
    p = Path(path)
    if progress:
        progress(0, 0, "正在读取文件…")
    with open_workbook(p) as book:
        _, name = _choose_sheet(book, sheet)
        data = book.read(name)
        fmt, encoding, names = book.format, book.encoding, list(book.sheet_names)
    if cancel and cancel():
        raise UserError("已取消导入，数据库未改动。")
    if data.last_nonblank_row() < 0:
        raise SheetReadError(f"工作表“{data.name}”是空的，没有可导入的数据。")
    try:
        header = detect_header(data, HOUSEHOLD_SCHEMA.knows)
    except ValueError:
        raise SheetReadError(f"工作表“{data.name}”前15行里找不到表头。") from None

    if overrides is None and profile_lookup is not None:
        overrides = profile_lookup(header.texts())
    mapping = HOUSEHOLD_SCHEMA.map_columns(header, overrides)
    if overrides is not None and mapping.source == "manual" and profile_lookup is not None:
        mapping.source = "profile"
    if mapping.missing_required or len(mapping.columns) < MIN_KNOWN_HEADERS:
        labels = "、".join(HOUSEHOLD_SCHEMA.field(k).label for k in mapping.missing_required)
        shown = "、".join(t for t in header.texts() if t)[:200]
        raise MappingNeeded(
            f"工作表“{data.name}”的表头（{header.excel_rows}：{shown}）中找不到"
            f"{labels or '足够的已知列'}。请在程序的“导入导出”中打开该文件，"
            "按提示指定各列对应的项目（只需指定一次，以后相同表头的文件会自动识别）。",
            header,
            mapping,
            data.name,
        )

    fill_merged(data, first_row=header.data_start)
    last = data.last_nonblank_row()
    by_key = mapping.by_key()
    mapped_cols = list(mapping.columns)
    converter = HOUSEHOLD_SCHEMA.converter()
    member_cols = [(c, k) for c, k in mapping.columns.items() if HOUSEHOLD_SCHEMA.field(k).group == "member"]
    household_cols = [(c, k) for c, k in mapping.columns.items() if HOUSEHOLD_SCHEMA.field(k).group != "member"]
    identity_cols = [by_key[k] for k in ("name", "id_number") if k in by_key]
    hh_no_col = by_key.get("household_no")
    head_id_col = by_key.get("head_id_number")
    relation_col = by_key.get("relation")

    errors: list[RowError] = []
    skipped: list[int] = []
    households: dict[str, HouseholdIn] = {}
    order: list[HouseholdIn] = []
    current: HouseholdIn | None = None
    seq = 0
    rows = data.rows
    total = last - header.data_start + 1

    data_rows: list[int] = []
    id_col = by_key.get("id_number")
    for r in range(header.data_start, last + 1):
        cells = rows[r]
        if id_col is not None and id_col < len(cells) and type(cells[id_col]) is str and cells[id_col].strip():
            data_rows.append(r)  # a row with an ID number is a member row, never a 合计 row
        elif _is_skippable(cells, mapped_cols, identity_cols):
            skipped.append(r)
        else:
            data_rows.append(r)
    if cancel and cancel():
        raise UserError("已取消导入，数据库未改动。")

    # Column by column (the sheet transposed once): each distinct value (codes, 是/否,
    # village names) is converted once.
    width = max(mapped_cols) + 1
    table = [row if len(row) >= width else list(row) + [None] * (width - len(row))
             for row in (rows[r] for r in data_rows)]
    columns = list(zip(*table)) if table else [() for _ in range(width)]
    del table
    converted: dict[str, list[Any]] = {}
    bad_rows: set[int] = set()
    for n, (c, k) in enumerate(mapping.columns.items()):
        raw = columns[c] if columns else ()
        values, bad = converter.convert_column(k, raw)
        converted[k] = values
        for i, message in bad.items():
            r = data_rows[i]
            bad_rows.add(r)
            errors.append(RowError(r, c, header.display(c), raw[i], message))
        if progress:
            progress(n, len(mapping.columns), "正在检查表格内容…")
        if cancel and (n & 7) == 0 and cancel():
            raise UserError("已取消导入，数据库未改动。")
    errors.sort(key=lambda e: (e.row, e.col))
    member_keys = [k for _c, k in member_cols]
    household_keys = [k for _c, k in household_cols]
    member_columns = [converted[k] for k in member_keys]
    household_columns = [converted[k] for k in household_keys]

    for i, r in enumerate(data_rows):
        mvalues = dict(zip(member_keys, [col[i] for col in member_columns], strict=True))
        hvalues = {k: col[i] for k, col in zip(household_keys, household_columns, strict=True)
                   if col[i] is not None}

        # Which household does this row belong to?
        key_kind = "sequence"
        key: str | None = None
        if hh_no_col is not None:
            key_kind = "household_no"
            key = hvalues.get("household_no")
        if key is None and head_id_col is not None and hh_no_col is None:
            key_kind = "head_id"
            raw_id = hvalues.get("head_id_number")
            key = id18_of(raw_id) or raw_id
        if key is None:
            starts = hh_no_col is None and head_id_col is None and mvalues.get("relation") == RELATION_HEAD
            if current is None or starts:
                seq += 1
                key, key_kind = f"#{seq}", "sequence"
            else:
                key, key_kind = current.key, current.key_kind
        hh = households.get(key)
        if hh is None:
            hh = HouseholdIn(key=key, key_kind=key_kind)
            households[key] = hh
            order.append(hh)
        current = hh
        hh.rows.append(r)
        hh.row_values.append((r, mvalues.get("relation") == RELATION_HEAD, hvalues))
        member = MemberIn(r, mvalues, r in bad_rows)
        _derive_from_id(member)
        hh.members.append(member)

    for hh in order:
        # The 户主 row's household values win; other rows fill what it left blank.
        for r, _is_head, hvalues in sorted(hh.row_values, key=lambda x: not x[1]):
            for k, v in hvalues.items():
                if k not in hh.values:
                    hh.values[k] = v
                    hh.value_rows[k] = r
        hh.row_values = []
    if progress:
        progress(total, total, "表格读取完毕")
    return ParsedFile(
        path=p,
        format=fmt,
        encoding=encoding,
        sheet_names=names,
        sheet=data,
        header=header,
        mapping=mapping,
        households=order,
        errors=errors,
        rows_read=max(total, 0),
        rows_skipped=len(skipped),
        skipped_rows=skipped,
    )


def _derive_from_id(member: MemberIn) -> None:
    """Fill 性别/出生日期 from a valid ID when the file leaves them blank (recoverable)."""
    values = member.values
    raw = values.get("id_number")
    if not raw:
        return
    if values.get("sex") is not None and values.get("birth_date") is not None:
        # Nothing to fill; the validation rules check the ID itself.
        if len(raw) in (18, 20) and raw[:17].isdigit():
            member.id18 = raw[:18]
        else:
            member.id18 = id18_of(raw)
        return
    try:
        info = validate_id(raw)
    except IdNumberError:
        member.id18 = id18_of(raw)
        return
    values["id_number"] = info.normalized
    member.id18 = info.id18
    if values.get("sex") is None:
        values["sex"] = info.sex
    if values.get("birth_date") is None:
        values["birth_date"] = info.birth_date


# ============================================================================ step 2: plan


@dataclass
class MemberPlan:
    row: int
    existing_id: int | None
    status: str  # new / changed / unchanged / skipped
    values: dict[str, Any]
    changes: list[FieldChange] = field(default_factory=list)
    moved_from: int | None = None  # household id the member moves from


@dataclass
class HouseholdPlan:
    source: HouseholdIn
    existing_id: int | None
    existing_version: int | None
    status: str  # new / changed / unchanged / skipped
    values: dict[str, Any]  # household attribute → value (model names)
    changes: list[FieldChange] = field(default_factory=list)
    members: list[MemberPlan] = field(default_factory=list)
    missing_members: list[dict[str, Any]] = field(default_factory=list)  # id, name, id18, relation
    head_row: int | None = None

    @property
    def label(self) -> str:
        head = next((m for m in self.members if m.values.get("relation") == RELATION_HEAD), None)
        name = head.values.get("name") if head else None
        no = self.values.get("household_no")
        return f"{name or '（无户主）'}（户编号 {no}）" if no else f"{name or '（无户主）'}"

    @property
    def member_changes(self) -> bool:
        return any(m.status in ("new", "changed") for m in self.members)


@dataclass
class ImportPlan:
    parsed: ParsedFile
    households: list[HouseholdPlan]
    errors: list[RowError]
    warnings: list[RowError]
    notes: list[RowError]  # rows not imported because of another row of their household
    missing_households: list[dict[str, Any]]
    record_missing: bool
    ref_date: dt.date
    db_digest: str = ""

    def count(self, status: str) -> int:
        return sum(1 for h in self.households if h.status == status)

    def member_count(self, status: str) -> int:
        return sum(1 for h in self.households if h.status != "skipped" for m in h.members if m.status == status)

    @property
    def members_missing(self) -> int:
        return sum(len(h.missing_members) for h in self.households if h.status != "skipped")

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.parsed.rows_read,
            "rows_skipped": self.parsed.rows_skipped,
            "households_created": self.count("new"),
            "households_updated": self.count("changed"),
            "households_unchanged": self.count("unchanged"),
            "households_missing": len(self.missing_households),
            "households_skipped": self.count("skipped"),
            "members_created": self.member_count("new"),
            "members_updated": self.member_count("changed"),
            "members_unchanged": self.member_count("unchanged"),
            "members_missing": self.members_missing,
            "members_skipped": sum(
                1 for h in self.households for m in h.members if m.status == "skipped" or h.status == "skipped"
            ),
        }

    @property
    def has_changes(self) -> bool:
        c = self.counts()
        return bool(c["households_created"] or c["households_updated"] or c["members_created"]
                    or c["members_updated"] or (self.record_missing and c["members_missing"]))

    def fingerprint(self) -> str:
        """A digest of the database records this plan was computed from (matched households
        with their versions, their members' values, current holders of the file's IDs and the
        households of the same villages). Equal fingerprints: nothing relevant changed."""
        return self.db_digest

    def issues(self) -> list[Issue]:
        out = [Issue(e.row, e.col, e.message, "error") for e in self.errors]
        out += [Issue(e.row, e.col, "（提示）" + e.message, "warning") for e in self.warnings]
        out += [Issue(e.row, None, e.message, "note") for e in self.notes]
        return out


@dataclass
class _Regions:
    codes: dict[str, tuple[str, str, str]]  # village code → (village, township, county) names
    by_names: dict[tuple[str, str], list[str]]  # (township key, village key) → codes
    by_village: dict[str, list[str]]
    by_county: dict[tuple[str, str, str], list[str]]


def _load_regions(session: Session) -> _Regions:
    rows = session.execute(select(Region.code, Region.name, Region.level, Region.parent_code)).all()
    by_code = {r.code: r for r in rows}
    villages = [r for r in rows if r.level == "village"]
    codes: dict[str, tuple[str, str, str]] = {}
    by_names: dict[tuple[str, str], list[str]] = {}
    by_village: dict[str, list[str]] = {}
    by_county: dict[tuple[str, str, str], list[str]] = {}
    for v in villages:
        town = by_code.get(v.parent_code) if v.parent_code else None
        county = by_code.get(town.parent_code) if town is not None and town.parent_code else None
        tname = town.name if town else ""
        cname = county.name if county else ""
        codes[v.code] = (v.name, tname, cname)
        by_names.setdefault((_place_key(tname), _place_key(v.name)), []).append(v.code)
        by_village.setdefault(_place_key(v.name), []).append(v.code)
        by_county.setdefault((_place_key(cname), _place_key(tname), _place_key(v.name)), []).append(v.code)
    return _Regions(codes, by_names, by_village, by_county)


def _place_key(name: str | None) -> str:
    key = text_key(name or "")
    # "新寨村" = "新寨村委会" = "新寨村民委员会"; "城关镇" = "城关"
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会", "社区"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)] + ("村" if suffix.startswith("村") else "")
            break
    return key


def _resolve_region(hh: HouseholdIn, regions: _Regions) -> tuple[str | None, str | None]:
    """(village code, error message)."""
    v = hh.values
    code = v.get("region_code")
    if code:
        if code in regions.codes:
            return code, None
        return None, (
            f"行政区划代码“{code}”不是本系统中的村级区划。请核对代码，或先在系统中添加该村。"
        )
    village = v.get("village_name")
    if not village:
        return None, None
    vk, tk, ck = _place_key(village), _place_key(v.get("township_name")), _place_key(v.get("county_name"))
    candidates: list[str] = []
    if tk and ck:
        candidates = regions.by_county.get((ck, tk, vk), [])
    if not candidates and tk:
        candidates = regions.by_names.get((tk, vk), [])
    if not candidates and not tk:
        candidates = regions.by_village.get(vk, [])
    if len(candidates) == 1:
        return candidates[0], None
    where = "".join(x for x in (v.get("township_name"), village) if x)
    if not candidates:
        return None, f"所在村“{where}”在本系统的行政区划中找不到。请核对乡镇和村的名称，或先在系统中添加该村。"
    return None, f"村名“{village}”在本系统中有{len(candidates)}个同名村，请在表格中填写乡（镇）名称或行政区划代码。"


_HH_ATTRS = [HOUSEHOLD_ATTR.get(k, k) for k in HOUSEHOLD_KEYS]
_HH_COLUMNS = [Household.id, Household.version, Household.household_no, Household.head_id18,
               Household.status] + [getattr(Household, a) for a in _HH_ATTRS if a not in ("household_no",)]
_M_COLUMNS = [Member.id, Member.household_id, Member.id18, Member.seq, Member.status] + [
    getattr(Member, k) for k in MEMBER_KEYS if k not in ("id18",)
]


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@_without_gc
def analyse(
    session: Session,
    parsed: ParsedFile,
    *,
    record_missing: bool = False,
    ref_date: dt.date | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportPlan:
    """Step 2 (see module docstring). ``record_missing``: members of households in the file
    that the file no longer lists will be recorded as 自然减少 on commit (then a new 户主 may
    replace one who left). Reads only; never writes."""
    ref_date = ref_date or dt.date.today()
    regions = _load_regions(session)
    mapped = set(parsed.mapping.columns.values())
    hh_keys_in_file = [k for k in HOUSEHOLD_KEYS if k in mapped and k != "region_code"]
    region_in_file = "region_code" in mapped or "village_name" in mapped
    member_keys_in_file = [k for k in MEMBER_KEYS if k in mapped]
    col_of = parsed.mapping.by_key()

    # --- existing households ----------------------------------------------------------
    nos = sorted({h.key for h in parsed.households if h.key_kind == "household_no"})
    head_ids: set[str] = set()
    for h in parsed.households:
        if h.key_kind == "head_id":
            head_ids.add(h.key)
        elif h.key_kind == "sequence":
            for m in h.members:
                if m.values.get("relation") == RELATION_HEAD and m.id18:
                    head_ids.add(m.id18)
    existing_by_no: dict[str, Any] = {}
    existing_by_head: dict[str, Any] = {}
    for chunk in _chunks(nos):
        for row in session.execute(select(*_HH_COLUMNS).where(Household.household_no.in_(chunk))):
            existing_by_no[row.household_no] = row
    for chunk in _chunks(sorted(head_ids)):
        for row in session.execute(select(*_HH_COLUMNS).where(Household.head_id18.in_(chunk))):
            existing_by_head.setdefault(row.head_id18, row)

    matched: dict[int, Any] = {}
    hh_match: list[Any] = []
    for h in parsed.households:
        row = None
        if h.key_kind == "household_no":
            row = existing_by_no.get(h.key)
        elif h.key_kind == "head_id":
            row = existing_by_head.get(h.key)
        else:
            head = next((m for m in h.members if m.values.get("relation") == RELATION_HEAD and m.id18), None)
            row = existing_by_head.get(head.id18) if head else None
        if row is not None and row.id in matched:
            row = None  # two file households claim one database household; the first wins
        if row is not None:
            matched[row.id] = row
        hh_match.append(row)

    # --- existing members of matched households, and every current holder of file IDs ----
    members_by_hh: dict[int, list[Any]] = {}
    for chunk in _chunks(sorted(matched)):
        for row in session.execute(
            select(*_M_COLUMNS).where(Member.household_id.in_(chunk), Member.status == MEMBER_PRESENT)
        ):
            members_by_hh.setdefault(row.household_id, []).append(row)
    file_ids = sorted({m.id18 for h in parsed.households for m in h.members if m.id18})
    holders: dict[str, Any] = {}
    for chunk in _chunks(file_ids):
        q = (
            select(*_M_COLUMNS, Household.household_no.label("holder_no"), Household.head_name.label("holder_head"))
            .join(Household, Household.id == Member.household_id)
            .where(Member.id18.in_(chunk), Member.status == MEMBER_PRESENT)
        )
        for row in session.execute(q):
            holders[row.id18] = row
    hh_ids_in_file = set(matched)
    digest = hashlib.sha256()
    for hid in sorted(matched):
        digest.update(repr(tuple(matched[hid])).encode())
        for row in sorted(members_by_hh.get(hid, []), key=lambda x: x.id):
            digest.update(repr(tuple(row)).encode())
    for key in sorted(holders):
        digest.update(repr(tuple(holders[key])).encode())

    # --- per household: merge, validate, diff -------------------------------------------
    errors: list[RowError] = list(parsed.errors)
    error_cells = {(e.row, e.col) for e in parsed.errors}
    warnings: list[RowError] = []
    notes: list[RowError] = []
    plans: list[HouseholdPlan] = []
    seen_ids: dict[str, int] = {}  # id18 → first row in the file
    claimed_members: set[int] = set()
    regions_seen: set[str] = set()
    total = len(parsed.households)

    def add_error(row: int, key: str | None, message: str, severity: str = "error") -> None:
        col = col_of.get(key) if key else None
        value = parsed.sheet.cell(row, col) if col is not None else None
        err = RowError(row, col, parsed.column_label(col, key), value, message, severity)
        if severity == "error":
            if (row, col) in error_cells and col is not None:
                return
            error_cells.add((row, col))
            errors.append(err)
        else:
            warnings.append(err)

    for index, (h, existing) in enumerate(zip(parsed.households, hh_match, strict=True)):
        if cancel and (index & 255) == 0 and cancel():
            raise UserError("已取消导入，数据库未改动。")
        if progress and (index & 1023) == 0:
            progress(index, total, "正在核对数据库…")
        head_members = [m for m in h.members if m.values.get("relation") == RELATION_HEAD]
        head_row = head_members[0].row if head_members else h.rows[0]
        bad_rows = {m.row for m in h.members if m.bad}

        # Household values: database record overlaid with the file.
        hvals: dict[str, Any] = {}
        if existing is not None:
            for k in HOUSEHOLD_KEYS:
                hvals[k] = getattr(existing, HOUSEHOLD_ATTR.get(k, k))
        for k in hh_keys_in_file:
            hvals[k] = h.values.get(k)
        if region_in_file and (h.values.get("region_code") or h.values.get("village_name")):
            code, problem = _resolve_region(h, regions)
            if problem:
                key = "region_code" if h.values.get("region_code") else "village_name"
                add_error(h.value_rows.get(key, head_row), key, problem)
                bad_rows.add(head_row)
            elif code:
                hvals["region_code"] = code
        if existing is None and not hvals.get("region_code"):
            if not region_in_file:
                add_error(head_row, None, "新增的户需要所在村：表格中没有“村”或“行政区划代码”列，请补充后再导入。")
            else:
                add_error(head_row, "village_name", "所在村未填写，请填写乡（镇）和村名称或行政区划代码。")
            bad_rows.add(head_row)

        if hvals.get("region_code"):
            regions_seen.add(hvals["region_code"])

        # Members: match within the household, then anywhere (a move between households).
        existing_members = members_by_hh.get(existing.id, []) if existing is not None else []
        by_id18 = {m.id18: m for m in existing_members if m.id18}
        by_person = {m.person_no: m for m in existing_members if m.person_no}
        mplans: list[MemberPlan] = []
        validation_members = []
        for m in h.members:
            row_match = None
            moved_from = None
            if m.id18 and m.id18 in by_id18:
                row_match = by_id18[m.id18]
            elif m.values.get("person_no") and m.values["person_no"] in by_person:
                row_match = by_person[m.values["person_no"]]
            elif m.id18 and m.id18 in holders:
                holder = holders[m.id18]
                if holder.household_id in hh_ids_in_file and (existing is None or holder.household_id != existing.id):
                    row_match = holder
                    moved_from = holder.household_id
                elif existing is None or holder.household_id != existing.id:
                    add_error(
                        m.row, "id_number",
                        f"证件号码{m.id18}在系统中已登记在户编号{holder.holder_no or '（无）'}"
                        f"（户主{holder.holder_head or '未知'}）中，该户不在本文件里。"
                        "如属分户或迁移，请先在“户籍管理”中办理，或把原户一并导入。",
                    )
                    bad_rows.add(m.row)
            if row_match is not None and row_match.id in claimed_members:
                row_match = None
            if row_match is not None:
                claimed_members.add(row_match.id)
            if m.id18:
                if m.id18 in seen_ids and seen_ids[m.id18] != m.row:
                    add_error(
                        m.row, "id_number",
                        f"证件号码{m.id18}与本表第{seen_ids[m.id18] + 1}行重复，同一证件号码只能登记一人，请核对。",
                    )
                    bad_rows.add(m.row)
                else:
                    seen_ids.setdefault(m.id18, m.row)
            # The file's values over the database record, in the member's own dict (one
            # dict per member: at 50 000 rows a second copy costs ~100 MB).
            merged = m.values
            if row_match is not None:
                for k in MEMBER_KEYS:
                    if k not in merged or (merged[k] is None and k not in member_keys_in_file):
                        merged[k] = getattr(row_match, k)
            merged["status"] = MEMBER_PRESENT
            mplans.append(MemberPlan(m.row, row_match.id if row_match is not None else None, "new", merged,
                                     moved_from=moved_from))
            validation_members.append(SimpleNamespace(**merged))

        file_member_ids = {mp.existing_id for mp in mplans if mp.existing_id is not None}
        missing = [
            {"id": em.id, "name": em.name, "id18": em.id18, "relation": em.relation, "household_id": em.household_id}
            for em in existing_members
            if em.id not in file_member_ids
        ]

        household_ns = SimpleNamespace(**{HOUSEHOLD_ATTR.get(k, k): v for k, v in hvals.items()})
        problems = validate_household(household_ns, validation_members, ref_date=ref_date)
        # Sex and birth date come from the ID when blank: with a bad ID, say only that.
        id_rows = {mplans[p.member_index].row for p in problems
                   if p.member_index is not None and p.field == "id_number"}
        id_rows |= {e.row for e in parsed.errors if e.col is not None and e.col == col_of.get("id_number")}
        problems = [p for p in problems if not (
            p.member_index is not None and mplans[p.member_index].row in id_rows
            and p.rule in ("member.sex_required", "member.birth_required"))]
        blocked_household = False
        for p in problems:
            if p.member_index is not None:
                row = mplans[p.member_index].row
                key = p.field
            else:
                row = head_row
                key = _ATTR_TO_HOUSEHOLD_KEY.get(p.field, p.field)
                if key == "relation" and p.rule == "household.no_head":
                    blocked_household = True
                    row = h.rows[0]
            if key == "phone" and p.member_index is None:
                key = "household_phone"
            if p.severity != "error":
                add_error(row, key, p.message, "warning")
                continue
            if p.rule == "household.two_heads":
                blocked_household = True
            add_error(row, key, p.message)
            bad_rows.add(row)

        # A new 户主 while the old one stays in the household would make two.
        if not record_missing:
            old_heads = [x for x in missing if x["relation"] == RELATION_HEAD]
            if old_heads and head_members:
                add_error(
                    head_row, "relation",
                    f"本户户主在文件中为{head_members[0].values.get('name')}，但系统中的原户主"
                    f"{old_heads[0]['name']}不在文件中且仍登记在户。请在导入时选择“把文件中没有的成员登记为"
                    "自然减少”，或先在户籍管理中办理户主变更。",
                )
                bad_rows.add(head_row)

        skipped_household = blocked_household or head_row in bad_rows or not head_members
        hp = HouseholdPlan(
            source=h,
            existing_id=existing.id if existing is not None else None,
            existing_version=existing.version if existing is not None else None,
            status="skipped",
            values={},
            head_row=head_row,
        )
        hp.members = mplans
        if skipped_household:
            culprits = sorted(r for r in bad_rows if r in h.rows) or [h.rows[0]]
            shown = "、".join(f"第{r + 1}行" for r in culprits[:5])
            for m in mplans:
                m.status = "skipped"
                if m.row not in bad_rows:
                    notes.append(RowError(m.row, None, "", None,
                                          f"本户未导入：同户{shown}有错误（户主或户的信息），请先改正。"))
            plans.append(hp)
            continue

        # Diff household fields.
        hp.values = {k: hvals.get(k) for k in HOUSEHOLD_KEYS}
        changed_keys = list(hh_keys_in_file) + (["region_code"] if "region_code" in hvals else [])
        if existing is None:
            hp.status = "new"
        else:
            old = {k: getattr(existing, HOUSEHOLD_ATTR.get(k, k)) for k in HOUSEHOLD_KEYS}
            hp.changes = diff_values(old, {k: hvals.get(k) for k in changed_keys}, changed_keys, _HOUSEHOLD_LABELS)
        for mp, m in zip(mplans, h.members, strict=True):
            if mp.row in bad_rows:
                mp.status = "skipped"
                continue
            if mp.existing_id is None:
                mp.status = "new"
                continue
            old_row = holders.get(m.id18) if mp.moved_from else None
            if old_row is None:
                old_row = next(em for em in existing_members if em.id == mp.existing_id)
            old = {k: getattr(old_row, k) for k in MEMBER_KEYS}
            keys = [k for k in MEMBER_KEYS if k in member_keys_in_file or m.values.get(k) is not None]
            mp.changes = diff_values(old, {k: mp.values.get(k) for k in keys}, keys, _MEMBER_LABELS)
            if mp.moved_from:
                mp.changes.insert(0, FieldChange("household_id", "所属户", old_row.holder_no or mp.moved_from,
                                                 hvals.get("household_no") or h.key))
            mp.status = "changed" if mp.changes else "unchanged"
        hp.missing_members = missing
        if existing is not None:
            hp.status = "changed" if (hp.changes or hp.member_changes
                                      or (record_missing and missing)) else "unchanged"
        plans.append(hp)

    # Missing members of households not in the file but whose members moved into the file
    # are counted with their own household below (households_missing), not here.
    regions_touched = sorted(regions_seen)
    matched_ids = set(matched)
    missing_households: list[dict[str, Any]] = []
    for chunk in _chunks(regions_touched):
        q = select(Household.id, Household.household_no, Household.head_name, Household.region_code,
                   Household.member_count).where(
            Household.region_code.in_(chunk), Household.status == HOUSEHOLD_ACTIVE
        )
        for row in session.execute(q):
            if row.id not in matched_ids:
                missing_households.append(dict(row._mapping))
    missing_households.sort(key=lambda x: (x["region_code"], x["household_no"] or "", x["id"]))
    digest.update(repr(regions_touched).encode())
    digest.update(repr([tuple(sorted(x.items())) for x in missing_households]).encode())
    errors.sort(key=lambda e: (e.row, e.col if e.col is not None else -1))
    warnings.sort(key=lambda e: (e.row, e.col if e.col is not None else -1))
    if progress:
        progress(total, total, "核对完毕")
    return ImportPlan(parsed, plans, errors, warnings, notes, missing_households, record_missing, ref_date,
                      digest.hexdigest())


# ============================================================================ step 3: write


@dataclass
class ImportResult:
    counts: dict[str, int]
    errors: list[RowError]
    warnings: list[RowError]
    committed: bool
    dry_run: bool
    strict_refused: bool = False
    error_report: Path | None = None
    seconds: float = 0.0
    file: str = ""
    sheet: str = ""
    changed_households: list[tuple[str, list[str]]] = field(default_factory=list)
    plan: ImportPlan | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        keys = ("rows_read", "rows_skipped", "households_created", "households_updated",
                "households_unchanged", "households_missing", "members_created", "members_updated",
                "members_unchanged", "members_missing")
        out: dict[str, Any] = {k: self.counts.get(k, 0) for k in keys}
        out["households_skipped"] = self.counts.get("households_skipped", 0)
        out["members_skipped"] = self.counts.get("members_skipped", 0)
        out["members_recorded_left"] = self.counts.get("members_recorded_left", 0)
        out["errors"] = [e.to_json() for e in self.errors]
        out["warnings"] = [e.to_json() for e in self.warnings]
        out["committed"] = self.committed
        out["dry_run"] = self.dry_run
        out["strict_refused"] = self.strict_refused
        out["file"] = self.file
        out["sheet"] = self.sheet
        out["error_report"] = str(self.error_report) if self.error_report else None
        return out


def _result(plan: ImportPlan, *, committed: bool, dry_run: bool, strict_refused: bool = False,
            recorded_left: int = 0) -> ImportResult:
    counts = plan.counts()
    counts["members_recorded_left"] = recorded_left
    changed = [
        (hp.label, [c.describe() for c in hp.changes]
         + [f"{m.values.get('name')}：" + "；".join(c.describe() for c in m.changes)
            for m in hp.members if m.status == "changed"])
        for hp in plan.households if hp.status == "changed"
    ]
    return ImportResult(
        counts=counts,
        errors=plan.errors,
        warnings=plan.warnings,
        committed=committed,
        dry_run=dry_run,
        strict_refused=strict_refused,
        file=str(plan.parsed.path),
        sheet=plan.parsed.sheet_name,
        changed_households=changed,
        plan=plan,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _source_row(parsed: ParsedFile, row: int) -> dict[str, Any]:
    """The row as it came from the sheet: header text → cell value (blank cells left out)."""
    names = parsed.__dict__.get("_source_names")
    if names is None:
        # Header text per column position (None: a column without a header cell).
        width = max((c.index for c in parsed.header.columns), default=-1) + 1
        names = [None] * width
        for c in parsed.header.columns:
            names[c.index] = c.joined or f"col{c.index + 1}"
        parsed.__dict__["_source_names"] = names
    out: dict[str, Any] = {"_row": row + 1}
    for name, v in zip(names, parsed.sheet.rows[row]):
        if v is None or name is None:
            continue
        if type(v) is str:
            if v and not v.isspace():
                out[name] = v
        elif v != "":
            out[name] = _json_value(v)
    return out


def _insert_rows(conn: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in order.

    SQLite: ids are assigned here (the caller already holds the write lock, so nobody else
    can take them) and the rows go in with one plain executemany — SQLAlchemy would send
    one statement per row to keep RETURNING in order. Other databases: a batched
    INSERT … RETURNING in parameter order."""
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        start = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(start, start + len(rows)))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        conn.execute(insert(table), rows)
        return ids
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, rows)]


@_without_gc
def commit(
    db: Any,
    parsed: ParsedFile,
    *,
    strict: bool = False,
    record_missing: bool = False,
    left_reason: str | None = None,
    left_on: dt.date | None = None,
    expected_fingerprint: str | None = None,
    ref_date: dt.date | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportResult:
    """Step 3 (see module docstring): write the plan in one transaction.

    ``record_missing`` with ``left_reason`` (a change_reason code of the 减少 direction) and
    ``left_on`` marks members the file no longer lists as 自然减少 with a ChangeEvent.
    ``expected_fingerprint`` is :meth:`ImportPlan.fingerprint` of the reviewed plan.

    Raises ``ConcurrentEditError`` when the database changed since the review,
    ``UserError`` when cancelled (nothing written) or for a bad reason code.
    """
    ref_date = ref_date or dt.date.today()
    left_on = left_on or ref_date
    if record_missing:
        if not left_reason:
            raise UserError("把成员登记为自然减少时必须选择减少原因。")
        entry = code_list("change_reason").get(left_reason)
        if entry is None or entry.parent != "decrease":
            raise UserError(f"减少原因代码“{left_reason}”无效，请从“死亡、婚出、迁出……”中选择。")
    note = f"导入 {parsed.path.name}"
    started = time.perf_counter()
    try:
        with db.session(note=note) as session:
            user = audit.current_user(session)
            plan = analyse(session, parsed, record_missing=record_missing, ref_date=ref_date,
                           progress=progress, cancel=cancel)
            if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
                raise ConcurrentEditError(
                    "在您核对期间，数据库中的相关农户已被修改（可能是其他人在录入）。"
                    "为避免覆盖别人的修改，本次没有导入。请重新打开文件核对后再导入。"
                )
            if strict and plan.errors:
                return _result(plan, committed=False, dry_run=False, strict_refused=True)
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")
            recorded = _write(session, plan, user=user, note=note, left_reason=left_reason,
                              left_on=left_on, progress=progress, cancel=cancel)
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")
    except IntegrityError as exc:
        log.exception("import rejected by the database")
        raise UserError(
            "导入时数据库拒绝了写入（数据之间有冲突，例如同一证件号码登记在两户）。本次没有导入任何数据。"
            f"请把这个文件和以下信息发给维护人员：{str(exc.orig)[:160]}"
        ) from exc
    result = _result(plan, committed=True, dry_run=False, recorded_left=recorded)
    result.seconds = time.perf_counter() - started
    return result


def _household_row(values: dict[str, Any]) -> dict[str, Any]:
    return {HOUSEHOLD_ATTR.get(k, k): values.get(k) for k in HOUSEHOLD_KEYS}


_MEMBER_WRITE_KEYS = [k for k in MEMBER_KEYS]


def _write(session: Session, plan: ImportPlan, *, user: str, note: str, left_reason: str | None,
           left_on: dt.date, progress: ProgressFn | None, cancel: CancelFn | None) -> int:
    conn = session.connection()
    now = dt.datetime.now()
    month = f"{plan.ref_date:%Y-%m}"
    audit_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    touched: set[int] = set()
    parsed = plan.parsed

    def audit_row(table: str, action: str, key: Any, old: dict | None, new: dict | None) -> None:
        audit_rows.append({"at": now, "user": user, "action": action, "table_name": table,
                           "row_key": str(key), "old_values": old, "new_values": new, "note": note})

    # Next member seq of registered households that gain members (read while the indexes
    # are still there).
    mtable = Member.__table__
    next_seq: dict[int, int] = {}
    existing_hh = [hp.existing_id for hp in plan.households
                   if hp.status == "changed" and any(m.status == "new" for m in hp.members)]
    for chunk in _chunks(existing_hh):
        for hid, top in conn.execute(
            select(mtable.c.household_id, func.max(mtable.c.seq)).where(mtable.c.household_id.in_(chunk))
            .group_by(mtable.c.household_id)
        ):
            next_seq[hid] = (top or 0) + 1

    # 1. New households (ids come back in parameter order).
    new_hh = [hp for hp in plan.households if hp.status == "new"]
    new_rows = len(new_hh) + sum(1 for hp in plan.households if hp.status != "skipped"
                                 for m in hp.members if m.status == "new")
    if new_hh:
        # The summary row first: on SQLite this write takes the database's write lock.
        audit.record_bulk(conn, "households", "insert", f"{note}：新增 {len(new_hh)} 户", user)
    bulk: SqliteBulkLoad | None = None
    if conn.dialect.name == "sqlite" and new_rows > _BULK_ROWS:
        bulk = SqliteBulkLoad(conn, [Household.__table__, Member.__table__], cache_kib=16384)
    if new_hh:
        rows = []
        for hp in new_hh:
            row = _household_row(hp.values)
            row.update(version=1, source_row=_source_row(parsed, hp.head_row or hp.source.rows[0]),
                       member_count=0, status=HOUSEHOLD_ACTIVE, record_valid=True)
            rows.append(row)
        for chunk_plans, chunk_rows in zip(_chunks(new_hh, 5000), _chunks(rows, 5000), strict=True):
            ids = _insert_rows(conn, Household.__table__, list(chunk_rows))
            for hp, new_id in zip(chunk_plans, ids, strict=True):
                hp.existing_id = new_id
                touched.add(new_id)
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")

    # 2. Household updates, version checked (a stale plan never overwrites).
    for hp in plan.households:
        if hp.status != "changed":
            continue
        values = {HOUSEHOLD_ATTR.get(c.key, c.key): c.new for c in hp.changes}
        stmt = (
            update(Household.__table__)
            .where(Household.__table__.c.id == hp.existing_id,
                   Household.__table__.c.version == hp.existing_version)
            .values(**values, version=Household.__table__.c.version + 1, updated_at=now)
        )
        if conn.execute(stmt).rowcount != 1:
            raise ConcurrentEditError(
                f"农户{hp.label}在导入过程中被其他人修改了，本次没有导入任何数据。请重新导入。"
            )
        touched.add(hp.existing_id)  # type: ignore[arg-type]
        if hp.changes:
            audit_row("households", "update", hp.existing_id,
                      {HOUSEHOLD_ATTR.get(c.key, c.key): _jsonable(c.old) for c in hp.changes},
                      {HOUSEHOLD_ATTR.get(c.key, c.key): _jsonable(c.new) for c in hp.changes})

    # 3. Members the file no longer lists → 自然减少 (before anything takes their place).
    recorded = 0
    if plan.record_missing:
        mtable = Member.__table__
        for hp in plan.households:
            if hp.status == "skipped":
                continue
            for miss in hp.missing_members:
                conn.execute(
                    update(mtable).where(mtable.c.id == miss["id"])
                    .values(status=MEMBER_LEFT, left_on=left_on, left_reason=left_reason, updated_at=now)
                )
                audit_row("members", "update", miss["id"], {"status": MEMBER_PRESENT},
                          {"status": MEMBER_LEFT, "left_on": left_on.isoformat(), "left_reason": left_reason})
                events.append({"household_id": hp.existing_id, "member_id": miss["id"],
                               "type": CHANGE_NATURAL_DECREASE, "reason": left_reason,
                               "effective_date": left_on, "reported_month": month, "recorded_by": user,
                               "note": f"{note}：文件中没有该成员", "details": None})
                recorded += 1

    # 4. Member updates: anyone stepping down from 户主 first, new 户主 last.
    mtable = Member.__table__
    updates = [(hp, mp) for hp in plan.households if hp.status != "skipped" for mp in hp.members
               if mp.status == "changed"]
    updates.sort(key=lambda x: any(c.key == "relation" and c.new == RELATION_HEAD for c in x[1].changes))
    for hp, mp in updates:
        values: dict[str, Any] = {}
        old: dict[str, Any] = {}
        for c in mp.changes:
            if c.key == "household_id":
                values["household_id"] = hp.existing_id
                old["household_id"] = mp.moved_from
                touched.add(mp.moved_from)  # type: ignore[arg-type]
            else:
                values[c.key] = c.new
                old[c.key] = _jsonable(c.old)
        if "name" in values or "id_number" in values:
            values.update(member_search_keys(mp.values.get("name"), mp.values.get("id_number")))
        values["source_row"] = _source_row(parsed, mp.row)
        values["updated_at"] = now
        conn.execute(update(mtable).where(mtable.c.id == mp.existing_id).values(**values))
        audit_row("members", "update", mp.existing_id, old,
                  {k: _jsonable(v) for k, v in values.items() if k not in ("source_row", "updated_at")})
        touched.add(hp.existing_id)  # type: ignore[arg-type]

    # 5. New members (in file order; 户主 first within each household).
    if cancel and cancel():
        raise UserError("已取消导入，数据库未改动。")
    # Rows are built chunk by chunk: 50 000 dicts with their source rows at once would
    # double the import's peak memory.
    pending: list[tuple[HouseholdPlan, MemberPlan, int]] = []
    for hp in plan.households:
        if hp.status == "skipped":
            continue
        members = [m for m in hp.members if m.status == "new"]
        if not members:
            continue
        members.sort(key=lambda m: (m.values.get("relation") != RELATION_HEAD,
                                    m.values.get("relation") != RELATION_SPOUSE))
        seq = next_seq.get(hp.existing_id, 1)  # type: ignore[arg-type]
        for m in members:
            pending.append((hp, m, seq))
            seq += 1
        touched.add(hp.existing_id)  # type: ignore[arg-type]
    if pending:
        audit.record_bulk(conn, "members", "insert", f"{note}：新增 {len(pending)} 人", user)
        done = 0
        for chunk in _chunks(pending, 5000):
            rows = []
            for hp, m, seq in chunk:
                row = {k: m.values.get(k) for k in _MEMBER_WRITE_KEYS}
                row.update(member_search_keys(row.get("name"), row.get("id_number")))
                row.update(household_id=hp.existing_id, seq=seq, status=MEMBER_PRESENT,
                           source_row=_source_row(parsed, m.row))
                rows.append(row)
            ids = _insert_rows(conn, mtable, rows)
            for (hp, _m, _seq), new_id in zip(chunk, ids, strict=True):
                if hp.status == "changed":  # a new member of a household already registered
                    events.append({"household_id": hp.existing_id, "member_id": new_id,
                                   "type": CHANGE_NATURAL_INCREASE, "reason": None,
                                   "effective_date": plan.ref_date, "reported_month": month,
                                   "recorded_by": user, "note": f"{note}：文件中新增的成员", "details": None})
            done += len(chunk)
            if progress:
                progress(done, len(pending), "正在写入家庭成员…")
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")

    if bulk is not None:
        bulk.finish()

    # 6. Change events (audited per row), then the household list summaries.
    if events:
        etable = ChangeEvent.__table__
        event_ids = _insert_rows(conn, etable, events)
        for eid, ev in zip(event_ids, events, strict=True):
            audit_row("change_events", "insert", eid, None, {k: _jsonable(v) for k, v in ev.items()})
    _refresh_summaries(conn, sorted(touched))
    if audit_rows:
        for chunk in _chunks(audit_rows, 2000):
            conn.execute(insert(AuditLog.__table__), list(chunk))
    return recorded


def _refresh_summaries(conn: Any, household_ids: list[int]) -> None:
    """户主姓名 (and its pinyin sort key) / 户主证件号码 / 人数 recomputed from current members
    (models.derived's rule); the stored data-check result is cleared."""
    h, m = Household.__table__, Member.__table__
    head = and_(m.c.household_id == h.c.id, m.c.relation == RELATION_HEAD, m.c.status == MEMBER_PRESENT)
    stmt = (
        update(h)
        .where(h.c.id.in_(bindparam("ids", expanding=True)))
        .values(
            head_name=select(m.c.name).where(head).order_by(m.c.id).limit(1).scalar_subquery(),
            head_id18=select(m.c.id18).where(head).order_by(m.c.id).limit(1).scalar_subquery(),
            member_count=select(func.count()).where(m.c.household_id == h.c.id,
                                                    m.c.status == MEMBER_PRESENT).scalar_subquery(),
            # Not checked since this bulk write: services.registry.recheck_households
            # picks it up for the 「有数据错误」 filter.
            error_count=None,
        )
    )
    # The pinyin sort key of the (possibly new) 户主 name is computed in Python.
    names = select(h.c.id, h.c.head_name).where(h.c.id.in_(bindparam("ids", expanding=True)))
    set_key = update(h).where(h.c.id == bindparam("hid")).values(head_name_sort=bindparam("key"))
    for chunk in _chunks(household_ids, 900):
        conn.execute(stmt, {"ids": list(chunk)})
        keys = [{"hid": hid, "key": head_name_sort(name)}
                for hid, name in conn.execute(names, {"ids": list(chunk)})]
        if keys:
            conn.execute(set_key, keys)


# ============================================================================ convenience


def write_errors(plan: ImportPlan, path: str | os.PathLike[str]) -> Path:
    """The error report (copy of the clerk's sheet, bad cells red, 错误说明 column)."""
    return write_error_report(plan.parsed.sheet, plan.parsed.header, plan.issues(), path)


def profile_lookup_for(db: Any) -> Callable[[list[str]], dict[str, str | None] | None]:
    def lookup(headers: list[str]) -> dict[str, str | None] | None:
        with db.session() as session:
            return profiles.find_profile(session, PROFILE_KIND, headers)

    return lookup


def import_households(
    db: Any,
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    errors_out: str | os.PathLike[str] | None = None,
    overrides: dict[str, str | None] | None = None,
    record_missing: bool = False,
    left_reason: str | None = None,
    ref_date: dt.date | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportResult:
    """Read, check and (unless ``dry_run``) commit a file in one go — what ``fupin import
    households`` runs. Writes the error report to ``errors_out`` when given and there is
    anything to report. Raises like :func:`read_file` and :func:`commit`."""
    started = time.perf_counter()
    parsed = read_file(path, sheet=sheet, overrides=overrides,
                       profile_lookup=None if overrides else profile_lookup_for(db),
                       progress=progress, cancel=cancel)
    if dry_run:
        with db.session() as session:
            plan = analyse(session, parsed, record_missing=record_missing, ref_date=ref_date,
                           progress=progress, cancel=cancel)
            session.rollback()
        result = _result(plan, committed=False, dry_run=True)
    else:
        result = commit(db, parsed, strict=strict, record_missing=record_missing, left_reason=left_reason,
                        ref_date=ref_date, progress=progress, cancel=cancel)
    if errors_out is not None and (result.errors or result.warnings) and result.plan is not None:
        result.error_report = write_errors(result.plan, errors_out)
    result.seconds = time.perf_counter() - started
    return result
