"""What a model card says about the data behind the model: who it was trained on, what
their recordings looked like, how it was evaluated, and each training record's verdict from
the fold that held its subject out.

Card fields (all optional, so older cards still load)::

    "training": {"dataset": "N2001", "subjects": ["A01", ...], "n_records": 423,
                 "distribution": {"fs_hz": [23437.5], "muscles": ["biceps brachii"],
                                  "electrodes": ["concentric needle"], "n_records": 422,
                                  "duration_s": {"min": 11.18, "max": 11.18},
                                  "profile": {"rms_uv": {"min": .., "max": ..}, ...}}}
    "evaluation": {"protocol_kind": "leave-one-subject-out" | "grouped k-fold" | "none", ...,
                   "out_of_fold": {"protocol": str,
                                   "records": {"N2001A01BB02": {"verdict": "ALS", "confidence": 0.93,
                                                                "probabilities": {...}}}}}

``profile`` holds the range of :func:`emgviewer.analysis.signal_profile.signal_profile` over
the training records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from emgviewer.analysis.signal_profile import FEATURES
from emgviewer.inference.errors import CardError

PROTOCOL_KINDS = ("leave-one-subject-out", "grouped k-fold", "none")


#: Cards write a range to 6 decimals (training.provenance.span). Cards before 2026-12-03 rounded
#: each end to the nearest, which can put the record that set an end just outside it (a median
#: frequency of 22.8881836 Hz against a written 22.888184): half a unit of the last decimal is
#: allowed, so a training record is never said to lie outside its own training range.
WRITTEN_PRECISION = 5e-7


@dataclass(frozen=True)
class FeatureRange:
    """The range of one signal-profile measure over a model's training records."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range, allowing for the precision the card was written with."""
        return self.low - WRITTEN_PRECISION <= value <= self.high + WRITTEN_PRECISION


@dataclass(frozen=True)
class TrainingDistribution:
    """What the training recordings looked like."""

    fs_hz: tuple[float, ...] = ()
    muscles: tuple[str, ...] = ()  # normalised, lower case: "biceps brachii"
    electrodes: tuple[str, ...] = ()
    n_records: int = 0
    duration_s: FeatureRange | None = None
    profile: Mapping[str, FeatureRange] = field(default_factory=dict)


@dataclass(frozen=True)
class OutOfFoldVerdict:
    """A training record's verdict from the fold model that never saw its subject."""

    label: str | None
    confidence: float | None
    probabilities: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Provenance:
    """What a model was trained on, as its card says: dataset, subjects, records, distribution, protocol."""

    dataset: str = ""  # "N2001" when the training records were N2001 records
    subjects: frozenset[str] = frozenset()
    n_records: int | None = None
    protocol_kind: str = "none"  # one of PROTOCOL_KINDS, or "not stated" for older cards
    distribution: TrainingDistribution | None = None
    out_of_fold: Mapping[str, OutOfFoldVerdict] = field(default_factory=dict)
    out_of_fold_protocol: str = ""

    def seen_subject(self, dataset: str | None, subject_id: str | None) -> bool:
        """True when this subject's recordings were in the training set."""
        return bool(subject_id) and dataset == self.dataset and subject_id in self.subjects


def parse_provenance(training: dict[str, Any], evaluation: dict[str, Any]) -> Provenance:
    """Validate the provenance fields of a card; :class:`CardError` names the bad field."""
    subjects = training.get("subjects", [])
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise CardError("training.subjects must be a list of subject identifiers")
    dataset = training.get("dataset")
    if dataset is None:  # cards before the field: the data description names the collection
        dataset = "N2001" if "N2001" in str(training.get("data", "")) else ""
    if not isinstance(dataset, str):
        raise CardError("training.dataset must be a string")
    n_records = training.get("n_records")
    if n_records is not None and (isinstance(n_records, bool) or not isinstance(n_records, int) or n_records < 0):
        raise CardError(f"training.n_records must be a count, got {n_records!r}")
    kind = evaluation.get("protocol_kind", "none" if not evaluation else "not stated")
    if kind not in (*PROTOCOL_KINDS, "not stated"):
        raise CardError(f"evaluation.protocol_kind {kind!r} is not one of {', '.join(PROTOCOL_KINDS)}")
    oof = evaluation.get("out_of_fold", {})
    if not isinstance(oof, dict):
        raise CardError("evaluation.out_of_fold must be an object")
    return Provenance(
        dataset=dataset, subjects=frozenset(subjects), n_records=n_records, protocol_kind=kind,
        distribution=parse_distribution(training.get("distribution")),
        out_of_fold=_out_of_fold(oof.get("records", {})),
        out_of_fold_protocol=str(oof.get("protocol", "")))


def parse_distribution(data: Any) -> TrainingDistribution | None:
    """A card's ``training.distribution`` (``None`` when absent); :class:`CardError` names a bad field."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise CardError("training.distribution must be an object")
    where = "training.distribution"
    profile_data = data.get("profile", {})
    if not isinstance(profile_data, dict):
        raise CardError(f"{where}.profile must be an object")
    profile = {name: _range(profile_data[name], f"{where}.profile.{name}")
               for name in FEATURES if name in profile_data}
    return TrainingDistribution(
        fs_hz=tuple(_finite(v, f"{where}.fs_hz") for v in _list(data.get("fs_hz", []), f"{where}.fs_hz")),
        muscles=tuple(str(m).lower() for m in _list(data.get("muscles", []), f"{where}.muscles")),
        electrodes=tuple(str(e).lower() for e in _list(data.get("electrodes", []), f"{where}.electrodes")),
        n_records=int(_finite(data.get("n_records", 0), f"{where}.n_records")),
        duration_s=_range(data["duration_s"], f"{where}.duration_s") if "duration_s" in data else None,
        profile=profile)


def _out_of_fold(records: Any) -> dict[str, OutOfFoldVerdict]:
    if not isinstance(records, dict):
        raise CardError("evaluation.out_of_fold.records must be an object")
    out = {}
    for name, row in records.items():
        where = f"evaluation.out_of_fold.records.{name}"
        if not isinstance(row, dict):
            raise CardError(f"{where} must be an object")
        confidence = row.get("confidence")
        probabilities = row.get("probabilities", {})
        if not isinstance(probabilities, dict):
            raise CardError(f"{where}.probabilities must be an object")
        out[name] = OutOfFoldVerdict(
            row.get("verdict"), None if confidence is None else _finite(confidence, f"{where}.confidence"),
            {str(c): _finite(p, f"{where}.probabilities.{c}") for c, p in probabilities.items()})
    return out


def _range(data: Any, where: str) -> FeatureRange:
    if not isinstance(data, dict):
        raise CardError(f"{where} must be an object with min and max")
    low, high = _finite(data.get("min"), f"{where}.min"), _finite(data.get("max"), f"{where}.max")
    if low > high:
        raise CardError(f"{where}: min {low} is above max {high}")
    return FeatureRange(low, high)


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise CardError(f"{where} must be a list")
    return value


def _finite(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CardError(f"{where} must be a finite number, got {value!r}")
    return float(value)
