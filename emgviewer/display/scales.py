"""Clinical display scales: time base (ms/div) and sensitivity (µV/div) on 1-2-5 steps."""

from __future__ import annotations

import bisect

import numpy as np

TIMEBASE_MS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
SENSITIVITY_UV = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
H_DIVISIONS = 10
V_DIVISIONS = 8
DEFAULT_TIMEBASE_MS = 100  # 1 s on screen: one whole 1-s window
DEFAULT_SENSITIVITY_UV = 200


def step(values: tuple[int, ...], current: float, direction: int) -> int:
    """The next value up (+1) or down (-1) the 1-2-5 ladder from ``current``."""
    index = bisect.bisect_left(values, current)
    if index < len(values) and values[index] == current:
        index += direction
    elif direction < 0:
        index -= 1
    return values[max(0, min(len(values) - 1, index))]


def nearest(values: tuple[int, ...], current: float) -> int:
    """The ladder value closest to ``current`` (a restored setting snaps onto the 1-2-5 ladder)."""
    return min(values, key=lambda v: abs(v - current))


def fitting_sensitivity(signal_uv: np.ndarray) -> int:
    """The 1-2-5 sensitivity at which the record's large potentials fit the screen: the
    99.9th percentile of |signal| within half the divisions."""
    finite = np.abs(signal_uv[np.isfinite(signal_uv)])
    if finite.size == 0:
        return DEFAULT_SENSITIVITY_UV
    needed = float(np.percentile(finite, 99.9)) / (V_DIVISIONS / 2)
    fitting = [v for v in SENSITIVITY_UV if v >= needed]
    return fitting[0] if fitting else SENSITIVITY_UV[-1]


_NICE = (1, 2, 5)


def nice_length(target: float) -> float:
    """The largest 1-2-5 value not above ``target`` (for scale bars)."""
    if target <= 0:
        return 1.0
    exponent = np.floor(np.log10(target))
    for step in reversed(_NICE):
        value = step * 10 ** exponent
        if value <= target:
            return float(value)
    return float(10 ** exponent)


def timebase_within(timebase_ms: float, duration_s: float) -> int:
    """``timebase_ms``, or the longest 1-2-5 time base whose screen (``H_DIVISIONS``) the record
    fills when it is shorter: a time base kept from a long record (2000 ms/div) drew an 11-s
    record as 0-20 s, half empty."""
    if timebase_ms * H_DIVISIONS / 1e3 <= duration_s:
        return int(timebase_ms)
    fitting = [v for v in TIMEBASE_MS if v * H_DIVISIONS / 1e3 <= duration_s]
    return fitting[-1] if fitting else TIMEBASE_MS[0]


#: Needle-EMG display presets, as EMG machines offer them: (name, ms/div, µV/div).
PRESETS = (
    ("Spontaneous activity (fibrillations, positive sharp waves)", 10, 50),
    ("MUAP morphology", 10, 200),
    ("MUAP morphology, large potentials (neurogenic)", 10, 500),
    ("Recruitment and interference pattern", 100, 1000),
    ("Firing over seconds (fasciculations, trains)", 200, 500),
)
