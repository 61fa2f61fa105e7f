"""One-sample spikes: counted where a sample leaves both neighbours and they agree, once per
sample whatever the chunking, only where the rate makes them unphysiological; a spiky record
warns and its verdict carries the artefact caveat."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_runner import emgviewer_cli

from emgviewer.records.n2001_writer import N2001_FS_HZ, write_n2001
from emgviewer.records.quality import SPIKE_JUMP_UV, measure_quality, one_sample_spikes
from emgviewer.records.simulate import simulate_emg


def _with_spikes(signal: np.ndarray, positions: np.ndarray, height: float) -> np.ndarray:
    out = signal.astype(np.float32).copy()
    out[positions] += np.float32(height) * np.where(np.arange(positions.size) % 2, 1, -1).astype(np.float32)
    return out


def test_a_physiological_trace_has_none_and_injected_spikes_are_each_counted_once():
    emg = simulate_emg("neurogenic", duration_s=2.0, seed=8).signal_uv  # large, fast MUAPs
    assert one_sample_spikes(emg).size == 0
    positions = np.arange(1000, emg.size - 1000, 997)
    spiky = _with_spikes(emg, positions, 3000.0)
    assert one_sample_spikes(spiky).tolist() == positions.tolist()
    whole = measure_quality(spiky, None, fs_hz=N2001_FS_HZ)
    chunked = measure_quality(spiky, None, chunk=997, fs_hz=N2001_FS_HZ)  # a spike next to every chunk edge
    assert whole.n_spikes == chunked.n_spikes == positions.size
    assert whole.spikes_per_s == pytest.approx(positions.size / (emg.size / N2001_FS_HZ))
    assert whole.spike_span_s == chunked.spike_span_s == (positions[0] / N2001_FS_HZ, positions[-1] / N2001_FS_HZ)
    assert whole.spiky and whole.is_suspect
    assert (f"{positions.size} one-sample spikes between {positions[0] / N2001_FS_HZ:.2f} and "
            f"{positions[-1] / N2001_FS_HZ:.2f} s: an acquisition artefact") in "; ".join(whole.warnings)


def test_a_step_a_small_jump_or_a_gap_is_no_spike():
    flat = np.zeros(100, dtype=np.float32)
    step = flat.copy()
    step[50:] = 2000.0  # leaves one neighbour only
    small = flat.copy()
    small[50] = SPIKE_JUMP_UV * 0.9
    ramp = flat.copy()
    ramp[49:52] = [0.0, 1000.0, 1500.0]  # neighbours disagree: a fast edge, not a lone sample
    gap = flat.copy()
    gap[50], gap[51] = 3000.0, np.nan
    assert [one_sample_spikes(s).size for s in (step, small, ramp, gap)] == [0, 0, 0, 0]


def test_below_ten_kilohertz_spikes_are_not_judged():
    noise = np.random.default_rng(0).normal(0.0, 10.0, 40_000)  # no zeros to warn about
    signal = _with_spikes(noise, np.arange(100, 39_000, 50), 3000.0)
    low = measure_quality(signal, None, fs_hz=4000.0)
    assert low.n_spikes is None and not low.spiky and low.warnings == ()
    assert measure_quality(signal, None, fs_hz=N2001_FS_HZ).spiky


def test_classify_gives_a_spiky_record_the_artefact_caveat(tmp_path):
    emg = simulate_emg("normal", duration_s=3.0, seed=1).signal_uv
    positions = np.arange(500, emg.size - 500, 311)
    write_n2001(tmp_path, "N2001C09BB01", _with_spikes(emg, positions, 2000.0),
                N2001_FS_HZ, ("muscle: biceps brachii",))
    write_n2001(tmp_path, "N2001C09BB02", emg, N2001_FS_HZ, ("muscle: biceps brachii",))
    result = emgviewer_cli("classify", tmp_path, "--format", "json", "--cpu")
    assert result.returncode == 0, result.stderr
    caveats = {r["record"]: [c["code"] for c in r["caveats"]] for r in json.loads(result.stdout)["records"]}
    assert "artefact" in caveats["N2001C09BB01"] and "artefact" not in caveats["N2001C09BB02"]
    span = f"{positions[0] / N2001_FS_HZ:.2f} and {positions[-1] / N2001_FS_HZ:.2f} s"
    assert f"N2001C09BB01: one-sample spikes between {span}, an acquisition artefact" in result.stderr


def test_the_signal_profile_leaves_out_the_blocks_that_hold_spikes():
    from emgviewer.analysis.signal_profile import signal_profile

    emg = simulate_emg("normal", duration_s=4.0, seed=1).signal_uv  # 91 blocks of 1024: all of them used
    first_spiky_block = 80
    positions = np.arange(first_spiky_block * 1024 + 5, emg.size - 1, 3)
    spiky = _with_spikes(emg, positions, 2000.0)
    expected = signal_profile(spiky[: first_spiky_block * 1024], N2001_FS_HZ)
    assert signal_profile(spiky, N2001_FS_HZ) == expected
    assert signal_profile(spiky, N2001_FS_HZ) != signal_profile(spiky, 9_000.0)  # not judged there: kept


def test_blocks_are_judged_for_spikes_each_on_its_own_samples():
    """All blocks in one pass give what one call a block gives: a spike on a block's first or
    last sample has its other neighbour in the next block, and counts in neither."""
    from emgviewer.analysis.signal_profile import _holds_spikes
    from emgviewer.records.quality import one_sample_spikes

    blocks = np.random.default_rng(3).normal(0, 20, size=(6, 64))
    blocks[0, 0] += 3000.0  # first sample: not judged
    blocks[1, 63] += 3000.0  # last sample: not judged
    blocks[3, 30] -= 3000.0  # inside: a spike
    blocks[5, 1] += 3000.0  # second sample: a spike
    one_call_each = [one_sample_spikes(block).size > 0 for block in blocks]
    assert one_call_each == [False, False, False, True, False, True]
    assert _holds_spikes(blocks).tolist() == one_call_each
