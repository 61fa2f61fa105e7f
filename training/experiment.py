"""Subject-independent cross-validation, and the final model trained on every subject."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from training.calibrate import expected_calibration_error, fit_temperature, softmax
from training.data import WindowSet
from training.environment import run_environment
from training.metrics import verdict_metrics, window_metrics
from training.splits import Split, WindowSplit
from training.train import TrainConfig, device_description, predict_logits, save_checkpoint, train_model


@dataclass
class FoldResult:
    """One fold's training and test: its split, kept epoch, temperature and calibrated test probabilities."""

    split: Split | WindowSplit
    best_epoch: int
    temperature: float
    test_indices: np.ndarray
    probabilities: np.ndarray  # calibrated, on the test windows
    ece_before: float
    ece_after: float
    seconds: float
    window: dict[str, Any] = field(default_factory=dict)
    # Raw (uncalibrated) logits on the test and validation windows: what post-hoc levers
    # (ensembles, calibration, record aggregation) are fitted and scored on.
    test_logits: np.ndarray | None = None
    validation_indices: np.ndarray | None = None
    validation_logits: np.ndarray | None = None
    code_revision: str = "unknown"  # the code that trained it (a resumed run may span revisions)
    # The same windows inverted (polarity -1): test-time augmentation is scored from these
    # (training/posthoc.py). None for folds saved before they were kept.
    test_logits_flipped: np.ndarray | None = None
    validation_logits_flipped: np.ndarray | None = None
    # With ``--ema``: the logits of the trained weights (the run without the average), so that one
    # run scores both (``levers FILE@trained``). None otherwise.
    test_logits_trained: np.ndarray | None = None
    validation_logits_trained: np.ndarray | None = None


def cross_validate(data: WindowSet, splits: list[Split] | list[WindowSplit], config: TrainConfig, quiet: bool = False,
                   logits_path: Path | None = None, done: list[FoldResult] | None = None,
                   inverted: bool = True, models_dir: Path | None = None,
                   model_meta: dict | None = None) -> dict[str, Any]:
    """Train and test every split; returns per-fold and pooled metrics (JSON-ready) and the
    pieces the final model needs (median best epoch and temperature). With ``logits_path``,
    every fold's raw test and validation logits are saved there (see :func:`save_fold_logits`),
    and, with ``inverted``, those of the inverted windows too (only that file keeps them).
    ``done``: folds of these splits finished by an earlier run (training/resume.py); only the
    others are trained. With ``models_dir``, each fold's weights are kept there too
    (:func:`save_fold_model`, with ``model_meta``: what ``export`` needs of a checkpoint): the
    out-of-fold models the viewer shows known people with."""
    # The code that runs is the code at the start, not at the end.
    environment = {**run_environment(), "device": device_description(config)}
    folds: list[FoldResult] = list(done or [])
    finished = {fold.split.name for fold in folds}
    bar = tqdm([split for split in splits if split.name not in finished], desc="folds", unit="fold", disable=quiet)
    for split in bar:
        bar.set_description(f"fold {split.name}")
        folds.append(_run_fold(data, split, config, bar, str(environment["code_revision"]),
                               inverted=inverted and logits_path is not None, models_dir=models_dir,
                               model_meta=model_meta))
        if logits_path is not None:  # after each fold, so a long run that dies keeps its folds
            save_fold_logits(logits_path, data, folds, config)
    order = {split.name: k for k, split in enumerate(splits)}
    folds.sort(key=lambda fold: order[fold.split.name])  # a resumed run reports as one uninterrupted
    return {**summarise(data, folds, config), "environment": environment}


def save_fold_logits(path: Path, data: WindowSet, folds: list[FoldResult], config: TrainConfig) -> None:
    """One .npz with everything the post-hoc levers (training/posthoc_table.py) need and nothing they
    could leak through: per fold, the test and validation subjects with their windows' raw logits."""
    arrays: dict[str, Any] = {
        "labels": data.labels, "record_index": data.record_index,
        "record_names": np.asarray(data.record_names), "record_subjects": np.asarray(data.record_subjects),
        "record_labels": np.asarray(data.record_labels), "class_names": np.asarray(data.class_names),
        "config": np.asarray(json.dumps(config.to_dict())),
        "fold_names": np.asarray([f.split.name for f in folds]),
    }
    for i, fold in enumerate(folds):
        arrays[f"fold{i}_test_subjects"] = np.asarray(fold.split.test)
        arrays[f"fold{i}_validation_subjects"] = np.asarray(fold.split.validation)
        arrays[f"fold{i}_test_indices"] = fold.test_indices
        arrays[f"fold{i}_test_logits"] = fold.test_logits
        arrays[f"fold{i}_validation_indices"] = fold.validation_indices
        arrays[f"fold{i}_validation_logits"] = fold.validation_logits
        # What a resumed run needs to report the fold as if it had just run (training/resume.py).
        arrays[f"fold{i}_best_epoch"] = np.asarray(fold.best_epoch)
        arrays[f"fold{i}_seconds"] = np.asarray(fold.seconds)
        arrays[f"fold{i}_code_revision"] = np.asarray(fold.code_revision)
        for variant in ("flipped", "trained"):
            test, validation = getattr(fold, f"test_logits_{variant}"), getattr(fold, f"validation_logits_{variant}")
            if test is not None and validation is not None:
                arrays[f"fold{i}_test_logits_{variant}"] = test
                arrays[f"fold{i}_validation_logits_{variant}"] = validation
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part.npz")
    np.savez_compressed(temporary, **arrays)
    os.replace(temporary, path)


def save_fold_model(folder: Path, data: WindowSet, split: Split | WindowSplit, model: Any,
                    config: TrainConfig, best_epoch: int, model_meta: dict | None = None) -> Path:
    """A fold's weights (``fold_<test subjects>.pt``) and what they were trained on (``.json``,
    a checkpoint's fields, so ``python -m training export`` takes it): the test subjects are the
    people this model never saw."""
    path = folder / f"fold_{'-'.join(split.test)}.pt"
    held_out = set(split.test) | set(split.validation)
    meta = {**(model_meta or {}), "test_subjects": list(split.test), "validation_subjects": list(split.validation),
            "training_subjects": sorted(set(data.record_subjects) - held_out),
            "training_records": [n for n, s in zip(data.record_names, data.record_subjects) if s not in held_out],
            "best_epoch": best_epoch, "config": config.to_dict(), "classes": list(data.class_names),
            "fs_hz": data.fs_hz, "n_times": data.window_samples}
    save_checkpoint(path, model, meta)
    return path


def _run_fold(data: WindowSet, split: Split | WindowSplit, config: TrainConfig, bar: Any, revision: str,
              inverted: bool = True, models_dir: Path | None = None, model_meta: dict | None = None) -> FoldResult:
    started = time.perf_counter()
    split.check_disjoint()
    train_idx, val_idx, test_idx = split.window_indices(data)
    result = train_model(data, train_idx, val_idx, config, progress=bar)
    if models_dir is not None:
        save_fold_model(models_dir, data, split, result.model, config, result.best_epoch, model_meta)
    # The early-stopping pass already ran the kept model on the validation windows.
    val_logits = (result.validation_logits if result.validation_logits is not None
                  else predict_logits(result.model, data, val_idx))
    test_logits = predict_logits(result.model, data, test_idx)
    seconds = time.perf_counter() - started
    # Inverted windows too, for the test-time augmentation lever: one more forward pass, not timed.
    flipped = ((predict_logits(result.model, data, test_idx, polarity=-1.0),
                predict_logits(result.model, data, val_idx, polarity=-1.0)) if inverted else None)
    trained = (None if result.trained is None else
               (predict_logits(result.trained, data, test_idx), predict_logits(result.trained, data, val_idx)))
    return fold_result(data, split, result.best_epoch, seconds, test_idx, test_logits, val_idx, val_logits,
                       revision, flipped, trained)


def fold_result(data: WindowSet, split: Split | WindowSplit, best_epoch: int, seconds: float,
                test_idx: np.ndarray, test_logits: np.ndarray, val_idx: np.ndarray, val_logits: np.ndarray,
                revision: str, flipped: tuple[np.ndarray, np.ndarray] | None = None,
                trained: tuple[np.ndarray, np.ndarray] | None = None) -> FoldResult:
    """A fold's calibration and metrics from its raw logits: the temperature is fitted on the
    validation windows only, then applied to the test windows. ``flipped``: the test and
    validation logits of the inverted windows; ``trained``: those of the trained weights of an
    ``ema`` run. Both are kept for the levers; the metrics do not use them."""
    temperature = fit_temperature(val_logits, data.labels[val_idx]) if val_idx.size else 1.0
    labels = data.labels[test_idx]
    calibrated = softmax(test_logits, temperature)
    fold = FoldResult(split, best_epoch, temperature, test_idx, calibrated,
                      expected_calibration_error(softmax(test_logits), labels),
                      expected_calibration_error(calibrated, labels), seconds, code_revision=revision)
    fold.window = window_metrics(labels, calibrated, data.class_names)
    fold.test_logits, fold.validation_indices, fold.validation_logits = test_logits, val_idx, val_logits
    if flipped is not None:
        fold.test_logits_flipped, fold.validation_logits_flipped = flipped
    if trained is not None:
        fold.test_logits_trained, fold.validation_logits_trained = trained
    return fold


def _protocol(folds: list[FoldResult]) -> str:
    if isinstance(folds[0].split, WindowSplit):
        return (f"{folds[0].split.name} (the papers' protocol, for comparison only): every subject's windows "
                "on every side, so its numbers leak the subject")
    return (f"subject-independent: {len(folds)} folds ({folds[0].split.name.split()[0]}), "
            "validation subjects from the training side only")


def summarise(data: WindowSet, folds: list[FoldResult], config: TrainConfig) -> dict[str, Any]:
    """Pooled and per-fold metrics of a cross-validation, with each record's out-of-fold verdict."""
    indices = np.concatenate([f.test_indices for f in folds])
    probabilities = np.concatenate([f.probabilities for f in folds])
    labels = data.labels[indices]
    record_ids = data.record_index[indices]
    record_labels = {i: int(label) for i, label in enumerate(data.record_labels)}
    record_subjects = dict(enumerate(data.record_subjects))
    pooled_windows = window_metrics(labels, probabilities, data.class_names)
    verdicts = verdict_metrics(record_ids, record_labels, record_subjects, probabilities, data.class_names)
    per_fold = [{
        "fold": f.split.name, "test": list(f.split.test), "validation": list(f.split.validation),
        "best_epoch": f.best_epoch, "temperature": f.temperature, "seconds": round(f.seconds, 1),
        "code_revision": f.code_revision,
        "ece_before": f.ece_before, "ece_after": f.ece_after, **{k: f.window[k] for k in
        ("n_windows", "accuracy", "balanced_accuracy", "recall", "confusion")}} for f in folds]
    pooled_ece_before = float(np.average([f.ece_before for f in folds], weights=[f.test_indices.size for f in folds]))
    return {
        "protocol": _protocol(folds),
        "classes": list(data.class_names),
        "config": config.to_dict(),
        "windows": pooled_windows,
        "records": {k: v for k, v in verdicts.items() if k not in ("subjects", "record_rows")},
        "subjects": verdicts["subjects"],
        "calibration": {"ece_before": pooled_ece_before,
                        "ece_after": expected_calibration_error(probabilities, labels)},
        "folds": per_fold,
        "median_best_epoch": int(np.median([f.best_epoch for f in folds])),
        "median_temperature": float(np.median([f.temperature for f in folds])),
        "dropped_windows": dict(data.dropped),
        # Each record's verdict from the fold that held its subject out: the honest figure for
        # records whose subjects the final model was trained on (the card carries it).
        "out_of_fold_records": [{**row, "record": data.record_names[row["record"]]}
                                for row in verdicts["record_rows"]],
    }
