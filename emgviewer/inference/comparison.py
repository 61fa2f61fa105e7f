"""Two models on one record, window by window: where their classes agree and where not.

Two independently trained models that disagree on a window say something a single model's
confidence cannot: the colour there is a matter of the model, not of the signal. Windows are
matched by time (the window of the second model whose centre is nearest, within half a hop),
so models with other window geometries can still be compared; classes are compared by name
(a window one model calls myopathy and another, without that class, calls control disagrees).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emgviewer.inference.classify import Classification


@dataclass(frozen=True)
class Comparison:
    """Two models' classifications of one record, window matched to window by time and class to class by name."""

    first: Classification
    second: Classification
    #: For each window of ``first``: the matched window of ``second``, or -1 where none is near.
    matched: np.ndarray
    #: Matched, and both windows valid and classified.
    comparable: np.ndarray
    #: Comparable, and both name the same class.
    agree: np.ndarray

    @property
    def n_comparable(self) -> int:
        """How many windows both models classified."""
        return int(self.comparable.sum())

    @property
    def n_agree(self) -> int:
        """How many of those they name the same class."""
        return int(self.agree.sum())

    def summary(self) -> str:
        """One line: "munet-local (3class) 1.0.1 agrees with munet (3class) 1.0.2 on 22 of 26 windows (85 %);
        record: myopathy 0.89 / myopathy 0.97"."""
        first, second = self.first.model.card, self.second.model.card
        head = f"{second.name} {second.version} agrees with {first.name} {first.version} on "
        if not self.n_comparable:
            return head + "no window: no window is valid under both"
        share = self.n_agree / self.n_comparable
        return (f"{head}{self.n_agree} of {self.n_comparable} windows ({share:.0%}); "
                f"record: {_verdict(self.first)} / {_verdict(self.second)}")


def _verdict(result: Classification) -> str:
    verdict = result.verdict
    return "no verdict" if verdict.label is None else f"{verdict.label} {verdict.confidence:.2f}"


def compare(first: Classification, second: Classification) -> Comparison:
    """``second``'s windows against ``first``'s, on the same record."""
    if first.record is not second.record and first.record.source_path != second.record.source_path:
        raise ValueError(f"{first.record.name} and {second.record.name}: a comparison needs one record")
    centres = (first.starts_s + first.stops_s) / 2
    other = (second.starts_s + second.stops_s) / 2
    matched = np.full(centres.size, -1)
    if other.size:
        after = np.clip(np.searchsorted(other, centres), 0, other.size - 1)
        before = np.clip(after - 1, 0, other.size - 1)
        nearest = np.where(np.abs(other[after] - centres) < np.abs(other[before] - centres), after, before)
        tolerance = min(first.hop_s, second.hop_s) / 2 + 1e-9
        matched = np.where(np.abs(other[nearest] - centres) <= tolerance, nearest, -1)
    names_first = np.array([c.name for c in first.model.card.classes])
    names_second = np.array([c.name for c in second.model.card.classes])
    classified_first = first.valid & np.isfinite(first.probabilities).all(axis=1)
    classified_second = second.valid & np.isfinite(second.probabilities).all(axis=1)
    label_first = np.where(classified_first, names_first[np.nan_to_num(first.probabilities, nan=-1).argmax(axis=1)], "")
    safe = np.maximum(matched, 0)
    label_second = np.where(classified_second[safe] & (matched >= 0),
                            names_second[np.nan_to_num(second.probabilities[safe], nan=-1).argmax(axis=1)], "")
    comparable = (matched >= 0) & (label_first != "") & (label_second != "")
    return Comparison(first, second, matched, comparable, comparable & (label_first == label_second))
