"""Generated bad input for the surfaces added after the readers: events files, quiz answers,
card evaluation fields and the record stacker, sound, the MUAP analysis, and the training
commands. Only the documented error types, bounded in time and memory.

CI runs a quick sample; the long run is
``EMGVIEWER_FUZZ_EXAMPLES=10000 pytest -m fuzz tests/test_fuzz_surfaces.py``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx_models import card_dict
from test_fuzz_inputs import FUZZ, JSON_VALUES, bounded

from emgviewer.analysis.audio import SoundError, pcm16
from emgviewer.analysis.display_filter import DisplayFilter, FilterError
from emgviewer.analysis.muap import MuapAnalysisError, analyse_muaps
from emgviewer.inference.card import ModelCard
from emgviewer.inference.errors import CardError
from emgviewer.lazy import import_analysis_modules
from emgviewer.records.annotations import AnnotationFileError, load_annotations
from emgviewer.teaching import ANSWERS, Quiz

# scipy.signal and scipy.cluster load on first use: imported here, not inside the first case's
# memory budget (tracemalloc would count a module's import as that input's allocation).
import_analysis_modules()

pytestmark = pytest.mark.fuzz

HEADER = b"onset\tduration\ttrial_type\n"
CELLS = st.sampled_from([b"1", b"0", b"-1", b"nan", b"inf", b"1e308", b"1e-320", b"n/a", b"", b"abc", b'"', b'""',
                         b'"a\tb"', b"\xef\xbb\xbf", b"\xff", b"\x00", b"\r", b"x" * 140_000, "é".encode()])


@st.composite
def events_files(draw) -> bytes:
    header = draw(st.sampled_from([HEADER, b"\xef\xbb\xbf" + HEADER, b"onset,duration,trial_type\n", b"", b"time\n"]))
    rows = draw(st.lists(st.lists(CELLS, max_size=5), max_size=6))
    tail = draw(st.binary(max_size=200))
    return header + b"".join(b"\t".join(row) + draw(st.sampled_from([b"\n", b"\r\n", b"\r", b""])) for row in rows) + tail


@FUZZ
@given(data=events_files())
def test_events_files(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("events") / "r_events.tsv"
    path.write_bytes(data)
    with bounded(len(data)):
        try:
            marks = load_annotations(path)
        except AnnotationFileError as err:
            assert str(err).startswith(f"{path}: ") and len(str(err)) < 600
            return
    assert all(math.isfinite(m.onset_s) and math.isfinite(m.duration_s) and m.duration_s >= 0 for m in marks)
    assert [m.onset_s for m in marks] == sorted(m.onset_s for m in marks)


@FUZZ
@given(n=st.integers(1, 12), seed=st.integers(0, 2**32 - 1), steps=st.lists(st.sampled_from([*ANSWERS, "skip", "bad"]),
                                                                         max_size=14),
       names=st.lists(st.sampled_from(["=cmd", "+1+2", "-x", "@a", "N2001A01BB01", "é", "a,b", 'q"q']), min_size=1,
                      max_size=12))
def test_quiz_answers(n, seed, steps, names):
    paths = [Path(f"{name}_{i}.hea") for i, name in enumerate(names)]
    quiz = Quiz.draw(paths, n, seed)
    for step in steps:
        if quiz.done:
            with pytest.raises(ValueError, match="the quiz is over"):
                quiz.answer(ANSWERS[0])
            break
        if step == "skip":
            quiz.skip("could not be opened")
        elif step == "bad":
            with pytest.raises(ValueError, match="answer must be one of"):
                quiz.answer(step)
        else:
            quiz.current.truth = ANSWERS[len(quiz.current.name) % 3]
            quiz.answer(step)
    score = quiz.score()
    known = [i for i in score.items if i.truth is not None]
    assert 0 <= score.right("answer") <= len(known) and not any(i.skipped and i.truth for i in score.items)
    rows = list(csv.reader(io.StringIO(score.csv_text())))
    assert len(rows) == len(score.items) + 1
    assert not any(cell[:1] in ("=", "+", "-", "@") and cell not in ("-",) for row in rows[1:] for cell in row[:1])


STACKER_KEYS = st.sampled_from(["features", "mean", "scale", "fill", "weights", "bias"])
NUMBERISH = st.one_of(JSON_VALUES, st.integers(-10**400, 10**400), st.floats(allow_nan=False),
                      st.lists(st.floats(allow_nan=False), max_size=12))


@FUZZ
@given(evaluation=st.dictionaries(st.sampled_from(["window_balanced_accuracy", "window_accuracy", "window_recall",
                                                   "record_ece", "protocol", "records", "subjects"]), NUMBERISH,
                                  max_size=4),
       stacker_edits=st.lists(st.tuples(STACKER_KEYS, NUMBERISH), max_size=3), with_stacker=st.booleans())
def test_card_evaluation_and_stacker(evaluation, stacker_edits, with_stacker):
    from emgviewer.analysis.stacking import window_feature_names

    card = card_dict(evaluation=evaluation)
    names = list(window_feature_names([c["name"] for c in card["classes"]]))
    stacker = {"features": names, "mean": [0.0] * len(names), "scale": [1.0] * len(names), "fill": [0.0] * len(names),
               "weights": [[0.1] * len(card["classes"])] * len(names), "bias": [0.0] * len(card["classes"])}
    for key, value in stacker_edits:
        stacker[key] = value
    if with_stacker:
        card["calibration"]["record_stacker"] = stacker
    text = json.dumps(card, allow_nan=True, default=str)
    with bounded(len(text)):
        try:
            parsed = ModelCard.from_json(text)
        except CardError:
            return
    if parsed.record_stacker is not None:
        rows = np.random.default_rng(0).normal(0, 1e6, (4, len(parsed.record_stacker.features)))
        assert np.isfinite(parsed.record_stacker.predict(rows)).all()


@FUZZ
@given(fs_hz=st.one_of(st.sampled_from([1e-300, 0.001, 1.0, 999.0, 1000.0, 4000.0, 23437.5, 1e6]),
                       st.floats(1e-3, 1e6)),
       n=st.integers(0, 20_000), high=st.one_of(st.none(), st.floats(1e-12, 1e6)),
       low=st.one_of(st.none(), st.floats(1e-12, 1e6)), notch=st.one_of(st.none(), st.sampled_from([50.0, 60.0, 1e-9])))
def test_sound_and_display_filters(fs_hz, n, high, low, notch):
    signal = np.random.default_rng(n).normal(0, 50, n).astype(np.float32)
    pcm16(np.zeros(100), 4000.0)  # scipy.signal imported before the budget is counted
    with bounded(n * 4 * 60):  # at most 44.1 kHz / 1 kHz times the samples, float64, a few copies
        try:
            filtered = DisplayFilter(high, low, notch).apply(signal, fs_hz)
            samples, rate = pcm16(filtered, fs_hz)
        except (FilterError, SoundError):
            return
    assert samples.dtype == np.int16 and rate > 0 and np.abs(samples.astype(int)).max(initial=0) < 32767


@FUZZ
@given(fs_hz=st.sampled_from([3999.9999999999995, 4000.0, 10_000.0, 23437.5]), n=st.integers(0, 30_000),
       kind=st.sampled_from(["zeros", "noise", "spikes", "nan", "huge"]))
def test_muap_analysis(fs_hz, n, kind):
    rng = np.random.default_rng(n)
    signal = {"zeros": np.zeros(n), "noise": rng.normal(0, 20, n), "nan": np.full(n, np.nan),
              "huge": np.full(n, 3e38), "spikes": np.where(rng.random(n) < 0.01, 500.0, 0.0)}[kind].astype(np.float32)
    with bounded(n * 4):
        try:
            analysis = analyse_muaps(signal, fs_hz)
        except MuapAnalysisError as err:
            assert len(str(err)) < 400
            return
    assert analysis.summary.n_units + analysis.summary.n_implausible == len(analysis.units)  # every unit counted once


TRAINING_ARGS = st.sampled_from(["--window-s", "--hop-s", "--epochs", "--batch-size", "--learning-rate", "--threads",
                                 "--max-records", "--gain-jitter", "--device", "--seed", "--ema", "--mixup",
                                 "-1", "0", "nan", "inf", "1e300", "2", "0.5", "tpu9", "cuda:0", "x", ""])


@FUZZ
@given(command=st.sampled_from(["evaluate", "train", "export", "card"]), args=st.lists(TRAINING_ARGS, max_size=6))
def test_training_arguments(tmp_path_factory, capsys, command, args):
    pytest.importorskip("torch", reason="the training commands need PyTorch")
    from training.cli import main

    folder = tmp_path_factory.mktemp("train")
    (folder / "data").mkdir()  # no records: a run that gets past its arguments stops at once
    (folder / "m.pt").write_bytes(b"garbage")
    (folder / "e.json").write_text("{}")
    fixed = {"evaluate": ["--data", str(folder / "data"), "--out", str(folder / "out")],
             "train": ["--data", str(folder / "data"), "--out", str(folder / "out")],
             "export": ["--checkpoint", str(folder / "m.pt"), "--data", str(folder / "data"), "--out", str(folder / "o.onnx")],
             "card": ["--onnx", str(folder / "m.pt"), "--data", str(folder / "data"), "--evaluation", str(folder / "e.json"),
                      "--version", "1", "--out", str(folder / "o.onnx")]}[command]
    with bounded(0):
        try:
            status = main([command, *fixed, *args])
        except SystemExit as exit_:
            status = exit_.code
    err = capsys.readouterr().err
    assert status in (1, 2) and "Traceback" not in err
    said = [line for line in err.splitlines() if "error:" in line]  # argparse's usage may precede it
    assert len(said) == 1 and said[0].startswith("python -m training") and err.splitlines()[-1] == said[0]
