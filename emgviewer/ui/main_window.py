"""The main window: a view over one :class:`~emgviewer.session.ViewerSession`. It builds the
widgets (emgviewer.ui.window_layout), the menus, and redraws when the session says so; the
record, the model, the results and the order of the background work live in the session."""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.display import scales
from emgviewer.display.overlay import ribbon_windows, windows_from
from emgviewer.display.tooltips import window_tooltip
from emgviewer.inference import ModelError, load_model
from emgviewer.inference.caveats import assess, model_cautions
from emgviewer.records import RecordError, index_folder
from emgviewer.session import ViewerSession
from emgviewer.ui import exports, help_dialogs, window_geometry, window_layout, window_menus
from emgviewer.ui.filters import FilterController
from emgviewer.ui.folder_job import FolderReportJob
from emgviewer.ui.folder_view import FolderClassification
from emgviewer.ui.jobs import QtJobRunner
from emgviewer.ui.marks import MarksController
from emgviewer.ui.message_bar import NO_MODEL_MESSAGE
from emgviewer.ui.muap_view import MuapView
from emgviewer.ui.result_view import LEGEND_TOOLTIP, legend_html, record_line, verdict_html
from emgviewer.ui.shortcuts import Actions
from emgviewer.ui.sound import SoundController
from emgviewer.ui.teaching import TeachingController
from emgviewer.ui.trace_commands import TraceCommands

log = logging.getLogger("emgviewer.ui")


def _session_field(name: str) -> property:
    """An attribute of the window that reads and writes ``window.session.<name>``."""
    return property(lambda self: getattr(self.session, name), lambda self, value: setattr(self.session, name, value))


class MainWindow(QtWidgets.QMainWindow):
    """The main window: widgets over a :class:`ViewerSession`, redrawn on its events."""

    classificationShown = QtCore.Signal()
    comparisonShown = QtCore.Signal()  # a second model's ribbon is drawn (Analysis → Compare with model)
    muapsShown = QtCore.Signal()  # the MUAP panel shows the record's analysis (or why there is none)
    warmedUp = QtCore.Signal()  # the analyses' imports are done (QtJobRunner.warm_up)
    loadFailed = QtCore.Signal(str)  # a record read in the background could not be opened (the message)

    # What the session holds, under the names the helpers and tests read.
    record, model, result, muaps = (_session_field(n) for n in ("record", "model", "result", "muaps"))
    selected, hop_s, blind = (_session_field(n) for n in ("selected", "hop_s", "blind"))
    hidden_messages, read_options, kept = (_session_field(n) for n in ("hidden_messages", "read_options", "kept"))

    def __init__(self, settings: QtCore.QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QtCore.QSettings("emgviewer", "emgviewer")
        self.setWindowTitle("emgviewer")
        self.setAcceptDrops(True)
        self.session = ViewerSession()
        self.jobs = QtJobRunner(self.session, self)
        self.session.runner = self.jobs
        self.jobs.warmedUp.connect(self.warmedUp)
        # On the first turn of the event loop: by then a launch has held work for its first frame.
        QtCore.QTimer.singleShot(0, lambda: self.session.after_release(self.jobs.warm_up))
        window_layout.build_central(self)
        window_layout.build_docks(self)
        window_layout.build_status(self)
        self.action_maker = Actions(self)
        self.filters = FilterController(self)
        self.sound = SoundController(self)
        self.marks = MarksController(self)
        self.teaching = TeachingController(self)
        self.commands = TraceCommands(self.trace, self.session)
        self.folder = FolderClassification(self.browser, self.session, self.jobs)
        self.muap_view = MuapView(self.session, self.trace, self.muap_overlay, self.muap_panel, self.muap_dock,
                                  self.status_calipers)
        self.muap_view.shown.connect(self.muapsShown)
        window_menus.build_menus(self)
        self._connect()
        self._restore_settings()

    def _connect(self) -> None:
        """The widgets' requests to the session, and the session's events to the widgets."""
        self.trace.tooltip_for = self._tooltip
        self.trace.rangeChanged.connect(self._range_changed)
        self.trace.windowClicked.connect(lambda index: self.select_window(index, reveal=False))
        self.overview.navigate.connect(self.trace.set_start)
        self.inspector.previousRequested.connect(lambda: self.step_window(-1))
        self.inspector.nextRequested.connect(lambda: self.step_window(+1))
        self.browser.recordActivated.connect(self.open_record)
        events = self.session.events
        events.message.connect(self.message_bar.show_message)
        events.message_hidden.connect(lambda: self.statusBar().showMessage(
            "a message about this record is hidden until you reveal (R)", 5000))
        events.loading.connect(self._loading)
        events.load_failed.connect(self._load_failed)
        events.record_shown.connect(self._record_shown)
        events.model_changed.connect(self._model_changed)
        events.cancelled.connect(self.comparison.cancel)
        events.classification_cleared.connect(self._classification_cleared)
        events.no_model.connect(self._no_model)
        events.classifying.connect(self._classifying)
        events.progress.connect(self._progress)
        events.partial.connect(self._partial)
        events.classified.connect(self._classified)
        events.classification_failed.connect(self._classification_failed)
        events.classification_settled.connect(self.classificationShown.emit)
        events.selected.connect(self._selected)
        events.saliency_ready.connect(self.inspector.show_saliency)
        events.saliency_absent.connect(self.inspector.saliency_absent)

    # -- opening ----------------------------------------------------------------------------------
    def open_path(self, path: str | Path) -> None:
        """Open a record, or a folder in the browser."""
        path = Path(path)
        if path.is_dir():
            self.open_folder(path)
        else:
            self.open_record(path)

    def open_record(self, path: str | Path) -> bool:
        """Open a record, once unsaved marks are dealt with (a long one loads in the background)."""
        return self.marks.may_leave() and self.session.open_record(Path(path))

    def open_folder(self, path: str | Path) -> bool:
        """Open a folder in the browser and its first record; False when it cannot be read (said)."""
        if not self.marks.may_leave():
            return False
        try:
            index = index_folder(path)
        except RecordError as err:
            self.show_error(str(err))
            return False
        self._remember_browser_width()
        self.browser.set_index(index)
        self.browser_dock.show()
        # After the dock is laid out (a resize before is ignored, and it opened 145 px wide).
        QtCore.QTimer.singleShot(0, self.size_browser)
        self.settings.setValue("last_folder", str(path))
        for problem in index.problems[:3]:
            self.show_error(str(problem))
        if index.records:
            self.open_record(index.records[0].path)
        return True

    def set_model(self, path: str | Path | None) -> bool:
        """Use the model in ``path`` (``None``: none); False when it cannot be loaded (said)."""
        if path is None:
            self.session.set_model(None)
            return False
        try:
            model = load_model(path, force_cpu=self.settings.value("force_cpu", False, type=bool))
        except ModelError as err:
            self.show_error(str(err))
            return False
        self.session.set_model(model)
        return True

    def show_error(self, text: str) -> None:
        """Say an error or notice in the message bar (held back while blind)."""
        self.session.say(text)

    def _loading(self, path: Path, size: int) -> None:
        self.sound.stop()
        shown = "the record" if self.blind else path.name  # a file name gives a quiz's answer away
        self.trace.clear_classification(f"loading {shown} ({size / 2**20:.0f} MB)…")
        self.statusBar().showMessage(f"loading {shown}…")

    def _load_failed(self, message: str) -> None:
        self.loadFailed.emit(message)
        self.statusBar().clearMessage()
        self.trace.set_ribbon_message("")
        self.show_error(message)
        self.teaching.record_failed()

    def _record_shown(self, record, path: Path, pyramid) -> None:
        if pyramid is not None:  # read in the background: "loading…" is over
            self.statusBar().clearMessage()
        self.sound.stop()
        # The reader's gain and time base stay across records (F fits the gain to this one).
        self.trace.set_record(record, fit_sensitivity=False, pyramid=pyramid)
        self.overview.set_record(record, self.trace.pyramid)
        self.muap_overlay.set_record(record.signal_uv, record.fs_hz)
        self.inspector.clear()
        self.message_bar.hide()
        if self.blind:
            self.teaching.hide_answers()
        else:
            self.recent.remember(Path(path))
            self._name_record(record)
            self.browser.show_current(record.name)
        self.filters.refresh()
        self.marks.record_opened(record)

    def _name_record(self, record) -> None:
        self.status_record.setText(record_line(record))
        self.setWindowTitle(f"{record.name} — emgviewer")

    def _model_changed(self, model) -> None:
        if model is None:
            self.model_menu.refresh()
            self.status_model.setText("no model")
            self.legend.setText("")
            self.trace.clear_classification(NO_MODEL_MESSAGE)
            return
        self.model_menu.remember(model.path)
        card = model.card
        self.legend.setText(legend_html(card))
        self.legend.setToolTip(LEGEND_TOOLTIP)
        self.status_model.setText(f"{card.name} {card.version} [{model.path.name}] · {model.provider_label}")
        self.status_model.setToolTip(str(model.path))
        self.browser.forget_verdicts()

    # -- classification ---------------------------------------------------------------------------
    def classify_current(self) -> None:
        """Classify the shown record again."""
        self.session.classify()

    def _classification_cleared(self) -> None:
        self.comparison.clear()  # drawn again once this classification is shown
        self.status_time.setText("")  # the last record's timing and verdict must not stay beside this one
        self.status_time.setToolTip("")

    def _no_model(self) -> None:
        self.trace.clear_classification(NO_MODEL_MESSAGE)
        self.say_verdict("Verdict: none (no model)")
        self.overview.set_ribbon(None)

    def _classifying(self, model) -> None:
        self.trace.clear_classification("classifying…")
        if not self.blind:
            self.say_verdict(f"Verdict: classifying with {escape(model.card.name)}…")
        self.overview.set_ribbon(None)
        self.progress.setValue(0)
        self.progress.show()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _partial(self, payload) -> None:
        starts, stops, probabilities, valid, apart = payload
        card = self.model.card
        hop = card.input.hop_or_card(self.hop_s)
        self.trace.set_classification(windows_from(starts, stops, probabilities, valid, card, hop, outside=apart))
        self.overview.set_ribbon(windows_from(starts, stops, probabilities, valid, card, hop, collapse=True, outside=apart))
        self.trace.set_ribbon_message("")

    def _classification_failed(self, message: str) -> None:
        self.progress.hide()
        self.trace.clear_classification("classification failed: see the message above")

    def _classified(self, result) -> None:
        self.progress.hide()
        if self.blind:
            self.teaching.hide_answers()  # the ribbon keeps saying it is hidden, not "classifying…"
        else:
            self.present_result()

    def say_verdict(self, html: str, tooltip: str = "") -> None:
        """The verdict line above the trace (rich text), and its small print as the tooltip."""
        self.verdict_label.setText(html)
        self.verdict_label.setToolTip(tooltip)

    def present_result(self) -> None:
        """Show the classification: ribbon, verdict, cautions, browser row, first valid window."""
        result = self.result
        self.trace.set_classification(ribbon_windows(result))
        self.overview.set_ribbon(ribbon_windows(result, collapse=True))
        self.legend.setText(legend_html(result.model.card, outside=result.drawn_apart))
        assessment = assess(result)
        statement = assessment.statement
        # A learned verdict can differ from the colours' majority: say so where it is read.
        kind = "learned verdict" if result.verdict.learned else "verdict"
        summary = f"{kind}: {statement.short}" + (" · seen in training" if assessment.seen else "")
        self.status_time.setText(f"{result.n_windows} windows in {result.elapsed_s * 1e3:.0f} ms · {summary}")
        self.status_time.setToolTip(statement.detail)
        self.say_verdict(verdict_html(statement, kind, assessment.seen, result, assessment.explanation),
                         statement.detail)
        self._name_record(result.record)
        cautions = model_cautions(result.model.card) + assessment.sentences()
        if cautions:
            self.message_bar.show_message(f"{result.record.name}, read with care: " + " · ".join(cautions),
                                          level="caution")
        if self.browser.index is not None:
            self.browser.set_record_assessment(assessment, result.model.card)
            self.browser.fit_columns()
        # The window at the centre of the screen: re-classifying never moves the view.
        start, stop = self.trace.visible_range()
        centres = (result.starts_s + result.stops_s) / 2
        order = np.argsort(np.abs(centres - (start + stop) / 2) + np.where(result.valid, 0.0, 1e9))
        self.select_window(int(order[0]) if order.size else 0, reveal=False)
        self.comparison.run()  # queued behind the selected window's saliency

    def classify_all(self) -> None:
        """Classify every record of the open folder (the browser's button)."""
        self.folder.start()

    # -- the first frame --------------------------------------------------------------------------
    def hold_until_first_frame(self) -> None:
        """Until the trace is first painted, background work (the MUAP analysis, and what
        :meth:`after_first_frame` is given) waits: at launch it would compete with the first
        frame for the interpreter."""
        self.session.hold()
        self.trace.viewport().installEventFilter(self)

    def after_first_frame(self, action) -> None:
        """Run ``action`` once the trace has been painted (at once when nothing is held)."""
        self.session.after_release(action)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Notice the trace's first paint, to release the work held for it."""
        if event.type() == QtCore.QEvent.Type.Paint and self.session.holding:
            watched.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, self.session.release)  # after this paint, not before
        return super().eventFilter(watched, event)

    # -- windows ----------------------------------------------------------------------------------
    def select_window(self, index: int | None, reveal: bool = True) -> None:
        """Select a window; ``reveal`` scrolls it onto the screen (stepping does, a click not)."""
        self.session.select(index, reveal)

    def step_window(self, direction: int) -> None:
        """Select the next (``+1``) or previous (``-1``) window."""
        self.session.step(direction)

    def _selected(self, index: int, reveal: bool) -> None:
        self.trace.select_window(index, reveal)
        self.overview.set_selected(index)
        self.inspector.show_window(self.result, index)

    def _tooltip(self, index: int) -> str:
        return "" if self.result is None or self.blind else window_tooltip(self.result, index)

    # -- geometry and help ------------------------------------------------------------------------
    def fit_to_screen(self) -> None:
        """Keep the window within the screen it is on."""
        window_geometry.fit_to_screen(self)

    def size_docks(self) -> None:
        """Give the inspector about a third of the width."""
        window_geometry.size_docks(self, self.inspector_dock)

    def size_browser(self) -> None:
        """The dataset browser as wide as the reader last left it, else as its columns need."""
        remembered = self.settings.value("browser_width", 0, type=int)
        wanted = remembered if remembered > 0 else self.browser.preferred_width()
        window_geometry.size_browser(self, self.browser_dock, self.inspector_dock, wanted)

    def _remember_browser_width(self) -> None:
        if self.browser_dock.isVisible() and not self.browser_dock.isFloating():
            self.settings.setValue("browser_width", self.browser_dock.width())

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts."""
        self.shortcuts_dialog = help_dialogs.shortcuts_dialog(self)  # kept for tests and screenshots
        self.shortcuts_dialog.show()

    def show_about(self) -> None:
        """Help → About."""
        self.about_box = help_dialogs.about_box(self, self.model)  # kept for tests and screenshots
        self.about_box.show()

    def _range_changed(self, start: float, stop: float) -> None:
        self.overview.show_range(start, stop)
        self.muap_overlay.place_ticks(self.trace.half_range_uv)
        self.scale_label.setText(f"{self.trace.timebase_ms:g} ms/div · {self.trace.sensitivity_uv:g} µV/div · "
                                 f"{start:.3f}–{stop:.3f} s")
        self.settings.setValue("timebase_ms", self.trace.timebase_ms)
        self.settings.setValue("sensitivity_uv", self.trace.sensitivity_uv)

    # -- exports ----------------------------------------------------------------------------------
    def export_pdf(self, path: Path, overwrite: bool = False) -> bool:
        """Write the shown record's PDF report to ``path``; False when it could not be written (said)."""
        return exports.export_pdf(self, path, overwrite)

    def export_folder_report(self, path: Path, summary_only: bool, records: bool = False) -> FolderReportJob | None:
        """Write the open folder's report in the background; the job, or ``None``."""
        return exports.export_folder_report(self, path, summary_only, records)

    # -- settings, closing, drag and drop ------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        timebase = float(self.settings.value("timebase_ms", scales.DEFAULT_TIMEBASE_MS))
        sensitivity = float(self.settings.value("sensitivity_uv", scales.DEFAULT_SENSITIVITY_UV))
        self.trace.timebase_ms = scales.nearest(scales.TIMEBASE_MS, timebase)
        self.trace.sensitivity_uv = scales.nearest(scales.SENSITIVITY_UV, sensitivity)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Ask about unsaved marks, stop the work, save the geometry, then close."""
        if not self.marks.may_leave():
            event.ignore()
            return
        self.session.cancel_jobs()
        self.settings.setValue("geometry", self.saveGeometry())
        self._remember_browser_width()
        self.sound.stop()
        if not self.jobs.stop_all(3000):
            log.warning("a background job was still running 3 s after the window closed")
        self.filters.wait()
        super().closeEvent(event)

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        """Accept files dragged onto the window."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        """Open the first file dropped."""
        urls = event.mimeData().urls()
        if urls:
            self.open_path(urls[0].toLocalFile())
