"""The ``emgviewer`` command. Subcommands live in their own modules; this one dispatches.

Bad input ends with one line on stderr naming the file and the problem, exit status 1,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from emgviewer import __version__
from emgviewer.cli import about, audio, classify, compare, desktop, info, models, muap, report, view
from emgviewer.inference.errors import ModelError
from emgviewer.records.errors import RecordError

EXIT_BAD_INPUT = 1

EXAMPLES = """examples:
  emgviewer data/n2001/N2001A01BB02.hea          open a record in the viewer
  emgviewer data/n2001                           a folder: the dataset browser opens
  emgviewer info data/n2001                      every record, grouped group -> subject
  emgviewer classify data/n2001 --format csv --out windows.csv
  emgviewer report data/n2001/N2001A01BB02.hea --out report.pdf
  emgviewer muap data/n2001/N2001A01BB02.hea     motor unit potentials, measured
  emgviewer audio N2001A01BB02.hea --out a.wav --high-pass 20
  emgviewer models                               the shipped models and their numbers
  emgviewer about                                version, where it runs from, providers, sound
  emgviewer install-desktop                      menu entry; .hea/.bin/.edf open with emgviewer
  emgviewer view PATH --screenshot shot.png --size 1366x768

'emgviewer COMMAND --help' says each command's options."""


def build_parser() -> argparse.ArgumentParser:
    """The ``emgviewer`` parser: a record or folder opens the viewer; each command's module adds its own."""
    parser = argparse.ArgumentParser(
        prog="emgviewer",
        usage="emgviewer [PATH] | emgviewer COMMAND ...",
        description="Diagnostic viewer for clinical needle EMG (research and teaching tool, not a\n"
                    "medical device). With no command, 'emgviewer PATH' opens PATH (a record or a\n"
                    "folder) in the viewer, and 'emgviewer' alone the simulated demo record.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXAMPLES,
    )
    parser.add_argument("--version", action="version", version=f"emgviewer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    view.add_parser(commands)
    info.add_parser(commands)
    classify.add_parser(commands)
    report.add_parser(commands)
    muap.add_parser(commands)
    audio.add_parser(commands)
    models.add_parser(commands)
    compare.add_parser(commands)
    about.add_parser(commands)
    desktop.add_parser(commands)
    parser.set_defaults(command_names=frozenset(commands.choices))  # what `emgviewer PATH` must not be
    return parser


def quiet_library_warnings() -> None:
    """Warnings no user can act on stay off the terminal: numpy's floating-point notices (an
    overflow on a file's absurd values is said by the check that refuses them, in words) and
    what wfdb's use of pandas says about pandas' next release."""
    warnings.filterwarnings("ignore", message=r"(overflow|invalid value|divide by zero|underflow) encountered",
                            category=RuntimeWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"wfdb(\..*)?$")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"wfdb(\..*)?$")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status (0 done, 1 an input refused or a record failed, 2 a usage error)."""
    quiet_library_warnings()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = parser.get_default("command_names")
    if not argv:
        argv = ["view"]  # a new user sees the whole idea at once
    elif argv[0] not in commands and not argv[0].startswith("-"):
        argv = ["view", *argv]  # emgviewer PATH
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (RecordError, ModelError) as err:
        print(f"emgviewer: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # a folder that vanished, a full disk: said in one line
        where = f"{err.filename}: " if err.filename else ""
        print(f"emgviewer: error: {where}{err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("emgviewer: interrupted; nothing was written", file=sys.stderr)
        return 130
