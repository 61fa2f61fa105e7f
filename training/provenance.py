"""The card's account of what was actually run: the records and subjects trained on, what
their recordings looked like, the evaluation protocol, and each training record's out-of-fold
verdict. The app reads these back through :mod:`emgviewer.inference.provenance`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from emgviewer.analysis.signal_profile import FEATURES, signal_profile
from emgviewer.records import index_folder, read_record
from training.data import WindowSet
from training.splits import RANDOM_WINDOW_SPLIT


def protocol_kind(result: dict[str, Any] | None) -> str:
    """"leave-one-subject-out", "grouped k-fold", "random window split" (the papers' leaky
    protocol) or "none", from an evaluation result."""
    if not result:
        return "none"
    if result["protocol"].startswith(RANDOM_WINDOW_SPLIT):
        return RANDOM_WINDOW_SPLIT
    folds = result["folds"]
    tested = [s for fold in folds for s in fold["test"]]
    one_each = all(len(fold["test"]) == 1 for fold in folds) and len(set(tested)) == len(result["subjects"])
    return "leave-one-subject-out" if one_each else "grouped k-fold"


class LeakyEvaluationError(ValueError):
    """A card was asked to carry the numbers of an evaluation that is not subject-independent."""


def refuse_leaky(result: dict[str, Any] | None) -> None:
    """Raise :class:`LeakyEvaluationError` for an evaluation no card may carry."""
    if protocol_kind(result) == RANDOM_WINDOW_SPLIT:
        raise LeakyEvaluationError("a random window split puts every subject's windows on both sides; "
                                   "a model card carries subject-independent numbers only")


def data_description(data: WindowSet) -> str:
    """The training data in one line: records, subjects, classes, as a card says them."""
    used = _records_with_windows(data)
    return (f"EMGLAB N2001 biceps brachii: {len(used)} records of {len(set(data.record_subjects))} "
            f"subjects ({', '.join(data.class_names)})")


def training_fields(data: WindowSet, folder: Path) -> dict[str, Any]:
    """``training`` card fields describing the records that gave training windows."""
    used = _records_with_windows(data)
    return {"dataset": "N2001", "subjects": sorted(set(data.record_subjects)), "n_records": len(used),
            "distribution": distribution(folder, [data.record_names[i] for i in used])}


def distribution(folder: Path, names: list[str]) -> dict[str, Any]:
    """Rates, muscles, electrodes, durations and signal-profile ranges of the named records,
    measured with the app's own code (:func:`emgviewer.analysis.signal_profile.signal_profile`)."""
    paths = {entry.name: entry.path for entry in index_folder(folder).records}
    rates, muscles, electrodes, durations = set(), set(), set(), []
    profiles: dict[str, list[float]] = {name: [] for name in FEATURES}
    for name in names:
        record = read_record(paths[name])
        rates.add(record.fs_hz)
        durations.append(record.duration_s)
        muscles.add(record.metadata.stated_muscle() or "not stated")
        electrodes.add(record.metadata.stated_electrode() or "not stated")
        profile = signal_profile(record.signal_uv, record.fs_hz)
        if profile is not None:
            for feature in FEATURES:
                profiles[feature].append(getattr(profile, feature))
    return {
        "fs_hz": sorted(rates), "muscles": sorted(muscles), "electrodes": sorted(electrodes),
        "n_records": len(names), "duration_s": span(durations),
        "profile": {feature: span(values) for feature, values in profiles.items() if values},
    }


def evaluation_fields(result: dict[str, Any] | None) -> dict[str, Any]:
    """``evaluation`` card fields beyond the headline: the protocol kind and the out-of-fold
    record verdicts (rounded: the card is read by people too)."""
    refuse_leaky(result)
    kind = protocol_kind(result)
    if not result:
        return {"protocol_kind": kind}
    records = {row["record"]: {"verdict": row["verdict"],
                               "confidence": None if row["confidence"] is None else round(row["confidence"], 4),
                               "probabilities": {c: round(p, 4) for c, p in row["probabilities"].items()}}
               for row in result.get("out_of_fold_records", [])}
    fields: dict[str, Any] = {"protocol_kind": kind}
    if records:
        fields["out_of_fold"] = {"protocol": f"{kind}: each record judged by the fold model trained "
                                             "without its subject", "records": records}
    return fields


def _records_with_windows(data: WindowSet) -> list[int]:
    return sorted(int(i) for i in np.unique(data.record_index))


def span(values) -> dict[str, float]:
    """A card's range of ``values``, to 6 decimals (the card is read by people too), rounded
    outward so that it still holds every value it was measured from."""
    low, high = float(min(values)), float(max(values))
    return {"min": math.floor(low * 1e6) / 1e6, "max": math.ceil(high * 1e6) / 1e6}
