"""``fupin import households`` and ``fupin export households`` (导入导出).

    fupin [--db D] import households FILE [--sheet NAME] [--dry-run] [--strict]
                                          [--errors OUT.xlsx] [--json] [--month YYYY-MM]
                                          [--create-regions] [--record-missing 死亡|迁出|婚出|其他]
    fupin [--db D] export households OUT.xlsx [--region CODE] [--mask]

Import exit codes: 0 when the file was processed (even with row errors, which are listed),
2 when it could not be read or its columns could not be recognised, when ``--strict`` refused
it for its errors, or when its 报告月份 is reported and locked (nothing is written then).
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK = 0
EXIT_REFUSED = 2  # --strict and the file has errors: nothing was imported


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def show(done: int, total: int, message: str) -> None:
        tail = f" {done}/{total}" if total > 0 else ""
        print(f"\r{message}{tail}    ", end="", file=sys.stderr, flush=True)

    return show


def cmd_import_households(args: argparse.Namespace) -> int:
    from fupin_desktop.commands import refuse_report_over_input
    from fupin_desktop.services.household_import import import_households

    refuse_report_over_input(args)
    db = _open(args)
    try:
        result = import_households(
            db,
            args.file,
            sheet=args.sheet,
            dry_run=args.dry_run,
            strict=args.strict,
            errors_out=args.errors,
            month=args.month,
            create_regions=args.create_regions,
            record_missing=args.record_missing is not None,
            left_reason=args.record_missing,
            progress=_progress(args.json),
        )
    finally:
        db.dispose()
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    code = EXIT_REFUSED if result.strict_refused else EXIT_OK
    if result.strict_refused:
        print(f"严格模式：文件中有 {len(result.errors)} 处错误，没有导入任何数据。", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return code
    c = result.counts
    head = "试导入（未写入数据库）" if result.dry_run else (
        "严格模式：有错误，未导入任何数据" if result.strict_refused else "导入完成")
    print(f"{head}：{result.file}（工作表“{result.sheet}”）")
    print(f"  读取 {c['rows_read']} 行，跳过空行/合计行 {c['rows_skipped']} 行")
    print(f"  农户：新增 {c['households_created']}，变更 {c['households_updated']}，"
          f"无变化 {c['households_unchanged']}，库中有而文件中没有 {c['households_missing']}，"
          f"因错误未导入 {c['households_skipped']}")
    print(f"  成员：新增 {c['members_created']}，变更 {c['members_updated']}，"
          f"无变化 {c['members_unchanged']}，库中有而文件中没有 {c['members_missing']}，"
          f"因错误未导入 {c['members_skipped']}")
    if c.get("members_recorded_left"):
        print(f"  登记自然减少 {c['members_recorded_left']} 人（报告月份 {result.plan.month}）")
    plan = result.plan
    if plan is not None and plan.regions_missing:
        verb = ("将新建" if result.dry_run else "新建") if plan.create_regions else "缺少（未导入，加 --create-regions 新建）"
        print(f"  区划{verb} {len(plan.regions_missing)} 个：")
        from fupin_desktop.services.regions import LEVEL_LABELS

        for r in plan.regions_missing[:50]:
            kind = "国家代码" if r.national else "本地编码"
            print(f"    {LEVEL_LABELS.get(r.level, r.level)} {r.name} {r.code}（{kind}，{r.households} 户）")
    if plan is not None and plan.columns_absent:
        shown = "、".join(f"{label}（{n} 户）" for _k, label, n in plan.columns_absent)
        print(f"  表格中没有这些列，新增的户留空、列为“待补充”，已有的户保留原值：{shown}")
    if result.errors:
        print(f"  错误 {len(result.errors)} 处：")
        for err in result.errors[:50]:
            print(f"    第{err.excel_row}行 {err.column}：{err.message}")
        if len(result.errors) > 50:
            print(f"    ……另有 {len(result.errors) - 50} 处，见错误报告")
    if result.warnings:
        print(f"  提示 {len(result.warnings)} 处（不影响导入）")
    if result.error_report:
        print(f"  错误报告：{result.error_report}")
    return code


def cmd_export_households(args: argparse.Namespace) -> int:
    from fupin_desktop.services.household_export import export_households

    db = _open(args)
    try:
        result = export_households(db, args.out, region=args.region, mask=args.mask,
                                   progress=_progress(False))
    finally:
        db.dispose()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    masked = "（证件号码、电话、银行账号已隐去，出生日期只留年份）" if result.masked else ""
    print(f"已导出 {result.households} 户 {result.members} 人到 {result.path}{masked}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    from fupin_desktop.commands import noun_parsers

    what = noun_parsers(sub, "import", "从表格导入数据（先核对差异，有问题的行不写入）")
    p = what.add_parser("households", help="导入农户和家庭成员（全国系统导出表或县里的表格：.xlsx/.xls/.csv）")
    p.add_argument("file", metavar="FILE", help="要导入的表格文件")
    p.add_argument("--sheet", metavar="NAME", help="工作表名称（默认按内容自动选择）")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示差异，不写入数据库")
    p.add_argument("--strict", action="store_true", help="严格模式：只要有一行错误就什么都不导入")
    p.add_argument("--errors", metavar="OUT.xlsx", help="把错误报告（原表副本，标出错误单元格）写到此文件")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.add_argument("--month", metavar="YYYY-MM", help="导入所记变动的报告月份（默认本月；已上报锁定的月份不能导入）")
    p.add_argument("--create-regions", action="store_true",
                   help="新建表格中有、本系统还没有的乡（镇）和村（按国家统计用区划代码，找不到的用本地编码）")
    p.add_argument("--record-missing", metavar="原因", choices=["死亡", "迁出", "婚出", "其他"],
                   help="把文件中各户没有列出的在户成员登记为自然减少，原因为 死亡、迁出、婚出 或 其他")
    p.set_defaults(func=cmd_import_households)

    what = noun_parsers(sub, "export", "导出数据到表格")
    p = what.add_parser("households", help="导出农户和家庭成员（全国系统导出表的列顺序，可再导入）")
    p.add_argument("out", metavar="OUT.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--region", metavar="CODE", help="只导出该区划（县/乡镇/村的12位代码）内的农户")
    p.add_argument("--mask", action="store_true", help="隐去证件号码、电话和银行账号的中间几位，出生日期只留年份")
    p.set_defaults(func=cmd_export_households)
