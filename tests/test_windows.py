from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from emgviewer.analysis import DEFAULT_HOP_S, DEFAULT_WINDOW_S, WindowGeometry, seconds_to_samples, window_view


def test_n2001_default_geometry():
    geometry = WindowGeometry.from_seconds(DEFAULT_WINDOW_S, DEFAULT_HOP_S, 23437.5, 262_124)
    assert (geometry.window_samples, geometry.hop_samples) == (23_437, 9_375)  # ALSNet input, thesis hop
    assert geometry.n_windows == 26
    assert geometry.tail_samples == 262_124 - (25 * 9_375 + 23_437) == 4_312
    assert seconds_to_samples(0.6, 23437.5) == 14_062  # the thesis's overlap


def test_view_is_zero_copy_read_only_and_correct():
    signal = np.arange(100, dtype=np.float32)
    geometry = WindowGeometry(window_samples=30, hop_samples=20, n_samples=100)
    windows = window_view(signal, geometry)
    assert windows.shape == (4, 30)
    assert np.shares_memory(windows, signal) and not windows.flags.writeable
    for row, start in zip(windows, geometry.starts):
        assert np.array_equal(row, signal[start:start + 30])
    assert geometry.tail_samples == 10


def test_end_window_covers_the_tail():
    signal = np.arange(100, dtype=np.float32)
    geometry = WindowGeometry(30, 20, 100, tail="end")
    assert list(geometry.starts) == [0, 20, 40, 60, 70]
    assert geometry.tail_samples == 0
    assert np.array_equal(window_view(signal, geometry)[-1], signal[70:])


def test_signal_shorter_than_a_window():
    geometry = WindowGeometry(30, 10, 20, tail="end")
    assert (geometry.n_windows, geometry.tail_samples) == (0, 20)
    assert window_view(np.zeros(20), geometry).shape == (0, 30)


@pytest.mark.parametrize("kwargs, message", [
    (dict(window_samples=0, hop_samples=1, n_samples=10), "window must hold at least one sample"),
    (dict(window_samples=5, hop_samples=0, n_samples=10), "hop must be at least one sample"),
    (dict(window_samples=5, hop_samples=1, n_samples=10, tail="pad"), "tail must be 'drop' or 'end'"),
])
def test_bad_geometry(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WindowGeometry(**kwargs)


def test_view_refuses_a_signal_of_another_length():
    with pytest.raises(ValueError, match="does not match a geometry of 50 samples"):
        window_view(np.zeros(40), WindowGeometry(10, 5, 50))


@given(n=st.integers(0, 5000), window=st.integers(1, 800), hop=st.integers(1, 800),
       tail=st.sampled_from(["drop", "end"]))
def test_geometry_properties(n, window, hop, tail):
    geometry = WindowGeometry(window, hop, n, tail)
    starts, stops = geometry.starts, geometry.stops
    assert starts.size == geometry.n_windows
    # Brute-force count of windows on the regular grid.
    assert geometry.n_regular == sum(1 for s in range(0, n, hop) if s + window <= n)
    assert geometry.tail_samples == n - int(stops.max(initial=0))  # the rest after the last stop
    assert starts.size == 0 or (starts[0] == 0 and stops.max() <= n)
    assert np.all(np.diff(starts[: geometry.n_regular]) == hop) and np.all(np.diff(starts) > 0)


@given(n=st.integers(1, 5000), window=st.integers(1, 800), hop=st.integers(1, 800))
def test_a_record_at_least_a_window_long_leaves_a_tail_only_when_dropped(n, window, hop):
    assume(n >= window)
    assert WindowGeometry(window, hop, n, "end").tail_samples == 0  # a last window ends at the end
    assert WindowGeometry(window, hop, n, "drop").tail_samples < hop
