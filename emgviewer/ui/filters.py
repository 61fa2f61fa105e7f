"""The display filter in the viewer: a View submenu of clinical presets and free values, the
trace (and close-up, calipers, sound) redrawn through it, long records filtered in the
background. The classification and the MUAP analysis never see it: they take the record."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.analysis.display_filter import (
    HIGH_PASS_PRESETS_HZ,
    LOW_PASS_PRESETS_HZ,
    NOTCH_PRESETS_HZ,
    DisplayFilter,
    FilterError,
)
from emgviewer.ui.viewer import Viewer

#: Up to this many samples (about 85 s of N2001) a record is filtered at once (tens of ms);
#: longer ones in the background while the unfiltered trace stays up.
SYNC_SAMPLES = 2_000_000


class _FilterSignals(QtCore.QObject):
    done = QtCore.Signal(object, object, object)  # record, spec, (filtered signal, its pyramid)


class _FilterJob(QtCore.QRunnable):
    def __init__(self, record, spec: DisplayFilter) -> None:
        super().__init__()
        self.record, self.spec = record, spec
        self.signals = _FilterSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        filtered = self.spec.apply(self.record.signal_uv, self.record.fs_hz)
        self.signals.done.emit(self.record, self.spec, (filtered, PeakPyramid(filtered)))


class FilterController(QtCore.QObject):
    """The display filter: what the trace, the close-up, the calipers and the sound show (never the model's input)."""

    changed = QtCore.Signal()  # the displayed signal changed

    def __init__(self, window: Viewer) -> None:
        super().__init__(window)
        self.window = window
        self.spec = DisplayFilter()
        self.displayed: np.ndarray | None = None  # the filtered signal, None while unfiltered
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.job: _FilterJob | None = None
        self.status = QtWidgets.QLabel("display: unfiltered")
        window.statusBar().addWidget(self.status)

    def build_menu(self, menu: QtWidgets.QMenu) -> None:
        """View → Display filter: the presets of each stage, custom values and Unfiltered."""
        sub = menu.addMenu("Display filter")
        self.actions: dict[tuple[str, float | None], QtGui.QAction] = {}
        for kind, title, presets in (("high_pass_hz", "High-pass", HIGH_PASS_PRESETS_HZ),
                                     ("low_pass_hz", "Low-pass", LOW_PASS_PRESETS_HZ),
                                     ("notch_hz", "Notch", NOTCH_PRESETS_HZ)):
            group = QtGui.QActionGroup(self)
            for value in (None, *presets):
                text = f"{title} off" if value is None else f"{title} {DisplayFilter(**{kind: value}).label().split(' ', 1)[1]}"
                action = QtGui.QAction(text, self, checkable=True)
                action.setChecked(value is None)
                action.triggered.connect(lambda _c=False, k=kind, v=value: self.set_filter(
                    DisplayFilter(**{**self._values(), k: v})))
                group.addAction(action)
                sub.addAction(action)
                self.actions[(kind, value)] = action
            sub.addSeparator()
        custom = sub.addAction("Custom values…")
        custom.triggered.connect(self.ask_custom)
        off = sub.addAction("Unfiltered")
        off.triggered.connect(lambda: self.set_filter(DisplayFilter()))
        self.window.action_maker.bind(off, "unfiltered")  # the key works with the menu closed

    def _values(self) -> dict:
        return {"high_pass_hz": self.spec.high_pass_hz, "low_pass_hz": self.spec.low_pass_hz,
                "notch_hz": self.spec.notch_hz}

    def ask_custom(self) -> None:
        """Ask for custom corner frequencies (0 turns a stage off)."""
        values = {}
        for kind, title in (("high_pass_hz", "High-pass (Hz, 0 = off)"), ("low_pass_hz", "Low-pass (Hz, 0 = off)"),
                            ("notch_hz", "Notch (Hz, 0 = off)")):
            value, ok = QtWidgets.QInputDialog.getDouble(self.window, "Display filter", title,
                                                         getattr(self.spec, kind) or 0.0, 0.0, 1e6, 1)
            if not ok:
                return
            values[kind] = value or None
        self.set_filter(DisplayFilter(**values))

    def set_filter(self, spec: DisplayFilter) -> bool:
        """Use ``spec``; False when it does not suit the record (said), the last filter kept."""
        record = self.window.record
        if record is not None:
            try:
                spec.check(record.fs_hz)
            except FilterError as err:
                self.window.show_error(f"{record.name}: display filter not applied: {err}")
                self._sync_menu()
                return False
        self.spec = spec
        self._sync_menu()
        self.refresh()
        return True

    def _sync_menu(self) -> None:
        for (kind, value), action in getattr(self, "actions", {}).items():
            action.setChecked(getattr(self.spec, kind) == value)

    def refresh(self) -> None:
        """Filter the shown record (again): at once when short, else in the background, where
        the filtered signal's min/max pyramid is built too."""
        record = self.window.record
        if record is None or not self.spec.active:
            if self.displayed is not None:  # the trace shows a filtered copy: back to the record
                self.displayed = None
                self._show(record, self.spec, None)
            else:  # already the record's own samples (a new record's trace draws them)
                self._labels(self.spec)
            return
        self.displayed = None
        if record.n_samples <= SYNC_SAMPLES:
            filtered = self.spec.apply(record.signal_uv, record.fs_hz)
            self._show(record, self.spec, (filtered, PeakPyramid(filtered)))
            return
        self.status.setText(f"display: {self.spec.label()} (filtering…)")
        self.job = _FilterJob(record, self.spec)
        self.job.signals.done.connect(self._show)
        self.pool.start(self.job)

    def _show(self, record, spec: DisplayFilter, shown) -> None:
        """``shown``: (filtered signal, its pyramid), or None for the record's own samples."""
        window = self.window
        if record is not window.record or spec != self.spec:
            return  # the user moved on while it ran
        filtered, pyramid = shown if shown is not None else (None, None)
        self.displayed = filtered
        if record is not None:
            signal = record.signal_uv if filtered is None else filtered
            window.trace.set_display_signal(signal, pyramid)
            window.muap_overlay.signal_uv = signal
        self._labels(spec)
        if window.result is not None and window.selected is not None:
            window.inspector.show_window(window.result, window.selected)
        self.changed.emit()

    def _labels(self, spec: DisplayFilter) -> None:
        window = self.window
        window.inspector.display_signal = self.displayed
        window.inspector.display_label = spec.label()
        self.status.setText(f"display: {spec.label()}")

    def signal(self) -> np.ndarray | None:
        """What the reader sees and hears: the filtered signal, or the record's own."""
        record = self.window.record
        return None if record is None else (record.signal_uv if self.displayed is None else self.displayed)

    def wait(self) -> None:
        """Wait (at most 3 s) for a long record's filtering still running."""
        self.pool.waitForDone(3000)
