"""One reading of samples that are not numbers, shared by every analysis that cannot skip them.

A NaN gap (a WFDB invalid sample, a hole in a CSV) and an infinity (only ever from a caller's
array: the readers refuse them) are read as 0 µV: silence to the ear, no discharge to a
trigger or the MUAP detector. ``np.nan_to_num``'s default reads an infinity as the largest
float instead, which swamps a filter or a resampler and leaves nothing else in the result.
"""

from __future__ import annotations

import numpy as np


def finite_uv(signal_uv: np.ndarray) -> np.ndarray:
    """``signal_uv`` as float64 with NaN gaps and infinities read as 0 µV; the caller's array
    itself (not a copy) when it is already float64 and finite, the common case: callers
    must not write to it."""
    x = np.asarray(signal_uv, dtype=np.float64)
    if np.isfinite(x).all():
        return x
    return np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
