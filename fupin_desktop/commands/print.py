"""``fupin print KIND …``: printed forms as PDF files.

    fupin [--db D] print handbook|card|form --household NO [NO …] -o OUT.pdf
    fupin [--db D] print handbook|card|form --region CODE -o OUT.pdf      (one PDF)
    fupin [--db D] print handbook|card|form --region CODE -o OUT_DIR/     (one file per household)
    fupin [--db D] print monitoring-form|authorization|income|plan|visits --household NO … -o OUT.pdf
    fupin [--db D] print notice --region CODE --kind 监测纳入 -o OUT.pdf
    fupin [--db D] print notice --region CODE --kind 人口变动 --month YYYY-MM -o OUT.pdf

Other areas add their own kinds (``print project …``, ``print asset …``) from their
``register`` function, before or after this one runs::

    from fupin_desktop.commands.print import PrintKind, add_print_kind

    def register(subparsers):
        ...
        add_print_kind(PrintKind("project", "项目入库申报表", configure, run))

``configure(parser)`` adds the kind's options (``-o/--output`` is already there) and
``run(args, db)`` prints and returns the exit code. ``args.output`` is a ``Path``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fupin_desktop.errors import UserError


@dataclass(frozen=True)
class PrintKind:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, object], int]
    output_help: str = ("输出的 PDF 文件；打印多户时给一个文件夹（已存在或以 / 结尾）则每户一个文件")


_KINDS: dict[str, PrintKind] = {}
_subparsers: argparse._SubParsersAction | None = None


def add_print_kind(kind: PrintKind) -> None:
    """Make ``fupin print <kind.name>`` available (replaces a kind of the same name)."""
    _KINDS[kind.name] = kind
    # A parser built again (tests, or main() called twice) already holds the known kinds.
    if _subparsers is not None and kind.name not in _subparsers.choices:
        _add(kind)


def _add(kind: PrintKind) -> None:
    assert _subparsers is not None
    p = _subparsers.add_parser(kind.name, help=kind.help, description=kind.help)
    p.add_argument("-o", "--output", required=True, metavar="OUT", help=kind.output_help)
    kind.configure(p)
    p.set_defaults(func=lambda args, k=kind: _run(k, args))


def _run(kind: PrintKind, args: argparse.Namespace) -> int:
    from fupin_desktop.db import open_database

    # Keep what was typed: a trailing "/" (a folder) is lost once it is a Path.
    args.output_text = args.output
    args.output = Path(args.output)
    db = open_database(args.db)
    try:
        return kind.run(args, db)
    finally:
        db.dispose()


def register(subparsers: argparse._SubParsersAction) -> None:
    global _subparsers
    p = subparsers.add_parser("print", help="打印扶贫手册、明白卡、户信息采集表、公示表等（生成 PDF）")
    _subparsers = p.add_subparsers(dest="print_kind", metavar="KIND", required=True,
                                   parser_class=subparsers._parser_class)
    for kind in _KINDS.values():
        _add(kind)


# -- household forms ------------------------------------------------------------------------


def _progress(done: int, total: int, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total} {message[:40]:<40}", end="", file=sys.stderr, flush=True)


def year_type(value: str) -> int:
    """argparse type of a --year option: a four-digit year 2000–2100."""
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度应为四位数字：{value}") from None
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"年度超出范围：{value}")
    return year


def _household_configure(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--household", nargs="+", metavar="NO", help="户编号（可以给多个）")
    who.add_argument("--region", metavar="CODE", help="村或乡镇的12位区划代码：打印其下所有在册户")
    parser.add_argument("--year", type=year_type,
                        help="年度（默认今年：印今年有效的帮扶措施，收支取该年或之前最近一年并注明年度）")


def _household_run(form_key: str) -> Callable[[argparse.Namespace, object], int]:
    def run(args: argparse.Namespace, db) -> int:
        from fupin_desktop.services import printing

        out: Path = args.output
        raw = args.output_text
        per_household = out.is_dir() or raw.endswith(("/", "\\"))
        if not per_household and out.suffix.lower() != ".pdf":
            raise UserError(f"输出文件应以 .pdf 结尾：{out}。要每户一个文件，请给一个文件夹（以 / 结尾）。")
        kwargs = dict(per_household=per_household, year=args.year, progress=_progress)
        if args.household:
            result = printing.print_household_numbers(db, form_key, args.household, out, **kwargs)
        else:
            result = printing.print_region(db, form_key, args.region, out, **kwargs)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"{result.summary()}（用时 {result.seconds:.1f} 秒）")
        return 0

    return run


# (key, short name) of printing.notice.NOTICE_KINDS, for the help text without importing
# reportlab and SQLAlchemy before the arguments are read (a test keeps the two equal).
NOTICE_KIND_NAMES = (("identify", "识别"), ("monitor", "监测纳入"), ("eliminate", "风险消除"),
                     ("distribution", "收益分配"))


def _notice_configure(parser: argparse.ArgumentParser) -> None:
    kinds = "、".join(f"{short}（{key}）" for key, short in NOTICE_KIND_NAMES)
    parser.add_argument("--region", required=True, metavar="CODE", help="村或乡镇的12位区划代码")
    parser.add_argument("--kind", required=True, metavar="KIND",
                        help=f"公示类型：{kinds}、人口变动（change，按月，需 --month）")
    parser.add_argument("--year", type=year_type, help="年度（默认最近一个有记录的年度）")
    parser.add_argument("--month", metavar="YYYY-MM", help="人口变动公示的报告月份，例如 2026-11")
    parser.add_argument("--from", dest="posted_on", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="公示开始日期（默认今天）")
    parser.add_argument("--days", type=int, default=5, help="公示天数（默认 5）")
    parser.add_argument("--phone", default="", help="乡镇监督电话（与 12317 一起印在表上）")


def _notice_run(args: argparse.Namespace, db) -> int:
    from fupin_desktop.services import printing

    if args.output.suffix.lower() != ".pdf":
        raise UserError(f"输出文件应以 .pdf 结尾：{args.output}")
    if args.kind.strip() in CHANGE_NOTICE_NAMES:
        if not args.month:
            raise UserError("打印人口变动公示请用 --month 指定报告月份，例如 --month 2026-11。")
        result = printing.print_change_notice(db, args.region, args.month, args.output,
                                              posted_on=args.posted_on, days=args.days, phone=args.phone)
        print(f"已生成人口变动公示：{result.households} 户，{result.pages} 页：{args.output}")
        return 0
    if args.month:
        raise UserError("--month 只用于人口变动公示；其他公示表请用 --year 指定年度。")
    result = printing.print_notice(db, args.region, args.kind, args.output, year=args.year,
                                   posted_on=args.posted_on, days=args.days, phone=args.phone)
    print(f"已生成公示表：{result.households} 户，{result.pages} 页：{args.output}")
    return 0


CHANGE_NOTICE_NAMES = ("change", "人口变动", "动态调整", "人口变动公示")

for _key, _help in (("handbook", "扶贫手册（一户一档）"), ("card", "帮扶明白卡（每户一页）"),
                    ("form", "户信息采集表"), ("monitoring-form", "防止返贫监测对象信息采集表"),
                    ("authorization", "监测对象申请及承诺授权书（每位成年家庭成员签字）"),
                    ("income", "收入测算表（分项收入、人均纯收入与监测范围）"),
                    ("plan", "帮扶计划表"), ("visits", "走访记录表")):
    add_print_kind(PrintKind(_key, _help, _household_configure, _household_run(_key)))
add_print_kind(PrintKind("notice", "公示表（识别、监测纳入、风险消除、收益分配、人口变动）", _notice_configure,
                         _notice_run))
