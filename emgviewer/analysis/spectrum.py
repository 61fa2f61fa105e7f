"""Welch's power spectral density with numpy alone.

The inspector draws a window's spectrum on the UI thread; with scipy.signal imported on first
use (emgviewer/lazy.py), calling scipy there could wait a second and a half on the import lock
while a background job imports it. Same defaults as ``scipy.signal.welch`` (Hann window, half
overlap, constant detrend, one-sided density), and tested against it.
"""

from __future__ import annotations

import numpy as np


def welch_psd(x: np.ndarray, fs_hz: float, nperseg: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """(frequencies in Hz, power spectral density in units²/Hz) of ``x``."""
    x = np.asarray(x, dtype=np.float64)
    nperseg = min(nperseg, x.size)
    step = nperseg - nperseg // 2
    window = np.hanning(nperseg + 1)[:-1]  # periodic Hann, as scipy's get_window("hann")
    starts = np.arange(0, x.size - nperseg + 1, step)
    segments = x[starts[:, None] + np.arange(nperseg)[None, :]]
    segments = segments - segments.mean(axis=1, keepdims=True)
    spectra = np.abs(np.fft.rfft(segments * window, axis=1)) ** 2 / (fs_hz * np.sum(window ** 2))
    if nperseg % 2:
        spectra[:, 1:] *= 2
    else:
        spectra[:, 1:-1] *= 2
    return np.fft.rfftfreq(nperseg, 1 / fs_hz), spectra.mean(axis=0)
