"""The whole record at a glance: decimated signal, class ribbon, and the visible range as a box
that can be dragged; a click centres the view there."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.display.colours import TRACE
from emgviewer.display.overlay import RibbonWindows
from emgviewer.records.record import Record
from emgviewer.ui.ribbon_item import RibbonItem

MIN_BOX_PX = 6  # the position box never shrinks below this on screen


class OverviewStrip(pg.PlotWidget):
    """The whole record in a strip under the trace, with the collapsed ribbon and the visible
    range; a click navigates."""

    navigate = QtCore.Signal(float)  # requested visible start, s

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setFixedHeight(90)
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.getAxis("bottom").setHeight(18)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        self.ribbon_item = RibbonItem(1.05, 0.55)  # painted at the strip's own resolution: any length
        plot.addItem(self.ribbon_item)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(TRACE, width=1), skipFiniteCheck=False)
        plot.addItem(self.curve)
        self.box = pg.LinearRegionItem(brush=(30, 100, 220, 40), pen=pg.mkPen((30, 100, 220), width=1))
        self.box.setZValue(10)
        plot.addItem(self.box)
        self.box.sigRegionChanged.connect(self._box_moved)
        plot.scene().sigMouseClicked.connect(self._click)
        self.record: Record | None = None
        self._span = 1.0
        self._syncing = False

    def set_record(self, record: Record, pyramid: PeakPyramid | None = None) -> None:
        """``pyramid``: the trace's own, so a long record's min/max pyramid is built once."""
        self.record = record
        drawn = (pyramid or PeakPyramid(record.signal_uv)).visible(0, record.n_samples, 1600)
        peak = float(np.nanmax(np.abs(drawn.y))) if drawn.y.size else 1.0
        # The trace fills the lower 70 %, the ribbon the top 30 % of a [-1, 1.6] band.
        self.curve.setData(drawn.x / record.fs_hz, drawn.y / max(peak, 1e-6))
        self.ribbon_item.set_windows(None, record.duration_s)
        self.getPlotItem().setXRange(0, record.duration_s, padding=0)
        self.getPlotItem().setYRange(-1.05, 1.65, padding=0)
        self.box.setBounds((0, record.duration_s))

    def set_ribbon(self, ribbon: RibbonWindows | None) -> None:
        """Draw the collapsed ribbon (``None``: none)."""
        self.ribbon_item.set_windows(ribbon, self.record.duration_s if self.record else 0.0)

    def set_selected(self, index: int | None) -> None:
        """Outline window ``index`` in the strip."""
        self.ribbon_item.set_selected(index)

    def show_range(self, start_s: float, stop_s: float) -> None:
        """Frame the part of the record the trace shows."""
        self._span = stop_s - start_s
        # A 1-s screen of a 40-min record is under a pixel: the box is drawn at least a few
        # pixels wide, centred on the screen's span.
        pixel_s = (self.record.duration_s if self.record else 1.0) / max(self.width(), 1)
        pad = max(0.0, (MIN_BOX_PX * pixel_s - (stop_s - start_s)) / 2)
        self._syncing = True
        try:
            self.box.setRegion((start_s - pad, stop_s + pad))
        finally:
            self._syncing = False

    def _box_moved(self) -> None:
        if not self._syncing:
            low, high = self.box.getRegion()
            self.navigate.emit(float((low + high) / 2 - self._span / 2))

    def _click(self, event) -> None:
        if self.record is None or not self.sceneBoundingRect().contains(event.scenePos()):
            return
        t = self.getPlotItem().vb.mapSceneToView(event.scenePos()).x()
        self.navigate.emit(float(t - self._span / 2))
