"""MUAP analysis against simulated records whose units, shapes and firing times are known.

The truth comes from the simulator, computed here independently of the analysis: discharge
times, each template's peak-to-peak and its 2 %-of-peak baseline extent, and the mean rate
from the true inter-discharge intervals. Four units of distinct size and shape fire together
at about 45 discharges a second, so superimposed discharges are common.
"""

from __future__ import annotations

import numpy as np
import pytest

from emgviewer.analysis.muap import analyse_muaps
from emgviewer.records.simulate import VALIDATION_UNITS, simulate_units

DURATION_S = 11.2
DEFAULT_NOISE_UV = 8.0
TOLERANCE_MS = 0.5


def _truth(sim):
    return [np.round(u.firing_times_s * sim.fs_hz).astype(np.int64) for u in sim.units]


def _hits(found: np.ndarray, true: np.ndarray, fs_hz: float) -> int:
    """Discharges of ``found`` within 0.5 ms of one of ``true``, after removing the constant
    offset between the analysis's alignment point and the simulator's firing instant."""
    lags = np.array([found[np.argmin(np.abs(found - t))] - t for t in true])
    offset = np.median(lags)
    return int(np.sum(np.abs(lags - offset) <= TOLERANCE_MS * 1e-3 * fs_hz))


def _matched(sim, analysis):
    """Each true unit paired with the found unit that shares most of its discharges."""
    pairs = []
    for true in _truth(sim):
        scores = [_hits(u.discharges, true, sim.fs_hz) for u in analysis.units]
        pairs.append((true, analysis.units[int(np.argmax(scores))], max(scores)))
    return pairs


@pytest.fixture(scope="module", params=[0, 1, 2], ids=lambda s: f"seed{s}")
def default_case(request):
    sim = simulate_units(VALIDATION_UNITS, DURATION_S, noise_uv_rms=DEFAULT_NOISE_UV, seed=request.param)
    return sim, analyse_muaps(sim.signal_uv, sim.fs_hz)


@pytest.mark.parametrize("noise_uv", [4.0, DEFAULT_NOISE_UV, 16.0])
def test_the_unit_count_is_right_at_each_noise_level(noise_uv):
    for seed in (0, 1):
        sim = simulate_units(VALIDATION_UNITS, DURATION_S, noise_uv_rms=noise_uv, seed=seed)
        assert analyse_muaps(sim.signal_uv, sim.fs_hz).summary.n_units == len(VALIDATION_UNITS)


def test_each_true_unit_is_a_different_found_unit(default_case):
    sim, analysis = default_case
    labels = [unit.label for _, unit, _ in _matched(sim, analysis)]
    assert len(set(labels)) == len(VALIDATION_UNITS)


def test_detection_sensitivity_and_precision(default_case):
    sim, analysis = default_case
    pairs = _matched(sim, analysis)
    hits = sum(h for _, _, h in pairs)
    n_true = sum(t.size for t, _, _ in pairs)
    n_found = sum(u.discharges.size for u in analysis.units)
    assert hits / n_true >= 0.95
    assert hits / n_found >= 0.95
    for true, unit, h in pairs:  # and no unit is left far behind by the pooled figure
        assert h / true.size >= 0.93
        assert h / unit.discharges.size >= 0.95


def test_amplitude_within_5_percent(default_case):
    sim, analysis = default_case
    for (true, unit, _), sim_unit in zip(_matched(sim, analysis), sim.units):
        truth = np.ptp(sim_unit.template_uv)
        assert unit.measures.amplitude_uv == pytest.approx(truth, rel=0.05)


def test_duration_within_5_percent(default_case):
    sim, analysis = default_case
    for (true, unit, _), sim_unit in zip(_matched(sim, analysis), sim.units):
        magnitude = np.abs(sim_unit.template_uv)
        above = np.flatnonzero(magnitude >= 0.02 * magnitude.max())
        truth_ms = (above[-1] - above[0] + 1) / sim.fs_hz * 1e3
        assert unit.measures.duration_ms == pytest.approx(truth_ms, rel=0.05)


def test_firing_rate_within_1_hz(default_case):
    sim, analysis = default_case
    for (true, unit, _), sim_unit in zip(_matched(sim, analysis), sim.units):
        truth_hz = 1.0 / np.mean(np.diff(sim_unit.firing_times_s))
        assert unit.firing.mean_rate_hz == pytest.approx(truth_hz, abs=1.0)


def test_units_are_labelled_largest_first(default_case):
    _, analysis = default_case
    assert [u.label for u in analysis.units] == [f"U{i + 1}" for i in range(len(analysis.units))]
    amplitudes = [u.measures.amplitude_uv for u in analysis.units]
    assert amplitudes == sorted(amplitudes, reverse=True)
