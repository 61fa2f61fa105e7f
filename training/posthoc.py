"""Post-hoc levers scored on saved fold logits (``evaluate --save-logits``), without retraining.

Every number here keeps the protocol of ``evaluate``: what is fitted in a fold (window
temperature, record temperature, the "uncertain" threshold) is fitted on that fold's
*validation* subjects, which are disjoint from its test subject and from its training subjects;
test windows are only ever scored. Pooled over folds, each record is scored once, by the fold
that held its subject out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from emgviewer.analysis.verdicts import recalibrate, record_log_probabilities
from training.calibrate import expected_calibration_error, fit_temperature, softmax
from training.metrics import verdict_metrics, window_metrics
from training.train import same_recipe

#: The selective-accuracy goal: records that get a verdict are right this often.
TARGET_SELECTIVE_ACCURACY = 0.95
THRESHOLDS = np.round(np.arange(0.34, 1.0, 0.01), 2)


@dataclass(frozen=True)
class FoldLogits:
    """One fold's raw logits on its test and validation windows, with the subjects on each side."""

    name: str
    test_subjects: tuple[str, ...]
    validation_subjects: tuple[str, ...]
    test_indices: np.ndarray
    test_logits: np.ndarray
    validation_indices: np.ndarray
    validation_logits: np.ndarray


@dataclass(frozen=True)
class Run:
    """One cross-validation run's saved logits and the window/record tables they index."""

    name: str
    config: dict[str, Any]
    labels: np.ndarray
    record_index: np.ndarray
    record_names: tuple[str, ...]
    record_subjects: tuple[str, ...]
    record_labels: np.ndarray
    class_names: tuple[str, ...]
    folds: tuple[FoldLogits, ...]
    members: tuple[str, ...] = field(default=())  # for an ensemble: the runs averaged


def load_run(path: Path, name: str | None = None, flip_averaged: bool = False, trained: bool = False) -> Run:
    """``flip_averaged``: test-time augmentation, each window's logits averaged with those of the
    same window inverted (as :class:`training.ensemble.MeanLogits` averages members); the file
    must hold the inverted windows' logits of every fold. ``trained``: an ``--ema`` run's trained
    weights instead of their moving average (the same run without the average)."""
    z = np.load(path, allow_pickle=False)
    names = z["fold_names"].tolist()
    if flip_averaged and not all(f"fold{i}_test_logits_flipped" in z.files for i in range(len(names))):
        raise ValueError(f"{path}: saved without the inverted windows' logits that test-time augmentation "
                         "needs (runs of 'evaluate --save-logits' keep them from this version on)")
    if trained and not all(f"fold{i}_test_logits_trained" in z.files for i in range(len(names))):
        raise ValueError(f"{path}: holds no trained weights' logits besides the moving average's "
                         "(only runs of 'evaluate --ema --save-logits' do)")

    def logits(key: str) -> np.ndarray:
        plain = z[f"{key}_trained" if trained else key].astype(np.float64)
        return (plain + z[f"{key}_flipped"].astype(np.float64)) / 2 if flip_averaged else plain

    folds = tuple(FoldLogits(
        str(fold), tuple(z[f"fold{i}_test_subjects"].tolist()), tuple(z[f"fold{i}_validation_subjects"].tolist()),
        z[f"fold{i}_test_indices"], logits(f"fold{i}_test_logits"),
        z[f"fold{i}_validation_indices"], logits(f"fold{i}_validation_logits"))
        for i, fold in enumerate(names))
    return Run(name or Path(path).stem, json.loads(str(z["config"])), z["labels"], z["record_index"],
               tuple(z["record_names"].tolist()), tuple(z["record_subjects"].tolist()), z["record_labels"],
               tuple(z["class_names"].tolist()), folds)


def merge_runs(runs: list[Run], name: str) -> Run:
    """One run from several files of the same recipe holding different folds (a run that was
    stopped and another of its folds run by ``--test-subjects``); a fold in two files is taken
    from the first. A setting one file predates counts at its default (a file saved before
    mixup existed and one saved with mixup 0 are the same recipe)."""
    first = runs[0]
    folds: dict[str, FoldLogits] = {}
    for run in runs:
        if not same_recipe(run.config, first.config) or not np.array_equal(run.labels, first.labels):
            raise ValueError(f"{run.name}: not the same recipe and windows as {first.name}")
        for fold in run.folds:
            folds.setdefault(fold.name, fold)
    return replace(first, name=name, folds=tuple(folds.values()))


def ensemble(runs: list[Run], name: str) -> Run:
    """The runs' fold models averaged (mean logits), fold by fold. The runs must share their
    windows and their splits (``--split-seed``): an ensemble member trained on another fold's
    validation subjects would leak them into the calibration."""
    first = runs[0]
    for run in runs[1:]:
        if not np.array_equal(run.labels, first.labels) or run.record_names != first.record_names:
            raise ValueError(f"{run.name}: not the same windows as {first.name}")
        for a, b in zip(first.folds, run.folds):
            if (a.test_subjects, a.validation_subjects) != (b.test_subjects, b.validation_subjects) or \
                    not np.array_equal(a.test_indices, b.test_indices):
                raise ValueError(f"{run.name}: fold {b.name} differs from {first.name}'s (use one --split-seed)")
        if len(run.folds) != len(first.folds):
            raise ValueError(f"{run.name}: {len(run.folds)} folds, {first.name} has {len(first.folds)}")
    folds = tuple(replace(fold, test_logits=np.mean([r.folds[k].test_logits for r in runs], axis=0),
                          validation_logits=np.mean([r.folds[k].validation_logits for r in runs], axis=0))
                  for k, fold in enumerate(first.folds))
    return replace(first, name=name, folds=folds, members=tuple(r.name for r in runs))


def record_probabilities(window_probabilities: np.ndarray, record_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean window probability per record (the app's record verdict), and the record ids."""
    records = np.unique(record_ids)
    return np.stack([window_probabilities[record_ids == r].mean(axis=0) for r in records]), records


def choose_threshold(confidence: np.ndarray, correct: np.ndarray,
                     target: float = TARGET_SELECTIVE_ACCURACY) -> float:
    """The lowest confidence threshold at which the records kept are right at least ``target``
    of the time (fitted on validation records); the highest threshold if none gets there."""
    for threshold in THRESHOLDS:
        kept = confidence >= threshold
        if kept.any() and correct[kept].mean() >= target:
            return float(threshold)
    return float(THRESHOLDS[-1])


@dataclass
class FoldScores:
    """One fold's test windows and records, calibrated with what its validation subjects gave."""

    test_indices: np.ndarray
    window_probabilities: np.ndarray
    record_ids: np.ndarray
    record_probabilities: np.ndarray
    threshold: float
    window_temperature: float
    record_temperature: float
    #: Records given the windows' mean where a learned verdict was scored: those the app would
    #: find unlike the fold model's training records (see training.stacking.unlike_training).
    fallback: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def validation_folds(run: Run, fold: FoldLogits) -> list[FoldLogits]:
    """The folds whose validation subjects exclude ``fold``'s test subject (``fold`` itself among
    them): more validation subjects to calibrate on than one fold's three, never the test subject.
    Not strictly nested: those folds' models trained on the test subject (as DiVote's are)."""
    test = set(fold.test_subjects)
    return [other for other in run.folds if not test & set(other.validation_subjects)]


def score_fold(run: Run, fold: FoldLogits, calibrate: bool = True, pooled: bool = False) -> FoldScores:
    """``calibrate=False``: temperatures stay 1 (the lever's baseline); the threshold is still
    chosen on the validation subjects. ``pooled``: temperatures and threshold are fitted on the
    validation windows and records of :func:`validation_folds`, each scored by its own fold's model."""
    sources = validation_folds(run, fold) if pooled else [fold]
    val_logits = np.concatenate([f.validation_logits for f in sources])
    val_labels = run.labels[np.concatenate([f.validation_indices for f in sources])]
    t_window = fit_temperature(val_logits, val_labels) if calibrate else 1.0
    # Records per source fold: one record validated by two folds' models is two verdicts.
    parts = [record_probabilities(softmax(f.validation_logits, t_window), run.record_index[f.validation_indices])
             for f in sources]
    val_records, val_ids = np.concatenate([p for p, _ in parts]), np.concatenate([i for _, i in parts])
    val_record_labels = run.record_labels[val_ids]
    # The record temperature is fitted and applied as the app applies it (analysis.verdicts).
    t_record = fit_temperature(record_log_probabilities(val_records), val_record_labels) if calibrate else 1.0
    val_records = recalibrate(val_records, t_record)
    threshold = choose_threshold(val_records.max(axis=1), val_records.argmax(axis=1) == val_record_labels)
    test_windows = softmax(fold.test_logits, t_window)
    test_records, test_ids = record_probabilities(test_windows, run.record_index[fold.test_indices])
    test_records = recalibrate(test_records, t_record)
    return FoldScores(fold.test_indices, test_windows, test_ids, test_records, threshold, t_window, t_record)


def evaluate_run(run: Run, calibrate: bool = True, pooled: bool = False) -> dict[str, Any]:
    """Pooled LOSO metrics of ``run`` with validation-fitted calibration and thresholds."""
    name = None if calibrate else f"{run.name}, not calibrated (T = 1)"
    if pooled:
        name = f"{run.name}, calibrated on every fold's validation subjects but the test subject"
    return pool(run, [score_fold(run, fold, calibrate, pooled) for fold in run.folds], name)


def pool(run: Run, scores: list[FoldScores], name: str | None = None) -> dict[str, Any]:
    """Metrics over every fold's test windows and records (each scored once)."""
    indices = np.concatenate([s.test_indices for s in scores])
    windows = np.concatenate([s.window_probabilities for s in scores])
    labels = run.labels[indices]
    record_ids = np.concatenate([s.record_ids for s in scores])
    records = np.concatenate([s.record_probabilities for s in scores])
    thresholds = np.concatenate([np.full(s.record_ids.size, s.threshold) for s in scores])
    truth = run.record_labels[record_ids]
    confidence, correct = records.max(axis=1), records.argmax(axis=1) == truth
    kept = confidence >= thresholds
    names = list(run.class_names)
    window = window_metrics(labels, windows, names)
    subjects_of_window = np.asarray(run.record_subjects)[run.record_index[indices]]
    per_subject = {s: float(np.mean(windows[subjects_of_window == s].argmax(axis=1) == labels[subjects_of_window == s]))
                   for s in sorted(set(subjects_of_window))}
    window_records = run.record_index[indices]
    verdicts = verdict_metrics(window_records, {int(r): int(run.record_labels[r]) for r in record_ids},
                               {int(r): run.record_subjects[r] for r in record_ids},
                               _expand(records, record_ids, window_records), names)
    return {
        "run": name or run.name, "members": list(run.members), "config": run.config,
        "windows": window,
        "window_ece": expected_calibration_error(windows, labels),
        "window_ece_uncalibrated": expected_calibration_error(
            np.concatenate([softmax(f.test_logits) for f in run.folds]), labels),
        "records_correct": int(correct.sum()), "n_records": int(truth.size),
        "record_accuracy": float(correct.mean()),
        # Each class's record recall, averaged: record accuracy alone rewards learning the class mix.
        "record_balanced_accuracy": float(np.mean([correct[truth == k].mean() for k in np.unique(truth)])),
        "record_ece": expected_calibration_error(records, truth),
        "subjects_correct": verdicts["subjects_correct"], "n_subjects": verdicts["n_subjects"],
        "n_subjects_in_data": len(set(run.record_subjects)),
        "subjects": verdicts["subjects"],
        "subject_window_accuracy": per_subject,
        "min_subject_window_accuracy": min(per_subject.values()),
        "selective": {"coverage": float(kept.mean()),
                      "accuracy": float(correct[kept].mean()) if kept.any() else None,
                      "thresholds": sorted({round(float(t), 2) for t in thresholds}),
                      "rule": f"per fold, the lowest record-confidence threshold at which that fold's validation "
                              f"records reach {TARGET_SELECTIVE_ACCURACY:.0%} accuracy"},
        "coverage_curve": coverage_curve(confidence, correct),
        "reliability": {"windows": reliability(windows, labels), "records": reliability(records, truth)},
        "temperatures": {"window": [s.window_temperature for s in scores], "record": [s.record_temperature for s in scores]},
        "record_thresholds": [s.threshold for s in scores],
        "folds": [{"fold": f.name, "test": list(f.test_subjects), "validation": list(f.validation_subjects)}
                  for f in run.folds],
        "fallback_records": [run.record_names[r] for s in scores for r in s.fallback],
        "record_rows": [{"record": run.record_names[r], "subject": run.record_subjects[r], "truth": names[truth[k]],
                         "probabilities": [round(float(p), 4) for p in records[k]], "threshold": float(thresholds[k])}
                        for k, r in enumerate(record_ids)],
    }


def _expand(records: np.ndarray, record_ids: np.ndarray, window_records: np.ndarray) -> np.ndarray:
    """Each window given its record's probabilities, so the app's record/subject verdict code
    (which averages windows) sees the record's calibrated probability."""
    lookup = {int(r): records[k] for k, r in enumerate(record_ids)}
    return np.stack([lookup[int(r)] for r in window_records])


def coverage_curve(confidence: np.ndarray, correct: np.ndarray) -> list[dict[str, float]]:
    """Coverage and accuracy of the records whose confidence reaches each threshold (pooled,
    descriptive: the operating point above is the one chosen on validation subjects)."""
    rows = []
    for threshold in THRESHOLDS[::3]:
        kept = confidence >= threshold
        if kept.any():
            rows.append({"threshold": float(threshold), "coverage": float(kept.mean()),
                         "accuracy": float(correct[kept].mean())})
    return rows


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Confidence against accuracy in ``bins`` bins of the top probability (a reliability diagram's points)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            rows.append({"low": float(low), "high": float(high), "n": int(inside.sum()),
                         "confidence": float(confidence[inside].mean()), "accuracy": float(correct[inside].mean())})
    return rows
