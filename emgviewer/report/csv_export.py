"""Per-window CSV: one row per window of every classified record."""

from __future__ import annotations

import csv
import io
from typing import Sequence

from emgviewer.csv_cells import safe_row
from emgviewer.inference.caveats import RecordAssessment, assess
from emgviewer.inference.classify import Classification
from emgviewer.inference.summary import window_rows
from emgviewer.records.annotations import record_annotations
from emgviewer.records.errors import RecordError

HEADER_TAIL = ["uncertain", "valid", "reason", "record_status", "record_verdict", "seen_in_training", "annotations"]


def windows_csv(results: Sequence[Classification],
                assessments: Sequence[RecordAssessment] | None = None) -> str:
    """CSV text: record, start_s, end_s, class, one p_<class> column per class, uncertain,
    valid, reason, then the record's status ("verdict", "uncertain", "none"), its statement
    and whether its subject was seen in training (repeated on each of its windows), and the
    labels of the reader's marks that overlap the window ("; "-separated).
    Empty class/probabilities for invalid windows."""
    if not results:
        return ""
    assessments = assessments if assessments is not None else [assess(r) for r in results]
    return csv_header(results[0].class_names) + "".join(
        csv_rows(result, assessment) for result, assessment in zip(results, assessments))


def csv_header(classes: Sequence[str]) -> str:
    """The CSV header line for a model with ``classes``."""
    return _line(["record", "start_s", "end_s", "class", *(f"p_{c}" for c in classes), *HEADER_TAIL])


def csv_rows(result: Classification, assessment: RecordAssessment) -> str:
    """One record's rows (no header), so a folder can be written record by record."""
    classes = result.class_names
    said = [assessment.statement.status, assessment.statement.short, int(assessment.seen)]
    marks = marks_or_none(result.record)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in window_rows(result):
        probabilities = row["probabilities"] or {}
        inside = "; ".join(m.label for m in marks if m.onset_s < row["end_s"] and m.end_s >= row["start_s"])
        writer.writerow(safe_row([result.record.name, f"{row['start_s']:.6f}", f"{row['end_s']:.6f}",
                                  row["class"] or "", *(_p(probabilities.get(c)) for c in classes),
                                  int(row["uncertain"]), int(row["valid"]), row["reason"] or "", *said, inside]))
    return out.getvalue()


def marks_or_none(record) -> list:
    """The record's marks (sidecar or EDF+), or none when they cannot be read: the classification
    is exported either way."""
    try:
        return record_annotations(record)[0]
    except RecordError:
        return []


def _line(cells: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(safe_row(cells))
    return out.getvalue()


def _p(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"
