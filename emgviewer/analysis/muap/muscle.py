"""Muscle-level quantitative EMG: the plausible units of several records of one muscle of one
person, pooled and read as a clinician's multi-MUP analysis reads them.

A clinical mean is judged on about 20 MUPs from several needle sites; one N2001 record holds 3-6
units, but a subject's records are its sites. Pooled, the units give the muscle's mean
amplitude and duration, its polyphasic share, and its outliers: MUPs beyond the individual-MUP
limits of the reference (Stalberg et al. 1994's outlier criterion: more than 2 of 20, i.e. over
10 %, outside a limit is abnormal). The interpretation uses the published reference values only
(``reference``; nothing fitted on N2001):

- neurogenic: the mean amplitude or duration above its limit, or over 10 % of MUPs above an
  individual limit (large, long potentials);
- myopathic: the mean amplitude or duration below its limit, or over 10 % of MUPs below one
  (small, short potentials);
- normal: neither, on at least ``MIN_UNITS`` MUPs;
- indeterminate: fewer than ``MIN_UNITS`` MUPs, signs both ways, or no reference applies.

Only MUPs that multi-MUP analysis would accept are pooled: plausible units whose main spike
rises in under ``MAX_RISE_TIME_MS`` (the needle close to the unit).

The polyphasic share is reported beside it and marked, but decides nothing: it rises in both
neurogenic and myopathic muscles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from emgviewer.analysis.muap import reference
from emgviewer.analysis.muap.analysis import unit_means
from emgviewer.analysis.muap.record import RecordMuaps

#: The number of MUPs a multi-MUP analysis is judged on (Stalberg et al. 1994: 20).
MIN_UNITS = 20
#: Stalberg et al.'s outlier criterion: more than 2 of 20 MUPs beyond an individual limit.
OUTLIER_SHARE = 0.10
#: Multi-MUP analysis accepts a MUP only with the needle close to its fibres: a main-spike rise
#: time under 0.5 ms (Stalberg et al. 1986; Bischoff et al. 1994). Farther units are smaller and
#: longer for distance alone, and the reference values were measured without them.
MAX_RISE_TIME_MS = 0.5

NEUROGENIC, MYOPATHIC, NORMAL, INDETERMINATE = "neurogenic", "myopathic", "normal", "indeterminate"


@dataclass(frozen=True)
class MuscleSummary:
    """One muscle of one person, over the plausible units of its records (sites)."""

    subject: str | None
    records: tuple[str, ...]
    n_units: int
    n_left_out: int  # implausible units of those records, not pooled
    n_distant: int  # plausible units too far from the needle (rise time over MAX_RISE_TIME_MS), not pooled
    mean_amplitude_uv: float | None
    mean_duration_ms: float | None
    polyphasic_share: float | None
    outliers_high: int  # MUPs above an individual limit (amplitude or duration)
    outliers_low: int  # MUPs below one
    marks: dict[str, str | None]
    interpretation: str
    reasons: tuple[str, ...]
    skipped: tuple[str, ...] = field(default=())  # records whose references do not apply, with why

    def to_dict(self) -> dict:
        """The summary as JSON types."""
        return {key: (list(v) if isinstance(v, tuple) else v) for key, v in
                ((k, getattr(self, k)) for k in self.__dataclass_fields__)}

    def statement(self) -> str:
        """The interpretation with its grounds, in one line."""
        return f"{self.interpretation} ({'; '.join(self.reasons)})"


def muscle_summary(results: list[RecordMuaps], subject: str | None = None) -> MuscleSummary:
    """Pool the plausible units of ``results`` (one muscle of one person) and read them."""
    used = [r for r in results if r.references_apply]
    skipped = tuple(f"{r.record.name}: {'; '.join(r.notes) or 'the references do not apply'}"
                    for r in results if not r.references_apply)
    plausible = [u for r in used for u in r.analysis.units if not u.implausible]
    units = [u for u in plausible if u.measures.rise_time_ms <= MAX_RISE_TIME_MS]
    left_out = sum(1 for r in used for u in r.analysis.units if u.implausible)
    amplitude = np.array([u.measures.amplitude_uv for u in units])
    duration = np.array([u.measures.duration_ms for u in units])
    amp_ref, dur_ref = reference.UNIT["amplitude_uv"], reference.UNIT["duration_ms"]
    high = int(np.sum((amplitude > amp_ref.high) | (duration > dur_ref.high))) if units else 0
    low = int(np.sum((amplitude < amp_ref.low) | (duration < dur_ref.low))) if units else 0
    values = unit_means(units)
    marks = {key: reference.RECORD[key].mark(value) for key, value in values.items()}
    interpretation, reasons = _interpret(len(units), marks, high, low, bool(used))
    return MuscleSummary(subject, tuple(r.record.name for r in used), len(units), left_out,
                         len(plausible) - len(units), **values,
                         outliers_high=high, outliers_low=low, marks=marks, interpretation=interpretation,
                         reasons=reasons, skipped=skipped)


def by_person(results: list[RecordMuaps]) -> list[MuscleSummary]:
    """One muscle-level summary per person, by subject id (a record without one stands alone)."""
    groups: dict[str, list[RecordMuaps]] = {}
    for result in results:
        groups.setdefault(result.record.subject_id or result.record.name, []).append(result)
    return [muscle_summary(group, subject) for subject, group in sorted(groups.items())]


def _interpret(n: int, marks: dict[str, str | None], high: int, low: int, any_used: bool) -> tuple[str, tuple[str, ...]]:
    if not any_used:
        return INDETERMINATE, ("no record of a muscle, electrode and calibration the references hold for",)
    if n < MIN_UNITS:
        return INDETERMINATE, (f"{n} MUPs, fewer than the {MIN_UNITS} a multi-MUP mean is judged on",)
    neurogenic, myopathic = [], []
    for key, words in (("mean_amplitude_uv", "mean amplitude"), ("mean_duration_ms", "mean duration")):
        if marks[key] == reference.ABOVE:
            neurogenic.append(f"{words} above {reference.RECORD[key].text()}")
        elif marks[key] == reference.BELOW:
            myopathic.append(f"{words} below {reference.RECORD[key].text()}")
    if high > OUTLIER_SHARE * n:
        neurogenic.append(f"{high} of {n} MUPs above an individual limit (> {OUTLIER_SHARE:.0%})")
    if low > OUTLIER_SHARE * n:
        myopathic.append(f"{low} of {n} MUPs below an individual limit (> {OUTLIER_SHARE:.0%})")
    if neurogenic and myopathic:
        return INDETERMINATE, ("signs both ways: " + "; ".join(neurogenic + myopathic),)
    if neurogenic:
        return NEUROGENIC, tuple(neurogenic)
    if myopathic:
        return MYOPATHIC, tuple(myopathic)
    return NORMAL, (f"means within the reference, {high + low} of {n} MUPs outside an individual limit",)
