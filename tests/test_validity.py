from __future__ import annotations

import numpy as np
import pytest

from emgviewer.analysis import Invalid, ValidityCriteria, WindowGeometry, assess_spans, assess_windows
from emgviewer.records import read_record

FS = 1000.0
FULL_SCALE = (-2500.0, 2500.0)


def _noise(n=4000, seed=0):
    return np.random.default_rng(seed).normal(0, 50, n).astype(np.float32)


def _assess(signal, **criteria):
    geometry = WindowGeometry(1000, 500, signal.size)  # 1 s windows, 0.5 s hop at 1 kHz
    return assess_windows(signal, FS, geometry, FULL_SCALE, ValidityCriteria(**criteria))


def test_clean_noise_is_valid():
    validity = _assess(_noise())
    assert validity.valid.all() and validity.reason(0) is None


def test_nan_marks_the_windows_that_hold_it():
    signal = _noise()
    signal[1700:1703] = np.nan  # in windows 2 (1000-2000) and 3 (1500-2500)
    validity = _assess(signal)
    assert list(np.flatnonzero(~validity.valid)) == [2, 3]
    assert validity.reason(2) == "3 missing samples (NaN)"


def test_flat_run_longer_than_the_limit():
    signal = _noise()
    signal[2600:2620] = 0.0  # 20 samples = 20 ms of zeros, in windows 4 and 5
    validity = _assess(signal, max_flat_s=0.005)
    assert list(np.flatnonzero(validity.flags & Invalid.FLAT)) == [4, 5]
    assert validity.reason(4) == "flat for 20.0 ms"
    assert _assess(signal, max_flat_s=0.05).valid.all()


def test_flat_run_cut_by_a_window_edge_counts_only_inside():
    signal = _noise()
    signal[995:1010] = 7.0  # 15 samples: 5 in window 0, 15 in window 1 (500-1500), 10 in window 2
    validity = _assess(signal, max_flat_s=0.008)  # more than 9 identical samples is flat
    assert list(np.flatnonzero(validity.flags & Invalid.FLAT)) == [1, 2]
    assert list(validity.flat_run_samples[:3]) == [0, 15, 10]


def test_clipping_is_not_flatness():
    signal = _noise()
    signal[200:260] = -2500.0  # saturated for 60 ms: 6 % of window 0
    validity = _assess(signal)
    assert Invalid(int(validity.flags[0])) == Invalid.CLIPPED
    assert validity.reason(0) == "clipped: 6.0% of samples at full scale"
    assert validity.clipped_fraction[0] == pytest.approx(0.06)


def test_clipped_fraction_matches_a_direct_count():
    rng = np.random.default_rng(3)
    signal = _noise(seed=3)
    signal[rng.choice(signal.size, 300, replace=False)] = 2500.0
    validity = _assess(signal)
    geometry = WindowGeometry(1000, 500, signal.size)
    expected = [np.mean(np.abs(signal[a:b]) >= 2500.0) for a, b in zip(geometry.starts, geometry.stops)]
    np.testing.assert_allclose(validity.clipped_fraction, expected)


@pytest.mark.real_data
def test_real_records(n2001_dir):
    def assess(name):
        record = read_record(n2001_dir / f"{name}.hea")
        geometry = WindowGeometry.from_seconds(1.0, 0.4, record.fs_hz, record.n_samples)
        return assess_windows(record.signal_uv, record.fs_hz, geometry, record.full_scale_uv)

    assert assess("N2001A01BB02").valid.all()
    zeros = assess("N2001A06BB08")  # 99.6 % zeros
    assert (zeros.flags & Invalid.FLAT).all()
    clipped = assess("N2001C05BB80")
    assert (clipped.flags & Invalid.CLIPPED).any() and not (clipped.flags & Invalid.FLAT).any()


@pytest.mark.parametrize("chunk", [1, 3, 777])
def test_judging_in_chunks_gives_what_one_pass_gives(monkeypatch, chunk):
    """Long records are judged chunk by chunk; runs and windows that cross chunk edges must
    come out as they do in one pass over the whole signal."""
    import emgviewer.analysis.validity as validity

    rng = np.random.default_rng(chunk)
    for _ in range(10):
        n = int(rng.integers(100, 8000))
        x = rng.normal(0, 50, n).astype(np.float32)
        for _ in range(3):
            a = int(rng.integers(0, n))
            x[a: a + int(rng.integers(1, 2000))] = x[a]  # flat runs
            x[int(rng.integers(0, n))] = np.nan
            b = int(rng.integers(0, n))
            x[b: b + int(rng.integers(1, 100))] = 1000.0  # at full scale
        starts = np.sort(rng.integers(0, n, 40))
        stops = np.minimum(starts + rng.integers(1, 2000, 40), n)
        monkeypatch.setattr(validity, "CHUNK", 1 << 20)
        whole = assess_spans(x, 1000.0, starts, stops, (-1000.0, 1000.0))
        monkeypatch.setattr(validity, "CHUNK", chunk)
        pieces = assess_spans(x, 1000.0, starts, stops, (-1000.0, 1000.0))
        np.testing.assert_array_equal(pieces.flags, whole.flags)
        np.testing.assert_array_equal(pieces.missing_count, whole.missing_count)
        assert pieces.missing_count.tolist() == [int(np.isnan(x[a:b]).sum()) for a, b in zip(starts, stops)]
        np.testing.assert_array_equal(pieces.flat_run_samples, whole.flat_run_samples)
        np.testing.assert_allclose(pieces.clipped_fraction, whole.clipped_fraction)


def test_windows_holding_one_sample_spikes_are_invalid_and_say_how_many():
    fs = 20_000.0
    signal = np.random.default_rng(1).normal(0, 50, 80_000).astype(np.float32)  # 4 s
    burst = np.arange(66_000, 66_100, 4)  # 25 spikes at 3.30-3.305 s
    signal[burst] += 3000.0
    signal[[10_000, 30_000]] -= 3000.0  # two lone glitches: within max_spikes
    geometry = WindowGeometry(20_000, 10_000, signal.size)  # 1 s windows, 0.5 s hop: 7 windows
    validity = assess_windows(signal, fs, geometry, FULL_SCALE)
    expected = [int(np.count_nonzero((burst >= a) & (burst < b)) + np.count_nonzero(
        (np.array([10_000, 30_000]) >= a) & (np.array([10_000, 30_000]) < b))) for a, b in
        zip(geometry.starts, geometry.stops)]
    assert validity.spike_count.tolist() == expected
    artefact = np.flatnonzero(validity.flags & Invalid.ARTEFACT).tolist()
    assert artefact == [5, 6]  # 2.5-3.5 s and 3.0-4.0 s hold the burst
    assert validity.reason(5) == "25 one-sample spikes (an acquisition artefact)"
    assert validity.valid[:5].all()  # one or two glitches leave a window valid
    low = assess_windows(signal, 4000.0, geometry, FULL_SCALE)  # too slow a rate to tell
    assert low.spike_count is None and not (low.flags & Invalid.ARTEFACT).any()
