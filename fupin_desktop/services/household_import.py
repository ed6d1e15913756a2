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
2. :func:`analyse` — in a session: places resolved with ``services.regions.RegionResolver``
   (行政区划代码, else 县/乡（镇）/村 names in their usual spellings, else a 户编号 that starts
   with a village code; database first, then the national list — regions the database lacks
   are listed, and created on commit only when asked), households matched by 户编号 (else
   户主证件号码) and members by 证件号码 (else 人编号); every household validated with the
   shared rules (``rules.validation.validate_household`` on the database record overlaid
   with the file's values); the difference computed: new / changed (field by field) /
   unchanged households and members, and members and households in the database but not
   in the file. A member row with an error is not imported; a household whose 户主 row has
   an error, or with no or two 户主, is not imported at all.
   Only cells are checked, not the file's choice of columns: the rules get the fields the
   file has no column for (``absent``), and their blanks are reported once per column
   (``ImportPlan.columns_absent``), not on every row; an update keeps the stored values.
3. :func:`commit` — one transaction (refused when its 报告月份 is reported and locked,
   ``services.reports.ensure_month_open``): creates the regions the plan lists when asked,
   re-analyses against the database as it is now, refuses
   when that differs from what the clerk reviewed (``ConcurrentEditError``), and in strict
   mode writes nothing when any row has an error. New rows are Core bulk inserts (on
   SQLite one executemany of tuples per table and chunk; search keys from
   ``models.derived.member_search_keys``; a new household's list summary written with it,
   those of changed households recomputed in SQL); updates are per row with the household
   version checked. Nothing is deleted: members missing from the file stay, or — when
   asked — get status 自然减少 and a ChangeEvent.

Speed (bench/bench_import.py, 50 000 members): the sheet is converted column by column,
each distinct value once (``sheets.schema.Converter``); existing households and members
are read once, with Core, only for the households the file names (or in one pass when the
file covers most of the table); an unchanged member is recognised by comparing its values
as one tuple before any field-by-field difference; the rules read each member's own dict
(``validate_household_values``); the cyclic garbage collector is paused meanwhile.

Audit: bulk inserts are summarised with ``audit.record_bulk`` (one row per table naming the
file and the count; every household and member written points at its sheet row, kept
in ``source_rows`` under the import's ``import_batches`` row); every
update and status change gets its own audit row with old and new values; ChangeEvents are
audited per row too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fupin_desktop import audit
from fupin_desktop.codes import code_list, parse_bool
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import AuditLog, ChangeEvent, Household, ImportBatch, Member, SourceRow
from fupin_desktop.models.derived import head_name_sort, id18_of, member_search_keys
from fupin_desktop.models.household import (
    HOUSEHOLD_ACTIVE,
    MEMBER_LEFT,
    MEMBER_PRESENT,
    RELATION_HEAD,
    RELATION_SPOUSE,
)
from fupin_desktop.models.region import code_prefix
from fupin_desktop.rules import names as name_rules
from fupin_desktop.rules.idnumber import IdNumberError, validate_id
from fupin_desktop.rules.text import text_key
from fupin_desktop.rules.validation import FIELD_LABELS, MEMBER_FIELDS, PENDING_RULE, validate_household_values
from fupin_desktop.services.bulk import SqliteBulkLoad, fast_null_binding, gc_paused
from fupin_desktop.services.household_sheet import (
    HOUSEHOLD_ATTR,
    HOUSEHOLD_KEYS,
    HOUSEHOLD_SCHEMA,
    MEMBER_KEYS,
)
from fupin_desktop.services.regions import LEVEL_LABELS, MissingRegion, RegionResolver
from fupin_desktop.services.regions import create_regions as create_region_rows
from fupin_desktop.sheets import profiles
from fupin_desktop.sheets.diff import FieldChange, diff_values
from fupin_desktop.sheets.error_report import Issue, write_error_report
from fupin_desktop.sheets.headers import HeaderBlock, detect_header
from fupin_desktop.sheets.readers import SheetData, SheetReadError, fill_merged, is_blank, open_workbook
from fupin_desktop.sheets.schema import ColumnMapping

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
REASON_BIRTH = "11"  # change_reason 出生
REASON_OTHER_INCREASE = "19"  # change_reason 其他增加
MIN_KNOWN_HEADERS = 3
_CHUNK = 500
_BULK_ROWS = 5000  # SQLite: from this many new rows on, indexes are rebuilt instead of kept
_SUMMARY_WORDS = ("合计", "小计", "总计", "累计", "总数")
_FOOTER_PREFIXES = ("填表人", "制表人", "审核人", "填报人", "负责人", "单位负责人", "填报单位", "注:", "注：",
                    "说明:", "说明：", "备注:", "备注：", "填表说明", "填表日期")
_MEMBER_LABELS = {**FIELD_LABELS, **{f.key: f.label for f in HOUSEHOLD_SCHEMA if f.group == "member"}}
_HOUSEHOLD_LABELS = {f.key: f.label for f in HOUSEHOLD_SCHEMA if f.group != "member"}
_HOUSEHOLD_LABELS["region_code"] = "所在村"
_CODE_LISTS = {f.key: f.code_list for f in HOUSEHOLD_SCHEMA if f.code_list}  # changes shown as labels
# validate_household names household fields by model attribute; map back to schema keys.
_ATTR_TO_HOUSEHOLD_KEY = {v: k for k, v in HOUSEHOLD_ATTR.items()}


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


@dataclass(slots=True)
class MemberIn:
    row: int
    values: dict[str, Any]  # member field key → converted value (only mapped columns + derived)
    bad: bool = False  # a cell on this row could not be converted
    id18: str | None = None


@dataclass(slots=True)
class HouseholdIn:
    key: str  # grouping key as in the file
    key_kind: str  # household_no / head_id / sequence
    rows: list[int] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # household + region field key → value
    value_rows: dict[str, int] = field(default_factory=dict)  # field key → row it came from
    members: list[MemberIn] = field(default_factory=list)
    # While reading: the rows' positions among the data rows (a 户主 row's as -1 - position).
    positions: list[int] = field(default_factory=list)


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


def _warm_up(for_commit: bool) -> None:
    """What the checks (code lists) and a commit (pinyin initials of names) will need,
    loaded ahead: run on a second thread while the main one waits for the file's parse."""
    try:
        for f in HOUSEHOLD_SCHEMA:
            if f.code_list:
                code_list(f.code_list)
        parse_bool("是")
        if for_commit:
            name_rules.warm_up()
    except Exception:  # noqa: BLE001 - only a head start; the import loads all this itself
        log.debug("warm-up failed", exc_info=True)


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


@gc_paused()
def read_file(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    overrides: dict[str, str | None] | None = None,
    profile_lookup: Callable[[list[str]], dict[str, str | None] | None] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    prepare_commit: bool = True,
) -> ParsedFile:
    """Step 1 (see module docstring). ``overrides`` maps header texts to field keys (a
    mapping the clerk made); ``profile_lookup(headers)`` returns a remembered mapping.
    ``prepare_commit``: also get the pinyin tables a commit needs ready (on a second
    thread, while the spreadsheet library parses the file without holding the GIL).

    Raises ``SheetReadError`` (unreadable file), ``MappingNeeded`` (columns not
    recognised: 姓名, 证件号码 and 与户主关系 are needed) or ``UserError`` (cancelled).
    """
    p = Path(path)
    if progress:
        progress(0, 0, "正在读取文件…")
    with open_workbook(p) as book:
        _, name = _choose_sheet(book, sheet)
        threading.Thread(target=_warm_up, args=(prepare_commit,), name="import-warm-up", daemon=True).start()
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

    by_key = mapping.by_key()
    mapped_cols = list(mapping.columns)
    width = max(mapped_cols) + 1
    converter = HOUSEHOLD_SCHEMA.converter()
    member_cols = [(c, k) for c, k in mapping.columns.items() if HOUSEHOLD_SCHEMA.field(k).group == "member"]
    household_cols = [(c, k) for c, k in mapping.columns.items() if HOUSEHOLD_SCHEMA.field(k).group != "member"]
    member_keys = [k for _c, k in member_cols]
    identity_cols = [by_key[k] for k in ("name", "id_number") if k in by_key]
    id_col = by_key.get("id_number")
    hh_no_col = by_key.get("household_no")
    head_id_col = by_key.get("head_id_number")
    by_sequence = hh_no_col is None and head_id_col is None
    data_start = header.data_start

    errors: list[RowError] = []
    skipped: list[int] = []
    grid = data.rows
    fill_merged(data, first_row=data_start)
    last = data.last_nonblank_row()
    total = last - data_start + 1

    data_rows: list[int] = []
    for r in range(data_start, last + 1):
        cells = grid[r]
        if id_col is not None and id_col < len(cells) and type(cells[id_col]) is str and cells[id_col].strip():
            data_rows.append(r)  # a row with an ID number is a member row, never a 合计 row
        elif _is_skippable(cells, mapped_cols, identity_cols):
            skipped.append(r)
        else:
            data_rows.append(r)
    if cancel and cancel():
        raise UserError("已取消导入，数据库未改动。")

    # Column by column (the data rows transposed once): each distinct value (codes, 是/否,
    # village names) is converted once.
    converted: dict[str, list[Any]] = {}
    if data_rows:
        table = list(map(grid.__getitem__, data_rows))
        if min(map(len, table)) < width:
            table = [row if len(row) >= width else list(row) + [None] * (width - len(row)) for row in table]
        columns = list(zip(*table))  # as long as the shortest row: every mapped column
        del table
    else:
        columns = [()] * width
    for n, (c, k) in enumerate(mapping.columns.items()):
        raw = columns[c]
        values, bad = converter.convert_column(k, raw)
        converted[k] = values
        for i, message in bad.items():
            errors.append(RowError(data_rows[i], c, header.display(c), raw[i], message))
        if progress:
            progress(n, len(mapping.columns), "正在检查表格内容…")
        if cancel and (n & 7) == 0 and cancel():
            raise UserError("已取消导入，数据库未改动。")
    del columns
    errors.sort(key=lambda e: (e.row, e.col))
    bad_rows = {e.row for e in errors}

    # Rows into households: by 户编号, else 户主证件号码, else a new household at each 户主
    # row (rows without a key belong to the household above them).
    households: dict[str, HouseholdIn] = {}
    order: list[HouseholdIn] = []
    current: HouseholdIn | None = None
    seq = 0
    none = [None] * len(data_rows)
    no_values = converted["household_no"] if hh_no_col is not None else None
    head_id_values = converted["head_id_number"] if hh_no_col is None and head_id_col is not None else None
    relations = converted.get("relation", none)
    ids = converted.get("id_number", none)
    # Rows carrying 证件号码, 性别 and 出生日期 need nothing derived from the ID.
    complete = [s is not None and b is not None for s, b in zip(converted.get("sex", none),
                                                               converted.get("birth_date", none))]
    member_rows = zip(*[converted[k] for k in member_keys]) if member_keys else repeat(())
    member_dicts = map(dict, map(zip, repeat(member_keys), member_rows))
    for i, (r, values) in enumerate(zip(data_rows, member_dicts)):
        is_head = relations[i] == RELATION_HEAD
        if no_values is not None:
            key, key_kind = no_values[i], "household_no"
        elif head_id_values is not None and (raw_id := head_id_values[i]) is not None:
            key, key_kind = id18_of(raw_id) or raw_id, "head_id"
        else:
            key = None
        if key is None:
            if current is None or (by_sequence and is_head):
                seq += 1
                key, key_kind = f"#{seq}", "sequence"
            else:
                key, key_kind = current.key, current.key_kind
        hh = households.get(key)
        if hh is None:
            hh = households[key] = HouseholdIn(key=key, key_kind=key_kind)
            order.append(hh)
        current = hh
        hh.rows.append(r)
        hh.positions.append(-i - 1 if is_head else i)
        raw = ids[i]
        if raw and complete[i] and len(raw) in (18, 20) and raw[:17].isdigit():
            member = MemberIn(r, values, r in bad_rows, raw[:18])
        else:
            member = MemberIn(r, values, r in bad_rows)
            _derive_from_id(member)
        hh.members.append(member)

    # Household values: the 户主 row's win; other rows fill what it left blank.
    household_columns = [(k, converted[k]) for _c, k in household_cols]
    for hh in order:
        positions = hh.positions
        if any(x < 0 for x in positions):
            ordered = [-x - 1 for x in positions if x < 0] + [x for x in positions if x >= 0]
        else:
            ordered = positions
        hv, hr = hh.values, hh.value_rows
        for k, col in household_columns:
            for i in ordered:
                v = col[i]
                if v is not None:
                    hv[k] = v
                    hr[k] = data_rows[i]
                    break
        hh.positions = []
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


@dataclass(slots=True)
class MemberPlan:
    row: int
    existing_id: int | None
    status: str  # new / changed / unchanged / skipped
    values: dict[str, Any]
    # A tuple until there is a change (50 000 empty lists would only slow the collector).
    changes: Sequence[FieldChange] = ()
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
    month: str = ""  # 报告月份 of the changes the import records
    # Regions the file's places need and the database lacks (parents first), with the
    # households each one takes; created on commit when ``create_regions``.
    regions_missing: list[MissingRegion] = field(default_factory=list)
    create_regions: bool = False
    # Fields the file has no column for whose blanks the data check lists as 待补充:
    # (schema key, header label, households affected), in column order.
    columns_absent: list[tuple[str, str, int]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for h in self.households if h.status == status)

    def regions_json(self) -> list[dict[str, str]]:
        return [{"code": r.code, "name": r.name, "level": r.level} for r in self.regions_missing]

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


_H = Household.__table__
_M = Member.__table__
_HH_ATTRS = [HOUSEHOLD_ATTR.get(k, k) for k in HOUSEHOLD_KEYS]
# Existing households: (id, version, household_no, head_id18, status, then HOUSEHOLD_KEYS).
_HH_COLUMNS = [_H.c.id, _H.c.version, _H.c.household_no, _H.c.head_id18, _H.c.status] + [
    _H.c[a] for a in _HH_ATTRS]
_HH_AT = {k: 5 + j for j, k in enumerate(HOUSEHOLD_KEYS)}  # schema key → position in a row
# Existing members: (id, household_id, id18, seq, status, then MEMBER_KEYS) — what matching,
# the merge with the file and the difference read.
_M_COLUMNS = [_M.c.id, _M.c.household_id, _M.c.id18, _M.c.seq, _M.c.status] + [_M.c[k] for k in MEMBER_KEYS]
_M_ID, _M_HH, _M_ID18 = 0, 1, 2
_M_AT = {k: 5 + j for j, k in enumerate(MEMBER_KEYS)}
_M_KEYS = slice(5, 5 + len(MEMBER_KEYS))


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _rows_with(conn: Any, stmt: Any, column: Any, at: int, keys: Sequence[Any], table_rows: int) -> Iterable[Any]:
    """The rows of ``stmt`` whose ``column`` (position ``at`` in a row) is one of ``keys``:
    IN lists of a few hundred keys (one compiled statement with an expanding parameter) —
    or, when the keys are many compared with the table's ``table_rows``, one pass over all
    of ``stmt``'s rows, kept here when their key is wanted."""
    if not keys or not table_rows:
        return
    if len(keys) * 4 >= table_rows:
        wanted = set(keys)
        for row in conn.execute(stmt.where(column.is_not(None))):
            if row[at] in wanted:
                yield row
        return
    stmt = stmt.where(column.in_(bindparam("keys", expanding=True)))
    for chunk in _chunks(keys):
        yield from conn.execute(stmt, {"keys": list(chunk)})


@gc_paused()
def analyse(
    session: Session,
    parsed: ParsedFile,
    *,
    record_missing: bool = False,
    ref_date: dt.date | None = None,
    month: str | None = None,
    create_regions: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportPlan:
    """Step 2 (see module docstring). ``record_missing``: members of households in the file
    that the file no longer lists will be recorded as 自然减少 on commit (then a new 户主 may
    replace one who left). ``month``: the 报告月份 of the changes (default: this month).
    ``create_regions``: places the database lacks (services.regions resolves them from the
    national list, or gives a 本地编码) are accepted and created on commit; otherwise their
    rows are errors. Reads only; never writes."""
    month, ref_date = _month_and_date(month, ref_date)
    today = dt.date.today()
    conn = session.connection()
    resolver = RegionResolver(session)
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
    households_in_db = conn.execute(select(func.count()).select_from(_H)).scalar() or 0
    for row in _rows_with(conn, select(*_HH_COLUMNS), _H.c.household_no, 2, nos, households_in_db):
        existing_by_no[row[2]] = row
    # (Two households under one 户主: the one registered first.)
    by_head = select(*_HH_COLUMNS).order_by(_H.c.id)
    for row in _rows_with(conn, by_head, _H.c.head_id18, 3, sorted(head_ids), households_in_db):
        existing_by_head.setdefault(row[3], row)

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
        if row is not None and row[0] in matched:
            row = None  # two file households claim one database household; the first wins
        if row is not None:
            matched[row[0]] = row
        hh_match.append(row)

    # --- existing members: those of matched households, read once; for the file's other
    # IDs, only who holds them now (a member registered in a household not in the file).
    members_by_hh: dict[int, list[tuple[Any, ...]]] = {}
    members_in_db = (conn.execute(select(func.count()).select_from(_M)).scalar() or 0) if households_in_db else 0
    of_households = select(*_M_COLUMNS).where(_M.c.status == MEMBER_PRESENT)
    for row in _rows_with(conn, of_households, _M.c.household_id, _M_HH, sorted(matched),
                          households_in_db):
        members_by_hh.setdefault(row[_M_HH], []).append(tuple(row))
    present_by_id18 = {row[_M_ID18]: row for rows in members_by_hh.values() for row in rows if row[_M_ID18]}
    others = sorted({m.id18 for h in parsed.households for m in h.members
                     if m.id18 and m.id18 not in present_by_id18})
    holders: dict[str, tuple[Any, ...]] = {}  # id18 → (member id, household id, 户编号, 户主姓名)
    q = (
        select(_M.c.id18, _M.c.id, _M.c.household_id, _H.c.household_no, _H.c.head_name)
        .join(_H, _H.c.id == _M.c.household_id)
        .where(_M.c.status == MEMBER_PRESENT)
    )
    for row in _rows_with(conn, q, _M.c.id18, 0, others, members_in_db):
        holders[row[0]] = tuple(row[1:])
    digest = hashlib.sha256()
    for hid in sorted(matched):
        digest.update(repr(tuple(matched[hid])).encode())
        digest.update(repr(sorted(members_by_hh.get(hid, ()))).encode())
    digest.update(repr(sorted(holders.items())).encode())

    out = _plan_households(
        parsed, hh_match, members_by_hh, present_by_id18, holders, matched, resolver,
        record_missing=record_missing, create_regions=create_regions, ref_date=ref_date, today=today,
        progress=progress, cancel=cancel)
    plans, errors, warnings, notes, regions_seen = out.plans, out.errors, out.warnings, out.notes, out.regions_seen
    total = len(parsed.households)

    # Missing members of households not in the file but whose members moved into the file
    # are counted with their own household below (households_missing), not here.
    regions_touched = sorted(regions_seen)
    matched_ids = set(matched)
    missing_households: list[dict[str, Any]] = []
    for chunk in _chunks(regions_touched):
        q = select(_H.c.id, _H.c.household_no, _H.c.head_name, _H.c.region_code, _H.c.member_count).where(
            _H.c.region_code.in_(chunk), _H.c.status == HOUSEHOLD_ACTIVE
        )
        for row in conn.execute(q):
            if row[0] not in matched_ids:
                missing_households.append(dict(row._mapping))
    missing_households.sort(key=lambda x: (x["region_code"], x["household_no"] or "", x["id"]))
    digest.update(repr(regions_touched).encode())
    digest.update(repr([tuple(sorted(x.items())) for x in missing_households]).encode())
    errors.sort(key=lambda e: (e.row, e.col if e.col is not None else -1))
    warnings.sort(key=lambda e: (e.row, e.col if e.col is not None else -1))
    if progress:
        progress(total, total, "核对完毕")
    digest.update(repr(out.regions_missing).encode())
    return ImportPlan(parsed, plans, errors, warnings, notes, missing_households, record_missing, ref_date,
                      digest.hexdigest(), month=month, regions_missing=out.regions_missing,
                      create_regions=create_regions, columns_absent=out.columns_absent)


def _month_and_date(month: str | None, ref_date: dt.date | None) -> tuple[str, dt.date]:
    """The 报告月份 ("YYYY-MM", default this month; UserError when malformed) and the date
    the import checks and dates its changes by (default: today, or the month's last day for
    a past month)."""
    today = dt.date.today()
    if month is None:
        month = f"{(ref_date or today):%Y-%m}"
    text = str(month).strip()
    try:
        first = dt.date(int(text[:4]), int(text[5:7]), 1) if len(text) == 7 and text[4] == "-" else None
    except ValueError:
        first = None
    if first is None:
        raise UserError(f"报告月份“{month}”格式不对，请写成 YYYY-MM，例如 {today:%Y-%m}。")
    if ref_date is None:
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        ref_date = min(today, last)
    return text, ref_date


@dataclass
class _Planned:
    plans: list[HouseholdPlan]
    errors: list[RowError]
    warnings: list[RowError]
    notes: list[RowError]
    regions_seen: set[str]
    regions_missing: list[MissingRegion]
    columns_absent: list[tuple[str, str, int]]


def _plan_households(
    parsed: ParsedFile,
    hh_match: list[Any],
    members_by_hh: dict[int, list[tuple[Any, ...]]],
    present_by_id18: dict[str, tuple[Any, ...]],
    holders: dict[str, tuple[Any, ...]],
    matched: dict[int, Any],
    resolver: RegionResolver,
    *,
    record_missing: bool,
    create_regions: bool,
    ref_date: dt.date,
    today: dt.date,
    progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> _Planned:
    """The per-household part of :func:`analyse`: merge with the database records,
    validate, diff. No database access but the resolver's look-ups of the national list."""
    mapped = set(parsed.mapping.columns.values())
    hh_keys_in_file = [k for k in HOUSEHOLD_KEYS if k in mapped and k != "region_code"]
    region_in_file = bool(mapped & {"region_code", "village_name", "township_name"})
    place_keys = ("region_code", "county_name", "township_name", "village_name")
    # The fields the file has no column for: the rules list their blanks as 待补充 (once per
    # household, dropped here: the plan reports each such column once).
    absent = _absent_fields(mapped)
    pending_households: dict[str, int] = {}
    missing_regions: dict[str, MissingRegion] = {}
    region_households: dict[str, int] = {}
    fill_from_db = [(k, _M_AT[k]) for k in MEMBER_KEYS if k not in mapped]
    col_of = parsed.mapping.by_key()

    # --- per household: merge, validate, diff -------------------------------------------
    errors: list[RowError] = list(parsed.errors)
    error_cells = {(e.row, e.col) for e in parsed.errors}
    id_col = col_of.get("id_number")
    id_error_rows = {e.row for e in parsed.errors if e.col is not None and e.col == id_col}
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
                hvals[k] = existing[_HH_AT[k]]
        h_values = h.values
        for k in hh_keys_in_file:
            hvals[k] = h_values.get(k)
        named = any(h_values.get(k) for k in place_keys)
        place_failed = False
        if named or (existing is None and h_values.get("household_no")):
            found = resolver.resolve(code=h_values.get("region_code"), county=h_values.get("county_name"),
                                     township=h_values.get("township_name"), village=h_values.get("village_name"),
                                     household_no=h_values.get("household_no"))
            key = next((k for k in ("region_code", "village_name", "township_name", "county_name")
                        if h_values.get(k)), "household_no")
            place_failed = bool(found.error) or bool(found.missing and not create_regions)
            if found.error:
                key = _place_column(found.error, key, h_values)
                add_error(h.value_rows.get(key, head_row), key, found.error)
                bad_rows.add(head_row)
            elif found.code and found.missing and not create_regions:
                add_error(h.value_rows.get(key, head_row), key, _missing_message(found.missing))
                bad_rows.add(head_row)
                for m in found.missing:
                    missing_regions.setdefault(m.code, m)
                region_households[found.code] = region_households.get(found.code, 0) + 1
            elif found.code:
                hvals["region_code"] = found.code
                for m in found.missing:
                    missing_regions.setdefault(m.code, m)
        if existing is None and not hvals.get("region_code") and not place_failed:
            if not region_in_file:
                add_error(head_row, None, "新增的户需要所在村：表格中没有“村”或“行政区划代码”列，请补充后再导入。")
            else:
                add_error(head_row, "village_name", "所在村未填写，请填写乡（镇）和村名称或行政区划代码。")
            bad_rows.add(head_row)

        if hvals.get("region_code"):
            regions_seen.add(hvals["region_code"])

        # Members: match within the household, then anywhere (a move between households).
        existing_id = existing[0] if existing is not None else None
        existing_members = members_by_hh.get(existing_id, ()) if existing is not None else ()
        by_id18 = {em[_M_ID18]: em for em in existing_members if em[_M_ID18]}
        by_person = {em[_M_AT["person_no"]]: em for em in existing_members if em[_M_AT["person_no"]]}
        mplans: list[MemberPlan] = []
        for m in h.members:
            merged = m.values
            id18 = m.id18
            row_match = None
            moved_from = None
            if id18 and id18 in by_id18:
                row_match = by_id18[id18]
            elif merged.get("person_no") and merged["person_no"] in by_person:
                row_match = by_person[merged["person_no"]]
            elif id18 and id18 in present_by_id18:
                # Registered in another household of this file: a move.
                holder = present_by_id18[id18]
                if existing is None or holder[_M_HH] != existing_id:
                    row_match = holder
                    moved_from = holder[_M_HH]
            elif id18 and id18 in holders:
                _hid, holder_hh, holder_no, holder_head = holders[id18]
                if existing is None or holder_hh != existing_id:
                    add_error(
                        m.row, "id_number",
                        f"证件号码{id18}在系统中已登记在户编号{holder_no or '（无）'}"
                        f"（户主{holder_head or '未知'}）中，该户不在本文件里。"
                        "如属分户或迁移，请先在“户籍管理”中办理，或把原户一并导入。",
                    )
                    bad_rows.add(m.row)
            if row_match is not None and row_match[_M_ID] in claimed_members:
                row_match = None
            if row_match is not None:
                claimed_members.add(row_match[_M_ID])
            if id18:
                first = seen_ids.get(id18)
                if first is not None and first != m.row:
                    add_error(
                        m.row, "id_number",
                        f"证件号码{id18}与本表第{first + 1}行重复，同一证件号码只能登记一人，请核对。",
                    )
                    bad_rows.add(m.row)
                elif first is None:
                    seen_ids[id18] = m.row
            # The file's values over the database record, in the member's own dict (one
            # dict per member, also what the rules check: no copies at 50 000 rows).
            if row_match is not None:
                for k, at in fill_from_db:
                    if merged.get(k) is None:
                        v = row_match[at]
                        # Read for the rules as validation would (text stripped, blank None).
                        merged[k] = (v.strip() or None) if type(v) is str else v
            merged["status"] = MEMBER_PRESENT
            mplans.append(MemberPlan(m.row, row_match[_M_ID] if row_match is not None else None, "new", merged,
                                     moved_from=moved_from))

        if existing_members:
            file_member_ids = {mp.existing_id for mp in mplans if mp.existing_id is not None}
            missing = [
                {"id": em[_M_ID], "name": em[_M_AT["name"]], "id18": em[_M_ID18], "relation": em[_M_AT["relation"]],
                 "household_id": em[_M_HH]}
                for em in existing_members
                if em[_M_ID] not in file_member_ids
            ]
        else:
            missing = []

        household_ns = SimpleNamespace(**{HOUSEHOLD_ATTR.get(k, k): v for k, v in hvals.items()})
        problems = validate_household_values(household_ns, [mp.values for mp in mplans], ref_date=ref_date,
                                             today=today, absent=absent)
        pending = [p for p in problems if p.rule.startswith(PENDING_RULE)]
        if pending:
            problems = [p for p in problems if not p.rule.startswith(PENDING_RULE)]
        if problems:
            # Sex and birth date come from the ID when blank: with a bad ID, say only that.
            id_rows = {mplans[p.member_index].row for p in problems
                       if p.member_index is not None and p.field == "id_number"}
            id_rows |= id_error_rows
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
            if p.rule == "household.region_required" and (place_failed or existing is None):
                continue  # the place was reported above
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
        for p in pending:  # the file lacks the column, whether or not this household goes in
            key = _ATTR_TO_HOUSEHOLD_KEY.get(p.field, p.field)  # household "phone" = 户联系电话
            pending_households[key] = pending_households.get(key, 0) + 1
        if not skipped_household and hvals.get("region_code") in missing_regions:
            code = hvals["region_code"]
            region_households[code] = region_households.get(code, 0) + 1
        hp = HouseholdPlan(
            source=h,
            existing_id=existing_id,
            existing_version=existing[1] if existing is not None else None,
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
            new = {k: hvals.get(k) for k in changed_keys}
            # Equal values are unchanged values (comparable() only widens equality).
            if any(existing[_HH_AT[k]] != v for k, v in new.items()):
                old = {k: existing[_HH_AT[k]] for k in HOUSEHOLD_KEYS}
                hp.changes = diff_values(old, new, changed_keys, _HOUSEHOLD_LABELS, _CODE_LISTS)
        for mp, m in zip(mplans, h.members, strict=True):
            if mp.row in bad_rows:
                mp.status = "skipped"
                continue
            if mp.existing_id is None:
                mp.status = "new"
                continue
            old_row = present_by_id18.get(m.id18) if mp.moved_from else None
            if old_row is None:
                old_row = next(em for em in existing_members if em[_M_ID] == mp.existing_id)
            values = mp.values
            if tuple(map(values.get, MEMBER_KEYS)) != old_row[_M_KEYS]:
                old = dict(zip(MEMBER_KEYS, old_row[_M_KEYS]))
                keys = [k for k in MEMBER_KEYS if k in mapped or values.get(k) is not None]
                mp.changes = diff_values(old, {k: values.get(k) for k in keys}, keys, _MEMBER_LABELS, _CODE_LISTS)
            if mp.moved_from:
                holder_no = matched[mp.moved_from][2]
                mp.changes = [FieldChange("household_id", "所属户", holder_no or mp.moved_from,
                                          hvals.get("household_no") or h.key), *mp.changes]
            mp.status = "changed" if mp.changes else "unchanged"
        hp.missing_members = missing
        if existing is not None:
            hp.status = "changed" if (hp.changes or hp.member_changes
                                      or (record_missing and missing)) else "unchanged"
        plans.append(hp)

    # A region the plan creates: how many of the file's households it takes (a township
    # counts those of its villages).
    counted = []
    for code, m in missing_regions.items():
        n = sum(v for c, v in region_households.items() if c == code or (c.startswith(code_prefix(code))
                                                                          and m.level != "village"))
        counted.append(dataclasses.replace(m, households=n))
    absent_report = [(f.key, f.label, pending_households[f.key]) for f in HOUSEHOLD_SCHEMA
                     if f.key in pending_households]
    return _Planned(plans, errors, warnings, notes, regions_seen, counted, absent_report)


def _absent_fields(mapped: set[str]) -> frozenset[str]:
    """The member fields and household attributes the rules read that a file with the
    ``mapped`` schema keys has no column for. Place and the columns a file must have are
    handled by the importer itself; 性别 and 出生日期 come from the 证件号码 (a column every
    file has), so their blanks are an ID's fault, reported as such."""
    member = {k for k in MEMBER_FIELDS if k in MEMBER_KEYS and k not in mapped} - {"sex", "birth_date"}
    household = {HOUSEHOLD_ATTR.get(k, k) for k in HOUSEHOLD_KEYS if k not in mapped and k != "region_code"}
    return frozenset(member | household)


def pending_fields(session: Session, household_ids: Iterable[int] | None = None, *,
                   scope: Any = None) -> dict[int, frozenset[str]]:
    """Per household: the fields the files its record and its members' records were
    imported from had no column for (``ImportBatch.absent_fields``) — what the data check
    lists as 待补充 when blank (``rules.validation``, ``absent``). Households without any
    are left out. The households are ``household_ids``, or ``scope``, a SELECT of household
    ids (the county check reads them in one query per table)."""
    b, r = ImportBatch.__table__, SourceRow.__table__
    out: dict[int, set[str]] = {}
    for owner, hh_col in ((_H, _H.c.id), (_M, _M.c.household_id)):
        stmt = (select(hh_col, b.c.absent_fields).join(r, r.c.id == owner.c.source_row_id)
                .join(b, b.c.id == r.c.batch_id).where(b.c.absent_fields.is_not(None)))
        if scope is not None:
            batches = [session.execute(stmt.where(hh_col.in_(scope)))]
        else:
            stmt = stmt.where(hh_col.in_(bindparam("ids", expanding=True)))
            batches = [session.execute(stmt, {"ids": list(chunk)})
                       for chunk in _chunks(sorted(set(household_ids or ())))]
        for rows in batches:
            for hid, fields in rows:
                if fields:
                    out.setdefault(hid, set()).update(fields)
    return {hid: frozenset(fields) for hid, fields in out.items()}


def _place_column(message: str, default: str, values: dict[str, Any]) -> str:
    """The place column a resolver message is about (it names the level it failed at)."""
    for prefix, key in (("乡（镇）", "township_name"), ("县名", "county_name"), ("只填写了县名", "county_name"),
                        ("行政区划代码", "region_code")):
        if message.startswith(prefix) and values.get(key):
            return key
    return default


def _missing_message(missing: Sequence[MissingRegion]) -> str:
    last = missing[-1]
    code = last.code if last.national else "本地编码"
    more = f"（连同上级区划共{len(missing)}个）" if len(missing) > 1 else ""
    return (f"{LEVEL_LABELS.get(last.level, '')}“{last.name}”（{code}）在本系统的区划中还没有{more}。"
            "请勾选“新建表格中缺少的区划”（命令行加 --create-regions），或先在“区划设置”中添加。")



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
        plan = self.plan
        out["month"] = plan.month if plan is not None else None
        regions = plan.regions_json() if plan is not None else []
        out["regions_created"] = regions if plan is not None and plan.create_regions else []
        out["regions_missing"] = [] if plan is None or plan.create_regions else regions
        out["columns_absent"] = [label for _k, label, _n in plan.columns_absent] if plan is not None else []
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


def _source_names(parsed: ParsedFile) -> list[str | None]:
    """Header text per column position (None: a column without a header cell): the
    ``headers`` of the import's batch, which its source rows' cells follow."""
    names = parsed.__dict__.get("_source_names")
    if names is None:
        width = max((c.index for c in parsed.header.columns), default=-1) + 1
        names = [None] * width
        for c in parsed.header.columns:
            if c.parts:
                names[c.index] = c.joined
        parsed.__dict__["_source_names"] = names
    return names


def _source_default(value: Any) -> Any:
    """How a source row writes a cell JSON has no type for: dates as ISO text, anything
    else (a Decimal …) as its text."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


# Source rows are written as they are: compact UTF-8 like db.dumps_json. The C encoder is
# called directly when there is one (what JSONEncoder.encode sets up on every call, once):
# 40 % less time for 50 000 rows.
_SOURCE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_source_default)
if json.encoder.c_make_encoder is not None:
    _c_source_encoder = json.encoder.c_make_encoder(
        None, _source_default, json.encoder.encode_basestring, None, ":", ",", False, False, True)

    def _encode_source(cells: Sequence[Any]) -> str:
        return "".join(_c_source_encoder(cells, 0))
else:  # pragma: no cover - CPython always has the C encoder
    _encode_source = _SOURCE_ENCODER.encode


def _source_json(parsed: ParsedFile, rows: Sequence[int]) -> list[str]:
    """The JSON text of each of ``rows`` as a SourceRow's ``cells``: the row's cells as the
    reader gave them, up to the last header column (text as it stands, blank cells "" or
    null, numbers as numbers, dates as ISO text)."""
    width = len(_source_names(parsed))
    grid = parsed.sheet.rows
    return [_encode_source(grid[r][:width]) for r in rows]


_BOOL_TO_INT = {None: None, True: 1, False: 0}


def _insert_rows(conn: Any, table: Any, rows: list[dict[str, Any]], json_text: Iterable[str] = ()) -> list[int]:
    """Insert ``rows`` (dicts with the same keys) and return their new ids in order."""
    if not rows:
        return []
    keys = list(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        return [_insert_tuples(conn, table, list(row), [tuple(row.values())], json_text)[0] for row in rows]
    return _insert_tuples(conn, table, keys, list(map(itemgetter(*keys), rows)) if len(keys) > 1
                          else [(row[keys[0]],) for row in rows], json_text)


def _insert_tuples(conn: Any, table: Any, keys: Sequence[str], rows: Sequence[tuple[Any, ...]],
                   json_text: Iterable[str] = ()) -> list[int]:
    """Insert ``rows`` (tuples of the ``keys`` columns) and return their new ids in order.
    ``json_text`` names JSON columns whose values are already JSON text.

    SQLite: ids are assigned here (the caller already holds the write lock, so nobody else
    can take them) and the rows go in with one plain executemany of tuples made by
    :func:`_sqlite_params`. Other databases: a batched INSERT … RETURNING in parameter
    order."""
    if not rows:
        return []
    dialect = conn.dialect
    if dialect.name == "sqlite":
        start = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        prepared = _sqlite_params(dialect, table, keys, rows, json_text, start)
        if prepared is not None:
            names, params = prepared
            conn.exec_driver_sql(_sqlite_insert_sql(dialect, table, names), params)
            return list(range(start, start + len(rows)))
    dict_rows = [dict(zip(keys, row)) for row in rows]
    for k in json_text:
        for row in dict_rows:
            if row[k] is not None:
                row[k] = json.loads(row[k])
    if dialect.name == "sqlite":
        ids = list(range(start, start + len(rows)))
        for row, new_id in zip(dict_rows, ids, strict=True):
            row["id"] = new_id
        conn.execute(insert(table), dict_rows)
        return ids
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, dict_rows)]


def _sqlite_params(dialect: Any, table: Any, keys: Sequence[str], rows: Sequence[tuple[Any, ...]],
                   json_text: Iterable[str], start: int) -> tuple[list[str], list[tuple[Any, ...]]] | None:
    """The column names and the parameter tuples (ids from ``start`` first) of an INSERT of
    ``rows``: each column converted with the bind processor SQLAlchemy itself would apply,
    columns left out given their scalar default — what ``conn.execute(insert(table), dicts)``
    sends, without its per-row, per-key bookkeeping. None when a column left out has a
    callable default (then SQLAlchemy must insert)."""
    json_text = set(json_text)
    defaults = []
    for column in table.columns:
        if column.key in keys or column.key == "id" or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        defaults.append(column)
    columns = [list(c) for c in zip(*rows)]
    for j, key in enumerate(keys):
        if key in json_text:
            continue
        type_ = table.c[key].type
        process = type_._cached_bind_processor(dialect)
        if process is None:
            continue
        values = columns[j]
        if isinstance(type_, Boolean):
            try:
                plain = set(values) <= _BOOL_TO_INT.keys()
            except TypeError:
                plain = False
            if plain:
                columns[j] = list(map(_BOOL_TO_INT.__getitem__, values))
                continue
        columns[j] = list(map(process, values))
    extra = []
    for column in defaults:
        process = column.type._cached_bind_processor(dialect)
        value = column.default.arg
        extra.append(repeat(process(value) if process is not None else value))
    names = ["id", *(table.c[k].name for k in keys), *(c.name for c in defaults)]
    return names, list(zip(range(start, start + len(rows)), *columns, *extra))


def _sqlite_insert_sql(dialect: Any, table: Any, names: Sequence[str], rows: int = 1) -> str:
    quote = dialect.identifier_preparer.quote
    one = f"({', '.join('?' * len(names))})"
    return f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES {', '.join([one] * rows)}"


@gc_paused()
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
    month: str | None = None,
    create_regions: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportResult:
    """Step 3 (see module docstring): write the plan in one transaction — the regions it
    needs first (``create_regions``), then the households.

    ``month`` is the 报告月份 of the changes recorded (default: this month); a month already
    reported and locked (services.reports) is refused with ``UserError``, nothing written.

    ``record_missing`` with ``left_reason`` (a change_reason code of the 减少 direction) and
    ``left_on`` marks members the file no longer lists as 自然减少 with a ChangeEvent.
    ``expected_fingerprint`` is :meth:`ImportPlan.fingerprint` of the reviewed plan.

    Raises ``ConcurrentEditError`` when the database changed since the review,
    ``UserError`` when cancelled (nothing written) or for a bad reason code.
    """
    month, ref_date = _month_and_date(month, ref_date)
    left_on = left_on or ref_date
    if record_missing:
        left_reason = decrease_reason(left_reason)
    note = f"导入 {parsed.path.name}"
    started = time.perf_counter()
    plan: ImportPlan | None = None
    from fupin_desktop.services.trust import before_import

    before_import(db)
    try:
        with db.session(note=note) as session:
            user = audit.current_user(session)
            plan = analyse(session, parsed, record_missing=record_missing, ref_date=ref_date, month=month,
                           create_regions=create_regions, progress=progress, cancel=cancel)
            if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
                raise ConcurrentEditError(
                    "在您核对期间，数据库中的相关农户已被修改（可能是其他人在录入）。"
                    "为避免覆盖别人的修改，本次没有导入。请重新打开文件核对后再导入。"
                )
            if strict and plan.errors:
                return _result(plan, committed=False, dry_run=False, strict_refused=True)
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")
            if plan.has_changes:
                _require_regions(session, plan)
                _ensure_month_open(session, plan)
            if plan.create_regions and plan.regions_missing:
                create_region_rows(session, plan.regions_missing)
            with fast_null_binding():
                recorded = _write(session, plan, user=user, note=note, left_reason=left_reason,
                                  left_on=left_on, progress=progress, cancel=cancel)
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")
    except IntegrityError as exc:
        log.exception("import rejected by the database")
        if _written_meanwhile(db, parsed, plan, record_missing=record_missing, ref_date=ref_date,
                              month=month, create_regions=create_regions):
            raise ConcurrentEditError(CONCURRENT_IMPORT) from exc
        raise UserError(
            "导入时数据库拒绝了写入（数据之间有冲突，例如同一证件号码登记在两户）。本次没有导入任何数据。"
            f"请把这个文件和以下信息发给维护人员：{str(exc.orig)[:160]}"
        ) from exc
    result = _result(plan, committed=True, dry_run=False, recorded_left=recorded)
    result.seconds = time.perf_counter() - started
    return result


_DECREASE_WORDS = {"其他": "29"}  # the CLI's 死亡|迁出|婚出|其他


def decrease_reason(reason: str | None) -> str:
    """The change_reason code (减少 direction) of a code, label or alias ("其他" = 其他减少);
    UserError otherwise."""
    if not reason:
        raise UserError("把成员登记为自然减少时必须选择减少原因。")
    reasons = code_list("change_reason")
    code = _DECREASE_WORDS.get(str(reason).strip()) or reasons.normalize(reason)
    entry = reasons.get(code) if code else None
    if entry is None or entry.parent != "decrease":
        allowed = "、".join(e.label for e in reasons.children("decrease"))
        raise UserError(f"减少原因“{reason}”无效，请从以下选择：{allowed}（或“其他”）。")
    return code


def increase_reason(birth: Any, month: str) -> str:
    """出生 for a member born in the 12 months up to the end of ``month``, else 其他增加."""
    if isinstance(birth, dt.datetime):
        birth = birth.date()
    if isinstance(birth, dt.date):
        year, mon = int(month[:4]), int(month[5:7])
        end = dt.date(year + mon // 12, mon % 12 + 1, 1)  # first day after the month
        start = dt.date(year - 1 + mon // 12, mon % 12 + 1, 1)
        if start <= birth < end:
            return REASON_BIRTH
    return REASON_OTHER_INCREASE


def _require_regions(session: Session, plan: ImportPlan) -> None:
    """The signed-in user may write households under every region the import touches
    (services.trust): the new and changed households' regions, old and new."""
    from fupin_desktop.services.trust import HOUSEHOLD_EDIT, principal, require

    if principal(session) is None:
        return
    codes = {hp.values.get("region_code") for hp in plan.households
             if hp.status in ("new", "changed") and hp.values.get("region_code")}
    existing = [hp.existing_id for hp in plan.households if hp.status == "changed" and hp.existing_id]
    for chunk in _chunks(existing):
        codes.update(session.scalars(select(Household.region_code).where(Household.id.in_(chunk))))
    for code in sorted(c for c in codes if c):
        require(session, HOUSEHOLD_EDIT, code)


def _ensure_month_open(session: Session, plan: ImportPlan) -> None:
    """The month lock (services.reports): an import whose 报告月份 is reported and locked
    for any village it writes to is refused."""
    from fupin_desktop.services.reports import ensure_month_open

    codes = sorted({hp.values.get("region_code") for hp in plan.households
                    if hp.status in ("new", "changed") and hp.values.get("region_code")})
    for code in codes or [None]:
        ensure_month_open(session, plan.month, code)


CONCURRENT_IMPORT = "另一个导入正在进行或刚刚写入，请稍后重试。本次没有导入任何数据。"


def _written_meanwhile(db: Any, parsed: ParsedFile, plan: ImportPlan | None, **analyse_kw: Any) -> bool:
    """Whether the records the plan was made against changed before its write (another
    import committed in between): the plan made again now differs."""
    if plan is None:
        return False
    try:
        with db.session() as session:
            again = analyse(session, parsed, **analyse_kw)
            session.rollback()
        return again.fingerprint() != plan.fingerprint()
    except Exception:  # noqa: BLE001 - only deciding which message to show
        log.exception("could not re-check the database after a refused import")
        return False


def _household_row(values: dict[str, Any]) -> dict[str, Any]:
    return {HOUSEHOLD_ATTR.get(k, k): values.get(k) for k in HOUSEHOLD_KEYS}


def _search_keys(values: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(id18, id_tail, name_initials) of models.derived.member_search_keys."""
    keys = member_search_keys(values.get("name"), values.get("id_number"))
    return keys["id18"], keys["id_tail"], keys["name_initials"]


# A new member's row: the file's fields, search keys, then where it belongs.
_MEMBER_INSERT_KEYS = (*MEMBER_KEYS, "id18", "id_tail", "name_initials", "household_id", "seq", "status",
                       "source_row_id")


def _new_members(hp: HouseholdPlan) -> list[tuple[MemberPlan, tuple[Any, Any, Any]]]:
    """A household's new members in the order they are written (户主 first, then 配偶, then
    file order), with their search keys (models.derived.member_search_keys)."""
    members = [m for m in hp.members if m.status == "new"]
    members.sort(key=lambda m: (m.values.get("relation") != RELATION_HEAD,
                                m.values.get("relation") != RELATION_SPOUSE))
    return [(m, _search_keys(m.values)) for m in members]


class _Sources:
    """The import's ImportBatch (written on first use) and its SourceRows, each sheet row
    written once: a household and its 户主 share theirs."""

    def __init__(self, conn: Any, parsed: ParsedFile, user: str, now: dt.datetime) -> None:
        self.conn, self.parsed, self.user, self.now = conn, parsed, user, now
        self.batch_id: int | None = None
        self.by_row: dict[int, int] = {}

    def ids(self, rows: Sequence[int]) -> list[int]:
        """The SourceRow id of each sheet row (index into ``parsed.sheet.rows``)."""
        new = [r for r in dict.fromkeys(rows) if r not in self.by_row]
        if new:
            if self.batch_id is None:
                batch = ImportBatch.__table__
                self.batch_id = self.conn.execute(
                    insert(batch).values(kind=PROFILE_KIND, file_name=self.parsed.path.name[:255],
                                         sheet_name=self.parsed.sheet_name[:100],
                                         headers=_source_names(self.parsed), imported_at=self.now,
                                         absent_fields=sorted(_absent_fields(
                                             set(self.parsed.mapping.columns.values()))),
                                         imported_by=self.user)
                    .returning(batch.c.id)
                ).scalar_one()
            texts = _source_json(self.parsed, new)
            ids = _insert_tuples(self.conn, SourceRow.__table__, ("batch_id", "row_no", "cells"),
                                 [(self.batch_id, r + 1, t) for r, t in zip(new, texts, strict=True)],
                                 json_text=("cells",))
            self.by_row.update(zip(new, ids, strict=True))
        return list(map(self.by_row.__getitem__, rows))


def _new_household_rows(items: Sequence[tuple[HouseholdPlan, list[Any]]], sources: _Sources) -> list[dict[str, Any]]:
    """Rows of new households (with their new members, as :func:`_new_members` gives them).
    The list summary (户主姓名 and its pinyin sort key, 户主证件号码, 人数) is known here: the first 户主 among the
    new members, and their count — what _refresh_summaries would compute from the member
    rows. A household's source row is its 户主's."""
    source_ids = sources.ids([hp.head_row or hp.source.rows[0] for hp, _m in items])
    rows = []
    for (hp, members), source_id in zip(items, source_ids, strict=True):
        head = next(((m, keys) for m, keys in members if m.values.get("relation") == RELATION_HEAD), None)
        head_name = head[0].values.get("name") if head else None
        row = _household_row(hp.values)
        row.update(version=1, source_row_id=source_id, member_count=len(members),
                   head_name=head_name, head_name_sort=head_name_sort(head_name),
                   head_id18=head[1][0] if head else None, status=HOUSEHOLD_ACTIVE, record_valid=True)
        rows.append(row)
    return rows


def _new_member_rows(items: Sequence[tuple[HouseholdPlan, MemberPlan, Any, int]],
                     sources: _Sources) -> list[tuple[Any, ...]]:
    """Rows (tuples of _MEMBER_INSERT_KEYS) of new members: ``(household, member, search
    keys, seq)`` each."""
    source_ids = sources.ids([m.row for _hp, m, _keys, _seq in items])
    return [(*map(m.values.get, MEMBER_KEYS), *keys, hp.existing_id, seq, MEMBER_PRESENT, source_id)
            for (hp, m, keys, seq), source_id in zip(items, source_ids, strict=True)]


def _write(session: Session, plan: ImportPlan, *, user: str, note: str, left_reason: str | None,
           left_on: dt.date, progress: ProgressFn | None, cancel: CancelFn | None) -> int:
    conn = session.connection()
    now = dt.datetime.now()
    month = plan.month
    audit_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    touched: set[int] = set()  # registered households whose list summaries are recomputed
    sources = _Sources(conn, plan.parsed, user, now)

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

    new_members: dict[int, list[tuple[MemberPlan, tuple[Any, Any, Any]]]] = {}
    for index, hp in enumerate(plan.households):
        if hp.status != "skipped" and any(m.status == "new" for m in hp.members):
            new_members[index] = _new_members(hp)

    # 1. New households (ids come back in parameter order).
    new_hh = [(index, hp) for index, hp in enumerate(plan.households) if hp.status == "new"]
    if new_hh:
        # The summary row first: on SQLite this write takes the database's write lock.
        audit.record_bulk(conn, "households", "insert", f"{note}：新增 {len(new_hh)} 户", user)
    new_rows = len(new_hh) + sum(len(x) for x in new_members.values())
    bulk: SqliteBulkLoad | None = None
    if conn.dialect.name == "sqlite" and new_rows > _BULK_ROWS:
        bulk = SqliteBulkLoad(conn, [Household.__table__, Member.__table__], cache_kib=32768)
    for chunk in _chunks(new_hh, 5000):
        rows = _new_household_rows([(hp, new_members.get(index, [])) for index, hp in chunk], sources)
        ids = _insert_rows(conn, Household.__table__, rows)
        for (_index, hp), new_id, row in zip(chunk, ids, rows, strict=True):
            hp.existing_id = new_id
            audit_row("households", "insert", new_id, None, _audited(row))
        del rows
        if cancel and cancel():
            raise UserError("已取消导入，数据库未改动。")

    # 2. Household updates, version checked (a stale plan never overwrites). A household
    # whose own fields changed now points at the row they were read from.
    refreshed = [hp for hp in plan.households if hp.status == "changed" and hp.changes]
    new_sources = dict(zip(map(id, refreshed),
                           sources.ids([hp.head_row or hp.source.rows[0] for hp in refreshed]), strict=True))
    for hp in plan.households:
        if hp.status != "changed":
            continue
        values = {HOUSEHOLD_ATTR.get(c.key, c.key): c.new for c in hp.changes}
        if id(hp) in new_sources:
            values["source_row_id"] = new_sources[id(hp)]
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
    update_sources = sources.ids([mp.row for _hp, mp in updates])
    for (hp, mp), source_id in zip(updates, update_sources, strict=True):
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
        values["source_row_id"] = source_id
        values["updated_at"] = now
        conn.execute(update(mtable).where(mtable.c.id == mp.existing_id).values(**values))
        audit_row("members", "update", mp.existing_id, old,
                  {k: _jsonable(v) for k, v in values.items() if k not in ("source_row_id", "updated_at")})
        touched.add(hp.existing_id)  # type: ignore[arg-type]

    # 5. New members (in file order; 户主 first within each household).
    if cancel and cancel():
        raise UserError("已取消导入，数据库未改动。")
    pending: list[tuple[HouseholdPlan, MemberPlan, tuple[Any, Any, Any], int]] = []
    for index, members in new_members.items():
        hp = plan.households[index]
        seq = next_seq.get(hp.existing_id, 1)  # type: ignore[arg-type]
        for m, keys in members:
            pending.append((hp, m, keys, seq))
            seq += 1
        if hp.status == "changed":
            touched.add(hp.existing_id)  # type: ignore[arg-type]
    del new_members
    if pending:
        audit.record_bulk(conn, "members", "insert", f"{note}：新增 {len(pending)} 人", user)
    if pending:
        done_rows = 0
        # Rows are built chunk by chunk: all 50 000 with their source rows at once would
        # raise the import's peak memory.
        for chunk in _chunks(pending, 5000):
            rows = _new_member_rows(chunk, sources)
            ids = _insert_tuples(conn, mtable, _MEMBER_INSERT_KEYS, rows)
            for new_id, row in zip(ids, rows, strict=True):
                audit_row("members", "insert", new_id, None, _audited(dict(zip(_MEMBER_INSERT_KEYS, row))))
            del rows
            for (hp, member, _keys, _seq), new_id in zip(chunk, ids, strict=True):
                if hp.status == "changed":  # a new member of a household already registered
                    events.append({"household_id": hp.existing_id, "member_id": new_id,
                                   "type": CHANGE_NATURAL_INCREASE,
                                   "reason": increase_reason(member.values.get("birth_date"), month),
                                   "effective_date": plan.ref_date, "reported_month": month,
                                   "recorded_by": user, "note": f"{note}：文件中新增的成员", "details": None})
            done_rows += len(chunk)
            if progress:
                progress(done_rows, len(pending), "正在写入家庭成员…")
            if cancel and cancel():
                raise UserError("已取消导入，数据库未改动。")

    if bulk is not None:
        bulk.finish()

    # 6. Change events (audited per row), then the household list summaries.
    if events:
        etable = ChangeEvent.__table__
        event_ids = _insert_rows(conn, etable, events)
        for eid, ev in zip(event_ids, events, strict=True):
            audit_row("change_events", "insert", eid, None, {**{k: _jsonable(v) for k, v in ev.items()}, "id": eid})
    _refresh_summaries(conn, sorted(touched))
    _insert_audit(conn, audit_rows)
    return recorded


_AUDIT_KEYS = ("at", "user", "action", "table_name", "row_key", "old_values", "new_values", "note")


def _insert_audit(conn: Any, rows: list[dict[str, Any]]) -> None:
    """The import's audit entries (one per created or changed row). SQLite: as tuples with
    the JSON already encoded (:func:`_insert_tuples`' fast path), tens of thousands of rows
    for a first import."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        from fupin_desktop.db import dumps_json

        def enc(value: Any) -> str | None:
            return None if value is None else dumps_json(value)

        for chunk in _chunks(rows, 5000):
            _insert_tuples(conn, AuditLog.__table__, _AUDIT_KEYS,
                           [(r["at"], r["user"], r["action"], r["table_name"], r["row_key"], enc(r["old_values"]),
                             enc(r["new_values"]), r["note"]) for r in chunk],
                           json_text=("old_values", "new_values"))
        return
    for chunk in _chunks(rows, 2000):
        conn.execute(insert(AuditLog.__table__), list(chunk))


# Columns a created row's audit entry leaves out: derived from the others, or bookkeeping.
_NOT_AUDITED = frozenset({"source_row_id", "version", "head_name_sort", "record_valid", "id18", "id_tail",
                          "name_initials", "name_initials_alt", "created_at", "updated_at"})


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    """A created row's values as its audit entry records them (blank values left out)."""
    return {k: _jsonable(v) for k, v in row.items() if k not in _NOT_AUDITED and v not in (None, "")}


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


@gc_paused()
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
    month: str | None = None,
    create_regions: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportResult:
    """Read, check and (unless ``dry_run``) commit a file in one go — what ``fupin import
    households`` runs. Writes the error report to ``errors_out`` when given and there is
    anything to report. Raises like :func:`read_file` and :func:`commit`."""
    started = time.perf_counter()
    parsed = read_file(path, sheet=sheet, overrides=overrides,
                       profile_lookup=None if overrides else profile_lookup_for(db),
                       progress=progress, cancel=cancel, prepare_commit=not dry_run)
    if dry_run:
        with db.session() as session:
            plan = analyse(session, parsed, record_missing=record_missing, ref_date=ref_date, month=month,
                           create_regions=create_regions, progress=progress, cancel=cancel)
            session.rollback()
        result = _result(plan, committed=False, dry_run=True)
    else:
        result = commit(db, parsed, strict=strict, record_missing=record_missing, left_reason=left_reason,
                        ref_date=ref_date, month=month, create_regions=create_regions,
                        progress=progress, cancel=cancel)
    if errors_out is not None and (result.errors or result.warnings) and result.plan is not None:
        result.error_report = write_errors(result.plan, errors_out)
    result.seconds = time.perf_counter() - started
    return result
