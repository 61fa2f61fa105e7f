from __future__ import annotations

import numpy as np
import pytest

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record


def test_a_one_sample_spike_survives_full_view():
    signal = np.zeros(262_124, dtype=np.float32)
    signal[123_457] = 900.0
    signal[200_001] = -700.0
    drawn = PeakPyramid(signal).visible(0, signal.size, pixels=2560)
    assert drawn.y.max() == 900.0 and drawn.y.min() == -700.0
    assert drawn.x.size <= 2 * 2 * 2560 + 4  # bounded by pixels, not samples
    # The spike is drawn where it is, within one block.
    at = drawn.x[np.argmax(drawn.y)]
    assert abs(at - 123_457) <= drawn.samples_per_point * 2


@pytest.mark.parametrize("start, stop, pixels", [(0, 140_625, 1600), (5_000, 28_437, 800)])
def test_envelope_equals_a_direct_computation(start, stop, pixels):
    signal = read_record(demo_record_paths()[2]).signal_uv
    drawn = PeakPyramid(signal).visible(start, stop, pixels)
    visible = signal[start:stop]
    assert drawn.samples_per_point > 1.0
    # Everything visible is covered, and nothing outside the record's values is invented.
    assert drawn.y.max() >= visible.max() and drawn.y.min() <= visible.min()
    assert set(np.unique(drawn.y)) <= set(np.unique(signal))


def test_fewer_samples_than_pixels_are_drawn_as_they_are():
    signal = read_record(demo_record_paths()[2]).signal_uv
    drawn = PeakPyramid(signal).visible(100, 400, 1000)
    assert drawn.samples_per_point == 1.0 and np.array_equal(drawn.y, signal[100:400])


def test_each_pair_is_the_min_and_max_of_its_block():
    rng = np.random.default_rng(0)
    signal = rng.normal(size=10_000).astype(np.float32)
    pyramid = PeakPyramid(signal)
    for level in range(4):
        block = pyramid.block_size(level)
        mins, maxs = pyramid.levels[level]
        for i in (0, 7, mins.size - 1):
            chunk = signal[i * block:(i + 1) * block]
            assert mins[i] == chunk.min() and maxs[i] == chunk.max()


@pytest.mark.parametrize("n,nperseg", [(23_437, 2048), (5000, 256), (1001, 255)])
def test_welch_psd_equals_scipy(n, nperseg):
    from scipy.signal import welch

    from emgviewer.analysis.spectrum import welch_psd

    x = np.random.default_rng(n).normal(0, 30, n) + 5.0
    f_ours, p_ours = welch_psd(x, 23437.5, nperseg)
    f_scipy, p_scipy = welch(x, fs=23437.5, nperseg=nperseg)
    np.testing.assert_allclose(f_ours, f_scipy)
    np.testing.assert_allclose(p_ours, p_scipy, rtol=1e-10)
