"""项目库 commands.

    fupin [--db D] print project --id N --kind declaration|notice|list -o OUT.pdf
    fupin [--db D] print project --year Y [--region CODE] --kind declaration|notice|list -o OUT.pdf

``print project`` joins the shared ``fupin print`` command (commands/print.py) when it is
there; without it this module adds a minimal ``print`` command with the one kind.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fupin_desktop.errors import UserError

KIND_HELP = "项目入库申报表（declaration）、项目公示表（notice）、年度项目清单（list）"


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度应为四位数字：{value}") from None
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"年度超出范围：{value}")
    return year


def configure(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, metavar="N", help="项目的内部编号（列表中“打开”可见）")
    which.add_argument("--year", type=_year, metavar="Y", help="打印该年度的全部项目")
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


def register(subparsers: argparse._SubParsersAction) -> None:
    try:
        from fupin_desktop.commands.print import PrintKind, add_print_kind  # type: ignore[import-not-found]
    except ImportError:
        _register_own_print(subparsers)
        return
    add_print_kind(PrintKind("project", "打印项目入库申报表、项目公示表或年度项目清单（PDF）", configure, run))


def _register_own_print(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("print", help="打印表格（生成 PDF）")
    kinds = p.add_subparsers(dest="print_kind", metavar="KIND", required=True,
                             parser_class=subparsers._parser_class)  # fmt: skip
    q = kinds.add_parser("project", help="打印项目入库申报表、项目公示表或年度项目清单（PDF）")
    q.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="输出的 PDF 文件")
    configure(q)

    def call(args: argparse.Namespace) -> int:
        from fupin_desktop.db import open_database

        db = open_database(args.db)
        try:
            return run(args, db)
        finally:
            db.dispose()

    q.set_defaults(func=call)
