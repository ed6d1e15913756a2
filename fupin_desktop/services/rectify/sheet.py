"""整改清单 to and from .xlsx, for the lists the county sends as spreadsheets.

Import reads .xlsx/.xls/.csv with the shared ``sheets`` machinery: title rows above the
header, headers merged over two or three rows (「责任落实」 over 牵头领导 / 责任单位 / 责任人),
merged cells in the body (a category or a lead written once for several rows), section
rows such as 「一、两不愁三保障方面」 skipped. 时限 may be a date cell, an Excel serial, text
(``2021-06-30``, ``2021年6月底``) or words (``立行立改``, ``长期坚持``). Rows are matched to
the list by 问题编号, else by the same 问题描述; ``sheets.diff.compare`` says which are new and
what would change before anything is written. A file with any problem changes nothing
(each problem names its row and column in Chinese); ``dry_run`` only reports.

Export writes the same columns (an export imports back with no change; text cells as
text), and a second sheet 「汇总」 by category and status with the 九个清零 line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models import Household, Project, Region
from fupin_desktop.rules.text import normalize_text
from fupin_desktop.services.asset_exchange import ImportReport as AssetImportReport
from fupin_desktop.services.asset_exchange import Issue  # row, column, Chinese message
from fupin_desktop.services.rectify import items as svc
from fupin_desktop.services.regions import RegionResolver
from fupin_desktop.sheets.diff import compare, display_value
from fupin_desktop.sheets.export import ExportColumn, write_table
from fupin_desktop.sheets.headers import detect_header
from fupin_desktop.sheets.readers import UNCOMPUTED_MESSAGE, UncomputedFormula, fill_merged, is_blank, open_workbook
from fupin_desktop.sheets.schema import Field, Schema

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

SHEET_TITLE = "整改清单"

SCHEMA = Schema("rectify", [
    Field("seq", "序号", "int", export_only=True),
    Field("item_no", "问题编号", "text", ("编号", "问题序号编号")),
    # Codes are read by the service (label, alias, or a text naming one: 「省级成效考核」).
    Field("source", "问题来源", "text", ("来源", "问题来源渠道", "发现渠道", "反馈渠道")),
    Field("category", "问题类别", "text", ("类别", "问题类型", "问题分类", "所属类别")),
    Field("description", "问题描述", "text", ("存在问题", "问题表现", "具体问题", "反馈问题", "问题内容",
                                          "问题清单"), max_length=2000),
    Field("villages", "涉及村", "text", ("涉及村（社区）", "所在村", "村（社区）", "涉及村组")),
    Field("households", "涉及农户户编号", "text", ("涉及农户", "户编号", "涉及户")),
    Field("projects", "涉及项目编号", "text", ("涉及项目", "项目编号")),
    Field("lead", "牵头领导", "text", ("责任领导", "包保领导", "牵头县领导")),
    Field("unit", "责任单位", "text", ("牵头单位", "责任部门", "责任单位（部门）")),
    Field("person", "责任人", "text", ("具体责任人", "责任人员")),
    Field("measures", "整改措施", "text", ("整改方案", "整改举措", "整改目标和措施")),
    Field("deadline", "整改时限", "text", ("时限", "完成时限", "整改期限", "整改完成时限")),
    Field("status", "整改状态", "text", ("整改情况", "完成情况", "整改进度", "状态", "是否完成整改")),
    Field("completed_on", "完成时间", "date", ("完成日期", "整改完成时间", "销号时间")),
    Field("progress", "整改进展", "text", ("整改进展情况", "进展情况", "整改成效", "整改落实情况"),
          max_length=2000),
    Field("evidence", "佐证材料", "text", ("佐证资料", "证明材料", "佐证"), max_length=2000),
    Field("note", "备注", "text", max_length=500),
])
_LABEL = {f.key: f.label for f in SCHEMA}
# Compared keys, in column order (what an import can change).
_KEYS = ("source", "category", "description", "villages", "households", "projects", "lead", "unit",
         "person", "measures", "deadline", "status", "completed_on", "progress", "evidence", "note")
_TEXT_COLUMNS = {"item_no", "households", "projects", "deadline"}
_SPLIT = re.compile(r"[、,，;；\s]+")


# -- export ---------------------------------------------------------------------------------


def _row_values(n: int, r: svc.ItemRow) -> list[Any]:
    return [n, r.item_no, r.source_label, r.category_label, r.description, "、".join(r.villages),
            "、".join(r.households), "、".join(r.projects), r.lead, r.unit, r.person, r.measures,
            r.deadline_text, r.status_label, r.completed_on, r.last_progress, r.last_evidence, r.note]


def export_list(db: Database, path: Path, *, flt: svc.RectifyFilter | None = None,
                progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> int:
    """Write the list (all items, or those of ``flt``) to ``path``; returns the item count."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from fupin_desktop.sheets.error_report import atomic_save
    from fupin_desktop.sheets.text_cells import text_row

    with db.session() as s:
        rows = svc.list_items(s, flt)
        totals = svc.summary(s)
    today = dt.date.today()
    columns = [ExportColumn(f.label, "text" if f.key in _TEXT_COLUMNS else
                            ("date" if f.kind == "date" else "int" if f.key == "seq" else "text"),
                            40 if f.key in ("description", "measures", "progress") else None)
               for f in SCHEMA]
    count = write_table(path, columns, [_row_values(i, r) for i, r in enumerate(rows, 1)],
                        sheet_title=SHEET_TITLE, total=len(rows), progress=progress, cancel=cancel,
                        title_rows=(SHEET_TITLE, f"导出日期：{today.isoformat()}　{totals.text()}"))
    wb = load_workbook(path)
    ws = wb.create_sheet("汇总")
    statuses = [svc.status_label(s) for s in svc.STATUSES]
    table: list[list[Any]] = [["问题类别", "问题数", *statuses, "逾期未完成"]]
    for line in totals.lines:
        table.append([line.label, line.total, *(line.counts.get(s, 0) for s in svc.STATUSES), line.overdue])
    by_status = totals.by_status
    table.append(["合计", totals.total, *(by_status[s] for s in svc.STATUSES), totals.overdue])
    table += [[], [totals.text()], [totals.nine_zero_text()]]
    for values in table:
        ws.append(text_row(ws, values))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 14
    atomic_save(wb, path)
    return count


# -- import ---------------------------------------------------------------------------------


@dataclass
class RowResult:
    row: int
    item_no: str
    description: str
    action: str  # 新增 / 修改 / 无变化
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)


@dataclass
class ImportReport(AssetImportReport):
    """The asset ledger's import report (new / changed / unchanged rows, issues), worded for
    problems; ``results`` hold :class:`RowResult`. No marked copy of the sheet is written."""

    def summary(self) -> str:
        head = (f"{self.file}：共 {self.rows} 个问题，新增 {len(self.new)} 个，修改 {len(self.changed)} 个，"
                f"无变化 {self.unchanged} 个")
        if self.issues:
            return head + f"，发现 {len(self.issues)} 个问题，未导入任何数据。"
        return head + ("，已导入。" if self.applied else "（预览，未写入）。")

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "rows": self.rows, "applied": self.applied,
            "new": [{"row": r.row, "item_no": r.item_no, "description": r.description} for r in self.new],
            "changed": [{"row": r.row, "item_no": r.item_no, "description": r.description,
                         "changes": [{"column": c, "old": o, "new": n} for c, o, n in r.changes]}
                        for r in self.changed],
            "unchanged": self.unchanged,
            "issues": [{"row": i.row, "column": i.column, "message": i.message} for i in self.issues],
            "ignored_columns": self.ignored_columns,
        }


def _read(path: Path):
    with open_workbook(path) as book:
        name = SHEET_TITLE if SHEET_TITLE in book.sheet_names else book.sheet_names[0]
        sheet = book.read(name)
    if sheet.last_nonblank_row() < 0:
        raise UserError(f"{path.name} 是空的。")
    try:
        header = detect_header(sheet, SCHEMA.knows)
    except ValueError:
        header = None
    mapping = SCHEMA.map_columns(header) if header else None
    if header is None or mapping is None or len(mapping.columns) < 3:
        raise UserError("没有找到整改清单的表头（应含“问题来源”“问题类别”“问题描述”“整改时限”等列）。"
                        "请用本程序导出的整改清单格式。")
    fill_merged(sheet, first_row=header.data_start)
    return sheet, header, mapping


def _section_row(values: list[Any]) -> bool:
    """「一、两不愁三保障方面（5个）」: a band merged across the row, one text in every cell."""
    filled = {str(v).strip() for v in values if not is_blank(v)}
    return len(filled) == 1 and sum(1 for v in values if not is_blank(v)) > 1


def _text(value: Any) -> str:
    if value is None or is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(value)


def _existing_record(r: svc.ItemRow) -> dict[str, Any]:
    return {"source": r.source_label, "category": r.category_label, "description": r.description,
            "villages": "、".join(r.villages), "households": "、".join(sorted(r.households)),
            "projects": "、".join(sorted(set(r.projects))), "lead": r.lead, "unit": r.unit, "person": r.person,
            "measures": r.measures, "deadline": r.deadline_text, "status": r.status_label,
            "completed_on": r.completed_on, "progress": r.last_progress, "evidence": r.last_evidence,
            "note": r.note}


def import_list(db: Database, path: Path, *, dry_run: bool = False, user: str | None = None,
                progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """Check the sheet against the list and (unless ``dry_run`` or any problem) apply it:
    new problems are registered, known ones (same 问题编号, or same 问题描述) get the changed
    fields, a changed status is a status change (dated by 完成时间 when completing), a new
    整改进展 text is a progress note dated today. All or nothing."""
    path = Path(path)
    sheet, header, mapping = _read(path)
    report = ImportReport(file=path.name)
    cols = mapping.by_key()
    report.ignored_columns = [header.display(c) for c in mapping.unknown
                              if header.column(c) and header.column(c).parts]
    for required in ("source", "category", "description"):
        if required not in cols:
            raise UserError(f"表中缺少“{_LABEL[required]}”列。")
    body = []
    for r in range(header.data_start, sheet.height):
        if sheet.row_is_blank(r):
            continue
        values = [sheet.cell(r, c) for c in cols.values()]
        if _section_row(values):
            continue
        body.append(r)
    report.rows = len(body)

    def bad(r: int, key: str, message: str) -> None:
        col = cols.get(key)
        report.issues.append(Issue(r + 1, header.display(col) if col is not None else _LABEL.get(key, ""),
                                   message))

    conv = SCHEMA.converter()
    cells: dict[str, list[Any]] = {}
    failed: set[tuple[int, str]] = set()
    for key, c in cols.items():
        raw = [sheet.cell(r, c) for r in body]
        if key == "deadline":  # parsed below from the raw cell (date, serial or text)
            cells[key] = raw
            continue
        values, errors = conv.convert_column(key, raw)
        for i, message in errors.items():
            bad(body[i], key, message)
            failed.add((i, key))
        cells[key] = values

    if not dry_run:  # an automatic backup before every import that writes
        from fupin_desktop.services.trust import before_import

        before_import(db)
    with db.session(note=f"导入整改清单 {report.file}") as s:
        resolver = RegionResolver(s)
        existing_rows = {r.id: r for r in svc.list_items(s)}
        by_no = {r.item_no: r for r in existing_rows.values()}
        by_text: dict[str, list[svc.ItemRow]] = {}
        for r in existing_rows.values():
            by_text.setdefault(normalize_text(r.description), []).append(r)
        hh_ids: dict[str, int] = {}
        numbers = sorted({n for v in cells.get("households", []) if v for n in _SPLIT.split(_text(v)) if n})
        for i in range(0, len(numbers), 500):
            hh_ids.update(s.execute(select(Household.household_no, Household.id)
                                    .where(Household.household_no.in_(numbers[i:i + 500]))).all())
        project_ids: dict[str, int] = {}
        project_shown: dict[int, str] = {}
        region_names = dict(s.execute(select(Region.code, Region.name)).all())
        for pid, no, name in s.execute(select(Project.id, Project.project_no, Project.name)):
            project_ids.setdefault(name, pid)
            project_shown[pid] = no or name
            if no:
                project_ids[no] = pid

        incoming: dict[int, dict[str, Any]] = {}
        existing: dict[int, dict[str, Any]] = {}
        parsed: dict[int, dict[str, Any]] = {}
        seen_no: dict[str, int] = {}
        seen_text: dict[str, int] = {}
        for i, r in enumerate(body):
            if cancel and cancel():
                s.rollback()
                raise UserError("已取消导入，未写入任何数据。")
            if progress and ((i + 1) % 100 == 0 or i + 1 == len(body)):
                progress(i + 1, len(body), "正在核对整改清单")
            cell = {k: v[i] for k, v in cells.items()}
            before = len(report.issues)
            values: dict[str, Any] = {}
            for key in ("source", "category", "description", "lead", "unit", "person", "measures", "note"):
                if key in cols and (i, key) not in failed:
                    values[key] = cell[key]
            for key in ("source", "category", "description"):
                if (i, key) not in failed and not values.get(key):
                    bad(r, key, f"请填写{_LABEL[key]}。")
            clean: dict[str, Any] = {}
            for key, value in values.items():
                if value is None and key in ("source", "category", "description"):
                    continue
                try:
                    clean.update(svc.clean_values({key: value}))
                except UserError as exc:
                    bad(r, key, str(exc))
            values = clean
            if "deadline" in cols:
                raw = cell["deadline"]
                if type(raw) is UncomputedFormula:
                    bad(r, "deadline", UNCOMPUTED_MESSAGE)
                else:
                    try:
                        values["deadline"], values["deadline_note"] = svc.parse_deadline(raw)
                    except UserError as exc:
                        bad(r, "deadline", str(exc))
            links: dict[str, list[Any]] = {}
            if "households" in cols:
                wanted = [n for n in _SPLIT.split(_text(cell["households"])) if n]
                unknown = [n for n in wanted if n not in hh_ids]
                if unknown:
                    bad(r, "households", f"户编号 {'、'.join(unknown)} 在户籍中不存在，请核对。")
                links["household_ids"] = [hh_ids[n] for n in wanted if n in hh_ids]
            if "projects" in cols:
                wanted = [n for n in re.split(r"[、;；\n]+", _text(cell["projects"])) if n.strip()]
                unknown = [n for n in wanted if n.strip() not in project_ids]
                if unknown:
                    bad(r, "projects", f"项目 {'、'.join(unknown)} 在项目库中不存在（请填写项目编号或项目名称）。")
                links["project_ids"] = [project_ids[n.strip()] for n in wanted if n.strip() in project_ids]
            if "villages" in cols:
                codes = []
                for name in (n for n in _SPLIT.split(_text(cell["villages"])) if n):
                    found = resolver.resolve(code=name) if name.isdigit() else resolver.resolve(village=name)
                    if found.code and not found.missing:
                        codes.append(found.code)
                    else:
                        bad(r, "villages", f"找不到村“{name}”（或有重名），请核对村名或填写12位区划代码。")
                links["village_codes"] = codes
            status = None
            if cell.get("status") and (i, "status") not in failed:
                try:
                    status = svc.normalize_status(cell["status"])
                except UserError as exc:
                    bad(r, "status", str(exc))
            completed = cell.get("completed_on")
            if completed and completed > dt.date.today():
                bad(r, "completed_on", f"完成时间 {completed.isoformat()} 在今天之后，请核对。")
            number = _text(cell.get("item_no")) or None
            target: svc.ItemRow | None = None
            if number:
                if number in seen_no:
                    bad(r, "item_no", f"问题编号与第 {seen_no[number]} 行重复。")
                seen_no[number] = r + 1
                target = by_no.get(number)
            text_key = normalize_text(values.get("description") or "")
            if text_key and not number:
                if text_key in seen_text:
                    bad(r, "description", f"问题描述与第 {seen_text[text_key]} 行相同；确是两个问题的，"
                                          "请在“问题编号”列分别填写编号。")
                seen_text[text_key] = r + 1
                same = by_text.get(text_key, [])
                if len(same) == 1:
                    target = same[0]
            if len(report.issues) > before or any((i, k) in failed for k in cols):
                continue
            record: dict[str, Any] = {k: values.get(k) for k in
                                      ("description", "lead", "unit", "person", "measures", "note") if k in cols}
            record["source"] = label_of("rectify_source", values["source"])
            record["category"] = label_of("rectify_category", values["category"])
            if "deadline" in cols:
                record["deadline"] = svc.deadline_text(values.get("deadline"), values.get("deadline_note"))
            if "status" in cols and status:
                record["status"] = svc.status_label(status)
            if "completed_on" in cols:
                record["completed_on"] = completed
            # Links compare as the list shows them (户编号, 项目编号 or name, village name).
            if "households" in cols:
                record["households"] = "、".join(sorted(set(_SPLIT.split(_text(cell["households"]))) - {""}))
            if "projects" in cols:
                record["projects"] = "、".join(sorted({project_shown[p] for p in links["project_ids"]}))
            if "villages" in cols:
                record["villages"] = "、".join(region_names[c] for c in sorted(set(links["village_codes"])))
            # A progress note is added when its text or evidence differs from the latest one;
            # blank cells leave the history alone.
            if cell.get("progress") or cell.get("evidence"):
                for key in ("progress", "evidence"):
                    if key in cols:
                        record[key] = cell.get(key)
            incoming[r] = record
            if target is not None:
                existing[r] = _existing_record(target)
            parsed[r] = {"number": number, "values": values, "links": links, "status": status,
                         "completed": completed, "target": target,
                         "progress": cell.get("progress"), "evidence": cell.get("evidence")}

        diff = compare(existing, incoming, _KEYS, _LABEL)
        new_rows = set(diff.new)
        for r, p in parsed.items():
            values, links, target = p["values"], p["links"], p["target"]
            description = values.get("description") or ""
            try:
                if r in new_rows:
                    item = svc.create_item(s, {**values, "item_no": p["number"],
                                               "completed_on": p["completed"]},
                                           status=p["status"] or "01", **links)
                    if p["progress"] or p["evidence"]:
                        svc.add_progress(s, item.id, p["progress"] or "", evidence=p["evidence"], user=user)
                    report.results.append(RowResult(r + 1, item.item_no, description, "新增"))
                    continue
                changes = diff.changed.get(r)
                if not changes:
                    report.results.append(RowResult(r + 1, target.item_no, description, "无变化"))
                    continue
                changed = {c.key for c in changes}
                update = {k: v for k, v in values.items() if k in changed or
                          (k == "deadline_note" and "deadline" in changed)}
                if "completed_on" in changed and "status" not in changed:
                    update["completed_on"] = p["completed"]
                # household_ids → households, project_ids → projects, village_codes → villages
                svc.update_item(s, target.id, update,
                                **{k: v for k, v in links.items() if k.split("_")[0] + "s" in changed})
                if "status" in changed:
                    done = p["status"] in svc.DONE
                    svc.set_status(s, target.id, p["status"], on=p["completed"] if done else None,
                                   note=f"按导入文件“{report.file}”更新", user=user)
                if {"progress", "evidence"} & changed and (p["progress"] or p["evidence"]):
                    svc.add_progress(s, target.id, p["progress"] or "", evidence=p["evidence"], user=user)
                report.results.append(RowResult(r + 1, target.item_no, description, "修改", [
                    (c.label, display_value(c.old), display_value(c.new)) for c in changes]))
            except UserError as exc:
                report.issues.append(Issue(r + 1, "", str(exc)))
        report.issues.sort(key=lambda x: x.row)
        report.results.sort(key=lambda x: x.row)
        if report.issues or dry_run:
            s.rollback()
        else:
            report.applied = True
    return report
