"""classify() with real onnxruntime sessions on real records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from onnx_models import card_dict, expected_probabilities, write_model

from emgviewer.analysis import Invalid, WindowGeometry, window_view
from emgviewer.inference import (
    CancelToken,
    ClassificationCancelled,
    classify,
    load_model,
    occlusion_saliency,
)
from emgviewer.inference.distribution import Caveat, CaveatCode
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record
from emgviewer.records.record import Record


@pytest.fixture
def model_4k(tmp_path):
    return load_model(write_model(tmp_path / "m4k.onnx", card_dict(fs_hz=4000.0, window_s=0.25, hop_s=0.1)))


@pytest.fixture
def model_n2001(tmp_path):
    return load_model(write_model(tmp_path / "mfast.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05)))


def test_windows_probabilities_and_verdict_on_a_real_record(emgdb_dir, model_4k):
    record = read_record(emgdb_dir / "emg_neuropathy.hea")
    result = classify(record, model_4k)
    geometry = WindowGeometry.from_seconds(0.25, 0.1, 4000.0, record.n_samples)
    assert result.n_windows == geometry.n_windows
    np.testing.assert_allclose(result.starts_s, geometry.starts / 4000.0)
    valid = result.valid
    expected = expected_probabilities(window_view(record.signal_uv, geometry)[valid])
    np.testing.assert_allclose(result.probabilities[valid], expected, atol=1e-5)
    # Verdict: mean probability of the valid windows, computed directly.
    mean = expected.mean(axis=0)
    assert result.verdict.label == result.class_names[int(np.argmax(mean))]
    assert result.verdict.confidence == pytest.approx(mean.max(), abs=1e-5)
    assert sum(result.verdict.votes.values()) == valid.sum()
    # Uncertainty: max probability below the card's threshold (0.6), entropy in nats.
    p = result.probabilities[valid].astype(np.float64)
    np.testing.assert_array_equal(result.uncertain[valid], p.max(axis=1) < 0.6)
    np.testing.assert_allclose(result.entropy[valid], -(p * np.log(p)).sum(axis=1), atol=1e-5)
    assert result.resampled_from_hz is None


def test_invalid_windows_are_flagged_and_not_classified(emgdb_copy, model_4k):
    # Damage a real file: 30 ms of WFDB "invalid sample" (-32768) in the middle -> NaN.
    data = emgdb_copy / "emg_healthy.dat"
    raw = np.fromfile(data, dtype="<i2")
    raw[20_000:20_120] = -32768
    raw.tofile(data)
    result = classify(read_record(emgdb_copy / "emg_healthy.hea"), model_4k)
    invalid = np.flatnonzero(~result.valid)
    start, stop = 20_000 / 4000, 20_120 / 4000
    touching = np.flatnonzero((result.starts_s < stop) & (result.stops_s > start))
    assert np.array_equal(invalid, touching)
    assert np.isnan(result.probabilities[invalid]).all()
    assert (result.predicted[invalid] == -1).all()
    assert result.reason(int(invalid[0])).endswith("missing samples (NaN)")
    assert result.verdict.n_used == result.valid.sum()


def test_downsampling_a_n2001_rate_record_says_so(model_4k):
    record = read_record(demo_record_paths()[2])  # 23,437.5 Hz
    result = classify(record, model_4k)  # a Python warning here would fail the suite (warnings are errors)
    said = [(c.code, c.text) for c in result.caveats if c.code == "resampled"]
    assert said == [(CaveatCode.RESAMPLED, "recorded at 23437.5 Hz, resampled to the model's 4000 Hz")]
    assert result.resampled_from_hz == 23437.5
    assert result.stops_s[-1] <= record.duration_s
    assert result.verdict.label == "ALS"  # large neurogenic potentials


def test_a_4khz_emgdb_record_is_outside_a_n2001_models_domain(emgdb_dir, model_n2001):
    """Upsampled from 4 kHz, it holds nothing above 2 kHz of the 11.7 kHz the model reads: its
    windows are classified (and drawn apart) but it gets no verdict, unless one is asked for."""
    from emgviewer.display.colours import OUTSIDE_DOMAIN
    from emgviewer.display.overlay import ribbon_windows

    record = read_record(emgdb_dir / "emg_myopathy.hea")
    result = classify(record, model_n2001)
    assert result.caveats[:2] == (
        Caveat(CaveatCode.RESAMPLED, "recorded at 4000 Hz, upsampled to the model's 23437.5 Hz"),
        Caveat(CaveatCode.BAND_LIMITED, "band-limited: a 4000-Hz record holds nothing above 2000 Hz, under half "
                                        "the band the model was trained on (up to 11718.8 Hz)"))
    assert sum(c.code == "resampled" for c in result.caveats) == 1  # said once, in the one channel
    assert result.n_windows == WindowGeometry.from_seconds(
        0.1, 0.05, 23437.5, int(np.ceil(record.n_samples * 375 / 64))).n_windows
    assert result.valid.all() and np.isfinite(result.probabilities).all()  # every window still read
    assert [c.code for c in result.outside] == [CaveatCode.BAND_LIMITED] and not result.forced
    assert result.verdict.label is None
    assert result.verdict.reason == f"outside the model's domain: {result.caveats[1].text}"
    ribbon = ribbon_windows(result)
    assert ribbon.outside and set(ribbon.colours) == {OUTSIDE_DOMAIN}
    forced = classify(record, model_n2001, force_verdict=True)
    assert forced.forced and forced.verdict.label is not None
    assert forced.verdict.basis == ("the model's reading outside its domain, shown on request (band_limited); "
                                    "the mean of the valid windows' probabilities")
    assert not ribbon_windows(forced).outside
    np.testing.assert_array_equal(forced.probabilities, result.probabilities)


def test_one_table_says_which_caveats_withhold_a_verdict():
    from emgviewer.inference.distribution import WITHHOLDS_VERDICT

    assert set(WITHHOLDS_VERDICT) == set(CaveatCode)  # every code is decided, none by default
    withheld = {code for code, withholds in WITHHOLDS_VERDICT.items() if withholds}
    assert withheld == {CaveatCode.BAND_LIMITED, CaveatCode.MUSCLE, CaveatCode.UNCALIBRATED, CaveatCode.SHORT}


def test_flat_and_clipped_windows_on_real_n2001(n2001_dir, model_n2001):
    zeros = classify(read_record(n2001_dir / "N2001A06BB08.hea"), model_n2001)  # same rate: no warning
    assert (zeros.validity.flags & Invalid.FLAT).mean() > 0.95
    assert zeros.verdict.label is None and zeros.verdict.reason.startswith("only")
    clipped = classify(read_record(n2001_dir / "N2001C05BB80.hea"), model_n2001)
    assert (clipped.validity.flags & Invalid.CLIPPED).any()


def test_cancel_between_batches(emgdb_dir, model_4k):
    record = read_record(emgdb_dir / "emg_neuropathy.hea")
    token = CancelToken()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done >= 32:
            token.cancel()

    with pytest.raises(ClassificationCancelled, match=r"emg_neuropathy: cancelled after 32 of \d+ windows"):
        classify(record, model_4k, batch_size=16, cancel=token, progress=progress)
    assert seen == [16, 32]


def test_saliency_keeps_its_resolution_where_the_model_is_sure(emgdb_dir, model_4k):
    """At p near 1 a probability's drop is flat (the old curve); the log-odds' drop is not, and
    it equals an independent computation from the probabilities where those are resolvable."""
    from emgviewer.inference.saliency import log_odds

    quiet = read_record(emgdb_dir / "emg_healthy.hea").signal_uv[:1000].copy() * 0.05
    quiet[612:628] += np.hanning(16).astype(np.float32) * 30000  # one huge potential: p of ALS ~ 1
    p = model_4k.predict_proba(quiet[None, :])[0]
    assert p.max() > 0.999
    curve = occlusion_saliency(model_4k, quiet, segment_s=0.005)
    assert curve.max() > 1.0  # log-odds units: masking the potential removes most of the evidence
    assert abs(int(np.argmax(curve)) - 620) <= 20
    # The log-odds from log-probabilities, against log(p / (1 - p)) in float64 on a resolvable case.
    log_p = np.log(np.array([[0.2, 0.3, 0.5]]))
    assert log_odds(log_p, 2)[0] == pytest.approx(np.log(0.5 / 0.5))
    assert log_odds(log_p, 0)[0] == pytest.approx(np.log(0.2 / 0.8))


def test_hop_override(emgdb_dir, model_4k):
    record = read_record(emgdb_dir / "emg_healthy.hea")
    result = classify(record, model_4k, hop_s=0.25)
    assert result.hop_s == 0.25
    assert np.allclose(np.diff(result.starts_s), 0.25)


def test_saliency_finds_the_evidence(emgdb_dir, model_4k):
    # A quiet stretch of a real record with one large potential pasted at a known place:
    # the amplitude model's ALS evidence is that potential and nothing else.
    quiet = read_record(emgdb_dir / "emg_healthy.hea").signal_uv[:1000].copy() * 0.05
    spike_at = 620
    quiet[spike_at - 8: spike_at + 8] += np.hanning(16).astype(np.float32) * 3000
    curve = occlusion_saliency(model_4k, quiet, segment_s=0.005)
    assert curve.shape == (1000,)
    assert abs(int(np.argmax(curve)) - spike_at) <= 20
    far = np.r_[0:500, 750:1000]
    assert np.abs(curve[far]).max() < 0.05 * curve.max()


def test_two_classifications_in_threads_keep_their_own_caveats(model_4k):
    """The viewer classifies the shown record while "Classify all" runs: each result says what
    happened to its own record, and nothing is said on stderr (the old warnings channel mixed
    them up in 89 of 600 calls). Nothing on the way swaps the process's warning filters."""
    import threading

    from test_readers_thread_safe import no_filter_swaps

    resampled = read_record(demo_record_paths()[2])  # 23,437.5 Hz: resampled to 4 kHz
    plain = Record("plain", np.random.default_rng(0).normal(0, 30, 8000).astype(np.float32), 4000.0,
                   Path("plain.csv"), "CSV")
    wrong: list[str] = []

    def run(record, expected: list[str]) -> None:
        for _ in range(40):
            said = [c.text for c in classify(record, model_4k).caveats if c.code == CaveatCode.RESAMPLED]
            if said != expected:
                wrong.append(f"{record.name}: {said}")

    expected = ["recorded at 23437.5 Hz, resampled to the model's 4000 Hz"]
    threads = [threading.Thread(target=run, args=(resampled, expected)), threading.Thread(target=run, args=(plain, []))]
    with no_filter_swaps():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert wrong == []
