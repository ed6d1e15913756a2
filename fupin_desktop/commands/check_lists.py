"""``fupin check import-list`` and ``fupin check lists``: the 比对 lists of other departments.

    fupin [--db D] check import-list FILE --kind 财政供养人员|车辆登记|商品房|工商注册|村干部|死亡人员|参保人员|低保特困|医保大额|应急受灾 [--json]
    fupin [--db D] check lists [--json]

:func:`register` hooks both into ``fupin check`` (``commands.check.add_subcommand``); it is
listed before ``check`` in ``cli.AREA_COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fupin_desktop.commands import check

EXIT_OK = 0
# The keys of services.checks.compare.LIST_KINDS, spelled out so that `--help` needs no
# service import (a test keeps them equal).
KIND_CHOICES = ("财政供养人员", "车辆登记", "商品房", "工商注册", "村干部", "死亡人员", "参保人员", "低保特困",
                "医保大额", "应急受灾")


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def cmd_import_list(args: argparse.Namespace) -> int:
    from fupin_desktop.services.checks import compare
    from fupin_desktop.services.overview import current_user_name

    kind = compare.list_kind(args.kind)  # a wrong kind fails before the database is opened
    db = _open(args)
    try:
        with db.session(note=f"导入比对名单：{kind.label}") as s:
            result = compare.import_list(s, Path(args.file), kind.key, user=current_user_name(db))
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"{kind.label}名单“{result.source}”（第{result.version}版）：读取 {result.rows_read} 行，"
          f"有效证件号码 {result.ids_valid} 个，比中 {len(result.hits)} 人。")
    for u in result.unusable:
        print(f"  无法比对  第 {u.row} 行  {u.value or '（空）'}  {u.message}")
    for h in result.hits:
        mark = "  [已核实]" if h.verified else ""
        print(f"  {h.household_no or ''}  {h.name}  {h.finding} 处理：{h.action}{mark}")
    return EXIT_OK


def cmd_lists(args: argparse.Namespace) -> int:
    from fupin_desktop.services.checks import compare

    db = _open(args)
    try:
        with db.session() as s:
            lists = compare.comparison_lists(s)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([x.to_json() for x in lists], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not lists:
        print("还没有导入比对名单。用 fupin check import-list 文件 --kind 类别 导入。")
    for x in lists:
        print(f"{x.label}  {x.source}  第{x.version}版  {x.imported_at:%Y-%m-%d %H:%M}  {x.imported_by}  "
              f"{x.rows_read} 行  比中 {x.hits} 人（已核实 {x.verified}）")
    return EXIT_OK


def add_list_commands(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("import-list", help="导入其他部门的比对名单（按身份证号比对）")
    p.add_argument("file", metavar="FILE", help="名单文件（.xlsx、.xls 或 .csv，表头含身份证号列）")
    p.add_argument("--kind", required=True, metavar="|".join(KIND_CHOICES), help="名单类别")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_import_list)
    p = subs.add_parser("lists", help="列出已导入的比对名单")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_lists)


def register(_sub: argparse._SubParsersAction) -> None:
    if add_list_commands not in check.SUBCOMMANDS:
        check.add_subcommand(add_list_commands)
