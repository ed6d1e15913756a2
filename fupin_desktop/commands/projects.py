"""项目库 commands.

    fupin [--db D] print project --id N --kind declaration|notice|list -o OUT.pdf
    fupin [--db D] print project --year Y [--region CODE] --kind declaration|notice|list -o OUT.pdf
    fupin [--db D] import projects FILE [--dry-run] [--json] [--errors OUT.xlsx]
    fupin [--db D] export projects OUT.xlsx [--year Y]

Import exit codes: 0 when the file was processed (even with row errors, which are listed),
2 when it could not be read or its columns could not be recognised.

``print project`` is one of the shared print kinds (commands/print.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fupin_desktop.commands.print import PrintKind, add_print_kind, year_type
from fupin_desktop.errors import UserError

KIND_HELP = "项目入库申报表（declaration）、项目公示表（notice）、年度项目清单（list）"


def configure(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, metavar="N", help="项目的内部编号（列表中“打开”可见）")
    which.add_argument("--year", type=year_type, metavar="Y", help="打印该年度的全部项目")
    parser.add_argument("--region", metavar="CODE", help="只打印该乡镇或村（12位区划代码）的项目，配合 --year")
    parser.add_argument("--kind", required=True, choices=("declaration", "notice", "list"),
                        help=KIND_HELP)  # fmt: skip


def run(args: argparse.Namespace, db) -> int:
    from fupin_desktop.printing import projects as pp

    out = Path(args.output)
    if out.suffix.lower() != ".pdf":
        raise UserError(f"输出文件应以 .pdf 结尾：{out}")
    if not out.parent.exists():
        raise UserError(f"输出文件夹不存在：{out.parent}")
    if args.region and args.id:
        raise UserError("--region 只能和 --year 一起使用。")
    with db.session() as s:
        n = pp.render(s, args.kind, str(out), project_id=args.id, year=args.year, region_code=args.region)
    print(f"已生成{pp.KINDS[args.kind]}：{out}（{n} 个项目）")
    return 0


def cmd_import_projects(args: argparse.Namespace) -> int:
    import json

    from fupin_desktop.db import open_database
    from fupin_desktop.commands import refuse_report_over_input
    from fupin_desktop.services.project_exchange import import_projects

    refuse_report_over_input(args)
    db = open_database(args.db)
    try:
        result = import_projects(db, args.file, dry_run=args.dry_run, errors_out=args.errors)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    c = result.counts
    head = "试导入（未写入数据库）" if result.dry_run else "导入完成"
    print(f"{head}：{result.file}（工作表“{result.sheet}”）")
    print(f"  读取 {c['rows_read']} 行，跳过空行/合计行 {c['rows_skipped']} 行")
    print(f"  项目：新增 {c['projects_created']}，变更 {c['projects_updated']}，"
          f"无变化 {c['projects_unchanged']}，因错误未导入 {c['projects_skipped']}")
    if result.amounts_in_wan:
        print(f"  按万元换算为元的列：{'、'.join(result.amounts_in_wan)}")
    for r in result.rows:
        if r.status == "changed":
            print(f"  第{r.row + 1}行 {r.label}：" + "；".join(ch.describe() for ch in r.changes))
    if result.errors:
        print(f"  错误 {len(result.errors)} 处：")
        for err in result.errors[:50]:
            print(f"    第{err.excel_row}行 {err.column}：{err.message}")
        if len(result.errors) > 50:
            print(f"    ……另有 {len(result.errors) - 50} 处，见错误报告")
    for w in result.warnings[:20]:
        print(f"  提示：第{w.excel_row}行 {w.column}：{w.message}")
    if result.error_report:
        print(f"  错误报告：{result.error_report}")
    return 0


def cmd_export_projects(args: argparse.Namespace) -> int:
    from fupin_desktop.db import open_database
    from fupin_desktop.services.project_exchange import export_projects

    db = open_database(args.db)
    try:
        result = export_projects(db, args.out, year=args.year)
    finally:
        db.dispose()
    print(f"已导出 {result.projects} 个项目到 {result.path}")
    return 0


def _register_exchange(subparsers: argparse._SubParsersAction) -> None:
    from fupin_desktop.commands import noun_parsers

    what = noun_parsers(subparsers, "import", "从表格导入数据（先核对差异，有问题的行不写入）")
    p = what.add_parser("projects", help="导入项目库（项目批量导入模板 .xlsx/.xls/.csv，按项目编号或年度+名称+地点核对）")
    p.add_argument("file", metavar="FILE", help="要导入的表格文件")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示差异，不写入数据库")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.add_argument("--errors", metavar="OUT.xlsx", help="把错误报告（原表副本，标出错误单元格）写到此文件")
    p.set_defaults(func=cmd_import_projects)

    what = noun_parsers(subparsers, "export", "导出数据到表格")
    p = what.add_parser("projects", help="导出项目库（项目批量导入模板的格式，可再导入）")
    p.add_argument("out", metavar="OUT.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--year", type=year_type, metavar="Y", help="只导出该年度的项目")
    p.set_defaults(func=cmd_export_projects)


def register(subparsers: argparse._SubParsersAction) -> None:
    add_print_kind(PrintKind("project", "打印项目入库申报表、项目公示表或年度项目清单（PDF）", configure, run,
                             output_help="输出的 PDF 文件"))
    _register_exchange(subparsers)
