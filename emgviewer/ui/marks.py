"""The reader's marks in the viewer: drawn on the trace, listed in a dock, added, relabelled,
deleted, undone and redone, jumped between; saved to the record's events sidecar after every
change (atomically, merged with another viewer's changes to the same file), reloaded on open,
imported from EDF+ when there is no sidecar. Marks that could not be saved are never dropped
without asking: opening another record or closing offers Save as first."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from emgviewer.records.annotations import (
    CLINICAL_LABELS,
    Annotation,
    AnnotationList,
    read_edf_marks,
    record_sidecar,
    save_annotations,
)
from emgviewer.records.errors import RecordError
from emgviewer.records.marks_store import MarksFile
from emgviewer.ui.viewer import Viewer

MARK_COLOUR = "#2e7d32"
#: Label heights (share of the trace's height from its top) for marks too close to share one.
LABEL_ROWS = (0.08, 0.16, 0.24, 0.32)


def label_heights(onsets_s: list[float], gap_s: float) -> list[float]:
    """A label row for each mark (sorted by onset): a mark within ``gap_s`` of the last one in a
    row goes to the next row, so two marks at one time never draw their labels over each other."""
    last_in_row = [float("-inf")] * len(LABEL_ROWS)
    heights = []
    for onset in onsets_s:
        row = next((r for r, last in enumerate(last_in_row) if onset - last >= gap_s), None)
        if row is None:  # every row busy: the row free the longest
            row = min(range(len(LABEL_ROWS)), key=last_in_row.__getitem__)
        last_in_row[row] = onset
        heights.append(LABEL_ROWS[row])
    return heights


class MarksController(QtCore.QObject):
    """The record's marks: the Marks dock and menu, kept in the record's events file beside it."""

    changed = QtCore.Signal()

    def __init__(self, window: Viewer) -> None:
        super().__init__(window)
        self.window = window
        self.marks = AnnotationList()
        self.file: MarksFile | None = None
        self.source = ""
        self.writable = True
        #: Marks changed since the last successful save (the folder refused them): asked about
        #: before they could be dropped.
        self.unsaved = False
        self.items: list = []
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("onset s", "duration s", "label"))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.relabel(row))
        self.info = QtWidgets.QLabel("")
        self.info.setWordWrap(True)
        panel = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(panel)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        buttons = QtWidgets.QGridLayout()  # two rows: one row of five set the dock's minimum at 440 px
        for number, (text, slot) in enumerate((("Add (A)", self.add),
                                               ("Relabel", lambda: self.relabel(self.table.currentRow())),
                                               ("Delete", self.delete_selected), ("Undo", self.undo),
                                               ("Redo", self.redo))):
            button = QtWidgets.QPushButton(text)
            button.clicked.connect(lambda _checked=False, act=slot: act())
            buttons.addWidget(button, number // 3, number % 3)
        layout.addLayout(buttons)
        self.dock = QtWidgets.QDockWidget("Marks", window)
        self.dock.setObjectName("marks")
        self.dock.setWidget(panel)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.muap_dock, self.dock)
        window.inspector_dock.raise_()  # the inspector stays the tab in front

    def build_menu(self, menu) -> None:
        """Analysis → Marks."""
        marks = menu.addMenu("Marks")
        w = self.window
        add = w.action_maker.add
        add(marks, "Mark a point (or the calipers' span)…", self.add, "mark")
        add(marks, "Next mark", lambda: self.jump(+1), "next_mark")
        add(marks, "Previous mark", lambda: self.jump(-1), "previous_mark")
        add(marks, "Delete the selected mark", self.delete_selected, "delete_mark")
        add(marks, "Undo", self.undo, "undo")
        add(marks, "Redo", self.redo, "redo")
        add(marks, "Save marks as…", lambda: self.save_as())
        marks.addAction(self.dock.toggleViewAction())

    def for_report(self) -> tuple[list, str] | None:
        """The record's marks and where they came from, for its PDF; ``None`` when they could
        not be read (the report says nothing rather than "no marks")."""
        return (list(self.marks.marks), self.source) if self.writable else None

    # -- the record's marks ---------------------------------------------------------------------
    def record_opened(self, record) -> None:
        """Read the new record's marks (events file or EDF+), or say why they cannot be kept."""
        self.writable, self.unsaved = True, False
        self.file = MarksFile(record_sidecar(record))
        try:
            marks = self.file.read()
            self.source = "sidecar"
            if marks is None:
                marks = read_edf_marks(record)
                self.source = "EDF+" if marks else ""
                self.file.adopt(marks)
        except RecordError as err:
            # Never written over: the user's file stays as it is until they fix or move it.
            marks, self.source, self.writable = [], "", False
            self.window.show_error(f"{err}; marks are off for this record so the file is not overwritten")
        self.marks = AnnotationList(marks, changed=self._save)
        self._redraw()

    def _save(self, marks: list[Annotation]) -> None:
        if self.window.record is None or self.file is None:
            return
        if self.writable:
            path = self.file.path
            try:
                outcome = self.file.save(marks)
            except OSError as err:
                self.unsaved = True
                self.window.show_error(f"{path}: marks not saved ({err.strerror or err}); they stay in the viewer "
                                       "(Marks → Save marks as… keeps them elsewhere)")
            except RecordError as err:
                self.unsaved = True
                self.window.show_error(f"{err}; it changed on disk, so your marks were not saved over it "
                                       "(Marks → Save marks as… keeps them elsewhere)")
            else:
                self.unsaved = False
                self.source = "sidecar"
                if outcome.merged_from_disk:
                    self.marks.take_merged(outcome.marks)
                    n = outcome.merged_from_disk
                    self.window.show_error(f"{path}: another viewer changed these marks; its {n} mark"
                                           f"{'s' if n != 1 else ''} kept beside yours (undo starts afresh)")
        self._redraw()

    def save_as(self, path: str | Path | None = None) -> bool:
        """Write the marks to a file the reader picks (for a folder that refuses them)."""
        if path is None:
            name = self.file.path.name if self.file else "marks_events.tsv"
            chosen, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Save marks as", str(Path.home() / name),
                                                              "Events files (*.tsv)")
            if not chosen:
                return False
            path = chosen
        try:
            save_annotations(Path(path), self.marks.marks)
        except OSError as err:
            self.window.show_error(f"{path}: marks not saved ({err.strerror or err}); they stay in the viewer")
            return False
        self.unsaved = False
        self.window.statusBar().showMessage(f"marks saved to {path}", 5000)
        return True

    def may_leave(self) -> bool:
        """True when the record's marks may be let go: saved, or the reader chose to save them
        elsewhere or to discard them. Asked before another record opens and before closing."""
        if not self.unsaved or not self.marks.marks:
            return True
        if self.window.property("noDialogs"):  # no one to ask: keep them, and say how to go on
            self.window.show_error(f"{self.file.path if self.file else 'marks'}: marks not saved; save them with "
                                   "Marks → Save marks as… before leaving this record")
            return False
        n = len(self.marks.marks)
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "Unsaved marks",
                                    f"{n} mark{'s' if n != 1 else ''} on this record could not be saved beside it.",
                                    parent=self.window)
        box.setInformativeText("Save them to another file, discard them, or stay on this record?")
        save = box.addButton("Save as…", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is save:
            return self.save_as()
        if box.clickedButton() is discard:
            self.unsaved = False
            return True
        return False

    # -- editing ----------------------------------------------------------------------------------
    def ask_label(self, current: str = "") -> str | None:
        """Ask for a clinical label or free text; ``None`` when cancelled."""
        labels = list(CLINICAL_LABELS)
        index = labels.index(current) if current in labels else 0
        text, ok = QtWidgets.QInputDialog.getItem(self.window, "Mark", "Label (pick or type):", labels, index, True)
        text = " ".join(text.split())
        return text if ok and text else None

    def add(self, label: str | None = None) -> None:
        """Mark the pointer's time, or the calipers' span when they are shown."""
        window = self.window
        if window.record is None or not self.writable:
            return
        if window.calipers_action.isChecked():
            t1, t2 = sorted(line.value() for line in window.muap_overlay.calipers)
            onset, duration = t1, t2 - t1
        else:  # where the pointer is on the trace (the reader points at the discharge), else the centre
            start, stop = window.trace.visible_range()
            pointer = window.trace.pointer_time_s()
            onset, duration = (pointer if pointer is not None else (start + stop) / 2), 0.0
        label = label if isinstance(label, str) else self.ask_label()
        if label:
            self.marks.add(Annotation(round(onset, 6), round(duration, 6), label))

    def relabel(self, row: int, label: str | None = None) -> None:
        """Relabel mark ``row``."""
        if not 0 <= row < len(self.marks.marks) or not self.writable:
            return
        label = label or self.ask_label(self.marks.marks[row].label)
        if label:
            self.marks.edit(row, label)

    def delete_selected(self) -> None:
        """Delete the mark selected in the table."""
        row = self.table.currentRow()
        if 0 <= row < len(self.marks.marks) and self.writable:
            self.marks.delete(row)

    def undo(self) -> None:
        """Undo the last change to the marks."""
        if self.writable:
            self.marks.undo()

    def redo(self) -> None:
        """Redo the last undone change."""
        if self.writable:
            self.marks.redo()

    def jump(self, direction: int) -> None:
        """Scroll to the next (``+1``) or previous (``-1``) mark from the middle of the view."""
        trace = self.window.trace
        start, stop = trace.visible_range()
        index = self.marks.next_after((start + stop) / 2, direction)
        if index is None:
            self.window.statusBar().showMessage("no further mark", 2000)
            return
        mark = self.marks.marks[index]
        trace.set_start(mark.onset_s + mark.duration_s / 2 - (stop - start) / 2)
        self.table.selectRow(index)

    # -- drawing ----------------------------------------------------------------------------------
    def _label_gap_s(self) -> float:
        """How close two marks may be before their labels would overlap: a label's width, about
        a tenth of the screen."""
        start, stop = self.window.trace.visible_range()
        return max(stop - start, 1e-6) / 10

    def _redraw(self) -> None:
        plot = self.window.trace.trace_plot
        for item in self.items:
            plot.removeItem(item)
        self.items = []
        marks = self.marks.marks
        for mark, height in zip(marks, label_heights([m.onset_s for m in marks], self._label_gap_s())):
            if mark.duration_s > 0:
                item = pg.LinearRegionItem((mark.onset_s, mark.end_s), movable=False,
                                           brush=(46, 125, 50, 35), pen=pg.mkPen(MARK_COLOUR, width=1))
                pg.InfLineLabel(item.lines[0], mark.label, position=height, anchor=(0, 1), color=MARK_COLOUR)
            else:
                item = pg.InfiniteLine(mark.onset_s, angle=90, pen=pg.mkPen(MARK_COLOUR, width=1.5,
                                                                           style=QtCore.Qt.PenStyle.DotLine),
                                       label=mark.label, labelOpts={"position": height, "color": MARK_COLOUR,
                                                                    "anchors": [(0, 1), (0, 1)]})
            item.setZValue(8)
            plot.addItem(item, ignoreBounds=True)
            self.items.append(item)
        self.table.setRowCount(len(marks))
        for row, mark in enumerate(marks):
            for column, text in enumerate((f"{mark.onset_s:.3f}", f"{mark.duration_s:.3f}" if mark.duration_s else "point",
                                           mark.label)):
                self.table.setItem(row, column, QtWidgets.QTableWidgetItem(text))
        where = {"sidecar": "saved beside the record", "EDF+": "imported from the EDF+ annotations (saved "
                 "beside the record on the first change)"}.get(self.source, "none yet")
        self.info.setText(f"{len(marks)} mark{'s' if len(marks) != 1 else ''} · {where}"
                          if self.writable else "marks off: the events file could not be read (see the message)")
        self.changed.emit()
