"""``fupin households …``: the registry from the command line (same services as the window).

    fupin [--db D] households search TEXT [--region CODE] [--limit N] [--json] [--full-ids]
    fupin [--db D] households show NO [--json] [--full-ids]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from fupin_desktop.codes import bool_label, label_of
from fupin_desktop.rules.idnumber import mask_birth_date, mask_id, mask_phone


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def cmd_search(args: argparse.Namespace) -> int:
    from fupin_desktop.services import registry as svc

    db = _open(args)
    try:
        with db.session() as s:
            flt = svc.HouseholdFilter(region_code=args.region, text=args.text,
                                      include_closed=args.all)
            ids = svc.household_ids(s, flt)
            rows = svc.household_rows(s, ids[: args.limit])
    finally:
        db.dispose()
    terms = svc.parse_search(args.text)
    if terms.kind == "short_number":
        print(f"证件号码、户编号或电话请至少输入{svc.MIN_NUMBER_DIGITS}位。", file=sys.stderr)
    if args.json:
        out = []
        for r in rows:
            item = dataclasses.asdict(r)
            if not args.full_ids:
                item["head_id18"] = mask_id(r.head_id18)
                item["phone"] = mask_phone(r.phone)
            out.append(item)
        print(json.dumps({"total": len(ids), "rows": out}, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        id_text = r.head_id18 if args.full_ids else mask_id(r.head_id18)
        phone = r.phone if args.full_ids else mask_phone(r.phone)
        print("\t".join([r.household_no, r.head_name, id_text, f"{r.member_count}人",
                         r.household_type, r.monitoring_category, r.cause_or_risk, phone,
                         r.helper]))
    more = f"（显示前 {len(rows)} 户）" if len(ids) > len(rows) else ""
    print(f"共 {len(ids)} 户{more}", file=sys.stderr)
    return 0


def _jsonable(value: Any) -> Any:
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):  # e.g. a household's 三保障 problems
        return sorted(_jsonable(v) for v in value)
    return value


def _print_measure(m: dict[str, Any]) -> None:
    period = m["start_text"] + (f" 至 {m['end_text']}" if m["end_text"] else " 起")
    amount = f"{m['amount_text']} 元" if m["amount_text"] else ""
    print(f"  措施：{m['category_label']}\t{m.get('content') or ''}\t{m.get('unit') or ''}\t"
          f"{period}\t{amount}\t{m['status']}")


def cmd_show(args: argparse.Namespace) -> int:
    from fupin_desktop.services import registry as svc

    db = _open(args)
    try:
        with db.session() as s:
            data = svc.load_household(s, svc.find_household(s, args.number).id)
    finally:
        db.dispose()
    if not args.full_ids:
        for m in data.members:
            m["id_number"] = mask_id(m.get("id_number"))
            m["birth_date"] = mask_birth_date(m.get("birth_date"))
            m["phone"] = mask_phone(m.get("phone"))
        data.household["phone"] = mask_phone(data.household.get("phone"))
        data.household["bank_account"] = None if data.household.get("bank_account") is None else "（已隐藏）"
    if args.json:
        print(json.dumps(_jsonable(dataclasses.asdict(data)), ensure_ascii=False, indent=1))
        return 0
    h = data.household
    print(f"户编号：{h.get('household_no') or ''}　{data.region_name} {h.get('group_name') or ''}")
    if data.source:
        print(f"数据来源：{data.source}")
    for spec in svc.HOUSEHOLD_ACTION_FIELDS + svc.HOUSEHOLD_FIELDS[3:5]:
        print(f"  {spec.label}：{svc.display_value(spec, h.get(spec.name))}")
    print(f"家庭成员（在户 {len(data.present_members())} 人）：")
    for m in data.members:
        state = "在户" if m.get("status") == "01" else \
            f"减少：{label_of('change_reason', m.get('left_reason'))} {m.get('left_on') or ''}"
        print(f"  {m['name']}\t{label_of('relation', m.get('relation'))}\t{m.get('id_number') or ''}\t"
              f"{label_of('sex', m.get('sex'))}\t{m.get('birth_date') or ''}\t"
              f"医保：{bool_label(m.get('has_resident_medical'))}\t{state}")
    for year in sorted(data.years):
        y = data.years[year]
        print(f"{year}年：年收入 {y.get('annual_income') or '—'}，纯收入 {y.get('net_income') or '—'}，"
              f"人均纯收入 {y.get('per_capita_net_income') or '—'} 元")
    current = [a for a in data.assignments if a["current"]]
    if current:
        print("帮扶责任人：" + "、".join(f"{a['helper']}（{a['unit']}）" for a in current))
    for case in data.monitoring:
        print(f"监测：{case['category']} {case['identified_ym']} 风险 {case['risks']} {case['state']}")
        for m in case["measures"]:
            _print_measure(m)
    if data.other_measures:
        print("未关联监测记录的帮扶措施：")
        for m in data.other_measures:
            _print_measure(m)
    if data.events:
        print("变动记录：")
        for ev in data.events:
            print(f"  {ev['effective_date']} {ev['type']} {ev['reason']} {ev['member']} "
                  f"{ev['details']}（{ev['reported_month']}上报，{ev['recorded_by']}）")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("households", help="户籍：查找和查看农户")
    hsub = p.add_subparsers(dest="households_command", metavar="ACTION", required=True,
                            parser_class=type(p))
    s = hsub.add_parser("search", help="按姓名、拼音首字母、证件号码（或后几位）、户编号、电话查找农户")
    s.add_argument("text", help="查找内容，如 张三、zs、1234、户编号、电话")
    s.add_argument("--region", metavar="CODE", help="只在该区划（县/乡镇/村的12位代码）内查找")
    s.add_argument("--limit", type=int, default=200, help="最多显示多少户（默认 200）")
    s.add_argument("--all", action="store_true", help="包括已销户、已并户的农户")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--full-ids", action="store_true", help="显示完整证件号码和电话（默认隐藏中间几位）")
    s.set_defaults(func=cmd_search)
    s = hsub.add_parser("show", help="显示一户的全部信息（成员、收支、帮扶、监测、变动记录）")
    s.add_argument("number", metavar="NO", help="户编号（或户主证件号码）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--full-ids", action="store_true", help="显示完整证件号码、电话和银行账号")
    s.set_defaults(func=cmd_show)
