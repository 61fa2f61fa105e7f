"""Folder and subject summaries: agreement with the truth, subject by subject."""

from __future__ import annotations

from typing import Sequence

from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer
from xml.sax.saxutils import escape

from emgviewer.analysis.verdicts import subject_verdict
from emgviewer.inference.classify import Classification
from emgviewer.records.n2001 import CLASS_LABELS
from emgviewer.report.pdf import DISCLAIMER, table
from emgviewer.report.record_section import DisplaySettings, model_card_summary, record_section

OTHER = "other"


def _label(name: str | None) -> str:
    return CLASS_LABELS.get(name, name) if name else "-"


def _agreement(truth: str | None, verdict: str | None) -> str:
    if truth is None or verdict is None:
        return ""
    return "agrees" if truth == verdict else "DIFFERS"


def group_by_subject(results: Sequence[Classification]) -> dict[str, list[Classification]]:
    groups: dict[str, list[Classification]] = {}
    for result in results:
        groups.setdefault(result.record.subject_id or OTHER, []).append(result)
    return dict(sorted(groups.items()))


def folder_story(results: Sequence[Classification], title: str, styles: dict, width: float,
                 summary_only: bool, failures: Sequence[str] = ()) -> list[Flowable]:
    subjects = group_by_subject(results)
    class_names = results[0].class_names
    story: list[Flowable] = [Paragraph(escape(title), styles["title"]),
                             Paragraph(escape(DISCLAIMER), styles["small"]), Spacer(1, 4)]
    rows = [["subject", "truth", "subject verdict", "confidence", "records", "records agreeing", ""]]
    judged_records = correct_records = judged_subjects = correct_subjects = 0
    for subject, items in subjects.items():
        verdict = subject_verdict([r.verdict for r in items], class_names) if subject != OTHER else None
        truths = {r.record.truth for r in items}
        truth = truths.pop() if len(truths) == 1 else None
        with_truth = [r for r in items if r.record.truth and r.verdict.label]
        agreeing = sum(r.record.truth == r.verdict.label for r in with_truth)
        judged_records += len(with_truth)
        correct_records += agreeing
        if verdict is not None and verdict.label and truth:
            judged_subjects += 1
            correct_subjects += verdict.label == truth
        rows.append([subject, _label(truth), _label(verdict.label if verdict else None),
                     f"{verdict.confidence:.2f}" if verdict and verdict.confidence is not None else "",
                     str(len(items)), f"{agreeing}/{len(with_truth)}" if with_truth else "-",
                     _agreement(truth, verdict.label if verdict else None)])
    story.append(Paragraph(escape(
        f"{len(results)} records classified with {results[0].model.card.name} {results[0].model.card.version}. "
        + (f"Records agreeing with the truth: {correct_records}/{judged_records}. " if judged_records else "")
        + (f"Subjects: {correct_subjects}/{judged_subjects}." if judged_subjects else "")), styles["body"]))
    if failures:
        story.append(Paragraph(escape(f"Not read ({len(failures)}): " + "; ".join(failures)), styles["small"]))
    story += [Spacer(1, 4), table(rows)]
    if summary_only:
        story += [Paragraph("Records", styles["h2"]), _records_table(results)]
        story += [Paragraph("Model", styles["h2"]), *model_card_summary(results[0], styles)]
        return story
    for subject, items in subjects.items():
        story += [PageBreak(), Paragraph(escape(f"Subject {subject}"), styles["title"]), _records_table(items)]
        for result in items:
            story += [PageBreak(), *record_section(result, styles, width, DisplaySettings())]
    return story


def _records_table(results: Sequence[Classification]) -> Flowable:
    rows = [["record", "subject", "truth", "verdict", "confidence", "valid / windows", ""]]
    for r in results:
        rows.append([r.record.name, r.record.subject_id or "-", _label(r.record.truth), _label(r.verdict.label),
                     f"{r.verdict.confidence:.2f}" if r.verdict.confidence is not None else "",
                     f"{int(r.valid.sum())}/{r.n_windows}", _agreement(r.record.truth, r.verdict.label)])
    return table(rows)
