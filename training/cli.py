"""``python -m training COMMAND``: one parser made from the command modules
(``training/commands``), and one way of saying a bad input.

A newcomer's path: ``evaluate`` tells how well a model generalises to people it never saw;
``reproduce`` does that and then builds the shipped default model from scratch.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys

from emgviewer.records.errors import RecordError
from training import arguments, distributed
from training.commands import COMMANDS
from training.commands.options import CommandParser, HelpFormatter
from training.models import REGISTRY


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m training``; the command's exit status (a bad input is said in one line, status 1)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    # Under torchrun: one rank of a data-parallel run.
    joined = args.command in DISTRIBUTED_COMMANDS and distributed.join_from_environment()
    try:
        code = _run(args)
    finally:
        if joined:  # never a caller's own group
            distributed.leave()
    if joined:  # a torchrun rank whose work is done and written
        distributed.exit_rank(int(code or 0))
    return code


#: What a missing, corrupt or mismatched input (a checkpoint, an evaluation report, an ONNX
#: file, a records folder) raises while it is read: said in one line naming the file, not a
#: traceback. EMGVIEWER_TRACEBACK=1 shows the traceback too.
INPUT_ERRORS = (OSError, ValueError, KeyError, TypeError, EOFError, RuntimeError, pickle.UnpicklingError,
                RecordError)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args)
    except INPUT_ERRORS as err:
        if os.environ.get("EMGVIEWER_TRACEBACK"):
            raise
        print(f"python -m training: error: {_said(err)}", file=sys.stderr)
        return 1


def _said(err: BaseException) -> str:
    if isinstance(err, (arguments.InputFileError, RecordError)):
        return str(err)
    if isinstance(err, OSError) and err.filename:
        return f"{err.filename}: {err.strerror or err}"
    if isinstance(err, KeyError):
        return f"a field {err} is missing from an input file (is it the right kind of file?)"
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:300]}" if text else type(err).__name__


#: The commands that run unchanged under torchrun (distributed data parallel).
DISTRIBUTED_COMMANDS = ("train", "evaluate")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training",
        formatter_class=HelpFormatter,
        epilog="Examples:\n"
               "  python -m training evaluate --data data/n2001 --out reports        # LOSO, 19 folds\n"
               "  python -m training evaluate --data data/n2001 --folds 5 --out reports\n"
               "  python -m training evaluate --data data/n2001 --folds random --out reports   # the papers' leaky split\n"
               "  python -m training train --data data/n2001 --out checkpoints\n"
               "  python -m training export --checkpoint checkpoints/munet.pt --data data/n2001 \\\n"
               "      --evaluation reports/munet_3class_loso.json --out my_model.onnx\n"
               "  python -m training reproduce --model munet --data data/n2001     # the default model\n"
               "Every split is by subject: no person's windows are ever on two sides.",
        description="Train and evaluate EMG window classifiers on N2001 with subject-independent "
                    "evaluation, and export them for the viewer. Models: "
                    + ", ".join(sorted(REGISTRY)) + " (python -m training models lists them)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser
