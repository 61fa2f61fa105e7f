"""Subject-disjoint splits, and metrics against hand-computed confusion matrices."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from training.calibrate import expected_calibration_error, fit_temperature, softmax  # noqa: E402
from training.metrics import confusion_matrix, verdict_metrics, window_metrics  # noqa: E402
from training.splits import grouped_kfold, loso_splits  # noqa: E402

# The real N2001 subjects and their classes.
SUBJECTS = {**{s: "ALS" for s in ("A01", "A03", "A04", "A05", "A06", "A08")},
            **{f"C0{i}": "control" for i in range(1, 9)},
            **{s: "myopathy" for s in ("M02", "M03", "M05", "M06", "M07")}}


@pytest.mark.parametrize("splits", [loso_splits(SUBJECTS), grouped_kfold(SUBJECTS, 5), grouped_kfold(SUBJECTS, 3, seed=7)])
def test_no_subject_on_two_sides_of_any_split(splits):
    tested = []
    for split in splits:
        train, validation, test = set(split.train), set(split.validation), set(split.test)
        assert not (train & validation) and not (train & test) and not (validation & test)
        assert train | validation | test == set(SUBJECTS)
        # Validation is one subject per class, all from the training side.
        assert sorted(SUBJECTS[s] for s in validation) == sorted(set(SUBJECTS[s] for s in validation))
        tested += split.test
    assert sorted(tested) == sorted(SUBJECTS)  # every subject tested exactly once


def test_loso_has_one_fold_per_subject():
    splits = loso_splits(SUBJECTS)
    assert [s.test for s in splits] == [(s,) for s in sorted(SUBJECTS)]
    assert all(len(s.validation) == 3 for s in splits)


def test_window_metrics_against_a_hand_computed_confusion_matrix():
    truth = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
    predicted = np.array([0, 0, 1, 2, 1, 0, 2, 2, 2, 1])
    # Hand-computed: rows truth, columns predicted.
    expected = np.array([[2, 1, 1], [1, 1, 0], [0, 1, 3]])
    assert np.array_equal(confusion_matrix(truth, predicted, 3), expected)
    probabilities = np.eye(3)[predicted] * 0.8 + 0.2 / 3
    metrics = window_metrics(truth, probabilities, ("control", "myopathy", "ALS"))
    assert metrics["accuracy"] == pytest.approx(6 / 10)
    assert metrics["recall"] == pytest.approx({"control": 0.5, "myopathy": 0.5, "ALS": 0.75})
    assert metrics["balanced_accuracy"] == pytest.approx((0.5 + 0.5 + 0.75) / 3)


def test_record_and_subject_verdict_metrics():
    classes = ("control", "ALS")
    # Records 0, 1 of subject S1 (control); record 2 of subject S2 (ALS).
    record_ids = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    probabilities = np.array([[0.9, 0.1]] * 3 + [[0.3, 0.7]] * 3 + [[0.2, 0.8]] * 3)
    metrics = verdict_metrics(record_ids, {0: 0, 1: 0, 2: 1}, {0: "S1", 1: "S1", 2: "S2"}, probabilities, classes)
    assert metrics["records_correct"] == 2 and metrics["record_accuracy"] == pytest.approx(2 / 3)
    # S1: mean of record means (0.9 + 0.3) / 2 = 0.6 control -> correct; S2 correct.
    assert metrics["subjects_correct"] == 2
    assert metrics["subjects"][0]["verdict"] == "control"


def test_temperature_scaling_fixes_overconfidence():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 4000)
    logits = rng.normal(0, 1, (4000, 3))
    logits[np.arange(4000), labels] += 1.0
    overconfident = logits * 4.0
    temperature = fit_temperature(overconfident, labels)
    assert temperature == pytest.approx(4.0, rel=0.15)
    before = expected_calibration_error(softmax(overconfident), labels)
    after = expected_calibration_error(softmax(overconfident, temperature), labels)
    assert after < 0.03 < before


def test_an_evaluation_report_rounds_each_number_once():
    """ALSNet's 3-class run with its running BatchNorm statistics: balanced accuracy 45.946 %,
    which the card's 4 digits (0.4595) would round again to 46.0 %; the report says 45.9 %, as
    RESULTS.md did."""
    import json
    from pathlib import Path

    from training.reporting import headline, markdown

    result = json.loads((Path(__file__).parents[1] / "training/reports/zoo/alsnet_3class_5_running-bn.json").read_text())
    confusion = np.array(result["windows"]["confusion"], dtype=float)
    balanced = float(np.mean(np.diag(confusion) / confusion.sum(axis=1)))  # mean recall, from the counts
    assert f"{headline(result)['window_balanced_accuracy']:.1%}" == "46.0%"  # the double rounding
    assert f"| window | balanced accuracy | {balanced:.1%} |" == "| window | balanced accuracy | 45.9% |"
    assert "| window | balanced accuracy | 45.9% |" in markdown(result).splitlines()
