"""In the real viewer: marks that could not be saved are never dropped without asking, another
viewer's marks are merged in, and a quiz answer is never scored against another record."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from conftest import open_classified
from PySide6 import QtCore, QtWidgets

from emgviewer.records import read_record
from emgviewer.records.annotations import Annotation, load_annotations, save_annotations, sidecar_path
from emgviewer.records.marks_store import MarksFile


@pytest.fixture
def refusing_folder(monkeypatch):
    """The record's folder refuses writes (as root, chmod alone would not: root writes anyway)."""
    def refuse(self, marks):
        raise PermissionError(errno.EACCES, "Permission denied", str(self.path))
    monkeypatch.setattr(MarksFile, "save", refuse)


def _answer_box(monkeypatch, button_text: str, calls: list) -> None:
    """Answer the unsaved-marks question with the button named ``button_text``."""
    def exec_(box):
        calls.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                box.setProperty("clicked", button)
                return 0
        raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec", exec_)
    monkeypatch.setattr(QtWidgets.QMessageBox, "clickedButton", lambda box: box.property("clicked"))


def test_unsaved_marks_are_asked_about_before_another_record_opens(qtbot, window, demo_copy, refusing_folder,
                                                                   monkeypatch, tmp_path):
    first = demo_copy / "demo_normal.hea"
    assert window.open_record(first)
    window.marks.add("fibrillation")
    assert "marks not saved (Permission denied)" in window.message_bar.label.text()
    assert window.marks.unsaved and [m.label for m in window.marks.marks.marks] == ["fibrillation"]

    calls: list = []
    _answer_box(monkeypatch, "Cancel", calls)
    assert not window.open_record(demo_copy / "demo_myopathic.hea")  # stays, marks and all
    assert calls == ["1 mark on this record could not be saved beside it."]
    assert window.record.source_path.stem == "demo_normal" and len(window.marks.marks.marks) == 1

    elsewhere = tmp_path / "kept_events.tsv"
    _answer_box(monkeypatch, "Save as…", calls)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(elsewhere), ""))
    assert window.open_record(demo_copy / "demo_myopathic.hea")
    assert [m.label for m in load_annotations(elsewhere)] == ["fibrillation"]


def test_discarding_is_a_choice_and_closing_asks_too(qtbot, window, demo_copy, refusing_folder, monkeypatch):
    assert window.open_record(demo_copy / "demo_normal.hea")
    window.marks.add("MUAP")
    calls: list = []
    _answer_box(monkeypatch, "Cancel", calls)
    window.close()
    assert window.isVisible() and len(calls) == 1  # closing waited for the answer
    _answer_box(monkeypatch, "Discard", calls)
    assert window.open_record(demo_copy / "demo_myopathic.hea") and len(calls) == 2
    assert window.marks.marks.marks == [] and not window.marks.unsaved


def test_without_dialogs_unsaved_marks_hold_the_record(qtbot, window, demo_copy, refusing_folder):
    window.setProperty("noDialogs", True)
    assert window.open_record(demo_copy / "demo_normal.hea")
    window.marks.add("MUAP")
    assert not window.open_record(demo_copy / "demo_myopathic.hea")
    assert "save them with Marks → Save marks as…" in window.message_bar.label.text()
    assert window.marks.save_as(demo_copy.parent / "saved_events.tsv")
    assert window.open_record(demo_copy / "demo_myopathic.hea")


def test_another_viewers_marks_are_merged_not_overwritten(qtbot, window, demo_copy):
    path = demo_copy / "demo_normal.hea"
    sidecar = sidecar_path(path)
    save_annotations(sidecar, [Annotation(0.5, 0.0, "first")])
    assert window.open_record(path)
    # Another viewer (another person) adds a mark to the same file meanwhile.
    other = MarksFile(sidecar)
    other.read()
    other.save([Annotation(0.5, 0.0, "first"), Annotation(3.0, 0.0, "theirs")])
    window.marks.add("mine")
    labels = {m.label for m in load_annotations(sidecar)}
    assert labels == {"first", "theirs", "mine"}
    assert {m.label for m in window.marks.marks.marks} == labels  # shown as well
    assert "another viewer changed these marks; its 1 mark kept beside yours" in window.message_bar.label.text()
    window.marks.undo()  # no undo across the merge: it would delete theirs on the next save
    assert {m.label for m in load_annotations(sidecar)} == labels


def test_a_quiz_answer_waits_for_the_quiz_record(qtbot, window, fast_model_path, demo_copy, monkeypatch):
    window.set_model(fast_model_path)
    window.setProperty("noDialogs", True)
    open_classified(qtbot, window, demo_copy / "demo_neurogenic.hea")
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        assert window.teaching.start_quiz(demo_copy, 3, seed=5)
    quiz = window.teaching.quiz
    # The quiz's record is "still loading": the window shows another record.
    other = next(item.path for item in quiz.items if item.path != quiz.current.path)
    window.session.show_record(read_record(other), other)
    window.teaching.answer("control")
    assert quiz.position == 0 and quiz.items[0].answer is None  # not scored against the wrong record


def test_a_quiz_record_that_cannot_open_is_skipped_not_scored(qtbot, window, fast_model_path, demo_copy):
    window.set_model(fast_model_path)
    window.setProperty("noDialogs", True)
    scores = []
    window.teaching.quizFinished.connect(scores.append)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        assert window.teaching.start_quiz(demo_copy, 3, seed=5)
    quiz = window.teaching.quiz
    for item in quiz.items[1:]:
        Path(item.path).with_suffix(".bin").write_bytes(b"")  # the next records break
    window.teaching.answer("control")
    assert scores, "the quiz ended: nothing left that could be shown"
    score = scores[0]
    assert [i.skipped for i in score.items] == [None, "could not be opened", "could not be opened"]
    assert score.summary().startswith("student ") and "/1 right" in score.summary()


def test_a_score_sheet_refused_by_its_folder_is_said(qtbot, tmp_path, monkeypatch):
    from emgviewer.teaching import QuizItem, QuizScore
    from emgviewer.ui.teaching import ScoreDialog

    score = QuizScore([QuizItem(Path("a.hea"), "=HYPERLINK(\"x\")", "ALS", "ALS", "ALS", "ALS 0.9")], seed=1)
    dialog = ScoreDialog(score, None)
    qtbot.addWidget(dialog)

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr("emgviewer.ui.teaching.atomic_write_text", refuse)
    assert not dialog.export_csv(str(tmp_path / "quiz.csv"))
    assert dialog.problem.text() == f"{tmp_path / 'quiz.csv'}: not written (Permission denied); choose another folder"
    monkeypatch.undo()
    assert dialog.export_csv(str(tmp_path / "quiz.csv")) and dialog.problem.isHidden()
    assert (tmp_path / "quiz.csv").read_text().splitlines()[1].startswith("\"'=HYPERLINK(\"\"x\"\")\",ALS,ALS,1")
    assert QtCore.QFile.exists(str(tmp_path / "quiz.csv"))


def test_a_fifo_beside_the_record_turns_marks_off_without_a_hang(qtbot, window, demo_copy):
    import os

    path = demo_copy / "demo_normal.hea"
    os.mkfifo(sidecar_path(path))
    assert window.open_record(path)  # returns: the FIFO is never opened for a blocking read
    assert "demo_normal_events.tsv: is not a regular file" in window.message_bar.label.text()
    assert not window.marks.writable and window.marks.marks.marks == []
    window.marks.add("MUAP")
    assert sidecar_path(path).is_fifo()  # never replaced


def test_classify_reports_a_fifo_beside_a_record_and_goes_on(demo_copy, tmp_path):
    import json
    import os

    from cli_runner import emgviewer_cli

    os.mkfifo(sidecar_path(demo_copy / "demo_normal.hea"))
    run = emgviewer_cli("classify", str(demo_copy), "--format", "json", timeout=120)
    assert run.returncode == 0, run.stderr
    records = {r["record"]: r for r in json.loads(run.stdout)["records"]}
    assert "is not a regular file" in records["demo_normal"]["annotations_error"]
    assert len(records) == 3


def test_a_marks_the_time_under_the_pointer(qtbot, window, demo_copy, monkeypatch):
    assert window.open_record(demo_copy / "demo_normal.hea")
    trace = window.trace
    start, stop = trace.visible_range()
    target = start + 0.3 * (stop - start)
    scene = trace.trace_plot.vb.mapViewToScene(QtCore.QPointF(target, 0.0))
    trace._hover(scene)
    monkeypatch.setattr(trace, "underMouse", lambda: True)  # offscreen there is no real pointer
    window.marks.add("fibrillation")
    assert window.marks.marks.marks[0].onset_s == pytest.approx(target, abs=1e-4)
    monkeypatch.setattr(trace, "underMouse", lambda: False)  # off the trace: the centre, as before
    window.marks.add("MUAP")
    assert window.marks.marks.marks[-1].onset_s == pytest.approx((start + stop) / 2, abs=1e-6)


def test_marks_at_one_time_draw_their_labels_on_separate_rows():
    from emgviewer.ui.marks import LABEL_ROWS, label_heights

    assert label_heights([1.0, 1.0, 1.05, 3.0], gap_s=0.1) == [LABEL_ROWS[0], LABEL_ROWS[1], LABEL_ROWS[2], LABEL_ROWS[0]]
    assert len(set(label_heights([2.0] * 6, gap_s=0.1))) == len(LABEL_ROWS)  # all rows used before any repeats
