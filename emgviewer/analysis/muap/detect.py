"""MUAP detection: candidate discharges on a band-limited copy of the signal.

Two filters exist in the app and they are not the same thing:

- the *display* filter is whatever the reader chooses to look at;
- the *analysis* filter, here, is fixed: a zero-phase 2nd-order Butterworth band-pass of
  250 Hz .. 5 kHz (upper edge at most 0.45 x the sampling rate). It keeps the fast main spike
  of units near the needle, the ones whose shape can be measured, and removes the slow
  background of distant units. It is used only to find and sort discharges; the measures are
  taken on the record's own signal (for N2001 the recorder's 2 Hz .. 10 kHz), as clinical
  MUAP analysis is.

The threshold adapts to the record: ``THRESHOLD_SIGMAS`` x the noise of the band-limited
signal, estimated as median(|x|) / 0.6745 (Quiroga, Nadasdy & Ben-Shaul, Neural Comput 2004;
16:1661-87), which a few large spikes do not inflate as a plain standard deviation would.
On a calibrated record it is at least ``MIN_THRESHOLD_UV``: in a quiet record 5 sigma is a few
µV, and what crosses it is the blur of distant units, whose potentials are not MUAPs a
clinician would measure (the spike of a unit near the needle stands far above it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from emgviewer.analysis.finite import finite_uv
from emgviewer.lazy import scipy_signal

BAND_HZ = (250.0, 5000.0)
THRESHOLD_SIGMAS = 5.0
MIN_THRESHOLD_UV = 40.0
#: Two peaks closer than this are one discharge (the larger one stands for it).
DEAD_TIME_MS = 2.0
#: Lowest sampling rate at which a MUAP's main spike (phases of ~0.3 ms) is still measurable.
MIN_RATE_HZ = 4000.0
#: Shortest signal analysed: a motor unit fires at 5 Hz or more, so a unit needs this long to
#: show more than one discharge (and the zero-phase filter needs some samples to pad with).
MIN_DURATION_S = 0.2
#: Longest signal analysed in one piece: the analysis holds about 35 bytes a sample at its
#: peak, so this is about 1.8 GB (35 min at N2001's 23.4 kHz). Longer is refused with the figure.
MAX_SAMPLES = 50_000_000


class MuapAnalysisError(ValueError):
    """The signal cannot be analysed for MUAPs (the message says why)."""


@dataclass(frozen=True)
class Detection:
    """Candidate discharges on the analysis-band copy, with the noise and threshold that found them."""

    band_hz: tuple[float, float]
    filtered_uv: np.ndarray  # the analysis-band copy, float64
    noise_uv: float  # robust noise estimate of ``filtered_uv``
    threshold_uv: float
    peaks: np.ndarray  # sample indices of candidate discharges, ascending


def analysis_band(fs_hz: float) -> tuple[float, float]:
    """The analysis band for a record at ``fs_hz``: fixed, its top kept below Nyquist."""
    return BAND_HZ[0], min(BAND_HZ[1], 0.45 * fs_hz)


@lru_cache(maxsize=8)
def _band_filter(fs_hz: float) -> np.ndarray:
    return scipy_signal.butter(2, analysis_band(fs_hz), "bandpass", fs=fs_hz, output="sos")


def band_limited(signal_uv: np.ndarray, fs_hz: float) -> np.ndarray:
    """The analysis-band copy of ``signal_uv`` (NaN gaps read as 0 µV)."""
    if fs_hz < MIN_RATE_HZ * (1 - 1e-9):  # 3999.9999999999995 Hz (a header's division) is 4 kHz
        raise MuapAnalysisError(
            f"MUAP analysis needs at least {MIN_RATE_HZ / 1e3:g} kHz sampling; this record has "
            f"{fs_hz:.7g} Hz, too slow to measure a MUAP's spike")
    n = int(np.size(signal_uv))
    if n < max(MIN_DURATION_S * fs_hz, 64):
        raise MuapAnalysisError(f"MUAP analysis needs at least {MIN_DURATION_S:g} s of signal; this record has "
                                f"{n} sample{'s' if n != 1 else ''} ({n / fs_hz * 1e3:.3g} ms)")
    if n > MAX_SAMPLES:
        raise MuapAnalysisError(f"this record has {n:,} samples; the MUAP analysis takes at most {MAX_SAMPLES:,} "
                                f"({MAX_SAMPLES / fs_hz / 60:.0f} min at {fs_hz:g} Hz, about "
                                f"{MAX_SAMPLES * 35 / 1e9:.1f} GB of memory): cut the record into parts")
    return scipy_signal.sosfiltfilt(_band_filter(float(fs_hz)), finite_uv(signal_uv))


def robust_noise_uv(filtered_uv: np.ndarray) -> float:
    """The noise's standard deviation from the median absolute value, which discharges barely move."""
    return float(np.median(np.abs(filtered_uv)) / 0.6745)


def detect(signal_uv: np.ndarray, fs_hz: float, calibrated: bool = True,
           threshold_sigmas: float = THRESHOLD_SIGMAS) -> Detection:
    """Candidate discharges: peaks of |band-limited signal| above the adaptive threshold."""
    filtered = band_limited(signal_uv, fs_hz)
    noise = robust_noise_uv(filtered)
    threshold = max(threshold_sigmas * noise, MIN_THRESHOLD_UV if calibrated else 0.0)
    if not noise > 0:
        return Detection(analysis_band(fs_hz), filtered, 0.0, 0.0, np.empty(0, dtype=np.int64))
    peaks, _ = scipy_signal.find_peaks(np.abs(filtered), height=threshold,
                          distance=max(1, int(round(DEAD_TIME_MS * 1e-3 * fs_hz))))
    return Detection(analysis_band(fs_hz), filtered, noise, threshold, peaks.astype(np.int64))
