"""The MUAP measures, firing statistics and reference marks, each against a hand computation."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from emgviewer.analysis.muap import MuapAnalysisError, analyse_muaps, reference
from emgviewer.analysis.muap.analysis import SCHEMA_VERSION
from emgviewer.analysis.muap.firing import firing, recruitment_frequency, recruitment_ratio
from emgviewer.analysis.muap.waveform import POLYPHASIC_PHASES, measure
from emgviewer.records.simulate import VALIDATION_UNITS, simulate_units
from emgviewer.records.simulate.muap import muap_waveform

FS = 23437.5


def _centred(potential: np.ndarray, half_ms: float = 25.0) -> np.ndarray:
    half = int(round(half_ms * 1e-3 * FS))
    out = np.zeros(2 * half + 1)
    k = potential.size // 2
    out[half - k: half - k + potential.size] = potential
    return out


def _sine_phases(n_phases: int, phase_ms: float, amplitude_uv: float) -> np.ndarray:
    """``n_phases`` half-sine lobes of alternating sign, ``phase_ms`` each."""
    n = int(round(phase_ms * 1e-3 * FS))
    lobe = np.sin(np.pi * np.arange(n) / n)
    return np.concatenate([(-1) ** i * amplitude_uv / 2 * lobe for i in range(n_phases)])


def test_a_clean_potential_measures_as_computed_by_hand():
    w = muap_waveform(3, 10.0, 600.0, FS)
    m = measure(_centred(w), FS)
    above = np.flatnonzero(np.abs(w) >= 0.02 * np.abs(w).max())
    assert m.amplitude_uv == pytest.approx(np.ptp(w), rel=1e-6)
    assert m.duration_ms == pytest.approx((above[-1] - above[0] + 1) / FS * 1e3, abs=0.1)
    span = w[above[0]: above[-1] + 1]
    area = np.sum(np.abs(span)) / FS * 1e3
    assert m.area_uv_ms == pytest.approx(area, rel=0.02)
    assert m.thickness_ms == pytest.approx(m.area_uv_ms / m.amplitude_uv)
    assert m.size_index == pytest.approx(2 * np.log10(m.amplitude_uv / 1000) + m.thickness_ms)
    assert m.satellites_ms == ()


@pytest.mark.parametrize("n_phases", [2, 3, 4, 6])
def test_phases_count_the_lobes(n_phases):
    m = measure(_centred(_sine_phases(n_phases, 1.5, 400.0)), FS)
    assert m.phases == n_phases
    assert m.polyphasic == (n_phases >= POLYPHASIC_PHASES)
    assert m.turns == n_phases  # each lobe's peak is a reversal of 400 µV (>= 25 µV), the last one included


def test_a_late_potential_after_an_isoelectric_gap_is_a_satellite():
    main = _sine_phases(3, 1.5, 600.0)
    gap = np.zeros(int(round(4e-3 * FS)))
    satellite = _sine_phases(2, 0.5, 80.0)
    m = measure(_centred(np.concatenate([main, gap, satellite, np.zeros(main.size + gap.size)])), FS)
    assert m.duration_ms == pytest.approx(4.5, abs=0.2)  # the satellite is not in the duration
    assert len(m.satellites_ms) == 1
    assert m.satellites_ms[0] == pytest.approx(4.5 + 4.0, abs=0.3)  # from the main onset


def test_firing_rate_skips_a_missed_discharge():
    times = np.arange(0, 5, 0.1)  # 10 Hz
    times = np.delete(times, 20)  # one missed: an interval of 0.2 s that is not the rhythm
    f = firing(times)
    assert f.mean_rate_hz == pytest.approx(10.0)
    assert f.idi_cv == pytest.approx(0.0, abs=1e-9)
    assert (f.n_discharges, f.first_s, f.last_s) == (49, 0.0, pytest.approx(4.9))


def test_too_few_discharges_have_no_rate():
    f = firing(np.array([0.1, 0.2, 0.3]))
    assert (f.mean_rate_hz, f.idi_cv) == (None, None)


def test_recruitment_frequency_is_the_first_units_rate_when_the_next_starts():
    first = np.arange(0.0, 4.0, 1 / 8)  # 8 Hz from the start
    second = np.arange(2.0, 4.0, 1 / 6)  # recruited at 2 s
    assert recruitment_frequency([second, first]) == pytest.approx(8.0)
    assert recruitment_frequency([first, np.arange(0.01, 4.0, 1 / 6)]) is None  # both there from the start
    assert recruitment_ratio([8.0, 12.0, None]) == pytest.approx(6.0)
    assert recruitment_ratio([None]) is None


@pytest.mark.parametrize("value,mark", [(100.0, "below"), (178.0, "within"), (900.0, "within"),
                                        (1500.0, "above"), (None, None), (float("nan"), None)])
def test_reference_marks(value, mark):
    assert reference.UNIT["amplitude_uv"].mark(value) == mark


def test_reference_ranges_are_the_published_ones():
    assert reference.RECORD["mean_amplitude_uv"].text() == "206-666 µV"  # 436 +- 2 x 115
    assert reference.RECORD["mean_duration_ms"].low == pytest.approx(7.1)
    assert reference.UNIT["duration_ms"].text() == "4.2-16.4 ms"
    assert reference.RECORD["recruitment_ratio"].text() == "<= 5"
    # A share reads in % wherever it is shown, as the record's own share is ("20 %").
    assert reference.RECORD["polyphasic_share"].text() == "<= 15 %"
    share = reference.RECORD["polyphasic_share"]
    assert (share.mark(0.2), share.mark(0.1)) == ("above", "within")


def test_too_slow_a_rate_is_refused_with_the_reason():
    with pytest.raises(MuapAnalysisError, match=r"needs at least 4 kHz sampling; this record has 2000 Hz"):
        analyse_muaps(np.zeros(20000), 2000.0)


@pytest.mark.parametrize("signal", [np.zeros(50000), np.full(50000, np.nan), np.random.default_rng(0).normal(0, 5, 50000)],
                         ids=["flat", "all-nan", "noise"])
def test_no_units_in_signals_without_any(signal):
    analysis = analyse_muaps(signal, FS)
    assert analysis.units == ()
    assert analysis.summary.n_units == 0
    assert analysis.summary.mean_amplitude_uv is None
    assert all(mark is None for mark in analysis.summary.marks.values())


def test_nan_gaps_do_not_stop_the_analysis():
    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=3)
    signal = sim.signal_uv.copy()
    signal[10000:12000] = np.nan
    assert analyse_muaps(signal, sim.fs_hz).summary.n_units == len(VALIDATION_UNITS)


def test_the_result_is_plain_json():
    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=4)
    document = json.loads(json.dumps(analyse_muaps(sim.signal_uv, sim.fs_hz).to_dict()))
    assert document["schema"] == SCHEMA_VERSION
    assert document["analysis_band_hz"] == [250.0, 5000.0]
    unit = document["units"][0]
    assert set(unit) == {"label", "discharges_s", "measures", "firing", "locked_components_ms", "marks", "implausible"}
    assert unit["measures"]["amplitude_uv"] > 0 and unit["marks"]["amplitude_uv"] in {"within", "above", "below"}


def test_calipers_read_time_and_voltage_and_snap_to_markers():
    from emgviewer.analysis.muap.instruments import caliper_reading, marker_times_s, snap
    signal = np.arange(1000, dtype=np.float32)  # 1 µV a sample
    reading = caliper_reading(signal, 1000.0, 0.100, 0.350)
    assert (reading.dt_ms, reading.dv_uv) == (pytest.approx(250.0), pytest.approx(250.0))
    assert reading.text() == "Δt +250.00 ms · ΔV +250 µV"
    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=5)
    analysis = analyse_muaps(sim.signal_uv, sim.fs_hz)
    markers = marker_times_s(analysis)
    unit = analysis.units[0]
    onset = unit.discharges[3] / sim.fs_hz + unit.measures.onset_ms * 1e-3
    assert snap(onset + 0.001, markers) == pytest.approx(onset)  # 1 ms off: snaps
    assert snap(onset + 0.05, markers) == pytest.approx(onset + 0.05)  # 50 ms off: stays


def test_trigger_sweeps_stack_one_unit():
    from emgviewer.analysis.muap.instruments import triggered_sweeps
    fs = 10_000.0
    signal = np.zeros(20_000)
    spike = np.hanning(21) * 500.0
    starts = np.arange(1000, 19000, 1500)  # 12 discharges
    for s in starts:
        signal[s: s + 21] += spike
    sweeps = triggered_sweeps(signal, fs, level_uv=250.0, pre_ms=2.0, post_ms=8.0)
    first_crossing = np.flatnonzero(spike >= 250.0)[0]
    np.testing.assert_allclose(sweeps.times_s, (starts + first_crossing) / fs)
    assert sweeps.sweeps_uv.shape == (starts.size, 100)
    np.testing.assert_allclose(sweeps.average_uv, sweeps.sweeps_uv[0])  # identical discharges stack
    assert sweeps.times_ms()[0] == pytest.approx(-2.0)
    negative = triggered_sweeps(-signal, fs, level_uv=-250.0, pre_ms=2.0, post_ms=8.0)
    assert negative.times_s.size == starts.size
    broken = signal.copy()
    broken[[500, 1002, 10_000]] = [np.inf, np.nan, -np.inf]  # an infinity is no discharge
    with_gaps = triggered_sweeps(broken, fs, level_uv=250.0, pre_ms=2.0, post_ms=8.0)
    np.testing.assert_allclose(with_gaps.times_s, sweeps.times_s)
    gap = 1002 - (starts[0] + first_crossing - 20)  # the NaN's place in the first sweep (2 ms = 20 samples before)
    assert np.isfinite(with_gaps.sweeps_uv).all() and with_gaps.sweeps_uv[0, gap] == 0.0


def test_units_that_cannot_be_one_motor_unit_are_said_and_left_out_of_the_means():
    """Rates under 4 Hz or over 40 Hz, an irregular rhythm, a potential under the detection
    threshold: each said in words, the unit kept in the list, the record's means over the rest."""
    from emgviewer.analysis.muap.plausibility import implausible_reasons

    assert implausible_reasons(12.0, 0.15, 300.0, 40.0) == ()
    assert implausible_reasons(2.4, 0.15, 300.0, 40.0) == ("fires at 2.4 Hz, under 4 Hz",)
    assert implausible_reasons(55.0, 0.7, 30.0, 40.0) == (
        "fires at 55.0 Hz, over 40 Hz", "irregular (IDI CV 0.70 > 0.5)",
        "potential 30 µV, under the detection threshold 40 µV")
    assert implausible_reasons(None, None, 300.0, 40.0) == ()  # too few intervals to say: not flagged

    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=4)
    analysis = analyse_muaps(sim.signal_uv, sim.fs_hz)
    units = list(analysis.units)
    flagged = dataclasses.replace(units[0], implausible=("fires at 2.0 Hz, under 4 Hz",))
    from emgviewer.analysis.muap.analysis import _summary

    summary = _summary([flagged, *units[1:]], sim.fs_hz)
    rest = units[1:]
    assert (summary.n_units, summary.n_implausible) == (len(rest), 1)
    assert summary.mean_amplitude_uv == pytest.approx(np.mean([u.measures.amplitude_uv for u in rest]))
    assert summary.mean_duration_ms == pytest.approx(np.mean([u.measures.duration_ms for u in rest]))


def test_the_learned_verdict_reads_every_unit_as_it_was_fitted():
    """Its regression was fitted on means over every unit found; flagging changes the record's
    clinical means, never what the regression reads."""
    from emgviewer.analysis.stacking import muap_measures, muap_measures_of_units

    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=4)
    units = list(analyse_muaps(sim.signal_uv, sim.fs_hz).units)
    flagged = [dataclasses.replace(units[0], implausible=("irregular",)), *units[1:]]
    expected = muap_measures(len(units), float(np.mean([u.measures.amplitude_uv for u in units])),
                             float(np.mean([u.measures.duration_ms for u in units])),
                             float(np.mean([u.measures.polyphasic for u in units])),
                             [u.firing.mean_rate_hz for u in units])
    assert np.allclose(muap_measures_of_units(flagged), expected, equal_nan=True)
