"""``fupin risk …`` and ``fupin visits …``: 识别定级, 监测预警 and the visits by grade.

    fupin [--db D] risk grade [--region CODE] [--apply] [--json]
    fupin [--db D] risk warnings [--region CODE] [--json]
    fupin [--db D] visits due [--month YYYY-MM] [--region CODE] [--json]
    fupin [--db D] print visit-plan --month YYYY-MM (--helper ID | --region CODE) -o OUT.pdf

``risk grade`` lists the suggested grades; without ``--apply`` nothing is written, with it
the suggestions that differ from the current grades are set (the clerk's decision, one
history row each). ``risk warnings`` raises the new warnings, clears those whose data no
longer crosses a rule, and lists the ones waiting for verification.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from fupin_desktop.commands.print import PrintKind, add_print_kind
from fupin_desktop.errors import UserError

EXIT_OK = 0


def _check_region(session, code: str | None) -> str | None:
    from fupin_desktop.services.regions import known_code

    return known_code(session, code)


def _month(value: str) -> str:
    from fupin_desktop.services.reports.figures import check_month

    return check_month(value)


def cmd_grade(args: argparse.Namespace) -> int:
    from fupin_desktop.cli import _open
    from fupin_desktop.services import risk

    db = _open(args)
    try:
        with db.session(note="风险定级") as s:
            region = _check_region(s, args.region)
            suggestions = risk.suggest_grades(s, region)
            changes = [x for x in suggestions if x.changed]
            if args.apply:
                risk.apply_suggestions(s, changes)
            else:
                s.rollback()
    finally:
        db.dispose()
    by_grade = {risk.GRADE_LABELS[g]: sum(x.grade == g for x in suggestions) for g in risk.GRADES}
    if args.json:
        print(json.dumps({
            "households_graded": len(suggestions), "by_grade": by_grade, "applied": bool(args.apply),
            "changes": [{"household_no": x.household_no, "old": risk.GRADE_LABELS.get(x.current),
                         "new": risk.GRADE_LABELS[x.grade], "reasons": [r.text for r in x.reasons]}
                        for x in changes],
        }, ensure_ascii=False, indent=1))
        return EXIT_OK
    for x in changes[:50]:
        old = risk.GRADE_LABELS.get(x.current, "未定级")
        print(f"{x.household_no}  {x.head_name or ''}  {old} → {risk.GRADE_LABELS[x.grade]}  "
              f"{'；'.join(r.text for r in x.reasons) or '未触发规则'}")
    if len(changes) > 50:
        print(f"……另有 {len(changes) - 50} 户")
    counts = "，".join(f"{k} {v} 户" for k, v in by_grade.items())
    print(f"定级 {len(suggestions)} 户：{counts}；与现有等级不同 {len(changes)} 户。")
    print("已按建议等级写入。" if args.apply else "未写入（加 --apply 按建议等级写入）。")
    return EXIT_OK


def cmd_warnings(args: argparse.Namespace) -> int:
    from fupin_desktop.cli import _open
    from fupin_desktop.services import risk

    db = _open(args)
    try:
        with db.session(note="监测预警") as s:
            region = _check_region(s, args.region)
            result = risk.refresh_warnings(s, region)
            rows = risk.list_warnings(s, region)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({**result.to_json(), "warnings": [w.to_json() for w in rows]}, ensure_ascii=False,
                         indent=1))
        return EXIT_OK
    for w in rows:
        late = "（已逾期）" if w.overdue else ""
        print(f"{w.household_no}  {w.head_name}  {w.rule_title}  {w.message}  核实期限 {w.due_on}{late}")
    print(f"新增预警 {result.raised} 条，自动解除 {result.cleared} 条，待核实 {len(rows)} 条。")
    return EXIT_OK


def cmd_visits_due(args: argparse.Namespace) -> int:
    from fupin_desktop.cli import _open
    from fupin_desktop.services import risk

    month = _month(args.month) if args.month else f"{dt.date.today():%Y-%m}"
    db = _open(args)
    try:
        with db.session() as s:
            region = _check_region(s, args.region)
            visits = risk.visit_schedule(s, month, region_code=region, include_done=False)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({"month": month, "visits": [v.to_json() for v in visits]}, ensure_ascii=False, indent=1))
        return EXIT_OK
    for v in visits:
        print(f"{v.helper or '（未落实帮扶责任人）'}  {v.household_no}  {v.head_name}  {risk.GRADE_LABELS[v.grade]}  "
              f"上次走访 {v.last_visit or '无'}  应走访 {v.due}{'  逾期' if v.overdue else ''}")
    print(f"{month} 应走访 {len(visits)} 户，其中逾期 {sum(v.overdue for v in visits)} 户。")
    return EXIT_OK


def _plan_configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="计划月份，例如 2026-12")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--helper", type=int, metavar="ID", help="帮扶责任人编号（一人一份计划）")
    who.add_argument("--region", metavar="CODE", help="村或乡镇的12位区划代码（一村一份计划）")


def _plan_run(args: argparse.Namespace, db) -> int:
    from fupin_desktop.services.risk.plan import visit_plan_data, write_visit_plan

    if args.output.suffix.lower() != ".pdf":
        raise UserError(f"输出文件应以 .pdf 结尾：{args.output}")
    month = _month(args.month)
    with db.session() as s:
        region = _check_region(s, args.region)
        data = visit_plan_data(s, month, helper_id=args.helper, region_code=region)
    pages = write_visit_plan(data, args.output)
    print(f"已生成走访计划：{len(data.rows)} 户，{pages} 页：{args.output}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("risk", help="风险定级与监测预警（三级管理、三段防控）")
    rsub = p.add_subparsers(dest="risk_command", metavar="COMMAND", required=True, parser_class=sub._parser_class)
    g = rsub.add_parser("grade", help="按规则给出建议等级（一级、二级、三级）；加 --apply 写入")
    g.add_argument("--region", metavar="CODE", help="只定级这个乡镇或村（12 位行政区划代码）")
    g.add_argument("--apply", action="store_true", help="按建议等级写入（不加则只列出，不写入）")
    g.add_argument("--json", action="store_true", help="以 JSON 输出")
    g.set_defaults(func=cmd_grade)
    w = rsub.add_parser("warnings", help="生成监测预警并列出待核实的预警")
    w.add_argument("--region", metavar="CODE", help="只看这个乡镇或村（12 位行政区划代码）")
    w.add_argument("--json", action="store_true", help="以 JSON 输出")
    w.set_defaults(func=cmd_warnings)
    p = sub.add_parser("visits", help="按风险等级安排的走访")
    vsub = p.add_subparsers(dest="visits_command", metavar="COMMAND", required=True, parser_class=sub._parser_class)
    d = vsub.add_parser("due", help="列出本月（或指定月份）应走访的户")
    d.add_argument("--month", metavar="YYYY-MM", help="月份（默认本月）")
    d.add_argument("--region", metavar="CODE", help="只看这个乡镇或村（12 位行政区划代码）")
    d.add_argument("--json", action="store_true", help="以 JSON 输出")
    d.set_defaults(func=cmd_visits_due)
    add_print_kind(PrintKind("visit-plan", "月度走访计划（按帮扶责任人或按村）", _plan_configure, _plan_run,
                             output_help="输出的 PDF 文件"))
