"""The ``fupin`` command: ``fupin [--db URL_OR_PATH] COMMAND``; ``gui`` is the default.

Exit codes: 0 success, 2 a user error (one Chinese line on stderr, never a traceback; a
database another program is writing is one), 1 an unexpected failure (logged with its
traceback). Output into a pipe whose reader has gone (``| head``) ends quietly with 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from fupin_desktop import __version__
from fupin_desktop.errors import UserError

log = logging.getLogger("fupin_desktop")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes in Chinese with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UserError(f"命令参数有误：{message}。用 fupin --help 查看用法。")


def _open(args: argparse.Namespace):
    from fupin_desktop.db import open_database

    return open_database(args.db)


def cmd_init(args: argparse.Namespace) -> int:
    db = _open(args)
    print(f"数据库已就绪：{db.display_name()}")
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
        f"示例数据已生成：{stats.households} 户，{stats.members} 人，"
        f"{stats.projects} 个项目，{stats.assets} 项资产（用时 {stats.seconds:.1f} 秒）"
    )
    return EXIT_OK


def _print_progress(done: int, total: int, message: str) -> None:
    print(f"\r{message} {done}/{total}", end="", file=sys.stderr, flush=True)
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
    parser.add_argument("--version", action="version", version=f"fupin {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("gui", help="打开桌面程序（默认）")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("init", help="新建数据库，或把旧版本数据库升级到当前版本（升级前自动备份）")
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
)


def _area_registrations() -> list[Callable[[argparse._SubParsersAction], None]]:
    import importlib

    return [
        importlib.import_module(f"fupin_desktop.commands.{name}").register
        for name in AREA_COMMAND_MODULES
    ]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except UserError as err:
        print(str(err), file=sys.stderr)
        return EXIT_USER_ERROR
    except SystemExit as exit_:  # --help / --version
        return int(exit_.code or 0)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    func = getattr(args, "func", cmd_gui)
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
