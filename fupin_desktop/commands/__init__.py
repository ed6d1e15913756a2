"""Sub-commands of ``fupin``, one module per business area, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse


def noun_parsers(sub: argparse._SubParsersAction, verb: str, help_text: str) -> argparse._SubParsersAction:
    """The sub-parsers under ``fupin VERB`` (``import``, ``export``, ``print`` …), creating
    ``VERB`` if no area has yet, so each area adds its own noun (``fupin import households``,
    ``fupin import assets``). A noun is required: ``fupin import`` alone is a usage error."""
    parser = sub.choices.get(verb)
    if parser is None:
        parser = sub.add_parser(verb, help=help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.required = True
            return action
    action = parser.add_subparsers(dest=f"{verb}_what", metavar="WHAT", parser_class=type(parser))
    action.required = True
    return action


def refuse_report_over_input(args: argparse.Namespace) -> None:
    """``--errors OUT.xlsx`` naming the file being imported (``args.file``) is a user error,
    found before the database is opened."""
    if getattr(args, "errors", None):
        from fupin_desktop.sheets.error_report import check_report_target

        check_report_target(args.errors, args.file)
