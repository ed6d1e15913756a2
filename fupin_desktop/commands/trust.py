"""``fupin users add|list|passwd|set|disable|login``, ``fupin backup``, ``fupin restore``,
``fupin backups``, ``fupin log``, and the global ``--user`` sign-in (password from a prompt or
FUPIN_PASSWORD)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from fupin_desktop.errors import UserError

EXIT_OK = 0


def _password(prompt: str = "密码：") -> str:
    value = os.environ.get("FUPIN_PASSWORD")
    if value:
        return value
    import getpass

    if not sys.stdin.isatty():
        raise UserError("需要密码：请在提示时输入，或设置环境变量 FUPIN_PASSWORD。")
    return getpass.getpass(prompt)


def login_hook(username: str | None):
    """What db.open_database calls for each database a command opens: sign ``username``
    in, or refuse a database that needs a login when none was given."""

    def hook(db) -> None:
        from fupin_desktop.services import trust

        with db.session() as s:
            needed = trust.login_required(s)
            if username is None:
                if needed:
                    raise UserError("这个数据库需要登录：请加 --user 用户名（密码在提示时输入，或设置 FUPIN_PASSWORD）。")
                return
            if not trust.has_users(s):
                raise UserError("这个数据库还没有用户：请先用 fupin users add 用户名 建立管理员。")
        password = _password(f"用户 {username} 的密码：")
        with db.session() as s:
            who = trust.authenticate(s, username, password)
        db.sign_in(who)

    return hook


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def cmd_users(args: argparse.Namespace) -> int:
    from fupin_desktop.services import trust

    db = _open(args)
    try:
        if args.action == "list":
            with db.session() as s:
                rows = trust.list_users(s)
            if not rows:
                print("还没有用户。用 fupin users add 用户名 建立第一位（管理员）。")
            for r in rows:
                state = "" if r.active else "（已停用）"
                print(f"{r.username}\t{r.display_name}\t{r.role_label}\t区划：{r.region_names}{state}")
            return EXIT_OK
        if not args.name:
            raise UserError(f"fupin users {args.action} 需要用户名。")
        if args.action == "login":
            if args.name not in ("on", "off"):
                raise UserError("用法：fupin users login on|off（开启或关闭本机数据库的登录）。")
            with db.session(note="登录设置") as s:
                trust.set_login_required(s, args.name == "on")
            print("已开启登录：以后打开这个数据库要输入用户名和密码。" if args.name == "on" else "已关闭登录。")
            return EXIT_OK
        if args.action == "add":
            with db.session() as s:
                first = not trust.has_users(s)
            password = _password(f"新用户 {args.name} 的密码：")
            with db.session(note="新增用户") as s:
                user = trust.add_user(s, args.name, password, role=args.role or "录入员",
                                      display_name=args.display_name,
                                      regions=args.regions.split(",") if args.regions else None)
                label = trust.ROLE_LABELS[user.role]
            print(f"已新增用户 {args.name}（{label}）" + ("：这是第一位用户，设为管理员。" if first else "。"))
        elif args.action == "passwd":
            password = _password(f"用户 {args.name} 的新密码：")
            with db.session(note="修改密码") as s:
                who = trust.principal(s)
                if who is None or who.username != args.name:
                    trust.require(s, trust.USERS_MANAGE)
                trust.set_password(s, args.name, password)
            print(f"已修改用户 {args.name} 的密码。")
        elif args.action == "disable":
            with db.session(note="停用用户") as s:
                trust.disable_user(s, args.name)
            print(f"已停用用户 {args.name}。")
        elif args.action == "set":
            with db.session(note="修改用户") as s:
                trust.update_user(s, args.name, role=args.role, display_name=args.display_name,
                                  regions=args.regions.split(",") if args.regions is not None else None)
            print(f"已修改用户 {args.name}。")
    finally:
        db.dispose()
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from fupin_desktop.services import trust

    db = _open(args)
    try:
        path = trust.backup(db, "manual", output=Path(args.output) if args.output else None)
    finally:
        db.dispose()
    print(f"已备份到：{path}")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    from fupin_desktop.services import trust

    db = _open(args)
    try:
        items = trust.list_backups(db.engine.url)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([b.as_json() for b in items], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not items:
        print("还没有备份。")
    for b in items:
        counts = f"{b.households} 户 {b.members} 人" if b.households is not None else "户数未知"
        print(f"{b.at:%Y-%m-%d %H:%M:%S}\t{b.reason_label}\t{b.size / 1024:,.0f} KB\t{counts}\t{b.path}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from fupin_desktop.services import trust

    db = _open(args)
    try:
        kept = trust.restore(db, Path(args.file))
    finally:
        db.dispose()
    print(f"已从备份恢复：{args.file}。恢复前的数据已另存为：{kept}")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    from pathlib import Path

    from fupin_desktop.services.trust.audit_log import TABLE_LABELS, export_audit, query_audit

    table = args.table
    if table:
        table = next((k for k, v in TABLE_LABELS.items() if table in (k, v)), None)
        if table is None:
            raise UserError(f"没有数据表“{args.table}”，可选：{'、'.join(TABLE_LABELS.values())}。")
    db = _open(args)
    try:
        with db.session() as s:
            entries = query_audit(s, household=args.household, user=args.by, table=table,
                                  since=args.since, until=args.until, limit=args.limit)
    finally:
        db.dispose()
    if args.output:
        export_audit(entries, Path(args.output))
        print(f"已导出 {len(entries)} 条操作日志：{args.output}")
    elif args.json:
        print(json.dumps([{"at": e.at.isoformat(sep=" "), "user": e.user, "action": e.action_label,
                           "table": e.table_label, "row": e.row_key, "note": e.note,
                           "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in e.changes]}
                          for e in entries], ensure_ascii=False, indent=1))
    else:
        for e in entries:
            print(f"{e.at:%Y-%m-%d %H:%M:%S}\t{e.user}\t{e.action_label}\t{e.table_label}\t{e.row_key or ''}"
                  f"\t{e.summary()}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="用户管理（管理员）：add 新增、list 列出、passwd 改密码、set 改角色/区划、disable 停用、"
                       "login on|off 本机数据库是否要登录")
    p.add_argument("action", choices=["add", "list", "passwd", "set", "disable", "login"],
                   metavar="ACTION", help="add / list / passwd / set / disable / login（on|off：本机数据库是否要登录）")
    p.add_argument("name", nargs="?", metavar="NAME", help="用户名")
    p.add_argument("--role", help="角色：录入员、审核员、管理员（新增默认录入员；第一位用户总是管理员）")
    p.add_argument("--regions", help="负责的区划代码或名称，逗号分隔（不填：全部）")
    p.add_argument("--display-name", help="显示的姓名")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("backup", help="备份数据库（默认存入备份文件夹）")
    p.add_argument("-o", "--output", metavar="FILE", help="备份到这个文件（不会覆盖已有文件）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("backups", help="列出数据库的备份（时间、原因、大小、户数）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_backups)

    import datetime as dt

    p = sub.add_parser("log", help="查看或导出操作日志（按农户、用户、数据表、日期）")
    p.add_argument("--household", metavar="TEXT", help="户编号、户主姓名或证件号码")
    p.add_argument("--by", metavar="NAME", help="只看这个用户的操作")
    p.add_argument("--table", metavar="WHAT", help="数据表，如 农户、家庭成员、项目")
    p.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="从这一天起")
    p.add_argument("--until", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="到这一天止")
    p.add_argument("--limit", type=int, default=2000, metavar="N", help="最多几条（默认 2000，最新的在前）")
    p.add_argument("-o", dest="output", metavar="OUT.xlsx", help="导出为 .xlsx")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("restore", help="从备份恢复（管理员；先把当前数据另存一份备份）")
    p.add_argument("file", metavar="FILE", help="备份文件")
    p.set_defaults(func=cmd_restore)
