"""Record verdicts learned from a record's windows and its MUAP measures (nEMG DiVote's last step).

A card may carry a *record stacker*: a multinomial logistic regression fitted (by
``python -m training levers``) on out-of-fold records, each described by a summary of its
window probabilities (:func:`window_features`) and, optionally, by its MUAP measures
(:func:`muap_measures`, from :mod:`emgviewer.analysis.muap`). The regression weighs what a mean
cannot: how the windows spread, how many are unsure, and how large, long and polyphasic the
record's units are. Training computes the features with these same functions, so the app and
the numbers in the card describe one rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from emgviewer.analysis.muap.analysis import unit_means
from emgviewer.analysis.verdicts import MIN_VALID_WINDOWS, Verdict, record_verdict

QUANTILES = (0.1, 0.5, 0.9)
#: A window whose top probability is below this counts as unsure in the summary.
UNSURE_BELOW = 0.6
#: Per-record MUAP measures, in the order the regression reads them.
MUAP_FIELDS = ("log_amplitude", "mean_duration_ms", "polyphasic_share", "n_units", "mean_rate_hz")
#: A longer record's measures come from its first so many seconds (the analysis of an hour takes
#: minutes); the regression learned them on 11-s records.
MUAP_MAX_S = 60.0


def window_feature_names(class_names: Sequence[str]) -> tuple[str, ...]:
    """Names of :func:`window_features`' columns, e.g. ``mean_ALS``, ``q10_control``."""
    quantiles = [f"q{round(100 * q)}_{c}" for q in QUANTILES for c in class_names]
    return (*[f"mean_{c}" for c in class_names], *quantiles, "unsure_share")


def window_features(probabilities: np.ndarray) -> np.ndarray:
    """One record's summary of its ``(n_windows, n_classes)`` window probabilities: each
    class's mean, its 10th, 50th and 90th percentile, and the share of unsure windows."""
    p = np.asarray(probabilities, dtype=np.float64)
    return np.concatenate([p.mean(axis=0), np.quantile(p, QUANTILES, axis=0).ravel(),
                           [np.mean(p.max(axis=1) < UNSURE_BELOW)]])


def muap_measures(n_units: int, mean_amplitude_uv: float | None, mean_duration_ms: float | None,
                  polyphasic_share: float | None, unit_rates_hz: Sequence[float | None]) -> np.ndarray:
    """:data:`MUAP_FIELDS` for one record; all NaN when it yielded no unit (the regression
    then reads its training medians). Amplitude enters as its logarithm: it spans decades."""
    if not n_units or not mean_amplitude_uv or mean_amplitude_uv <= 0:
        return np.full(len(MUAP_FIELDS), np.nan)
    rates = [r for r in unit_rates_hz if r]
    return np.array([math.log(mean_amplitude_uv), _or_nan(mean_duration_ms), _or_nan(polyphasic_share),
                     float(n_units), float(np.mean(rates)) if rates else np.nan])


def muap_measures_of_units(units: Sequence) -> np.ndarray:
    """:data:`MUAP_FIELDS` over every unit found (:class:`~emgviewer.analysis.muap.analysis.MotorUnit`),
    plausible or not: the learned verdicts were fitted on means over all units, before units
    were flagged implausible, and read them as they were fitted."""
    means = unit_means(units)
    return muap_measures(len(units), means["mean_amplitude_uv"], means["mean_duration_ms"],
                         means["polyphasic_share"], [u.firing.mean_rate_hz for u in units])


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


#: The largest coefficient a card's regression may hold, and how far a standardised feature may
#: reach: together they keep every logit finite, so no record gets NaN probabilities.
COEFFICIENT_LIMIT = 1e6
STANDARD_LIMIT = 1e3


@dataclass(frozen=True)
class RecordStacker:
    """The regression: features standardised with the training rows' ``mean`` and ``scale``
    (missing ones replaced by the training medians, ``fill``), then softmax(x @ weights + bias)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    fill: np.ndarray
    weights: np.ndarray  # (n_features, n_classes)
    bias: np.ndarray  # (n_classes,)

    @property
    def uses_muap(self) -> bool:
        """Whether the regression reads MUAP measures (then a record must be analysed first)."""
        return any(name in MUAP_FIELDS for name in self.features)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities for ``(n_records, n_features)`` rows."""
        x = np.where(np.isnan(features), self.fill, features)
        # A feature a thousand scales from the training rows is far outside anything fitted;
        # bounding it (with the bounded coefficients) keeps every logit finite.
        standard = np.clip((x - self.mean) / self.scale, -STANDARD_LIMIT, STANDARD_LIMIT)
        logits = standard @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict[str, Any]:
        """The regression as JSON types, as a model card carries it."""
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "fill": self.fill.tolist(), "weights": self.weights.tolist(), "bias": self.bias.tolist()}

    @classmethod
    def from_dict(cls, data: Any, class_names: Sequence[str]) -> "RecordStacker":
        """Checked against the features this app computes; ``ValueError`` says what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("must be an object")
        names = data.get("features")
        known = window_feature_names(class_names)
        if not isinstance(names, list) or tuple(names) not in (known, known + MUAP_FIELDS):
            raise ValueError(f"features must be {list(known)}, optionally followed by {list(MUAP_FIELDS)}; "
                             f"got {names!r}")
        n, k = len(names), len(class_names)
        arrays = {key: _finite(data.get(key), key, shape)
                  for key, shape in (("mean", (n,)), ("scale", (n,)), ("fill", (n,)), ("weights", (n, k)),
                                     ("bias", (k,)))}
        if (arrays["scale"] <= 0).any():
            raise ValueError("scale must be positive")
        for key, array in arrays.items():
            if (np.abs(array) > COEFFICIENT_LIMIT).any():
                raise ValueError(f"{key} must lie within ±{COEFFICIENT_LIMIT:g} (a fitted regression's are far "
                                 f"smaller), got {np.abs(array).max():g}")
        return cls(tuple(names), **arrays)


def _finite(value: Any, key: str, shape: tuple[int, ...]) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{key} must be numbers of shape {shape}") from None
    if array.shape != shape or not np.isfinite(array).all():
        raise ValueError(f"{key} must be finite numbers of shape {shape}, got {array.shape}")
    return array


def stacked_verdict(probabilities: np.ndarray, class_names: Sequence[str], stacker: RecordStacker,
                    muaps: np.ndarray | None = None, min_windows: int = MIN_VALID_WINDOWS,
                    n_total: int | None = None, muap_note: str | None = None) -> Verdict:
    """The record verdict of ``stacker`` from the valid windows' probabilities and, when it
    uses them, the record's :func:`muap_measures` (``None``: not measured, for the reason in
    ``muap_note``, and read as missing; with measures, ``muap_note`` says what limited them).
    The window votes are kept beside it; ``basis`` says what it was learned from."""
    plain = record_verdict(probabilities, class_names, min_windows, n_total)
    if plain.label is None:
        return plain
    row = window_features(np.asarray(probabilities, dtype=np.float64).reshape(-1, len(class_names)))
    basis = "learned from the windows"
    if stacker.uses_muap:
        measured = np.full(len(MUAP_FIELDS), np.nan) if muaps is None else np.asarray(muaps, dtype=np.float64)
        row = np.concatenate([row, measured])
        units = measured[MUAP_FIELDS.index("n_units")]
        if muaps is None:
            basis += f"; no MUAP measures ({muap_note or 'not measured'}), read as the training records' medians"
        elif np.isnan(units):
            basis += "; no motor unit was found, so the MUAP measures were read as the training records' medians"
        else:
            basis += f" and the MUAP measures of {int(units)} unit{'' if units == 1 else 's'}"
            basis += f" ({muap_note})" if muap_note else ""
    p = stacker.predict(row[None, :])[0]
    winner = int(np.argmax(p))
    return Verdict(class_names[winner], float(p[winner]), {c: float(v) for c, v in zip(class_names, p)},
                   plain.votes, plain.n_used, basis=basis, learned=True)
