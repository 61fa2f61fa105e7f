"""One training pipeline for every command: a model's recipe, its windows, its subject-disjoint
splits, and evaluate -> final model -> ONNX with its card.

``python -m training reproduce`` (one model), ``reproduce --all`` (the zoo) and ``final`` all
call these functions; none of them writes its own copy of a step.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from emgviewer.atomic import output_problem
from training.data import WindowSet, load_windows
from training.distributed import is_main
from training.environment import code_revision, today
from training.experiment import cross_validate
from training.export import build_card, export_onnx
from training.models import REGISTRY, count_macs, count_parameters
from training.provenance import data_description, evaluation_fields, protocol_kind, training_fields
from training.reporting import headline, write_reports
from training.splits import Split, WindowSplit, grouped_kfold, loso_splits, random_window_split
from training.train import TrainConfig, same_recipe, train_model

#: Window probability below which the app marks a window "uncertain" (the card carries it).
UNCERTAINTY_THRESHOLD = 0.6


def dev_version() -> str:
    """The version of a model built from this checkout, unless ``--version`` names one: a
    trial run must never look like a shipped release."""
    return f"0.dev{today().replace('-', '')}+{code_revision()}"


def recipe_config(args: argparse.Namespace, **overrides: Any) -> TrainConfig:
    """The model's published recipe, then every training value the command line gave, then
    ``overrides``. A flag left out is ``None`` on ``args``: only that leaves the recipe's (or,
    without one, :class:`TrainConfig`'s) value in place, so ``--batch-size 64`` trains with 64
    even where the recipe says 48 and 64 is also TrainConfig's default."""
    values = dict(REGISTRY[args.model].recipe)
    for f in fields(TrainConfig):
        given = getattr(args, f.name, None)
        if given is not None:
            values[f.name] = given
    values.update(overrides)
    if values.get("steps_per_epoch") == 0:  # 0 on the command line: one pass over the windows
        values["steps_per_epoch"] = None
    if values.get("mixup") and values.get("smote"):
        raise SystemExit("python -m training: error: --mixup mixes drawn windows, SMOTE makes its own: "
                         "use one (--no-smote turns off a recipe's SMOTE)")
    return TrainConfig(**values)


def load_data(args: argparse.Namespace) -> WindowSet:
    """The windows of ``args.data`` for ``args.model``'s input contract (window and hop from the
    command line, else the model's published ones); fills in ``args.window_s/hop_s/fs_hz``."""
    spec = REGISTRY[args.model]
    args.window_s = args.window_s or spec.window_s
    args.hop_s = args.hop_s or spec.hop_s
    args.fs_hz = spec.fs_hz
    data = load_windows(args.data, args.task, args.window_s, args.hop_s, args.max_records, fs_hz=args.fs_hz)
    if is_main():
        print(f"{len(data)} windows from {len(data.record_names)} records, "
              f"{len(set(data.record_subjects))} subjects; dropped: {dict(data.dropped)}", file=sys.stderr)
    return data


def refuse_output(out: Path, force: bool) -> bool:
    """Say why ``out`` may not be written (it exists without ``force``, or its folder is
    missing) and return True; False when it may."""
    problem = output_problem(out, force, ".onnx")
    if problem:
        print(f"python -m training: error: {out}: {problem}", file=sys.stderr)
    return problem is not None


def subject_splits(data: WindowSet, folds: str, seed: int) -> list[Split]:
    """``folds``: "loso" (one subject tested per fold) or k, grouped k-fold by subject."""
    subjects = data.subject_classes()
    if folds == "loso":
        return loso_splits(subjects, seed)
    if not folds.isdigit():
        raise ValueError(f"folds must be 'loso' or a number of subject-disjoint folds, not {folds!r}")
    return grouped_kfold(subjects, int(folds), seed)


def evaluation_splits(data: WindowSet, folds: str, seed: int) -> list[Split] | list[WindowSplit]:
    """What ``evaluate --folds`` accepts: the subject-disjoint splits, or "random", the papers'
    random window split (for the comparison column of RESULTS.md; never behind a card)."""
    if folds == "random":
        return [random_window_split(data.labels, data.subjects, seed)]
    return subject_splits(data, folds, seed)


def architecture_text(name: str, model: torch.nn.Module, n_times: int) -> str:
    """The architecture as a card says it: description, parameters and multiply-accumulates per window."""
    return (f"{REGISTRY[name].description}; {count_parameters(model):,} parameters, "
            f"{count_macs(model, n_times) / 1e6:.1f} M multiply-accumulates per window")


def model_meta(args: argparse.Namespace, data: WindowSet, config: TrainConfig) -> dict[str, Any]:
    """What a checkpoint and a card say about the model's input and training."""
    return {"model": args.model, "task": args.task, "classes": list(data.class_names), "fs_hz": data.fs_hz,
            "window_s": args.window_s, "hop_s": args.hop_s, "n_times": data.window_samples,
            "config": config.to_dict()}


def model_card(name: str, architecture: str, meta: dict, temperature: float, result: dict | None,
               trained: WindowSet, folder: Path, version: str | None = None) -> dict:
    """The card of a model trained on ``trained``; ``result`` is its subject-independent
    evaluation (``None``: the card says there is none)."""
    training = training_fields(trained, folder)
    kind = evaluation_fields(result)["protocol_kind"]
    protocol = (f"trained on the {len(training['subjects'])} subjects listed; evaluation numbers are {kind}, "
                "never on the training subjects" if result
                else f"trained on the {len(training['subjects'])} subjects listed; no subject-independent evaluation")
    return build_card(
        name=f"{name} ({meta['task']})", version=version or dev_version(),
        architecture=architecture, citation=REGISTRY[name].citation,
        class_names=tuple(meta["classes"]), fs_hz=meta["fs_hz"], window_s=meta["window_s"],
        hop_s=meta["hop_s"], n_times=meta["n_times"], temperature=temperature,
        uncertainty_threshold=UNCERTAINTY_THRESHOLD,
        training={"data": data_description(trained), **training, "protocol": protocol,
                  "config": meta["config"], "date": today(), "code_revision": code_revision()},
        evaluation={**(headline(result) if result else {}), **evaluation_fields(result)})


def foreign_evaluation(result: dict, config: TrainConfig, data: WindowSet, folds: str = "loso") -> str | None:
    """Why ``result`` cannot stand for this run's evaluation (``folds``: "loso" or k), or ``None``."""
    if not same_recipe(result.get("config", {}), config.to_dict()):
        return f"was run with another configuration ({result.get('config')}); this run's is {config.to_dict()}"
    if folds == "loso" and protocol_kind(result) != "leave-one-subject-out":
        return "is not a leave-one-subject-out evaluation"
    if folds != "loso" and (protocol_kind(result) != "grouped k-fold" or len(result["folds"]) != int(folds)):
        return f"is not a grouped {folds}-fold evaluation"
    if sorted(r["record"] for r in result.get("out_of_fold_records", [])) != sorted(
            data.record_names[i] for i in np.unique(data.record_index)):
        return "does not cover exactly this folder's records"
    return None


@dataclass
class Reproduced:
    """What :func:`evaluate_train_export` made: the evaluation, the final model (trained on
    every subject for the evaluation's median best epoch), its card and the export's parity."""

    result: dict[str, Any]
    model: torch.nn.Module
    meta: dict[str, Any]
    card: dict[str, Any]
    parity: float


def evaluate_train_export(args: argparse.Namespace, data: WindowSet, out: Path, reports: Path, stem: str,
                          folds: str = "loso", result: dict[str, Any] | None = None) -> Reproduced:
    """Cross-validate ``args``'s recipe by subject (unless ``result`` is that evaluation already),
    write its reports, train the final model on every subject and export it to ``out``."""
    config = recipe_config(args)
    if result is None:
        result = cross_validate(data, subject_splits(data, folds, args.seed), config)
    write_reports(result, reports, stem)
    final_config = recipe_config(args, epochs=max(1, result["median_best_epoch"]), patience=10**6)
    everyone = np.arange(len(data))
    final = train_model(data, everyone, np.array([], dtype=np.int64), final_config)
    meta = model_meta(args, data, final_config)
    card = model_card(args.model, architecture_text(args.model, final.model, data.window_samples), meta,
                      result["median_temperature"], result, data, args.data, args.version)
    rng = np.random.default_rng(0)
    parity_windows = data.gather(rng.choice(len(data), min(32, len(data)), replace=False))
    difference = export_onnx(final.model, card, out, parity_windows)
    return Reproduced(result, final.model, meta, card, difference)
