"""From window probabilities to record and subject verdicts.

Rule: the **mean probability** over valid windows (soft voting), not the mean log-probability.
Summing log-probabilities treats windows as independent evidence; our windows overlap by 60 %
and come from one contraction, so that rule counts the same evidence several times and
becomes overconfident, and a single window with a near-zero probability for a class vetoes it
(log 1e-6 = -13.8 outweighs nine windows that prefer the class 0.6 to 0.35). The mean probability degrades gracefully
with a few wild windows and stays interpretable: the confidence is the average probability
the model gave the winning class. The vote counts (argmax per window) are kept beside it so a
reader can see how the verdict was reached.

A card may carry a *record temperature* fitted on validation subjects: the mean probability of
a record's windows is overconfident or underconfident as a record verdict in its own way (its
windows are not independent), so it is recalibrated as softmax(log(mean) / T).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

#: A record verdict needs at least this many valid windows.
MIN_VALID_WINDOWS = 3


@dataclass(frozen=True)
class Verdict:
    """A verdict, or the plain reason there is none (``label`` is ``None``). How it is said
    (uncertain below the card's threshold, seen in training) is decided in
    :mod:`emgviewer.inference.caveats`."""

    label: str | None
    confidence: float | None
    probabilities: dict[str, float] = field(default_factory=dict)  # mean over what was used
    votes: dict[str, int] = field(default_factory=dict)  # argmax counts
    n_used: int = 0
    reason: str | None = None
    #: How a learned record verdict was reached ("learned from the windows and ..."); ``None``
    #: for the mean probability of the windows.
    basis: str | None = None
    learned: bool = False  # from the card's record regression, not the windows' mean


def record_verdict(
    probabilities: np.ndarray, class_names: Sequence[str], min_windows: int = MIN_VALID_WINDOWS,
    n_total: int | None = None, temperature: float = 1.0,
) -> Verdict:
    """Verdict from the ``(n_valid, n_classes)`` probabilities of a record's valid windows;
    ``temperature``: the card's record temperature."""
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1, len(class_names))
    n_valid = probabilities.shape[0]
    if n_valid < min_windows:
        of = f" of {n_total}" if n_total is not None else ""
        return Verdict(None, None, n_used=n_valid,
                       reason=f"only {n_valid} valid window(s){of}, "
                              f"at least {min_windows} needed")
    return _soft_vote(probabilities, class_names, n_valid, temperature)


def subject_verdict(record_verdicts: Sequence[Verdict], class_names: Sequence[str]) -> Verdict:
    """Verdict over a subject's records: each record with a verdict weighs the same."""
    used = [v for v in record_verdicts if v.label is not None]
    if not used:
        return Verdict(None, None, reason=f"none of the {len(record_verdicts)} "
                                          "record(s) has a verdict")
    means = np.array([[v.probabilities[c] for c in class_names] for v in used])
    verdict = _soft_vote(means, class_names, len(used))
    return Verdict(verdict.label, verdict.confidence, verdict.probabilities,
                   {c: sum(v.label == c for v in used) for c in class_names}, len(used))


def _soft_vote(probabilities: np.ndarray, class_names: Sequence[str], n_used: int,
               temperature: float = 1.0) -> Verdict:
    mean = probabilities.mean(axis=0)
    if temperature != 1.0:
        mean = recalibrate(mean, temperature)
    winner = int(np.argmax(mean))
    votes = np.bincount(probabilities.argmax(axis=1), minlength=len(class_names))
    return Verdict(
        label=class_names[winner],
        confidence=float(mean[winner]),
        probabilities={c: float(p) for c, p in zip(class_names, mean)},
        votes={c: int(v) for c, v in zip(class_names, votes)},
        n_used=n_used,
    )


def recalibrate(mean: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log(mean) / T) over the last axis (one record, or one per row): T > 1 softens a
    record verdict, T < 1 sharpens it. Training fits T with :func:`record_log_probabilities`."""
    scaled = record_log_probabilities(mean) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def record_log_probabilities(mean: np.ndarray) -> np.ndarray:
    """The log of mean window probabilities, floored so a zero stays finite."""
    return np.log(np.clip(np.asarray(mean, dtype=np.float64), 1e-12, None))
