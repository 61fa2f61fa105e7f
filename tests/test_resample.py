from __future__ import annotations

import warnings

import numpy as np
import pytest

from emgviewer.analysis import resample_to
from emgviewer.analysis.resample import rational_ratio


def test_rational_ratios():
    assert rational_ratio(4000, 23437.5) == (375, 64)
    assert rational_ratio(23437.5, 4000) == (64, 375)
    assert rational_ratio(44100, 23437.5) == (625, 1176)


def test_upsampling_keeps_frequency_and_says_nothing():
    """No Python warning (the suite turns one into an error): the classification's caveats say it."""
    fs_from, fs_to = 4000.0, 23437.5
    t = np.arange(8000) / fs_from
    signal = np.sin(2 * np.pi * 150.0 * t).astype(np.float32)
    out = resample_to(signal, fs_from, fs_to)
    assert out.dtype == np.float32 and out.size == int(np.ceil(8000 * 375 / 64))
    spectrum = np.abs(np.fft.rfft(out))
    peak_hz = np.argmax(spectrum) * fs_to / out.size
    assert peak_hz == pytest.approx(150.0, abs=fs_to / out.size)


def test_downsampling_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = resample_to(np.zeros(23437, dtype=np.float32), 23437.5, 4000.0)
    assert out.size == int(np.ceil(23437 * 64 / 375))


def test_same_rate_is_untouched():
    signal = np.arange(10, dtype=np.float32)
    assert resample_to(signal, 4000, 4000) is signal
