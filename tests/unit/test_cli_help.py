"""``fupin … --help`` and usage errors are Chinese for every command (argparse's own
headings, help lines and messages included)."""

from __future__ import annotations

import argparse
import re

import pytest

from fupin_desktop.cli import build_parser, main

# What argparse writes by itself, in English, when left alone.
ARGPARSE_ENGLISH = re.compile(
    r"usage|positional arguments|options:|optional arguments|show this help|show program|"
    r"subcommands|the following arguments|unrecognized|invalid choice|expected one|"
    r"not allowed|ambiguous|invalid \w+ value"
)


def _command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    paths.append((*path, name))
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return paths


PATHS = _command_paths()


def test_every_command_is_walked():
    assert ("households", "search") in PATHS and ("print", "notice") in PATHS and len(PATHS) > 15


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "fupin")
def test_help_is_chinese(path, capsys):
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：fupin")
    assert "显示本帮助并退出" in out and "选项：" in out
    assert not ARGPARSE_ENGLISH.search(out), out


def test_top_level_help_lists_the_version_option_in_chinese(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "显示程序版本并退出" in out and "[--db 路径或地址]" in out and "命令" in out


@pytest.mark.parametrize(("argv", "expected"), [
    (["demo", "--households", "x"], "“x”不是有效的整数"),
    (["import"], "缺少必需的参数：数据"),
    (["households", "show"], "缺少必需的参数：户编号"),
    (["households", "search", "zs", "--nonsense"], "无法识别的参数：--nonsense"),
    (["nosuchcommand"], "没有“nosuchcommand”这一项"),
    (["demo", "--seed"], "参数 --seed：后面应跟一个值"),
])
def test_usage_errors_are_chinese(argv, expected, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and err.startswith("用法：fupin")
    assert not ARGPARSE_ENGLISH.search(err), err


def test_argparse_is_left_english_for_other_users():
    """The Chinese words are scoped to fupin's own parsers."""
    build_parser().format_help()
    other = argparse.ArgumentParser(prog="x")
    assert "show this help message and exit" in other.format_help()
