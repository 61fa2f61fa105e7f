"""Folder and subject summaries: agreement with the truth, subject by subject, with people the
model was trained on kept apart from people it never saw."""

from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from emgviewer.inference.caveats import (
    MARKS,
    SEEN_NOTE,
    RecordAssessment,
    Tally,
    assess,
    assess_subject,
    class_label,
    model_cautions,
    summarise_agreement,
)
from emgviewer.inference.classify import Classification
from emgviewer.inference.folds import HELD_OUT_NOTE
from emgviewer.report.pdf import DISCLAIMER, table
from emgviewer.report.qemg_section import qemg_table, subject_reading, subject_summaries
from emgviewer.report.record_section import DisplaySettings, model_card_summary, record_section

OTHER = "other"


def group_by_subject(results: Sequence[Classification]) -> dict[str, list[int]]:
    """Positions in ``results`` per subject ("other" for records without one)."""
    groups: dict[str, list[int]] = {}
    for position, result in enumerate(results):
        groups.setdefault(result.record.subject_id or OTHER, []).append(position)
    return dict(sorted(groups.items()))


def folder_story(results: Sequence[Classification], title: str, styles: dict, width: float,
                 summary_only: bool, failures: Sequence[str] = (), records: bool = True) -> list[Flowable]:
    """A folder's report: the summary tables, then (unless ``summary_only``) a page per subject
    and, with ``records``, each record's section."""
    assessments = [assess(r) for r in results]
    groups = group_by_subject(results)
    asked = results[0].chosen_model  # not a fold model that stood in for it
    card = asked.card
    story: list[Flowable] = [Paragraph(escape(title), styles["title"]),
                             Paragraph(escape(DISCLAIMER), styles["small"]), Spacer(1, 4)]
    rows = [["subject", "seen in training", "truth", "subject verdict", "", "records", "records agreeing"]]
    subjects = []
    for subject, positions in groups.items():
        items, said = [results[i] for i in positions], [assessments[i] for i in positions]
        tally = Tally()
        for a in said:
            tally.add(a.statement, a.agreement, a.truth)
        if subject == OTHER:
            rows.append([subject, "", "", "", "", str(len(items)), tally.text() if tally.total else "-"])
            continue
        judged = assess_subject(subject, card, said)
        subjects.append(judged)
        rows.append([subject, "seen" if judged.seen else "no", class_label(judged.truth), judged.statement.short,
                     MARKS.get(judged.agreement or "", ""), str(len(items)), tally.text() if tally.total else "-"])
    held_out = sum(r.stands_for is not None for r in results)
    story.append(Paragraph(escape(
        f"{len(results)} record{'' if len(results) == 1 else 's'} classified with {card.name} {card.version} "
        f"({asked.path.name}); evaluation protocol of the model: {card.provenance.protocol_kind}."
        + (f" {held_out} of them by the fold model trained without their subject ({HELD_OUT_NOTE})." if held_out else "")),
        styles["body"]))
    for line in summarise_agreement(assessments).lines("records") + summarise_agreement(subjects).lines("subjects"):
        story.append(Paragraph(escape(line), styles["body"]))
    for caution in model_cautions(card):
        story.append(Paragraph(escape(f"Model: {caution}."), styles["caveat"]))
    if any(a.seen for a in assessments):
        story.append(Paragraph(escape(f"Seen in training: {SEEN_NOTE}."), styles["caveat"]))
    if failures:
        story.append(Paragraph(escape(f"Not read ({len(failures)}): " + "; ".join(failures)), styles["small"]))
    story += [Spacer(1, 4), table(rows)]
    people = {subject: positions for subject, positions in groups.items() if subject != OTHER}
    qemg = subject_summaries(results, people) if people else {}
    if qemg:
        story += qemg_table(qemg, styles)
    model = KeepTogether([Paragraph("Model", styles["h2"]), *model_card_summary(results[0], styles, asked_for=True)])
    if summary_only:
        return story + [Paragraph("Records", styles["h2"]), _records_table(results, assessments), model]
    for subject, positions in groups.items():
        story += [PageBreak(), Paragraph(escape(f"Subject {subject}"), styles["title"]),
                  _records_table([results[i] for i in positions], [assessments[i] for i in positions])]
        if subject in qemg:
            story.append(subject_reading(qemg[subject], styles))
        if records:  # each record's own section says the model (record_section), so no model block
            for i in positions:
                story += [PageBreak(), *record_section(results[i], styles, width, DisplaySettings(), assessments[i])]
    return story if records else story + [model]


def _records_table(results: Sequence[Classification], assessments: Sequence[RecordAssessment]) -> Flowable:
    rows = [["record", "subject", "seen", "truth", "verdict", "", "out-of-fold", "valid / windows"]]
    for r, a in zip(results, assessments):
        oof = "" if a.out_of_fold is None else f"{MARKS.get(a.out_of_fold_agreement or '', '')} {a.out_of_fold.short}"
        rows.append([r.record.name, r.record.subject_id or "-", "seen" if a.seen else "", class_label(a.truth),
                     a.statement.short, MARKS.get(a.agreement or "", ""), oof.strip(),
                     f"{int(r.valid.sum())}/{r.n_windows}"])
    return table(rows)
