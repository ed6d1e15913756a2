"""The ``fupin`` command: ``fupin [--db URL_OR_PATH] COMMAND``; ``gui`` is the default.

Exit codes: 0 success, 2 a user error (one Chinese line on stderr, never a traceback; a
database another program is writing is one), 1 an unexpected failure (logged with its
traceback). Output into a pipe whose reader has gone (``| head``) ends quietly with 0.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence

from fupin_desktop import __version__
from fupin_desktop.errors import UserError

log = logging.getLogger("fupin_desktop")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USER_ERROR = 2


# argparse's own words (its gettext message ids) in Chinese: headings, the -h/--version
# help, and the usage errors.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须给出其中一个",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "expected one argument": "后面应跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面应至少跟一个值",
    "expected %s argument": "后面应跟 %s 个值",
    "expected %s arguments": "后面应跟 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "unexpected option string: %s": "多余的选项：%s",
    "invalid %(type)s value: %(value)r": "“%(value)s”不是有效的%(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有“%(value)s”这一项（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令“%(parser_name)s”（可用：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}
# Names of argument types in "not a valid …" messages.
_TYPE_ZH = {"int": "整数", "float": "数字", "fromisoformat": "日期（YYYY-MM-DD）"}
# Placeholders shown in usage lines and help (a metavar not listed is shown as written).
_METAVAR_ZH = {
    "URL_OR_PATH": "路径或地址", "COMMAND": "命令", "ACTION": "操作", "WHAT": "数据",
    "KIND": "种类", "HOUSEHOLDS": "户数", "SEED": "种子", "OUT": "输出", "NO": "户编号",
    "CODE": "区划代码", "YEAR": "年度", "Y": "年度", "DAYS": "天数", "PHONE": "电话",
    "N": "编号", "ID": "编号", "text": "文本", "LIMIT": "户数", "FILE": "文件",
    "OUT.xlsx": "输出.xlsx", "NAME": "名称", "S": "状态", "C": "类别",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def _nzh(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


@contextlib.contextmanager
def _chinese_argparse() -> Iterator[None]:
    """argparse speaking Chinese while it builds, parses and formats (it looks its words up
    through the module's ``_``/``ngettext`` when it needs them); restored afterwards, so
    other users of argparse in the process are not affected."""
    saved = argparse._, argparse.ngettext, argparse._get_action_name  # type: ignore[attr-defined]

    def action_name(action):  # type: ignore[no-untyped-def]
        name = saved[2](action)
        return _METAVAR_ZH.get(name, name) if name else name

    argparse._, argparse.ngettext, argparse._get_action_name = _zh, _nzh, action_name  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext, argparse._get_action_name = saved  # type: ignore[attr-defined]


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_HEADING = re.compile(r"(?m)^(\S[^:\n]*):$")
_NO_LINE_START = frozenset("，。、；：）」』”！？")
_WRAP_TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, measuring Chinese text by the columns it takes (help columns
    line up, lines wrap between characters) and showing placeholders in Chinese."""

    def add_argument(self, action):  # type: ignore[no-untyped-def]
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            widths = [_display_width(self._format_action_invocation(action))]
            widths += [_display_width(self._format_action_invocation(a))
                       for a in self._iter_indented_subactions(action)]
            self._action_max_length = max(self._action_max_length, max(widths) + self._current_indent)

    def _format_action(self, action):  # type: ignore[no-untyped-def]
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        width = _display_width(header)
        help_position = min(self._action_max_length + 2, self._max_help_position)
        action_width = help_position - self._current_indent - 2
        prefix = " " * self._current_indent + header
        # argparse padded the header by its length; pad it by its width instead.
        if width == len(header) or not action.help or len(header) > action_width \
                or not text.startswith(prefix):
            return text
        rest = text[len(prefix):].lstrip(" ")
        if width <= action_width:
            return prefix + " " * (action_width - width + 2) + rest
        return prefix + "\n" + " " * help_position + rest

    def _split_lines(self, text, width):  # type: ignore[no-untyped-def]
        lines, line = [], ""
        for token in _WRAP_TOKENS.findall(self._whitespace_matcher.sub(" ", text).strip()):
            if line and _display_width(line + token.rstrip()) > width and token not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        return [*lines, line.rstrip()] if line.strip() else lines

    def _metavar_formatter(self, action, default_metavar):  # type: ignore[no-untyped-def]
        inner = super()._metavar_formatter(action, default_metavar)

        def format(tuple_size: int) -> tuple[str, ...]:
            return tuple(_METAVAR_ZH.get(part, part) for part in inner(tuple_size))

        return format


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese (help, usage and errors), reporting usage mistakes with exit code 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        with _chinese_argparse():
            super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _chinese_argparse():
            return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs):  # type: ignore[no-untyped-def]
        with _chinese_argparse():
            return super().add_subparsers(**kwargs)

    def parse_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        with _chinese_argparse():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        with _chinese_argparse():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _chinese_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with _chinese_argparse():
            text = super().format_help()
        return _HEADING.sub(r"\1：", text)  # 「选项：」, not 「选项:」

    def _get_value(self, action, arg_string):  # type: ignore[no-untyped-def]
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError:
            name = _TYPE_ZH.get(getattr(action.type, "__name__", ""))
            if name is None:
                raise
            raise argparse.ArgumentError(action, f"“{arg_string}”不是有效的{name}") from None

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UserError(f"命令参数有误：{message}。用 fupin --help 查看用法。")


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def cmd_init(args: argparse.Namespace) -> int:
    from fupin_desktop.commands.regions import check_county, init_county

    county = check_county(args.county, args.township)  # before creating anything
    db = _open(args)
    try:
        print(f"数据库已就绪：{db.display_name()}")
        init_county(db, county, args.township)
    finally:
        db.dispose()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from fupin_desktop.services import demo

    if args.households < 1:
        raise UserError("--households 必须是正整数。")
    db = _open(args)
    try:
        stats = demo.generate(
            db,
            households=args.households,
            seed=args.seed,
            progress=_print_progress if not args.quiet else None,
        )
    finally:
        db.dispose()
    print(
        f"示例数据已生成：在册 {stats.register_households} 户 {stats.register_people} 人，"
        f"{stats.projects} 个项目，{stats.assets} 项资产（用时 {stats.seconds:.1f} 秒）"
    )
    return EXIT_OK


def _print_progress(done: int, total: int, message: str) -> None:
    # A percentage: ``total`` counts steps (households, then projects), not households.
    print(f"\r{message} {done * 100 // max(total, 1)}%", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def cmd_gui(args: argparse.Namespace) -> int:
    from fupin_desktop.ui.app import run_gui

    return run_gui(args.db)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fupin",
        description="乡镇扶贫（巩固衔接）业务数据工具。不带命令时打开桌面程序。",
    )
    parser.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        help="数据库：SQLite 文件路径或 SQLAlchemy 地址（如 postgresql+psycopg://用户@主机/库）；"
        "默认读环境变量 FUPIN_DB_URL，否则用个人数据文件夹中的 fupin.sqlite3"
        "（桌面程序会重新打开上次用“文件 → 打开数据库”打开的 SQLite 文件）",
    )
    parser.add_argument("--version", action="version", version=f"fupin {__version__}",
                        help="显示程序版本并退出")
    parser.add_argument("--user", metavar="NAME",
                        help="以这个用户登录（密码在提示时输入，或读环境变量 FUPIN_PASSWORD）；"
                        "共用数据库和开启了登录的数据库必须登录")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("gui", help="打开桌面程序（默认）")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("init", help="新建数据库，或把旧版本数据库升级到当前版本（升级前自动备份）；"
                       "加 --county 同时设置本县区划")
    from fupin_desktop.commands.regions import add_init_arguments

    add_init_arguments(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="生成一个示例县的数据（用于试用、演示和性能测试）")
    p.add_argument("--households", type=int, default=2000, help="户数（默认 2000）")
    p.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的数据（默认 1）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_demo)

    for register in _area_registrations():
        register(sub)
    return parser


# Each business area's sub-commands live in fupin_desktop/commands/<area>.py.
AREA_COMMAND_MODULES = (
    "print",  # first: other areas add their printable kinds to it
    "registry",
    "projects",
    "assets",
    "exchange",
    "regions",
    "report",
    "check_lists",  # before check: adds check import-list / check lists
    "check",
    "rectify",
    "risk",
    "trust",
)


def _area_registrations() -> list[Callable[[argparse._SubParsersAction], None]]:
    import importlib

    return [
        importlib.import_module(f"fupin_desktop.commands.{name}").register
        for name in AREA_COMMAND_MODULES
    ]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--producer-child"]:  # producer.CHILD_ARG: the frozen program started again
        from fupin_desktop.services.producer import _child_main

        _child_main()
        return EXIT_OK
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except UserError as err:
        print(str(err), file=sys.stderr)
        return EXIT_USER_ERROR
    except SystemExit as exit_:  # --help / --version
        return int(exit_.code or 0)
    level = logging.DEBUG if args.verbose else logging.WARNING
    stderr = logging.StreamHandler()
    stderr.setLevel(level)  # the log file below takes INFO; the terminal only what -v asks
    stderr.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[stderr])
    from fupin_desktop.services.diagnostics import setup_file_log

    try:
        log_handler: logging.Handler | None = setup_file_log()
    except OSError as err:  # a read-only data folder must not stop the program
        log_handler = None
        log.warning("no log file: %s", err)
    func = getattr(args, "func", cmd_gui)
    from fupin_desktop import db as dbmod
    from fupin_desktop.commands.trust import login_hook

    if func is not cmd_gui:
        dbmod.set_login_hook(login_hook(args.user))
    try:
        return _run(func, args)
    finally:
        dbmod.set_login_hook(None)
        if log_handler is not None:
            logging.getLogger("fupin_desktop").removeHandler(log_handler)
            log_handler.close()


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        code = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except UserError as err:
        print(str(err).replace("\n", " "), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`fupin … --json | head`): the work is done, stop quietly.
        # Point stdout at devnull so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from fupin_desktop.db import busy_error

        busy = busy_error(exc)
        if busy is not None:
            print(str(busy), file=sys.stderr)
            return EXIT_USER_ERROR
        log.exception("unexpected failure")
        print("程序内部错误，详细信息已写入日志。请把上面的错误信息发给维护人员。", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
