"""A reader's marks on a record, kept beside it (never inside it) as a BIDS-style events file.

``<record file's stem>_events.tsv`` next to the record: tab-separated, a header ``onset duration
trial_type`` (BIDS events: onset and duration in seconds; ``trial_type`` holds the label), one
mark a line, sorted by onset. A label is written exactly as typed: one holding a tab, a line
break or a double quote is quoted as CSV and TSV readers (BIDS, pandas, spreadsheets) expect,
so every mark reads back unchanged. Written atomically on every change. Only a regular file of
at most ``MAX_EVENTS_BYTES`` is read: a FIFO, a device or a runaway file is refused, never read
until the process runs out of memory. EDF+ annotations can be imported as marks.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from emgviewer.atomic import atomic_write_text
from emgviewer.records.errors import RecordError
from emgviewer.records.index import SIDECAR_SUFFIX

#: What a clinician marks while reading needle EMG.
CLINICAL_LABELS = ("fibrillation", "positive sharp wave", "fasciculation", "complex repetitive discharge",
                   "myotonic discharge", "MUAP", "artefact")
COLUMNS = ("onset", "duration", "trial_type")
#: The largest events file read (100,000 marks with 300-character labels fit in a third of it).
MAX_EVENTS_BYTES = 96 * 2**20

# The csv module refuses fields over 131,072 characters by default, yet a pasted label can be
# longer; a field can never exceed the file, so the file's cap is the field's (process-wide,
# and only ever raised).
csv.field_size_limit(max(csv.field_size_limit(), MAX_EVENTS_BYTES))


class AnnotationFileError(RecordError):
    """An events file that cannot be read as marks."""


@dataclass(frozen=True)
class Annotation:
    """One mark on a record: a point (duration 0) or a span, with its label."""

    onset_s: float
    duration_s: float  # 0 for a point
    label: str

    @property
    def end_s(self) -> float:
        """Where the mark ends."""
        return self.onset_s + self.duration_s


def sidecar_path(record_path: str | Path) -> Path:
    """Where a record's marks live: ``<file stem>_events.tsv`` beside the record file. Named
    after the file, never after the name its header gives: a header naming another record must
    not show or rewrite that record's marks."""
    path = Path(record_path)
    return path.with_name(f"{path.stem}{SIDECAR_SUFFIX}")


def record_sidecar(record) -> Path:
    """A record's events file: named after the file the reader opened (a WFDB header, an EDF)."""
    return sidecar_path(record.opened_path or record.source_path)


def read_events_bytes(path: Path) -> bytes | None:
    """The bytes of the events file at ``path``, or ``None`` when there is none. Opened without
    blocking and checked on the open descriptor, so a FIFO or a device swapped in is refused
    instead of hanging or being read without end."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        raise AnnotationFileError(path, f"cannot read the marks ({err.strerror or err})") from None
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise AnnotationFileError(path, "is not a regular file; marks are read only from a regular file")
        if info.st_size > MAX_EVENTS_BYTES:
            raise AnnotationFileError(path, f"is larger than {MAX_EVENTS_BYTES // 2**20} MB; "
                                            "not read as an events file")
        # The size stated, then on in small pieces (a file growing meanwhile): never a buffer of
        # the cap's size for a file of a few lines.
        chunks, total = [file.read(info.st_size + 1)], info.st_size + 1
        while chunks[-1] and total <= MAX_EVENTS_BYTES:
            chunks.append(file.read(2**20))
            total += 2**20
        data = b"".join(chunks)
    if len(data) > MAX_EVENTS_BYTES:
        raise AnnotationFileError(path, f"is larger than {MAX_EVENTS_BYTES // 2**20} MB; "
                                        "not read as an events file")
    return data


def load_annotations(path: Path) -> list[Annotation]:
    """The marks in ``path`` (none when it does not exist), sorted by onset."""
    data = read_events_bytes(path)
    return [] if data is None else parse_annotations(path, data)


def parse_annotations(path: Path, data: bytes) -> list[Annotation]:
    """The marks in an events file's bytes (``path`` names it in messages), sorted by onset."""
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark from a spreadsheet is no error
    except UnicodeDecodeError as err:
        raise AnnotationFileError(path, f"cannot read the marks (not UTF-8 text: {err.reason} "
                                        f"at byte {err.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        header = next(reader, [])
        if tuple(c.strip() for c in header[:3]) != COLUMNS:
            raise AnnotationFileError(path, "not an events file (the first line must be "
                                            "'onset<TAB>duration<TAB>trial_type')")
        return sorted((mark for row in reader if (mark := _mark(path, reader.line_num, row))),
                      key=lambda a: a.onset_s)
    except csv.Error as err:
        raise AnnotationFileError(path, f"line {reader.line_num}: not readable as tab-separated values "
                                        f"({err})") from None


def _mark(path: Path, number: int, row: list[str]) -> Annotation | None:
    if not row or not any(cell.strip() for cell in row):
        return None
    try:
        onset = float(row[0])
        duration = 0.0 if len(row) < 2 or row[1].strip() in ("", "n/a") else float(row[1])
    except ValueError:
        raise AnnotationFileError(path, f"line {number}: onset and duration must be seconds, "
                                        f"got {_shown(row[:2])}") from None
    if not (math.isfinite(onset) and math.isfinite(duration) and duration >= 0):
        raise AnnotationFileError(path, f"line {number}: onset and duration must be finite, "
                                        "duration not negative")
    return Annotation(onset, duration, row[2] if len(row) > 2 else "")


def _shown(cells: list[str]) -> str:
    """Cells for a message: a runaway cell is cut, so the message stays one readable line."""
    return repr([cell if len(cell) <= 40 else f"{cell[:37]}..." for cell in cells])


def annotations_tsv(marks: list[Annotation]) -> str:
    """The events file's text. Times are written exactly (shortest round-trip form), labels as
    typed, quoted (CSV style, ``"`` doubled) where they hold a tab, a line break or a quote."""
    lines = ["\t".join(COLUMNS)]
    for mark in sorted(marks, key=lambda a: a.onset_s):
        if not (math.isfinite(mark.onset_s) and math.isfinite(mark.duration_s) and mark.duration_s >= 0):
            raise ValueError(f"a mark needs a finite onset and a duration not negative, got {mark}")
        lines.append(f"{float(mark.onset_s)!r}\t{float(mark.duration_s)!r}\t{_quoted(mark.label)}")
    return "\n".join(lines) + "\n"


def _quoted(label: str) -> str:
    # By hand, not csv.writer: its QUOTE_MINIMAL leaves a lone carriage return unquoted when
    # lines end in "\n", and the reader would then take it for a line end.
    if any(c in label for c in '\t\n\r"'):
        return '"' + label.replace('"', '""') + '"'
    return label


def save_annotations(path: Path, marks: list[Annotation]) -> None:
    """Write ``marks`` as a BIDS-style events file, atomically."""
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
        """Add a mark (undoable)."""
        self._set([*self.marks, mark])

    def edit(self, index: int, label: str) -> None:
        """Relabel mark ``index`` (undoable)."""
        marks = list(self.marks)
        marks[index] = replace(marks[index], label=label)
        self._set(marks)

    def delete(self, index: int) -> None:
        """Delete mark ``index`` (undoable)."""
        self._set([m for i, m in enumerate(self.marks) if i != index])

    def take_merged(self, marks: list[Annotation]) -> None:
        """Hold ``marks`` (this viewer's, with another writer's merged in) with no undo across
        them: undoing past a merge would delete the other writer's marks on the next save."""
        self.marks = sorted(marks, key=lambda a: a.onset_s)
        self._undo.clear()
        self._redo.clear()

    def undo(self) -> bool:
        """Undo the last change; False when there is none."""
        if not self._undo:
            return False
        self._redo.append(self.marks)
        self.marks = self._undo.pop()
        self.changed(self.marks)
        return True

    def redo(self) -> bool:
        """Redo the last undone change; False when there is none."""
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
    sidecar = record_sidecar(record)
    data = read_events_bytes(sidecar)
    if data is not None:
        return parse_annotations(sidecar, data), "sidecar"
    marks = read_edf_marks(record)
    return marks, "EDF+" if marks else ""


def read_edf_marks(record) -> list[Annotation]:
    """An EDF+ record's own annotations as marks (none for other formats)."""
    if record.format != "EDF":
        return []
    from emgviewer.records.edf_reader import read_edf_annotations

    marks = [Annotation(onset, duration, text) for onset, duration, text in read_edf_annotations(record.source_path)]
    return sorted(marks, key=lambda a: a.onset_s)
