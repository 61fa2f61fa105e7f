"""One record's events file as a viewer holds it: what was read, and whether the file changed since.

Two viewers (two people, or one person with two windows) may mark the same record. Each save
first looks at the file: when it changed since this viewer read or wrote it, the other's marks
are merged with this viewer's changes (a three-way merge against what was read), never written
over. Qt-free, so the rule is tested without a window.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from emgviewer.atomic import atomic_write_text
from emgviewer.records.annotations import Annotation, annotations_tsv, parse_annotations, read_events_bytes


@dataclass(frozen=True)
class SaveOutcome:
    """What a save wrote: ``marks`` (this viewer's, with the other writer's merged in) and how
    many of the file's marks came from that other writer (0 when the file had not changed)."""

    marks: list[Annotation]
    merged_from_disk: int = 0


def merge_marks(base: list[Annotation], ours: list[Annotation], theirs: list[Annotation]) -> list[Annotation]:
    """Our changes since ``base`` applied to ``theirs``: marks we deleted go, marks we added
    come in (once, when the other writer added the very same mark too), everything else of
    theirs stays. A relabel is a delete and an add, so a mark both relabelled keeps both labels:
    nothing either person wrote is dropped."""
    base_count, our_count, their_count = Counter(base), Counter(ours), Counter(theirs)
    we_removed = base_count - our_count
    we_added = our_count - base_count
    they_added = their_count - base_count
    merged = (their_count - we_removed) + (we_added - they_added)
    return sorted(merged.elements(), key=lambda a: (a.onset_s, a.duration_s, a.label))


class MarksFile:
    """A record's events file, remembered as last read or written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base: list[Annotation] = []
        self._digest: str | None = None  # None: no file when last looked

    def read(self) -> list[Annotation] | None:
        """The file's marks (``None`` when there is no file), remembered as the merge base.
        Raises :class:`~emgviewer.records.annotations.AnnotationFileError` when unreadable."""
        data = read_events_bytes(self.path)
        self._digest = _digest(data)
        self.base = [] if data is None else parse_annotations(self.path, data)
        return None if data is None else list(self.base)

    def adopt(self, marks: list[Annotation]) -> None:
        """Take ``marks`` as the base without a file yet (imported from EDF+): a file that
        appears before the first save is someone else's and is merged."""
        self.base = list(marks)
        self._digest = None

    def save(self, marks: list[Annotation]) -> SaveOutcome:
        """Write ``marks``, merged with the file's when another writer changed it since it was
        read. Raises ``OSError`` when it cannot be written (nothing is then remembered), and
        ``AnnotationFileError`` when the changed file can no longer be read (nothing is written)."""
        data = read_events_bytes(self.path)
        merged_from_disk = 0
        if _digest(data) != self._digest:
            theirs = [] if data is None else parse_annotations(self.path, data)
            merged = merge_marks(self.base, marks, theirs)
            merged_from_disk = sum((Counter(merged) - Counter(marks)).values())
            marks = merged
        text = annotations_tsv(marks)
        atomic_write_text(self.path, text, overwrite=True)
        self.base = list(marks)
        self._digest = _digest(text.encode("utf-8"))
        return SaveOutcome(list(marks), merged_from_disk)


def _digest(data: bytes | None) -> str | None:
    # The content, not the time stamp: a file rewritten within the clock's resolution still differs.
    return None if data is None else hashlib.sha256(data).hexdigest()
