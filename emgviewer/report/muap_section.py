"""The MUAP section of a record report: method, record summary against the references, the
units table, and each unit's averaged potential as a vector drawing with its duration markers."""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np
from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from emgviewer.analysis.muap import reference
from emgviewer.analysis.muap.detect import THRESHOLD_SIGMAS
from emgviewer.analysis.muap.record import RecordMuaps
from emgviewer.display.colours import unit_colour
from emgviewer.report.figures import FONT, GREY, nice_length
from emgviewer.report.pdf import table

MARK_WORDS = {"within": "within", "above": "ABOVE", "below": "BELOW", None: ""}
TEMPLATES_PER_ROW = 4
#: Rows of potentials per drawing: a drawing never splits across pages, and one of every unit of
#: a record with many (PhysioNet's emg_myopathy) stood taller than a page and stopped the report.
ROWS_PER_DRAWING = 6


def muap_section(muaps: RecordMuaps, styles: dict, width: float) -> list[Flowable]:
    """A record's MUAP section: how the units were found, the summary against the references, the
    units table and their averaged potentials."""
    a, s = muaps.analysis, muaps.analysis.summary
    story: list[Flowable] = [Paragraph("Motor unit potentials (MUAP analysis)", styles["h2"]), Paragraph(escape(
        f"Discharges found on a copy band-limited to {a.band_hz[0]:g} Hz - {a.band_hz[1] / 1e3:g} kHz (analysis "
        f"filter, not the display's), threshold {a.threshold_uv:.0f} µV (>= {THRESHOLD_SIGMAS:g} x the "
        f"noise {a.noise_uv:.1f} µV), sorted into units by template matching; each unit's potential is "
        f"averaged on the recorded signal with the other units subtracted. {s.n_units} unit(s) in the means"
        f"{f' ({s.n_implausible} implausible, left out)' if s.n_implausible else ''}, "
        f"{a.n_unexplained} of {a.n_candidates} candidate peaks left unexplained."), styles["small"])]
    for note in muaps.notes:
        story.append(Paragraph(escape("Read with care: " + note), styles["caveat"]))
    story.append(_summary_table(muaps))
    refs = [f"{r.measure}: {r.text()} ({r.source})" for r in (*reference.UNIT.values(), *reference.RECORD.values())]
    references = Paragraph(escape(f"References ({reference.MUSCLE}, {reference.ELECTRODE}; adult, not "
                                  f"age-adjusted): " + "; ".join(refs) + "."), styles["small"])
    if a.units:
        story += [Spacer(1, 6), *_units_table(muaps, styles)]
        # The references go with the potentials: alone they made a last page of five lines.
        drawings = _templates(muaps, width)
        caption = Paragraph("Averaged potentials (same scale; duration markers dashed)", styles["small"])
        if len(drawings) == 1:
            story.append(KeepTogether([caption, drawings[0], references]))
        else:
            story += [KeepTogether([caption, drawings[0]]), *drawings[1:-1], KeepTogether([drawings[-1], references])]
    else:
        story.append(references)
    return story


def _mark(muaps: RecordMuaps, marks: dict, key: str) -> str:
    if not muaps.references_apply:
        return "n/a"
    return MARK_WORDS[marks.get(key)]


def _summary_table(muaps: RecordMuaps):
    s = muaps.analysis.summary
    rows = [["record measure", "value", "reference", "mark"]]
    values = {"mean_amplitude_uv": (s.mean_amplitude_uv, "{:.0f} µV"),
              "mean_duration_ms": (s.mean_duration_ms, "{:.1f} ms"),
              "polyphasic_share": (None if s.polyphasic_share is None else 100 * s.polyphasic_share, "{:.0f} %"),
              "recruitment_ratio": (s.recruitment_ratio, "{:.1f}"),
              "recruitment_frequency_hz": (s.recruitment_frequency_hz, "{:.1f} Hz")}
    for key, ref in reference.RECORD.items():
        value, fmt = values[key]
        shown = ref.text()
        rows.append([ref.measure, "not estimable" if value is None else fmt.format(value), shown,
                     _mark(muaps, s.marks, key) if value is not None else ""])
    return table(rows, [120, 80, 100, 50])


def _units_table(muaps: RecordMuaps, styles) -> list[Flowable]:
    """The units table; units not plausible as one motor unit in grey, with why, under it."""
    rows = [["unit", "n", "rate Hz", "IDI CV", "amplitude µV", "", "duration ms", "", "phases", "turns",
             "area µV·ms", "size index", "satellites ms"]]
    for unit in muaps.analysis.units:
        m, f = unit.measures, unit.firing
        rows.append([unit.label, f.n_discharges, "-" if f.mean_rate_hz is None else f"{f.mean_rate_hz:.1f}",
                     "-" if f.idi_cv is None else f"{f.idi_cv:.2f}", f"{m.amplitude_uv:.0f}",
                     _mark(muaps, unit.marks, "amplitude_uv"), f"{m.duration_ms:.1f}",
                     _mark(muaps, unit.marks, "duration_ms"), m.phases, m.turns, f"{m.area_uv_ms:.0f}",
                     f"{m.size_index:.2f}", ", ".join(f"{v:g}" for v in m.satellites_ms) or "-"])
    left_out = [(unit.label, "; ".join(unit.implausible)) for unit in muaps.analysis.units if unit.implausible]
    result = table(rows, [26, 24, 34, 34, 50, 38, 46, 38, 34, 30, 46, 40, 56], font_size=7)
    for i, unit in enumerate(muaps.analysis.units, start=1):
        result.setStyle([("TEXTCOLOR", (0, i), (0, i), colors.HexColor(unit_colour(i - 1))),
                         ("FONT", (0, i), (0, i), "Helvetica-Bold", 7)])
        if unit.implausible:  # shown, greyed, and said why below
            result.setStyle([("TEXTCOLOR", (1, i), (-1, i), colors.Color(0.55, 0.55, 0.55))])
    if not left_out:
        return [result]
    said = "; ".join(f"{label}: {why}" for label, why in left_out)
    return [result, Paragraph(escape(f"Not plausible as one motor unit, shown in grey and left out of the "
                                     f"record's means: {said}."), styles["small"])]


def _templates(muaps: RecordMuaps, width: float) -> list[Drawing]:
    """Every unit's averaged potential, on one scale, in drawings of at most ``ROWS_PER_DRAWING``
    rows; the scale bar is in each."""
    units = muaps.analysis.units
    half_uv = max(float(np.max(np.abs(u.template_uv))) for u in units) * 1.1
    per_drawing = ROWS_PER_DRAWING * TEMPLATES_PER_ROW
    return [_template_rows(muaps, width, first, units[first: first + per_drawing], half_uv)
            for first in range(0, len(units), per_drawing)]


def _template_rows(muaps: RecordMuaps, width: float, first: int, units, half_uv: float) -> Drawing:
    fs = muaps.analysis.fs_hz
    n_rows = -(-len(units) // TEMPLATES_PER_ROW)
    cell_w, cell_h = width / TEMPLATES_PER_ROW, 80.0
    drawing = Drawing(width, n_rows * cell_h + 14)
    for i, unit in enumerate(units):
        x0 = (i % TEMPLATES_PER_ROW) * cell_w
        y0 = 14 + (n_rows - 1 - i // TEMPLATES_PER_ROW) * cell_h
        _one_template(drawing, unit, fs, x0 + 4, y0, cell_w - 8, cell_h - 14, half_uv, unit_colour(first + i))
    # One scale bar for all: the drawings share their scales so sizes compare at a glance.
    ms_per_point = (units[0].template_uv.size / fs * 1e3) / (cell_w - 8)
    bar_ms = nice_length(10.0)
    bar_uv = nice_length(half_uv / 2)
    points_per_uv = (cell_h - 14) / 2 / half_uv
    drawing.add(Line(4, 6, 4 + bar_ms / ms_per_point, 6, strokeColor=colors.black, strokeWidth=1))
    drawing.add(Line(4, 6, 4, 6 + bar_uv * points_per_uv, strokeColor=colors.black, strokeWidth=1))
    drawing.add(String(8 + bar_ms / ms_per_point, 4, f"{bar_ms:g} ms, {bar_uv:g} µV",
                       fontName=FONT, fontSize=6.5))
    return drawing


def _one_template(drawing: Drawing, unit, fs: float, x0: float, y0: float, w: float, h: float,
                  half_uv: float, colour: str) -> None:
    t = unit.template_times_ms(fs)
    to_x = lambda ms: x0 + (ms - t[0]) / (t[-1] - t[0]) * w  # noqa: E731
    y_mid = y0 + h / 2
    step = max(1, t.size // 400)
    points = np.column_stack([to_x(t[::step]), y_mid + unit.template_uv[::step] / half_uv * (h / 2)]).ravel()
    drawing.add(Line(x0, y_mid, x0 + w, y_mid, strokeColor=colors.Color(0.85, 0.85, 0.85), strokeWidth=0.3))
    drawing.add(PolyLine(points.tolist(), strokeColor=colors.HexColor(colour), strokeWidth=0.7))
    for ms in (unit.measures.onset_ms, unit.measures.end_ms):
        drawing.add(Line(to_x(ms), y0, to_x(ms), y0 + h, strokeColor=GREY, strokeWidth=0.4,
                         strokeDashArray=[2, 2]))
    m = unit.measures
    drawing.add(String(x0, y0 + h + 3, f"{unit.label}  {m.amplitude_uv:.0f} µV  {m.duration_ms:.1f} ms  "
                       f"{m.phases} ph", fontName=FONT, fontSize=6.5, fillColor=colors.HexColor(colour)))
