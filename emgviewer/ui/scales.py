"""Clinical display scales: time base (ms/div) and sensitivity (µV/div) on 1-2-5 steps."""

from __future__ import annotations

import bisect

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
    return min(values, key=lambda v: abs(v - current))
