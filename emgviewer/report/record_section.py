"""One record's section of a report: header, verdict, figures, window table, model card."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import escape

import numpy as np
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from emgviewer import __version__
from emgviewer.display.scales import fitting_sensitivity
from emgviewer.inference.caveats import (
    AGREEMENT_WORDS,
    MARKS,
    RecordAssessment,
    assess,
    class_label,
    model_cautions,
)
from emgviewer.inference.classify import Classification
from emgviewer.inference.folds import HELD_OUT_NOTE
from emgviewer.report.figures import apart_line_key, closeup_figure, probability_timeline, trace_figure
from emgviewer.report.pdf import DISCLAIMER, table


@dataclass(frozen=True)
class DisplaySettings:
    """How the record was being looked at when the report was made."""

    timebase_ms: float | None = None  # None: the whole record on one line
    sensitivity_uv: float | None = None  # None: fitted to the record
    display_filter: str = "unfiltered"  # DisplayFilter.label(): what the reader looked at

    def rows(self, result: Classification) -> list[list[str]]:
        """The display settings as table rows, with the record's own acquisition filters."""
        meta = result.record.metadata
        filters = ", ".join(f for f in (f"high-pass {meta.high_pass_hz:g} Hz" if meta.high_pass_hz else "",
                                        f"low-pass {meta.low_pass_hz:g} Hz" if meta.low_pass_hz else "") if f)
        sensitivity = self.sensitivity_uv or fitting_sensitivity(result.record.signal_uv)
        return [["setting", "value"],
                ["time base", f"{self.timebase_ms:g} ms/div" if self.timebase_ms else "whole record"],
                ["sensitivity", f"{sensitivity:g} µV/div (figure: 8 divisions)"],
                ["acquisition filters", filters or "not stated in the file"],
                ["display filter", f"{self.display_filter} (display only; the model and the MUAP "
                                   "analysis use the recorded signal)"],
                ["window length", f"{result.model.card.input.window_s:g} s"],
                ["hop", f"{result.hop_s:g} s"]]


def p(text: str, style) -> Paragraph:
    """``text`` as a paragraph, escaped (a '<' in it never starts a tag)."""
    return Paragraph(escape(text), style)


def record_section(result: Classification, styles: dict, width: float,
                   display: DisplaySettings = DisplaySettings(),
                   assessment: RecordAssessment | None = None) -> list[Flowable]:
    """One record's section: header, truth and verdict, caveats, the whole trace, the timeline,
    close-ups, the window table, the model and the settings."""
    record, card, verdict = result.record, result.model.card, result.verdict
    story: list[Flowable] = [
        p(f"EMG window classification: {record.name}", styles["title"]),
        p(f"Source: {record.source_path}   Exported: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}   "
          f"Software: emgviewer {__version__}", styles["small"]),
        Spacer(1, 4),
    ]
    assessment = assessment or assess(result)  # a folder report has assessed it already
    story += _header(result, styles, width)
    story += verdict_block(assessment, result, styles, width)
    story += caveat_block(assessment, styles, model_cautions(card))
    if verdict.label is not None:
        heading = "learned probability" if verdict.learned else "mean probability"
        story.append(table([["class", heading, "window votes"]] +
                           [[c.label, f"{verdict.probabilities[c.name]:.3f}", str(verdict.votes.get(c.name, 0))]
                            for c in card.classes], [160, 100, 80]))
    story += _window_counts(result, styles)
    story.append(p(DISCLAIMER, styles["small"]))
    # A heading stays on the page of its figure: alone at a page's foot it announces nothing.
    story.append(KeepTogether([p("Whole record", styles["h2"]), trace_figure(result, width, display.sensitivity_uv)]))
    if result.drawn_apart:  # the reading is shown, never as a finding
        story.append(KeepTogether([
            p("The model's reading over time (outside its domain: not a finding)", styles["h2"]),
            p(f"Window probabilities, all in slate: {apart_line_key(result)}.", styles["small"]),
            probability_timeline(result, width)]))
    else:
        story.append(KeepTogether([p("Window probabilities over time", styles["h2"]),
                                   probability_timeline(result, width)]))
    story.append(CondPageBreak(200))
    story += _closeups(result, styles, width)
    story.append(p("Windows", styles["h2"]))
    story.append(window_table(result))
    story.append(KeepTogether([p("Model", styles["h2"]), *model_card_summary(result, styles)]))
    story.append(KeepTogether([p("Display settings", styles["h2"]), table(display.rows(result), [160, 300])]))
    return story


#: Marks listed in a PDF: the events file holds them all; a report lists this many and says so.
MARKS_LISTED = 2000
#: A label in the PDF is cut here (the events file keeps it whole): a pasted page of text must
#: not make one table row taller than a page, which reportlab cannot lay out.
LABEL_SHOWN_CHARS = 300
#: Rows per table: one table of thousands of rows is measured again at every page break
#: (time grows with the square of the marks); tables of this size are measured once.
MARK_ROWS_PER_TABLE = 40


def marks_section(marks: list, source: str, styles: dict) -> list[Flowable]:
    """The reader's marks (annotations) on the record, with where they were kept."""
    where = {"sidecar": "from the record's events file", "EDF+": "imported from the EDF+ annotations"}.get(source, source)
    heading = p(f"Marks ({len(marks)}{', ' + where if where else ''})", styles["h2"])
    if not marks:
        return [KeepTogether([heading, p("No marks on this record.", styles["small"])])]
    rows = [[f"{m.onset_s:.3f}", f"{m.duration_s:.3f}" if m.duration_s else "point", p(_label_shown(m.label), styles["cell"])]
            for m in marks[:MARKS_LISTED]]
    header = ["onset s", "duration s", "label"]
    tables = [table([header, *rows[i:i + MARK_ROWS_PER_TABLE]], [70, 70, 300])
              for i in range(0, len(rows), MARK_ROWS_PER_TABLE)]
    story = [KeepTogether([heading, tables[0]]), *tables[1:]]
    if len(marks) > MARKS_LISTED:
        story.append(p(f"… and {len(marks) - MARKS_LISTED:,} more marks, listed in the record's events file.",
                       styles["small"]))
    return story


def _label_shown(label: str) -> str:
    one_line = " ".join(label.split())  # line breaks and tabs as spaces: a row stays a row
    if len(one_line) <= LABEL_SHOWN_CHARS:
        return one_line
    return f"{one_line[:LABEL_SHOWN_CHARS]}… ({len(label):,} characters in the events file)"


def _header(result: Classification, styles: dict, width: float) -> list[Flowable]:
    record = result.record
    meta = record.metadata
    rows = [["field", "value"]]
    for label, value in (("age", f"{meta.age_years:g} years" if meta.age_years is not None else None),
                         ("sex", meta.gender), ("diagnosis (header)", meta.diagnosis), ("muscle", meta.muscle),
                         ("side", meta.side), ("contraction level", meta.level), ("protocol", meta.protocol),
                         ("electrode", meta.electrode),
                         ("acquisition filters", ", ".join(x for x in (
                             f"high-pass {meta.high_pass_hz:g} Hz" if meta.high_pass_hz else "",
                             f"low-pass {meta.low_pass_hz:g} Hz" if meta.low_pass_hz else "") if x) or None),
                         ("sampling rate", f"{record.fs_hz:g} Hz"),
                         ("duration", f"{record.duration_s:.2f} s ({record.n_samples} samples)"),
                         ("units", "µV" if record.calibrated else "raw (uncalibrated)"),
                         ("quality", "; ".join(record.quality.warnings) or "no warnings")):
        if value:
            rows.append([label, p(str(value), styles["cell"])])
    return [table(rows, [120, width - 120]), Spacer(1, 3)]


def verdict_block(assessment: RecordAssessment, result: Classification, styles: dict,
                  width: float) -> list[Flowable]:
    """Ground truth and model verdict side by side, in the same type, agreement marked."""
    record, statement = result.record, assessment.statement
    source = "from the file name" if record.n2001 else "from the header diagnosis"
    truth = (class_label(assessment.truth), source) if assessment.truth else ("not known", "the file does not say")
    agreement = AGREEMENT_WORDS.get(assessment.agreement or "", "")
    mark = MARKS.get(assessment.agreement or "", "")
    heading = styles["verdict"]
    verdict_style = ParagraphStyle("said", parent=heading, textColor=colors.HexColor(statement.colour))
    rows = [["Ground truth", "Model verdict", "Agreement"],
            [Paragraph(escape(truth[0]), heading), Paragraph(escape(statement.text), verdict_style),
             Paragraph(escape(f"{mark} {agreement}".strip() or "-"), heading)],
            [p(truth[1], styles["small"]), p(statement.detail, styles["small"]),
             p("" if agreement else ("nothing to compare" if assessment.truth else "truth unknown"),
               styles["small"])]]
    third = width / 3
    story = [p("Truth and verdict", styles["h2"]), table(rows, [third, third, third])]
    if result.stands_for is not None:  # a known person, read by the fold model that never saw them
        story.append(p(f"{HELD_OUT_NOTE[0].upper()}{HELD_OUT_NOTE[1:]}: {result.model.path.name}, the fold of "
                       f"{result.stands_for.path.name} trained without this subject.", styles["small"]))
    if assessment.explanation:  # right under the verdict, never only in the small print
        story.append(p(f"Not what most windows show: {assessment.explanation}.", styles["caveat"]))
    return story


def caveat_block(assessment: RecordAssessment, styles: dict, cautions: Sequence[str] = ()) -> list[Flowable]:
    """Why to trust this verdict less: the model's own ``cautions`` (:func:`model_cautions`),
    seen in training (with the out-of-fold verdict), and every way the record differs from the
    training recordings."""
    lines = list(assessment.warnings)
    if assessment.out_of_fold is not None:
        oof = assessment.out_of_fold
        words = AGREEMENT_WORDS.get(assessment.out_of_fold_agreement or "")
        agreement = f" ({words} with the truth)" if words else ""
        lines.insert(1, f"out-of-fold verdict (the fold model that never saw this subject, from the model card): "
                        f"{oof.short}{agreement}")
    lines = [*cautions, *lines]
    if not lines:
        return []
    return [p("Read with care: " + "; ".join(lines) + ".", styles["caveat"])]


def _window_counts(result: Classification, styles: dict) -> list[Flowable]:
    n_invalid = int(np.count_nonzero(~result.valid))
    text = (f"{result.n_windows} windows: {int(result.valid.sum())} valid, "
            f"{int(result.uncertain.sum())} uncertain (top probability below "
            f"{result.model.card.uncertainty_threshold:g}), {n_invalid} invalid.")
    reasons = sorted({result.reason(i) for i in np.flatnonzero(~result.valid)})
    out = [p(text, styles["body"])]
    if reasons:
        out.append(p("Invalid windows: " + "; ".join(
            f"{sum(result.reason(i) == r for i in np.flatnonzero(~result.valid))} x {r}" for r in reasons),
            styles["body"]))
    return out


def _closeups(result: Classification, styles: dict, width: float) -> list[Flowable]:
    card = result.model.card
    picks: list[tuple[int, str]] = []
    predicted, confidence, uncertain = result.predicted, result.max_probability, result.uncertain
    for k, info in enumerate(card.classes):
        members = np.flatnonzero(result.valid & (predicted == k))
        if members.size:
            best = int(members[np.argmax(confidence[members])])
            # A window below the threshold is uncertain, never "most confident" anything.
            picks.append((best, f"most confident {info.label}" if not uncertain[best]
                          else f"highest {info.label} window, still uncertain"))
    valid = np.flatnonzero(result.valid)
    if valid.size:
        picks.append((int(valid[np.argmin(confidence[valid])]), "least certain window"))
    if not picks:
        return []
    out: list[Flowable] = [p("Close-ups", styles["h2"])]
    for index, why in picks:
        probabilities = ", ".join(f"{c.label} {q:.2f}" for c, q in zip(card.classes, result.probabilities[index]))
        out.append(KeepTogether([
            p(f"Window {index + 1} ({result.starts_s[index]:.2f}-{result.stops_s[index]:.2f} s), {why}: "
              f"{probabilities}", styles["body"]),
            closeup_figure(result, index, width)]))
    return out


def window_table(result: Classification) -> Flowable:
    """Every window: its span, class and probabilities, uncertain or not, valid or why not."""
    card = result.model.card
    rows = [["#", "start s", "end s", "class", *[f"p {c.label}" for c in card.classes], "uncertain", "valid"]]
    for i in range(result.n_windows):
        valid = bool(result.valid[i])
        rows.append([str(i + 1), f"{result.starts_s[i]:.2f}", f"{result.stops_s[i]:.2f}",
                     card.classes[int(result.predicted[i])].label if valid else "-",
                     *([f"{q:.3f}" for q in result.probabilities[i]] if valid else ["-"] * len(card.classes)),
                     "yes" if result.uncertain[i] else "", "yes" if valid else f"no: {result.reason(i)}"])
    return table(rows, font_size=7)


def model_card_summary(result: Classification, styles: dict, asked_for: bool = False) -> list[Flowable]:
    """The model's card in short: name, architecture, input, calibration, training data and evaluation.
    ``asked_for``: the model the user chose, not the fold model that read this record (a folder's summary)."""
    if asked_for and result.stands_for is not None:
        result = dataclasses.replace(result, model=result.chosen_model, stands_for=None)
    card = result.model.card
    contract = card.input
    evaluation = card.evaluation
    rows = [["field", "value"],
            ["name, version, file", f"{card.name} {card.version} ({result.model.path.name})"],
            ["architecture", p(card.architecture, styles["cell"])],
            ["citation", p(card.citation, styles["cell"])],
            ["classes", ", ".join(c.label for c in card.classes)],
            ["input", f"{contract.fs_hz:g} Hz, {contract.window_s:g}-s windows ({contract.n_times} samples), "
                      f"default hop {contract.hop_s:g} s, scaling {contract.scaling.kind}"],
            ["calibration", f"window temperature {card.temperature:.3f}, uncertain below {card.uncertainty_threshold:g}; "
                            f"record temperature {card.record_temperature:.3f}, uncertain below {card.record_threshold:g}"],
            ["training data", p(str(card.training.get("data", "not stated")), styles["cell"])],
            ["training protocol", p(str(card.training.get("protocol", "not stated")), styles["cell"])],
            ["evaluation protocol", card.provenance.protocol_kind],
            ["execution", f"onnxruntime, {result.model.provider_label}"]]
    shown = {k: v for k, v in evaluation.items()
             if k not in ("confusion", "classes", "window_recall", "protocol_kind", "out_of_fold")}
    if shown:
        rows.append(["evaluation", p(evaluation_text(shown), styles["cell"])])
    else:
        rows.append(["evaluation", "none: the card gives no subject-independent numbers"])
    return [table(rows, [110, 370])]


def evaluation_text(values: dict) -> str:
    """A card's evaluation numbers as words: shares as percentages, a nested group (the selective
    numbers) in parentheses, never a Python dict with 16 digits."""
    def said(key: str, value) -> str:
        name = key.replace("_", " ")
        if isinstance(value, dict):
            return f"{name} ({evaluation_text(value)})"
        if isinstance(value, float):
            return f"{name} {value:.1%}" if 0 <= value <= 1 else f"{name} {value:.4g}"
        return f"{name} {value}"
    return ", ".join(said(key, value) for key, value in values.items())
