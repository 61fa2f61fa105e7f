"""Window, record and subject metrics. Record and subject verdicts use the app's own code
(:mod:`emgviewer.analysis.verdicts`), so the numbers describe what users will see."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from emgviewer.analysis.verdicts import record_verdict, subject_verdict


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows: true class; columns: predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix


def window_metrics(truth: np.ndarray, probabilities: np.ndarray, class_names: Sequence[str]) -> dict[str, Any]:
    """Window accuracy, balanced accuracy, recall per class and the confusion matrix."""
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(truth, predicted, len(class_names))
    support = matrix.sum(axis=1)
    recall = np.divide(np.diag(matrix), support, out=np.full(len(class_names), np.nan), where=support > 0)
    return {
        "n_windows": int(truth.size),
        "accuracy": float(np.trace(matrix) / max(truth.size, 1)),
        "balanced_accuracy": float(np.nanmean(recall)),
        "recall": {c: (None if np.isnan(r) else float(r)) for c, r in zip(class_names, recall)},
        "confusion": matrix.tolist(),
    }


def verdict_metrics(record_ids: np.ndarray, record_labels: dict[int, int], record_subjects: dict[int, str],
                    probabilities: np.ndarray, class_names: Sequence[str]) -> dict[str, Any]:
    """Record-level accuracy (mean-probability verdict per record) and subject-level counts."""
    verdicts = {}
    for record in np.unique(record_ids):
        verdicts[int(record)] = record_verdict(probabilities[record_ids == record], class_names)
    judged = [r for r, v in verdicts.items() if v.label is not None]
    record_correct = sum(verdicts[r].label == class_names[record_labels[r]] for r in judged)
    subjects: dict[str, list[int]] = {}
    for record in verdicts:
        subjects.setdefault(record_subjects[record], []).append(record)
    subject_rows = []
    for subject, records in sorted(subjects.items()):
        verdict = subject_verdict([verdicts[r] for r in records], class_names)
        truth = class_names[record_labels[records[0]]]
        subject_rows.append({"subject": subject, "truth": truth, "verdict": verdict.label,
                             "confidence": verdict.confidence, "records": len(records),
                             "records_correct": sum(verdicts[r].label == truth for r in records)})
    record_rows = [{"record": int(r), "subject": record_subjects[r], "truth": class_names[record_labels[r]],
                    "verdict": v.label, "confidence": v.confidence, "probabilities": v.probabilities,
                    "n_windows": v.n_used} for r, v in sorted(verdicts.items())]
    return {
        "n_records": len(verdicts),
        "records_with_verdict": len(judged),
        "record_accuracy": float(record_correct / len(judged)) if judged else None,
        "records_correct": int(record_correct),
        "subjects_correct": sum(row["verdict"] == row["truth"] for row in subject_rows),
        "n_subjects": len(subject_rows),
        "subjects": subject_rows,
        "record_rows": record_rows,
    }
