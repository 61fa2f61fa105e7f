"""The trace: raw EMG at clinical scaling with the class ribbon above it.

The view owns no data beyond what it draws: it is given a record (and later a classification)
and draws the visible slice from a min/max pyramid, so a 1-sample spike is visible at every
zoom and each redraw costs pixels, not samples.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.display import scales
from emgviewer.display.colours import TRACE
from emgviewer.display.overlay import RibbonWindows
from emgviewer.display.scales import fitting_sensitivity
from emgviewer.records.record import Record
from emgviewer.ui.ribbon_item import RibbonItem


class TimeBaseViewBox(pg.ViewBox):
    """The trace's view box: the wheel steps the clinical time base about the instant under the
    pointer (``wheelStepped(time_s, direction)``; -1 zooms in) instead of pyqtgraph's free zoom."""

    wheelStepped = QtCore.Signal(float, int)

    def wheelEvent(self, event, axis=None) -> None:
        """Turn the wheel into a time zoom about the pointer (pyqtgraph's own zoom is off)."""
        delta = event.delta() if hasattr(event, "delta") else event.angleDelta().y()
        if delta:
            self.wheelStepped.emit(self.mapSceneToView(event.scenePos()).x(), -1 if delta > 0 else 1)
        event.accept()


class TraceView(pg.GraphicsLayoutWidget):
    """Ribbon (top) and trace (bottom), sharing the time axis in seconds."""

    windowClicked = QtCore.Signal(int)
    rangeChanged = QtCore.Signal(float, float)  # visible start, stop in s

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.ci.setSpacing(0)
        self.ribbon_plot = self.addPlot(row=0, col=0)
        # Row 1 is a second model's ribbon while one is compared (set_comparison), else empty.
        self.trace_plot = self.addPlot(row=2, col=0, viewBox=TimeBaseViewBox())
        self.ci.layout.setRowStretchFactor(0, 1)
        self.ci.layout.setRowStretchFactor(2, 6)
        self.compare_plot: pg.PlotItem | None = None
        self._setup_ribbon()
        self._setup_trace()
        self.record: Record | None = None
        self.pyramid: PeakPyramid | None = None
        self.ribbon: RibbonWindows | None = None
        self.starts_s = np.empty(0)
        self.stops_s = np.empty(0)
        self.timebase_ms = scales.DEFAULT_TIMEBASE_MS
        self._pointer_s: float | None = None  # the time under the mouse on the trace (A marks there)
        self.sensitivity_uv = scales.DEFAULT_SENSITIVITY_UV
        self.start_s = 0.0
        self._updating = False
        self._drawn_key: tuple[int, int, int] | None = None
        self._grid_key: tuple[float, float, float] | None = None
        self._view_key: tuple[float, float, float] | None = None

    # -- setup -------------------------------------------------------------------------------
    @staticmethod
    def _ribbon_band(plot: pg.PlotItem) -> None:
        """A ribbon's plot: no axes to read, no mouse zoom; lane 0 on top."""
        plot.hideAxis("bottom")
        plot.getAxis("left").setWidth(60)
        plot.getAxis("left").setTicks([[]])
        plot.getAxis("left").setStyle(showValues=False, tickLength=0)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.invertY(True)
        plot.setYRange(0, 1, padding=0)
        # Its x range is the trace's (linked), set by _apply_range: left to autorange, a band
        # widens to the whole record as its windows arrive, and the trace with it.
        plot.disableAutoRange()

    def _setup_ribbon(self) -> None:
        plot = self.ribbon_plot
        self._ribbon_band(plot)
        self.ribbon_item = RibbonItem(0.0, 1.0)
        plot.addItem(self.ribbon_item)
        self.ribbon_message = pg.TextItem("", color="#444444", anchor=(0, 0.5))
        plot.addItem(self.ribbon_message, ignoreBounds=True)
        plot.scene().sigMouseMoved.connect(self._hover)

    def _setup_trace(self) -> None:
        plot = self.trace_plot
        plot.setLabel("bottom", "time", units="s")
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        plot.setLabel("left", "µV")
        plot.getAxis("left").setWidth(60)
        # The division grid is one line item, not pyqtgraph's axis grid: the axis grid replays
        # a QPicture of alpha-blended lines every frame and cost half the frame time.
        self.grid = pg.PlotCurveItem(pen=pg.mkPen((0, 0, 0, 45), width=1), connect="pairs",
                                     skipFiniteCheck=True)
        self.grid.setZValue(-20)
        plot.addItem(self.grid)
        plot.setMouseEnabled(x=True, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setXLink(self.ribbon_plot)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(TRACE, width=1), connect="all", skipFiniteCheck=True)
        plot.addItem(self.curve)
        self.selection = pg.LinearRegionItem(movable=False, brush=(255, 200, 0, 50), pen=pg.mkPen((200, 140, 0), width=1))
        self.selection.setZValue(-10)
        self.selection.hide()
        plot.addItem(self.selection)
        plot.sigXRangeChanged.connect(self._on_x_range)
        plot.vb.wheelStepped.connect(self.zoom_about)
        plot.scene().sigMouseClicked.connect(self._click)

    # -- data --------------------------------------------------------------------------------
    def set_record(self, record: Record, fit_sensitivity: bool = True, pyramid: PeakPyramid | None = None) -> None:
        """``pyramid``: built already (off the UI thread, for a long record)."""
        self.record = record
        self.pyramid = pyramid or PeakPyramid(record.signal_uv)
        self._drawn_key = None
        self.clear_classification()
        self.start_s = 0.0
        if fit_sensitivity:
            self.sensitivity_uv = fitting_sensitivity(record.signal_uv)
        self.timebase_ms = scales.timebase_within(self.timebase_ms, record.duration_s)
        self._apply_range()

    def set_display_signal(self, signal_uv: np.ndarray, pyramid: PeakPyramid | None = None) -> None:
        """Draw ``signal_uv`` (the record through a display filter) in place of the record's
        own samples; the view (start, time base, sensitivity) stays as it is. ``pyramid``:
        built already, off the UI thread."""
        self.pyramid = pyramid or PeakPyramid(signal_uv)
        self._drawn_key = None
        self._redraw()

    def clear_classification(self, message: str = "") -> None:
        """No ribbon (a new record or model), with ``message`` where it was."""
        self.ribbon = None
        self.starts_s = self.stops_s = np.empty(0)
        self.ribbon_item.set_windows(None, 0.0)
        self.selection.hide()
        self.set_ribbon_message(message)

    def set_ribbon_message(self, message: str) -> None:
        """Say ``message`` where the ribbon is (empty: hide it)."""
        self.ribbon_message.setText(message)
        self.ribbon_message.setVisible(bool(message))
        self._place_message()

    def set_classification(self, ribbon: RibbonWindows) -> None:
        """Draw ``ribbon`` above the trace."""
        self.ribbon, self.starts_s, self.stops_s = ribbon, ribbon.starts_s, ribbon.stops_s
        self.ribbon_item.set_windows(ribbon, self.record.duration_s if self.record else float(ribbon.stops_s.max()))
        self.set_ribbon_message("")

    def set_comparison(self, ribbon: RibbonWindows | None, label: str = "") -> None:
        """A second model's ribbon in a band under the first, named by ``label``; ``None`` removes
        the band. Its windows line up with the first ribbon's, so a change of colour from one
        band to the other is a window the two models read differently."""
        if ribbon is None:
            if self.compare_plot is not None:
                self.ci.removeItem(self.compare_plot)
                self.compare_plot = None
            return
        if self.compare_plot is None:
            plot = pg.PlotItem()
            self._ribbon_band(plot)
            self.compare_item = RibbonItem(0.0, 1.0)
            plot.addItem(self.compare_item)
            plot.setXLink(self.ribbon_plot)
            self.ci.addItem(plot, row=1, col=0)
            self.ci.layout.setRowStretchFactor(1, 1)
            self.compare_plot = plot
            self._view_key = None  # set the range again, on every plot now
            self._apply_range()
        self.compare_item.set_windows(ribbon, self.record.duration_s if self.record else float(ribbon.stops_s.max()))
        # A title between the bands, not text over the bars: it hides no window.
        self.compare_plot.setTitle(label, size="8pt", color="#222222")
        self.compare_plot.titleLabel.setMinimumWidth(0)  # a title never widens the trace beyond the window

    def select_window(self, index: int | None, reveal: bool = True) -> None:
        """Outline window ``index``; with ``reveal``, scroll so it is on screen (a click on the
        screen never moves the view)."""
        if index is None or index >= self.starts_s.size:
            self.selection.hide()
            self.ribbon_item.set_selected(None)
            return
        self.selection.setRegion((self.starts_s[index], self.stops_s[index]))
        self.selection.show()
        self.ribbon_item.set_selected(index)
        if not reveal:
            return
        start, stop = self.visible_range()
        if not (start <= self.starts_s[index] and self.stops_s[index] <= stop):
            span = stop - start
            if span >= self.stops_s[index] - self.starts_s[index]:
                self.set_start(self.starts_s[index] - (span - (self.stops_s[index] - self.starts_s[index])) / 2)
            else:
                self.set_start(self.starts_s[index])

    # -- view state ----------------------------------------------------------------------------
    @property
    def span_s(self) -> float:
        """The seconds the screen shows (ten divisions of the time base)."""
        return scales.H_DIVISIONS * self.timebase_ms / 1e3

    @property
    def half_range_uv(self) -> float:
        """Half the screen's height in µV (the screen holds ``V_DIVISIONS`` divisions)."""
        return scales.V_DIVISIONS * self.sensitivity_uv / 2

    def visible_range(self) -> tuple[float, float]:
        """The first and last second on screen."""
        return self.start_s, self.start_s + self.span_s

    def set_timebase(self, timebase_ms: float) -> None:
        """Change the time base about the middle of the screen."""
        centre = self.start_s + self.span_s / 2
        self.timebase_ms = timebase_ms
        self.start_s = centre - self.span_s / 2
        self._apply_range()

    def set_sensitivity(self, sensitivity_uv: float) -> None:
        """Change the sensitivity (µV per division)."""
        self.sensitivity_uv = sensitivity_uv
        self._apply_range()

    def set_start(self, start_s: float) -> None:
        """Show the record from ``start_s`` (kept within the record)."""
        self.start_s = start_s
        self._apply_range()

    def scroll_divisions(self, divisions: float) -> None:
        """Scroll by ``divisions`` of the time base."""
        self.set_start(self.start_s + divisions * self.timebase_ms / 1e3)

    def _clamp_start(self) -> None:
        duration = self.record.duration_s if self.record else 0.0
        self.start_s = float(max(0.0, min(self.start_s, max(0.0, duration - self.span_s))))

    def _apply_range(self) -> None:
        self._clamp_start()
        self._updating = True
        try:
            half = self.half_range_uv
            view = (self.start_s, self.span_s, half)
            if view != self._view_key:  # re-setting an unchanged range would re-layout the axes
                self._view_key = view
                self.trace_plot.setYRange(-half, half, padding=0)
                self.trace_plot.setXRange(self.start_s, self.start_s + self.span_s, padding=0)
                # Ticks and grid lines on the divisions, as on the EMG machine's screen; one time
                # unit per time base (ms on screens under 2 s, else s), never switched by the axis.
                axis = self.trace_plot.getAxis("bottom")
                scale = 1e3 if self.span_s < 2.0 else 1.0
                axis.setScale(scale)
                axis.setLabel("time", units="ms" if scale == 1e3 else "s")
                axis.setTickSpacing(self.timebase_ms / 1e3 * 2 * scale, self.timebase_ms / 1e3 * scale)
                self.trace_plot.getAxis("left").setTickSpacing(self.sensitivity_uv * 2, self.sensitivity_uv)
                self._draw_grid(half)
        finally:
            self._updating = False
        self._redraw()
        self._place_message()
        self.rangeChanged.emit(*self.visible_range())

    def _draw_grid(self, half_uv: float) -> None:
        """Lines on every division of the visible screen (10 x 8), aligned to the time base."""
        division_s = self.timebase_ms / 1e3
        first = np.floor(self.start_s / division_s) * division_s
        key = (first, division_s, half_uv)
        if key == self._grid_key:
            return
        self._grid_key = key
        xs = first + division_s * np.arange(scales.H_DIVISIONS + 2)
        ys = np.linspace(-half_uv, half_uv, scales.V_DIVISIONS + 1)
        x = np.concatenate([np.repeat(xs, 2), np.tile([xs[0], xs[-1]], ys.size)])
        y = np.concatenate([np.tile([-half_uv, half_uv], xs.size), np.repeat(ys, 2)])
        self.grid.setData(x, y)

    def _on_x_range(self, _plot, x_range) -> None:
        if self._updating:
            return
        # A drag pans: keep the time base, follow the start.
        self.start_s = float(x_range[0])
        self._clamp_start()
        self._view_key = None
        self._draw_grid(self.half_range_uv)
        self._redraw()
        self.rangeChanged.emit(*self.visible_range())

    def _redraw(self) -> None:
        if self.record is None or self.pyramid is None:
            self.curve.setData([], [])
            self._drawn_key = None
            return
        fs = self.record.fs_hz
        start, stop = self.visible_range()
        pixels = max(200, int(self.trace_plot.vb.width()) or 1000)
        key = (int(start * fs), int(np.ceil(stop * fs)) + 1, pixels)
        if key == self._drawn_key:
            return  # same slice at the same width: the curve's cached path stays valid
        self._drawn_key = key
        drawn = self.pyramid.visible(*key)
        finite = bool(np.isfinite(drawn.y).all())
        connect = "all" if finite else "finite"
        if finite and drawn.samples_per_point > 1:
            # An envelope (a min/max pair per pixel column) is drawn as its vertical strokes
            # only: the strokes joining one column's max to the next one's min cover as many
            # pixels again, and zoomed out on a long record they cost 6 of an 8-ms frame.
            connect = "pairs"
        self.curve.setData(drawn.x / fs, drawn.y, connect=connect, skipFiniteCheck=finite)
        self._cache_if_still(start <= 0.0 and stop >= self.record.duration_s)

    def _cache_if_still(self, whole_record: bool) -> None:
        """Keep the curve's picture while the whole record is on screen: nothing can scroll
        then, and re-stroking a zoomed-out envelope (a solid band of tall strokes) would cost
        most of every frame that a selection, the ribbon or a caliper asks for. While the view
        can move, the picture would be re-rendered every step, so there is none."""
        mode = (QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache if whole_record
                else QtWidgets.QGraphicsItem.CacheMode.NoCache)
        if self.curve.cacheMode() != mode:
            self.curve.setCacheMode(mode)

    def displayed_data(self) -> tuple[np.ndarray, np.ndarray]:
        """What the curve shows (x in s, y in µV): for tests, as pyqtgraph's own tests do."""
        x, y = self.curve.getData()
        return np.asarray(x), np.asarray(y)

    def _place_message(self) -> None:
        start, _ = self.visible_range()
        self.ribbon_message.setPos(start + 0.01 * self.span_s, 0.5)

    # -- mouse -----------------------------------------------------------------------------------
    def zoom_about(self, time_s: float, direction: int) -> None:
        """One step of the time base about ``time_s``, which stays where it is on screen."""
        share = (time_s - self.start_s) / self.span_s
        self.timebase_ms = scales.step(scales.TIMEBASE_MS, self.timebase_ms, direction)
        self.start_s = time_s - share * self.span_s
        self._apply_range()

    def window_at_scene(self, scene_pos: QtCore.QPointF) -> int | None:
        """The window under a point of the ribbon, or ``None``."""
        if self.ribbon is None:
            return None
        if self.ribbon_plot.sceneBoundingRect().contains(scene_pos):
            point = self.ribbon_plot.vb.mapSceneToView(scene_pos)
            lane = int(np.clip(np.floor(point.y() * self.ribbon.lanes), 0, self.ribbon.lanes - 1))
            return self.ribbon.at(point.x(), lane)
        if self.trace_plot.sceneBoundingRect().contains(scene_pos):
            t = self.trace_plot.vb.mapSceneToView(scene_pos).x()
            inside = np.flatnonzero((self.starts_s <= t) & (t < self.stops_s))
            if inside.size:  # the window whose centre is nearest
                centres = (self.starts_s[inside] + self.stops_s[inside]) / 2
                return int(inside[np.argmin(np.abs(centres - t))])
        return None

    def _click(self, event) -> None:
        index = self.window_at_scene(event.scenePos())
        if index is not None:
            self.windowClicked.emit(index)

    def compared_window_at_scene(self, scene_pos: QtCore.QPointF) -> int | None:
        """The compared model's window under ``scene_pos`` in its band, if any."""
        windows = self.compare_item.windows if self.compare_plot is not None else None
        if windows is None or not self.compare_plot.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.compare_plot.vb.mapSceneToView(scene_pos)
        return windows.at(point.x(), int(np.clip(np.floor(point.y() * windows.lanes), 0, windows.lanes - 1)))

    def pointer_time_s(self) -> float | None:
        """The time under the mouse pointer on the trace, or ``None`` when it is not over it."""
        if self.underMouse() and self._pointer_s is not None:
            start, stop = self.visible_range()
            if start <= self._pointer_s <= stop:
                return self._pointer_s
        return None

    def _hover(self, scene_pos) -> None:
        over_trace = self.trace_plot.sceneBoundingRect().contains(scene_pos)
        self._pointer_s = self.trace_plot.vb.mapSceneToView(scene_pos).x() if over_trace else None
        index = self.window_at_scene(scene_pos) if self.ribbon_plot.sceneBoundingRect().contains(scene_pos) else None
        compared = self.compared_window_at_scene(scene_pos)
        text = self.tooltip_for(index) if index is not None else \
            self.compare_tooltip_for(compared) if compared is not None else ""
        if text:
            QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), text, self)
        else:
            QtWidgets.QToolTip.hideText()

    tooltip_for = staticmethod(lambda index: "")  # replaced by the main window
    compare_tooltip_for = staticmethod(lambda index: "")  # replaced by the comparison (ui/comparison.py)
