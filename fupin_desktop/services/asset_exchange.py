"""Asset ledger to and from spreadsheets, for ledgers kept in Excel until now.

Export writes every §10.2 field (one asset a row, with ``sheets.export.write_table``: codes and
numbers that must stay text as text cells, bold frozen header) plus the roll-up by class and
owner level. Import reads .xlsx/.xls/.csv (GBK or UTF-8) with the shared ``sheets`` machinery:
title rows above the header and merged 2–3 row headers are recognised, headers matched by
label or alias, extra columns ignored. Rows are matched to the ledger by 资产编号 and
``sheets.diff.compare`` reports, before anything is written, which rows are new, which fields
of which asset would change (old → new) and every problem with its row and column. A file
with any problem changes nothing (``errors_path`` then gets the clerk's sheet back with the
bad cells marked); ``dry_run`` only reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models import Asset, Household, Project, Region
from fupin_desktop.services import assets as svc
from fupin_desktop.services.regions import RegionResolver
from fupin_desktop.sheets import error_report
from fupin_desktop.sheets.diff import compare, display_value
from fupin_desktop.sheets.export import ExportColumn, write_table
from fupin_desktop.sheets.headers import detect_header
from fupin_desktop.sheets.readers import UNCOMPUTED_MESSAGE, UncomputedFormula, fill_merged, is_blank, open_workbook
from fupin_desktop.sheets.schema import Field, Schema
from fupin_desktop.sheets.text_cells import text_row

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# Columns beside svc.FIELDS (keys of ASSET_SCHEMA); their labels are the export headers.
COL_NO = "资产编号"
COL_REGION = "区划代码"
COL_TOWNSHIP = "乡镇"
COL_VILLAGE = "村"
COL_PROJECT = "来源项目"
COL_FUNDING = "资金来源及金额"
COL_HOUSEHOLD = "所属农户户编号"
COL_STATUS = "资产状态"
COL_INCOME = "累计收益（元）"

_ORDER = (
    "asset_no", "name", "category", "subtype", "project", "project_year", "region_code", "township",
    "village", "location", "quantity", "unit", "formed_on", "fundings", "original_value",
    "book_value", "ownership_level", "owner_name", "household_no", "ownership_holder",
    "operation_holder", "income_holder", "distribution_holder", "disposal_holder",
    "supervision_holder", "operation_mode", "operator", "contract_start", "contract_end",
    "custodian", "custodian_person", "custodian_phone", "custody_rule", "registered_on",
    "handed_over_on", "handover_doc", "beneficiaries_note", "status", "income_total", "note",
)
# Other spellings county ledgers use for a column.
_ALIASES: dict[str, tuple[str, ...]] = {
    "asset_no": ("编号", "资产编码"),
    "original_value": ("资产原值", "原值", "原值（元）"),
    "book_value": ("账面价值", "账面净值"),
    "ownership_level": ("确权到", "所有权人确权层级", "所有权人（确权层级）"),
    "operator": ("经营主体经营权人", "经营主体（经营权人）"),
    "household_no": ("户编号",),
    "fundings": ("资金来源",),
    "status": ("状态",),
    "quantity": ("建设规模数量", "建设规模（数量）", "数量"),
    "unit": ("单位",),
    "formed_on": ("形成建成验收时间", "形成（建成验收）时间", "形成（建成、验收）时间", "建成时间"),
    "project": ("项目名称",),
    "region_code": ("行政区划代码",),
    "township": ("乡（镇）",),
}
# Sheet kind of each svc.FieldSpec kind. Text stays the service's own clean-up (full-width
# brackets in names are kept as typed); money and quantity keep its parsing (``1.2万``).
_KIND = {"text": "text", "code": "code", "date": "date", "money": "decimal", "int": "year", "quantity": "decimal"}
_EXTRA = {
    "asset_no": Field("asset_no", COL_NO, "text"),
    "project": Field("project", COL_PROJECT, "text", export_only=True),
    "region_code": Field("region_code", COL_REGION, "digits", max_length=12),
    "township": Field("township", COL_TOWNSHIP, "text"),
    "village": Field("village", COL_VILLAGE, "text"),
    "fundings": Field("fundings", COL_FUNDING, "text"),
    "household_no": Field("household_no", COL_HOUSEHOLD, "digits", max_length=30),
    "status": Field("status", COL_STATUS, "code", code_list="asset_status"),
    "income_total": Field("income_total", COL_INCOME, "decimal", export_only=True),
}


def _field(key: str) -> Field:
    aliases = _ALIASES.get(key, ())
    if key in _EXTRA:
        f = _EXTRA[key]
        return Field(f.key, f.label, f.kind, aliases, f.code_list, max_length=f.max_length, export_only=f.export_only)
    spec = svc.FIELD_BY_ATTR[key]
    return Field(key, spec.label, _KIND[spec.kind], aliases, spec.code_list, required=spec.required,
                 max_length=spec.max_length)


ASSET_SCHEMA = Schema("assets", [_field(k) for k in _ORDER])
HEADERS = tuple(f.label for f in ASSET_SCHEMA)
# Columns written as text cells: numbers that are codes (资产编号, 区划代码, 户编号), phones.
_TEXT_COLUMNS = {"asset_no", "region_code", "household_no", "custodian_phone"}


def _label(key: str) -> str:
    return ASSET_SCHEMA.field(key).label if key in ASSET_SCHEMA else key


def _export_kind(f: Field) -> str:
    if f.key in _TEXT_COLUMNS:
        return "digits" if f.kind == "digits" or f.key == "asset_no" else "text"
    return "int" if f.kind == "year" else f.kind


def _cell(asset: Asset, key: str, ctx: dict[str, Any]) -> Any:
    if key == "asset_no":
        return asset.asset_no
    if key == "project":
        return ctx["projects"].get(asset.project_id, "")
    if key == "region_code":
        return asset.region_code
    if key == "township":
        return ctx["names"].get(asset.region_code[:9] + "000", "") if asset.region_code[6:9] != "000" else ""
    if key == "village":
        return ctx["names"].get(asset.region_code, "") if asset.region_code[9:] != "000" else ""
    if key == "fundings":
        return svc.fundings_text(asset.fundings)
    if key == "household_no":
        return ctx["households"].get(asset.household_id, "") if asset.household_id else ""
    if key == "status":
        return label_of("asset_status", asset.status)
    if key == "income_total":
        return ctx["income"].get(asset.id, Decimal(0))
    spec = svc.FIELD_BY_ATTR[key]
    value = getattr(asset, key)
    if value is not None and spec.kind == "code":
        return label_of(spec.code_list or "", value)
    return value


def export_ledger(db: Database, path: Path, *, region_code: str | None = None,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> int:
    """Write the ledger of ``region_code`` (all when None) to ``path``; returns the row count.

    Sheet 1 「资产台账」 holds one asset a row in import layout (an export imports back with
    no change); sheet 2 「分类汇总」 the totals by class, owner level and status. Raises
    UserError when the file cannot be written (open in Excel) or on cancel (no file left)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    with db.session() as s:
        flt = svc.LedgerFilter(region_code=region_code)
        if region_code and s.scalar(select(Region.id).where(Region.code == region_code)) is None:
            raise UserError(f"区划代码 {region_code} 不存在。")
        stmt = svc._filtered(select(Asset).options(selectinload(Asset.fundings)), flt).order_by(Asset.region_code, Asset.asset_no)
        assets = list(s.scalars(stmt))
        ctx = {
            "names": svc.region_names(s),
            "projects": dict(s.execute(select(Project.id, Project.name).where(
                Project.id.in_({a.project_id for a in assets if a.project_id}))).all()),
            "households": dict(s.execute(select(Household.id, Household.household_no).where(
                Household.id.in_({a.household_id for a in assets if a.household_id}))).all()),
            "income": {r.id: r.income_total for r in svc.ledger_rows(s, flt)},
        }
        totals = svc.ledger_totals(s, flt)
        rows = [[_cell(a, k, ctx) for k in _ORDER] for a in assets]
    columns = [ExportColumn(f.label, _export_kind(f), 28 if f.key in ("name", "project", "fundings", "owner_name") else None)
               for f in ASSET_SCHEMA]
    total = write_table(path, columns, rows, sheet_title="资产台账", total=len(rows), progress=progress, cancel=cancel)
    # The roll-up sheet beside the table (small: a few dozen rows).
    wb = load_workbook(path)
    sm = wb.create_sheet("分类汇总")
    table = [["分类", "项目", "资产数（项）", "资产原值（元）", "账面价值（元）"]]
    for kind, code_list_name, by in (("资产类别", "asset_category", totals.by_category),
                                      ("确权层级", "ownership_level", totals.by_level),
                                      ("资产状态", "asset_status", totals.by_status)):
        for code, t in by.items():
            table.append([kind, label_of(code_list_name, code), t.count, float(t.original), float(t.book)])
    table.append(["合计", "", totals.all.count, float(totals.all.original), float(totals.all.book)])
    for values in table:
        sm.append(text_row(sm, values))
    for cell in sm[1]:
        cell.font = Font(bold=True)
    for row in sm.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.number_format = "#,##0.00"
    for letter in "ABCDE":
        sm.column_dimensions[letter].width = 16
    error_report.atomic_save(wb, path)
    return total


# -- import ---------------------------------------------------------------------------------------


@dataclass
class Issue:
    row: int  # 1-based sheet row
    column: str
    message: str
    col: int | None = None  # 0-based sheet column, for the error report

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class RowResult:
    row: int
    asset_no: str | None
    name: str
    action: str  # 新增 / 修改 / 无变化
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    results: list[RowResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    applied: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    error_report: str | None = None  # path of the written error report, if any

    @property
    def new(self) -> list[RowResult]:
        return [r for r in self.results if r.action == "新增"]

    @property
    def changed(self) -> list[RowResult]:
        return [r for r in self.results if r.action == "修改"]

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.results if r.action == "无变化")

    def summary(self) -> str:
        head = f"{self.file}：共 {self.rows} 行，新增 {len(self.new)} 项，修改 {len(self.changed)} 项，无变化 {self.unchanged} 项"
        if self.issues:
            return head + f"，发现 {len(self.issues)} 个问题，未导入任何数据。"
        return head + ("，已导入。" if self.applied else "（预览，未写入）。")

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "rows": self.rows, "applied": self.applied,
            "new": [{"row": r.row, "asset_no": r.asset_no, "name": r.name} for r in self.new],
            "changed": [{"row": r.row, "asset_no": r.asset_no, "name": r.name,
                         "changes": [{"column": c, "old": o, "new": n} for c, o, n in r.changes]} for r in self.changed],
            "unchanged": self.unchanged,
            "issues": [{"row": i.row, "column": i.column, "message": i.message} for i in self.issues],
            "ignored_columns": self.ignored_columns,
            "error_report": self.error_report,
        }


_RECORD_KEYS = tuple(f.attr for f in svc.FIELDS) + ("region_code", "household_no", "fundings", "status")


def _read_sheet(path: Path):
    with open_workbook(path) as book:
        name = "资产台账" if "资产台账" in book.sheet_names else book.sheet_names[0]
        sheet = book.read(name)
    if sheet.last_nonblank_row() < 0:
        raise UserError(f"{path.name} 是空的。")
    try:
        header = detect_header(sheet, ASSET_SCHEMA.knows)
    except ValueError:
        header = None
    mapping = ASSET_SCHEMA.map_columns(header) if header else None
    if header is None or mapping is None or len(mapping.columns) < 3:
        raise UserError("没有找到资产台账的表头（应含“资产名称”“资产类别”“资产原值（元）”等列）。请用本程序导出的台账格式。")
    fill_merged(sheet, first_row=header.data_start)
    return sheet, header, mapping


def _record(asset: Asset, household_nos: dict[int, str]) -> dict[str, Any]:
    rec: dict[str, Any] = {k: getattr(asset, k) for k in _RECORD_KEYS if k in svc.FIELD_BY_ATTR}
    rec["region_code"] = asset.region_code
    rec["household_no"] = household_nos.get(asset.household_id) if asset.household_id else None
    rec["fundings"] = svc.fundings_text(asset.fundings)
    rec["status"] = label_of("asset_status", asset.status)
    return rec


def import_ledger(db: Database, path: Path, *, dry_run: bool = False, errors_path: Path | None = None,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """Check the sheet against the ledger and (unless ``dry_run`` or any problem) apply it.

    New rows (blank or unknown 资产编号) are registered with the same checks as a clerk's entry;
    rows with a known number update the fields whose columns are present. 已处置 cannot be set
    from a sheet (disposal goes through approval). All or nothing. When there are problems and
    ``errors_path`` is given, the sheet is written there with the bad cells marked."""
    path = Path(path)
    sheet, header, mapping = _read_sheet(path)
    report = ImportReport(file=path.name)
    cols = mapping.by_key()
    report.ignored_columns = [header.display(c) for c in mapping.unknown if header.column(c) and header.column(c).parts]
    for required in ("name", "category", "original_value", "ownership_level"):
        if required not in cols:
            raise UserError(f"表中缺少“{_label(required)}”列。")
    if "region_code" not in cols and "village" not in cols:
        raise UserError("表中缺少“区划代码”列（或“乡镇”“村”列），无法确定资产所在地。")
    body = [r for r in range(header.data_start, sheet.height) if not sheet.row_is_blank(r)]
    report.rows = len(body)

    def bad(r: int, key: str, message: str) -> None:
        col = cols.get(key)
        column = header.display(col) if col is not None else (_label(key) if key else "")
        report.issues.append(Issue(r + 1, column, message, col))

    # Column by column through the shared converter (codes, dates, years, digits); text,
    # money and quantity keep the service's own clean-up.
    conv = ASSET_SCHEMA.converter()
    cells: dict[str, list[Any]] = {}
    failed: set[tuple[int, str]] = set()
    for key, c in cols.items():
        raw = [sheet.cell(r, c) for r in body]
        f = ASSET_SCHEMA.field(key)
        spec = svc.FIELD_BY_ATTR.get(key)
        if f.kind in ("code", "date", "year", "digits") or (spec is None and f.kind != "text"):
            values, errors = conv.convert_column(key, raw)
            for i, message in errors.items():
                bad(body[i], key, message)
                failed.add((i, key))
            cells[key] = values
        else:
            cells[key] = [None if is_blank(v) or type(v) is UncomputedFormula else v for v in raw]
            for i, v in enumerate(raw):
                if type(v) is UncomputedFormula:  # the converter's own check, for these columns too
                    bad(body[i], key, UNCOMPUTED_MESSAGE)
                    failed.add((i, key))

    def text(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    if not dry_run:  # an automatic backup before every import that writes
        from fupin_desktop.services.trust import before_import

        before_import(db)
    with db.session(note=f"导入资产台账 {report.file}") as s:
        names = svc.region_names(s)
        resolver = RegionResolver(s)
        household_nos = {v for v in cells.get("household_no", []) if v}
        households: dict[str, int] = {}
        numbers = sorted({text(v) for v in cells.get("asset_no", []) if text(v)})
        existing_assets: dict[str, Asset] = {}
        for i in range(0, max(len(household_nos), len(numbers)), 500):
            chunk = sorted(household_nos)[i:i + 500]
            if chunk:
                households.update(s.execute(select(Household.household_no, Household.id)
                                            .where(Household.household_no.in_(chunk))).all())
            chunk = numbers[i:i + 500]
            if chunk:
                existing_assets.update((a.asset_no, a) for a in s.scalars(
                    select(Asset).options(selectinload(Asset.fundings)).where(Asset.asset_no.in_(chunk))))
        owner_ids = sorted({a.household_id for a in existing_assets.values() if a.household_id})
        household_nos: dict[int, str] = {}
        for i in range(0, len(owner_ids), 500):
            household_nos.update(s.execute(select(Household.id, Household.household_no)
                                           .where(Household.id.in_(owner_ids[i:i + 500]))).all())

        parsed: dict[int, dict[str, Any]] = {}
        incoming: dict[int, dict[str, Any]] = {}
        existing: dict[int, dict[str, Any]] = {}
        seen_numbers: dict[str, int] = {}
        for i, r in enumerate(body):
            if cancel and cancel():
                s.rollback()
                raise UserError("已取消导入，未写入任何数据。")
            if progress and ((i + 1) % 200 == 0 or i + 1 == len(body)):
                progress(i + 1, len(body), "正在核对资产台账")
            cell = {k: v[i] for k, v in cells.items()}
            issues_before = len(report.issues)
            number = text(cell.get("asset_no")) or None
            if number:
                if number in seen_numbers:
                    bad(r, "asset_no", f"资产编号与第 {seen_numbers[number]} 行重复。")
                    continue
                seen_numbers[number] = r + 1
            values: dict[str, object] = {}
            for key in cols:
                spec = svc.FIELD_BY_ATTR.get(key)
                if spec is None or (i, key) in failed:
                    continue
                try:
                    values[key] = svc.clean_field(spec, cell[key])
                except UserError as exc:
                    bad(r, key, str(exc))
            region = text(cell.get("region_code"))
            if not region and "village" in cols:
                village, township = text(cell.get("village")), text(cell.get("township"))
                # Names as people write them (城关 / 城关镇, 村 / 村委会 …): the one region resolver.
                found = resolver.resolve(township=township or None, village=village or None)
                if found.code and not found.missing:
                    region = found.code
                else:
                    bad(r, "village", found.error or f"找不到唯一的村“{village or township}”，请填写区划代码。")
            elif region and region not in names and (i, "region_code") not in failed:
                bad(r, "region_code", f"区划代码 {region} 不存在。")
            status = cell.get("status")
            household_id = None
            if cell.get("household_no"):
                household_id = households.get(cell["household_no"])
                if household_id is None:
                    bad(r, "household_no", f"户编号 {cell['household_no']} 在户籍中不存在。")
            fundings = None
            # A lone source name takes the 原值; when the 原值 itself is wrong, that one problem is enough.
            if "fundings" in cols and "original_value" in values:
                try:
                    fundings = svc.parse_fundings(cell.get("fundings"), values.get("original_value"))  # type: ignore[arg-type]
                except UserError as exc:
                    bad(r, "fundings", str(exc))
            if len(report.issues) > issues_before or any((i, k) in failed for k in cols):
                continue
            asset = existing_assets.get(number) if number else None
            if asset is None and status == svc.STATUS_DISPOSED:
                bad(r, "status", "不能以“已处置”状态导入：处置须经审批程序。请先按正常状态导入，再在程序中办理处置。")
                continue
            if asset is not None and status and status != asset.status and svc.STATUS_DISPOSED in (status, asset.status):
                bad(r, "status", "“已处置”只能经处置审批程序设置或保持，不能由导入改变。")
                continue
            record = dict(values)
            if region:
                record["region_code"] = region
            if "household_no" in cols:
                record["household_no"] = cell.get("household_no")
            if fundings is not None:
                record["fundings"] = svc.fundings_text(fundings)
            if status:
                record["status"] = label_of("asset_status", status)
            incoming[r] = record
            if asset is not None:
                existing[r] = _record(asset, household_nos)
            parsed[r] = {"number": number, "values": values, "region": region, "status": status,
                         "household_id": household_id, "fundings": fundings, "asset": asset}

        labels = {k: _label(k) for k in _RECORD_KEYS}
        diff = compare(existing, incoming, _RECORD_KEYS, labels)
        new_rows = set(diff.new)
        for r, p in parsed.items():
            name = str(p["values"].get("name") or "")
            number, status, fundings = p["number"], p["status"], p["fundings"]
            try:
                if r in new_rows:
                    asset = svc.create_asset(s, p["values"], region_code=p["region"], fundings=fundings or [],
                                             household_id=p["household_id"], asset_no=number)
                    if status and status != asset.status:
                        svc.set_status(s, asset.id, status)
                    report.results.append(RowResult(r + 1, number or "（导入时编号）", name, "新增"))
                    continue
                changes = diff.changed.get(r)
                if not changes:
                    report.results.append(RowResult(r + 1, number, name, "无变化"))
                    continue
                asset = p["asset"]
                changed = {c.key for c in changes}
                svc.update_asset(
                    s, asset.id, p["values"], region_code=p["region"] or None,
                    fundings=fundings if "fundings" in changed else None,
                    **({"household_id": p["household_id"]} if "household_no" in cols else {}),
                )
                if "status" in changed:
                    svc.set_status(s, asset.id, status)
                report.results.append(RowResult(r + 1, number, name, "修改", [
                    (c.label, display_value(c.old), display_value(c.new)) for c in changes]))
            except UserError as exc:
                report.issues.append(Issue(r + 1, "", str(exc)))
        report.issues.sort(key=lambda x: (x.row, x.col if x.col is not None else -1))
        report.results.sort(key=lambda x: x.row)
        if report.issues or dry_run:
            s.rollback()
        else:
            report.applied = True
    if report.issues and errors_path is not None:
        error_report.write_error_report(
            sheet, header, [error_report.Issue(i.row - 1, i.col, i.message) for i in report.issues], errors_path)
        report.error_report = str(errors_path)
    return report
