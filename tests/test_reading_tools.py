"""Display filters, sound, marks and the quiz, Qt-free: each against an independent computation."""

from __future__ import annotations

import io
import wave

import edfio
import numpy as np
import pytest
from scipy.signal import welch

from emgviewer.analysis.audio import CEILING, FULL_SCALE, pcm16, wav_bytes
from emgviewer.analysis.display_filter import DisplayFilter, FilterError
from emgviewer.records import read_record
from emgviewer.records.annotations import (
    Annotation,
    AnnotationFileError,
    AnnotationList,
    load_annotations,
    record_annotations,
    save_annotations,
    sidecar_path,
)
from emgviewer.teaching import Quiz

FS = 23437.5


def _tone(freq_hz: float, amplitude: float, seconds: float = 1.0, fs: float = FS) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq_hz * np.arange(int(seconds * fs)) / fs)


def _band_power(x: np.ndarray, fs: float, f0: float) -> float:
    f, p = welch(x, fs, nperseg=4096)
    return float(p[np.argmin(np.abs(f - f0))])


@pytest.mark.parametrize("spec,kept,removed", [
    (DisplayFilter(high_pass_hz=500.0), 2000.0, 30.0),
    (DisplayFilter(low_pass_hz=1000.0), 100.0, 5000.0),
    (DisplayFilter(notch_hz=50.0), 300.0, 50.0),
])
def test_display_filters_keep_their_band_and_remove_the_rest(spec, kept, removed):
    x = _tone(kept, 100.0, 2.0) + _tone(removed, 100.0, 2.0)
    y = spec.apply(x, FS)
    assert _band_power(y, FS, kept) == pytest.approx(_band_power(x, FS, kept), rel=0.1)
    assert _band_power(y, FS, removed) < 0.01 * _band_power(x, FS, removed)


def test_display_filter_is_zero_phase_and_labels_itself():
    spike = np.zeros(4001)
    spike[2000] = 1000.0
    y = DisplayFilter(high_pass_hz=20.0, low_pass_hz=2000.0).apply(spike, FS)
    assert int(np.argmax(np.abs(y))) == 2000  # not delayed
    assert DisplayFilter(20.0, 2000.0, 50.0).label() == "HP 20 Hz · LP 2 kHz · notch 50 Hz"
    assert DisplayFilter().label() == "unfiltered" and not DisplayFilter().active
    with pytest.raises(FilterError, match=r"low-pass 10 kHz is not below this record's Nyquist frequency \(2 kHz\)"):
        DisplayFilter(low_pass_hz=10_000.0).apply(np.zeros(100), 4000.0)
    with pytest.raises(FilterError, match="high-pass 2 kHz is not below low-pass 1 kHz"):
        DisplayFilter(2000.0, 1000.0).check(FS)


def test_sound_rate_length_tone_and_no_clipping():
    x = _tone(440.0, 200.0, 2.0)
    x[5000] = 1e7  # a huge artefact: the limiter bends it, never wraps it
    samples, rate = pcm16(x, FS)
    assert rate == 44_100 and samples.dtype == np.int16
    assert samples.size == pytest.approx(2.0 * 44_100, abs=2)
    assert np.abs(samples).max() <= CEILING * FULL_SCALE + 1
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    frequencies = np.fft.rfftfreq(samples.size, 1 / rate)
    assert frequencies[np.argmax(spectrum)] == pytest.approx(440.0, abs=1.0)  # the tone survives


def test_sound_reads_gaps_and_infinities_as_silence():
    """A NaN gap or an infinity is 0 µV, as in the MUAP analysis: an infinity read as the
    largest float would swamp the resampler and leave nothing audible."""
    x = _tone(440.0, 200.0, 1.0)
    broken, silent = x.copy(), x.copy()
    broken[[100, 2000, 3000]] = [np.nan, np.inf, -np.inf]
    silent[[100, 2000, 3000]] = 0.0
    np.testing.assert_array_equal(pcm16(broken, FS)[0], pcm16(silent, FS)[0])


def test_sound_at_another_rate_and_the_wav_reads_back():
    samples, rate = pcm16(_tone(300.0, 50.0, 1.0, 4000.0), 4000.0)
    assert rate == 44_100 and samples.size == 44_100
    with wave.open(io.BytesIO(wav_bytes(samples, rate))) as back:
        assert (back.getnchannels(), back.getsampwidth(), back.getframerate(), back.getnframes()) == (1, 2, rate, samples.size)
        np.testing.assert_array_equal(np.frombuffer(back.readframes(back.getnframes()), "<i2"), samples)


def test_marks_round_trip_in_an_events_sidecar(tmp_path):
    path = sidecar_path(tmp_path / "N2001A01BB01.hea")
    assert path.name == "N2001A01BB01_events.tsv"
    marks = [Annotation(2.5, 0.0, "fibrillation"), Annotation(0.25, 1.5, "my\tfree text")]
    save_annotations(path, marks)
    assert path.read_text().splitlines() == ["onset\tduration\ttrial_type", '0.25\t1.5\t"my\tfree text"',
                                             "2.5\t0.0\tfibrillation"]
    assert load_annotations(path) == [Annotation(0.25, 1.5, "my\tfree text"), Annotation(2.5, 0.0, "fibrillation")]


def test_a_bad_events_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "x_events.tsv"
    path.write_text("onset\tduration\ttrial_type\n1.0\tabc\tMUAP\n")
    with pytest.raises(AnnotationFileError, match=r"x_events.tsv: line 2: onset and duration must be seconds"):
        load_annotations(path)
    path.write_text("time,label\n")
    with pytest.raises(AnnotationFileError, match="not an events file"):
        load_annotations(path)


def test_undo_redo_and_jumps():
    saved = []
    marks = AnnotationList(changed=lambda m: saved.append(list(m)))
    marks.add(Annotation(3.0, 0.0, "MUAP"))
    marks.add(Annotation(1.0, 0.5, "artefact"))
    marks.edit(0, "fasciculation")
    assert [m.label for m in marks.marks] == ["fasciculation", "MUAP"]
    marks.delete(1)
    assert marks.undo() and [m.label for m in marks.marks] == ["fasciculation", "MUAP"]
    assert marks.redo() and [m.label for m in marks.marks] == ["fasciculation"]
    assert len(saved) == 6  # every change reported, undo and redo included
    marks.add(Annotation(5.0, 0.0, "MUAP"))
    assert (marks.next_after(1.0), marks.next_after(5.0), marks.next_after(5.0, -1)) == (1, None, 0)


def test_edf_plus_annotations_are_imported(tmp_path):
    signal = edfio.EdfSignal(np.zeros(2000), sampling_frequency=1000, label="EMG", physical_dimension="uV",
                             physical_range=(-1000, 1000))
    edfio.Edf([signal], annotations=[edfio.EdfAnnotation(0.2, 0.1, "fibrillation"),
                                     edfio.EdfAnnotation(1.5, None, "artefact")]).write(tmp_path / "a.edf")
    marks, source = record_annotations(read_record(tmp_path / "a.edf"))
    assert source == "EDF+"
    assert marks == [Annotation(0.2, 0.1, "fibrillation"), Annotation(1.5, 0.0, "artefact")]


def test_quiz_order_is_reproducible_and_scored():
    paths = [f"r{i}.hea" for i in range(10)]
    quiz = Quiz.draw(paths, 4, seed=7)
    assert [i.name for i in quiz.items] == [i.name for i in Quiz.draw(paths, 4, seed=7).items]
    assert [i.name for i in quiz.items] != [i.name for i in Quiz.draw(paths, 4, seed=8).items]
    truths, models = ["ALS", "control", "control", "myopathy"], ["ALS", None, "myopathy", "myopathy"]
    for item, truth, model in zip(quiz.items, truths, models):
        item.truth, item.model = truth, model
    for answer in ("ALS", "control", "ALS", "control"):
        quiz.answer(answer)
    score = quiz.score()
    assert quiz.done and (score.right("answer"), score.right("model")) == (2, 2)
    assert score.per_class() == [("control", 2, 1, 0), ("myopathy", 1, 0, 1), ("ALS", 1, 1, 1)]
    assert score.csv_text().splitlines()[0] == "record,truth,student,student_right,model,model_right,student_name,date,seed"
    with pytest.raises(ValueError, match="the quiz is over"):
        quiz.answer("ALS")


def test_a_folder_index_never_takes_a_sidecar_for_a_record(demo_copy):
    from emgviewer.records import index_folder
    save_annotations(sidecar_path(demo_copy / "demo_normal.hea"), [Annotation(1.0, 0.0, "MUAP")])
    index = index_folder(demo_copy)
    assert sorted(e.name for e in index.records) == ["demo_myopathic", "demo_neurogenic", "demo_normal"]
    assert index.problems == []


def test_the_audio_command_writes_the_part_asked_for(tmp_path):
    from cli_runner import emgviewer_cli

    from emgviewer.paths import demo_record_paths
    out = tmp_path / "part.wav"
    run = emgviewer_cli("audio", demo_record_paths()[2], "--out", out, "--start", "1", "--end", "2.5",
                        "--low-pass", "2000")
    assert run.returncode == 0, run.stderr
    assert run.stderr == f"wrote {out} (1.50 s at 44100 Hz, LP 2 kHz)\n"
    with wave.open(str(out)) as back:
        assert (back.getframerate(), back.getnframes(), back.getsampwidth()) == (44_100, 66_150, 2)
    again = emgviewer_cli("audio", demo_record_paths()[2], "--out", out)
    assert again.returncode == 1 and again.stderr == f"emgviewer: error: {out}: exists; pass --force to overwrite it\n"
    wrong = emgviewer_cli("audio", demo_record_paths()[2], "--out", tmp_path / "x.wav", "--start", "5", "--end", "3")
    assert wrong.returncode == 1
    assert "--start 5 and --end 3 must satisfy 0 <= start < end <= 6 s" in wrong.stderr
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize("seed", range(12))
def test_a_quiz_draws_classes_evenly_and_one_record_per_subject_first(seed):
    records = [("A01", "ALS")] * 4 + [("A02", "ALS")] + [("C01", "control")] * 3 + [("C02", "control")] + \
              [("M01", "myopathy")] * 2
    paths = [f"N2001{s}BB{i:02d}.hea" for i, (s, _t) in enumerate(records)]
    truths, subjects = [t for _s, t in records], [s for s, _t in records]
    quiz = Quiz.draw(paths, 3, seed, truths=truths, subjects=subjects, student="Ada")
    drawn = [records[paths.index(str(item.path))] for item in quiz.items]
    assert sorted(t for _s, t in drawn) == ["ALS", "control", "myopathy"]
    six = Quiz.draw(paths, 6, seed, truths=truths, subjects=subjects)
    drawn = [records[paths.index(str(item.path))] for item in six.items]
    assert sorted(t for _s, t in drawn) == ["ALS", "ALS", "control", "control", "myopathy", "myopathy"]
    assert {s for s, t in drawn if t == "ALS"} == {"A01", "A02"}  # a second subject before a second record
    assert {s for s, t in drawn if t == "control"} == {"C01", "C02"}
    assert quiz.score().summary().startswith("Ada 0/0 right") and quiz.date in quiz.score().summary()
