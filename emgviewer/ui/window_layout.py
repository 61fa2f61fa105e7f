"""The main window's widgets: the central area (messages, verdict line, scales and legend, the
trace and the overview), the inspector, MUAP and dataset docks, and the status bar. Built once,
here, so the window itself only connects them."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from emgviewer.ui.browser import DatasetBrowser
from emgviewer.ui.inspector import WindowInspector
from emgviewer.ui.message_bar import MessageBar
from emgviewer.ui.muap_overlay import MuapOverlay
from emgviewer.ui.muap_panel import MuapPanel
from emgviewer.ui.overview import OverviewStrip
from emgviewer.ui.trace_view import TraceView

_IGNORED = QtWidgets.QSizePolicy.Policy.Ignored
_PREFERRED = QtWidgets.QSizePolicy.Policy.Preferred


def _wrapping_label(rich: bool = False) -> QtWidgets.QLabel:
    """A label whose long text wraps instead of setting the window's minimum width."""
    label = QtWidgets.QLabel("")
    label.setSizePolicy(_IGNORED, _PREFERRED)
    label.setWordWrap(True)
    if rich:
        label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    return label


def build_central(window: QtWidgets.QMainWindow) -> None:
    """Messages, the verdict line, scales and legend, the trace, the overview: top to bottom."""
    central = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(central)
    layout.setContentsMargins(4, 4, 4, 4)
    window.message_bar = MessageBar()
    window.trace = TraceView()
    window.overview = OverviewStrip()
    window.scale_label = _wrapping_label()  # "100 ms/div · 200 µV/div · 0.000–1.000 s" whole beside the browser
    window.legend = _wrapping_label()  # wraps on a narrow window instead of clipping "invalid"
    window.legend.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
    header = QtWidgets.QHBoxLayout()
    header.addWidget(window.scale_label, 2)
    header.addWidget(window.legend, 3)
    # The record's verdict, model and timing in the layout, above the trace: a laptop's screen
    # can push the status bar off its bottom edge, never this line. A narrow trace (a laptop,
    # the browser open) gives it two lines, never a cut one.
    window.verdict_label = _wrapping_label(rich=True)
    window.verdict_label.setObjectName("verdict")
    layout.addWidget(window.message_bar)
    layout.addWidget(window.verdict_label)
    layout.addLayout(header)
    layout.addWidget(window.trace, 1)
    layout.addWidget(window.overview)
    window.setCentralWidget(central)
    window.muap_overlay = MuapOverlay(window.trace.trace_plot)


def _dock(window: QtWidgets.QMainWindow, title: str, name: str, widget: QtWidgets.QWidget,
          area: QtCore.Qt.DockWidgetArea) -> QtWidgets.QDockWidget:
    dock = QtWidgets.QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def build_docks(window: QtWidgets.QMainWindow) -> None:
    """The inspector and the MUAP panel tabbed on the right (the inspector in front), the
    dataset browser on the left, hidden until a folder is opened."""
    right, left = QtCore.Qt.DockWidgetArea.RightDockWidgetArea, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    window.inspector = WindowInspector()
    window.inspector_dock = _dock(window, "Window inspector", "inspector", window.inspector, right)
    window.muap_panel = MuapPanel()
    window.muap_dock = _dock(window, "MUAP analysis", "muap", window.muap_panel, right)
    window.tabifyDockWidget(window.inspector_dock, window.muap_dock)
    window.inspector_dock.raise_()
    window.browser = DatasetBrowser()
    window.browser_dock = _dock(window, "Dataset", "browser", window.browser, left)
    window.browser_dock.hide()


def build_status(window: QtWidgets.QMainWindow) -> None:
    """Record, model, timing and calipers on the left; the classification's progress on the right."""
    bar = window.statusBar()
    window.status_record = QtWidgets.QLabel("no record")
    window.status_record.setMinimumWidth(1)
    window.status_model = QtWidgets.QLabel("no model")
    window.status_time = QtWidgets.QLabel("")
    window.status_calipers = QtWidgets.QLabel("")  # Δt and ΔV while the calipers are shown
    window.status_calipers.hide()
    window.progress = QtWidgets.QProgressBar()
    window.progress.setMaximumWidth(160)
    window.progress.hide()
    for widget in (window.status_record, window.status_model, window.status_time, window.status_calipers):
        bar.addWidget(widget)
    bar.addPermanentWidget(window.progress)
