"""``python -m training final``: the shipped model from one row of the levers table.

Each member's recipe (an ``evaluate`` report: its configuration and median best epoch) is
trained again on every subject, as ``reproduce`` trains its final model; several members are
averaged in one graph (:class:`training.ensemble.MeanLogits`). The card takes its numbers from
the levers row, which scored exactly this recipe under LOSO, and its calibration from that
row's validation fits: the median over folds of the window temperature, the record temperature
and the record "uncertain" threshold. Each record's out-of-fold verdict in the card is that
row's, from the fold that held its subject out. A stacked row ships its record regression, fitted
on every subject's out-of-fold records, beside the record temperature; the app computes the same
features (and MUAP measures) before each record verdict, and gives a record unlike the training
records (another muscle or rate, amplitude or spectrum out of range) the tempered mean instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from training import arguments
from training.data import load_windows
from training.ensemble import MeanLogits
from training.export import export_onnx
from training.models import REGISTRY
from training.train import TrainConfig, train_model


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``final`` command and its options, added to ``commands``."""
    final = commands.add_parser(
        "final", help="train and export the model of one levers row (single model or ensemble)",
        description=__doc__.split("\n\n")[1], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    final.add_argument("--data", type=Path, required=True, help="folder of N2001 records (every subject trains)")
    final.add_argument("--levers", type=Path, required=True,
                       help="levers.json.gz written by 'python -m training levers' (or an older levers.json)")
    final.add_argument("--lever", required=True, help="the row's name (its 'run' field)")
    final.add_argument("--member", type=Path, action="append", required=True,
                       help="an evaluate report (JSON) of each member's recipe, in the row's order")
    final.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    final.add_argument("--record-threshold", type=float, default=None,
                       help="a fixed record 'uncertain' threshold instead of the median of the row's validation-chosen "
                            "ones (the 95 %% rule); the card's selective numbers are then the row's out-of-fold records "
                            "at it; default: the median")
    final.add_argument("--version", default=None, help="version written into the card")
    final.add_argument("--force", action="store_true", help="replace --out if it exists")
    final.set_defaults(run=cmd_final)


def as_evaluation(row: dict[str, Any], classes: list[str], config: dict[str, Any]) -> dict[str, Any]:
    """The levers row in the layout of an ``evaluate`` report, so the card code reads it."""
    out_of_fold = []
    for record in row["record_rows"]:
        p = record["probabilities"]
        winner = int(np.argmax(p))
        out_of_fold.append({"record": record["record"], "subject": record["subject"], "truth": record["truth"],
                            "verdict": classes[winner], "confidence": p[winner],
                            "probabilities": dict(zip(classes, p))})
    return {
        "protocol": f"subject-independent: {len(row['folds'])} folds (test), validation subjects from the "
                    f"training side only; levers row {row['run']!r}",
        "classes": classes, "config": config, "windows": row["windows"],
        "records": {"n_records": row["n_records"], "records_with_verdict": row["n_records"],
                    "record_accuracy": row["record_accuracy"], "records_correct": row["records_correct"],
                    "subjects_correct": row["subjects_correct"], "n_subjects": row["n_subjects"]},
        "subjects": row["subjects"],
        "calibration": {"ece_before": row["window_ece_uncalibrated"], "ece_after": row["window_ece"],
                        "record_ece": row["record_ece"]},
        "selective": row["selective"],
        "folds": row["folds"],
        "out_of_fold_records": out_of_fold,
    }


def fixed_threshold_selective(row: dict[str, Any], classes: list[str], threshold: float) -> dict[str, Any]:
    """Coverage and accuracy of the row's out-of-fold record verdicts at a fixed threshold."""
    p = np.array([r["probabilities"] for r in row["record_rows"]])
    truth = np.array([classes.index(r["truth"]) for r in row["record_rows"]])
    kept = p.max(axis=1) >= threshold
    return {"coverage": float(kept.mean()),
            "accuracy": float((p.argmax(axis=1)[kept] == truth[kept]).mean()) if kept.any() else None,
            "rule": f"a fixed threshold of {threshold:g}, not fitted; pooled out-of-fold records of the levers row"}


def cmd_final(args: argparse.Namespace) -> int:
    """Train the models of one levers row on every subject and export them with its card; 0 or 1."""
    from emgviewer.inference.card import parse_card
    from training.pipeline import architecture_text, model_card, refuse_output

    if refuse_output(args.out, args.force):
        return 1
    rows = {row["run"]: row for row in arguments.read_json_value(args.levers)}
    if args.lever not in rows:
        print(f"python -m training: error: {args.levers}: no row {args.lever!r} (rows: {', '.join(rows)})",
              file=sys.stderr)
        return 1
    row = rows[args.lever]
    reports = [json.loads(path.read_text()) for path in args.member]
    names = {r["config"]["model"] for r in reports}
    if len(names) != 1:
        print(f"python -m training: error: members are different models ({', '.join(sorted(names))})", file=sys.stderr)
        return 1
    name = names.pop()
    spec = REGISTRY[name]
    classes = reports[0]["classes"]
    task = "3class" if len(classes) == 3 else "als_vs_control"
    data = load_windows(args.data, task, spec.window_s, spec.hop_s, fs_hz=spec.fs_hz)
    everyone, none = np.arange(len(data)), np.array([], dtype=np.int64)
    members = []
    for report in reports:
        config = TrainConfig(**{**report["config"], "epochs": max(1, report["median_best_epoch"]), "patience": 10**6})
        members.append(train_model(data, everyone, none, config).model)
        print(f"trained member {len(members)}/{len(reports)} ({config.epochs} epochs, seed {config.seed})", file=sys.stderr)
    model = members[0] if len(members) == 1 else MeanLogits(members)
    configs = [r["config"] for r in reports]
    meta = {"model": name, "task": task, "classes": classes, "fs_hz": data.fs_hz, "window_s": spec.window_s,
            "hop_s": spec.hop_s, "n_times": data.window_samples,
            "config": configs[0] if len(configs) == 1 else {"ensemble_members": configs}}
    architecture = architecture_text(name, members[0], data.window_samples)
    if len(members) > 1:
        architecture = (f"mean of the logits of {len(members)} {name} models (seeds/recipes in training.config); "
                        f"each: {architecture}")
    if "stacker" in row:
        muap = " and its MUAP measures" if "n_units" in row["stacker"]["features"] else ""
        architecture += (f"; record verdict: a logistic regression on the record's window probabilities "
                         f"(mean, 10/50/90th percentiles, share unsure){muap}, fitted on out-of-fold records")
    result = as_evaluation(row, classes, meta["config"])
    card = model_card(name, architecture, meta, float(np.median(row["temperatures"]["window"])), result, data,
                 args.data, args.version)
    card["calibration"]["record_temperature"] = round(float(np.median(row["temperatures"]["record"])), 4)
    if "stacker" in row:
        # The learned record verdict (emgviewer.analysis.stacking); records unlike the training
        # ones get the tempered mean instead.
        card["calibration"]["record_stacker"] = row["stacker"]
    if args.record_threshold is None:
        card["calibration"]["record_uncertainty_threshold"] = round(float(np.median(row["record_thresholds"])), 2)
        selective = {k: row["selective"][k] for k in ("coverage", "accuracy", "rule")}
    else:
        card["calibration"]["record_uncertainty_threshold"] = args.record_threshold
        selective = fixed_threshold_selective(row, classes, args.record_threshold)
    card["evaluation"]["record_ece"] = round(row["record_ece"], 4)
    card["evaluation"]["selective"] = selective
    parse_card(card)  # the app's own check, with the record calibration added
    rng = np.random.default_rng(0)
    difference = export_onnx(model, card, args.out, data.gather(rng.choice(len(data), 32, replace=False)))
    print(f"wrote {args.out} ({len(members)} member(s); onnxruntime vs torch max |diff| {difference:.2e})",
          file=sys.stderr)
    return 0
