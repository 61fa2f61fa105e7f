"""Resampling a record to a model's rate with a polyphase filter (``scipy.signal.resample_poly``)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from emgviewer.lazy import scipy_signal

#: A rate like 100000.3 Hz has no small exact ratio to the model's; a ratio within this relative
#: error (0.1 ms in a 1-s window) is used instead.
RATIO_TOLERANCE = 1e-4


def rational_ratio(fs_from_hz: float, fs_to_hz: float, max_denominator: int = 10_000) -> tuple[int, int]:
    """(up, down) with up/down == fs_to/fs_from, e.g. 4000 -> 23437.5 Hz is (375, 64): exact when a
    ratio with terms up to ``max_denominator`` exists, else the nearest within
    :data:`RATIO_TOLERANCE`."""
    wanted = fs_to_hz / fs_from_hz
    fine = max_denominator * 8
    ratio = Fraction(fs_to_hz).limit_denominator(fine) / Fraction(fs_from_hz).limit_denominator(fine)
    ratio = ratio.limit_denominator(max_denominator)
    if abs(float(ratio) - wanted) > 1e-9 * wanted:
        ratio = Fraction(wanted).limit_denominator(max_denominator)
    if ratio == 0 or ratio.numerator > max_denominator * 100 or abs(float(ratio) - wanted) > RATIO_TOLERANCE * wanted:
        raise ValueError(f"no usable rational ratio for {fs_from_hz:g} Hz -> {fs_to_hz:g} Hz")
    return ratio.numerator, ratio.denominator


def resample_to(signal: np.ndarray, fs_from_hz: float, fs_to_hz: float) -> np.ndarray:
    """``signal`` at ``fs_to_hz`` as float32. Says nothing: what an upsampled record lacks is a
    caveat of its classification (``resampled``, ``band_limited``), data rather than a Python
    warning (catching one in a worker thread changes process-wide state).

    NaN samples spread over the filter's length; windows holding them stay invalid.
    """
    if fs_from_hz <= 0 or fs_to_hz <= 0:
        raise ValueError(f"rates must be positive, got {fs_from_hz} Hz -> {fs_to_hz} Hz")
    if fs_from_hz == fs_to_hz:
        return np.asarray(signal, dtype=np.float32)
    up, down = rational_ratio(fs_from_hz, fs_to_hz)
    return scipy_signal.resample_poly(np.asarray(signal, dtype=np.float64), up, down).astype(np.float32)
