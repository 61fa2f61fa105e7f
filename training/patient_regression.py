"""``python -m training divote``: nEMGNet's full pipeline ends in DiVote (Yoo et al. 2022): a
network's segment predictions are divided and voted per signal, and a logistic regression on
patient-level features gives the patient's diagnosis. This is that last step on a run's
out-of-fold predictions (``evaluate --save-logits``), so a row can be the paper's pipeline.

Per patient the features are, for each class: the mean window probability, the share of windows
that vote for it and the share of records that vote for it (N2001 has one muscle, biceps, so the
paper's muscle-subtype grouping is a single group). Window probabilities are the fold's, with
the temperature fitted on its validation subjects. Each patient is diagnosed by a regression
fitted on the other patients only (:func:`training.stacking.fit_stacker` refuses a row of the
patient it scores). Its training rows are out-of-fold predictions: each from a fold model that
never saw that row's patient, though it did train on the patient being scored; a strictly nested
run needs one inner cross-validation per patient (on N2001's 19, 19 x 18 trainings) and is not
done here.
The report puts the regression beside the plain vote (the app's subject verdict: the mean of
the patient's window probabilities).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from emgviewer.atomic import atomic_write_text
from training.posthoc import Run, load_run, score_fold
from training.stacking import fit_stacker


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``divote`` command and its options, added to ``commands``."""
    divote = commands.add_parser(
        "divote", help="patient-level logistic regression on out-of-fold predictions (nEMGNet's DiVote step)",
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    divote.add_argument("logits", type=Path, help="a *_logits.npz file from 'evaluate --save-logits' with subject-disjoint "
                                                        "folds (LOSO or k folds) that test every subject once")
    divote.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the regression's weights")
    divote.add_argument("--out", type=Path, required=True, help="folder for NAME_divote.json and NAME_divote.md")
    divote.set_defaults(run=cmd_divote)


def patient_features(window_probabilities: np.ndarray, window_records: np.ndarray,
                     record_subjects: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """The patients (sorted) and, per patient, 3 x n_classes features: mean window probability,
    share of window votes and share of record votes for each class."""
    n_classes = window_probabilities.shape[1]
    window_subjects = np.asarray(record_subjects)[window_records]
    patients = sorted(set(window_subjects.tolist()))
    rows = []
    for patient in patients:
        mine = window_subjects == patient
        probabilities, records = window_probabilities[mine], window_records[mine]
        window_votes = np.bincount(probabilities.argmax(axis=1), minlength=n_classes) / probabilities.shape[0]
        record_votes = np.zeros(n_classes)
        for record in np.unique(records):
            record_votes[probabilities[records == record].mean(axis=0).argmax()] += 1
        rows.append(np.concatenate([probabilities.mean(axis=0), window_votes, record_votes / record_votes.sum()]))
    return patients, np.stack(rows)


def check_out_of_fold(run: Run) -> None:
    """Refuse a run whose predictions are not out-of-fold per patient: a fold that validates on a
    subject it tests (the random window split puts everyone on every side), a subject tested by
    two folds, or one no fold tested (a stopped run)."""
    tested: dict[str, str] = {}
    for fold in run.folds:
        if shared := sorted(set(fold.test_subjects) & set(fold.validation_subjects)):
            raise ValueError(f"{run.name}: fold {fold.name!r} validates on the subjects it tests "
                             f"({', '.join(shared)}): DiVote needs subject-disjoint folds, not a random window split")
        for subject in fold.test_subjects:
            if subject in tested:
                raise ValueError(f"{run.name}: subject {subject} is tested by folds {tested[subject]!r} and {fold.name!r}")
            tested[subject] = fold.name
    if untested := sorted(set(run.record_subjects) - set(tested)):
        raise ValueError(f"{run.name}: no fold tested {', '.join(untested)}: finish the run (evaluate --resume) first")


def divote(run: Run, l2: float = 1.0) -> dict[str, Any]:
    """Every patient diagnosed by a regression fitted on the others' out-of-fold features."""
    check_out_of_fold(run)
    scores = [score_fold(run, fold) for fold in run.folds]
    windows = np.concatenate([s.window_probabilities for s in scores])
    window_records = run.record_index[np.concatenate([s.test_indices for s in scores])]
    patients, features = patient_features(windows, window_records, run.record_subjects)
    truth_of = {s: int(label) for s, label in zip(run.record_subjects, run.record_labels)}
    labels = np.array([truth_of[p] for p in patients])
    subjects = np.asarray(patients)
    n_classes = len(run.class_names)
    rows = []
    for k, patient in enumerate(patients):
        others = subjects != patient
        stacker = fit_stacker(features[others], labels[others], subjects[others], {patient}, n_classes, l2)
        probabilities = stacker.predict(features[k:k + 1])[0]
        vote = features[k, :n_classes]  # mean window probability: the app's subject verdict
        rows.append({"patient": patient, "truth": run.class_names[labels[k]],
                     "divote": run.class_names[int(probabilities.argmax())],
                     "divote_probabilities": [round(float(p), 4) for p in probabilities],
                     "vote": run.class_names[int(vote.argmax())],
                     "features": [round(float(f), 4) for f in features[k]]})
    return {"run": run.name, "config": run.config, "l2": l2, "n_patients": len(rows),
            "divote_correct": sum(r["divote"] == r["truth"] for r in rows),
            "vote_correct": sum(r["vote"] == r["truth"] for r in rows),
            "features": [f"{kind} {c}" for kind in ("mean probability", "window votes", "record votes")
                         for c in run.class_names],
            "protocol": __doc__.split("\n\n")[1].replace("\n", " "), "patients": rows}


def markdown(result: dict[str, Any]) -> str:
    """The patient-level regression's result as Markdown."""
    n = result["n_patients"]
    lines = [f"# DiVote on {result['run']}", "", result["protocol"], "",
             f"- Patients right, logistic regression on patient-level features: {result['divote_correct']}/{n}",
             f"- Patients right, mean window probability (the app's subject verdict): {result['vote_correct']}/{n}",
             "", "| patient | truth | regression | its probabilities | mean-probability vote |", "|---|---|---|---|---|"]
    lines += [f"| {r['patient']} | {r['truth']} | {r['divote']} | {', '.join(f'{p:.2f}' for p in r['divote_probabilities'])} "
              f"| {r['vote']} |" for r in result["patients"]]
    return "\n".join(lines) + "\n"


def cmd_divote(args: argparse.Namespace) -> int:
    """Fit and score the patient-level regression on a run's saved logits; 0, or 1 when refused (said)."""
    run = load_run(args.logits, args.logits.name.removesuffix("_logits.npz"))
    try:
        result = divote(run, args.l2)
    except ValueError as error:
        raise SystemExit(f"python -m training divote: {args.logits}: {error}") from None
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / f"{run.name}_divote.json", json.dumps(result, indent=1))
    atomic_write_text(args.out / f"{run.name}_divote.md", markdown(result))
    print(markdown(result))
    return 0
