"""The ``emgviewer`` command. Subcommands live in their own modules; this one dispatches.

Bad input ends with one line on stderr naming the file and the problem, exit status 1,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from emgviewer import __version__
from emgviewer.cli import classify, info
from emgviewer.records.errors import RecordError

EXIT_BAD_INPUT = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emgviewer",
        description="Diagnostic viewer for clinical needle EMG (research and teaching tool, "
                    "not a medical device).",
    )
    parser.add_argument("--version", action="version", version=f"emgviewer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info.add_parser(commands)
    classify.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except RecordError as err:
        print(f"emgviewer: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
