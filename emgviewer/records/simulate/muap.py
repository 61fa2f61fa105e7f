"""Motor-unit action potential (MUAP) shapes.

A MUAP with *p* phases is modelled by the Hermite function of order *p - 1* (a Gaussian times
a Hermite polynomial, with *p - 1* zero crossings): order 1 is the classic biphasic shape of a
single fibre, order 2 the common triphasic MUAP, higher orders the polyphasic potentials of
myopathy and reinnervation. The time axis is scaled so the potential leaves the baseline
(2 % of its peak) for exactly the requested duration.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite import hermval

_BASELINE_FRACTION = 0.02


def _hermite_function(order: int, x: np.ndarray) -> np.ndarray:
    coefficients = np.zeros(order + 1)
    coefficients[order] = 1.0
    return hermval(x, coefficients) * np.exp(-(x**2) / 2)


@lru_cache(maxsize=None)
def _half_width(order: int) -> float:
    """Half-width (in x) of the span where the Hermite function exceeds the baseline level."""
    x = np.linspace(-15, 15, 30001)
    y = np.abs(_hermite_function(order, x))
    above = x[y >= _BASELINE_FRACTION * y.max()]
    return float(above.max())


def muap_waveform(
    phases: int, duration_ms: float, amplitude_uv: float, fs_hz: float, skew: float = 0.0
) -> np.ndarray:
    """One MUAP sampled at ``fs_hz``: ``phases`` phases, ``duration_ms`` long (baseline to
    baseline), ``amplitude_uv`` peak to peak, centred in the returned array. ``skew`` in
    [-0.5, 0.5] makes the phases unequal, as real MUAPs are."""
    if phases < 2:
        raise ValueError(f"a MUAP has at least 2 phases, got {phases}")
    order = phases - 1
    half_ms = duration_ms / 2
    t_ms = np.arange(-int(half_ms * 1.5 * fs_hz / 1e3), int(half_ms * 1.5 * fs_hz / 1e3) + 1) / fs_hz * 1e3
    x = t_ms / half_ms * _half_width(order)
    shape = _hermite_function(order, x) * (1.0 + skew * np.tanh(x))
    return shape * (amplitude_uv / np.ptp(shape))
