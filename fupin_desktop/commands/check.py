"""``fupin check``: the 核查 of the whole county (or one township/village).

    fupin [--db D] check [--region CODE] [--json] [-o FINDINGS.xlsx]

``check`` takes optional sub-commands (``check import-list``, ``check lists`` …): a module
adds its own by appending a ``(subparsers) -> None`` function to :data:`SUBCOMMANDS`
(before :func:`register` runs), or by calling :func:`add_subcommand` with one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from fupin_desktop.errors import UserError

EXIT_OK = 0

# Each adds sub-commands to ``fupin check``: called with the ``check`` sub-parsers action.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def add_subcommand(add: Callable[[argparse._SubParsersAction], None]) -> None:
    SUBCOMMANDS.append(add)


def _check_region(session, code: str | None) -> str | None:
    from fupin_desktop.services.regions import known_code

    return known_code(session, code)


def cmd_check(args: argparse.Namespace) -> int:
    from fupin_desktop.cli import _open, _print_progress
    from fupin_desktop.services import checks
    from fupin_desktop.services.overview import current_user_name

    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件“{out.name}”应以 .xlsx 结尾。")
    db = _open(args)
    try:
        with db.session(note="数据核查") as s:
            region = _check_region(s, args.region)
            result = checks.run_checks(s, region, user=current_user_name(db),
                                       progress=None if args.json else _print_progress)
            if out is not None:
                checks.write_findings_xlsx(result, s, out)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return EXIT_OK
    by_code = {c.code: c for c in checks.CATALOGUE}
    for code, n in result.counts.items():
        if n:
            c = by_code[code]
            print(f"{c.severity}  {n:>7}  {c.title}")
    errors = sum(n for code, n in result.counts.items() if by_code[code].severity == checks.ERROR)
    warnings = sum(result.counts.values()) - errors
    print(f"核查了 {result.households_checked} 户，用时 {result.seconds:.1f} 秒：错误 {errors} 条，提醒 {warnings} 条。")
    if result.fixed:
        print(f"比上次核查已整改 {sum(result.fixed.values())} 条。")
    if out is not None:
        print(f"核查结果已导出：{out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="核查全部（或一个乡镇、村的）数据，列出错误和提醒")
    p.add_argument("--region", metavar="CODE", help="只核查这个乡镇或村（12 位行政区划代码）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出核查结果")
    p.add_argument("-o", "--output", metavar="FINDINGS.xlsx", help="把核查结果导出为 Excel（每项核查一张表）")
    p.set_defaults(func=cmd_check)
    if SUBCOMMANDS:
        subs = p.add_subparsers(dest="check_command", metavar="SUBCOMMAND", parser_class=type(p))
        for add in SUBCOMMANDS:
            add(subs)
