"""Pieces the record-processing commands (classify, report) share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emgviewer.inference import LoadedModel, ModelError, default_model_path, load_model
from emgviewer.records import RecordError, index_folder


def add_inputs_and_model(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="record files or folders")
    parser.add_argument("--model", type=Path, help="ONNX model with a model card (default: the shipped model)")
    parser.add_argument("--cpu", action="store_true", help="run on the CPU even when CUDA is available")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def error(message: str) -> None:
    print(f"emgviewer: error: {message}", file=sys.stderr)


def refuse_overwrite(out: Path | None, force: bool) -> bool:
    """True (after saying so) when ``out`` exists and may not be replaced."""
    if out is not None and out.exists() and not force:
        error(f"{out}: exists; pass --force to overwrite it")
        return True
    return False


def open_model(args: argparse.Namespace) -> LoadedModel | None:
    path = args.model or default_model_path()
    if path is None:
        error("no default model ships with this installation yet; pass --model FILE")
        return None
    try:
        return load_model(path, force_cpu=args.cpu)
    except ModelError as err:
        error(str(err))
        return None


def collect_records(paths: list[Path]) -> tuple[list[Path], int]:
    """Record files to process (folders expanded), and how many inputs failed already."""
    targets: list[Path] = []
    failed = 0
    for path in paths:
        if not path.is_dir():
            targets.append(path)
            continue
        try:
            index = index_folder(path)
        except RecordError as err:
            error(str(err))
            failed += 1
            continue
        for problem in index.problems:
            error(str(problem))
        failed += len(index.problems)
        targets.extend(entry.path for entry in index.records)
    return targets, failed


def prepare(args: argparse.Namespace) -> tuple[LoadedModel, list[Path], int] | None:
    """The model and the record files of a classify/report run; ``None`` (after saying why)
    when the run cannot start."""
    if refuse_overwrite(args.out, args.force):
        return None
    model = open_model(args)
    if model is None:
        return None
    targets, failed = collect_records(args.paths)
    return model, targets, failed
