"""Vector figures for the PDF report, drawn from the same data and ribbon as the viewer."""

from __future__ import annotations

import numpy as np
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.display.colours import INVALID_FILL_RGB, INVALID_HATCH_RGB, OUTSIDE_DOMAIN, TINT_ALPHA
from emgviewer.display.overlay import PENDING, RibbonWindows, bar_share, ribbon_letter, ribbon_windows
from emgviewer.display.scales import SENSITIVITY_UV, fitting_sensitivity, nice_length
from emgviewer.inference.classify import Classification

FONT = "Helvetica"
GREY = colors.Color(0.45, 0.45, 0.45)
TRACE = colors.Color(0.1, 0.1, 0.1)


def draw_ribbon(drawing: Drawing, windows: RibbonWindows, x0: float, y0: float, width: float, height: float,
                duration_s: float) -> None:
    """The viewer's ribbon as vector shapes: each window over its exact span in its lane, its
    class colour and letter, confidence as the bar's height over a pale tint, uncertain
    windows striped and invalid ones cross-hatched (at paper scale, like the viewer's at screen
    scale). ``y0`` is the band's bottom; lane 0 is on top."""
    lane_height = height / windows.lanes
    scale = width / duration_s
    stops = windows.drawn_stops_s()
    inset = min(0.8, lane_height * 0.1)
    for i in range(windows.starts_s.size):
        winner = int(windows.winner[i])
        if winner == PENDING:
            continue
        left = x0 + windows.starts_s[i] * scale
        span = (stops[i] - windows.starts_s[i]) * scale
        bar_width = max(span - min(0.6, span * 0.2), 0.3)  # a gap keeps same-class neighbours apart
        top = y0 + height - windows.lane[i] * lane_height - inset
        bar_height = lane_height - 2 * inset
        bottom = top - bar_height
        if winner < 0:
            drawing.add(Rect(left, bottom, bar_width, bar_height, fillColor=_colour(INVALID_FILL_RGB), strokeColor=None))
            _hatch(drawing, left, bottom, bar_width, bar_height, _colour(INVALID_HATCH_RGB), both=True)
            continue
        colour = colors.HexColor(windows.colours[winner])
        if windows.uncertain[i]:
            drawing.add(Rect(left, bottom, bar_width, bar_height, fillColor=colors.white, strokeColor=None))
            _hatch(drawing, left, bottom, bar_width, bar_height, colour, both=False)
        else:
            tint = colors.Color(colour.red, colour.green, colour.blue, alpha=TINT_ALPHA / 255)
            drawing.add(Rect(left, bottom, bar_width, bar_height, fillColor=tint, strokeColor=None))
            drawing.add(Rect(left, bottom, bar_width, bar_height * bar_share(windows.strength[i]),
                             fillColor=colour, strokeColor=None))
        if bar_width >= 7 and bar_height >= 5.5:
            drawing.add(String(left + bar_width / 2, bottom + bar_height / 2 - 2, windows.letters[winner],
                               fontName=FONT + "-Bold", fontSize=min(6.5, bar_height - 1), textAnchor="middle",
                               fillColor=colors.Color(0.12, 0.12, 0.12) if windows.uncertain[i] else colors.white))


def _colour(rgb: tuple[int, int, int]) -> colors.Color:
    return colors.Color(*(v / 255 for v in rgb))


def _hatch(drawing: Drawing, left: float, bottom: float, width: float, height: float, colour: colors.Color,
           both: bool, spacing: float = 2.2) -> None:
    """Diagonal lines (both directions: cross-hatching) clipped to the rectangle, drawn at a
    fixed paper spacing so that a pattern never reads as extra windows."""
    for direction in ((1, -1) if both else (1,)):
        for offset in np.arange(-height, width, spacing):
            # The line x = left + offset + s, y = bottom + s (or top - s), s in [0, height], clipped to the box.
            s0, s1 = max(0.0, -offset), min(height, width - offset)
            if s1 <= s0:
                continue
            x_a, x_b = left + offset + s0, left + offset + s1
            y_a, y_b = ((bottom + s0, bottom + s1) if direction == 1 else (bottom + height - s0, bottom + height - s1))
            drawing.add(Line(x_a, y_a, x_b, y_b, strokeColor=colour, strokeWidth=0.35))


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
    ribbon = ribbon_windows(result)
    trace_height, ribbon_height, legend_height = 120.0, 9.0 * ribbon.lanes, 14.0
    # The scale bars stand in a strip of their own under the trace: inside it, a trace that
    # wanders to the bottom (N2001 A04's last seconds) ran into them.
    sensitivity = sensitivity_uv or fitting_sensitivity(record.signal_uv)
    half_uv = sensitivity * 4
    uv_per_point = half_uv / (trace_height / 2)
    bar_uv = nice_length(half_uv / 2)
    bars_height = bar_uv / uv_per_point + 14
    bottom = 12 + bars_height
    height = bottom + trace_height + ribbon_height + legend_height + 2
    drawing = Drawing(width, height)
    left = 34.0
    plot_width = width - left - 4
    y_mid = bottom + trace_height / 2
    drawing.add(Rect(left, bottom, plot_width, trace_height, fillColor=None, strokeColor=colors.Color(0.8, 0.8, 0.8),
                     strokeWidth=0.5))
    drawing.add(PolyLine(_trace_points(record.signal_uv, left, plot_width, y_mid, uv_per_point, trace_height / 2),
                         strokeColor=TRACE, strokeWidth=0.35))
    draw_ribbon(drawing, ribbon, left, bottom + trace_height + 3, plot_width, ribbon_height, record.duration_s)
    points_per_s = plot_width / record.duration_s
    _scale_bars(drawing, left + 8, 12, nice_length(record.duration_s / 8), points_per_s, bar_uv, 1 / uv_per_point)
    _legend(drawing, result, left, height - legend_height + 2)
    drawing.add(String(left - 4, y_mid - 3, "trace", fontName=FONT, fontSize=6.5, textAnchor="end", fillColor=GREY))
    drawing.add(String(left - 4, bottom + trace_height + 3 + ribbon_height / 2 - 3, "windows", fontName=FONT,
                       fontSize=6.5, textAnchor="end", fillColor=GREY))
    return drawing


def _legend(drawing: Drawing, result: Classification, x: float, y: float) -> None:
    """Each class's swatch with its ribbon letter, then the invalid hatching, as in the ribbon;
    a record outside the model's domain has one slate swatch instead of the class colours."""
    if result.drawn_apart:
        said = "outside the model's domain: every window in slate, no verdict (the letter is the model's reading)"
        drawing.add(Rect(x, y, 9, 7, fillColor=colors.HexColor(OUTSIDE_DOMAIN), strokeColor=None))
        drawing.add(String(x + 12, y + 1, said, fontName=FONT, fontSize=7))
        return
    for info in result.model.card.classes:
        drawing.add(Rect(x, y, 9, 7, fillColor=colors.HexColor(info.colour), strokeColor=None))
        drawing.add(String(x + 4.5, y + 1.3, ribbon_letter(info.label), fontName=FONT + "-Bold", fontSize=5.5,
                           textAnchor="middle", fillColor=colors.white))
        drawing.add(String(x + 12, y + 1, info.label, fontName=FONT, fontSize=7))
        x += 18 + 3.6 * len(info.label)
    invalid = "invalid (missing, flat, clipped, artefact)"
    drawing.add(Rect(x, y, 9, 7, fillColor=_colour(INVALID_FILL_RGB), strokeColor=None))
    _hatch(drawing, x, y, 9, 7, _colour(INVALID_HATCH_RGB), both=True)
    drawing.add(String(x + 12, y + 1, invalid, fontName=FONT, fontSize=7))
    x += 18 + 3.6 * len(invalid)
    drawing.add(String(x, y + 1, "bar height: confidence; striped: uncertain", fontName=FONT, fontSize=6.5,
                       fillColor=GREY))


#: Outside the model's domain the classes' lines are all slate (no class colour reads as a
#: finding) and told apart by their dashes, in the classes' order: solid, dashed, dotted.
APART_DASHES = ((None, "solid"), ([3, 2], "dashed"), ([0.8, 1.6], "dotted"), ([4, 1.5, 0.8, 1.5], "dash-dot"))


def apart_line_key(result: Classification) -> str:
    """Which line is which class in a timeline drawn apart: "solid: normal (control), ..."."""
    return ", ".join(f"{APART_DASHES[k % len(APART_DASHES)][1]}: {info.label}"
                     for k, info in enumerate(result.model.card.classes))


def probability_timeline(result: Classification, width: float, height: float = 90.0) -> Drawing:
    """Each class's probability per window (at the window's centre); invalid windows in grey.
    Drawn apart (outside the model's domain) in slate, the classes told apart by dashes."""
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
        if result.drawn_apart:
            dashes = APART_DASHES[k % len(APART_DASHES)][0]
            drawing.add(PolyLine(points, strokeColor=colors.HexColor(OUTSIDE_DOMAIN), strokeWidth=1.0,
                                 strokeDashArray=dashes))
        else:
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
