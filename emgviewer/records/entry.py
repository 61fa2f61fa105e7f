"""``RecordEntry``: one record as a folder index lists it, from its header alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from emgviewer.records.metadata import RecordMetadata
from emgviewer.records.n2001 import N2001Id, parse_n2001_name

OTHER_GROUP = "other"


@dataclass(frozen=True)
class RecordEntry:
    """A record found by :func:`index_folder`: what its header says, without its samples.

    ``fs_hz``, ``n_samples`` and ``duration_s`` are ``None`` where only reading the whole
    file would tell (WAV, CSV); EDF and WFDB headers give them.
    """

    name: str
    path: Path  # the file to pass to read_record
    format: str
    fs_hz: float | None = None
    n_samples: int | None = None
    metadata: RecordMetadata = field(default_factory=RecordMetadata)

    @property
    def n2001(self) -> N2001Id | None:
        """The N2001 name's parts, or ``None`` for another record."""
        return parse_n2001_name(self.name)

    @property
    def duration_s(self) -> float | None:
        """The record's length in seconds, where the header says it."""
        if self.fs_hz and self.n_samples is not None:
            return self.n_samples / self.fs_hz
        return None

    @property
    def group(self) -> str:
        """The browser's group: an N2001 class, else "other"."""
        ident = self.n2001
        return ident.group_class if ident else OTHER_GROUP

    @property
    def subject(self) -> str:
        """The browser's subject: an N2001 subject, else the record's folder."""
        ident = self.n2001
        return ident.subject_id if ident else self.path.parent.name

    @property
    def truth(self) -> str | None:
        """The ground truth, from the N2001 name or the header's diagnosis; ``None`` when neither says."""
        ident = self.n2001
        return ident.group_class if ident else self.metadata.truth_from_diagnosis()
