"""The folder report's muscle-level qEMG: each person's records pooled as the sites of one
muscle (``emgviewer.analysis.muap.muscle``), one row per person, with the criteria."""

from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, KeepTogether, Paragraph

from emgviewer.analysis.muap import MuapAnalysisError, reference
from emgviewer.analysis.muap.muscle import MAX_RISE_TIME_MS, MIN_UNITS, OUTLIER_SHARE, MuscleSummary, muscle_summary
from emgviewer.analysis.muap.record import record_muaps
from emgviewer.analysis.muap.reference import marked
from emgviewer.inference.classify import Classification
from emgviewer.report.pdf import table

CRITERIA = (
    f"Each person's records are pooled as the sites of one muscle: their plausible units whose main spike "
    f"rises in under {MAX_RISE_TIME_MS:g} ms (the MUPs multi-MUP analysis accepts). Read from published "
    f"reference values only ({reference.MUSCLE}, {reference.ELECTRODE}: individual MUPs amplitude "
    f"{reference.UNIT['amplitude_uv'].text()}, duration {reference.UNIT['duration_ms'].text()}; means amplitude "
    f"{reference.RECORD['mean_amplitude_uv'].text()}, duration {reference.RECORD['mean_duration_ms'].text()}; "
    f"Bischoff et al. 1994, Stalberg et al. 1994/1995): neurogenic when a mean is above its limit or more than "
    f"{OUTLIER_SHARE:.0%} of MUPs exceed an individual limit, myopathic the same below, normal when neither on at "
    f"least {MIN_UNITS} MUPs, else indeterminate. Polyphasia is shown, not used. Automatic measures, not a "
    "clinician's cursors; not fitted on any data set.")


def subject_summaries(results: Sequence[Classification], groups: dict[str, list[int]]) -> dict[str, MuscleSummary]:
    """Each subject's muscle-level summary from its records' MUAP analyses (one per record, shared
    with the record sections); a record that cannot be analysed is left out of its subject's."""
    out = {}
    for subject, positions in groups.items():
        analysed = []
        for i in positions:
            try:
                analysed.append(record_muaps(results[i].record, None))
            except MuapAnalysisError:
                continue
        out[subject] = muscle_summary(analysed, subject)
    return out


def qemg_table(summaries: dict[str, MuscleSummary], styles: dict) -> list[Flowable]:
    """The per-person table and the criteria under it."""
    rows = [["subject", "MUPs", "left out / distant", "mean amp. µV", "mean dur. ms", "polyphasic",
             "outliers ↑/↓", "reading"]]
    for subject, s in summaries.items():
        poly = None if s.polyphasic_share is None else 100 * s.polyphasic_share
        rows.append([subject, str(s.n_units), f"{s.n_left_out} / {s.n_distant}",
                     marked(s.mean_amplitude_uv, s.marks["mean_amplitude_uv"], ".0f"),
                     marked(s.mean_duration_ms, s.marks["mean_duration_ms"], ".1f"),
                     marked(poly, s.marks["polyphasic_share"], ".0f", "%"),
                     f"{s.outliers_high}/{s.outliers_low}", s.interpretation])
    return [KeepTogether([Paragraph("Muscle-level qEMG (each person's records pooled)", styles["h2"]),
                          table(rows, [46, 36, 70, 66, 62, 52, 56, 76]),
                          Paragraph(escape(CRITERIA), styles["small"])])]


def subject_reading(summary: MuscleSummary, styles: dict) -> Flowable:
    """One person's reading with its grounds, for the subject's page."""
    return Paragraph(escape(f"Muscle-level qEMG over {len(summary.records)} records, {summary.n_units} MUPs: "
                            f"{summary.statement()}."), styles["body"])
