"""Motor-unit action potential (MUAP) shapes.

A MUAP is a sharp main spike riding on slow initial and terminal phases, as the summed
potentials of a unit's fibres look at a concentric needle:

- the spike with *p* phases is the Hermite function of order *p - 1* (a Gaussian times a
  Hermite polynomial, *p - 1* zero crossings): order 1 is the biphasic shape of a single fibre,
  order 2 the common triphasic MUAP, higher orders the polyphasic potentials of myopathy and
  reinnervation;
- the slow phases are a broad triphasic wave at a tenth of the spike's amplitude, five times
  its width.

The time axis is scaled so the potential leaves the baseline (2 % of its peak) for exactly the
requested duration.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite import hermval

_BASELINE_FRACTION = 0.02
_SLOW_AMPLITUDE = 0.1  # slow phases relative to the spike
_SLOW_WIDTH = 5.0  # slow phases' width relative to the spike's


def _hermite_function(order: int, x: np.ndarray) -> np.ndarray:
    coefficients = np.zeros(order + 1)
    coefficients[order] = 1.0
    return hermval(x, coefficients) * np.exp(-(x**2) / 2)


def _unit_shape(order: int, x: np.ndarray) -> np.ndarray:
    spike = _hermite_function(order, x)
    slow = _hermite_function(2, x / _SLOW_WIDTH)
    return spike / np.abs(spike).max() - _SLOW_AMPLITUDE * slow / np.abs(slow).max()


@lru_cache(maxsize=None)
def _half_width(order: int) -> float:
    """Half-width (in x) of the span where the shape exceeds the baseline level."""
    x = np.linspace(-40, 40, 80001)
    y = np.abs(_unit_shape(order, x))
    above = x[y >= _BASELINE_FRACTION * y.max()]
    return float(max(-above.min(), above.max()))


def muap_waveform(
    phases: int, duration_ms: float, amplitude_uv: float, fs_hz: float, skew: float = 0.0
) -> np.ndarray:
    """One MUAP sampled at ``fs_hz``: ``phases`` phases in its spike, ``duration_ms`` from
    baseline to baseline, ``amplitude_uv`` peak to peak, centred in the returned array.
    ``skew`` in [-0.5, 0.5] makes the phases unequal, as real MUAPs are."""
    if phases < 2:
        raise ValueError(f"a MUAP has at least 2 phases, got {phases}")
    order = phases - 1
    half_ms = duration_ms / 2
    half_samples = int(half_ms * 1.2 * fs_hz / 1e3)
    t_ms = np.arange(-half_samples, half_samples + 1) / fs_hz * 1e3
    x = t_ms / half_ms * _half_width(order)
    shape = _unit_shape(order, x) * (1.0 + skew * np.tanh(x))
    return shape * (amplitude_uv / np.ptp(shape))
