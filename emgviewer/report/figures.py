"""Vector figures for the PDF report, drawn from the same data and ribbon as the viewer."""

from __future__ import annotations

import numpy as np
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.inference.classify import Classification
from emgviewer.report.overlay import Ribbon, ribbon_for
from emgviewer.report.scales import SENSITIVITY_UV, fitting_sensitivity, nice_length

FONT = "Helvetica"
GREY = colors.Color(0.45, 0.45, 0.45)
TRACE = colors.Color(0.1, 0.1, 0.1)


def _rgb(rgba: np.ndarray) -> colors.Color:
    r, g, b, a = (int(v) for v in rgba)
    return colors.Color(r / 255, g / 255, b / 255, alpha=a / 255)


def draw_ribbon(drawing: Drawing, ribbon: Ribbon, x0: float, y0: float, width: float, height: float,
                duration_s: float) -> None:
    """The viewer's ribbon image as vector rectangles: one per run of identical pixels."""
    lane_height = height / ribbon.lanes
    scale = width / duration_s
    for lane in range(ribbon.lanes):
        row = ribbon.rgba[lane]
        change = np.flatnonzero(np.any(np.diff(row.astype(np.int16), axis=0) != 0, axis=1)) + 1
        edges = np.concatenate(([0], change, [row.shape[0]]))
        for first, last in zip(edges[:-1], edges[1:]):
            if row[first, 3] == 0:
                continue
            left = x0 + first * ribbon.seconds_per_column * scale
            right = x0 + min(last * ribbon.seconds_per_column, duration_s) * scale
            top = y0 + height - lane * lane_height
            drawing.add(Rect(left, top - lane_height * 0.9, max(right - left, 0.2), lane_height * 0.85,
                             fillColor=_rgb(row[first]), strokeColor=None))


def _trace_points(signal: np.ndarray, x0: float, width: float, y_mid: float, uv_per_point: float,
                  half_height: float) -> list[float]:
    drawn = PeakPyramid(signal).visible(0, signal.size, int(width * 2))
    x = x0 + drawn.x / max(signal.size - 1, 1) * width
    y = y_mid + np.clip(np.nan_to_num(drawn.y, nan=0.0) / uv_per_point, -half_height, half_height)
    return np.column_stack([x, y]).ravel().tolist()


def _scale_bars(drawing: Drawing, x: float, y: float, seconds: float, points_per_s: float, uv: float,
                points_per_uv: float) -> None:
    """An L-shaped scale bar: horizontal ``seconds``, vertical ``uv``, labelled."""
    length_x, length_y = seconds * points_per_s, uv * points_per_uv
    drawing.add(Line(x, y, x + length_x, y, strokeColor=colors.black, strokeWidth=1.2))
    drawing.add(Line(x, y, x, y + length_y, strokeColor=colors.black, strokeWidth=1.2))
    time_label = f"{seconds * 1e3:g} ms" if seconds < 1 else f"{seconds:g} s"
    drawing.add(String(x + length_x / 2, y - 8, time_label, fontName=FONT, fontSize=6.5, textAnchor="middle"))
    drawing.add(String(x - 2, y + length_y / 2 - 2, f"{uv:g} µV", fontName=FONT, fontSize=6.5, textAnchor="end"))


def trace_figure(result: Classification, width: float, sensitivity_uv: float | None = None) -> Drawing:
    """The whole record with the class ribbon above it, a legend and scale bars."""
    record = result.record
    ribbon = ribbon_for(result)
    trace_height, ribbon_height, legend_height = 120.0, 9.0 * ribbon.lanes, 14.0
    height = trace_height + ribbon_height + legend_height + 14
    drawing = Drawing(width, height)
    left = 34.0
    plot_width = width - left - 4
    sensitivity = sensitivity_uv or fitting_sensitivity(record.signal_uv)
    half_uv = sensitivity * 4
    uv_per_point = half_uv / (trace_height / 2)
    y_mid = 12 + trace_height / 2
    drawing.add(Rect(left, 12, plot_width, trace_height, fillColor=None, strokeColor=colors.Color(0.8, 0.8, 0.8),
                     strokeWidth=0.5))
    drawing.add(PolyLine(_trace_points(record.signal_uv, left, plot_width, y_mid, uv_per_point, trace_height / 2),
                         strokeColor=TRACE, strokeWidth=0.35))
    draw_ribbon(drawing, ribbon, left, 12 + trace_height + 3, plot_width, ribbon_height, record.duration_s)
    points_per_s = plot_width / record.duration_s
    _scale_bars(drawing, left + 8, 18, nice_length(record.duration_s / 8), points_per_s,
                nice_length(half_uv / 2), 1 / uv_per_point)
    _legend(drawing, result, left, height - legend_height + 2)
    drawing.add(String(left - 4, y_mid - 3, "trace", fontName=FONT, fontSize=6.5, textAnchor="end", fillColor=GREY))
    drawing.add(String(left - 4, 12 + trace_height + 3 + ribbon_height / 2 - 3, "windows", fontName=FONT,
                       fontSize=6.5, textAnchor="end", fillColor=GREY))
    return drawing


def _legend(drawing: Drawing, result: Classification, x: float, y: float) -> None:
    entries = [(c.label, colors.HexColor(c.colour)) for c in result.model.card.classes]
    entries += [("invalid (missing, flat, clipped)", colors.Color(150 / 255, 150 / 255, 150 / 255))]
    for label, colour in entries:
        drawing.add(Rect(x, y, 9, 7, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 12, y + 1, label, fontName=FONT, fontSize=7))
        x += 18 + 3.6 * len(label)
    drawing.add(String(x, y + 1, "paler: less confident; striped: uncertain", fontName=FONT, fontSize=6.5,
                       fillColor=GREY))


def probability_timeline(result: Classification, width: float, height: float = 90.0) -> Drawing:
    """Each class's probability per window (at the window's centre); invalid windows in grey."""
    drawing = Drawing(width, height + 16)
    left, bottom = 34.0, 14.0
    plot_width = width - left - 4
    duration = result.record.duration_s
    to_x = lambda t: left + t / duration * plot_width  # noqa: E731
    to_y = lambda p: bottom + p * height  # noqa: E731
    drawing.add(Rect(left, bottom, plot_width, height, fillColor=None, strokeColor=colors.Color(0.8, 0.8, 0.8),
                     strokeWidth=0.5))
    for i in np.flatnonzero(~result.valid):
        drawing.add(Rect(to_x(result.starts_s[i]), bottom, (result.stops_s[i] - result.starts_s[i]) / duration * plot_width,
                         height * 0.06, fillColor=colors.Color(0.6, 0.6, 0.6), strokeColor=None))
    threshold = result.model.card.uncertainty_threshold
    drawing.add(Line(left, to_y(threshold), left + plot_width, to_y(threshold), strokeColor=GREY,
                     strokeWidth=0.5, strokeDashArray=[2, 2]))
    centres = (result.starts_s + result.stops_s) / 2
    valid = np.flatnonzero(result.valid)
    for k, info in enumerate(result.model.card.classes):
        if valid.size == 0:
            break
        points = np.column_stack([to_x(centres[valid]), to_y(result.probabilities[valid, k])]).ravel().tolist()
        drawing.add(PolyLine(points, strokeColor=colors.HexColor(info.colour), strokeWidth=1.0))
    for p in (0.0, 0.5, 1.0):
        drawing.add(String(left - 3, to_y(p) - 2.5, f"{p:g}", fontName=FONT, fontSize=6.5, textAnchor="end"))
    drawing.add(String(left + plot_width, to_y(threshold) + 2, f"uncertainty threshold {threshold:g}",
                       fontName=FONT, fontSize=6, textAnchor="end", fillColor=GREY))
    for t in np.arange(0, duration + 1e-9, max(1.0, nice_length(duration / 6))):
        drawing.add(String(to_x(t), 3, f"{t:g} s", fontName=FONT, fontSize=6.5, textAnchor="middle"))
    return drawing


def closeup_figure(result: Classification, index: int, width: float, height: float = 70.0) -> Drawing:
    """One window's waveform with scale bars."""
    record = result.record
    fs = record.fs_hz
    first = int(round(result.starts_s[index] * fs))
    last = int(round(result.stops_s[index] * fs))
    window = record.signal_uv[first:last]
    drawing = Drawing(width, height + 12)
    finite = np.abs(window[np.isfinite(window)])
    half_uv = max(SENSITIVITY_UV[0] * 4, float(finite.max()) if finite.size else 1.0) * 1.05
    uv_per_point = half_uv / (height / 2)
    y_mid = 12 + height / 2
    drawing.add(PolyLine(_trace_points(window, 30, width - 34, y_mid, uv_per_point, height / 2),
                         strokeColor=TRACE, strokeWidth=0.4))
    duration = window.size / fs
    _scale_bars(drawing, 30, 14, nice_length(duration / 5), (width - 34) / duration, nice_length(half_uv / 2),
                1 / uv_per_point)
    return drawing
