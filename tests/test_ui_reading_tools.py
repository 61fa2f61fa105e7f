"""Listen, filter, mark, teach: the real viewer (offscreen), each tool against an independent
computation, and nothing that gives the answer away before the reveal."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

pytest.importorskip("pytestqt")
from conftest import open_classified as _open  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from emgviewer.analysis.decimate import PeakPyramid  # noqa: E402
from emgviewer.analysis.display_filter import DisplayFilter  # noqa: E402
from emgviewer.inference import classify, load_model  # noqa: E402
from emgviewer.records import read_record  # noqa: E402
from emgviewer.records.annotations import Annotation, load_annotations, sidecar_path  # noqa: E402


def test_the_display_filter_changes_the_trace_never_the_model_input(qtbot, window, fast_model_path, demo_copy, tmp_path):
    window.set_model(fast_model_path)
    path = demo_copy / "demo_neurogenic.hea"
    _open(qtbot, window, path)
    spec = DisplayFilter(high_pass_hz=500.0, notch_hz=50.0)
    with qtbot.waitSignal(window.inspector.windowShown, timeout=5_000):
        assert window.filters.set_filter(spec)
    record = read_record(path)
    filtered = spec.apply(record.signal_uv, record.fs_hz)
    start, stop = window.trace.visible_range()
    pixels = max(200, int(window.trace.trace_plot.vb.width()))
    expected = PeakPyramid(filtered).visible(int(start * record.fs_hz), int(np.ceil(stop * record.fs_hz)) + 1, pixels)
    window.trace._drawn_key = None
    window.trace._redraw()
    np.testing.assert_allclose(window.trace.displayed_data()[1], expected.y)
    assert window.filters.status.text() == "display: HP 500 Hz · notch 50 Hz"
    assert "display HP 500 Hz · notch 50 Hz" in window.inspector.title.text()
    _open(qtbot, window, path)  # opened again with the filter on, then classified
    direct = classify(record, load_model(fast_model_path))
    np.testing.assert_array_equal(window.result.record.signal_uv, record.signal_uv)
    np.testing.assert_allclose(window.result.probabilities, direct.probabilities, atol=1e-6)
    pypdf = pytest.importorskip("pypdf")
    assert window.export_pdf(tmp_path / "r.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "r.pdf").pages)
    assert "HP 500 Hz · notch 50 Hz (display only" in text


def test_a_filter_the_record_cannot_take_is_refused_with_a_message(qtbot, window, demo_copy):
    _open(qtbot, window, demo_copy / "demo_normal.hea")
    assert not window.filters.set_filter(DisplayFilter(low_pass_hz=20_000.0))
    assert "display filter not applied: low-pass 20 kHz is not below this record's Nyquist" in window.message_bar.label.text()
    assert window.filters.spec == DisplayFilter()


def test_without_audio_the_cursor_runs_silently_and_says_so(qtbot, window, demo_copy):
    from emgviewer.ui.sound import audio_output
    if audio_output()[0] is not None:
        pytest.skip("this machine has an audio device: the silent path is not taken")
    _open(qtbot, window, demo_copy / "demo_normal.hea")
    start, _ = window.trace.visible_range()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert window.sound.timer.isActive() and window.sound.cursor.isVisible()
    assert window.message_bar.label.text().startswith("Sound unavailable: ")
    qtbot.waitUntil(lambda: window.sound.cursor.value() > start + 0.05, timeout=5000)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert not window.sound.timer.isActive() and not window.sound.cursor.isVisible()


def test_exported_sound_follows_the_display_filter(qtbot, window, demo_copy):
    _open(qtbot, window, demo_copy / "demo_normal.hea")
    window.filters.set_filter(DisplayFilter(low_pass_hz=1000.0))
    with wave.open(io.BytesIO(window.sound.wav_of(1.0, 3.0))) as back:
        assert (back.getframerate(), back.getnframes()) == (44_100, 88_200)
        samples = np.frombuffer(back.readframes(back.getnframes()), "<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    frequencies = np.fft.rfftfreq(samples.size, 1 / 44_100)
    assert spectrum[frequencies > 3000].sum() < 0.01 * spectrum.sum()  # the low-pass is heard


def test_marks_are_saved_beside_the_record_undone_and_reloaded(qtbot, window, demo_copy):
    path = demo_copy / "demo_myopathic.hea"
    _open(qtbot, window, path)
    sidecar = sidecar_path(path)
    window.trace.set_start(2.0)
    start, stop = window.trace.visible_range()
    window.marks.add("fibrillation")
    assert load_annotations(sidecar) == [Annotation(round((start + stop) / 2, 6), 0.0, "fibrillation")]
    window.calipers_action.trigger()
    window.muap_overlay.calipers[0].setValue(1.0)
    window.muap_overlay.calipers[1].setValue(1.5)
    window.marks.add("artefact")
    assert [(m.onset_s, m.duration_s, m.label) for m in load_annotations(sidecar)][0] == (1.0, 0.5, "artefact")
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert [m.label for m in load_annotations(sidecar)] == ["fibrillation"]
    window.marks.relabel(0, "positive sharp wave")
    assert window.marks.table.item(0, 2).text() == "positive sharp wave"
    _open(qtbot, window, demo_copy / "demo_normal.hea")
    _open(qtbot, window, path)
    assert [m.label for m in window.marks.marks.marks] == ["positive sharp wave"]
    assert len(window.marks.items) == 1  # drawn on the trace


def test_a_broken_events_file_is_never_overwritten(qtbot, window, demo_copy):
    path = demo_copy / "demo_normal.hea"
    sidecar = sidecar_path(path)
    sidecar.write_text("not,an,events,file\n")
    _open(qtbot, window, path)
    assert "not an events file" in window.message_bar.label.text()
    window.marks.add("MUAP")
    assert sidecar.read_text() == "not,an,events,file\n"


def test_a_quiz_answered_by_keys_is_scored_and_reveals_nothing_before(qtbot, window, fast_model_path, demo_copy):
    window.set_model(fast_model_path)
    window.setProperty("noDialogs", True)
    # Marks beside a record must not become a quiz "record" (their file name would show).
    (demo_copy / "demo_normal_events.tsv").write_text("onset\tduration\ttrial_type\n1.0\t0\tMUAP\n")
    scores = []
    window.teaching.quizFinished.connect(scores.append)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        assert window.teaching.start_quiz(demo_copy, 3, seed=5)
    order = [item.name for item in window.teaching.quiz.items]
    truth_key = {"demo_normal": QtCore.Qt.Key.Key_1, "demo_myopathic": QtCore.Qt.Key.Key_2,
                 "demo_neurogenic": QtCore.Qt.Key.Key_3}
    for position, name in enumerate(order):
        _assert_nothing_revealed(window, name)
        key = truth_key[name] if position < 2 else QtCore.Qt.Key.Key_1  # the last one answered "normal"
        if position < 2:
            with qtbot.waitSignal(window.classificationShown, timeout=20_000):
                qtbot.keyClick(window, key)
        else:
            qtbot.keyClick(window, key)
    score = scores[0]
    truths = {"demo_normal": "control", "demo_myopathic": "myopathy", "demo_neurogenic": "ALS"}
    assert [i.answer for i in score.items] == [truths[order[0]], truths[order[1]], "control"]
    assert [i.truth for i in score.items] == [truths[n] for n in order]
    assert score.right("answer") == 2 + (truths[order[2]] == "control")
    model = load_model(fast_model_path)
    expected_model = [classify(read_record(demo_copy / f"{n}.hea"), model) for n in order]
    assert score.right("model") == sum(
        r.verdict.label == i.truth and r.verdict.confidence >= model.card.uncertainty_threshold
        for r, i in zip(expected_model, score.items))
    assert not window.blind and "Quiz over: student" in window.message_bar.label.text()
    assert window.inspector_dock.isVisible()  # reopened when blind mode ended


def test_messages_naming_a_record_wait_for_the_reveal_in_blind_mode(qtbot, window, demo_copy):
    _open(qtbot, window, demo_copy / "demo_normal.hea")
    window.teaching.set_blind(True)
    window.show_error(f"{demo_copy / 'demo_normal.hea'}: something went wrong")
    assert not window.message_bar.isVisible()
    window.teaching.reveal()
    assert "demo_normal.hea: something went wrong" in window.message_bar.label.text()


def _assert_nothing_revealed(window, name: str) -> None:
    assert window.blind
    texts = [window.windowTitle(), window.status_record.text(), window.status_time.text(),
             window.status_time.toolTip()]
    assert not any(name in t or "demo" in t for t in texts), texts
    assert not window.browser_dock.isVisible() and not window.inspector_dock.isVisible()
    assert not window.message_bar.isVisible()
    assert window.trace.ribbon is None and window.trace.ribbon_item.windows is None
    assert window.overview.ribbon_item.windows is None
    assert window._tooltip(0) == ""
    assert not any(name in a.text() for a in window.recent.menu.actions())
