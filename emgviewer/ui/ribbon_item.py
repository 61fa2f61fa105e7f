"""The class ribbon as a pyqtgraph item painted at screen resolution.

Each window is a bar over its exact span, in its lane; bars are inset so lanes and
neighbouring windows stay apart even when they share a class. What each bar says:

- class: its colour, plus the class's letter (N, M, A) wherever the bar is wide enough, a cue
  that survives colour blindness;
- confidence: the bar's height (a third of the lane at chance, the full lane at certainty),
  never a fade toward grey;
- uncertain: diagonal stripes in the class colour; invalid: grey cross-hatching; a record
  outside the model's domain: slate dots for every window, whatever its class. The patterns
  are drawn in screen pixels, so they never look like extra windows at any zoom;
- the selected window: a black outline.

Painting works in device pixels and draws at most about one bar per pixel column and lane, so a
30-minute record costs what an 11-second one does.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from emgviewer.display.colours import INVALID_FILL_RGB, INVALID_HATCH_RGB, TINT_ALPHA
from emgviewer.display.overlay import PENDING, RibbonWindows, bar_share

#: Zoomed out past this many bars, neighbouring bars of one lane that say the same (class,
#: state, confidence to a sixth) are drawn as one: a whole hour costs a few hundred rectangles.
MERGE_ABOVE = 400
INVALID_FILL = QtGui.QColor(*INVALID_FILL_RGB)
INVALID_HATCH = QtGui.QColor(*INVALID_HATCH_RGB)


class RibbonItem(pg.GraphicsObject):
    """Draws a :class:`RibbonWindows` in item coordinates x = seconds, y = ``y0`` .. ``y0 + height``
    (lane 0 at the top of the band on screen)."""

    def __init__(self, y0: float = 0.0, height: float = 1.0) -> None:
        super().__init__()
        self.windows: RibbonWindows | None = None
        self.selected: int | None = None
        self.duration_s = 0.0
        self.y0, self.height = y0, height
        self.painted = 0  # bars painted last time (for tests and benchmarks)

    def set_windows(self, windows: RibbonWindows | None, duration_s: float) -> None:
        """Draw ``windows`` over a record of ``duration_s`` (``None``: nothing)."""
        self.prepareGeometryChange()
        self.windows, self.duration_s, self.selected = windows, duration_s, None
        self.update()

    def set_selected(self, index: int | None) -> None:
        """Outline window ``index``."""
        self.selected = index
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        """The item's extent in data coordinates: the record's span, the band's height."""
        return QtCore.QRectF(0.0, self.y0, max(self.duration_s, 1e-9), self.height)

    def paint(self, painter: QtGui.QPainter, *_args) -> None:
        """Paint the visible windows in device pixels (see the module)."""
        self.painted = 0
        w = self.windows
        view = self.getViewBox()
        if w is None or view is None or w.starts_s.size == 0:
            return
        (x0, x1), _ = view.viewRange()
        stops = w.drawn_stops_s()
        first = int(np.searchsorted(stops, x0, side="right"))
        last = int(np.searchsorted(w.starts_s, x1, side="left"))
        if last <= first:
            return
        idx = np.arange(first, last)
        t = painter.transform()
        left = w.starts_s[idx] * t.m11() + t.dx()
        right = stops[idx] * t.m11() + t.dx()
        ya, yb = self.y0 * t.m22() + t.dy(), (self.y0 + self.height) * t.m22() + t.dy()
        band_top, band_h = min(ya, yb), abs(yb - ya)
        lane_h = band_h / w.lanes
        # At most one bar per pixel column and lane (the first one there): zoomed out, the
        # rest could not be seen anyway.
        column = np.floor(left).astype(np.int64)
        key = w.lane[idx] * (column.max() - column.min() + 2) + (column - column.min())
        _, keep = np.unique(key, return_index=True)
        idx, left, right = idx[keep], left[keep], right[keep]
        if idx.size > MERGE_ABOVE:
            idx, left, right = _merge_runs(w, idx, left, right)
        painter.save()
        painter.resetTransform()
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        gap = np.where(right - left >= 4, 1.0, 0.0)
        inset = min(2.0, lane_h * 0.1)
        groups: dict[tuple, list] = {}
        letters = []
        for i, lo, r, g in zip(idx, left, right, gap):
            top = band_top + w.lane[i] * lane_h + inset
            height = lane_h - 2 * inset
            width = max(1.0, r - lo - g)
            winner = int(w.winner[i])
            if winner == PENDING:
                continue  # not classified yet: the ribbon fills in as results arrive
            if winner < 0:
                groups.setdefault(("invalid",), []).append(QtCore.QRectF(lo, top, width, height))
                continue
            if w.outside:  # no colour that reads as a diagnosis: one dotted slate, the letter kept
                groups.setdefault(("outside", winner), []).append(QtCore.QRectF(lo, top, width, height))
            elif w.uncertain[i]:
                groups.setdefault(("uncertain", winner), []).append(QtCore.QRectF(lo, top, width, height))
            else:
                share = bar_share(w.strength[i])
                groups.setdefault(("tint", winner), []).append(QtCore.QRectF(lo, top, width, height))
                groups.setdefault(("bar", winner), []).append(
                    QtCore.QRectF(lo, top + height * (1 - share), width, height * share))
            if width >= 14 and height >= 10:
                letters.append((QtCore.QRectF(lo, top, width, height), w.letters[winner],
                                bool(w.uncertain[i]) or w.outside))
        order = {"tint": 0, "invalid": 1, "uncertain": 1, "outside": 1, "bar": 2}
        for key, rects in sorted(groups.items(), key=lambda kv: order[kv[0][0]]):
            for brush in _brushes(key, w.colours):
                painter.setBrush(brush)
                painter.drawRects(rects)
        painter.setPen(QtGui.QColor(255, 255, 255))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        for rect, letter, uncertain in letters:
            painter.setPen(QtGui.QColor(30, 30, 30) if uncertain else QtGui.QColor(255, 255, 255))
            painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, letter)
        if self.selected is not None and first <= self.selected < last:
            i = self.selected
            lo = w.starts_s[i] * t.m11() + t.dx()
            r = stops[i] * t.m11() + t.dx()
            top = band_top + w.lane[i] * lane_h
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.setPen(pg.mkPen("k", width=2))
            painter.drawRect(QtCore.QRectF(lo, top + 0.5, max(2.0, r - lo), lane_h - 1))
        painter.restore()
        self.painted = int(idx.size)


def _brushes(key: tuple, colours: tuple[str, ...]) -> list[QtGui.QBrush]:
    kind = key[0]
    if kind == "invalid":
        return [QtGui.QBrush(INVALID_FILL), QtGui.QBrush(INVALID_HATCH, QtCore.Qt.BrushStyle.DiagCrossPattern)]
    colour = QtGui.QColor(colours[key[1]])
    if kind == "uncertain":
        return [QtGui.QBrush(QtGui.QColor(255, 255, 255)), QtGui.QBrush(colour, QtCore.Qt.BrushStyle.BDiagPattern)]
    if kind == "outside":
        return [QtGui.QBrush(QtGui.QColor(255, 255, 255)), QtGui.QBrush(colour, QtCore.Qt.BrushStyle.Dense5Pattern)]
    if kind == "tint":
        tint = QtGui.QColor(colour)
        tint.setAlpha(TINT_ALPHA)
        return [QtGui.QBrush(tint)]
    return [QtGui.QBrush(colour)]


def _merge_runs(w: RibbonWindows, idx: np.ndarray, left: np.ndarray, right: np.ndarray):
    """Bars in one lane that touch (within a pixel) and say the same become one bar."""
    order = np.lexsort((left, w.lane[idx]))
    idx, left, right = idx[order], left[order], right[order]
    level = np.round(w.strength[idx] * 6)
    said = w.winner[idx] * 100 + w.uncertain[idx] * 10 + level
    lane = w.lane[idx]
    new_run = np.ones(idx.size, dtype=bool)
    new_run[1:] = (lane[1:] != lane[:-1]) | (said[1:] != said[:-1]) | (left[1:] > right[:-1] + 1.0)
    firsts = np.flatnonzero(new_run)
    lasts = np.append(firsts[1:], idx.size) - 1
    return idx[firsts], left[firsts], np.maximum.reduceat(right, firsts) if firsts.size else right[lasts]
