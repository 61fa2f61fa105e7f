"""The main window: menus, trace, overview, inspector and browser docks, status bar."""

from __future__ import annotations

import glob
import logging
from html import escape
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer import __version__
from emgviewer.display import scales
from emgviewer.display.overlay import ribbon_windows, windows_from
from emgviewer.display.state import ViewerState
from emgviewer.display.tooltips import window_tooltip
from emgviewer.inference import ModelError, load_model
from emgviewer.inference.caveats import assess, model_cautions
from emgviewer.inference.reuse import ClassificationCache
from emgviewer.memory import release_memory
from emgviewer.records import RecordError, index_folder, read_record
from emgviewer.records.formats import dialog_filter
from emgviewer.records.record import Record
from emgviewer.ui import exports
from emgviewer.ui.browser import DatasetBrowser
from emgviewer.ui.comparison import ModelComparison
from emgviewer.ui.filters import FilterController
from emgviewer.ui.folder_job import FolderJob, FolderReportJob
from emgviewer.ui.inspector import WindowInspector
from emgviewer.ui.marks import MarksController
from emgviewer.ui.message_bar import NO_MODEL_MESSAGE, MessageBar
from emgviewer.ui.model_menu import ModelMenu
from emgviewer.ui.muap_overlay import MuapOverlay
from emgviewer.ui.muap_panel import MuapPanel
from emgviewer.ui.overview import OverviewStrip
from emgviewer.ui.shortcuts import ANALYSIS_SHORTCUTS, SHORTCUTS, shortcut_help_text
from emgviewer.ui.sound import SoundController, export_audio
from emgviewer.ui.teaching import TeachingController
from emgviewer.ui.trace_view import TraceView
from emgviewer.ui.workers import ClassifyJob, LoadJob, MuapJob, SaliencyJob, WarmUpJob

MAX_RECENT = 8
#: Records larger than this on disk (about 10 min of N2001) load off the UI thread.
LOAD_IN_BACKGROUND_BYTES = 50 * 2**20
#: The inspector's close-up and probabilities stay legible down to this width.
INSPECTOR_MIN_WIDTH = 370

log = logging.getLogger("emgviewer.ui")


def verdict_html(statement, kind: str, seen: bool, result) -> str:
    """"Verdict: ALS / neurogenic 0.72" in the class colour, then what it weighed, whether the
    model saw this person, the model and the time it took."""
    said = f'<b style="color:{statement.colour}">{escape(statement.short)}</b>'
    notes = [kind] + (["seen in training: not evidence"] if seen else [])
    card = result.model.card
    return (f"Verdict: {said} <span style='color:#555'>({escape('; '.join(notes))}) · {escape(card.name)} "
            f"{escape(card.version)} · {result.n_windows} windows in {result.elapsed_s:.1f} s</span>")


def _state_field(name: str) -> property:
    """An attribute of the window that reads and writes ``window.state.<name>``."""
    return property(lambda self: getattr(self.state, name), lambda self, value: setattr(self.state, name, value))


def _bytes_on_disk(path: Path) -> int:
    """The record's size: the file and, for a WFDB header, its data files beside it."""
    try:
        size = path.stat().st_size
        if path.suffix.lower() == ".hea":
            size += sum(p.stat().st_size for p in path.parent.glob(f"{glob.escape(path.stem)}.*")
                        if p.suffix.lower() != ".hea")
        return size
    except OSError:
        return 0


class MainWindow(QtWidgets.QMainWindow):
    classificationShown = QtCore.Signal()
    comparisonShown = QtCore.Signal()  # a second model's ribbon is drawn (Analysis → Compare with model)
    muapsShown = QtCore.Signal()  # the MUAP panel shows the record's analysis (or why there is none)
    warmedUp = QtCore.Signal()  # the analyses' imports are done (see _warm_up)
    loadFailed = QtCore.Signal(str)  # a record read in the background could not be opened (the message)

    # The window's view of its state (emgviewer.display.state): kept in one Qt-free object that
    # the exports and tests read, under the names the window's code has always used.
    record = _state_field("record")
    model = _state_field("model")
    result = _state_field("result")
    muaps = _state_field("muaps")
    selected = _state_field("selected")
    hop_s = _state_field("hop_s")
    generation = _state_field("generation")

    def __init__(self, settings: QtCore.QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QtCore.QSettings("emgviewer", "emgviewer")
        self.setWindowTitle("emgviewer")
        self.setAcceptDrops(True)
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        # MUAP analysis has its own thread: it runs beside the classification, not after it.
        self.muap_pool = QtCore.QThreadPool(self)
        self.muap_pool.setMaxThreadCount(1)
        self.muap_job: MuapJob | None = None
        self._muaps_after_classification = False
        self.load_pool = QtCore.QThreadPool(self)  # long records are read here, one at a time
        self.load_pool.setMaxThreadCount(1)
        # "Classify all" and the folder report: the window's own pool, so closing it cancels them
        # and waits for them (the global pool is never waited for).
        self.folder_pool = QtCore.QThreadPool(self)
        self.folder_pool.setMaxThreadCount(1)
        self.loading_job: LoadJob | None = None
        # Which background load is wanted: a new open or a shown record makes older ones stale.
        # Its own count, not the classification's generation: a model loaded meanwhile (at
        # launch, after the first frame) starts a classification and must not drop the load.
        self._load_serial = 0
        #: How records are read (``channel``, ``fs_hz``: the command line's --channel and --fs-hz).
        self.read_options: dict = {}
        self.state = ViewerState()  # record, model, result, MUAPs, selection, hop, generation
        self.job: ClassifyJob | None = None
        self.saliency_job: SaliencyJob | None = None
        self.folder_job: FolderJob | None = None
        self.report_job: FolderReportJob | None = None
        self.kept = ClassificationCache()  # "Classify all" results, reused by the folder report
        self.blind = False  # teaching: nothing that gives the answer away is shown
        self.hidden_messages: list[str] = []  # errors held back while blind
        self._messages: list[str] = []  # the last classification's warnings, shown when not blind
        self._before_first_frame: list | None = None  # work held until the trace is painted (a launch)
        self.warm_up_job: WarmUpJob | None = None
        # On the first turn of the event loop: by then a launch has held work for its first frame.
        QtCore.QTimer.singleShot(0, self._schedule_warm_up)
        self._build_central()
        self._build_docks()
        self._build_status()
        self.filters = FilterController(self)
        self.sound = SoundController(self)
        self.marks = MarksController(self)
        self.teaching = TeachingController(self)
        self._build_actions()
        self._restore_settings()

    # -- construction ---------------------------------------------------------------------------
    def _build_central(self) -> None:
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        self.message_bar = MessageBar()
        self.trace = TraceView()
        self.trace.tooltip_for = self._tooltip
        self.overview = OverviewStrip()
        self.scale_label = QtWidgets.QLabel("")
        self.legend = QtWidgets.QLabel("")
        for label in (self.scale_label, self.legend):  # long texts must not set the window's minimum width
            label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.legend.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.legend.setWordWrap(True)  # wraps on a narrow window instead of clipping "invalid"
        self.scale_label.setWordWrap(True)  # "100 ms/div · 200 µV/div · 0.000–1.000 s" whole beside the browser
        header = QtWidgets.QHBoxLayout()
        header.addWidget(self.scale_label, 2)
        header.addWidget(self.legend, 3)
        # The record's verdict, model and timing in the layout, above the trace: a laptop's
        # screen can push the status bar off its bottom edge, never this line.
        self.verdict_label = QtWidgets.QLabel("")
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.verdict_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.verdict_label.setWordWrap(True)  # a narrow trace (a laptop, the browser open): two lines, never cut
        layout.addWidget(self.message_bar)
        layout.addWidget(self.verdict_label)
        layout.addLayout(header)
        layout.addWidget(self.trace, 1)
        layout.addWidget(self.overview)
        self.setCentralWidget(central)
        self.trace.rangeChanged.connect(self._range_changed)
        self.muap_overlay = MuapOverlay(self.trace.trace_plot)
        self.trace.windowClicked.connect(lambda index: self.select_window(index, reveal=False))
        self.overview.navigate.connect(self.trace.set_start)

    def _build_docks(self) -> None:
        self.inspector = WindowInspector()
        self.inspector.previousRequested.connect(lambda: self.step_window(-1))
        self.inspector.nextRequested.connect(lambda: self.step_window(+1))
        self.inspector_dock = QtWidgets.QDockWidget("Window inspector", self)
        self.inspector_dock.setObjectName("inspector")
        self.inspector_dock.setWidget(self.inspector)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.inspector_dock)
        self.muap_panel = MuapPanel()
        self.muap_dock = QtWidgets.QDockWidget("MUAP analysis", self)
        self.muap_dock.setObjectName("muap")
        self.muap_dock.setWidget(self.muap_panel)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.muap_dock)
        self.tabifyDockWidget(self.inspector_dock, self.muap_dock)
        self.inspector_dock.raise_()
        self.muap_panel.triggerChanged.connect(self._trigger_changed)
        self.muap_overlay.triggerLevelChanged.connect(lambda level: self.muap_panel.set_trigger(True, level))
        self.muap_overlay.calipersMoved.connect(lambda text: self.status_calipers.setText(f"calipers: {text}"))
        self.browser = DatasetBrowser()
        self.browser.recordActivated.connect(self.open_record)
        self.browser.classifyAllRequested.connect(self.classify_all)
        self.browser_dock = QtWidgets.QDockWidget("Dataset", self)
        self.browser_dock.setObjectName("browser")
        self.browser_dock.setWidget(self.browser)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, self.browser_dock)
        self.browser_dock.hide()

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.status_record = QtWidgets.QLabel("no record")
        self.status_record.setMinimumWidth(1)
        self.status_model = QtWidgets.QLabel("no model")
        self.status_time = QtWidgets.QLabel("")
        self.status_calipers = QtWidgets.QLabel("")  # Δt and ΔV while the calipers are shown
        self.status_calipers.hide()
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        for widget in (self.status_record, self.status_model, self.status_time, self.status_calipers):
            bar.addWidget(widget)
        bar.addPermanentWidget(self.progress)

    def _action(self, menu: QtWidgets.QMenu, text: str, slot, shortcut: str | None = None) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut:
            action.setShortcuts([QtGui.QKeySequence(s) for s in shortcut.split("|")])
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "Open record…", self._ask_record, "Ctrl+O")
        self._action(file_menu, "Open folder…", self._ask_folder, "Ctrl+Shift+O")
        self._action(file_menu, "Open model…", self._ask_model, "Ctrl+M")
        self.model_menu = ModelMenu(self, file_menu.addMenu("Models"))
        self.recent_menu = file_menu.addMenu("Recent files")
        file_menu.addSeparator()
        # What would name the record or show the model's answer: off while blind (teaching).
        self.revealing_actions = [
            self._action(file_menu, "Export PDF report…", lambda: exports.ask_export_pdf(self), "Ctrl+P"),
            self._action(file_menu, "Export windows as CSV…", lambda: exports.ask_export_csv(self)),
            self._action(file_menu, "Export folder report…", lambda: exports.ask_folder_report(self)),
            self._action(file_menu, "Export audio…", lambda: export_audio(self)),
        ]
        view = self.menuBar().addMenu("&View")
        for key, (text, method, argument) in SHORTCUTS.items():
            self._action(view, text, self._bind(method, argument), key)
        presets = view.addMenu("Presets")
        for name, timebase, sensitivity in scales.PRESETS:
            entry = presets.addAction(f"{name}: {timebase} ms/div · {sensitivity} µV/div")
            entry.triggered.connect(lambda _checked=False, t=timebase, v=sensitivity: self.apply_preset(t, v))
        analysis = self.menuBar().addMenu("&Analysis")
        self._action(analysis, "Window length and hop…", self._ask_geometry)
        self._action(analysis, "Re-classify", self.classify_current, "Ctrl+R")
        compare_menu = analysis.addMenu("Compare with model")
        self.comparison = ModelComparison(self, compare_menu)
        self.revealing_actions.append(compare_menu.menuAction())
        analysis.addSeparator()
        tools = {key: self._action(analysis, text, getattr(self, method), key)
                 for key, (text, method) in ANALYSIS_SHORTCUTS.items()}
        self.markers_action, self.calipers_action, self.trigger_action = tools["M"], tools["C"], tools["T"]
        for action in tools.values():
            action.setCheckable(True)
        self.markers_action.setChecked(True)
        self._action(analysis, "MUAP panel", self.show_muap_panel, "U")
        self.filters.build_menu(view)
        self.sound.build_menu(view)
        self.marks.build_menu(analysis)
        self.teaching.build_menu(file_menu, view)
        view.addSeparator()
        view.addAction(self.inspector_dock.toggleViewAction())
        view.addAction(self.browser_dock.toggleViewAction())
        self.revealing_actions += [self.inspector_dock.toggleViewAction(), self.browser_dock.toggleViewAction()]
        view.addAction(self.muap_dock.toggleViewAction())
        file_menu.addSeparator()  # Quit last, below the quiz
        self._action(file_menu, "Quit", self.close, "Ctrl+Q")
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("Keyboard shortcuts (?)").triggered.connect(lambda: self.show_shortcuts())
        help_menu.addAction("About emgviewer…").triggered.connect(lambda: self.show_about())
        self._refresh_recent()

    def _bind(self, method: str, argument):
        return lambda: getattr(self, method)(argument) if argument is not None else getattr(self, method)()

    # -- opening ----------------------------------------------------------------------------------
    def open_path(self, path: str | Path) -> None:
        path = Path(path)
        if path.is_dir():
            self.open_folder(path)
        else:
            self.open_record(path)

    def open_record(self, path: str | Path) -> bool:
        """Open a record: at once when small; a long one (over ``LOAD_IN_BACKGROUND_BYTES`` on
        disk) is read and prepared in the background while the window stays responsive."""
        path = Path(path)
        if not self.marks.may_leave():
            return False
        size = _bytes_on_disk(path)
        if size > LOAD_IN_BACKGROUND_BYTES:
            return self._load_in_background(path, size)
        try:
            record = read_record(path, **self.read_options)
        except RecordError as err:
            self.show_error(str(err))
            return False
        self._show_record(record, path)
        return True

    def _name_record(self, record: Record) -> None:
        """The record's name, rate, length, units and quality in the status bar and the title."""
        quality = f" — {'; '.join(record.quality.warnings)}" if record.quality.warnings else ""
        units = "µV" if record.calibrated else "raw units (uncalibrated)"
        self.status_record.setText(f"{record.name} · {record.fs_hz:g} Hz · {record.duration_s:.2f} s · {units}{quality}")
        self.setWindowTitle(f"{record.name} — emgviewer")

    def _load_in_background(self, path: Path, size: int) -> bool:
        self._cancel_jobs()
        self.sound.stop()
        self._load_serial += 1
        self.loading_job = job = LoadJob(self._load_serial, path, self.read_options)
        job.signals.finished.connect(lambda generation, payload: self._loaded(generation, payload, path))
        job.signals.failed.connect(self._load_failed)
        shown = "the record" if self.blind else path.name  # a file name gives a quiz's answer away
        self.trace.clear_classification(f"loading {shown} ({size / 2**20:.0f} MB)…")
        self.statusBar().showMessage(f"loading {shown}…")
        self.load_pool.start(job)
        return True

    def _loaded(self, serial: int, payload, path: Path) -> None:
        if serial != self._load_serial:
            return  # another record was opened meanwhile
        self.loading_job = None
        self.statusBar().clearMessage()
        record, pyramid = payload
        self._show_record(record, path, pyramid)

    def _load_failed(self, serial: int, message: str) -> None:
        if serial == self._load_serial:
            self.loading_job = None
            self.loadFailed.emit(message)
            self.statusBar().clearMessage()
            self.trace.set_ribbon_message("")
            self.show_error(message)
            self.teaching.record_failed()

    def _show_record(self, record: Record, path: Path, pyramid=None) -> None:
        self._load_serial += 1  # a long record still loading is no longer wanted
        self.loading_job = None
        self._cancel_jobs()
        self.sound.stop()
        self.state.show_record(record)
        # The reader's gain and time base stay across records (F fits the gain to this one).
        self.trace.set_record(record, fit_sensitivity=False, pyramid=pyramid)
        self.overview.set_record(record, self.trace.pyramid)
        self.muap_overlay.set_record(record.signal_uv, record.fs_hz)
        self.inspector.clear()
        self.message_bar.hide()
        if self.blind:
            self.teaching.hide_answers()
        else:
            self._remember(Path(path))
            self._name_record(record)
            self.browser.show_current(record.name)
        self.filters.refresh()
        self.marks.record_opened(record)
        self.classify_current()
        # The MUAP analysis waits for the classification (and the first window's saliency):
        # run beside them, they and the UI thread were three busy threads on two cores, and the
        # UI's paints took two to three times as long (stalls of 110-200 ms instead of 50-80).
        self._muaps_after_classification = self.model is not None
        self.analyse_muaps()

    def open_folder(self, path: str | Path) -> bool:
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
        if path is None:
            self.model = None
            self.model_menu.refresh()
            self.status_model.setText("no model")
            self.legend.setText("")
            self.trace.clear_classification(NO_MODEL_MESSAGE)
            return False
        try:
            model = load_model(path, force_cpu=self.settings.value("force_cpu", False, type=bool))
        except ModelError as err:
            self.show_error(str(err))
            return False
        self.model = model
        self.hop_s = None
        card = model.card
        swatches = [f'<span style="color:{c.colour}">■</span> {c.label}' for c in card.classes]
        swatches += ['<span style="color:#969696">■</span> invalid', "striped: uncertain"]
        self.legend.setText(" &nbsp; ".join(swatches))
        self.legend.setToolTip("One lane per window row: each window's own span. Class colour and letter; "
                               "the bar's height is the confidence (a third of the lane at chance, the full "
                               "lane at certainty); striped when the top probability is below the model's "
                               "uncertainty threshold; grey hatched when invalid (missing samples, flat, clipped, artefact).")
        self.status_model.setText(f"{card.name} {card.version} [{model.path.name}] · {model.provider_label}")
        self.status_model.setToolTip(str(model.path))
        self.model_menu.remember(model.path)
        self.browser.forget_verdicts()
        self.classify_current()
        return True

    def show_error(self, text: str) -> None:
        if self.blind:  # a file name gives the answer away: said on the reveal instead
            self.hidden_messages.append(text)
            self.statusBar().showMessage("a message about this record is hidden until you reveal (R)", 5000)
            return
        self.message_bar.show_message(text)

    # -- classification -----------------------------------------------------------------------------
    def classify_current(self) -> None:
        self._cancel_jobs()
        self.comparison.clear()  # drawn again once this classification is shown
        self.status_time.setText("")  # the last record's timing and verdict must not stay beside this one
        self.status_time.setToolTip("")
        if self.record is None:
            return
        if self.model is None:
            self.trace.clear_classification(NO_MODEL_MESSAGE)
            self.say_verdict("Verdict: none (no model)")
            self.overview.set_ribbon(None)
            self._analyse_waiting_muaps()  # no classification to wait for any more
            self.classificationShown.emit()
            return
        generation = self.state.next_generation()
        self.trace.clear_classification("classifying…")
        if not self.blind:
            self.say_verdict(f"Verdict: classifying with {escape(self.model.card.name)}…")
        self.overview.set_ribbon(None)
        job = ClassifyJob(generation, self.record, self.model, self.hop_s)
        job.signals.progress.connect(self._classification_progress)
        job.signals.partial.connect(self._classification_partial)
        job.signals.finished.connect(self._classification_finished)
        job.signals.failed.connect(self._classification_failed)
        self.job = job
        self.progress.setValue(0)
        self.progress.show()
        self.pool.start(job)

    def _cancel_jobs(self) -> None:
        if self.job is not None:
            self.job.token.cancel()
        self.comparison.cancel()
        # Queued jobs would be stale too (a saliency, the MUAP analysis of a record left before
        # it started): they never run, so the next classification does not wait behind them.
        self.pool.clear()
        self.state.next_generation()  # whatever is still running is now stale

    def _classification_progress(self, generation: int, done: int, total: int) -> None:
        if self.state.is_current(generation):
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)

    def _classification_partial(self, generation: int, payload) -> None:
        """The windows classified so far: the ribbon fills in on a long record."""
        if not self.state.is_current(generation) or self.blind or self.model is None:
            return
        starts, stops, probabilities, valid = payload
        hop = self.model.card.input.hop_or_card(self.hop_s)
        self.trace.set_classification(windows_from(starts, stops, probabilities, valid, self.model.card, hop))
        self.overview.set_ribbon(windows_from(starts, stops, probabilities, valid, self.model.card, hop, collapse=True))
        self.trace.set_ribbon_message("")

    def _analyse_waiting_muaps(self) -> None:
        """Start the MUAP analysis that waited for the classification (see :meth:`_show_record`),
        on the classification's own worker thread: after the selected window's saliency, never
        beside it (three busy threads on two cores slowed the UI thread's painting threefold)."""
        if self._muaps_after_classification:
            self._muaps_after_classification = False
            result = self.result
            if result is not None and result.muaps is not None and result.record is self.record:
                # The learned verdict analysed this record already, over the span the viewer
                # would (VIEWER_MUAP_S): show that analysis rather than run it a second time.
                self._muaps_finished(self.generation, result.muaps)
                return
            self.analyse_muaps(self.pool)

    def _classification_failed(self, generation: int, message: str) -> None:
        if not self.state.is_current(generation):
            return
        self._analyse_waiting_muaps()
        self.progress.hide()
        self.trace.clear_classification("classification failed: see the message above")
        self.show_error(message)
        self.classificationShown.emit()

    def _classification_finished(self, generation: int, payload) -> None:
        if not self.state.is_current(generation):
            return  # a stale result for a record no longer shown
        result, self._messages = payload
        self.result = result
        self.progress.hide()
        if self.blind:
            self.teaching.hide_answers()  # the ribbon keeps saying it is hidden, not "classifying…"
        else:
            self.present_result()
        self._analyse_waiting_muaps()  # after present_result: queued behind the saliency job
        self.classificationShown.emit()

    def say_verdict(self, html: str, tooltip: str = "") -> None:
        """The verdict line above the trace (rich text), and its small print as the tooltip."""
        self.verdict_label.setText(html)
        self.verdict_label.setToolTip(tooltip)

    def present_result(self) -> None:
        """Show the classification: ribbon, verdict, cautions, browser row, first valid window."""
        result = self.result
        self.trace.set_classification(ribbon_windows(result))
        self.overview.set_ribbon(ribbon_windows(result, collapse=True))
        assessment = assess(result)
        statement = assessment.statement
        # A learned verdict can differ from the colours' majority: say so where it is read.
        kind = "learned verdict" if result.verdict.learned else "verdict"
        summary = f"{kind}: {statement.short}" + (" · seen in training" if assessment.seen else "")
        self.status_time.setText(f"{result.n_windows} windows in {result.elapsed_s * 1e3:.0f} ms · {summary}")
        self.status_time.setToolTip(statement.detail)
        self.say_verdict(verdict_html(statement, kind, assessment.seen, result), statement.detail)
        record = result.record
        self._name_record(record)
        # The classifier's own warnings say the resampling already: the caveat would repeat it.
        cautions = (list(self._messages) + model_cautions(result.model.card)
                    + assessment.sentences(leave_out=("resampled",)))
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
        if self.model is None or self.browser.index is None:
            self.show_error(NO_MODEL_MESSAGE if self.model is None else "Open a folder first.")
            return
        if self.folder_job is not None:
            self.folder_job.token.cancel()
        job = FolderJob([e.path for e in self.browser.index.records], self.model, self.hop_s, self.kept)
        job.signals.record_done.connect(self._folder_record_done)
        job.signals.finished.connect(self._folder_finished)
        self.browser.progress.setMaximum(len(self.browser.index.records))
        self.browser.progress.setValue(0)
        self.browser.progress.show()
        self.folder_job = job
        self.folder_pool.start(job)

    def _folder_finished(self) -> None:
        self.browser.progress.hide()
        self.browser.fit_columns()
        release_memory()

    def _folder_record_done(self, done: int, name: str, assessment, error: str) -> None:
        self.browser.progress.setValue(done)
        if error:
            self.show_error(error)
        elif self.model is not None:
            self.browser.set_record_assessment(assessment, self.model.card)

    def hold_until_first_frame(self) -> None:
        """From now until the trace is first painted, background work (the MUAP analysis, and
        what :meth:`after_first_frame` is given) waits: at launch it would otherwise compete
        with the first frame for the interpreter."""
        self._before_first_frame = []
        self.trace.viewport().installEventFilter(self)

    def after_first_frame(self, action) -> None:
        """Run ``action`` once the trace has been painted (at once when nothing is held)."""
        if self._before_first_frame is None:
            action()
        else:
            self._before_first_frame.append(action)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Paint and self._before_first_frame is not None:
            watched.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, self._first_frame_painted)  # after this paint, not before
        return super().eventFilter(watched, event)

    def _first_frame_painted(self) -> None:
        held, self._before_first_frame = self._before_first_frame or [], None
        for action in held:
            action()

    def _schedule_warm_up(self) -> None:
        self.after_first_frame(self._warm_up)

    def _warm_up(self) -> None:
        """Import what the analyses need in the background, before any record needs it: the
        one event-loop stall it costs falls at launch, not while a long record is classified."""
        job = self.warm_up_job = WarmUpJob()
        job.signals.finished.connect(lambda *_: self.warmedUp.emit())
        job.signals.failed.connect(lambda *_: self.warmedUp.emit())
        self.muap_pool.start(job)

    # -- MUAP analysis ----------------------------------------------------------------------------------
    def analyse_muaps(self, pool: QtCore.QThreadPool | None = None) -> None:
        """Start the shown record's MUAP analysis in the background (on ``pool``, by default
        its own thread); the panel and the trace fill in when it reports (a result for another
        record is dropped)."""
        self.muaps = None
        self.muap_overlay.set_muaps(None)
        if self.record is None:
            return
        if self._muaps_after_classification:  # started by _analyse_waiting_muaps
            self.muap_panel.clear("motor units: analysed once the classification is done…")
            return
        self.muap_panel.clear("analysing motor units…")
        if self._before_first_frame is not None:
            if self.analyse_muaps not in self._before_first_frame:
                self._before_first_frame.append(self.analyse_muaps)
            return
        job = MuapJob(self.generation, self.record)
        job.signals.finished.connect(self._muaps_finished)
        job.signals.failed.connect(self._muaps_failed)
        self.muap_job = job
        self.muap_pool.clear()  # a record skipped past while queued is not analysed at all
        (pool or self.muap_pool).start(job)

    def _muaps_finished(self, generation: int, muaps) -> None:
        if self.record is None or muaps.record is not self.record:
            return
        self.muaps = muaps
        self.muap_panel.set_muaps(muaps)
        self.muap_overlay.set_muaps(muaps)
        self.muap_overlay.place_ticks(self.trace.half_range_uv)
        self.muapsShown.emit()

    def _muaps_failed(self, generation: int, message: str) -> None:
        if self.muap_job is not None and self.muap_job.record is self.record:
            self.muap_panel.clear(message)
            self.muapsShown.emit()

    def show_muap_markers(self) -> None:
        self.muap_overlay.show_ticks(self.markers_action.isChecked())
        self.muap_overlay.place_ticks(self.trace.half_range_uv)

    def show_calipers(self) -> None:
        shown = self.calipers_action.isChecked()
        self.muap_overlay.show_calipers(shown, *self.trace.visible_range())
        self.status_calipers.setVisible(shown)  # their Δt/ΔV go with them
        if not shown:
            self.status_calipers.setText("")

    def show_trigger(self) -> None:
        self.muap_panel.set_trigger(self.trigger_action.isChecked(), None)
        if self.trigger_action.isChecked():
            self.show_muap_panel()

    def show_muap_panel(self) -> None:
        self.muap_dock.show()
        self.muap_dock.raise_()

    def _trigger_changed(self, shown: bool, level_uv: float) -> None:
        self.trigger_action.setChecked(shown)
        self.muap_overlay.show_trigger(shown, level_uv)

    # -- windows --------------------------------------------------------------------------------------
    def select_window(self, index: int | None, reveal: bool = True) -> None:
        """Select a window; ``reveal`` scrolls it onto the screen (stepping does, a click not)."""
        if self.result is None or index is None or not 0 <= index < self.result.n_windows or self.blind:
            return
        self.selected = index
        self.trace.select_window(index, reveal)
        self.overview.set_selected(index)
        self.inspector.show_window(self.result, index)
        self._start_saliency(index)

    def step_window(self, direction: int) -> None:
        if self.result is None:
            return
        current = -1 if self.selected is None and direction > 0 else (self.selected or 0)
        self.select_window(int(np.clip(current + direction, 0, self.result.n_windows - 1)))

    def _start_saliency(self, index: int) -> None:
        result = self.result
        if result is None or self.model is None:
            return
        if not result.valid[index]:
            self.inspector.saliency_absent("none, the window is invalid and was not classified")
            return
        fs = self.model.card.input.fs_hz
        if result.resampled_from_hz is not None:
            self.inspector.saliency_absent(f"not computed, the record was resampled from "
                                           f"{result.resampled_from_hz:g} Hz (shown on its own samples only)")
            return
        self.inspector.saliency_absent("computing…")
        first = int(round(result.starts_s[index] * fs))
        window = result.record.signal_uv[first: first + self.model.card.input.n_times]
        job = SaliencyJob(self._saliency_tag(index), self.model, window, int(result.predicted[index]))
        job.signals.finished.connect(self._saliency_finished)
        job.signals.failed.connect(self._saliency_failed)
        self.saliency_job = job
        self.pool.start(job)

    def _saliency_tag(self, index: int) -> int:
        """A saliency job's tag: the generation and the window, so a late curve for another
        record or another window is never drawn."""
        return self.state.generation * 100_000 + index

    def _saliency_finished(self, tag: int, curve) -> None:
        if self.selected is not None and tag == self._saliency_tag(self.selected) and self.model:
            self.inspector.show_saliency(curve, self.model.card.input.fs_hz)

    def _saliency_failed(self, tag: int, message: str) -> None:
        if self.selected is not None and tag == self._saliency_tag(self.selected):
            self.inspector.saliency_absent(f"not computed: {message}")

    def _tooltip(self, index: int) -> str:
        return "" if self.result is None or self.blind else window_tooltip(self.result, index)

    # -- view commands (bound to shortcuts) -----------------------------------------------------------
    def scroll(self, divisions: float) -> None:
        self.trace.scroll_divisions(divisions)

    def page(self, direction: int) -> None:
        self.trace.scroll_divisions(direction * scales.H_DIVISIONS)

    def home(self) -> None:
        self.trace.set_start(0.0)

    def end(self) -> None:
        self.trace.set_start(float("inf") if self.record is None else self.record.duration_s)

    def gain(self, direction: int) -> None:
        # "+" shows more detail: fewer µV per division.
        # set_sensitivity emits rangeChanged: the scale label and the ticks follow from there.
        self.trace.set_sensitivity(scales.step(scales.SENSITIVITY_UV, self.trace.sensitivity_uv, -direction))

    def fit_gain(self) -> None:
        if self.record is not None:
            self.trace.set_sensitivity(scales.fitting_sensitivity(self.record.signal_uv))

    def fit_to_screen(self) -> None:
        """Never larger than the screen it opens on (a 1280x720 laptop included)."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            return
        # The frame (title bar, borders) is outside width() and height(): a window of the
        # screen's height put its status bar below the screen's edge. Before the window manager
        # has framed the window, the style's title bar height stands in for it.
        frame_w = self.frameGeometry().width() - self.width()
        frame_h = self.frameGeometry().height() - self.height()
        if not self.isVisible() or frame_h <= 0:
            frame_h = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_TitleBarHeight) + 8
            frame_w = max(frame_w, 8)
        width = min(self.width(), screen.width() - frame_w)
        height = min(self.height(), screen.height() - frame_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        if not screen.contains(frame):
            self.move(screen.topLeft())
        self.size_docks()

    def size_browser(self) -> None:
        """The dataset browser at the width the reader last gave it, else wide enough for all
        its columns; the two docks share at most 68 % of the window (the trace keeps the rest),
        the inspector giving way down to its narrowest before the browser does."""
        remembered = self.settings.value("browser_width", 0, type=int)
        wanted = remembered if remembered > 0 else self.browser.preferred_width()
        room = int(self.width() * 0.68)
        inspector_min = INSPECTOR_MIN_WIDTH if self.inspector_dock.isVisible() else 0
        browser = max(200, min(wanted, room - inspector_min))
        if inspector_min:  # one call per side: Qt weighs two docks of two sides against each other
            inspector = max(inspector_min, min(self.inspector_dock.width(), room - browser))
            self.resizeDocks([self.inspector_dock], [inspector], QtCore.Qt.Orientation.Horizontal)
        self.resizeDocks([self.browser_dock], [browser], QtCore.Qt.Orientation.Horizontal)

    def _remember_browser_width(self) -> None:
        if self.browser_dock.isVisible() and not self.browser_dock.isFloating():
            self.settings.setValue("browser_width", self.browser_dock.width())

    def size_docks(self) -> None:
        """The trace keeps most of the width: the inspector takes about a third."""
        self.resizeDocks([self.inspector_dock], [max(INSPECTOR_MIN_WIDTH, int(self.width() * 0.34))],
                         QtCore.Qt.Orientation.Horizontal)

    def apply_preset(self, timebase_ms: int, sensitivity_uv: int) -> None:
        """A needle-EMG preset: time base and sensitivity together (the time base within the record)."""
        duration = self.record.duration_s if self.record is not None else float("inf")
        self.trace.set_timebase(scales.timebase_within(timebase_ms, duration))
        self.trace.set_sensitivity(sensitivity_uv)

    def zoom_time(self, direction: int) -> None:
        self.trace.set_timebase(scales.step(scales.TIMEBASE_MS, self.trace.timebase_ms, -direction))

    def show_shortcuts(self) -> None:
        """The keys in a two-column table (a message box's tabs do not line up)."""
        rows = [line.split("\t", 1) for line in shortcut_help_text(self.actions()).splitlines()]
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle("Keyboard shortcuts")
        table = QtWidgets.QTableWidget(len(rows), 2, dialog)
        table.setHorizontalHeaderLabels(("key", "action"))
        table.verticalHeader().hide()
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, (key, text) in enumerate(rows):
            table.setItem(r, 0, QtWidgets.QTableWidgetItem(key))
            table.setItem(r, 1, QtWidgets.QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QtWidgets.QVBoxLayout(dialog)
        layout.addWidget(table)
        # As large as its table (no scroll bars, no cut text), within 85 % of the screen.
        width = table.verticalHeader().width() + sum(table.columnWidth(c) for c in range(2)) + 4 * table.frameWidth()
        height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(rows))) + \
            4 * table.frameWidth()
        margins = layout.contentsMargins()
        screen = self.screen().availableGeometry()
        dialog.resize(min(width + margins.left() + margins.right() + table.verticalScrollBar().sizeHint().width(),
                          int(screen.width() * 0.85)),
                      min(height + margins.top() + margins.bottom(), int(screen.height() * 0.85)))
        self.shortcuts_dialog = dialog  # kept for tests and screenshots
        dialog.show()

    def show_about(self) -> None:
        """Version, the model in use and its evaluation protocol, the licence, and the notice."""
        model = self.model
        said = "none loaded"
        if model is not None:
            kind = model.card.provenance.protocol_kind
            how = (f"evaluated {kind}" if kind not in ("", "none", "not stated")
                   else "with no subject-independent evaluation stated")
            said = f"{escape(model.card.name)} {escape(model.card.version)} ({escape(model.path.name)}), {escape(how)}"
        text = (f"<h3>emgviewer {escape(__version__)}</h3>"
                "<p>A viewer for clinical needle EMG with neural-network window classification, "
                "for research and teaching.</p>"
                "<p><b>Not a medical device.</b> Its output is not a diagnosis and must not be used for "
                "clinical decisions.</p>"
                f"<p>Model: {said}.</p>"
                "<p>Licence: MIT. N2001 records: EMGLAB (www.emglab.net); PhysioNet records under their "
                "own terms.</p>")
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "About emgviewer", "", parent=self)
        box.setTextFormat(QtCore.Qt.TextFormat.RichText)
        box.setText(text)
        self.about_box = box  # kept for tests and screenshots
        box.show()

    def _range_changed(self, start: float, stop: float) -> None:
        self.overview.show_range(start, stop)
        self.muap_overlay.place_ticks(self.trace.half_range_uv)
        self.scale_label.setText(f"{self.trace.timebase_ms:g} ms/div · {self.trace.sensitivity_uv:g} µV/div · "
                                 f"{start:.3f}–{stop:.3f} s")
        self.settings.setValue("timebase_ms", self.trace.timebase_ms)
        self.settings.setValue("sensitivity_uv", self.trace.sensitivity_uv)

    # -- dialogs ----------------------------------------------------------------------------------------
    def _ask_record(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open record", self.settings.value("last_folder", ""), dialog_filter())
        if path:
            self.open_record(path)

    def _ask_folder(self) -> None:
        path = QtWidgets.QFileDialog.getExistingDirectory(self, "Open folder", self.settings.value("last_folder", ""))
        if path:
            self.open_folder(path)

    def _ask_model(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open model", "", "ONNX models (*.onnx)")
        if path:
            self.set_model(path)

    def export_pdf(self, path: Path, overwrite: bool = False) -> bool:
        return exports.export_pdf(self, path, overwrite)

    def export_folder_report(self, path: Path, summary_only: bool, records: bool = False) -> FolderReportJob | None:
        return exports.export_folder_report(self, path, summary_only, records)

    def _ask_geometry(self) -> None:
        if self.model is None:
            self.show_error(NO_MODEL_MESSAGE)
            return
        card = self.model.card
        hop, ok = QtWidgets.QInputDialog.getDouble(
            self, "Window hop", f"Hop between windows in seconds (window {card.input.window_s:g} s, "
                               f"fixed by the model):", card.input.hop_or_card(self.hop_s), 0.01, card.input.window_s * 4, 3)
        if ok:
            self.set_hop(hop)

    def set_hop(self, hop_s: float) -> None:
        self.hop_s = hop_s
        self.classify_current()

    # -- persistence and drag and drop -------------------------------------------------------------------
    def _remember(self, path: Path) -> None:
        recent = [p for p in self.settings.value("recent", [], type=list) if p != str(path)]
        self.settings.setValue("recent", [str(path), *recent][:MAX_RECENT])
        self.settings.setValue("last_folder", str(path.parent))
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.value("recent", [], type=list):
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        timebase = float(self.settings.value("timebase_ms", scales.DEFAULT_TIMEBASE_MS))
        sensitivity = float(self.settings.value("sensitivity_uv", scales.DEFAULT_SENSITIVITY_UV))
        self.trace.timebase_ms = scales.nearest(scales.TIMEBASE_MS, timebase)
        self.trace.sensitivity_uv = scales.nearest(scales.SENSITIVITY_UV, sensitivity)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if not self.marks.may_leave():
            event.ignore()
            return
        self._cancel_jobs()
        for job in (self.folder_job, self.report_job):
            if job is not None:
                job.token.cancel()
        self.folder_pool.clear()
        self.settings.setValue("geometry", self.saveGeometry())
        self._remember_browser_width()
        self.sound.stop()
        for pool in (self.pool, self.muap_pool, self.load_pool, self.folder_pool):
            if not pool.waitForDone(3000):
                log.warning("a background job was still running 3 s after the window closed")
        self.filters.wait()
        super().closeEvent(event)

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls:
            self.open_path(urls[0].toLocalFile())
