"""The simulator: physiological direction of the profiles, exact round trip through the N2001
writer and readers, and the shipped demo records being what the script makes."""

from __future__ import annotations

import numpy as np
import pytest

from emgviewer.analysis import peak_to_peak_uv, spike_durations_ms, turns_per_s
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record
from emgviewer.records.n2001_writer import N2001_GAIN_PER_UV, digitise, write_n2001
from emgviewer.records.simulate import DEMO_SEEDS, demo_comments, simulate_emg
from emgviewer.records.simulate.muap import muap_waveform

SEEDS = (101, 102, 103)


def _statistics(profile: str) -> dict[str, float]:
    """Measured, not configured: mean over seeds of the median 100-ms peak-to-peak, the median
    spike duration and Willison turns a second."""
    stats = {"p2p": [], "duration": [], "turns": []}
    for seed in SEEDS:
        sim = simulate_emg(profile, duration_s=4.0, seed=seed)
        segments = np.array_split(sim.signal_uv, 40)
        stats["p2p"].append(np.median([peak_to_peak_uv(s) for s in segments]))
        stats["duration"].append(np.median(spike_durations_ms(sim.signal_uv, sim.fs_hz)))
        stats["turns"].append(turns_per_s(sim.signal_uv, sim.fs_hz))
    return {k: float(np.mean(v)) for k, v in stats.items()}


@pytest.fixture(scope="module")
def measured():
    return {profile: _statistics(profile) for profile in ("normal", "myopathic", "neurogenic")}


def test_profiles_differ_in_the_clinical_direction(measured):
    normal, myopathic, neurogenic = measured["normal"], measured["myopathic"], measured["neurogenic"]
    # Myopathy: small, short potentials; neurogenic: large, long ones.
    assert myopathic["p2p"] < normal["p2p"] < neurogenic["p2p"]
    assert myopathic["duration"] < normal["duration"] < neurogenic["duration"]
    # Dense polyphasic recruitment turns often; reduced recruitment turns rarely.
    assert myopathic["turns"] > normal["turns"] > neurogenic["turns"]


def test_normal_muaps_are_in_the_textbook_range(measured):
    assert 5.0 <= measured["normal"]["duration"] <= 15.0


def test_muap_shape_has_the_asked_phases_duration_and_amplitude():
    fs = 23437.5
    for phases in range(2, 9):
        muap = muap_waveform(phases, duration_ms=10.0, amplitude_uv=1000.0, fs_hz=fs)
        assert np.ptp(muap) == pytest.approx(1000.0)
        # Baseline to baseline: where it exceeds 2 % of its peak.
        above = np.flatnonzero(np.abs(muap) > 0.02 * np.abs(muap).max())
        assert (above[-1] - above[0]) / fs * 1e3 == pytest.approx(10.0, abs=0.1)
        # Phases of the spike: sign changes among the samples above a fifth of the peak (the
        # slow initial and terminal phases stay below it).
        spike = muap[np.abs(muap) > 0.2 * np.abs(muap).max()]
        assert np.count_nonzero(np.diff(np.sign(spike))) + 1 == phases


def test_spike_duration_of_an_isolated_muap():
    fs = 23437.5
    trace = np.zeros(int(fs), dtype=np.float32)
    for offset, duration in ((4000, 6.0), (12000, 12.0)):
        muap = muap_waveform(3, duration_ms=duration, amplitude_uv=800.0, fs_hz=fs)
        trace[offset:offset + muap.size] += muap.astype(np.float32)
    measured = spike_durations_ms(trace, fs)
    # Measured at 3 % of the peak, slightly inside the 2 % baseline-to-baseline span.
    assert measured == pytest.approx([6.0, 12.0], rel=0.1)


def test_turns_of_a_known_triangle_wave():
    # 50 Hz triangle of ±200 µV: two reversals a period, 100 turns a second.
    fs = 10_000.0
    t = np.arange(int(fs)) / fs
    triangle = 400.0 * np.abs(((t * 50.0) % 1.0) - 0.5) * 2 - 200.0
    assert turns_per_s(triangle, fs) == pytest.approx(100.0, abs=1.0)
    assert turns_per_s(triangle * 0.2, fs) == 0.0  # reversals of 80 µV are below threshold


def test_written_record_reads_back_exactly(tmp_path):
    sim = simulate_emg("neurogenic", duration_s=2.0, seed=5)
    header = write_n2001(tmp_path, "sim", sim.signal_uv, sim.fs_hz, demo_comments(sim))
    record = read_record(header)
    expected = (digitise(sim.signal_uv).astype(np.float64) / N2001_GAIN_PER_UV).astype(np.float32)
    assert np.array_equal(record.signal_uv, expected)
    inside = np.abs(sim.signal_uv) < 2499.0
    assert np.max(np.abs(record.signal_uv - sim.signal_uv)[inside]) <= 0.5 / N2001_GAIN_PER_UV + 1e-3
    # This seed overdrives the recorder: the excess saturates at full scale, as in real ALS files.
    assert record.quality.n_clipped == np.count_nonzero(~inside) > 0
    assert (record.format, record.fs_hz, record.truth) == ("N2001", 23437.5, "ALS")
    assert "not a patient recording" in record.metadata.fields["simulated"]


def test_writer_never_overwrites_unless_asked(tmp_path):
    signal = np.zeros(100, dtype=np.float32)
    write_n2001(tmp_path, "x", signal)
    before = (tmp_path / "x.bin").read_bytes()
    with pytest.raises(FileExistsError, match=r"x\.hea: exists"):
        write_n2001(tmp_path, "x", signal + 100)
    assert (tmp_path / "x.bin").read_bytes() == before
    write_n2001(tmp_path, "x", signal + 100, overwrite=True)
    assert read_record(tmp_path / "x.hea").signal_uv[0] == pytest.approx(100.0, abs=0.05)
    assert not list(tmp_path.glob("*.tmp"))


def test_shipped_demo_records_are_what_the_script_makes():
    for path, (profile, seed) in zip(demo_record_paths(), DEMO_SEEDS.items()):
        record = read_record(path)
        fresh = simulate_emg(profile, seed=seed)
        # Within one quantisation step: FFT round-off may differ between library versions.
        assert np.max(np.abs(record.signal_uv - fresh.signal_uv)) <= 1.0 / N2001_GAIN_PER_UV
        assert record.name == f"demo_{profile}"
        assert f"profile {profile}, seed {seed}" in record.metadata.fields["simulated"]
    truths = [read_record(p).truth for p in demo_record_paths()]
    assert truths == ["control", "myopathy", "ALS"]


def test_demo_records_are_clean():
    for path in demo_record_paths():
        assert not read_record(path).quality.is_suspect
