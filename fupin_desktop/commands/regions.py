"""``fupin init --county`` (first-day region set-up) and ``fupin regions list``.

    fupin [--db D] init [--county CODE|NAME [--township CODE|NAME ...]]
    fupin [--db D] regions list [--json] [--all]
"""

from __future__ import annotations

import argparse
import json

from fupin_desktop.errors import UserError

EXIT_OK = 0


def add_init_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--county", metavar="CODE|NAME",
                   help="同时设置本县区划：县（市、区）的名称或行政区划代码（如 望谟县、522326）；"
                        "从国家统计用区划代码中建立省、市、县、乡（镇）和村")
    p.add_argument("--township", metavar="CODE|NAME", nargs="+", action="extend",
                   help="只建立这些乡（镇）及其村（名称或代码，可写多个）；不写则建立全县")


def check_county(county: str | None, townships: list[str] | None):
    """The county (and townships) ``init`` was given, checked before the database is
    touched: a wrong or ambiguous name changes nothing. None without ``--county``."""
    if townships and not county:
        raise UserError("--township 需要与 --county 一起使用，例如：fupin init --county 望谟县 --township 王母街道")
    if not county:
        return None
    from fupin_desktop.services import regions

    entry = regions.find_county(county)
    for t in townships or ():
        regions.find_township(entry.code, t)
    return entry


def init_county(db, county, townships: list[str] | None) -> None:
    """The region part of ``fupin init``: set up ``county`` (from :func:`check_county`)."""
    if county is None:
        return
    from fupin_desktop.services import regions

    with db.session(note="设置本县区划") as session:
        created = regions.setup_county(session, county.code, townships)
    towns = sum(1 for e in created if e.level == "township")
    villages = sum(1 for e in created if e.level == "village")
    full = regions.national().full_name(county.code)
    if created:
        print(f"已设置区划：{full}（{county.code}），新建 {towns} 个乡（镇）、{villages} 个村（社区）。")
    else:
        print(f"区划已存在：{full}（{county.code}），没有需要新建的乡（镇）或村。")


def cmd_regions_list(args: argparse.Namespace) -> int:
    from fupin_desktop.db import open_database
    from fupin_desktop.services import regions

    db = open_database(args.db)
    try:
        with db.session() as session:
            rows = regions.list_regions(session, include_retired=args.all)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([
            {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_code,
             "households": r.households, "valid": r.valid} for r in rows
        ], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not rows:
        print("本数据库还没有区划。用 fupin init --county 县名 设置本县区划。")
        return EXIT_OK
    depth = {"province": 0, "prefecture": 1, "county": 2, "township": 3, "village": 4}
    print(f"{'代码':<12}  {'级别':<6}  {'户数':>6}  名称")
    for r in rows:
        label = regions.LEVEL_LABELS[r.level]
        retired = "（已撤销）" if not r.valid else ""
        print(f"{r.code:<12}  {label:<6}  {r.households:>6}  {'  ' * depth[r.level]}{r.name}{retired}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regions", help="行政区划：查看本数据库的区划")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", parser_class=type(p))
    p.set_defaults(func=lambda args: (p.print_help(), EXIT_OK)[1])
    q = verbs.add_parser("list", help="列出区划（代码、名称、级别、上级、户数）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.add_argument("--all", action="store_true", help="包括已撤销的区划")
    q.set_defaults(func=cmd_regions_list)
