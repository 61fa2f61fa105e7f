"""Record and subject verdicts on hand-built probabilities, checked by direct computation."""

from __future__ import annotations

import numpy as np
import pytest

from emgviewer.analysis.verdicts import record_verdict, subject_verdict

CLASSES = ("control", "myopathy", "ALS")


def test_mean_probability_verdict():
    p = np.array([[0.7, 0.2, 0.1], [0.6, 0.1, 0.3], [0.2, 0.1, 0.7], [0.5, 0.4, 0.1]])
    verdict = record_verdict(p, CLASSES)
    assert verdict.label == "control"
    assert verdict.confidence == pytest.approx((0.7 + 0.6 + 0.2 + 0.5) / 4)
    assert verdict.probabilities == pytest.approx({"control": 0.5, "myopathy": 0.2, "ALS": 0.3})
    assert verdict.votes == {"control": 3, "myopathy": 0, "ALS": 1}
    assert verdict.n_used == 4 and verdict.reason is None


def test_one_wild_window_does_not_veto_a_class():
    # Nine windows prefer ALS (0.6 against 0.35); one gives ALS 1e-6. Summed log-probabilities
    # let that one window flip the record to control; the mean probability keeps ALS.
    p = np.array([[0.35, 0.05, 0.6]] * 9 + [[1 - 2e-6, 1e-6, 1e-6]])
    log_rule = CLASSES[int(np.argmax(np.log(p).sum(axis=0)))]
    assert log_rule != "ALS"
    assert record_verdict(p, CLASSES).label == "ALS"


def test_too_few_valid_windows_is_said_plainly():
    verdict = record_verdict(np.array([[0.9, 0.05, 0.05]] * 2), CLASSES, min_windows=3, n_total=26)
    assert verdict.label is None and verdict.confidence is None
    assert verdict.reason == "only 2 valid window(s) of 26, at least 3 needed"


def test_subject_verdict_weighs_records_equally():
    a = record_verdict(np.array([[0.9, 0.05, 0.05]] * 30), CLASSES)  # many windows
    b = record_verdict(np.array([[0.1, 0.1, 0.8]] * 3), CLASSES)
    c = record_verdict(np.array([[0.2, 0.1, 0.7]] * 3), CLASSES)
    none = record_verdict(np.empty((0, 3)), CLASSES)
    verdict = subject_verdict([a, b, c, none], CLASSES)
    expected = (np.array([0.9, 0.05, 0.05]) + np.array([0.1, 0.1, 0.8]) + np.array([0.2, 0.1, 0.7])) / 3
    assert verdict.label == "ALS"
    assert verdict.confidence == pytest.approx(expected[2])
    assert verdict.votes == {"control": 1, "myopathy": 0, "ALS": 2}
    assert verdict.n_used == 3


def test_subject_without_any_record_verdict():
    none = record_verdict(np.empty((0, 3)), CLASSES)
    verdict = subject_verdict([none, none], CLASSES)
    assert verdict.label is None
    assert verdict.reason == "none of the 2 record(s) has a verdict"
