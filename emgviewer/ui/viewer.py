"""What the window's helpers (teaching, marks, sound, filters, the comparison, the exports and
the model menu) may use of it: the session, the widgets they draw on, and a few commands.
Typed here, so a helper never reaches for the window's internals; MainWindow provides it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6 import QtCore, QtGui, QtWidgets

    from emgviewer.analysis.muap.record import RecordMuaps
    from emgviewer.inference.classify import Classification
    from emgviewer.inference.model import LoadedModel
    from emgviewer.records.record import Record
    from emgviewer.session import ViewerSession
    from emgviewer.ui.browser import DatasetBrowser
    from emgviewer.ui.comparison import ModelComparison
    from emgviewer.ui.filters import FilterController
    from emgviewer.ui.inspector import WindowInspector
    from emgviewer.ui.jobs import QtJobRunner
    from emgviewer.ui.marks import MarksController
    from emgviewer.ui.message_bar import MessageBar
    from emgviewer.ui.model_menu import ModelMenu
    from emgviewer.ui.muap_overlay import MuapOverlay
    from emgviewer.ui.overview import OverviewStrip
    from emgviewer.ui.shortcuts import Actions
    from emgviewer.ui.trace_view import TraceView


class Viewer(Protocol):
    # The state and the work
    """What a helper of the window may use (see the module)."""

    session: ViewerSession
    jobs: QtJobRunner
    settings: QtCore.QSettings
    action_maker: Actions
    # What the session holds, read through the window
    record: Record | None
    model: LoadedModel | None
    result: Classification | None
    muaps: RecordMuaps | None
    selected: int | None
    blind: bool
    # The widgets the helpers draw on
    trace: TraceView
    overview: OverviewStrip
    inspector: WindowInspector
    muap_overlay: MuapOverlay
    message_bar: MessageBar
    browser: DatasetBrowser
    verdict_label: QtWidgets.QLabel
    status_record: QtWidgets.QLabel
    status_time: QtWidgets.QLabel
    inspector_dock: QtWidgets.QDockWidget
    muap_dock: QtWidgets.QDockWidget
    browser_dock: QtWidgets.QDockWidget
    calipers_action: QtGui.QAction
    revealing_actions: list[QtGui.QAction]
    # The other helpers a helper may ask
    marks: MarksController
    filters: FilterController
    comparison: ModelComparison
    model_menu: ModelMenu
    comparisonShown: QtCore.SignalInstance

    def show_error(self, text: str) -> None:
        """Say an error or notice to the reader (held back while blind)."""

    def open_record(self, path: str | Path) -> bool:
        """Open a record, once unsaved marks are dealt with."""

    def set_model(self, path: str | Path | None) -> bool:
        """Use the model in ``path``."""

    def say_verdict(self, html: str, tooltip: str = "") -> None:
        """Put ``html`` on the verdict line."""

    def present_result(self) -> None:
        """Show the classification (after the reveal)."""

    def statusBar(self) -> QtWidgets.QStatusBar:
        """The window's status bar."""

    def centralWidget(self) -> QtWidgets.QWidget:
        """The widget holding the trace and the lines above it."""

    def setWindowTitle(self, title: str) -> None:
        """The window's title."""

    def property(self, name: str) -> object:
        """A Qt property (``noDialogs`` in tests: no modal question is asked)."""

    def addDockWidget(self, area: QtCore.Qt.DockWidgetArea, dock: QtWidgets.QDockWidget) -> None:
        """Dock ``dock`` at ``area``."""

    def tabifyDockWidget(self, first: QtWidgets.QDockWidget, second: QtWidgets.QDockWidget) -> None:
        """Put ``second`` in a tab beside ``first``."""

