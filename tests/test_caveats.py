"""How verdicts are said (inference/caveats) and what a card says about its data (provenance),
on small real models and synthetic records: thresholds, seen subjects, out-of-fold verdicts,
out-of-distribution caveats, the signal profile against an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_models import card_dict, write_model

from emgviewer.analysis.signal_profile import signal_profile
from emgviewer.analysis.verdicts import Verdict
from emgviewer.inference import CardError, classify, load_model
from emgviewer.inference.card import parse_card
from emgviewer.inference.caveats import (
    Tally,
    assess,
    assess_subject,
    state,
    summarise_agreement,
)
from emgviewer.inference.distribution import distribution_caveats
from emgviewer.records.metadata import parse_comments
from emgviewer.records.record import Record

FS = 4000.0
DISTRIBUTION = {"fs_hz": [FS], "muscles": ["biceps brachii"], "electrodes": ["concentric needle"],
                "n_records": 3, "duration_s": {"min": 2.0, "max": 2.0},
                "profile": {"rms_uv": {"min": 20.0, "max": 200.0},
                            "median_frequency_hz": {"min": 50.0, "max": 900.0},
                            "spectral_flatness": {"min": 1e-6, "max": 0.5}}}


def _card(**overrides):
    return parse_card(card_dict(fs_hz=FS, **overrides))


def _record(name: str, signal: np.ndarray, comments=("muscle: Biceps brachii (long head)",
                                                     "electrode: concentric needle"), fs_hz: float = FS,
            calibrated: bool = True) -> Record:
    return Record(name, signal.astype(np.float32), fs_hz, f"/nowhere/{name}.hea", "WFDB",
                  parse_comments(list(comments)), calibrated=calibrated)


def _emg_like(seconds: float = 2.0, fs_hz: float = FS, seed: int = 0, amplitude: float = 60.0) -> np.ndarray:
    """Low-pass filtered noise: power below a few hundred Hz, like an interference pattern."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, int(seconds * fs_hz))
    kernel = np.hanning(int(fs_hz / 200))
    shaped = np.convolve(noise, kernel / kernel.sum(), mode="same")
    return shaped / shaped.std() * amplitude


def test_below_the_threshold_the_verdict_is_uncertain():
    confidence = 0.59999
    said = state(Verdict("ALS", confidence, {"ALS": confidence}, {"ALS": 9}, 9), _card())
    assert (said.status, said.text) == ("uncertain", "uncertain")
    assert said.label is None and said.leading == "ALS"
    assert said.short == f"uncertain (ALS / neurogenic {confidence:.2f})"
    assert said.detail == f"leading class ALS / neurogenic at {confidence:.2f}, below the model's threshold of 0.60"


@pytest.mark.parametrize("confidence", [0.6, 0.93])
def test_at_or_above_the_threshold_the_class_is_said(confidence):
    said = state(Verdict("ALS", confidence, {"ALS": confidence}, {"ALS": 9}, 9), _card())
    assert (said.status, said.text) == ("verdict", "ALS / neurogenic")
    assert said.label == "ALS" and said.colour == "#D55E00"
    assert said.detail == f"mean probability {confidence:.2f} over 9 valid windows"


def test_no_verdict_is_said_once_with_its_reason():
    said = state(Verdict(None, None, reason="only 0 valid window(s) of 26, at least 3 needed"), _card())
    assert (said.status, said.text, said.short) == ("none", "no verdict", "no verdict")
    assert said.detail == "only 0 valid window(s) of 26, at least 3 needed"  # no second "no verdict"


def test_tally_counts_uncertain_and_missing_verdicts_in_the_denominator():
    card = _card()
    tally = Tally()
    for label, confidence, truth in (("ALS", 0.9, "ALS"), ("ALS", 0.9, "control"), ("ALS", 0.5, "ALS"),
                                     (None, None, "ALS"), ("ALS", 0.9, None)):
        said = state(Verdict(label, confidence), card)
        tally.add(said, None if truth is None or said.label is None else
                  ("agrees" if said.label == truth else "differs"), truth)
    assert (tally.agrees, tally.differs, tally.uncertain, tally.no_verdict) == (1, 1, 1, 1)
    assert tally.text() == "1/4 agree, 1 disagree, 1 uncertain, 1 without verdict"


def test_seen_subjects_are_kept_apart_and_out_of_fold_verdicts_shown(tmp_path):
    """An N2001-named record of a training subject is 'seen'; its out-of-fold verdict from the
    card is the honest figure; a subject the card does not list is unseen."""
    oof = {"N2001A01BB01": {"verdict": "control", "confidence": 0.7, "probabilities":
                            {"control": 0.7, "myopathy": 0.1, "ALS": 0.2}}}
    card = card_dict(fs_hz=FS, training={"dataset": "N2001", "subjects": ["A01"], "n_records": 1},
                     evaluation={"protocol_kind": "leave-one-subject-out",
                                 "out_of_fold": {"protocol": "test", "records": oof}})
    model = load_model(write_model(tmp_path / "m.onnx", card))
    loud = _emg_like()
    loud[::400] += 3000.0  # large spikes: the amplitude model says ALS
    seen = assess(classify(_record("N2001A01BB01", loud), model))
    unseen = assess(classify(_record("N2001A03BB01", loud), model))
    assert seen.seen and not unseen.seen
    assert seen.statement.label == "ALS" and seen.agreement == "agrees"
    assert seen.out_of_fold.short == "normal (control) 0.70"
    assert seen.out_of_fold_agreement == "differs" and unseen.out_of_fold is None
    assert seen.warnings[0].startswith("seen in training: ")
    summary = summarise_agreement([seen, unseen])
    assert (summary.unseen.agrees, summary.seen.agrees, summary.seen_out_of_fold.differs) == (1, 1, 1)
    assert summary.lines("records") == [
        "Records of people the model never saw: 1/1 agree, 0 disagree.",
        "Records seen in training (not evidence of accuracy): 1/1 agree, 0 disagree.",
        "The same records judged by the fold models that never saw them (out-of-fold, from the model card): "
        "0/1 agree, 1 disagree."]
    subject = assess_subject("A01", model.card, [seen])
    assert subject.seen and subject.out_of_fold.leading == "control" and subject.out_of_fold_agreement == "differs"


def test_a_record_like_the_training_data_has_no_caveat():
    card = _card(training={"distribution": DISTRIBUTION})
    assert distribution_caveats(_record("like", _emg_like()), card, n_windows=18) == []


def test_a_classified_record_is_profiled_once_and_assessed_with_those_caveats(tmp_path, monkeypatch):
    """classify measures the differences (its learned-verdict guard needs them); the assessment
    every reading shows reuses them instead of profiling the signal again."""
    import emgviewer.inference.distribution as distribution

    model = load_model(write_model(tmp_path / "m.onnx", card_dict(fs_hz=FS, training={"distribution": DISTRIBUTION})))
    profiled = []
    monkeypatch.setattr(distribution, "signal_profile", lambda *a: profiled.append(a) or signal_profile(*a))
    record = _record("loud", _emg_like(amplitude=2000.0))
    result = classify(record, model)
    assessment = assess(result)
    assert len(profiled) == 1
    assert [c.code for c in assessment.caveats] == ["amplitude"]
    assert assessment.caveats == tuple(distribution_caveats(record, model.card, result.n_windows))


def test_each_difference_from_the_training_recordings_is_named():
    card = _card(training={"distribution": DISTRIBUTION})
    rng = np.random.default_rng(1)
    cases = {
        "resampled": (_record("fast", _emg_like(fs_hz=8000.0), fs_hz=8000.0),
                      "recorded at 8000 Hz, resampled to the model's 4000 Hz"),
        "muscle": (_record("tibialis", _emg_like(), comments=(
            "EMG from 25mm concentric needle electrode placed in tibialis anterior muscle",)),
            "muscle tibialis anterior; the model was trained on biceps brachii only"),
        "electrode": (_record("surface", _emg_like(), comments=("muscle: biceps brachii", "electrode: surface")),
                      "electrode surface; the model was trained on concentric needle only"),
        "amplitude": (_record("loud", _emg_like(amplitude=2000.0)), "RMS 1"),
        "spectrum": (_record("noise", rng.normal(0, 60, int(2 * FS))),
                     "spectral flatness"),
        "uncalibrated": (_record("wav", _emg_like(), calibrated=False), "uncalibrated units"),
    }
    for code, (record, expected) in cases.items():
        caveats = distribution_caveats(record, card, n_windows=18)
        assert code in {c.code for c in caveats}, (code, caveats)
        assert any(c.text.startswith(expected) for c in caveats), (code, caveats)
    loud = distribution_caveats(cases["amplitude"][0], card, n_windows=18)
    rms = signal_profile(cases["amplitude"][0].signal_uv, FS).rms_uv
    assert [c.text for c in loud] == [f"RMS {rms:.1f} µV is outside the range of the training records (20.0-200.0 µV)"]
    # Uncalibrated white noise: no amplitude comparison, but its spectrum still gives it away.
    noise = distribution_caveats(_record("noise.wav", rng.normal(0, 6000, int(2 * FS)), calibrated=False), card, 18)
    assert [c.code for c in noise] == ["uncalibrated", "spectrum", "spectrum"]
    short = distribution_caveats(_record("short", _emg_like(0.5)), card, n_windows=3)
    assert [c.text for c in short] == ["only 3 window(s) (0.50 s): a verdict on so little of a record is fragile"]
    unknown = distribution_caveats(_record("csv", _emg_like(), comments=()), card, n_windows=18)
    assert [c.text for c in unknown] == ["muscle not stated in the file; the model was trained on biceps brachii only"]


def test_a_training_record_on_the_edge_of_a_written_range_is_inside_it():
    """A card writes each range to 6 decimals. The record that set an end must stay inside
    however that end was written: cards before the fix rounded to the nearest (22.888184 for
    22.88818359375), newer ones round outward; a value beyond the written precision is out."""
    from emgviewer.analysis.signal_profile import SignalProfile
    from emgviewer.inference.distribution import profile_caveats
    from emgviewer.inference.provenance import parse_distribution

    edge = 22.88818359375  # the lowest median frequency of the N2001 records
    nearest = parse_distribution({"profile": {"median_frequency_hz": {"min": round(edge, 6), "max": 1556.396484}}})
    at_edge = SignalProfile(rms_uv=50.0, median_frequency_hz=edge, spectral_flatness=0.01)
    assert profile_caveats(at_edge, nearest, amplitude=True) == []
    below = SignalProfile(rms_uv=50.0, median_frequency_hz=22.888182, spectral_flatness=0.01)
    assert [c.code for c in profile_caveats(below, nearest, amplitude=True)] == ["spectrum"]
    above = SignalProfile(rms_uv=50.0, median_frequency_hz=1556.396485, spectral_flatness=0.01)
    assert [c.code for c in profile_caveats(above, nearest, amplitude=True)] == ["spectrum"]
    pytest.importorskip("torch")
    from training.provenance import span

    written = span([edge, 1556.396484375, 700.0])
    assert written == {"min": 22.888183, "max": 1556.396485}
    assert written["min"] <= edge and written["max"] >= 1556.396484375


def test_signal_profile_against_independent_computations():
    fs = 23437.5
    t = np.arange(int(2 * fs)) / fs
    sine = 100 * np.sin(2 * np.pi * 440 * t)
    profile = signal_profile(sine, fs)
    assert profile.rms_uv == pytest.approx(100 / np.sqrt(2), rel=1e-3)
    assert profile.median_frequency_hz == pytest.approx(440, abs=25)  # one ~23-Hz bin
    assert profile.spectral_flatness < 1e-3
    noise = np.random.default_rng(0).normal(0, 50, t.size)
    white = signal_profile(noise, fs)
    assert white.rms_uv == pytest.approx(noise.std(), rel=0.05)
    assert white.spectral_flatness > 0.95  # flat spectrum: geometric mean ~ arithmetic mean
    # Median of a flat spectrum over 20 Hz .. 10 kHz: the band's middle.
    assert white.median_frequency_hz == pytest.approx((20 + 10_000) / 2, rel=0.05)
    assert signal_profile(np.zeros(5000), fs) is None
    assert signal_profile(np.full(5000, np.nan), fs) is None


@pytest.mark.parametrize("change, message", [
    ({"training": {"subjects": "A01"}}, "training.subjects must be a list of subject identifiers"),
    ({"training": {"distribution": {"profile": {"rms_uv": {"min": 5, "max": float("nan")}}}}},
     "training.distribution.profile.rms_uv.max must be a finite number, got nan"),
    ({"training": {"distribution": {"profile": {"rms_uv": {"min": 5, "max": 1}}}}},
     "training.distribution.profile.rms_uv: min 5.0 is above max 1.0"),
    ({"evaluation": {"protocol_kind": "random split"}},
     "evaluation.protocol_kind 'random split' is not one of leave-one-subject-out, grouped k-fold, none"),
    ({"evaluation": {"protocol_kind": "none", "out_of_fold": {"records": {"X": {"confidence": "high"}}}}},
     "evaluation.out_of_fold.records.X.confidence must be a finite number, got 'high'"),
])
def test_bad_provenance_fields_are_refused_by_name(change, message):
    with pytest.raises(CardError) as caught:
        parse_card(card_dict(**change))
    assert str(caught.value) == message


def test_older_cards_still_load_and_say_what_they_lack():
    card = parse_card(card_dict(training={"data": "EMGLAB N2001 biceps brachii, 423 records",
                                          "subjects": ["A01"]}, evaluation={"window_accuracy": 0.7}))
    assert card.provenance.dataset == "N2001" and card.provenance.subjects == {"A01"}
    assert card.provenance.protocol_kind == "not stated" and card.provenance.distribution is None
    assert parse_card(card_dict()).provenance.protocol_kind == "none"


def test_a_neuropathy_is_judged_as_neurogenic_only_by_a_model_whose_class_says_so():
    from onnx_models import card_dict

    from emgviewer.inference.card import parse_card
    from emgviewer.inference.caveats import judged_truth

    three = parse_card(card_dict())  # classes control, myopathy, ALS ("ALS / neurogenic")
    assert judged_truth("neuropathy", three) == "ALS" and judged_truth("myopathy", three) == "myopathy"
    two = card_dict()
    two["classes"] = [c for c in two["classes"] if c["name"] != "ALS"]
    assert judged_truth("neuropathy", parse_card(two)) is None
