"""Asset ledger to and from .xlsx, for ledgers kept in Excel until now.

Export writes every §10.2 field (one asset a row) plus the roll-up by class and owner level.
Import reads the same layout (header row found among the first rows, headers matched after
full-width/whitespace clean-up, extra columns ignored), matches rows to the ledger by 资产编号
and reports, before anything is written, which rows are new, which fields of which asset would
change (old → new) and every problem with its row and column. A file with any problem changes
nothing; ``dry_run`` only reports.

The reading and header matching here are deliberately small: they move to the shared
``sheets/`` machinery when the exchange area lands it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models import Asset, Household, Project, Region
from fupin_desktop.rules.text import text_key
from fupin_desktop.services import assets as svc

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# Export-only columns (derived) and the extra import keys beside FIELDS.
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
    COL_NO, "name", "category", "subtype", COL_PROJECT, "project_year", COL_REGION, COL_TOWNSHIP,
    COL_VILLAGE, "location", "quantity", "unit", "formed_on", COL_FUNDING, "original_value",
    "book_value", "ownership_level", "owner_name", COL_HOUSEHOLD, "ownership_holder",
    "operation_holder", "income_holder", "distribution_holder", "disposal_holder",
    "supervision_holder", "operation_mode", "operator", "contract_start", "contract_end",
    "custodian", "custodian_person", "custodian_phone", "custody_rule", "registered_on",
    "handed_over_on", "handover_doc", "beneficiaries_note", COL_STATUS, COL_INCOME, "note",
)


def _label(key: str) -> str:
    spec = svc.FIELD_BY_ATTR.get(key)
    return spec.label if spec else key


HEADERS = tuple(_label(k) for k in _ORDER)


def _cell(asset: Asset, key: str, ctx: dict[str, Any]) -> Any:
    if key == COL_NO:
        return asset.asset_no
    if key == COL_PROJECT:
        return ctx["projects"].get(asset.project_id, "")
    if key == COL_REGION:
        return asset.region_code
    if key == COL_TOWNSHIP:
        return ctx["names"].get(asset.region_code[:9] + "000", "") if asset.region_code[6:9] != "000" else ""
    if key == COL_VILLAGE:
        return ctx["names"].get(asset.region_code, "") if asset.region_code[9:] != "000" else ""
    if key == COL_FUNDING:
        return svc.fundings_text(asset.fundings)
    if key == COL_HOUSEHOLD:
        return ctx["households"].get(asset.household_id, "") if asset.household_id else ""
    if key == COL_STATUS:
        return label_of("asset_status", asset.status)
    if key == COL_INCOME:
        return float(ctx["income"].get(asset.id, 0))
    spec = svc.FIELD_BY_ATTR[key]
    value = getattr(asset, key)
    if value is None:
        return None
    if spec.kind == "code":
        return label_of(spec.code_list or "", value)
    if spec.kind in ("money", "quantity"):
        return float(value)
    return value


def export_ledger(db: Database, path: Path, *, region_code: str | None = None,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> int:
    """Write the ledger of ``region_code`` (all when None) to ``path``; returns the row count.

    Sheet 1 「资产台账」 holds one asset a row in import layout; sheet 2 「分类汇总」 the totals by
    class and owner level. Raises UserError when the file cannot be written (open in Excel)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from sqlalchemy.orm import selectinload

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
    wb = Workbook()
    ws = wb.active
    ws.title = "资产台账"
    ws.append(list(HEADERS))
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    total = len(assets)
    for i, asset in enumerate(assets, start=1):
        if cancel and cancel():
            raise UserError("已取消导出。")
        ws.append([_cell(asset, k, ctx) for k in _ORDER])
        if progress and (i % 500 == 0 or i == total):
            progress(i, total, "正在导出资产台账")
    for col, key in enumerate(_ORDER, start=1):
        letter = ws.cell(1, col).column_letter
        spec = svc.FIELD_BY_ATTR.get(key)
        if key == COL_NO or key == COL_REGION or key == COL_HOUSEHOLD:
            for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                c.number_format = "@"
        if spec and spec.kind == "date":
            for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                c.number_format = "yyyy-mm-dd"
        if (spec and spec.kind == "money") or key == COL_INCOME:
            for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                c.number_format = "#,##0.00"
        ws.column_dimensions[letter].width = 28 if key in ("name", COL_PROJECT, COL_FUNDING, "owner_name") else 14
    ws.freeze_panes = "C2"
    sm = wb.create_sheet("分类汇总")
    sm.append(["分类", "项目", "资产数（项）", "资产原值（元）", "账面价值（元）"])
    for code, t in totals.by_category.items():
        sm.append(["资产类别", label_of("asset_category", code), t.count, float(t.original), float(t.book)])
    for code, t in totals.by_level.items():
        sm.append(["确权层级", label_of("ownership_level", code), t.count, float(t.original), float(t.book)])
    for code, t in totals.by_status.items():
        sm.append(["资产状态", label_of("asset_status", code), t.count, float(t.original), float(t.book)])
    sm.append(["合计", "", totals.all.count, float(totals.all.original), float(totals.all.book)])
    for cell in sm[1]:
        cell.font = bold
    for letter in "ABCDE":
        sm.column_dimensions[letter].width = 16
    try:
        wb.save(path)
    except OSError as exc:
        raise UserError(f"无法写入文件 {path}：{exc.strerror or exc}。如文件正在 Excel/WPS 中打开，请先关闭。") from exc
    return total


# -- import ---------------------------------------------------------------------------------------


@dataclass
class Issue:
    row: int  # 1-based sheet row
    column: str
    message: str

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
        }


def _read_rows(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    if not path.is_file():
        raise UserError(f"找不到文件：{path}")
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet_name = "资产台账" if "资产台账" in wb.sheet_names else wb.sheet_names[0]
        return wb.get_sheet_by_name(sheet_name).to_python()
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise UserError(f"无法读取 {path.name}：{exc}。请确认是 Excel 文件（.xlsx/.xls）且未损坏。") from exc


def _header_key(text: object) -> str:
    return text_key(str(text or "")).replace("(", "").replace(")", "")


_KNOWN = {_header_key(_label(k)): k for k in _ORDER}
_KNOWN.update({_header_key(a): k for a, k in (
    ("资产原值", "original_value"), ("原值", "original_value"), ("账面价值", "book_value"),
    ("确权到", "ownership_level"), ("所有权人确权层级", "ownership_level"), ("经营主体经营权人", "operator"),
    ("户编号", COL_HOUSEHOLD), ("资金来源", COL_FUNDING), ("状态", COL_STATUS), ("建设规模数量", "quantity"),
    ("单位", "unit"), ("形成建成验收时间", "formed_on"), ("项目名称", COL_PROJECT),
)})


def _find_header(rows: list[list[Any]]) -> int:
    best, best_hits = 0, -1
    for i, row in enumerate(rows[:5]):
        hits = sum(1 for c in row if _header_key(c) in _KNOWN)
        if hits > best_hits:
            best, best_hits = i, hits
    if best_hits < 3:
        raise UserError("没有找到资产台账的表头（应含“资产名称”“资产类别”“资产原值（元）”等列）。请用本程序导出的台账格式。")
    return best


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def import_ledger(db: Database, path: Path, *, dry_run: bool = False,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """Check the sheet against the ledger and (unless ``dry_run`` or any problem) apply it.

    New rows (blank or unknown 资产编号) are registered with the same checks as a clerk's entry;
    rows with a known number update the fields whose columns are present. 已处置 cannot be set
    from a sheet (disposal goes through approval). All or nothing."""
    rows = _read_rows(Path(path))
    report = ImportReport(file=Path(path).name)
    if not rows:
        raise UserError(f"{report.file} 是空的。")
    h = _find_header(rows)
    header = rows[h]
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        key = _KNOWN.get(_header_key(title))
        if key and key not in columns:
            columns[key] = i
        elif _text(title):
            report.ignored_columns.append(_text(title))
    for required in ("name", "category", "original_value", "ownership_level"):
        if required not in columns:
            raise UserError(f"表中缺少“{_label(required)}”列。")
    if COL_REGION not in columns and COL_VILLAGE not in columns:
        raise UserError("表中缺少“区划代码”列（或“乡镇”“村”列），无法确定资产所在地。")
    body = [(h + 2 + i, r) for i, r in enumerate(rows[h + 1:]) if any(_text(c) for c in r)]
    report.rows = len(body)
    with db.session(note=f"导入资产台账 {report.file}") as s:
        names = svc.region_names(s)
        by_name: dict[str, list[str]] = {}
        for code, name in names.items():
            by_name.setdefault(name, []).append(code)
        seen_numbers: dict[str, int] = {}
        for done, (rownum, raw) in enumerate(body, start=1):
            if cancel and cancel():
                s.rollback()
                raise UserError("已取消导入，未写入任何数据。")
            if progress and (done % 200 == 0 or done == len(body)):
                progress(done, len(body), "正在核对资产台账")
            cell = {k: (raw[i] if i < len(raw) else None) for k, i in columns.items()}
            issues_before = len(report.issues)

            def bad(column_key: str, message: str, rownum=rownum) -> None:
                report.issues.append(Issue(rownum, _label(column_key) if column_key else "", message))

            number = _text(cell.get(COL_NO)) or None
            if number:
                if number in seen_numbers:
                    bad(COL_NO, f"资产编号与第 {seen_numbers[number]} 行重复。")
                    continue
                seen_numbers[number] = rownum
            values: dict[str, object] = {}
            for key in columns:
                spec = svc.FIELD_BY_ATTR.get(key)
                if spec is None:
                    continue
                try:
                    values[key] = svc.clean_field(spec, cell[key])
                except UserError as exc:
                    bad(key, str(exc))
            region = _text(cell.get(COL_REGION))
            if not region and COL_VILLAGE in columns:
                village = _text(cell.get(COL_VILLAGE)) or _text(cell.get(COL_TOWNSHIP))
                township = _text(cell.get(COL_TOWNSHIP))
                found = [c for c in by_name.get(village, []) if not township or names.get(c[:9] + "000") == township]
                if len(found) == 1:
                    region = found[0]
                else:
                    bad(COL_VILLAGE, f"找不到唯一的村“{village}”，请填写区划代码。")
            elif region and region not in names:
                bad(COL_REGION, f"区划代码 {region} 不存在。")
            status = None
            if COL_STATUS in columns and _text(cell.get(COL_STATUS)):
                try:
                    status = svc._code("asset_status", cell[COL_STATUS], "资产状态")
                except UserError as exc:
                    bad(COL_STATUS, str(exc))
            household_id = None
            if COL_HOUSEHOLD in columns and _text(cell.get(COL_HOUSEHOLD)):
                household_id = s.scalar(select(Household.id).where(Household.household_no == _text(cell[COL_HOUSEHOLD])))
                if household_id is None:
                    bad(COL_HOUSEHOLD, f"户编号 {_text(cell[COL_HOUSEHOLD])} 在户籍中不存在。")
            fundings = None
            if COL_FUNDING in columns:
                try:
                    fundings = svc.parse_fundings(cell.get(COL_FUNDING), values.get("original_value"))  # type: ignore[arg-type]
                except UserError as exc:
                    bad(COL_FUNDING, str(exc))
            if len(report.issues) > issues_before:
                continue
            existing = s.scalar(select(Asset).where(Asset.asset_no == number)) if number else None
            name = str(values.get("name") or "")
            try:
                if existing is None:
                    if status == svc.STATUS_DISPOSED:
                        bad(COL_STATUS, "不能以“已处置”状态导入：处置须经审批程序。请先按正常状态导入，再在程序中办理处置。")
                        continue
                    asset = svc.create_asset(s, values, region_code=region, fundings=fundings or [],
                                             household_id=household_id, asset_no=number)
                    if status and status != asset.status:
                        svc.set_status(s, asset.id, status)
                    report.results.append(RowResult(rownum, number or "（导入时编号）", name, "新增"))
                else:
                    before = {k: getattr(existing, k) for k in values}
                    old_funding = svc.fundings_text(existing.fundings)
                    old_status = existing.status
                    changes = [(_label(k), _show(before[k]), _show(v)) for k, v in values.items() if before[k] != v]
                    if region and region != existing.region_code:
                        changes.append((COL_REGION, existing.region_code, region))
                    if fundings is not None and svc.fundings_text(fundings) != old_funding:
                        changes.append((COL_FUNDING, old_funding, svc.fundings_text(fundings)))
                    if status and status != old_status:
                        if status == svc.STATUS_DISPOSED or old_status == svc.STATUS_DISPOSED:
                            bad(COL_STATUS, "“已处置”只能经处置审批程序设置或保持，不能由导入改变。")
                            continue
                        changes.append((COL_STATUS, label_of("asset_status", old_status), label_of("asset_status", status)))
                    if not changes:
                        report.results.append(RowResult(rownum, number, name, "无变化"))
                        continue
                    svc.update_asset(
                        s, existing.id, values, region_code=region or None,
                        fundings=fundings if fundings is not None and svc.fundings_text(fundings) != old_funding else None,
                        **({"household_id": household_id} if COL_HOUSEHOLD in columns else {}),
                    )
                    if status and status != old_status:
                        svc.set_status(s, existing.id, status)
                    report.results.append(RowResult(rownum, number, name, "修改", changes))
            except UserError as exc:
                bad("", str(exc))
        if report.issues or dry_run:
            s.rollback()
        else:
            report.applied = True
    return report
