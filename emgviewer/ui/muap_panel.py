"""The MUAP panel: the record's units against the references, one unit's discharges
superimposed on its average with the duration markers, and the triggered sweeps."""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.analysis.muap import reference
from emgviewer.analysis.muap.instruments import Sweeps, triggered_sweeps
from emgviewer.analysis.muap.record import RecordMuaps
from emgviewer.analysis.muap.reference import marked
from emgviewer.display.colours import unit_colour

MAX_RASTER = 60  # discharges drawn behind the average: enough to see the jitter, few enough to read
COLUMNS = ("unit", "n", "rate Hz", "amp µV", "dur ms", "phases", "turns", "SI")
TRIGGER_OFF = "triggered sweeps: turn on Trigger line (T)"
SWEEP_POST_MS = 25.0  # a sweep runs this long after its trigger: holds a long neurogenic MUAP


class MuapPanel(QtWidgets.QWidget):
    """The MUAP panel: the record's units and summary, one unit's discharges over its average, triggered sweeps."""

    unitSelected = QtCore.Signal(int)
    triggerChanged = QtCore.Signal(bool, float)  # shown on the trace, level µV

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        self.summary = QtWidgets.QLabel("No record")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.table.setMaximumHeight(170)
        layout.addWidget(self.table)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.unit_plot = self.plots.addPlot(row=0, col=0, title="unit: discharges and average")
        self.trigger_plot = self.plots.addPlot(row=1, col=0, title=TRIGGER_OFF)
        for plot in (self.unit_plot, self.trigger_plot):
            plot.setLabel("bottom", "time", units="ms")
            plot.setLabel("left", "µV")
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.15)
        layout.addWidget(self.plots, 1)
        self.measures = QtWidgets.QLabel("")
        self.measures.setWordWrap(True)
        self.measures.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout.addWidget(self.measures)
        layout.addLayout(self._trigger_controls())
        self.muaps: RecordMuaps | None = None
        self.sweeps: Sweeps | None = None
        self.selected: int | None = None
        self._frame_sweeps()

    def _trigger_controls(self) -> QtWidgets.QGridLayout:
        # Two rows: in one, the controls set the dock's minimum width at about 400 px, and a
        # laptop's trace lost that much beside the dataset browser.
        grid = QtWidgets.QGridLayout()
        self.trigger_on = QtWidgets.QCheckBox("Trigger line (T)")
        self.level = QtWidgets.QDoubleSpinBox()
        self.level.setRange(-20000, 20000)
        self.level.setDecimals(0)
        self.level.setSingleStep(25)
        self.level.setSuffix(" µV")
        self.level.setValue(200)
        self.delay = QtWidgets.QDoubleSpinBox()
        self.delay.setRange(0, 50)
        self.delay.setSuffix(" ms delay")
        self.delay.setValue(5)
        self.trigger_count = QtWidgets.QLabel("")
        grid.addWidget(self.trigger_on, 0, 0, 1, 2)
        grid.addWidget(self.trigger_count, 0, 2)
        grid.addWidget(QtWidgets.QLabel("level"), 1, 0)
        grid.addWidget(self.level, 1, 1)
        grid.addWidget(self.delay, 1, 2)
        grid.setColumnStretch(3, 1)
        self.trigger_on.toggled.connect(self._trigger_edited)
        self.level.valueChanged.connect(self._trigger_edited)
        self.delay.valueChanged.connect(self._trigger_edited)
        return grid

    # -- content --------------------------------------------------------------------------------
    def clear(self, message: str) -> None:
        """No analysis: say ``message`` instead."""
        self.muaps, self.selected = None, None
        self.summary.setText(escape(message))
        self.table.setRowCount(0)
        self.unit_plot.clear()
        self.measures.setText("")
        self._draw_trigger()

    def set_muaps(self, muaps: RecordMuaps) -> None:
        """Show ``muaps``: the summary, the units table, and the largest unit selected."""
        self.muaps = muaps
        self.summary.setText(self._summary_html(muaps))
        units = muaps.analysis.units
        self.table.setRowCount(len(units))
        for row, unit in enumerate(units):
            m, f = unit.measures, unit.firing
            mark = lambda key: muaps.mark(unit.marks, key)  # noqa: E731
            cells = (unit.label, str(f.n_discharges), marked(f.mean_rate_hz, None, ".1f"),
                     marked(m.amplitude_uv, mark("amplitude_uv"), ".0f"),
                     marked(m.duration_ms, mark("duration_ms"), ".1f"), str(m.phases), str(m.turns),
                     f"{m.size_index:.2f}")
            left_out = "Left out of the record's means: " + "; ".join(unit.implausible) if unit.implausible else ""
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if column == 0:
                    item.setForeground(QtGui.QColor(unit_colour(row)))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                elif unit.implausible:  # shown, greyed, and why on hovering
                    item.setForeground(QtGui.QColor("#8c8c8c"))
                item.setToolTip(left_out)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        if units:
            self.table.selectRow(0)
        else:
            self.unit_plot.clear()
            self.measures.setText("")
        self._draw_trigger()

    def _summary_html(self, muaps: RecordMuaps) -> str:
        text = escape(muaps.summary_line())
        notes = "".join(f"<br><span style='color:#8a5a00'>read with care: {escape(n)}</span>" for n in muaps.notes)
        return text + notes + ("<br><small>↑/↓ above/below the biceps reference range</small>"
                               if muaps.references_apply else "")

    def _row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.select_unit(rows[0].row())

    def select_unit(self, index: int) -> None:
        """Show unit ``index``'s discharges over its average."""
        if self.muaps is None or not 0 <= index < len(self.muaps.analysis.units):
            return
        self.selected = index
        if self.table.currentRow() != index:
            self.table.selectRow(index)
        self._draw_unit(index)
        self.unitSelected.emit(index)

    def _draw_unit(self, index: int) -> None:
        muaps = self.muaps
        unit = muaps.analysis.units[index]
        fs = muaps.analysis.fs_hz
        signal = muaps.record.signal_uv
        half = unit.template_uv.size // 2
        t_ms = unit.template_times_ms(fs)
        plot = self.unit_plot
        plot.clear()
        colour = unit_colour(index)
        chosen = unit.discharges[(unit.discharges >= half) & (unit.discharges < signal.size - half)]
        if chosen.size > MAX_RASTER:
            chosen = chosen[np.linspace(0, chosen.size - 1, MAX_RASTER).round().astype(int)]
        raster = pg.mkPen(QtGui.QColor(colour).lighter(170), width=1)
        sweeps = signal[chosen[:, None] + np.arange(-half, half + 1)[None, :]].astype(np.float64)
        sweeps -= np.median(sweeps[:, : max(1, half // 6)], axis=1, keepdims=True)
        plot.addItem(_one_curve(t_ms, sweeps, raster))  # one item for all sweeps: cheap to draw
        plot.plot(t_ms, unit.template_uv, pen=pg.mkPen(colour, width=2.5))
        m = unit.measures
        for ms in (m.onset_ms, m.end_ms):
            plot.addItem(pg.InfiniteLine(ms, angle=90, pen=pg.mkPen("#555555", style=QtCore.Qt.PenStyle.DashLine)))
        plot.setTitle(f"{unit.label}: {chosen.size} of {unit.discharges.size} discharges and their average")
        refs = reference.UNIT
        mark = lambda key: muaps.mark(unit.marks, key)  # noqa: E731
        f = unit.firing
        self.measures.setText(escape(
            f"{unit.label}: amplitude {marked(m.amplitude_uv, mark('amplitude_uv'), '.0f', ' µV')} "
            f"(ref {refs['amplitude_uv'].text()}) · duration {marked(m.duration_ms, mark('duration_ms'), '.1f', ' ms')} "
            f"(ref {refs['duration_ms'].text()}) · {m.phases} phases{' (polyphasic)' if m.polyphasic else ''} · "
            f"{m.turns} turns · area {m.area_uv_ms:.0f} µV·ms · size index {m.size_index:.2f} · firing "
            f"{marked(f.mean_rate_hz, None, '.1f')} Hz, IDI CV {marked(f.idi_cv, None, '.2f')}"
            + (f" · satellites at {', '.join(f'{v:g}' for v in m.satellites_ms)} ms" if m.satellites_ms else "")
            + (f" · not plausible as one motor unit, left out of the means: {'; '.join(unit.implausible)}"
               if unit.implausible else "")))

    # -- trigger --------------------------------------------------------------------------------
    def set_trigger(self, shown: bool, level_uv: float | None = None) -> None:
        """Show or hide the triggered sweeps (at ``level_uv``, or the level set)."""
        if level_uv is not None:
            self.level.setValue(level_uv)
        self.trigger_on.setChecked(shown)

    def _trigger_edited(self, *_args) -> None:
        self._draw_trigger()
        self.triggerChanged.emit(self.trigger_on.isChecked(), self.level.value())

    def _draw_trigger(self) -> None:
        plot = self.trigger_plot
        plot.clear()
        self.sweeps = None
        if self.muaps is None or not self.trigger_on.isChecked():
            self.trigger_count.setText("")
            # Said in the plot itself: an empty frame (or the last run's title) reads as a result.
            plot.setTitle(TRIGGER_OFF)
            self._frame_sweeps()
            return
        record = self.muaps.record
        self.sweeps = triggered_sweeps(record.signal_uv, record.fs_hz, self.level.value(),
                                       pre_ms=self.delay.value(), post_ms=SWEEP_POST_MS)
        n = len(self.sweeps.sweeps_uv)
        self.trigger_count.setText(f"{n} sweep{'s' if n != 1 else ''}")
        if n == 0:
            plot.setTitle(f"no crossing of {self.level.value():.0f} µV: no sweep")
            self._frame_sweeps()
            return
        t = self.sweeps.times_ms()
        plot.enableAutoRange()  # the sweeps set the frame again
        plot.addItem(_one_curve(t, self.sweeps.sweeps_uv[:MAX_RASTER], pg.mkPen((120, 120, 120, 90), width=1)))
        plot.plot(t, self.sweeps.average_uv, pen=pg.mkPen("#b00020", width=2))
        plot.addItem(pg.InfiniteLine(self.level.value(), angle=0, pen=pg.mkPen("#b00020", style=QtCore.Qt.PenStyle.DotLine)))
        plot.setTitle(f"{n} sweeps triggered at {self.level.value():.0f} µV, and their average")


    def _frame_sweeps(self) -> None:
        """An empty sweep plot framed as the sweeps would be (from the delay before the trigger to
        ``SWEEP_POST_MS`` after, twice the level each way), not pyqtgraph's 0-1 default, which
        reads as a 1-ms sweep of 1 µV."""
        self.trigger_plot.enableAutoRange(False)
        self.trigger_plot.setXRange(-self.delay.value(), SWEEP_POST_MS, padding=0)
        reach = 2 * max(abs(self.level.value()), 1.0)
        self.trigger_plot.setYRange(-reach, reach, padding=0)


def _one_curve(t: np.ndarray, sweeps: np.ndarray, pen) -> pg.PlotCurveItem:
    """Superimposed sweeps as one curve, broken between sweeps (NaN gaps)."""
    n = len(sweeps)
    x = np.concatenate([np.tile(np.append(t, np.nan), n)]) if n else np.empty(0)
    y = np.hstack([sweeps, np.full((n, 1), np.nan)]).ravel() if n else np.empty(0)
    return pg.PlotCurveItem(x, y, pen=pen, connect="finite")
