"""``fupin report``: the 月报/年报, 上报 and 申请解锁 (DOMAIN §12).

    fupin [--db D] report monthly --month YYYY-MM [--region CODE] [-o OUT.xlsx] [--pdf OUT.pdf] [--json] [--live]
    fupin [--db D] report yearly --year YYYY [--region CODE] [-o OUT.xlsx] [--pdf OUT.pdf] [--json]
    fupin [--db D] report submit --month YYYY-MM [--region CODE]
    fupin [--db D] report unlock --month YYYY-MM [--region CODE] --reason TEXT
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fupin_desktop.commands import noun_parsers

EXIT_OK = 0


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def _user(db) -> str:
    from fupin_desktop.services.overview import current_user_name

    return current_user_name(db)


def _summary(report) -> str:
    t = report.total
    state = f"已上报（第 {report.revision} 次）" if report.submitted else "未上报"
    return (f"{report.title}：{state}；脱贫户 {t['households_tuopin']} 户 {t['people_tuopin']} 人，"
            f"监测对象 {t['households_monitored']} 户 {t['people_monitored']} 人"
            f"（风险未消除 {t['households_risk_open']} 户），新识别监测 {t['new_monitored_households']} 户，"
            f"风险消除 {t['eliminated_households']} 户，自然增加 {t['people_added']} 人，"
            f"自然减少 {t['people_removed']} 人；{len(report.rows)} 行。")


def _output(args: argparse.Namespace, report) -> int:
    from fupin_desktop.services import reports

    if args.out:
        reports.write_report_xlsx(report, Path(args.out))
    if args.pdf:
        reports.write_report_pdf(report, Path(args.pdf))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        print(_summary(report))
        for path in (args.out, args.pdf):
            if path:
                print(f"已写入：{path}")
    return EXIT_OK


def _report(args: argparse.Namespace, compute) -> int:
    db = _open(args)
    try:
        with db.session() as session:
            report = compute(session)
        return _output(args, report)
    finally:
        db.dispose()


def cmd_monthly(args: argparse.Namespace) -> int:
    from fupin_desktop.services import reports

    return _report(args, lambda s: reports.monthly_report(s, args.month, args.region, live=args.live))


def cmd_yearly(args: argparse.Namespace) -> int:
    from fupin_desktop.services import reports

    return _report(args, lambda s: reports.yearly_report(s, args.year, args.region))


def cmd_submit(args: argparse.Namespace) -> int:
    from fupin_desktop.services import reports

    db = _open(args)
    try:
        with db.session(note="月报上报") as session:
            revision = reports.submit_report(session, args.month, args.region, user=_user(db))
            name = reports.monthly_report(session, args.month, args.region).region_name
    finally:
        db.dispose()
    print(f"{name} {args.month} 月报已上报（第 {revision} 次），该月已锁定。")
    return EXIT_OK


def cmd_unlock(args: argparse.Namespace) -> int:
    from fupin_desktop.services import reports

    db = _open(args)
    try:
        with db.session(note="月报解锁") as session:
            reports.unlock_month(session, args.month, args.region, reason=args.reason, user=_user(db))
    finally:
        db.dispose()
    print(f"{args.month} 月报已解锁（原因：{args.reason.strip()}），修改后请重新上报。")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    kinds = noun_parsers(sub, "report", "月度报表和年报：生成、上报（锁定该月）、申请解锁")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--region", metavar="CODE", help="县、乡镇或村的12位区划代码（默认本县）")

    def outputs(p: argparse.ArgumentParser) -> None:
        common(p)
        p.add_argument("-o", dest="out", metavar="OUT.xlsx", help="写出县里格式的 .xlsx 报表")
        p.add_argument("--pdf", metavar="OUT.pdf", help="写出供签字盖章的 PDF（A4 横向）")
        p.add_argument("--json", action="store_true", help="以 JSON 输出全部数字")

    p = kinds.add_parser("monthly", help="月报：截至该月月底的数字（已上报的月份显示上报时的数字）")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="报告月份，如 2025-03")
    outputs(p)
    p.add_argument("--live", action="store_true", help="已上报的月份也按现有记录重新计算")
    p.set_defaults(func=cmd_monthly)

    p = kinds.add_parser("yearly", help="年报：截至12月31日的数字，变动按全年统计")
    p.add_argument("--year", required=True, metavar="YYYY", help="年份，如 2025")
    outputs(p)
    p.set_defaults(func=cmd_yearly)

    p = kinds.add_parser("submit", help="上报：保存该月数字（第1、2…次）并锁定该月")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    common(p)
    p.set_defaults(func=cmd_submit)

    p = kinds.add_parser("unlock", help="申请解锁：写明原因后重新打开已上报的月份")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    common(p)
    p.add_argument("--reason", required=True, metavar="TEXT", help="解锁原因")
    p.set_defaults(func=cmd_unlock)
