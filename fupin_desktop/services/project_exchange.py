"""项目库 batch import and export (项目批量导入模板, DOMAIN §9.1).

The sheet is the county's batch-import template: a title row containing “项目批量导入模板”,
the header on row 2, one project a row, in :data:`PROJECT_SCHEMA` order. Reading, header
detection, cell conversion, the difference and the error report are the shared
``fupin_desktop.sheets`` machinery; the rules are ``services.projects``' own save path
(:func:`~fupin_desktop.services.projects.create_project` /
:func:`~fupin_desktop.services.projects.update_project` on a :class:`ProjectInput`), so a
row the form would refuse is refused here with the same message.

* Amount columns whose header says 万元 are converted to 元 (the database keeps 元).
* 中央/省级/市级/县级/社会/贷款 columns become :class:`ProjectFunding` rows (one per level);
  they must add up to 项目总投资 (a blank 总投资 is their sum).
* Rows match existing projects by 项目编号, else by (年度, 项目名称, 乡镇/村).
* New projects enter as 村级申报 with their first status-log row; an import never moves a
  project through the state machine (a different 项目状态 in the file is a warning) and
  never deletes anything.
* Everything happens in one transaction, each row in a savepoint: a row with an error is
  not imported, the others are; ``dry_run`` rolls everything back.

:func:`export_projects` writes the same layout (title row, header on row 2), in 元, so an
export imports back with no change.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fupin_desktop.codes import label_of
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import Project, Region
from fupin_desktop.rules.text import normalize_text, text_key
from fupin_desktop.services import projects as svc
from fupin_desktop.services.household_import import RowError  # one row-finding type for every import
from fupin_desktop.services.regions import RegionResolver
from fupin_desktop.sheets.diff import FieldChange, diff_values, display_value
from fupin_desktop.sheets.error_report import Issue, write_error_report
from fupin_desktop.sheets.export import ExportColumn, write_table
from fupin_desktop.sheets.headers import HeaderBlock, detect_header
from fupin_desktop.sheets.readers import SheetData, SheetReadError, fill_merged, is_blank, open_workbook
from fupin_desktop.sheets.schema import ColumnMapping, Field, Schema

__all__ = [
    "PROJECT_SCHEMA",
    "TEMPLATE_TITLE",
    "ExportResult",
    "ImportResult",
    "ProjectRowResult",
    "RowError",
    "export_projects",
    "import_projects",
]

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

TEMPLATE_TITLE = "项目批量导入模板"
WAN = Decimal(10000)
MONEY_LIMIT = Decimal("1e12")  # Numeric(14,2)

# fund_level code → the template's column.
FUND_COLUMNS: dict[str, str] = {
    "01": "fund_01", "02": "fund_02", "03": "fund_03", "04": "fund_04", "05": "fund_05", "06": "fund_06",
}  # fmt: skip
FUND_KEYS = tuple(FUND_COLUMNS.values())
_FUND_LEVEL = {v: k for k, v in FUND_COLUMNS.items()}


def _money(key: str, label: str, *aliases: str) -> Field:
    """An amount column: the 元 header is the label; every alias is also accepted with
    （万元）/（元） after it (the header decides the unit)."""
    names: list[str] = []
    for base in (label, *aliases):
        for unit in ("（元）", "（万元）", ""):
            text = base + unit
            if text != f"{label}（元）" and text not in names:
                names.append(text)
    return Field(key, f"{label}（元）", "decimal", aliases=tuple(names))


PROJECT_SCHEMA = Schema("projects", [
    Field("seq", "序号", "int", export_only=True),
    Field("project_no", "项目编号", "text", aliases=("项目代码", "项目库编号"), max_length=40),
    Field("year", "项目年度", "year", aliases=("项目所属年度", "项目(所属)年度", "年度", "所属年度"), required=True),
    Field("name", "项目名称", "text", required=True, max_length=200),
    Field("category", "项目类别", "code", code_list="project_category", aliases=("项目大类",)),
    Field("subcategory", "项目子类", "code", code_list="project_category", aliases=("项目类型", "项目小类")),
    Field("status", "项目状态", "code", code_list="project_status"),
    Field("competent_dept", "项目主管单位", "text", aliases=("主管单位", "主管部门", "项目主管部门"), max_length=100),
    Field("township", "乡镇", "text", aliases=("所属乡镇", "乡镇(街道)", "乡(镇)", "实施乡镇"), max_length=60),
    Field("village", "村", "text", aliases=("所属村", "村(社区)", "行政村", "实施村"), max_length=60),
    Field("region_code", "区划代码", "digits", aliases=("行政区划代码",), max_length=12),
    Field("implementer", "实施主体", "text", aliases=("实施单位", "项目实施单位"), max_length=100),
    Field("location", "建设详细地址", "text", aliases=("实施地点", "建设地点", "建设详细地址(实施地点)"), max_length=200),
    Field("construction_nature", "建设性质", "code", code_list="construction_nature"),
    Field("start_ym", "实施开始年月", "month", aliases=("实施开始时间", "计划开工时间", "开工年月")),
    Field("end_ym", "实施完结年月", "month", aliases=("实施完结时间", "计划完工时间", "完工年月")),
    Field("in_poor_village", "是否脱贫村", "bool", aliases=("是否贫困村",)),
    Field("covered_villages", "覆盖村", "text", aliases=("覆盖贫困村", "覆盖脱贫村"), max_length=200),
    Field("scope_and_content", "项目建设规模及内容", "text", aliases=("建设规模及内容", "建设内容及规模", "建设内容"), max_length=2000),
    Field("scale_quantity", "建设规模（数量）", "decimal", aliases=("建设规模", "规模数量")),
    Field("scale_unit", "规模单位", "text", aliases=("计量单位",), max_length=20),
    Field("performance_summary", "绩效目标", "text", max_length=2000),
    Field("benefit_linkage", "联农带农机制", "text", aliases=("带贫机制", "联农带农(带贫)机制", "联农带农带贫机制", "利益联结机制"), max_length=2000),
    Field("beneficiaries_nonpoor_hh", "受益一般农户（户）", "int", aliases=("受益非贫困户", "受益非贫困户(户)", "受益一般农户"), min_value=0, max_value=9_999_999),
    Field("beneficiaries_nonpoor_persons", "受益一般农户人口（人）", "int", aliases=("受益非贫困人口", "受益非贫困人口(人)", "受益一般农户人口"), min_value=0, max_value=9_999_999),
    Field("beneficiaries_poor_hh", "受益脱贫户（户）", "int", aliases=("受益贫困户", "受益贫困户(户)", "受益脱贫户"), min_value=0, max_value=9_999_999),
    Field("beneficiaries_poor_persons", "受益脱贫人口（人）", "int", aliases=("受益贫困人口", "受益贫困人口(人)", "受益脱贫人口"), min_value=0, max_value=9_999_999),
    Field("beneficiaries_monitored_hh", "受益监测户（户）", "int", aliases=("受益监测户",), min_value=0, max_value=9_999_999),
    Field("beneficiaries_monitored_persons", "受益监测人口（人）", "int", aliases=("受益监测人口",), min_value=0, max_value=9_999_999),
    _money("expected_income_gain", "预计带动增收", "预计贫困人口增收", "预计增收"),
    Field("manager", "项目负责人", "text", aliases=("负责人",), max_length=40),
    Field("manager_phone", "联系电话", "digits", aliases=("联系方式", "负责人电话"), max_length=20),
    Field("social_benefit", "社会效益", "text"),
    Field("economic_benefit", "经济效益", "text"),
    _money("total_funds", "项目总投资", "总投资", "项目总投资规模", "投资规模", "资金规模"),
    _money("requested_funds", "本次拟申请资金", "拟申请资金", "申请资金"),
    _money("fund_01", "中央资金", "中央财政资金", "中央"),
    _money("fund_02", "省级资金", "省级财政资金", "省级"),
    _money("fund_03", "市级资金", "市级财政资金", "市级"),
    _money("fund_04", "县级资金", "县级财政资金", "县级"),
    _money("fund_05", "社会资金", "自有资金", "社会资金(自有资金)", "自筹资金", "社会"),
    _money("fund_06", "贷款资金", "银行贷款", "贷款", "贷款银行"),
    Field("is_integrated", "是否统筹整合项目", "bool", aliases=("是否统筹整合",)),
    *(Field(f"integration.{k}", label, "text", max_length=200) for k, label in svc.INTEGRATION_KEYS.items()),
    Field("direct_to_person", "钱物是否直接补助到人", "bool", aliases=("是否直接补助到人",)),
    Field("is_publicized", "是否公示", "bool"),
    Field("budget_unit", "预算单位", "text", max_length=100),
    Field("note", "备注", "text"),
])  # fmt: skip

_LABELS = {f.key: f.label for f in PROJECT_SCHEMA}
MONEY_KEYS = frozenset(f.key for f in PROJECT_SCHEMA if f.kind == "decimal" and f.key != "scale_quantity")
# Fields compared and written as they are (everything but the derived/relational ones).
_PLAIN_KEYS = tuple(
    f.key for f in PROJECT_SCHEMA
    if f.key not in ("seq", "status", "township", "village", "region_code") and f.key not in FUND_KEYS
    and not f.key.startswith("integration.")
)  # fmt: skip
_DIFF_KEYS = (*_PLAIN_KEYS, "region_code", *FUND_KEYS, *(f"integration.{k}" for k in svc.INTEGRATION_KEYS))
_DIFF_LABELS = {**_LABELS, "region_code": "乡镇/村"}
_SUMMARY_WORDS = ("合计", "小计", "总计")


# ============================================================================ results


@dataclass
class ProjectRowResult:
    row: int  # 0-based sheet row
    status: str  # new / changed / unchanged / error
    name: str
    project_no: str | None = None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.project_no} {self.name}" if self.project_no else self.name


@dataclass
class ImportResult:
    file: str
    sheet: str
    rows_read: int = 0
    rows_skipped: int = 0
    rows: list[ProjectRowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    amounts_in_wan: list[str] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    error_report: Path | None = None
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def fingerprint(self) -> str:
        """A digest of what this import would write: each row's outcome with every changed
        field (old and new) and every error. Equal fingerprints: the file and the projects it
        touches are as they were when the clerk reviewed them."""
        h = hashlib.sha256()
        for r in sorted(self.rows, key=lambda r: r.row):
            h.update(repr((r.row, r.status, r.project_no, r.name,
                           [(c.key, repr(c.old), repr(c.new)) for c in r.changes])).encode())
        for e in sorted(self.errors, key=lambda e: (e.row, e.col if e.col is not None else -1)):
            h.update(repr((e.row, e.col, e.message)).encode())
        return h.hexdigest()

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "rows_skipped": self.rows_skipped,
            "projects_created": self.count("new"),
            "projects_updated": self.count("changed"),
            "projects_unchanged": self.count("unchanged"),
            "projects_skipped": self.count("error"),
        }

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.counts)
        out["errors"] = [e.to_json() for e in self.errors]
        out["warnings"] = [e.to_json() for e in self.warnings]
        out["changes"] = [
            {"row": r.row + 1, "project_no": r.project_no, "name": r.name,
             "changes": [{"column": c.label, "old": display_value(c.old), "new": display_value(c.new)}
                         for c in r.changes]}
            for r in self.rows if r.status == "changed"
        ]  # fmt: skip
        out["ignored_columns"] = self.ignored_columns
        out["committed"] = self.committed
        out["dry_run"] = self.dry_run
        out["file"] = self.file
        out["sheet"] = self.sheet
        out["error_report"] = str(self.error_report) if self.error_report else None
        return out


def cell_text(value: Any) -> Any:
    """A cell value as the clerk typed it (``60.0`` read from Excel is ``60``)."""
    return RowError(0, None, "", value, "").to_json()["value"]


# ============================================================================ reading


@dataclass
class _Parsed:
    sheet: SheetData
    header: HeaderBlock
    mapping: ColumnMapping
    rows: list[tuple[int, dict[str, Any]]]  # (sheet row, field key → converted value)
    bad_rows: set[int]
    errors: list[RowError]
    rows_skipped: int
    wan_columns: list[int]


def _column_name(header: HeaderBlock, col: int | None, key: str | None = None) -> str:
    if col is not None:
        return header.display(col)
    return _LABELS.get(key or "", key or "")


def _wan(value: Any) -> Any:
    """A 万元 cell as 元 for the shared decimal conversion; what cannot be read is passed on
    unchanged so the converter's own message names it."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        return Decimal(value) * WAN
    if isinstance(value, float):
        return Decimal(repr(value)) * WAN
    text = normalize_text(value).replace(",", "").replace("，", "").replace("万元", "").replace("万", "").strip()
    if not text:
        return value
    try:
        number = Decimal(text)
    except InvalidOperation:
        return value
    return number * WAN if number.is_finite() else value


def _is_summary(cells: Sequence[Any]) -> bool:
    for v in cells[:4]:
        if isinstance(v, str) and v.strip():
            t = text_key(v)
            if any(t.startswith(w) or t == w for w in _SUMMARY_WORDS):
                return True
    return False


def read_sheet(path: str | os.PathLike[str], *, progress: ProgressFn | None = None) -> _Parsed:
    """Read and convert the sheet (no database). Raises SheetReadError / UserError when the
    file cannot be used at all."""
    p = Path(path)
    if progress:
        progress(0, 0, "正在读取文件…")
    with open_workbook(p) as book:
        best: tuple[int, SheetData, HeaderBlock] | None = None
        for name in book.sheet_names:
            try:
                sheet = book.read(name)
                header = detect_header(sheet, PROJECT_SCHEMA.knows)
            except (ValueError, SheetReadError):
                continue
            known = sum(1 for c in header.columns if PROJECT_SCHEMA.match(c.keys))
            if best is None or known > best[0]:
                best = (known, sheet, header)
    if best is None or best[0] < 3:
        raise UserError(
            f"“{p.name}”中没有找到项目表的表头（应含“项目年度”“项目名称”“项目类别”等列）。"
            "请使用项目批量导入模板，或先从本程序导出项目库作为模板。"
        )
    _, sheet, header = best
    mapping = PROJECT_SCHEMA.map_columns(header)
    if mapping.missing_required:
        names = "、".join(f"“{_LABELS[k]}”" for k in mapping.missing_required)
        raise UserError(f"“{p.name}”的表头（{header.excel_rows}）缺少{names}列，无法导入。请按项目批量导入模板补上这些列。")
    if not any(k in mapping.columns.values() for k in ("township", "village", "region_code")):
        raise UserError(f"“{p.name}”缺少“乡镇”“村”（或“区划代码”）列，无法确定项目所在地。")
    fill_merged(sheet, first_row=header.data_start)
    mapped = sorted(mapping.columns)
    wan_columns = [c for c, k in mapping.columns.items() if k in MONEY_KEYS and "万元" in (header.column(c).joined if header.column(c) else "")]

    body: list[int] = []
    skipped = 0
    for r in range(header.data_start, sheet.height):
        cells = sheet.rows[r]
        if all(is_blank(cells[c]) for c in mapped if c < len(cells)) or _is_summary(cells):
            if not sheet.row_is_blank(r):
                skipped += 1
            continue
        body.append(r)

    conv = PROJECT_SCHEMA.converter()
    values: dict[int, dict[str, Any]] = {r: {} for r in body}
    errors: list[RowError] = []
    bad: set[int] = set()
    for col, key in mapping.columns.items():
        raw = [sheet.cell(r, col) for r in body]
        column = raw if col not in wan_columns else [_wan(v) for v in raw]
        converted, errs = conv.convert_column(key, column)
        if PROJECT_SCHEMA.field(key).kind == "text":
            # Prose keeps the clerk's own punctuation (（）。，) as the project form does; the
            # converter still checked the length and turned numbers into their digits.
            converted = [v.strip() or None if isinstance(v, str) and i not in errs else converted[i]
                         for i, v in enumerate(raw)]
        if key in MONEY_KEYS or key == "scale_quantity":
            for i, v in enumerate(converted):
                if v is not None and abs(v) >= MONEY_LIMIT and i not in errs:
                    errs[i] = f"{_LABELS[key]}“{raw[i]}”过大，请核对金额和单位（元/万元）。"
                    converted[i] = None
        for i, r in enumerate(body):
            values[r][key] = converted[i]
        for i, message in errs.items():
            errors.append(RowError(body[i], col, header.display(col), raw[i], message))
            bad.add(body[i])
    return _Parsed(sheet, header, mapping, [(r, values[r]) for r in body], bad, errors, skipped, wan_columns)


# ============================================================================ checking and writing


def _record(project: Project) -> dict[str, Any]:
    """A project as comparable field values (the import's keys)."""
    rec: dict[str, Any] = {k: getattr(project, k) for k in _PLAIN_KEYS}
    rec["region_code"] = project.region_code
    sums: dict[str, Decimal] = {}
    for f in project.fundings:
        sums[f.level] = sums.get(f.level, svc.ZERO) + (f.amount or svc.ZERO)
    for level, key in FUND_COLUMNS.items():
        rec[key] = sums.get(level) or None
    integration = project.integration or {}
    for k in svc.INTEGRATION_KEYS:
        rec[f"integration.{k}"] = integration.get(k) or None
    return rec


def _normalise(values: dict[str, Any]) -> None:
    """Category/subcategory as the save path stores them; zero fund amounts as blank."""
    cat, sub = values.get("category"), values.get("subcategory")
    if cat and len(cat) != 2 and not sub:
        values["category"], values["subcategory"] = cat[:2], cat
    elif sub and not cat and "category" in values:
        values["category"] = sub[:2]
    for key in FUND_KEYS:
        if key in values and values[key] == 0:
            values[key] = None
    if "total_funds" in values and values["total_funds"] is None:
        parts = [values[k] for k in FUND_KEYS if values.get(k) is not None]
        if parts:  # a blank total is the sum of the funds by level (as the save path does)
            values["total_funds"] = sum(parts, Decimal(0))


class _Regions:
    def __init__(self, session: Session):
        rows = session.execute(
            select(Region.code, Region.name, Region.level).where(Region.level.in_(("township", "village")))
        ).all()
        self.codes = {c for c, _, _ in rows}
        self.name_of = {c: n for c, n, _ in rows}
        self._resolver = RegionResolver(session)

    def township_name(self, code: str) -> str | None:
        return self.name_of.get(code[:9] + "000")

    def village_name(self, code: str) -> str | None:
        return self.name_of.get(code) if code[9:] != "000" else None

    def resolve(self, township: str | None, village: str | None, region_code: str | None) -> tuple[str | None, str | None, str | None]:
        """(region code, error message, key of the column at fault)."""
        if region_code:
            if region_code not in self.codes:
                return None, f"区划代码“{region_code}”不在区划表中（应为乡镇或村的12位代码）。", "region_code"
            return region_code, None, None
        if not township and not village:
            return None, "请填写项目所在的乡镇（村级项目再填写村）。", "township"
        # Names as people write them (城关 / 城关镇, 村 / 村委会 …): the one region resolver.
        found = self._resolver.resolve(township=township, village=village)
        if found.code and not found.missing:
            return found.code, None, None
        town = self._resolver.resolve(township=township) if township else None
        column = "township" if town is not None and (town.code is None or town.missing) else "village"
        if found.error:
            return None, found.error, column
        where = "".join(x for x in (township, village) if x)
        return None, f"“{where}”不在区划表中，请核对名称，或先在“区划设置”中添加。", column


# Phrases of the save path's messages → the column they are about.
_MESSAGE_KEYS: tuple[tuple[str, str], ...] = (
    ("分级资金合计", "total_funds"),
    ("项目编号", "project_no"),
    ("项目子类", "subcategory"),
    ("项目类别", "category"),
    ("项目年度", "year"),
    ("项目名称", "name"),
    ("实施完结年月", "end_ym"),
    ("建设性质", "construction_nature"),
    ("乡镇或村", "township"),
    ("区划代码", "township"),
    ("申报日期", ""),
    *((label, key) for key, label in svc.FIELD_LABELS.items()),
)


def _problem_lines(err: UserError) -> list[str]:
    text = str(err)
    lines = [ln.strip().lstrip("·").strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("项目未保存")]
    return lines or [text]


def _fundings(project: Project | None, values: dict[str, Any]) -> list[svc.FundingInput] | None:
    """The funding rows to save, or None to keep the project's own. Levels without a column
    in the file keep their rows; a level whose amount is unchanged keeps its rows (source,
    document number); a changed level keeps the source of its single row."""
    present = [k for k in FUND_KEYS if k in values]
    if not present:
        return None
    existing = list(project.fundings) if project is not None else []
    by_level: dict[str, list] = {}
    for f in existing:
        by_level.setdefault(f.level, []).append(f)
    out: list[svc.FundingInput] = []
    for level, key in FUND_COLUMNS.items():
        rows = by_level.get(level, [])
        if key not in values:
            out.extend(svc.FundingInput(f.level, f.amount, f.source, f.doc_no) for f in rows)
            continue
        amount = values[key]
        old = sum((f.amount for f in rows), svc.ZERO)
        if rows and amount is not None and old == amount:
            out.extend(svc.FundingInput(f.level, f.amount, f.source, f.doc_no) for f in rows)
        elif amount:
            keep = rows[0] if len(rows) == 1 else None
            out.append(svc.FundingInput(level, amount, keep.source if keep else None, keep.doc_no if keep else None))
    return out


def _input(project: Project | None, values: dict[str, Any], region_code: str) -> svc.ProjectInput:
    data = svc.ProjectInput.from_project(project) if project is not None else svc.ProjectInput()
    for key in _PLAIN_KEYS:
        if key in values:
            setattr(data, key, values[key])
    data.region_code = region_code
    integ = {k[len("integration."):]: v for k, v in values.items() if k.startswith("integration.")}
    if integ:
        merged = dict(data.integration or {})
        merged.update({k: v for k, v in integ.items()})
        data.integration = merged
    data.fundings = _fundings(project, values)
    return data


def _apply_rows(
    session: Session,
    parsed: _Parsed,
    result: ImportResult,
    *,
    actor: str | None,
    progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> None:
    regions = _Regions(session)
    header = parsed.header
    col_of = parsed.mapping.by_key()
    projects = list(session.scalars(select(Project).options(selectinload(Project.fundings))))
    by_no = {p.project_no: p for p in projects if p.project_no}
    by_identity: dict[tuple[int, str, str], list[Project]] = {}
    for p in projects:
        by_identity.setdefault((p.year, text_key(p.name), p.region_code), []).append(p)
    seen: dict[Any, int] = {}
    total = len(parsed.rows)

    def add(row: int, key: str | None, message: str, severity: str = "error", value: Any = None) -> None:
        col = col_of.get(key) if key else None
        if key == "township" and col is None:
            col = col_of.get("village", col_of.get("region_code"))
        if value is None and col is not None:
            value = parsed.sheet.cell(row, col)
        entry = RowError(row, col, _column_name(header, col, key), value, message, severity)
        (result.errors if severity == "error" else result.warnings).append(entry)

    for done, (row, values) in enumerate(parsed.rows, start=1):
        if cancel is not None and cancel():
            raise UserError("已取消导入，没有写入任何数据。")
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total, "正在核对项目…")
        name = values.get("name") or ""
        if row in parsed.bad_rows:
            result.rows.append(ProjectRowResult(row, "error", name, values.get("project_no")))
            continue
        values = dict(values)
        _normalise(values)
        errors_before = len(result.errors)
        if not values.get("name"):
            add(row, "name", "项目名称不能为空。")
        if values.get("year") is None:
            add(row, "year", "项目年度不能为空。")
        region, message, where = regions.resolve(values.get("township"), values.get("village"), values.get("region_code"))
        if message:
            add(row, where, message)
        if len(result.errors) > errors_before:
            result.rows.append(ProjectRowResult(row, "error", name, values.get("project_no")))
            continue
        assert region is not None
        number = values.get("project_no")
        identity = (values["year"], text_key(name), region)
        dup_key = ("no", number) if number else ("id", identity)
        if dup_key in seen:
            add(row, "project_no" if number else "name", f"与第{seen[dup_key] + 1}行是同一个项目，请删除重复的一行。")
            result.rows.append(ProjectRowResult(row, "error", name, number))
            continue
        seen[dup_key] = row
        project: Project | None
        if number:
            project = by_no.get(number)
            if project is None:
                same = by_identity.get(identity, [])
                if same:
                    add(row, "project_no", f"库中已有同年度、同地点的“{name}”（项目编号 {same[0].project_no}），"
                                           "请核对项目编号：改成该编号即更新该项目。")
                    result.rows.append(ProjectRowResult(row, "error", name, number))
                    continue
        else:
            same = by_identity.get(identity, [])
            if len(same) > 1:
                add(row, "name", f"库中有{len(same)}个同年度、同地点的“{name}”，请填写项目编号以区分。")
                result.rows.append(ProjectRowResult(row, "error", name, number))
                continue
            project = same[0] if same else None

        status = values.get("status")
        if status:
            current = project.status if project is not None else svc.DECLARED
            if status != current:
                what = "新项目按“村级申报”登记" if project is None else f"项目状态仍为“{svc.status_label(current)}”"
                add(row, "status", f"导入不改变项目状态：{what}。状态变化请在项目库中逐个办理（需要日期和文号）。",
                    severity="warning")

        record = _record(project) if project is not None else None
        incoming = {k: v for k, v in values.items() if k in _DIFF_KEYS}
        incoming["region_code"] = region
        if project is not None and "project_no" in incoming and not incoming["project_no"]:
            incoming.pop("project_no")  # a blank number keeps the project's own
        changes = diff_values(record, incoming, _DIFF_KEYS, _DIFF_LABELS) if record is not None else []
        if project is not None and not changes:
            result.rows.append(ProjectRowResult(row, "unchanged", name, project.project_no))
            continue
        data = _input(project, values, region)
        if project is not None and "project_no" not in incoming:
            data.project_no = project.project_no
        data.actor = actor
        try:
            with session.begin_nested():
                if project is None:
                    data.declared_doc_no = None
                    data.actor = actor
                    saved = svc.create_project(session, data)
                    by_identity.setdefault(identity, []).append(saved)
                    if saved.project_no:
                        by_no[saved.project_no] = saved
                    result.rows.append(ProjectRowResult(row, "new", name, saved.project_no))
                else:
                    svc.update_project(session, project.id, data)
                    result.rows.append(ProjectRowResult(row, "changed", name, project.project_no, changes))
        except UserError as err:
            for line in _problem_lines(err):
                key = next((k for phrase, k in _MESSAGE_KEYS if phrase in line and k in col_of), None)
                add(row, key, line)
            result.rows.append(ProjectRowResult(row, "error", name, number))


def import_projects(
    db: Any,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    errors_out: str | os.PathLike[str] | None = None,
    expected_fingerprint: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportResult:
    """Read, check and (unless ``dry_run``) save a project sheet in one transaction.

    Rows with an error are not imported (listed in ``errors``, and in the error report
    written to ``errors_out`` when given); the others are. ``expected_fingerprint`` is
    :meth:`ImportResult.fingerprint` of the reviewed dry run: when the file or the projects
    changed since, nothing is written and ``ConcurrentEditError`` says so. Raises
    ``UserError`` (incl. ``SheetReadError``) only when the file cannot be used at all, or
    when cancelled."""
    started = time.perf_counter()
    parsed = read_sheet(path, progress=progress)
    result = ImportResult(file=Path(path).name, sheet=parsed.sheet.name, dry_run=dry_run)
    result.rows_read = len(parsed.rows)
    result.rows_skipped = parsed.rows_skipped
    result.errors.extend(parsed.errors)
    result.ignored_columns = [parsed.header.display(c) for c in parsed.mapping.unknown]
    result.amounts_in_wan = [parsed.header.display(c) for c in parsed.wan_columns]
    if not dry_run:  # an automatic backup before every import that writes
        from fupin_desktop.services.trust import before_import

        before_import(db)
    with db.session(note=f"导入项目库 {result.file}") as session:
        actor = session.info.get("user")
        _apply_rows(session, parsed, result, actor=actor, progress=progress, cancel=cancel)
        if not dry_run and expected_fingerprint is not None and result.fingerprint() != expected_fingerprint:
            raise ConcurrentEditError(
                "在您核对之后，导入文件或库中相关项目已有变化（可能是表格又被修改，或其他人在录入）。"
                "为避免写入未经核对的内容，本次没有导入。请重新导入并核对。"
            )
        if dry_run:
            session.rollback()
        else:
            if progress is not None:
                progress(0, 0, "正在保存…")
            session.flush()
    result.committed = not dry_run and (result.count("new") + result.count("changed")) > 0
    result.errors.sort(key=lambda e: (e.row, e.col if e.col is not None else -1))
    result.rows.sort(key=lambda r: r.row)
    if errors_out is not None and (result.errors or result.warnings):
        issues = [Issue(e.row, e.col, e.message, e.severity) for e in (*result.errors, *result.warnings)]
        result.error_report = write_error_report(parsed.sheet, parsed.header, issues, errors_out)
    result.seconds = time.perf_counter() - started
    return result


# ============================================================================ export


@dataclass
class ExportResult:
    path: Path
    projects: int


_EXPORT_KIND = {"digits": "digits", "text": "text", "code": "text", "month": "text", "year": "int"}


def export_columns() -> list[ExportColumn]:
    out = []
    for f in PROJECT_SCHEMA:
        kind = _EXPORT_KIND.get(f.kind, f.kind)
        if f.key == "project_no":
            kind = "digits"
        width = 30.0 if f.key in ("name", "scope_and_content", "benefit_linkage", "performance_summary") else None
        out.append(ExportColumn(f.label, kind, width))
    return out


def _cells(project: Project, seq: int, regions: _Regions) -> list[Any]:
    rec = _record(project)
    row: list[Any] = []
    for f in PROJECT_SCHEMA:
        key = f.key
        if key == "seq":
            value: Any = seq
        elif key == "status":
            value = label_of("project_status", project.status)
        elif key == "township":
            value = regions.township_name(project.region_code)
        elif key == "village":
            value = regions.village_name(project.region_code)
        elif key == "region_code":
            value = project.region_code
        elif key in ("category", "subcategory", "construction_nature"):
            value = label_of(f.code_list or "", rec[key]) if rec[key] else None
        else:
            value = rec[key]
        row.append(value)
    return row


def export_projects(
    db: Any,
    path: str | os.PathLike[str],
    *,
    year: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ExportResult:
    """Write the projects (of ``year``, or all) in the batch-template layout to ``path``."""
    with db.session() as session:
        stmt = select(Project).options(selectinload(Project.fundings)).order_by(
            Project.year, Project.region_code, Project.project_no, Project.id
        )
        if year is not None:
            stmt = stmt.where(Project.year == year)
        projects = list(session.scalars(stmt))
        regions = _Regions(session)
        county = session.scalar(select(Region.name).where(Region.level == "county").order_by(Region.code).limit(1)) or ""
        rows = [_cells(p, i, regions) for i, p in enumerate(projects, start=1)]
    title = f"{county}{f'{year}年度' if year else ''}{TEMPLATE_TITLE}（金额单位：元）"
    n = write_table(path, export_columns(), rows, sheet_title="项目库", title_rows=(title,),
                    total=len(rows), progress=progress, cancel=cancel)
    return ExportResult(Path(path), n)
