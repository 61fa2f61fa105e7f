"""Quality flags of a whole recording: zeros, clipping at full scale, missing samples.

A suspect record still reads; these flags let later layers show why it is suspect.
N2001A06BB08, for instance, is 99.6 % zeros, and six N2001 records clip at full scale on
at least 1 % of their samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Samples within this fraction of full scale count as clipped. Real N2001 amplifiers saturate
#: a little inside the ADC range (N2001C05BB80 plateaus at +2493 µV of +2500), with 1-LSB noise
#: on the plateau, so an exact comparison with the rail misses most positive saturation.
SATURATION_MARGIN = 0.005

#: Above these fractions a record earns a warning.
ZERO_WARNING_FRACTION = 0.5
CLIPPED_WARNING_FRACTION = 0.01


@dataclass(frozen=True)
class QualityFlags:
    fraction_zero: float
    fraction_clipped: float
    n_clipped: int
    fraction_missing: float
    peak_abs_uv: float

    @property
    def warnings(self) -> tuple[str, ...]:
        """Plain-language warnings, empty for a clean record."""
        out = []
        if self.fraction_missing > 0:
            out.append(f"{self.fraction_missing:.1%} of samples are missing (NaN)")
        if self.fraction_zero >= ZERO_WARNING_FRACTION:
            out.append(f"{self.fraction_zero:.1%} of samples are exactly zero")
        if self.fraction_clipped >= CLIPPED_WARNING_FRACTION:
            out.append(f"clips at full scale on {self.fraction_clipped:.1%} of samples")
        elif self.n_clipped:
            out.append(f"reaches full scale on {self.n_clipped} sample(s)")
        return tuple(out)

    @property
    def is_suspect(self) -> bool:
        return (
            self.fraction_missing > 0
            or self.fraction_zero >= ZERO_WARNING_FRACTION
            or self.fraction_clipped >= CLIPPED_WARNING_FRACTION
        )


def clipped_mask(signal_uv: np.ndarray, full_scale_uv: tuple[float, float] | None) -> np.ndarray:
    """True where a sample sits at the recorder's full scale (within :data:`SATURATION_MARGIN`)."""
    if full_scale_uv is None:
        return np.zeros(signal_uv.shape, dtype=bool)
    low, high = (np.float32(v * (1 - SATURATION_MARGIN)) for v in full_scale_uv)
    return (signal_uv <= low) | (signal_uv >= high)


def measure_quality(
    signal_uv: np.ndarray, full_scale_uv: tuple[float, float] | None, chunk: int = 1 << 20
) -> QualityFlags:
    """Quality flags of a float signal in µV; ``full_scale_uv`` is (low, high) or ``None``.
    Counted chunk by chunk: an hour-long record needs no record-sized temporaries."""
    n = max(signal_uv.size, 1)
    n_missing = n_zero = n_clipped = 0
    peak = -np.inf
    for first in range(0, signal_uv.size, chunk):
        part = signal_uv[first: first + chunk]
        missing = np.count_nonzero(np.isnan(part))
        n_missing += int(missing)
        n_zero += int(np.count_nonzero(part == 0))
        n_clipped += int(np.count_nonzero(clipped_mask(part, full_scale_uv)))
        if missing < part.size:
            peak = max(peak, float(np.nanmax(part)), -float(np.nanmin(part)))
    return QualityFlags(
        fraction_zero=n_zero / n,
        fraction_clipped=n_clipped / n,
        n_clipped=n_clipped,
        fraction_missing=n_missing / n,
        peak_abs_uv=(peak if np.isfinite(peak) else float("nan")) if signal_uv.size else 0.0,
    )
