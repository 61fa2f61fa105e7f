"""Pieces the record-processing commands (classify, report) share."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from emgviewer.atomic import atomic_write_bytes, output_problem
from emgviewer.inference import LoadedModel, ModelError, default_model_path, load_model
from emgviewer.inference.zoo import resolve_model, shipped_names
from emgviewer.records import expand_paths
from emgviewer.records.files import MAX_RATE_HZ


def add_inputs_and_model(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="record files or folders")
    parser.add_argument("--model", type=Path, help="ONNX model with a model card, or a shipped model's name "
                        "(emgviewer models lists them; default: the default model)")
    parser.add_argument("--cpu", action="store_true", help="run on the CPU even when CUDA is available")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.add_argument("--fs-hz", type=positive_hz, metavar="HZ",
                        help="sampling rate of one-column CSV files that do not state it")


def error(message: str) -> None:
    print(f"emgviewer: error: {message}", file=sys.stderr)


def refuse_output(out: Path | None, force: bool, suffix: str | None = None) -> bool:
    """True (after saying why) when ``out`` cannot be written: said before any work is done."""
    problem = None if out is None else output_problem(out, force, suffix)
    if problem:
        error(f"{out}: {problem}")
        return True
    return False


def write_output(out: Path, data: bytes, force: bool) -> bool:
    """Write ``out`` atomically; False (after saying why) when that failed. Without ``force``
    a file that appeared during the run is left as it is."""
    try:
        atomic_write_bytes(out, data, overwrite=force)
    except FileExistsError:
        error(f"{out}: appeared while this run was working; left untouched (pass --force to overwrite it)")
        return False
    except OSError as err:
        error(f"{out}: could not be written ({err.strerror or err}); nothing was changed")
        return False
    return True


def emit(text: str, out: Path | None, force: bool) -> bool:
    """``text`` to ``out`` (atomically) or to standard output; False when writing failed."""
    if out is None:
        sys.stdout.write(text)
        return True
    return write_output(out, text.encode("utf-8"), force)


def _positive_number(what: str, maximum: float):
    """An argparse type for a finite number above zero and at most ``maximum``; ``what``
    reads "a number of seconds"."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value) or value <= 0 or value > maximum:
            raise argparse.ArgumentTypeError(f"must be a positive {what.split(' ', 1)[1]} up to {maximum:g}, got {text}")
        return value
    return parse


positive_seconds = _positive_number("a number of seconds", 3600.0)
positive_hz = _positive_number("a rate in Hz", MAX_RATE_HZ)


def open_model(args: argparse.Namespace) -> LoadedModel | None:
    path = resolve_model(args.model) if args.model else default_model_path()
    if path is None:
        error("no default model ships with this installation yet; pass --model FILE")
        return None
    try:
        return load_model(path, force_cpu=args.cpu)
    except ModelError as err:
        bare_name = not path.exists() and path.parent == Path(".")
        error(f"{err}; nor is it a shipped model ({', '.join(shipped_names())}: emgviewer models)" if bare_name else str(err))
        return None


def collect_records(paths: list[Path]) -> tuple[list[Path], int]:
    """Record files to process (folders expanded), and how many inputs failed already (each said)."""
    targets, problems = expand_paths(paths)
    for problem in problems:
        error(str(problem))
    return targets, len(problems)


def prepare(args: argparse.Namespace) -> tuple[LoadedModel, list[Path], int] | None:
    """The model and the record files of a classify/report run; ``None`` (after saying why)
    when the run cannot start."""
    if refuse_output(args.out, args.force, getattr(args, "out_suffix", None)):
        return None
    model = open_model(args)
    if model is None:
        return None
    targets, failed = collect_records(args.paths)
    return model, targets, failed
