from __future__ import annotations

import numpy as np

from emgviewer.display.scales import SENSITIVITY_UV, TIMEBASE_MS, fitting_sensitivity, nearest, step


def test_steps_follow_the_1_2_5_ladder_and_stop_at_its_ends():
    assert step(TIMEBASE_MS, 100, +1) == 200
    assert step(TIMEBASE_MS, 100, -1) == 50
    assert step(TIMEBASE_MS, 2000, +1) == 2000
    assert step(TIMEBASE_MS, 1, -1) == 1
    assert step(SENSITIVITY_UV, 150, +1) == 200  # off the ladder: the next value up
    assert step(SENSITIVITY_UV, 150, -1) == 100
    assert nearest(SENSITIVITY_UV, 180) == 200


def test_fitting_sensitivity_keeps_large_potentials_on_screen():
    signal = np.zeros(100_000, dtype=np.float32)
    signal[::100] = 1900.0  # 1 % of samples at 1.9 mV
    sensitivity = fitting_sensitivity(signal)
    assert sensitivity == 500  # 4 divisions x 500 µV = 2000 µV >= 1900 µV; 200 would not do
    assert fitting_sensitivity(np.full(10, np.nan, dtype=np.float32)) == 200
