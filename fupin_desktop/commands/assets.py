"""``fupin import assets``, ``fupin export assets`` and ``fupin print asset``.

    fupin [--db D] import assets FILE [--dry-run] [--json] [--errors OUT.xlsx]
    fupin [--db D] export assets OUT.xlsx [--region CODE]
    fupin [--db D] print asset --kind card|distribution|disposal --id N [--year Y] -o OUT.pdf
    fupin [--db D] print asset --kind ledger --region CODE -o OUT.pdf
    fupin [--db D] print asset --kind handover --id N -o OUT.pdf   (the hand-over that formed asset N)

``import``/``export`` are verbs shared by every area (``commands.noun_parsers``);
``print asset`` is one of the shared print kinds (``commands.print.add_print_kind``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fupin_desktop.commands import noun_parsers
from fupin_desktop.commands.print import PrintKind, add_print_kind, year_type
from fupin_desktop.errors import UserError

EXIT_OK = 0
EXIT_USER_ERROR = 2


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def _progress(done: int, total: int, message: str) -> None:
    print(f"\r{message} {done}/{total}", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def cmd_import_assets(args: argparse.Namespace) -> int:
    from fupin_desktop.commands import refuse_report_over_input
    from fupin_desktop.services import asset_exchange

    refuse_report_over_input(args)
    db = _open(args)
    try:
        report = asset_exchange.import_ledger(db, Path(args.file), dry_run=args.dry_run,
                                              errors_path=Path(args.errors) if args.errors else None,
                                              progress=None if args.json else _progress)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        for r in report.new:
            print(f"新增  第 {r.row} 行  {r.asset_no}  {r.name}")
        for r in report.changed:
            print(f"修改  第 {r.row} 行  {r.asset_no}  {r.name}")
            for column, old, new in r.changes:
                print(f"        {column}：{old or '（空）'} → {new or '（空）'}")
        for issue in report.issues:
            print(f"问题  {issue}", file=sys.stderr)
        if report.error_report:
            print(f"错误报告（问题单元格已标红）：{report.error_report}", file=sys.stderr)
        print(report.summary())
    return EXIT_USER_ERROR if report.issues else EXIT_OK


def cmd_export_assets(args: argparse.Namespace) -> int:
    from fupin_desktop.services import asset_exchange

    db = _open(args)
    try:
        n = asset_exchange.export_ledger(db, Path(args.out), region_code=args.region)
    finally:
        db.dispose()
    print(f"已导出 {n} 项资产：{args.out}")
    return EXIT_OK


PRINT_KINDS = {"card": "资产登记卡", "ledger": "资产台账", "distribution": "收益分配公示表", "disposal": "资产处置申请表",
               "handover": "资产移交书"}


def configure_print(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", type=int, help="资产 id（登记卡、公示表、处置申请表、移交书）")
    parser.add_argument("--region", metavar="CODE", help="区划代码（台账）")
    parser.add_argument("--kind", required=True, choices=sorted(PRINT_KINDS),
                        help="card 登记卡 / ledger 台账 / distribution 收益分配公示表 / disposal 处置申请表 / "
                             "handover 资产移交书（该资产所属的那次项目移交）")
    parser.add_argument("--year", type=year_type, help="公示表的收益年度（默认最近一年）")


def run_print(args: argparse.Namespace, db) -> int:
    from fupin_desktop.printing import asset_forms

    if args.kind == "ledger":
        if not args.region:
            raise UserError("打印资产台账请用 --region 指定区划代码（县、乡镇或村）。")
    elif args.id is None:
        raise UserError(f"打印{PRINT_KINDS[args.kind]}请用 --id 指定资产。")
    out = Path(args.output)
    if args.kind == "handover":
        from fupin_desktop.services import printing

        printing.print_handover(db, args.id, out)
        print(f"已生成{PRINT_KINDS[args.kind]}：{out}")
        return EXIT_OK
    try:
        with db.session() as s:
            if args.kind == "ledger":
                asset_forms.render_ledger(s, args.region, out)
            else:
                asset_forms.asset_exists(s, args.id)
                if args.kind == "card":
                    asset_forms.render_card(s, args.id, out)
                elif args.kind == "distribution":
                    income = asset_forms.latest_distributed_income(s, args.id, args.year)
                    asset_forms.render_distribution(s, income, out)
                else:
                    asset_forms.render_disposal(s, asset_forms.latest_disposal(s, args.id), out)
    except OSError as exc:
        raise UserError(f"无法写入 {out}：{exc.strerror or exc}。如文件正在打开，请先关闭。") from exc
    print(f"已生成{PRINT_KINDS[args.kind]}：{out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    nouns = noun_parsers(sub, "import", "从表格导入数据（先核对差异，有问题则不写入）")
    p = nouns.add_parser("assets", help="导入资产台账（.xlsx/.xls/.csv，按资产编号核对新增和修改）")
    p.add_argument("file", metavar="FILE", help="台账文件")
    p.add_argument("--dry-run", action="store_true", help="只核对并列出差异，不写入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出核对结果")
    p.add_argument("--errors", metavar="OUT.xlsx", help="有问题时把原表写到此文件，问题单元格标红并加“错误说明”列")
    p.set_defaults(func=cmd_import_assets)

    nouns = noun_parsers(sub, "export", "导出数据到表格")
    p = nouns.add_parser("assets", help="导出资产台账到 .xlsx")
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--region", metavar="CODE", help="只导出该区划（县、乡镇或村的12位代码）的资产")
    p.set_defaults(func=cmd_export_assets)

    add_print_kind(PrintKind("asset", "资产登记卡、资产台账、收益分配公示表、资产处置申请表、资产移交书（PDF）",
                             configure_print, run_print, output_help="输出的 PDF 文件"))
