"""Two models on one record: windows matched by time, classes by name, agreement counted only
where both windows were classified; checked against brute-force computations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from emgviewer.inference import classify, load_model
from emgviewer.inference.comparison import compare
from emgviewer.inference.zoo import available_models
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record
from emgviewer.records.n2001_writer import write_n2001


@pytest.fixture(scope="module")
def shipped():
    return [load_model(path, force_cpu=True, threads=1) for path in available_models()[:2]]


def _classify(record, model, hop_s=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # simulated records are unlike the training data, and say so
        return classify(record, model, hop_s=hop_s)


def _brute_force_match(first, second) -> np.ndarray:
    centres, other = (first.starts_s + first.stops_s) / 2, (second.starts_s + second.stops_s) / 2
    out = []
    for c in centres:
        j = int(np.argmin(np.abs(other - c)))
        out.append(j if abs(other[j] - c) <= min(first.hop_s, second.hop_s) / 2 + 1e-9 else -1)
    return np.array(out)


def test_two_shipped_models_agree_where_their_argmax_names_the_same_class(shipped):
    record = read_record(demo_record_paths()[0])
    first, second = _classify(record, shipped[0]), _classify(record, shipped[1])
    result = compare(first, second)
    assert (result.matched == np.arange(first.n_windows)).all()  # one geometry: window i is window i
    names = [c.name for c in shipped[0].card.classes]
    expected = np.array([names[a] == [c.name for c in shipped[1].card.classes][b]
                         for a, b in zip(first.probabilities.argmax(1), second.probabilities.argmax(1))])
    assert result.comparable.all() and (result.agree == expected).all()
    assert result.summary() == (
        f"munet-local (3class) 1.0.1 agrees with munet (3class) 1.1.0 on {expected.sum()} of {first.n_windows} windows "
        f"({expected.sum() / first.n_windows:.0%}); record: {first.verdict.label} {first.verdict.confidence:.2f} / "
        f"{second.verdict.label} {second.verdict.confidence:.2f}")
    assert compare(first, first).n_agree == first.n_windows  # a model always agrees with itself


@pytest.mark.parametrize("hop_s", [0.2, 0.3, 0.9])
def test_other_window_geometries_are_matched_by_the_nearest_centre_within_half_a_hop(shipped, hop_s):
    record = read_record(demo_record_paths()[2])
    first, second = _classify(record, shipped[0]), _classify(record, shipped[1], hop_s=hop_s)
    result = compare(first, second)
    assert (result.matched == _brute_force_match(first, second)).all()
    assert (result.matched >= 0).sum() < first.n_windows if hop_s == 0.9 else (result.matched >= 0).all()
    assert not result.comparable[result.matched < 0].any()


def test_invalid_windows_are_never_counted_as_agreeing(shipped, tmp_path):
    record = read_record(demo_record_paths()[0])
    signal = record.signal_uv.copy()
    signal[: int(2.0 * record.fs_hz)] = 0.0  # the first 2 s flat: those windows are invalid
    flat = read_record(write_n2001(tmp_path, "flat_start", signal, record.fs_hz))
    first, second = _classify(flat, shipped[0]), _classify(flat, shipped[1])
    result = compare(first, second)
    invalid = ~first.valid
    assert invalid[:2].all() and not result.comparable[invalid].any() and not result.agree[invalid].any()
    assert result.n_comparable == int(first.valid.sum())


def test_two_records_cannot_be_compared(shipped):
    one, other = (read_record(path) for path in demo_record_paths()[:2])
    with pytest.raises(ValueError, match="demo_normal and demo_myopathic: a comparison needs one record"):
        compare(_classify(one, shipped[0]), _classify(other, shipped[1]))
