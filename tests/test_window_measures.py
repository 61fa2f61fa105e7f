"""The inspector's window measures, Qt-free, against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np

from emgviewer.analysis.measures import window_measures


def test_a_sine_measures_what_its_formula_says():
    fs, amplitude, frequency = 10_000.0, 300.0, 25.0
    t = np.arange(int(fs)) / fs  # one second
    sine = amplitude * np.sin(2 * math.pi * frequency * t + 0.3)
    m = window_measures(sine, fs)
    assert m["peak_to_peak_uv"] == np.ptp(sine)
    assert math.isclose(m["peak_to_peak_uv"], 2 * amplitude, rel_tol=1e-3)
    assert math.isclose(m["rms_uv"], amplitude / math.sqrt(2), rel_tol=1e-3)
    assert m["zero_crossings_per_s"] == 2 * frequency  # 50 sign changes in one second
    # Each of the 50 peaks and troughs is a turn: the signal comes back from each by >= 100 µV
    # (600 µV to the next extreme; from the last trough it rises 388 µV to the window's end).
    assert m["turns_per_s"] == 2 * frequency


def test_missing_samples_are_left_out_and_an_empty_window_is_nan():
    fs = 1000.0
    window = np.array([0.0, 100.0, np.nan, -100.0, 0.0] * 200)
    m = window_measures(window, fs)
    assert m["peak_to_peak_uv"] == 200.0 and math.isclose(m["rms_uv"], math.sqrt(20_000 / 4 * 2 / 2))
    empty = window_measures(np.full(100, np.nan), fs)
    assert all(math.isnan(v) for k, v in empty.items() if k != "zero_crossings_per_s")
    assert empty["zero_crossings_per_s"] == 0.0
