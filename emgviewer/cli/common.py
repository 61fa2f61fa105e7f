"""Pieces the record-processing commands (classify, report) share."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from emgviewer.atomic import atomic_write_bytes, output_problem
from emgviewer.inference import LoadedModel, ModelError, default_model_path, load_model
from emgviewer.inference.zoo import resolve_model, shipped_names
from emgviewer.records import expand_paths
from emgviewer.records.files import MAX_RATE_HZ
from emgviewer.records.formats import all_suffixes

#: Files no command writes over inside an input folder (a CSV there may be an earlier run's
#: output, so only the recordings' binary and header files).
RECORDING_SUFFIXES = tuple(s for s in all_suffixes() if s not in (".csv", ".txt"))


def add_inputs_and_model(parser: argparse.ArgumentParser) -> None:
    """The inputs and model options every classifying command takes."""
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="record files or folders")
    parser.add_argument("--model", type=Path, help="ONNX model with a model card, or a shipped model's name "
                        "(emgviewer models lists them; default: the default model)")
    parser.add_argument("--cpu", action="store_true", help="run on the CPU even when CUDA is available")
    add_reading_choices(parser)
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.add_argument("--fs-hz", type=positive_hz, metavar="HZ",
                        help="sampling rate of one-column CSV files that do not state it")


def add_reading_choices(parser: argparse.ArgumentParser, viewer: bool = False) -> None:
    """--force-verdict and --final-model: the two readings the honest defaults hold back (in the
    viewer, the start state of their Analysis menu entries)."""
    start = "start with Analysis → {} on: " if viewer else ""
    parser.add_argument("--force-verdict", action="store_true",
                        help=start.format("Verdict outside the model's domain") + "give records outside the model's "
                             "domain (band-limited, another muscle, raw units, too short) the model's reading, "
                             "labelled as such, instead of no verdict")
    parser.add_argument("--final-model", action="store_true",
                        help=start.format("Colours from the final model") + "read the people the model was trained "
                             "on with the model itself (marked 'seen in training'), not with the fold model that "
                             "never saw them")


def error(message: str) -> None:
    """Say ``message`` on stderr, in the one form every command uses."""
    print(f"emgviewer: error: {message}", file=sys.stderr)


def warn_caveats(result) -> None:
    """Say each way ``result``'s record differs from the training recordings, once, on stderr."""
    for caveat in result.caveats:
        print(f"emgviewer: warning: {result.record.name}: {caveat.text}", file=sys.stderr)


def refuse_output(out: Path | None, force: bool, suffix: str | None = None, inputs: Sequence[Path] = ()) -> bool:
    """True (after saying why) when ``out`` cannot be written, or would overwrite one of the
    ``inputs`` (a recording is opened read-only and never written, ``--force`` or not): said
    before any work is done."""
    problem = None if out is None else output_problem(out, force, suffix) or _overwrites_input(out, inputs)
    if problem:
        error(f"{out}: {problem}")
        return True
    return False


def _overwrites_input(out: Path, inputs: Sequence[Path]) -> str | None:
    """Why ``out`` must not be written over an input: it is one of the input files, a file of
    an input record (its header, data or marks beside it), or a recording inside an input folder."""
    if not out.exists():
        return None
    for given in inputs:
        try:
            if given.is_dir():
                inside = out.resolve().parent == given.resolve() or given.resolve() in out.resolve().parents
                if inside and out.suffix.lower() in RECORDING_SUFFIXES:
                    return f"is a recording in the input folder {given}; recordings are never overwritten"
            elif out.samefile(given) or (out.resolve().parent == given.resolve().parent
                                        and out.stem == given.stem and out.suffix.lower() in all_suffixes()):
                return f"is the input recording {given} (or one of its files); recordings are never overwritten"
        except OSError:
            continue
    return None


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
    """The model ``--model`` names (a file or a shipped name), else the default; ``None`` after saying why."""
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
    if refuse_output(args.out, args.force, getattr(args, "out_suffix", None), args.paths):
        return None
    model = open_model(args)
    if model is None:
        return None
    hop_s, fs_hz = getattr(args, "hop", None), model.card.input.fs_hz
    if hop_s is not None and hop_s * fs_hz < 1:
        error(f"--hop {hop_s:g} s is shorter than one sample at the model's {fs_hz:g} Hz; give at least "
              f"{1 / fs_hz:.3g} s")
        return None
    targets, failed = collect_records(args.paths)
    return model, targets, failed
