"""Classic needle-EMG measures of a signal in µV: amplitude, MUAP duration, turns.

Used to check the simulator against physiology, and shown for each window in the inspector.
"""

from __future__ import annotations

import numpy as np

from emgviewer.lazy import scipy_signal

#: Willison's turns analysis counts reversals of at least 100 µV.
TURN_THRESHOLD_UV = 100.0


def peak_to_peak_uv(signal_uv: np.ndarray) -> float:
    """Largest minus smallest sample, NaN ignored."""
    return float(np.nanmax(signal_uv) - np.nanmin(signal_uv))


def noise_rms_uv(signal_uv: np.ndarray, fs_hz: float, segment_s: float = 0.005) -> float:
    """Background-noise level: the RMS of the quietest tenth of short segments, which lie
    between MUAPs even when units fire densely."""
    size = max(2, int(segment_s * fs_hz))
    n = signal_uv.size // size
    if n == 0:
        return float(np.nanstd(signal_uv))
    segments = signal_uv[: n * size].reshape(n, size)
    rms = np.sqrt(np.nanmean((segments - np.nanmean(segments, axis=1, keepdims=True)) ** 2, axis=1))
    return float(np.nanpercentile(rms, 10))


def turns_per_s(signal_uv: np.ndarray, fs_hz: float, threshold_uv: float = TURN_THRESHOLD_UV) -> float:
    """Willison turns a second: reversals of direction of at least ``threshold_uv``."""
    return count_turns(signal_uv, threshold_uv) / (signal_uv.size / fs_hz)


def count_turns(signal_uv: np.ndarray, threshold_uv: float) -> int:
    """Reversals of direction of at least ``threshold_uv``.

    The running extreme since the last turn is followed; a turn is counted when the signal
    comes back from it by ``threshold_uv``.
    """
    slope = np.sign(np.diff(signal_uv))
    moving = np.flatnonzero(slope != 0)
    slope = slope[moving]
    # Local extrema: where the direction of the signal changes (plus the last sample).
    candidates = np.append(moving[1:][slope[1:] != slope[:-1]], signal_uv.size - 1)
    turns, direction, extreme = 0, 0.0, float(signal_uv[0])
    for value in signal_uv[candidates].astype(float):
        change = value - extreme
        if direction == 0:
            if abs(change) >= threshold_uv:
                direction, extreme = np.sign(change), value
        elif change * direction > 0:
            extreme = value  # still moving the same way: the turn point moves with it
        elif abs(change) >= threshold_uv:
            turns += 1
            direction, extreme = -direction, value
    return turns


def spike_durations_ms(
    signal_uv: np.ndarray, fs_hz: float, min_height_uv: float = 100.0, baseline_fraction: float = 0.03
) -> np.ndarray:
    """Baseline-to-baseline duration of each spike (MUAP) taller than ``min_height_uv``.

    Around each peak, the potential lasts while |signal| stays above the baseline level
    (``baseline_fraction`` of the peak, and at least 4x the noise), with gaps of up to 1 ms
    between phases bridged.
    """
    magnitude = np.abs(signal_uv - np.nanmedian(signal_uv))
    noise = noise_rms_uv(signal_uv, fs_hz)
    peaks, _ = scipy_signal.find_peaks(magnitude, height=max(min_height_uv, 6.0 * noise),
                          distance=max(1, int(0.02 * fs_hz)))
    gap = max(1, int(1e-3 * fs_hz))
    durations = []
    for peak in peaks:
        level = max(baseline_fraction * magnitude[peak], 4.0 * noise)
        start = last_above(magnitude, peak, level, gap, -1)
        stop = last_above(magnitude, peak, level, gap, +1)
        durations.append((stop - start) / fs_hz * 1e3)
    return np.asarray(durations)


def last_above(magnitude: np.ndarray, index: int, level: float, gap: int, step: int) -> int:
    """From ``index``, the last sample above ``level`` before ``gap`` samples in a row below it."""
    last_above = index
    position = index
    while 0 <= position < magnitude.size and abs(position - last_above) <= gap:
        if magnitude[position] >= level:
            last_above = position
        position += step
    return last_above


def window_measures(window_uv: np.ndarray, fs_hz: float) -> dict[str, float]:
    """What the window inspector lists for one window: peak-to-peak amplitude, RMS about the
    mean, zero crossings and Willison turns per second. Missing samples (NaN) are left out;
    a window with none left measures NaN, never an error."""
    finite = window_uv[np.isfinite(window_uv)]
    centred = finite - finite.mean() if finite.size else finite
    crossings = np.count_nonzero(np.diff(np.signbit(centred))) if finite.size > 1 else 0
    duration = window_uv.size / fs_hz
    return {
        "peak_to_peak_uv": peak_to_peak_uv(finite) if finite.size else float("nan"),
        "rms_uv": float(np.sqrt(np.mean(centred ** 2))) if finite.size else float("nan"),
        "zero_crossings_per_s": crossings / duration,
        "turns_per_s": turns_per_s(finite, fs_hz) if finite.size > 2 else float("nan"),
    }
