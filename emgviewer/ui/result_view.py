"""How a record and its classification are worded in the window: the verdict line, the status
bar's record line, and the class legend."""

from __future__ import annotations

from html import escape

from emgviewer.display.colours import OUTSIDE_DOMAIN
from emgviewer.inference.card import ModelCard
from emgviewer.inference.folds import HELD_OUT_NOTE
from emgviewer.records.record import Record

LEGEND_TOOLTIP = ("One lane per window row: each window's own span. Class colour and letter; the bar's height "
                  "is the confidence (a third of the lane at chance, the full lane at certainty); striped when "
                  "the top probability is below the model's uncertainty threshold; grey hatched when invalid "
                  "(missing samples, flat, clipped, artefact).")


#: The colour of a verdict's explanation where it is not the colours' majority.
DIFFERS_FROM_COLOURS = "#A33A00"


def verdict_html(statement, kind: str, seen: bool, result, explanation: str | None = None) -> str:
    """"Verdict: ALS / neurogenic 0.72" in the class colour, then what it weighed, whether the
    model saw this person, the model and the time it took; on a second line, when the verdict
    is not what most windows show, why, with the evidence side by side."""
    said = f'<b style="color:{statement.colour}">{escape(statement.short)}</b>'
    notes = [kind] + (["seen in training: not evidence"] if seen else [])
    card = result.model.card
    if statement.status == "none":  # why there is none, where it is read (outside the domain, too few windows)
        notes = [statement.detail] + notes[1:]
    if result.forced:
        notes = ["the model's reading outside its domain, shown on request"] + notes
    if result.stands_for is not None:
        notes = [f"{HELD_OUT_NOTE} ({result.model.path.name})"] + notes
    html = (f"Verdict: {said} <span style='color:#555'>({escape('; '.join(notes))}) · {escape(card.name)} "
            f"{escape(card.version)} · {result.n_windows} windows in {result.elapsed_s:.1f} s</span>")
    if explanation:
        html += (f"<br><span style='color:{DIFFERS_FROM_COLOURS}'>Not what most windows show: "
                 f"{escape(explanation)}</span>")
    return html


def record_line(record: Record) -> str:
    """The record's name, rate, length, units and quality, for the status bar."""
    quality = f" — {'; '.join(record.quality.warnings)}" if record.quality.warnings else ""
    units = "µV" if record.calibrated else "raw units (uncalibrated)"
    return f"{record.name} · {record.fs_hz:g} Hz · {record.duration_s:.2f} s · {units}{quality}"


def legend_html(card: ModelCard, outside: bool = False) -> str:
    """A swatch per class, then invalid and uncertain windows; ``outside``: the record's windows
    are drawn apart, outside the model's domain."""
    swatches = [f'<span style="color:{c.colour}">■</span> {c.label}' for c in card.classes]
    swatches += ['<span style="color:#969696">■</span> invalid', "striped: uncertain"]
    if outside:
        swatches.append(f'<span style="color:{OUTSIDE_DOMAIN}">■</span> outside the model\'s domain (no verdict)')
    return " &nbsp; ".join(swatches)
