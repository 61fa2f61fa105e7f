"""A reader's marks on a record, kept beside it (never inside it) as a BIDS-style events file.

``<record name>_events.tsv`` next to the record: tab-separated, a header ``onset duration
trial_type`` (BIDS events: onset and duration in seconds; ``trial_type`` holds the label), one
mark a line, sorted by onset. Written atomically on every change. EDF+ annotations can be
imported as marks.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, replace
from pathlib import Path

from emgviewer.atomic import atomic_write_text
from emgviewer.records.errors import RecordError
from emgviewer.records.index import SIDECAR_SUFFIX

#: What a clinician marks while reading needle EMG.
CLINICAL_LABELS = ("fibrillation", "positive sharp wave", "fasciculation", "complex repetitive discharge",
                   "myotonic discharge", "MUAP", "artefact")
COLUMNS = ("onset", "duration", "trial_type")


class AnnotationFileError(RecordError):
    """An events file that cannot be read as marks."""


@dataclass(frozen=True)
class Annotation:
    onset_s: float
    duration_s: float  # 0 for a point
    label: str

    @property
    def end_s(self) -> float:
        return self.onset_s + self.duration_s


def sidecar_path(record_path: str | Path, record_name: str | None = None) -> Path:
    """Where a record's marks live: ``<name>_events.tsv`` in the record's folder."""
    path = Path(record_path)
    return path.with_name(f"{record_name or path.stem}{SIDECAR_SUFFIX}")


def load_annotations(path: Path) -> list[Annotation]:
    """The marks in ``path`` (none when it does not exist), sorted by onset."""
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise AnnotationFileError(path, f"cannot read the marks ({err})") from None
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows or tuple(c.strip() for c in rows[0][:3]) != COLUMNS:
        raise AnnotationFileError(path, "not an events file (the first line must be "
                                        "'onset<TAB>duration<TAB>trial_type')")
    marks = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            onset = float(row[0])
            duration = 0.0 if len(row) < 2 or row[1].strip() in ("", "n/a") else float(row[1])
        except ValueError:
            raise AnnotationFileError(path, f"line {number}: onset and duration must be seconds, "
                                            f"got {row[:2]!r}") from None
        if not (math.isfinite(onset) and math.isfinite(duration) and duration >= 0):
            raise AnnotationFileError(path, f"line {number}: onset and duration must be finite, "
                                            "duration not negative")
        marks.append(Annotation(onset, duration, row[2].strip() if len(row) > 2 else ""))
    return sorted(marks, key=lambda a: a.onset_s)


def annotations_tsv(marks: list[Annotation]) -> str:
    lines = ["\t".join(COLUMNS)]
    for mark in sorted(marks, key=lambda a: a.onset_s):
        label = " ".join(mark.label.replace("\t", " ").split())  # one line, no tab
        lines.append(f"{mark.onset_s:.6f}\t{mark.duration_s:.6f}\t{label}")
    return "\n".join(lines) + "\n"


def save_annotations(path: Path, marks: list[Annotation]) -> None:
    atomic_write_text(path, annotations_tsv(marks), overwrite=True)


class AnnotationList:
    """The marks of one record with undo and redo; ``changed`` is called after every change
    (the viewer saves there)."""

    def __init__(self, marks: list[Annotation] | None = None, changed=None) -> None:
        self.marks: list[Annotation] = sorted(marks or [], key=lambda a: a.onset_s)
        self._undo: list[list[Annotation]] = []
        self._redo: list[list[Annotation]] = []
        self.changed = changed or (lambda marks: None)

    def _set(self, marks: list[Annotation]) -> None:
        self._undo.append(self.marks)
        self._redo.clear()
        self.marks = sorted(marks, key=lambda a: a.onset_s)
        self.changed(self.marks)

    def add(self, mark: Annotation) -> None:
        self._set([*self.marks, mark])

    def edit(self, index: int, label: str) -> None:
        marks = list(self.marks)
        marks[index] = replace(marks[index], label=label)
        self._set(marks)

    def delete(self, index: int) -> None:
        self._set([m for i, m in enumerate(self.marks) if i != index])

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self.marks)
        self.marks = self._undo.pop()
        self.changed(self.marks)
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self.marks)
        self.marks = self._redo.pop()
        self.changed(self.marks)
        return True

    def next_after(self, t_s: float, direction: int = 1) -> int | None:
        """Index of the first mark after ``t_s`` (``direction`` -1: the last one before it)."""
        if direction > 0:
            later = [i for i, m in enumerate(self.marks) if m.onset_s > t_s + 1e-6]
            return later[0] if later else None
        earlier = [i for i, m in enumerate(self.marks) if m.onset_s < t_s - 1e-6]
        return earlier[-1] if earlier else None


def record_annotations(record) -> tuple[list[Annotation], str]:
    """A record's marks and where they came from: its sidecar when it has one ("sidecar"),
    else the EDF+ annotations of an EDF file ("EDF+"), else none ("")."""
    sidecar = sidecar_path(record.source_path, record.name)
    if sidecar.exists():
        return load_annotations(sidecar), "sidecar"
    if record.format == "EDF":
        from emgviewer.records.edf_reader import read_edf_annotations

        marks = [Annotation(onset, duration, text) for onset, duration, text in read_edf_annotations(record.source_path)]
        return sorted(marks, key=lambda a: a.onset_s), "EDF+" if marks else ""
    return [], ""
