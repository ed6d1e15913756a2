"""``fupin rectify``: the 整改清单 (DOMAIN §16.3), and ``fupin print rectify``.

    fupin [--db D] rectify import FILE [--dry-run] [--json]
    fupin [--db D] rectify list [--json] [--status S …] [--category C] [--overdue]
    fupin [--db D] rectify export OUT.xlsx
    fupin [--db D] print rectify -o OUT.pdf [--status S …] [--category C] [--overdue]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fupin_desktop.commands import noun_parsers
from fupin_desktop.commands.print import PrintKind, add_print_kind

EXIT_OK = 0
EXIT_USER_ERROR = 2
STATUS_HELP = "整改状态：未整改、正在整改、已完成、已完成并长期坚持（可给多个）"


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def _filter(args: argparse.Namespace):
    from fupin_desktop.services import rectify

    flt = rectify.RectifyFilter(statuses=tuple(args.status or ()), category=args.category,
                                overdue=True if args.overdue else None)
    # Bad names fail before the database is opened.
    for status in flt.statuses:
        rectify.normalize_status(status)
    if flt.category:
        from fupin_desktop.services.rectify.items import clean_values

        clean_values({"category": flt.category})
    return flt


def _progress(done: int, total: int, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{message} {done}/{total}", end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from fupin_desktop.services import rectify
    from fupin_desktop.services.overview import current_user_name

    db = _open(args)
    try:
        report = rectify.import_list(db, Path(args.file), dry_run=args.dry_run, user=current_user_name(db),
                                     progress=None if args.json else _progress)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        for r in report.new:
            print(f"新增  第 {r.row} 行  {r.item_no or '（导入时编号）'}  {r.description[:30]}")
        for r in report.changed:
            print(f"修改  第 {r.row} 行  {r.item_no}  {r.description[:30]}")
            for column, old, new in r.changes:
                print(f"        {column}：{old} → {new}")
        for issue in report.issues:
            print(f"问题  {issue}", file=sys.stderr)
        print(report.summary())
    return EXIT_USER_ERROR if report.issues else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from fupin_desktop.services import rectify

    flt = _filter(args)
    db = _open(args)
    try:
        with db.session() as s:
            rows = rectify.list_items(s, flt)
            totals = rectify.summary(s)
    finally:
        db.dispose()
    by_status = {rectify.status_label(code): 0 for code in rectify.STATUSES}
    for r in rows:
        by_status[r.status_label] += 1
    if args.json:
        print(json.dumps({"items": [r.to_json() for r in rows], "by_status": by_status,
                          "summary": totals.to_json()}, ensure_ascii=False, indent=1))
        return EXIT_OK
    if not rows:
        print("整改清单中没有符合条件的问题。用 fupin rectify import 文件 导入县里下发的清单。")
    for r in rows:
        mark = "  【逾期】" if r.overdue else ""
        print(f"{r.id:>4}  {r.item_no}  {r.source_label}  {r.category_label}  {r.status_label}  "
              f"时限 {r.deadline_text or '（未定）'}{mark}  {r.description[:30]}")
    print("，".join(f"{k} {v} 个" for k, v in by_status.items()))
    print(totals.text())
    print(totals.nine_zero_text())
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from fupin_desktop.services import rectify

    db = _open(args)
    try:
        n = rectify.export_list(db, Path(args.out))
    finally:
        db.dispose()
    print(f"已导出 {n} 个整改问题：{args.out}")
    return EXIT_OK


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status", nargs="+", metavar="S", help=STATUS_HELP)
    p.add_argument("--category", metavar="C", help="问题类别，如 两不愁三保障、安全饮水、其他")
    p.add_argument("--overdue", action="store_true", help="只列逾期未完成的问题")


def run_print(args: argparse.Namespace, db) -> int:
    from fupin_desktop.services import rectify

    pages = rectify.print_list(db, args.output, _filter(args))
    print(f"已生成整改清单：{pages} 页：{args.output}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rectify", help="整改清单：导入县里下发的清单、列出问题和整改状态、导出")
    subs = p.add_subparsers(dest="rectify_what", metavar="ACTION", parser_class=type(p))
    subs.required = True
    q = subs.add_parser("import", help="导入整改清单（.xlsx/.xls/.csv；先核对差异，有问题则不写入）")
    q.add_argument("file", metavar="FILE", help="清单文件")
    q.add_argument("--dry-run", action="store_true", help="只核对并列出差异，不写入")
    q.add_argument("--json", action="store_true", help="以 JSON 输出核对结果")
    q.set_defaults(func=cmd_import)
    q = subs.add_parser("list", help="列出整改问题、按状态的个数和九个清零情况")
    _filter_options(q)
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(func=cmd_list)
    q = subs.add_parser("export", help="导出整改清单到 .xlsx（可改后再导入）")
    q.add_argument("out", metavar="OUT.xlsx")
    q.set_defaults(func=cmd_export)

    add_print_kind(PrintKind("rectify", "整改清单（A4 横向，含按类别和状态的汇总）", _filter_options, run_print,
                             output_help="输出的 PDF 文件"))
