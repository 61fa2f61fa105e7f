"""Window inspector: everything about one window, for teaching and for doubt."""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from emgviewer.analysis.measures import window_measures
from emgviewer.analysis.spectrum import welch_psd
from emgviewer.display.colours import OUTSIDE_DOMAIN, TRACE
from emgviewer.display.scales import nice_length
from emgviewer.inference.classify import Classification
from emgviewer.inference.saliency import UNITS as SALIENCY_UNITS

#: A bar above this holds its label inside (white); a shorter one carries it on top.
INSIDE_LABEL = 0.75
PROBABILITY_TOP = 1.25


class WindowInspector(QtWidgets.QWidget):
    """The window inspector: a selected window's close-up, saliency, probabilities, spectrum and measures."""

    previousRequested = QtCore.Signal()
    nextRequested = QtCore.Signal()
    #: A selected window is drawn (its index): :meth:`show_window` draws on the next turn.
    windowShown = QtCore.Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        buttons = QtWidgets.QHBoxLayout()
        # The keys go in the tooltips: "◀ Previous [" read as a stray bracket on the button.
        self.previous = QtWidgets.QPushButton("◀ Previous")
        self.previous.setToolTip("Previous window ([)")
        self.next = QtWidgets.QPushButton("Next ▶")
        self.next.setToolTip("Next window (])")
        self.previous.clicked.connect(self.previousRequested)
        self.next.clicked.connect(self.nextRequested)
        self.title = QtWidgets.QLabel("No window selected")
        self.title.setStyleSheet("font-weight: bold")
        # A long title must not set the dock's minimum width (the trace needs it on a laptop).
        self.title.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.title.setWordWrap(True)
        buttons.addWidget(self.previous)
        buttons.addWidget(self.title, 1, QtCore.Qt.AlignmentFlag.AlignCenter)
        buttons.addWidget(self.next)
        layout.addLayout(buttons)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.closeup = self.plots.addPlot(row=0, col=0, title="close-up")
        self.saliency = self.plots.addPlot(row=1, col=0, title="occlusion saliency")
        self.saliency.setXLink(self.closeup)
        self.probabilities = self.plots.addPlot(row=2, col=0, title="class probabilities")
        self.spectrum = self.plots.addPlot(row=3, col=0, title="spectrum (Welch)")
        self.closeup.setLabel("left", "µV")
        self.saliency.setLabel("bottom", "time in window", units="s")
        # The drop in the class's log-odds when those samples are masked (saliency.UNITS): a
        # probability's drop lay flat where the model was surest, and "5e-05" read bare said
        # nothing of what it measures.
        self.saliency.setLabel("left", SALIENCY_UNITS)
        self.saliency.getAxis("left").enableAutoSIPrefix(False)
        self.saliency.getAxis("left").setToolTip("How much evidence for the window's class each part carries: "
                                                 "the drop in its log-odds (natural log) when that part is "
                                                 "masked; +2.3 is ten times the odds")
        self.spectrum.setLabel("bottom", "frequency", units="Hz")
        self.spectrum.setLogMode(x=False, y=True)
        # A probability axis ends at 1, whatever room the labels take above it.
        self.probabilities.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        for plot in (self.closeup, self.saliency, self.probabilities, self.spectrum):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        for plot in (self.closeup, self.saliency):
            # A window is ~19k samples at 23.4 kHz: drawn whole, the saliency curve's wide pen
            # cost 16-20 ms a repaint. Peak decimation to the pixels keeps every spike (set on
            # the plot: pyqtgraph resets it on curves when they are added).
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
        self.plots.ci.layout.setRowStretchFactor(0, 3)
        layout.addWidget(self.plots, 1)
        self.details = QtWidgets.QLabel("")
        self.details.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setWordWrap(True)
        # Fixed heights (two title lines, five detail lines): text that wraps to one more line
        # would otherwise re-lay out and repaint all four plots, and make them jump. Five: at the
        # inspector's narrowest (beside the dataset browser on a laptop) the details take five.
        lines = self.details.fontMetrics().lineSpacing()
        self.details.setFixedHeight(5 * lines + 6)
        self.details.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.title.setFixedHeight(2 * lines + 4)
        layout.addWidget(self.details)
        # Why a plot is empty is said inside it: a changing plot title re-lays out all four
        # plots (a 20-30 ms repaint of the whole inspector at every selection).
        self.saliency_note = _note(self.saliency)
        self.probabilities_note = _note(self.probabilities)
        self.closeup_curve = self.closeup.plot(pen=pg.mkPen(TRACE, width=1))
        self.saliency_curve = self.saliency.plot(pen=pg.mkPen("#D55E00", width=1.5))
        self.spectrum_curve = self.spectrum.plot(pen=pg.mkPen("#0072B2", width=1))
        self.bars: pg.BarGraphItem | None = None
        self.bar_labels: list[pg.TextItem] = []
        self.scale_bar: pg.ScaleBar | None = None
        self.shown: dict = {}
        #: What the trace shows (the record through the display filter) and the filter's label;
        #: the close-up shows the same, the probabilities always come from the recorded signal.
        self.display_signal: np.ndarray | None = None
        self.display_label = "unfiltered"
        self._pending: tuple[Classification, int] | None = None
        self._draw_timer = QtCore.QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(0)
        self._draw_timer.timeout.connect(self.flush)

    def show_window(self, result: Classification, index: int) -> None:
        """Show window ``index`` of ``result`` on the next event-loop turn.

        Deferred, and only the latest request drawn: a selection made with a new classification
        would otherwise compute and repaint the four plots in the same turn as the trace and
        overview (about 60 ms more of one frozen turn on a long record), and held-down stepping
        draws only the window it stops at."""
        if self.saliency_curve.xData is not None and self.saliency_curve.xData.size:
            self.saliency_curve.setData([], [])  # never beside another window's close-up
        self._pending = (result, index)
        self._draw_timer.start()

    def flush(self) -> None:
        """Draw the window requested last, if it is not drawn yet."""
        self._draw_timer.stop()
        if self._pending is not None:
            result, index = self._pending
            self._pending = None
            self._draw(result, index)
            self.windowShown.emit(index)

    def _draw(self, result: Classification, index: int) -> None:
        record, card = result.record, result.model.card
        fs = record.fs_hz
        first = int(round(result.starts_s[index] * fs))
        shown = record.signal_uv if self.display_signal is None else self.display_signal
        window = shown[first: first + int(round((result.stops_s[index] - result.starts_s[index]) * fs))]
        t = np.arange(window.size) / fs
        self.closeup_curve.setData(t, window, connect="finite")
        # Ranges set with the data rather than left to pyqtgraph's auto-range, which is
        # recomputed while painting.
        self.closeup.setRange(xRange=(0.0, window.size / fs), yRange=_span(window), padding=0.02)
        self._set_scale_bar(nice_length(window.size / fs / 5))
        valid = bool(result.valid[index])
        names = [c.label for c in card.classes]
        if valid:
            probabilities = result.probabilities[index]
            # Drawn apart, as in the ribbon.
            self._draw_bars(names, probabilities, [OUTSIDE_DOMAIN if result.drawn_apart else c.colour
                                                   for c in card.classes])
            self.probabilities_note.setText("")
        else:  # an invalid window was never run: there are no probabilities to draw
            probabilities = None
            self._draw_bars([], np.zeros(0), [])
            self.probabilities_note.setText("none: the window was not classified")
        if np.isfinite(window).sum() > 256:
            frequencies, power = welch_psd(window[np.isfinite(window)], fs, nperseg=min(2048, window.size))
            power = np.maximum(power[1:], 1e-12)
            self.spectrum_curve.setData(frequencies[1:], power)
            self.spectrum.setRange(xRange=(0.0, fs / 2), yRange=_span(np.log10(power)), padding=0.02)
        measures = window_measures(window, fs)
        self.title.setText(f"Window {index + 1}/{result.n_windows}: {result.starts_s[index]:.2f}–"
                           f"{result.stops_s[index]:.2f} s · display {self.display_label}")
        self.details.setText(self._details_html(result, index, probabilities, measures))
        self.shown = {"index": index, "probabilities": probabilities, "measures": measures, "valid": valid}

    @staticmethod
    def _details_html(result: Classification, index: int, probabilities: np.ndarray | None,
                      measures: dict[str, float]) -> str:
        """Rich text, every piece escaped: a "<" in "below 0.60" must not start a tag."""
        card = result.model.card
        measured = (f"peak-to-peak {measures['peak_to_peak_uv']:.0f} µV · RMS {measures['rms_uv']:.1f} µV · "
                    f"zero crossings {measures['zero_crossings_per_s']:.0f}/s · turns {measures['turns_per_s']:.0f}/s")
        if probabilities is None:
            return (f"<b>invalid</b> &nbsp; {escape(str(result.reason(index)))}: not classified, so no "
                    f"probabilities or uncertainty<br>{escape(measured)}")
        predicted = card.classes[int(np.argmax(probabilities))].label
        if result.drawn_apart:  # the reading is shown, never as a finding
            predicted = f"outside the model's domain; its reading: {predicted}"
        status = "valid"
        if result.uncertain[index]:
            status = (f"uncertain (top probability {result.max_probability[index]:.2f} < "
                      f"{card.uncertainty_threshold:.2f})")
        listed = " &nbsp; ".join(f"{escape(c.label)}: {p:.3f}" for c, p in zip(card.classes, probabilities))
        return (f"<b>{escape(predicted)}</b> &nbsp; {escape(status)}<br>{listed}<br>"
                f"entropy {result.entropy[index]:.3f} nats · {escape(measured)}")

    def _set_scale_bar(self, seconds: float) -> None:
        """A time scale bar about a fifth of the window long (1-2-5 lengths)."""
        if self.scale_bar is None:
            self.scale_bar = _TimeScaleBar(size=seconds, suffix="s", brush="k")
            self.scale_bar.setParentItem(self.closeup.getViewBox())
            self.scale_bar.anchor((0, 1), (0, 1), offset=(12, -12))
            self.scale_bar.text.fill = pg.mkBrush(255, 255, 255, 230)
        self.scale_bar.size = seconds
        self.scale_bar.text.setText(pg.siFormat(seconds, suffix="s"))
        self.scale_bar.text.setColor("#222222")  # pyqtgraph's default label is light grey on white
        self.scale_bar.updateBar()

    def show_saliency(self, curve: np.ndarray, fs_hz: float) -> None:
        """Draw the saliency ``curve`` of the window shown, at ``fs_hz``."""
        self.saliency_note.setText("")
        points = np.asarray(curve, dtype=np.float64)
        self.saliency_curve.setData(np.arange(points.size) / fs_hz, points)
        self.saliency.setYRange(*_span(points), padding=0.05)

    def saliency_absent(self, reason: str) -> None:
        """Say why there is no saliency curve (never a silently blank plot)."""
        self.saliency_curve.setData([], [])
        self.saliency_note.setText(reason)

    def clear(self) -> None:
        """Show nothing (a new record), without repainting an inspector already empty."""
        self._draw_timer.stop()
        self._pending = None
        if not self.shown and not self.saliency_note.toPlainText():
            return  # nothing to clear: a repaint of the four plots (8-16 ms) saved on each open
        self.title.setText("No window selected")
        self.details.setText("")
        for curve in (self.closeup_curve, self.saliency_curve, self.spectrum_curve):
            curve.setData([], [])
        self._draw_bars([], np.zeros(0), [])
        self.saliency_note.setText("")
        self.probabilities_note.setText("")
        self.shown = {}

    def _draw_bars(self, names: list[str], probabilities: np.ndarray, colours: list[str]) -> None:
        """The bars and their labels are made once per set of classes and then updated: new
        items each time cost about 6 ms a selection."""
        if self.bars is not None and (not names or self.bars.opts["x"].size != len(names)):
            self.probabilities.removeItem(self.bars)
            for label in self.bar_labels:
                self.probabilities.removeItem(label)
            self.bars, self.bar_labels = None, []
        if not names:
            return
        x = np.arange(len(names))
        brushes = [pg.mkBrush(c) for c in colours]
        if self.bars is None:
            self.bars = pg.BarGraphItem(x=x, height=probabilities, width=0.6, brushes=brushes)
            self.probabilities.addItem(self.bars)
            self.bar_labels = [pg.TextItem("") for _ in names]
            for label in self.bar_labels:
                self.probabilities.addItem(label)
        else:
            self.bars.setOpts(height=probabilities, brushes=brushes)
        for label, position, value in zip(self.bar_labels, x, probabilities):
            # Over a short bar, under the top of a tall one (inside it, white): never clipped.
            inside = value > INSIDE_LABEL
            label.setText(f"{value:.3f}", color="#ffffff" if inside else "#222222")
            label.setAnchor((0.5, 0) if inside else (0.5, 1))
            label.setPos(position, value - 0.02 if inside else value + 0.12)
        self.probabilities.getAxis("bottom").setTicks([list(zip(x, names))])
        # The margin above 1 holds the label over the tallest bar drawn outside
        # (INSIDE_LABEL + 0.12, plus the text's height at the smallest inspector).
        self.probabilities.setYRange(0, PROBABILITY_TOP, padding=0)
        self.probabilities.setXRange(-0.6, len(names) - 0.4, padding=0)


def _note(plot: pg.PlotItem) -> pg.TextItem:
    """Grey text at the top left of ``plot``'s view, in pixels (not data coordinates), wrapped to
    the view's width: a reason cut off at the dock's edge is a reason not given."""
    note = pg.TextItem("", color="#555555", anchor=(0, 0))
    view = plot.getViewBox()
    note.setParentItem(view)
    note.setPos(4, 2)
    view.sigResized.connect(lambda box: note.setTextWidth(max(40.0, box.width() - 8)))
    return note


def _span(values: np.ndarray) -> tuple[float, float]:
    """The finite values' range, never empty."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 1.0, high + 1.0)


class _TimeScaleBar(pg.ScaleBar):
    """pyqtgraph's scale bar drawn from its anchor to the right, its label after it: centred
    over a bar at the plot's right edge, the label (wider than the bar in a narrow inspector)
    ran out of the plot and over the trace."""

    def updateBar(self) -> None:
        super().updateBar()
        width = self.bar.rect().width()
        self.bar.setRect(QtCore.QRectF(0, 0, width, self._width))
        self.text.setAnchor((0, 1))  # its box's bottom a little under the bar's: reads as beside it
        self.text.setPos(width + 4, self._width + 3)

