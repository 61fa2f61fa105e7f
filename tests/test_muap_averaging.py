"""The MUAP analysis's building blocks against plain reference computations: placing
potentials, the trimmed mean, the peeled averages, and the BLAS thread limit."""

from __future__ import annotations

import numpy as np
import pytest
import threadpoolctl
from scipy import stats

from emgviewer.analysis.muap import analyse_muaps
from emgviewer.analysis.muap import analysis as analysis_module
from emgviewer.analysis.muap.superpose import superpose
from emgviewer.analysis.muap.waveform import TRIM, _baseline_corrected, _trimmed_mean, averaged_templates, half_window
from emgviewer.records.simulate import VALIDATION_UNITS, simulate_units

FS = 23437.5


def _dense_sum(length, starts, potentials):
    """Reference: each potential written into its own full-length row, rows summed."""
    rows = np.zeros((len(starts), length + potentials.shape[-1]))
    for i, (start, potential) in enumerate(zip(starts, np.broadcast_to(potentials, (len(starts), potentials.shape[-1])))):
        rows[i, start: start + potential.size] = potential
    return rows.sum(axis=0)[:length]


def test_overlapping_potentials_add_and_the_one_past_the_end_is_cut():
    rng = np.random.default_rng(0)
    starts = np.array([0, 3, 5, 5, 90, 97])  # 3 and 5 overlap 0; two at 5; 97 runs past 100
    potentials = rng.normal(size=(starts.size, 8))
    np.testing.assert_allclose(superpose(100, starts, potentials), _dense_sum(100, starts, potentials), atol=1e-12)


def test_one_potential_for_all_positions_is_broadcast():
    potential = np.arange(1.0, 5.0)[None, :]
    assert superpose(10, np.array([0, 2]), potential).tolist() == [1, 2, 4, 6, 3, 4, 0, 0, 0, 0]


def test_potentials_are_added_into_a_given_signal_in_place():
    signal = np.arange(10.0)
    out = superpose(10, np.array([1, 8]), -np.ones((1, 3)), out=signal)
    assert out is signal
    assert signal.tolist() == [0, 0, 1, 2, 4, 5, 6, 7, 7, 8]


def test_a_potential_before_the_signal_is_refused():
    with pytest.raises(ValueError, match=r"a potential starts before the signal \(at sample -2\)"):
        superpose(10, np.array([4, -2]), np.ones((2, 3)))


@pytest.mark.parametrize("n_sweeps", [1, 4, 5, 9, 37, 500])
def test_the_trimmed_mean_is_scipys(n_sweeps):
    sweeps = np.random.default_rng(n_sweeps).standard_cauchy(size=(n_sweeps, 60))
    np.testing.assert_allclose(_trimmed_mean(sweeps), stats.trim_mean(sweeps, TRIM, axis=0), rtol=1e-12, atol=1e-12)


def _reference_templates(signal, fs_hz, trains):
    """The averaging as first written: fancy-indexed sweeps, one bincount per unit,
    scipy's trim_mean."""
    half = half_window(fs_hz)
    x = np.pad(np.nan_to_num(np.asarray(signal, dtype=np.float64)), half)
    offsets = np.arange(2 * half + 1)[None, :]
    templates = [x[train[:, None] + offsets].mean(axis=0) for train in trains]

    def placed(train, template):
        idx = train[:, None] + np.arange(template.size)[None, :]
        return np.bincount(idx.ravel(), weights=np.broadcast_to(template, idx.shape).ravel(), minlength=x.size)

    for average in (np.mean, lambda sweeps, axis: stats.trim_mean(sweeps, TRIM, axis=axis)):
        residual = x - sum(placed(train, template) for train, template in zip(trains, templates))
        templates = [template + average(residual[train[:, None] + offsets], axis=0)
                     for train, template in zip(trains, templates)]
    return [_baseline_corrected(template, fs_hz) for template in templates]


def test_peeled_averages_equal_the_reference_computation():
    sim = simulate_units(VALIDATION_UNITS, 6.0, noise_uv_rms=8.0, seed=5)
    trains = [np.round(unit.firing_times_s * sim.fs_hz).astype(np.int64) for unit in sim.units]
    trains = [train[(train >= 0) & (train < sim.signal_uv.size)] for train in trains]
    got = averaged_templates(sim.signal_uv, sim.fs_hz, trains)
    want = _reference_templates(sim.signal_uv, sim.fs_hz, trains)
    assert len(got) == len(VALIDATION_UNITS)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-9 * np.abs(w).max())


def test_an_infinite_sample_reads_as_zero_in_the_averages():
    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=6)
    signal = sim.signal_uv.copy()
    signal[50_000] = np.inf
    signal[70_000] = -np.inf
    analysis = analyse_muaps(signal, sim.fs_hz)
    assert analysis.summary.n_units == len(VALIDATION_UNITS)
    assert all(np.isfinite(unit.template_uv).all() for unit in analysis.units)


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]


def test_the_analysis_runs_blas_on_one_thread_and_gives_the_others_back(monkeypatch):
    seen = []
    detect = analysis_module.detect

    def spying_detect(*args, **kwargs):
        seen.append(_blas_threads())
        return detect(*args, **kwargs)

    monkeypatch.setattr(analysis_module, "detect", spying_detect)
    sim = simulate_units(VALIDATION_UNITS, 3.0, seed=7)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        analyse_muaps(sim.signal_uv, sim.fs_hz)
        after = _blas_threads()
    assert before and all(n == 2 for n in before)
    assert seen and all(n == 1 for n in seen[0])
    assert after == before
