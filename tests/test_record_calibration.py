"""Record verdicts with their own calibration (issue 10): a card may carry a record temperature
and a record threshold fitted on validation subjects; records and subjects then use them, while
windows keep the window temperature and threshold."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_models import card_dict, write_model

from emgviewer.analysis.verdicts import Verdict, record_verdict
from emgviewer.inference import CardError, classify, load_model
from emgviewer.inference.card import parse_card
from emgviewer.inference.caveats import state
from emgviewer.records import read_record

CLASSES = ("control", "myopathy", "ALS")


def _card(**calibration):
    card = card_dict()
    card["calibration"].update(calibration)
    return card


def test_record_temperature_recalibrates_the_mean_probability():
    windows = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.6, 0.3, 0.1]])
    mean = windows.mean(axis=0)
    for temperature in (0.5, 1.0, 2.0):
        expected = np.exp(np.log(mean) / temperature)
        expected /= expected.sum()
        verdict = record_verdict(windows, CLASSES, temperature=temperature)
        assert verdict.confidence == pytest.approx(expected[0])
        assert [verdict.probabilities[c] for c in CLASSES] == pytest.approx(expected)
    softened = record_verdict(windows, CLASSES, temperature=2.0).confidence
    assert softened < mean[0] < record_verdict(windows, CLASSES, temperature=0.5).confidence


def test_card_reads_record_calibration_and_defaults_to_the_window_rules():
    plain = parse_card(card_dict())
    assert (plain.record_temperature, plain.record_threshold) == (1.0, plain.uncertainty_threshold)
    fitted = parse_card(_card(record_temperature=1.7, record_uncertainty_threshold=0.8))
    assert (fitted.record_temperature, fitted.record_threshold, fitted.uncertainty_threshold) == (1.7, 0.8, 0.6)
    assert parse_card(fitted.to_dict()) == fitted  # written back the same way


@pytest.mark.parametrize("field, value, message", [
    ("record_temperature", 0, "calibration.record_temperature must be positive, got 0.0"),
    ("record_temperature", "hot", "calibration.record_temperature must be a finite number, got 'hot'"),
    ("record_uncertainty_threshold", 1.5, "calibration.record_uncertainty_threshold must be in [0, 1], got 1.5"),
])
def test_bad_record_calibration_is_refused_by_name(field, value, message):
    with pytest.raises(CardError) as raised:
        parse_card(_card(**{field: value}))
    assert str(raised.value) == message


def test_records_are_uncertain_below_the_record_threshold_not_the_window_one():
    card = parse_card(_card(record_uncertainty_threshold=0.8))
    verdict = Verdict("ALS", 0.7, {"control": 0.2, "myopathy": 0.1, "ALS": 0.7}, n_used=10)
    assert state(verdict, card).status == "uncertain"
    assert state(verdict, parse_card(card_dict())).status == "verdict"  # 0.7 >= the window threshold 0.6


def test_classify_applies_the_cards_record_temperature(tmp_path, emgdb_dir):
    record = read_record(emgdb_dir / "emg_healthy.hea")
    plain = classify(record, load_model(write_model(tmp_path / "plain.onnx", card_dict(fs_hz=4000.0))))
    model = load_model(write_model(tmp_path / "cal.onnx", _card(record_temperature=3.0)))
    fitted = classify(record, model)
    assert np.array_equal(fitted.probabilities, plain.probabilities, equal_nan=True)  # windows untouched
    mean = fitted.probabilities[fitted.valid].astype(np.float64).mean(axis=0)
    expected = np.exp(np.log(mean) / 3.0)
    expected /= expected.sum()
    assert [fitted.verdict.probabilities[c] for c in model.card.class_names] == pytest.approx(expected, rel=1e-5)
