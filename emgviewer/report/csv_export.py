"""Per-window CSV: one row per window of every classified record."""

from __future__ import annotations

import csv
import io
from typing import Sequence

from emgviewer.inference.classify import Classification
from emgviewer.inference.summary import window_rows


def windows_csv(results: Sequence[Classification]) -> str:
    """CSV text: record, start_s, end_s, class, one p_<class> column per class, uncertain,
    valid, reason. Empty class/probabilities for invalid windows."""
    if not results:
        return ""
    classes = results[0].class_names
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record", "start_s", "end_s", "class", *(f"p_{c}" for c in classes),
                     "uncertain", "valid", "reason"])
    for result in results:
        for row in window_rows(result):
            probabilities = row["probabilities"] or {}
            writer.writerow([result.record.name, f"{row['start_s']:.6f}", f"{row['end_s']:.6f}",
                             row["class"] or "", *(_p(probabilities.get(c)) for c in classes),
                             int(row["uncertain"]), int(row["valid"]), row["reason"] or ""])
    return out.getvalue()


def _p(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"
