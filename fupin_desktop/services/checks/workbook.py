"""The findings workbook: a 汇总 sheet and one sheet per check with findings, each row saying
where (乡镇, 村), which household (户编号, 户主) and member, which field and what to do — for
the village cadres to fix on paper (A4 landscape, header row repeated on every page)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import Asset, Helper, Household, Member, Project, Region
from fupin_desktop.rules.validation import HOUSEHOLD_FIELD_LABELS
from fupin_desktop.services.checks.catalogue import CATALOGUE, ERROR
from fupin_desktop.services.checks.engine import CheckResult, Finding
from fupin_desktop.sheets.error_report import atomic_save
from fupin_desktop.sheets.export import display_width
from fupin_desktop.sheets.headers import column_letter

# Fields of the set-based checks (the validator's are in HOUSEHOLD_FIELD_LABELS).
EXTRA_FIELD_LABELS = {
    "member_count": "家庭人口数", "per_capita_net_income": "人均纯收入", "resolved_on": "三保障解决日期",
    "measures": "帮扶措施", "end_date": "帮扶措施结束日期", "helper": "帮扶责任人", "cadre_rank": "干部职级",
    "status": "状态", "custodian_person": "管护责任人", "is_dangerous_house": "是否危房户",
    "safe_drinking_water": "是否解决安全饮用水", "person_no": "人口编号",
}
_MAX_WIDTH = {"说明": 70}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def field_label(name: str | None) -> str:
    if not name:
        return ""
    if name == "status":
        return "在户状态"
    return EXTRA_FIELD_LABELS.get(name) or HOUSEHOLD_FIELD_LABELS.get(name) or name


def _chunks(ids: list[int], n: int = 900):
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


class _Names:
    """Names of everything the findings point at, read in bulk."""

    def __init__(self, session: Session, findings: list[Finding]) -> None:
        self.regions = dict(session.execute(select(Region.code, Region.name)).all())
        self.households: dict[int, str] = {}
        self.members: dict[int, str] = {}
        self.projects: dict[int, tuple[str, str]] = {}
        self.assets: dict[int, tuple[str, str]] = {}
        self.helpers: dict[int, tuple[str, str]] = {}
        for ids, stmt, target in (
            ({f.household_id for f in findings if f.household_id}, lambda c: select(Household.id, Household.head_name).where(Household.id.in_(c)), self.households),
            ({f.member_id for f in findings if f.member_id}, lambda c: select(Member.id, Member.name).where(Member.id.in_(c)), self.members),
        ):
            for chunk in _chunks(sorted(ids)):
                target.update(session.execute(stmt(chunk)).all())
        for ids, model, cols, target in (
            ({f.project_id for f in findings if f.project_id}, Project, (Project.project_no, Project.name), self.projects),
            ({f.asset_id for f in findings if f.asset_id}, Asset, (Asset.asset_no, Asset.name), self.assets),
            ({f.helper_id for f in findings if f.helper_id}, Helper, (Helper.name, Helper.unit_name), self.helpers),
        ):
            for chunk in _chunks(sorted(ids)):
                for id_, a, b in session.execute(select(model.id, *cols).where(model.id.in_(chunk))):
                    target[id_] = (a or "", b or "")

    def place(self, code: str | None) -> tuple[str, str]:
        if not code:
            return "", ""
        township = self.regions.get(code[:9] + "000", "")
        village = self.regions.get(code, "") if not code.endswith("000") else ""
        return township, village


def _row(f: Finding, names: _Names) -> list[str]:
    township, village = names.place(f.region_code)
    if f.project_id:
        no, name = names.projects.get(f.project_id, ("", ""))
        who = ""
    elif f.asset_id:
        no, name = names.assets.get(f.asset_id, ("", ""))
        who = ""
    elif f.helper_id:
        name, no = names.helpers.get(f.helper_id, ("", ""))
        who = ""
    else:
        no = f.household_no or ""
        name = names.households.get(f.household_id, "") if f.household_id else ""
        who = names.members.get(f.member_id, "") if f.member_id else ""
    return [township, village, no, name, who, field_label(f.field), f.message]


def _headers(code: str) -> list[str]:
    if code.startswith("project."):
        return ["乡镇", "村", "项目编号", "项目名称", "成员", "字段", "说明"]
    if code.startswith("asset."):
        return ["乡镇", "村", "资产编号", "资产名称", "成员", "字段", "说明"]
    if code.startswith("helper."):
        return ["乡镇", "村", "帮扶单位", "帮扶责任人", "成员", "字段", "说明"]
    return ["乡镇", "村", "户编号", "户主", "成员", "字段", "说明"]


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("", title)[:28] or "核查"
    name, n = base, 2
    while name in used:
        name = f"{base[:26]}{n}"
        n += 1
    used.add(name)
    return name


def _setup_print(ws, header_row: int, columns: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = f"A{header_row + 1}"


def write_findings_xlsx(result: CheckResult, session: Session, path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾：{target.name}")
    names = _Names(session, result.findings)
    by_check: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_check.setdefault(f.check, []).append(f)

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    title_font = Font(bold=True, size=14)
    place = names.regions.get(result.region_code, "") if result.region_code else "全部"
    stamp = f"核查范围：{place}　核查时间：{dt.datetime.now():%Y-%m-%d %H:%M}　共核查 {result.households_checked} 户"

    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"

    def header(ws, title: str, heads: list[str], widths: list[float]) -> None:
        ws.append([title])
        ws.cell(1, 1).font = title_font
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
        ws.append([stamp])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(heads))
        ws.append(heads)
        for i, cell in enumerate(ws[3]):
            cell.font, cell.fill, cell.alignment, cell.border = head_font, head_fill, center, border
            ws.column_dimensions[column_letter(i)].width = widths[i]
        _setup_print(ws, 3, len(heads))

    rows = [[i + 1, c.title, c.severity, len(by_check.get(c.code, ())), c.rule]
            for i, c in enumerate(c for c in CATALOGUE if c.code in by_check)]
    heads = ["序号", "核查项", "类别", "条数", "规则"]
    header(summary, "数据核查结果汇总", heads, [6, 28, 8, 8, 70])
    for row in rows:
        summary.append(row)
        r = summary.max_row
        summary.row_dimensions[r].height = 15 * max(1, -(-display_width(row[4]) // 69))
        for i, cell in enumerate(summary[r]):
            cell.border = border
            cell.alignment = center if i in (0, 2, 3) else wrap
            if i == 2 and row[2] == ERROR:
                cell.font = Font(color="C00000", bold=True)
    summary.append(["", "合计", "", sum(r[3] for r in rows), ""])
    for cell in summary[summary.max_row]:
        cell.font, cell.border = head_font, border
    if not rows:
        summary.append(["", "未发现问题", "", 0, ""])

    used = {"汇总"}
    for c in CATALOGUE:
        findings = by_check.get(c.code)
        if not findings:
            continue
        ws = wb.create_sheet(_sheet_name(c.title, used))
        heads = _headers(c.code)
        data = [_row(f, names) for f in findings]
        widths = []
        for i, h in enumerate(heads):
            longest = max([display_width(h)] + [display_width(r[i]) for r in data[:300]])
            widths.append(min(max(longest + 2, 6), _MAX_WIDTH.get(h, 24)))
        header(ws, f"{c.title}（{c.severity}，{len(findings)} 条）", heads, widths)
        for r in data:
            ws.append(r)
            # Row height for the wrapped text (spreadsheet programs do not grow rows on open).
            lines = max(-(-display_width(v) // max(int(widths[i]) - 1, 1)) for i, v in enumerate(r) if v)
            ws.row_dimensions[ws.max_row].height = 15 * max(lines, 1)
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                cell.border = border
                cell.alignment = wrap
        ws.auto_filter.ref = f"A3:{column_letter(len(heads) - 1)}{ws.max_row}"
    atomic_save(wb, target)
    return target
