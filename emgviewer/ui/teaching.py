"""Teaching mode: blind reading and a quiz over a folder.

Blind mode hides everything that gives the answer away: the file name (title, status bar,
recent files, dataset browser), the truth, the model's ribbon, verdict, inspector and
tooltips, and the caution messages that name the record. The student answers with 1, 2, 3
(normal, myopathy, ALS / neurogenic); R reveals truth, model and their agreement. A quiz draws
N records of a folder in a seeded order and ends with a score sheet (PDF, CSV).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.atomic import atomic_write_bytes, atomic_write_text
from emgviewer.inference import classify
from emgviewer.inference.caveats import AGREES_COLOUR, DIFFERS_COLOUR, assess
from emgviewer.records import RecordError, index_folder
from emgviewer.teaching import ANSWERS, Quiz, label, quiz_truth
from emgviewer.ui.viewer import Viewer


class TeachingController(QtCore.QObject):
    """Teaching: blind mode, answers, the reveal, and a seeded quiz on a folder with its score sheet."""

    quizFinished = QtCore.Signal(object)  # QuizScore

    def __init__(self, window: Viewer) -> None:
        super().__init__(window)
        self.window = window
        self.quiz: Quiz | None = None
        self.answers: dict[Path, str] = {}  # blind answers outside a quiz, by record path
        self.docks_hidden: list = []  # docks blind mode closed, reopened when it ends
        for dock in self._revealing_docks():
            dock.visibilityChanged.connect(self.keep_hidden)

    def build_menu(self, file_menu, view_menu) -> None:
        """File → Quiz on a folder, and View → Teaching."""
        w = self.window
        w.action_maker.add(file_menu, "Quiz on a folder…", self.ask_quiz)
        teach = view_menu.addMenu("Teaching")
        self.blind_action = w.action_maker.add(teach, "Blind mode", self.toggle_blind, "blind", checkable=True)
        for number, name in enumerate(ANSWERS, start=1):
            w.action_maker.add(teach, f"Answer: {label(name)}", lambda _c=False, n=name: self.answer(n),
                               f"answer_{number}")
        w.action_maker.add(teach, "Reveal truth and model", self.reveal, "reveal")

    # -- blind ------------------------------------------------------------------------------------
    def toggle_blind(self) -> None:
        """Blind mode on or off, as its menu entry says."""
        self.set_blind(self.blind_action.isChecked())

    def set_blind(self, blind: bool) -> None:
        """Hide (or show again) everything that gives the answer away."""
        w = self.window
        if blind and not w.blind:
            self.docks_hidden = [d for d in self._revealing_docks() if d.isVisible()]
        w.session.blind = blind
        self.blind_action.setChecked(blind)
        for action in w.revealing_actions:  # exports, comparison, the browser's and inspector's toggles
            action.setEnabled(not blind)
        if blind:
            self.hide_answers()
            return
        for dock in self.docks_hidden:
            dock.show()
        self.docks_hidden = []
        if w.record is not None:
            w.browser.show_current(w.record.name)  # the row of the record on screen, not the last one clicked
        if w.result is not None:
            w.present_result()

    def _revealing_docks(self) -> tuple:
        """The docks that name records or show the model's probabilities."""
        return self.window.browser_dock, self.window.inspector_dock

    def keep_hidden(self, *_visible) -> None:
        """A revealing dock shown while blind (opening a folder shows the browser; a tab or a
        floating dock's own button) is hidden again, and reopens when blind mode ends. Checked
        on the next turn of the event loop: a tabified dock reports its visibility before the
        tab it sits in is shown."""
        QtCore.QTimer.singleShot(0, self._hide_revealing_docks)

    def _hide_revealing_docks(self) -> None:
        if not self.window.blind:
            return
        for dock in self._revealing_docks():
            if dock.isVisible():
                if dock not in self.docks_hidden:
                    self.docks_hidden.append(dock)
                dock.hide()

    def hide_answers(self) -> None:
        """Hide the name, the truth, the ribbon, the verdict and the docks that tell."""
        w = self.window
        w.setWindowTitle("emgviewer — blind")
        record = w.record
        w.status_record.setText("record hidden (blind)" if record is None else
                                f"record hidden (blind) · {record.fs_hz:g} Hz · {record.duration_s:.2f} s")
        w.status_time.setText("")
        w.status_time.setToolTip("")
        w.say_verdict("Verdict: hidden (blind) — answer 1, 2 or 3; R reveals")
        w.message_bar.hide()
        w.browser_dock.hide()
        w.inspector_dock.hide()
        w.trace.clear_classification("blind: the model's colours are hidden until you reveal (R)")
        w.overview.set_ribbon(None)
        w.comparison.clear()  # a second model's colours give the answer away as well

    def answer(self, name: str) -> None:
        """The student's answer ``name`` for the record shown (in a quiz: then the next record)."""
        w = self.window
        if w.record is None:
            return
        if self.quiz is not None and not self.quiz.done:
            item = self.quiz.current
            if not _is_record_of(w.record, item.path):  # still loading, or it failed to open
                w.statusBar().showMessage("quiz: this record is not shown yet; answer once it is", 4000)
                return
            if not w.marks.may_leave():  # marks the folder refused: asked first, the answer waits
                return
            item.truth = quiz_truth(w.record.truth)
            item.model, item.model_statement = self._model_says()
            self.quiz.answer(name)
            if self.quiz.done:
                self._finish()
            else:
                self._open_current()
            return
        self.answers[w.record.source_path] = name
        w.statusBar().showMessage(f"your answer: {label(name)} (R reveals)", 4000)

    def _model_says(self) -> tuple[str | None, str]:
        w = self.window
        if w.model is None:
            return None, "no model"
        result = w.result if w.result is not None and w.result.record is w.record else classify(w.record, w.model)
        assessment = assess(result)
        statement = assessment.statement
        said = statement.short + (" (seen in training: not evidence)" if assessment.seen else "")
        return (result.verdict.label if statement.status == "verdict" else None), said

    def reveal(self) -> None:
        """Show the truth and the model's reading beside the student's answer."""
        w = self.window
        if w.record is None:
            return
        answer = self.answers.get(w.record.source_path)
        model, said = self._model_says()
        truth = quiz_truth(w.record.truth)
        parts = [f"{w.record.name}: truth {label(truth)}", f"model {said}"]
        if truth is not None:
            parts[-1] += " ✓" if model == truth else " ✗"
        if answer is not None:
            parts.append(f"you {label(answer)}" + ((" ✓" if answer == truth else " ✗") if truth else ""))
        self.set_blind(False)
        w.statusBar().clearMessage()  # "your answer … (R reveals)" is answered now
        held, w.session.hidden_messages = w.session.hidden_messages, []
        w.message_bar.show_message(" · ".join(parts + held), level="info")

    # -- quiz -------------------------------------------------------------------------------------
    def ask_quiz(self) -> None:
        """Ask for a folder, a number of records and a student, then start the quiz."""
        folder = QtWidgets.QFileDialog.getExistingDirectory(self.window, "Quiz on a folder",
                                                            self.window.settings.value("last_folder", ""))
        if not folder:
            return
        n, ok = QtWidgets.QInputDialog.getInt(self.window, "Quiz", "Number of records:", 10, 1, 10_000)
        if not ok:
            return
        seed, ok = QtWidgets.QInputDialog.getInt(self.window, "Quiz", "Seed (the same seed, the same order):",
                                                 1, 0, 2**31 - 1)
        if not ok:
            return
        student, ok = QtWidgets.QInputDialog.getText(self.window, "Quiz", "Student's name (on the score sheet):")
        if ok:
            self.start_quiz(Path(folder), n, seed, student=" ".join(student.split()))

    def start_quiz(self, folder: Path, n: int, seed: int, student: str = "") -> bool:
        """Start a quiz of ``n`` records of ``folder`` drawn with ``seed``; False when it cannot start (said)."""
        if not self.window.marks.may_leave():
            return False
        try:
            index = index_folder(folder)
        except RecordError as err:
            self.window.show_error(str(err))
            return False
        if not index.records:
            self.window.show_error(f"{folder}: no records to quiz on")
            return False
        entries = index.records
        self.quiz = Quiz.draw([e.path for e in entries], n, seed, truths=[quiz_truth(e.truth) for e in entries],
                              subjects=[e.subject for e in entries], student=student)
        self.set_blind(True)
        self._open_current()
        return True

    def _open_current(self) -> None:
        quiz = self.quiz
        while not quiz.done and not self.window.open_record(quiz.current.path):
            quiz.skip("could not be opened")  # said (after the reveal); never scored as another record
        if quiz.done:
            self._finish()
            return
        self.window.statusBar().showMessage(
            f"quiz: record {quiz.position + 1} of {len(quiz.items)}: answer 1 normal, 2 myopathy, "
            f"3 ALS / neurogenic")

    def record_failed(self) -> None:
        """A quiz record loading in the background failed: it is skipped, not scored."""
        if self.quiz is not None and not self.quiz.done:
            self.quiz.skip("could not be opened")
            self._open_current()

    def _finish(self) -> None:
        score = self.quiz.score()
        self.quiz = None
        self.set_blind(False)
        self.window.statusBar().clearMessage()
        held, self.window.session.hidden_messages = self.window.session.hidden_messages, []
        self.window.message_bar.show_message(" · ".join([f"Quiz over: {score.summary()}", *held]), level="info")
        self.quizFinished.emit(score)
        if not self.window.property("noDialogs"):
            ScoreDialog(score, self.window).exec()


def _is_record_of(record, path: Path) -> bool:
    """Whether ``record`` was read from ``path`` (its header or its data file)."""
    try:
        return any(candidate is not None and Path(candidate).resolve() == Path(path).resolve()
                   for candidate in (record.opened_path, record.source_path))
    except OSError:
        return False


def _marked(text: str, right: bool, known: bool) -> str:
    return f"{'✓' if right else '✗'} {text}" if known else text


class ScoreDialog(QtWidgets.QDialog):
    """The score sheet on screen, with its PDF and CSV exports."""

    def __init__(self, score, parent) -> None:
        super().__init__(parent)
        self.score = score
        self.setWindowTitle("Quiz score sheet")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel(score.summary()))
        self.problem = QtWidgets.QLabel("")
        self.problem.setStyleSheet("color: #b71c1c")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        rows = score.items
        table = QtWidgets.QTableWidget(len(rows), 4)
        table.setHorizontalHeaderLabels(("record", "truth", "you", "model"))
        for r, item in enumerate(rows):
            known = item.truth is not None and item.skipped is None
            cells = (item.name, label(item.truth) if item.skipped is None else item.skipped,
                     _marked(label(item.answer), item.answer == item.truth, known),
                     _marked(item.model_statement, item.model == item.truth, known))
            for c, text in enumerate(cells):
                cell = QtWidgets.QTableWidgetItem(text)
                if c >= 2 and known:  # each answer marked right or wrong, in colour
                    right = (item.answer if c == 2 else item.model) == item.truth
                    cell.setForeground(QtGui.QColor(AGREES_COLOUR if right else DIFFERS_COLOUR))
                table.setItem(r, c, cell)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        self.table = table
        buttons = QtWidgets.QHBoxLayout()
        for text, slot in (("Export PDF…", self.export_pdf), ("Export CSV…", self.export_csv), ("Close", self.accept)):
            button = QtWidgets.QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        # Wide enough for every column (the model's statement was cut at 640 px).
        width = sum(table.columnWidth(c) for c in range(4)) + table.verticalHeader().width() + 60
        self.resize(min(max(640, width), 1200), 460)

    def export_pdf(self, path: str | None = None) -> bool:
        """Write the score sheet as PDF (asking where without ``path``); False when it could not be written."""
        path = path or QtWidgets.QFileDialog.getSaveFileName(self, "Score sheet", "quiz.pdf", "PDF (*.pdf)")[0]
        if not path:
            return False
        from emgviewer.report.score_sheet import score_sheet_pdf  # reportlab on first use

        return self._write(path, lambda: atomic_write_bytes(Path(path), score_sheet_pdf(self.score), overwrite=True))

    def export_csv(self, path: str | None = None) -> bool:
        """Write the score sheet as CSV (asking where without ``path``); False when it could not be written."""
        path = path or QtWidgets.QFileDialog.getSaveFileName(self, "Score sheet", "quiz.csv", "CSV (*.csv)")[0]
        if not path:
            return False
        return self._write(path, lambda: atomic_write_text(Path(path), self.score.csv_text(), overwrite=True))

    def _write(self, path: str, write) -> bool:
        """Write the sheet; a folder that refuses it is said in the dialog, which stays open so
        the sheet can go elsewhere."""
        try:
            write()
        except OSError as err:
            self.problem.setText(f"{path}: not written ({err.strerror or err}); choose another folder")
            self.problem.show()
            return False
        self.problem.hide()
        return True
