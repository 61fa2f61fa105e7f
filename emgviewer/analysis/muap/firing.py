"""A unit's firing, and the record's recruitment, from its discharge times.

- mean firing rate: 1 / mean inter-discharge interval (IDI), over the IDIs between
  ``IDI_RANGE`` x the median IDI: a longer one spans a missed discharge, a shorter one is a
  misassigned discharge, and neither is the unit's rhythm;
- IDI variability: coefficient of variation of those IDIs (about 0.1-0.2 in a steady
  voluntary contraction; far more when the train is not one unit);
- recruitment ratio (Daube's): the fastest unit's rate / the number of units firing;
- recruitment frequency (Petajan, Muscle Nerve 1991;14:489-502): the rate of the unit already
  firing when the next unit is seen to start. Only estimable when a unit starts firing during
  the record, after at least ``SILENT_BEFORE_S`` of silence; otherwise ``None``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

IDI_RANGE = (0.5, 1.5)
MIN_INTERVALS = 3
SILENT_BEFORE_S = 0.5


@dataclass(frozen=True)
class Firing:
    """How one unit fires: its discharges, mean rate, the variability of its intervals, and whether
    it was seen to start."""

    n_discharges: int
    mean_rate_hz: float | None
    idi_cv: float | None
    first_s: float
    last_s: float

    def to_dict(self) -> dict:
        """The firing as JSON types."""
        return asdict(self)


def firing(times_s: np.ndarray) -> Firing:
    """The firing of a unit discharging at ``times_s`` (rate and variability from its regular intervals only)."""
    times = np.sort(np.asarray(times_s, dtype=np.float64))
    intervals = _rhythm(times)
    if intervals.size < MIN_INTERVALS:
        return Firing(times.size, None, None, float(times[0]), float(times[-1]))
    mean = float(intervals.mean())
    return Firing(times.size, 1.0 / mean, float(intervals.std() / mean), float(times[0]), float(times[-1]))


def _rhythm(times: np.ndarray) -> np.ndarray:
    intervals = np.diff(times)
    if intervals.size == 0:
        return intervals
    median = np.median(intervals)
    return intervals[(intervals >= IDI_RANGE[0] * median) & (intervals <= IDI_RANGE[1] * median)]


def recruitment_ratio(rates_hz: list[float | None]) -> float | None:
    """The highest firing rate over the number of units firing: above about 5, too few units for
    the force (neurogenic)."""
    known = [r for r in rates_hz if r is not None]
    return max(known) / len(known) if known else None


def recruitment_frequency(trains_s: list[np.ndarray], record_start_s: float = 0.0) -> float | None:
    """The firing rate of the earliest unit when a later unit is first seen to start."""
    if len(trains_s) < 2:
        return None
    ordered = sorted((np.sort(t) for t in trains_s if t.size), key=lambda t: t[0])
    first = ordered[0]
    for later in ordered[1:]:
        onset = later[0]
        if onset - record_start_s < SILENT_BEFORE_S or first[0] >= onset:
            continue
        before = first[(first <= onset) & (first >= onset - 1.0)]  # the last second before it
        intervals = _rhythm(before)
        if intervals.size >= 2:
            return float(1.0 / intervals.mean())
    return None
