"""A card's learned record verdict (emgviewer.analysis.stacking): its features against sums
done by hand, the regression against its formula, the card's checks with their exact
messages, and the real classifier running it on a real N2001 record with the app's MUAP
analysis."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from onnx_models import card_dict

from emgviewer.analysis.stacking import (
    MUAP_FIELDS,
    RecordStacker,
    muap_measures,
    stacked_verdict,
    window_feature_names,
    window_features,
)
from emgviewer.inference import CardError
from emgviewer.inference.card import ModelCard, parse_card
from emgviewer.paths import models_dir

REPO = Path(__file__).resolve().parent.parent
CLASSES = ("control", "myopathy", "ALS")

#: The shipped model whose record verdict is learned (the default until 0.3.0).
LEARNED_MODEL = models_dir() / "resemgnet-learned.onnx"


def stacker(n_features: int, seed: int = 0, names: tuple[str, ...] | None = None) -> RecordStacker:
    rng = np.random.default_rng(seed)
    names = names or window_feature_names(CLASSES) + MUAP_FIELDS
    return RecordStacker(names, rng.normal(size=n_features), rng.uniform(0.5, 2, n_features),
                         rng.normal(size=n_features), rng.normal(size=(n_features, 3)), rng.normal(size=3))


def test_window_features_are_means_percentiles_and_the_unsure_share():
    p = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05]])
    f = window_features(p)
    names = window_feature_names(CLASSES)
    assert len(f) == len(names) == 13
    got = dict(zip(names, f))
    assert got["mean_control"] == pytest.approx(0.5)
    # Control's sorted column is 0.1 0.3 0.5 0.7 0.9: the 10th percentile lies 0.4 of the way
    # from the first to the second value (linear interpolation at position 0.1 * 4).
    assert got["q10_control"] == pytest.approx(0.1 + 0.4 * 0.2)
    assert got["q50_ALS"] == pytest.approx(0.2)
    assert got["q90_myopathy"] == pytest.approx(0.3)
    assert got["unsure_share"] == pytest.approx(2 / 5)  # top probabilities 0.7 0.5 0.8 0.4 0.9


def test_muap_measures_take_the_log_amplitude_and_the_mean_of_known_rates():
    m = muap_measures(4, 800.0, 11.5, 0.25, [8.0, None, 10.0, 0.0])
    assert m.tolist() == pytest.approx([math.log(800.0), 11.5, 0.25, 4.0, 9.0])
    assert np.isnan(muap_measures(0, None, None, None, [])).all()


def test_regression_is_softmax_of_standardised_features_with_medians_for_missing_ones():
    s = stacker(18)
    row = np.random.default_rng(1).normal(size=18)
    row[[14, 17]] = np.nan
    filled = row.copy()
    filled[[14, 17]] = s.fill[[14, 17]]
    z = ((filled - s.mean) / s.scale) @ s.weights + s.bias
    expected = np.exp(z) / np.exp(z).sum()
    assert s.predict(row[None, :])[0] == pytest.approx(expected, abs=1e-12)


def test_stacked_verdict_keeps_the_votes_and_says_what_it_was_learned_from():
    s = stacker(18)
    p = np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.2, 0.3, 0.5]])
    measures = muap_measures(3, 500.0, 9.0, 0.0, [7.0])
    v = stacked_verdict(p, CLASSES, s, measures)
    expected = s.predict(np.concatenate([window_features(p), measures])[None, :])[0]
    assert [v.probabilities[c] for c in CLASSES] == pytest.approx(expected)
    assert v.label == CLASSES[int(np.argmax(expected))] and v.confidence == pytest.approx(expected.max())
    assert v.votes == {"control": 2, "myopathy": 0, "ALS": 2} and v.n_used == 4
    assert v.basis == "learned from the windows and the MUAP measures of 3 units"
    none = stacked_verdict(p, CLASSES, s, muap_measures(0, None, None, None, []))
    assert none.basis == ("learned from the windows; no motor unit was found, so the MUAP measures were read "
                          "as the training records' medians")
    raw = stacked_verdict(p, CLASSES, s, None, muap_note="raw units")
    assert raw.basis == "learned from the windows; no MUAP measures (raw units), read as the training records' medians"
    too_few = stacked_verdict(p[:2], CLASSES, s, measures, n_total=9)
    assert too_few.label is None and too_few.reason == "only 2 valid window(s) of 9, at least 3 needed"


def stacked_card(s: RecordStacker) -> dict:
    card = card_dict()
    card["calibration"] = {"temperature": 1.0, "record_stacker": s.to_dict()}
    return card


def test_card_round_trips_its_record_stacker():
    s = stacker(18)
    card = parse_card(stacked_card(s))
    again = ModelCard.from_json(card.to_json()).record_stacker
    assert again.features == s.features and again.uses_muap
    assert np.array_equal(again.weights, s.weights) and np.array_equal(again.fill, s.fill)
    windows_only = parse_card(stacked_card(stacker(13, names=window_feature_names(CLASSES)))).record_stacker
    assert not windows_only.uses_muap


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(features=d["features"][:-1]),
     "calibration.record_stacker: features must be ['mean_control', "),
    (lambda d: d.update(weights=d["weights"][:-1]),
     "calibration.record_stacker: weights must be finite numbers of shape (18, 3), got (17, 3)"),
    (lambda d: d["scale"].__setitem__(0, 0.0), "calibration.record_stacker: scale must be positive"),
    (lambda d: d.update(bias="none"), "calibration.record_stacker: bias must be numbers of shape (3,)"),
])
def test_card_refuses_a_stacker_this_app_cannot_compute(change, message):
    card = stacked_card(stacker(18))
    change(card["calibration"]["record_stacker"])
    with pytest.raises(CardError) as err:
        parse_card(card)
    assert str(err.value).startswith(message)


@pytest.mark.real_data
def test_classify_runs_the_cards_regression_on_the_records_own_muap_analysis(n2001_dir):
    from emgviewer.analysis.muap.record import analyse_record
    from emgviewer.inference import classify, load_model
    from emgviewer.inference.caveats import state
    from emgviewer.inference.summary import record_summary
    from emgviewer.records import read_record

    shipped = load_model(LEARNED_MODEL)
    model = dataclasses.replace(shipped, card=dataclasses.replace(shipped.card, record_stacker=None))
    s = stacker(18, seed=3)
    stacked = dataclasses.replace(model, card=dataclasses.replace(model.card, record_stacker=s))
    record = read_record(n2001_dir / "N2001M02BB62.hea")
    plain, learned = classify(record, model), classify(record, stacked)
    assert plain.muaps is None and learned.muaps is not None
    np.testing.assert_array_equal(plain.probabilities, learned.probabilities)  # windows unchanged
    summary = analyse_record(record).analysis.summary  # an independent run of the analysis
    measures = [math.log(summary.mean_amplitude_uv), summary.mean_duration_ms, summary.polyphasic_share,
                summary.n_units, np.mean([u.firing.mean_rate_hz for u in learned.muaps.analysis.units])]
    row = np.concatenate([window_features(plain.probabilities[plain.valid]), measures])
    expected = s.predict(row[None, :])[0]
    assert [learned.verdict.probabilities[c] for c in CLASSES] == pytest.approx(expected, abs=1e-6)
    assert learned.verdict.votes == plain.verdict.votes
    assert f"the MUAP measures of {summary.n_units} units" in state(learned.verdict, stacked.card).detail
    assert record_summary(learned, with_windows=False)["basis"] == learned.verdict.basis
    assert record_summary(plain, with_windows=False)["basis"] == "mean probability of the valid windows"
    assert learned.verdict.learned and not plain.verdict.learned


@pytest.mark.real_data
def test_a_record_unlike_the_training_records_gets_the_mean_not_the_regression(n2001_dir, emgdb_dir):
    """The regression learned N2001 biceps records at 23 kHz in µV; asked about another muscle,
    another rate or raw units it would extrapolate, so such a record gets the tempered mean of
    its windows, and says why."""
    from emgviewer.inference import classify, load_model
    from emgviewer.records import read_record

    model = load_model(LEARNED_MODEL)
    stacked = dataclasses.replace(model, card=dataclasses.replace(model.card, record_stacker=stacker(18, seed=3)))
    uncalibrated = dataclasses.replace(read_record(n2001_dir / "N2001M02BB62.hea"), calibrated=False)
    other = read_record(emgdb_dir / "emg_healthy.hea")
    for record, codes, outside in ((uncalibrated, "uncalibrated", "uncalibrated"),
                                   (other, "resampled, band_limited, muscle", "band_limited, muscle")):
        # Outside the model's domain: no verdict at all, unless asked; asked, the fallback holds.
        assert classify(record, stacked).verdict.label is None
        result = classify(record, stacked, force_verdict=True)
        mean = classify(record, model, force_verdict=True).verdict
        assert result.muaps is None and not result.verdict.learned
        assert result.verdict.probabilities == pytest.approx(mean.probabilities)
        assert result.verdict.basis == (f"the model's reading outside its domain, shown on request ({outside}); "
                                        "the windows' mean: the card's learned verdict is kept for records like "
                                        f"those it was fitted on, and this one differs ({codes})")


@pytest.mark.real_data
def test_training_features_are_the_apps_own_muap_analysis(n2001_dir):
    """The regression was fitted on measures from training/reports/muap_groups.json; the app
    measures the same record again before a verdict. They must agree, or the card's numbers
    describe another rule (rerun python -m training.muap_features after changing the analysis)."""
    from emgviewer.analysis.muap.record import analyse_record
    from emgviewer.records import read_record

    pytest.importorskip("torch")
    from training.stacking import muap_features

    names = ("N2001A04BB69", "N2001C06BB63", "N2001M02BB62")
    fitted = muap_features(REPO / "training" / "reports" / "muap_groups.json", names)
    for name, row in zip(names, fitted):
        result = analyse_record(read_record(n2001_dir / f"{name}.hea"))
        s = result.analysis.summary
        now = muap_measures(s.n_units, s.mean_amplitude_uv, s.mean_duration_ms, s.polyphasic_share,
                            [u.firing.mean_rate_hz for u in result.analysis.units])
        np.testing.assert_allclose(now, row, rtol=1e-9, err_msg=name)


@pytest.mark.real_data
def test_training_replays_the_apps_rule_for_records_unlike_the_training_records(n2001_dir):
    """levers scores the app's fallback under LOSO from the profiles in muap_groups.json and
    the caveat rule alone; with the default card's training range, that replay must pick out
    exactly the N2001 records the app itself keeps from a learned verdict."""
    from emgviewer.analysis.signal_profile import SignalProfile
    from emgviewer.inference import load_model
    from emgviewer.inference.classify import _unlike_training
    from emgviewer.inference.distribution import distribution_caveats, profile_caveats
    from emgviewer.records import index_folder, read_record

    pytest.importorskip("torch")
    from training.stacking import record_profiles

    card = load_model(LEARNED_MODEL, force_cpu=True).card
    entries = index_folder(n2001_dir).records
    profiles = record_profiles(REPO / "training" / "reports" / "muap_groups.json", tuple(e.name for e in entries))
    app = {e.name for e in entries
           if _unlike_training(card, tuple(distribution_caveats(read_record(e.path), card)))}
    replayed = {e.name for e, p in zip(entries, profiles)
                if profile_caveats(SignalProfile(*p), card.provenance.distribution, amplitude=True)}
    # One record: A06BB08 (RMS 3.2 µV, no valid window, so not a training record). Three more were
    # flagged until a range's ends were read with the precision the card wrote them with.
    assert replayed == app == {"N2001A06BB08"}


@pytest.mark.real_data
def test_viewer_says_the_verdict_was_learned_and_from_what(qtbot, window, n2001_dir, tmp_path):
    """The colours are the windows'; a learned verdict can differ from their majority, so the
    status bar names it and its tooltip says what it weighed."""
    import onnx
    from conftest import open_classified

    from emgviewer.inference import CARD_KEY, load_model

    model = onnx.load(LEARNED_MODEL)
    card = load_model(LEARNED_MODEL).card.to_dict()
    card["calibration"]["record_stacker"] = stacker(18, seed=5).to_dict()
    onnx.helper.set_model_props(model, {CARD_KEY: json.dumps(card)})
    onnx.save(model, tmp_path / "stacked.onnx")
    window.set_model(tmp_path / "stacked.onnx")
    open_classified(qtbot, window, n2001_dir / "N2001M02BB62.hea")
    verdict = window.result.verdict
    assert verdict.learned and verdict.basis.startswith("learned from the windows and the MUAP measures of ")
    assert " · learned verdict: " in window.status_time.text()
    assert verdict.basis in window.status_time.toolTip()


@pytest.mark.real_data
def test_a_record_report_reuses_the_verdicts_muap_analysis_only_when_it_covered_the_record(n2001_dir, monkeypatch):
    """The learned verdict analyses at most the first 60 s; the PDF's MUAP section analyses the
    whole record, so it reuses the verdict's analysis only for a record no longer than that."""
    import emgviewer.analysis.muap.record as muap_record
    from emgviewer.inference import classify, load_model
    from emgviewer.records import read_record
    from emgviewer.report import documents

    model = load_model(LEARNED_MODEL)
    calls = []
    real = muap_record.analyse_record
    monkeypatch.setattr(muap_record, "analyse_record",
                        lambda record, max_duration_s=None: calls.append(record.duration_s) or real(record, max_duration_s))
    result = classify(read_record(n2001_dir / "N2001M02BB62.hea"), model)
    assert result.verdict.learned and result.muaps is not None and len(calls) == 1
    documents.record_report_pdf(result)
    assert len(calls) == 1  # 11 s: the verdict's analysis was the whole record, and the report reads it
    # The same analysis said to come from a 67-s record: its MUAP section analyses it again, whole.
    longer = dataclasses.replace(result, record=dataclasses.replace(
        result.record, signal_uv=np.tile(result.record.signal_uv, 6)))
    documents._muap_story(longer, None, documents.styles(), documents.content_width("a4"))
    assert calls[1:] == [pytest.approx(6 * result.record.duration_s)]
