"""Record verdicts learned on out-of-fold predictions (nEMG DiVote's final step): a multinomial
logistic regression on record-level features, optionally fused with MUAP measures.

For each test subject the regression is fitted on the other subjects' out-of-fold records only;
:func:`fit_stacker` refuses a training row of a test subject, so a leaked fold is an error, not
a better number.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from emgviewer.analysis.signal_profile import FEATURES as PROFILE_FEATURES
from emgviewer.analysis.signal_profile import SignalProfile
from emgviewer.analysis.stacking import MUAP_FIELDS, RecordStacker, muap_measures, window_feature_names, window_features
from emgviewer.inference.distribution import profile_caveats
from emgviewer.inference.provenance import parse_distribution
from training.posthoc import FoldLogits, FoldScores, Run, choose_threshold
from training.provenance import span


def muap_features(path: Path, record_names: tuple[str, ...]) -> np.ndarray:
    """MUAP measures per record (``python -m training.muap_features``), NaN where a record
    yielded no unit: the app's :func:`muap_measures` of the same analysis."""
    rows = {row["record"]: row for row in json.loads(Path(path).read_text())["records"]}
    out = np.full((len(record_names), len(MUAP_FIELDS)), np.nan)
    for i, name in enumerate(record_names):
        row = rows.get(name)
        if row and "stacker_measures" in row:
            out[i] = [np.nan if v is None else v for v in row["stacker_measures"]]
        elif row:  # written before units were flagged implausible: its summary is over every unit
            out[i] = muap_measures(row["n_units"], row["mean_amplitude_uv"], row["mean_duration_ms"],
                                   row["polyphasic_share"], row.get("unit_rates_hz") or [])
    return out


def record_profiles(path: Path, record_names: tuple[str, ...]) -> np.ndarray | None:
    """Each record's signal profile (the app's caveat measures), NaN where it has none, from the
    same file; ``None`` for a file written before it held them."""
    rows = {row["record"]: row for row in json.loads(Path(path).read_text())["records"]}
    if not any("profile" in row for row in rows.values()):
        return None
    out = np.full((len(record_names), len(PROFILE_FEATURES)), np.nan)
    for i, name in enumerate(record_names):
        profile = (rows.get(name) or {}).get("profile")
        if profile:
            out[i] = [profile[key] for key in PROFILE_FEATURES]
    return out


def unlike_training(run: Run, fold: FoldLogits, profiles: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """Which of ``record_ids`` the app would keep from a learned verdict had this fold's model
    shipped: a signal-profile measure outside the range of the fold's training records (the
    card's distribution and the app's rule, :func:`profile_caveats`). New people fall outside a
    range more often than the training people inside it, so this is the app's behaviour on them."""
    held_out = set(fold.test_subjects) | set(fold.validation_subjects)
    trained = [r for r in np.unique(run.record_index)
               if run.record_subjects[r] not in held_out and np.isfinite(profiles[r]).all()]
    if not trained:  # a card without a profile range raises no such caveat
        return np.zeros(len(record_ids), dtype=bool)
    distribution = parse_distribution({"profile": {key: span(profiles[trained, k])
                                                   for k, key in enumerate(PROFILE_FEATURES)}})
    return np.array([np.isfinite(profiles[r]).all() and bool(profile_caveats(
        SignalProfile(*profiles[r]), distribution, amplitude=True)) for r in record_ids], dtype=bool)


class LeakedFoldError(ValueError):
    """A stacker was asked to train on a record of a subject it is about to be tested on."""


def fit_stacker(features: np.ndarray, labels: np.ndarray, subjects: np.ndarray, test_subjects: set[str],
                n_classes: int, l2: float = 1.0, names: tuple[str, ...] | None = None,
                balanced: bool = False) -> RecordStacker:
    """Multinomial logistic regression (L2 on the weights) on standardised features; missing
    values (NaN) are read as the training medians. ``names``: the features' (for a card).
    ``balanced``: each class weighs the same in the loss, however many rows it has; unweighted,
    the regression also learns the training set's class mix (N2001: 57 % of records are
    controls) and buys record accuracy with ALS sensitivity."""
    leaked = sorted(set(subjects.tolist()) & set(test_subjects))
    if leaked:
        raise LeakedFoldError(f"training rows include test subject(s) {', '.join(leaked)}")
    fill = np.nanmedian(features, axis=0)
    fill = np.where(np.isnan(fill), 0.0, fill)
    x = np.where(np.isnan(features), fill, features)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    xt = torch.as_tensor((x - mean) / scale, dtype=torch.float64)
    yt = torch.as_tensor(labels, dtype=torch.long)
    w = torch.zeros((x.shape[1], n_classes), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(n_classes, dtype=torch.float64, requires_grad=True)
    counts = np.bincount(labels, minlength=n_classes)
    weight = torch.as_tensor(np.where(counts > 0, 1.0 / np.maximum(counts, 1), 0.0)) if balanced else None
    optimiser = torch.optim.LBFGS([w, b], lr=0.5, max_iter=300, line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(xt @ w + b, yt, weight=weight) + l2 * (w ** 2).sum() / len(labels)
        loss.backward()
        return loss

    optimiser.step(closure)
    names = names or tuple(f"x{i}" for i in range(x.shape[1]))
    return RecordStacker(names, mean, scale, fill, w.detach().numpy(), b.detach().numpy())


def _table(run: Run, scores: list[FoldScores], extra: np.ndarray | None):
    """One row per out-of-fold record: its features (the app's), label, subject and id."""
    record_ids = np.concatenate([s.record_ids for s in scores])
    window_probs = np.concatenate([s.window_probabilities for s in scores])
    window_records = run.record_index[np.concatenate([s.test_indices for s in scores])]
    features = np.stack([window_features(window_probs[window_records == r]) for r in record_ids])
    names = window_feature_names(run.class_names)
    if extra is not None:
        features, names = np.hstack([features, extra[record_ids]]), names + MUAP_FIELDS
    return features, run.record_labels[record_ids], np.asarray(run.record_subjects)[record_ids], record_ids, names


def deployed_stacker(run: Run, scores: list[FoldScores], extra: np.ndarray | None = None,
                     balanced: bool = True) -> RecordStacker:
    """The stacker a final model ships: fitted on every subject's out-of-fold records (each
    scored by a fold model that never saw its subject), as :func:`stacked_scores` fits each
    fold's on all but the test subject."""
    features, labels, subjects, _ids, names = _table(run, scores, extra)
    return fit_stacker(features, labels, subjects, set(), len(run.class_names), names=names, balanced=balanced)


def stacked_scores(run: Run, scores: list[FoldScores], extra: np.ndarray | None = None,
                   balanced: bool = True, profiles: np.ndarray | None = None) -> list[FoldScores]:
    """Each fold's test records re-scored by a stacker fitted on every other subject's
    out-of-fold records; its "uncertain" threshold is chosen on its validation subjects, each
    scored by a stacker that saw neither it nor the test subject (nested, so no test label
    reaches the threshold). ``balanced``: see :func:`fit_stacker`. With ``profiles``
    (:func:`record_profiles`), a test record unlike the fold's training records keeps its
    windows' mean, as the app gives it (:func:`unlike_training`)."""
    features, labels, subjects, record_ids, _names = _table(run, scores, extra)
    n_classes = len(run.class_names)

    def predict_for(held_out: set[str], target: set[str]) -> tuple[np.ndarray, np.ndarray]:
        train = ~np.isin(subjects, sorted(held_out))
        rows = np.isin(subjects, sorted(target))
        stacker = fit_stacker(features[train], labels[train], subjects[train], held_out, n_classes,
                              balanced=balanced)
        return stacker.predict(features[rows]), rows

    out = []
    for fold, score in zip(run.folds, scores):
        test = set(fold.test_subjects)
        probabilities, rows = predict_for(test, test)
        by_id = dict(zip(record_ids[rows].tolist(), probabilities))
        confidence, correct = [], []
        for subject in fold.validation_subjects:
            p, v_rows = predict_for(test | {subject}, {subject})
            confidence.append(p.max(axis=1))
            correct.append(p.argmax(axis=1) == labels[v_rows])
        threshold = choose_threshold(np.concatenate(confidence), np.concatenate(correct))
        learned = np.stack([by_id[int(r)] for r in score.record_ids])
        unlike = (unlike_training(run, fold, profiles, score.record_ids) if profiles is not None
                  else np.zeros(score.record_ids.size, dtype=bool))
        out.append(replace(score, record_probabilities=np.where(unlike[:, None], score.record_probabilities, learned),
                           threshold=threshold, fallback=score.record_ids[unlike]))
    return out
