"""``python -m training export-folds``: a leave-one-subject-out run's fold models, exported to ONNX
beside the model they stand in for, so the app reads each known person with the fold model that
never saw them (``emgviewer/inference/folds.py``).

Input: the folder ``evaluate --save-fold-models`` wrote (``fold_<subject>.pt`` with its ``.json``)
and that run's JSON report. Each fold keeps its own temperature (fitted on its validation
subjects), so the app's reading of a record is the run's out-of-fold reading of it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from training import arguments
from training.data import load_windows
from training.export import export_onnx
from training.models import REGISTRY, build
from training.pipeline import architecture_text, model_card


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``export-folds`` command and its options, added to ``commands``."""
    parser = commands.add_parser("export-folds", help="export a LOSO run's fold models to ONNX, beside the model "
                                                      "they stand in for")
    parser.add_argument("--folds", type=arguments.existing_folder, required=True,
                        help="the folder 'evaluate --save-fold-models' wrote")
    parser.add_argument("--evaluation", type=arguments.existing_file, required=True,
                        help="that run's JSON report (each fold's temperature, the LOSO numbers)")
    parser.add_argument("--data", type=arguments.existing_folder, required=True, help="folder of N2001 records")
    parser.add_argument("--version", required=True,
                        help="the version of the model they stand in for; each fold's is VERSION+fold.SUBJECT")
    parser.add_argument("--out", type=Path, required=True,
                        help="the .folds folder beside that model, e.g. resources/models/munet.folds")
    parser.add_argument("--force", action="store_true", help="replace fold files already there")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Export every fold checkpoint as ``fold_<subject>.onnx``; 0, or 1 when an input is refused (said)."""
    evaluation = arguments.read_json(args.evaluation)
    temperatures = {tuple(fold["test"]): float(fold["temperature"]) for fold in evaluation["folds"]}
    checkpoints = sorted(args.folds.glob("fold_*.pt"))
    if not checkpoints:
        print(f"python -m training: error: {args.folds}: no fold_*.pt here", file=sys.stderr)
        return 1
    config = evaluation["config"]
    name = config["model"]
    spec = REGISTRY[name]
    task = "3class" if len(evaluation["classes"]) == 3 else None
    everything = load_windows(args.data, task or "3class", spec.window_s, spec.hop_s, fs_hz=spec.fs_hz)
    args.out.mkdir(parents=True, exist_ok=True)
    for checkpoint in checkpoints:
        meta = {"model": name, "task": task, "window_s": spec.window_s, "hop_s": spec.hop_s,
                **arguments.read_json(checkpoint.with_suffix(".json"))}
        test = tuple(meta["test_subjects"])
        if len(test) != 1 or test not in temperatures:
            print(f"python -m training: error: {checkpoint}: not a leave-one-subject-out fold of {args.evaluation}",
                  file=sys.stderr)
            return 1
        out = args.out / f"fold_{test[0]}.onnx"
        if out.exists() and not args.force:
            print(f"python -m training: error: {out} exists (--force to replace it)", file=sys.stderr)
            return 1
        model = build(name, len(meta["classes"]), meta["n_times"], meta["fs_hz"])
        model.load_state_dict(torch.load(checkpoint, weights_only=True))
        names = meta.get("training_records") or [n for n, s in zip(everything.record_names, everything.record_subjects)
                                                 if s in set(meta["training_subjects"])]
        trained = load_windows(args.data, meta["task"], meta["window_s"], meta["hop_s"], fs_hz=meta["fs_hz"],
                               names=names)
        card = model_card(name, architecture_text(name, model, meta["n_times"]), meta, temperatures[test], evaluation,
                          trained, args.data, f"{args.version}+fold.{test[0]}")
        card["training"]["protocol"] = (f"the leave-one-subject-out fold that held out {test[0]}: trained on the "
                                        f"{len(set(meta['training_subjects']))} subjects listed, {test[0]} never seen; "
                                        "the evaluation numbers are the whole run's")
        difference = export_onnx(model, card, out, trained.gather(np.arange(min(len(trained), 32))))
        print(f"wrote {out} (onnxruntime vs torch max |diff| {difference:.2e})", file=sys.stderr)
    return 0
