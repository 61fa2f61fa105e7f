"""Classification results as plain data: the documented JSON schema of ``emgviewer classify``.

Schema (stable; scripts may rely on it)::

    {"model": {"name", "version", "architecture", "classes", "fs_hz", "window_s", "hop_s",
               "provider"},
     "records": [{"record", "path", "subject", "truth", "verdict", "confidence",
                  "probabilities": {class: p}, "votes": {class: n}, "reason",
                  "n_windows", "n_valid", "n_uncertain",
                  "windows": [{"start_s", "end_s", "class", "probabilities": {class: p},
                               "uncertain", "valid", "reason"}]}],
     "subjects": [{"subject", "truth", "verdict", "confidence", "records"}]}

``truth``, ``verdict``, ``confidence`` and a window's ``class``/``probabilities`` are ``null``
where unknown or invalid.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from emgviewer.analysis.verdicts import Verdict, subject_verdict
from emgviewer.inference.classify import Classification
from emgviewer.inference.model import LoadedModel


def model_summary(model: LoadedModel, hop_s: float | None = None) -> dict[str, Any]:
    card = model.card
    return {
        "name": card.name, "version": card.version, "architecture": card.architecture,
        "classes": list(card.class_names), "fs_hz": card.input.fs_hz,
        "window_s": card.input.window_s, "hop_s": hop_s or card.input.hop_s,
        "provider": model.provider_label,
    }


def window_rows(result: Classification) -> list[dict[str, Any]]:
    classes = result.class_names
    predicted, uncertain = result.predicted, result.uncertain
    rows = []
    for i in range(result.n_windows):
        valid = bool(result.valid[i])
        rows.append({
            "start_s": round(float(result.starts_s[i]), 6),
            "end_s": round(float(result.stops_s[i]), 6),
            "class": classes[predicted[i]] if valid else None,
            "probabilities": ({c: round(float(p), 6) for c, p in zip(classes, result.probabilities[i])}
                              if valid else None),
            "uncertain": bool(uncertain[i]),
            "valid": valid,
            "reason": result.reason(i),
        })
    return rows


def record_summary(result: Classification, with_windows: bool = True) -> dict[str, Any]:
    verdict = result.verdict
    summary = {
        "record": result.record.name,
        "path": str(result.record.source_path),
        "subject": result.record.subject_id,
        "truth": result.record.truth,
        "verdict": verdict.label,
        "confidence": _rounded(verdict.confidence),
        "probabilities": {c: round(p, 6) for c, p in verdict.probabilities.items()},
        "votes": dict(verdict.votes),
        "reason": verdict.reason,
        "n_windows": result.n_windows,
        "n_valid": int(np.count_nonzero(result.valid)),
        "n_uncertain": int(np.count_nonzero(result.uncertain)),
    }
    if with_windows:
        summary["windows"] = window_rows(result)
    return summary


def subject_summaries(results: Sequence[Classification]) -> list[dict[str, Any]]:
    """One entry per N2001 subject among ``results`` (records without a subject are skipped)."""
    by_subject: dict[str, list[Classification]] = {}
    for result in results:
        if result.record.subject_id:
            by_subject.setdefault(result.record.subject_id, []).append(result)
    summaries = []
    for subject, items in sorted(by_subject.items()):
        verdict: Verdict = subject_verdict([r.verdict for r in items], items[0].class_names)
        truths = {r.record.truth for r in items}
        summaries.append({
            "subject": subject,
            "truth": truths.pop() if len(truths) == 1 else None,
            "verdict": verdict.label,
            "confidence": _rounded(verdict.confidence),
            "records": [r.record.name for r in items],
        })
    return summaries


def classification_document(model: LoadedModel, results: Sequence[Classification],
                            hop_s: float | None = None) -> dict[str, Any]:
    return {
        "model": model_summary(model, hop_s),
        "records": [record_summary(r) for r in results],
        "subjects": subject_summaries(results),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)
