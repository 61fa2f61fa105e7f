"""What the MUAP analysis draws on the trace: a tick above each discharge in its unit's colour,
two calipers that read Δt and ΔV and snap to a MUAP's onset or end, and the trigger level."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from emgviewer.analysis.muap.instruments import caliper_reading, marker_times_s, snap
from emgviewer.analysis.muap.record import RecordMuaps
from emgviewer.display.colours import unit_colour

CALIPER_PEN = pg.mkPen("#7a1fa2", width=1.5, style=QtCore.Qt.PenStyle.DashLine)
TRIGGER_PEN = pg.mkPen("#b00020", width=1.2)


class MuapOverlay(QtCore.QObject):
    """What the MUAP analysis draws on the trace: discharge markers, calipers and the trigger line."""

    calipersMoved = QtCore.Signal(str)  # the reading, for the status bar
    triggerLevelChanged = QtCore.Signal(float)

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self.plot = plot
        self.muaps: RecordMuaps | None = None
        self.markers_s = np.empty(0)
        self.ticks = pg.ScatterPlotItem(symbol="t", size=9, pen=None)  # ▼ above each discharge
        self.ticks.setZValue(5)
        plot.addItem(self.ticks)
        self.calipers = [pg.InfiniteLine(angle=90, movable=True, pen=CALIPER_PEN, label=label,
                                         labelOpts={"position": 0.95, "color": "#7a1fa2"})
                         for label in ("C1", "C2")]
        self.caliper_text = pg.TextItem("", color="#7a1fa2", anchor=(0, 0))
        self.trigger = pg.InfiniteLine(angle=0, movable=True, pen=TRIGGER_PEN, label="trigger",
                                       labelOpts={"position": 0.06, "color": "#b00020", "anchors": [(0, 1), (0, 1)]})
        for item in (*self.calipers, self.caliper_text, self.trigger):
            item.hide()
            plot.addItem(item, ignoreBounds=True)
        for line in self.calipers:
            line.sigPositionChangeFinished.connect(self._snap)
            line.sigPositionChanged.connect(self._read)
        self.trigger.sigPositionChanged.connect(self._label_trigger)
        self.trigger.sigPositionChangeFinished.connect(lambda line: self.triggerLevelChanged.emit(line.value()))
        self.signal_uv: np.ndarray | None = None
        self.fs_hz = 1.0

    def set_record(self, signal_uv: np.ndarray, fs_hz: float) -> None:
        """A new record: its signal for the calipers and trigger; no markers yet."""
        self.signal_uv, self.fs_hz = signal_uv, fs_hz
        self.set_muaps(None)

    def set_muaps(self, muaps: RecordMuaps | None) -> None:
        """Draw the markers of ``muaps`` (``None``: none)."""
        self.muaps = muaps
        self.markers_s = marker_times_s(muaps.analysis) if muaps else np.empty(0)
        self.place_ticks()

    def place_ticks(self, half_uv: float | None = None) -> None:
        """Ticks just below the top of the screen (``half_uv``: half the visible µV range);
        rebuilt only when that or the analysis changes, not on every scroll."""
        if self.muaps is None or not self.ticks.isVisible():
            self.ticks.setData([], [])
            self._ticks_key = None
            return
        half_uv = half_uv if half_uv is not None else self.plot.vb.viewRange()[1][1]
        key = (id(self.muaps), half_uv)
        if key == getattr(self, "_ticks_key", None):
            return
        self._ticks_key = key
        spots = []
        fs = self.muaps.analysis.fs_hz
        for i, unit in enumerate(self.muaps.analysis.units):
            brush = pg.mkBrush(unit_colour(i))
            spots += [{"pos": (t, 0.9 * half_uv), "brush": brush, "data": unit.label}
                      for t in unit.discharges / fs]
        self.ticks.setData(spots)

    def show_ticks(self, shown: bool) -> None:
        """Show or hide the discharge markers."""
        self.ticks.setVisible(shown)
        self.place_ticks()

    # -- calipers -------------------------------------------------------------------------------
    def show_calipers(self, shown: bool, start_s: float = 0.0, stop_s: float = 1.0) -> None:
        """Show or hide the calipers (placed inside the view the first time)."""
        if shown and not self.calipers[0].isVisible():
            span = stop_s - start_s
            self.calipers[0].setValue(start_s + 0.4 * span)
            self.calipers[1].setValue(start_s + 0.6 * span)
        for item in (*self.calipers, self.caliper_text):
            item.setVisible(shown)
        if shown:
            self._read()

    def set_calipers(self, t1_s: float, t2_s: float) -> None:
        """Place both calipers (each snapped), as a drag that ends there would."""
        for line, t in zip(self.calipers, (t1_s, t2_s)):
            line.setValue(t)
            self._snap(line)

    def _snap(self, line: pg.InfiniteLine) -> None:
        snapped = snap(line.value(), self.markers_s)
        if snapped != line.value():
            line.setValue(snapped)
        self._read()

    def reading(self):
        """The calipers' times and voltages, snapped to a MUAP's onset or end nearby; ``None`` without a record."""
        if self.signal_uv is None:
            return None
        t1, t2 = sorted(line.value() for line in self.calipers)
        return caliper_reading(self.signal_uv, self.fs_hz, t1, t2)

    def _read(self, *_args) -> None:
        reading = self.reading()
        if reading is None or not self.calipers[0].isVisible():
            return
        text = reading.text()
        self.caliper_text.setText(text)
        (x0, _), (_, y1) = [r for r in self.plot.vb.viewRange()]
        self.caliper_text.setPos(max(reading.t1_s, x0), y1)
        self.calipersMoved.emit(text)

    # -- trigger --------------------------------------------------------------------------------
    def show_trigger(self, shown: bool, level_uv: float) -> None:
        """Show or hide the trigger line at ``level_uv``."""
        self.trigger.setValue(level_uv)
        self._label_trigger()
        self.trigger.setVisible(shown)

    def _label_trigger(self, *_args) -> None:
        self.trigger.label.setFormat(f"trigger {self.trigger.value():.0f} µV")
