"""The MUAP analysis on screen: the panel and the trace's markers, calipers and trigger line,
filled in when the session's analysis reports."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.session import ViewerSession
from emgviewer.ui.muap_overlay import MuapOverlay
from emgviewer.ui.muap_panel import MuapPanel
from emgviewer.ui.trace_view import TraceView


class MuapView(QtCore.QObject):
    """The MUAP panel and the trace's markers, calipers and trigger, filled in from the session's analysis."""

    shown = QtCore.Signal()  # the panel shows the record's analysis (or why there is none)

    def __init__(self, session: ViewerSession, trace: TraceView, overlay: MuapOverlay, panel: MuapPanel,
                 dock: QtWidgets.QDockWidget, calipers_label: QtWidgets.QLabel) -> None:
        super().__init__(panel)
        self.trace, self.overlay, self.panel, self.dock, self.calipers_label = trace, overlay, panel, dock, calipers_label
        # The Analysis menu's checkable tools (emgviewer.ui.window_menus sets them).
        self.markers_action: QtGui.QAction | None = None
        self.calipers_action: QtGui.QAction | None = None
        self.trigger_action: QtGui.QAction | None = None
        events = session.events
        events.muaps_pending.connect(self._pending)
        events.muaps_ready.connect(self._ready)
        events.muaps_failed.connect(self._failed)
        panel.triggerChanged.connect(self._trigger_changed)
        overlay.triggerLevelChanged.connect(lambda level: panel.set_trigger(True, level))
        overlay.calipersMoved.connect(lambda text: calipers_label.setText(f"calipers: {text}"))

    def _pending(self, text: str | None) -> None:
        self.overlay.set_muaps(None)
        if text is not None:
            self.panel.clear(text)

    def _ready(self, muaps) -> None:
        self.panel.set_muaps(muaps)
        self.overlay.set_muaps(muaps)
        self.overlay.place_ticks(self.trace.half_range_uv)
        self.shown.emit()

    def _failed(self, message: str) -> None:
        self.panel.clear(message)
        self.shown.emit()

    # -- the Analysis menu's tools ----------------------------------------------------------------
    def show_muap_markers(self) -> None:
        """Show or hide the discharge markers (Analysis → MUAP markers)."""
        self.overlay.show_ticks(self.markers_action.isChecked())
        self.overlay.place_ticks(self.trace.half_range_uv)

    def show_calipers(self) -> None:
        """Show or hide the calipers and their reading (Analysis → Calipers)."""
        shown = self.calipers_action.isChecked()
        self.overlay.show_calipers(shown, *self.trace.visible_range())
        self.calipers_label.setVisible(shown)  # their Δt/ΔV go with them
        if not shown:
            self.calipers_label.setText("")

    def show_trigger(self) -> None:
        """Show or hide the trigger line and its sweeps (Analysis → Trigger line)."""
        self.panel.set_trigger(self.trigger_action.isChecked(), None)
        if self.trigger_action.isChecked():
            self.show_muap_panel()

    def show_muap_panel(self) -> None:
        """Bring the MUAP panel to the front."""
        self.dock.show()
        self.dock.raise_()

    def _trigger_changed(self, shown: bool, level_uv: float) -> None:
        self.trigger_action.setChecked(shown)
        self.overlay.show_trigger(shown, level_uv)
