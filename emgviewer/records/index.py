"""``index_folder``: find every recording under a folder, reading headers only.

Records are grouped group -> subject -> record. N2001 names give the group (ALS, control,
myopathy) and subject; other records go to the group "other", with their folder as subject.
A file that cannot be indexed does not stop the scan: it is listed in ``problems``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from emgviewer.records.edf_reader import edf_metadata, open_edf
from emgviewer.records.errors import HeaderError, NoRecordsError, RecordError, UnreadableFileError
from emgviewer.records.files import require_file, require_rate, shorten
from emgviewer.records.metadata import RecordMetadata, parse_comments
from emgviewer.records.n2001 import N2001Id, parse_n2001_name
from emgviewer.records.open import PARSER_ERRORS, EDF_SUFFIXES, RECORD_SUFFIXES, WFDB_DATA_SUFFIXES
from emgviewer.records.wfdb_reader import read_header

OTHER_GROUP = "other"
# WFDB records are found by their headers. Plain ".txt" files are not listed: in a data folder
# they are far more often notes than recordings (read_record still opens them).
#: The events sidecar beside a record holds the reader's marks; it is never a record itself.
SIDECAR_SUFFIX = "_events.tsv"
_STANDALONE_SUFFIXES = tuple(
    s for s in RECORD_SUFFIXES if s not in (".hea", ".txt") and s not in WFDB_DATA_SUFFIXES
)


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
        return parse_n2001_name(self.name)

    @property
    def duration_s(self) -> float | None:
        if self.fs_hz and self.n_samples is not None:
            return self.n_samples / self.fs_hz
        return None

    @property
    def group(self) -> str:
        ident = self.n2001
        return ident.group_class if ident else OTHER_GROUP

    @property
    def subject(self) -> str:
        ident = self.n2001
        return ident.subject_id if ident else self.path.parent.name

    @property
    def truth(self) -> str | None:
        ident = self.n2001
        return ident.group_class if ident else self.metadata.truth_from_diagnosis()


@dataclass(frozen=True)
class FolderIndex:
    root: Path
    #: group -> subject -> records, each level sorted by name.
    groups: dict[str, dict[str, list[RecordEntry]]]
    #: Files that look like records but could not be indexed, with the reason.
    problems: list[RecordError]

    @property
    def records(self) -> list[RecordEntry]:
        return [r for subjects in self.groups.values() for rs in subjects.values() for r in rs]

    def counts(self) -> dict[str, dict[str, int]]:
        """group -> {"subjects": n, "records": n}."""
        return {
            group: {"subjects": len(subjects), "records": sum(len(r) for r in subjects.values())}
            for group, subjects in self.groups.items()
        }


def index_folder(path: str | Path) -> FolderIndex:
    """Index every record under ``path`` (recursively); raises :class:`NoRecordsError` if none."""
    root = Path(path)
    if not root.is_dir():
        require_file(root, "folder")  # names a missing path clearly
        raise UnreadableFileError(root, "is a file, not a folder")
    entries: list[RecordEntry] = []
    problems: list[RecordError] = []
    files, unreadable = _record_files(root)
    problems += unreadable
    for file in files:
        try:
            entries.append(_entry(file))
        except RecordError as err:
            problems.append(err)
        except (OSError, *PARSER_ERRORS) as err:  # one strange file is a problem, not the end
            problems.append(HeaderError(file, f"could not be read ({type(err).__name__}: {shorten(str(err))})"))
    if not entries:
        detail = f" ({len(problems)} file(s) could not be read: {problems[0]})" if problems else ""
        raise NoRecordsError(root, f"no recordings found in this folder{detail}")
    return FolderIndex(root=root, groups=_group(entries), problems=problems)


def _record_files(root: Path) -> tuple[list[Path], list[RecordError]]:
    """Header files of WFDB records and standalone record files, in sorted order, and the
    sub-folders that could not be listed (said, not skipped silently)."""
    found: list[Path] = []
    unreadable: list[RecordError] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                items = list(listing)
        except OSError as err:
            unreadable.append(UnreadableFileError(folder, f"folder cannot be listed: {err.strerror}"))
            continue
        for item in items:
            if item.is_dir(follow_symlinks=False):
                if not item.name.startswith("."):
                    stack.append(Path(item.path))
                continue
            suffix = os.path.splitext(item.name)[1].lower()
            if item.name.endswith(SIDECAR_SUFFIX):
                continue  # a record's marks (records/annotations.py), not a recording
            if suffix == ".hea" or suffix in _STANDALONE_SUFFIXES:
                found.append(Path(item.path))
    return sorted(found), unreadable


def _entry(file: Path) -> RecordEntry:
    suffix = file.suffix.lower()
    if suffix == ".hea":
        header = read_header(file.with_suffix(""))
        data_path = file.parent / header.file_name[0]
        require_file(data_path, "data file named in the header")
        return RecordEntry(
            name=header.record_name,
            path=data_path,
            format="N2001" if data_path.suffix.lower() == ".bin" else "WFDB",
            fs_hz=float(header.fs),
            n_samples=header.sig_len,
            metadata=parse_comments(header.comments),
        )
    if suffix in EDF_SUFFIXES:
        edf, signals = open_edf(file)
        if not signals:
            raise HeaderError(file, "the EDF file holds no signal channel")
        first = signals[0]
        return RecordEntry(name=file.stem, path=file, format="EDF",
                           fs_hz=require_rate(file, first.sampling_frequency),
                           n_samples=round(first.sampling_frequency * edf.duration),
                           metadata=edf_metadata(edf, first))
    require_file(file, "record file")
    return RecordEntry(name=file.stem, path=file, format=suffix.lstrip(".").upper())


def _group(entries: list[RecordEntry]) -> dict[str, dict[str, list[RecordEntry]]]:
    groups: dict[str, dict[str, list[RecordEntry]]] = {}
    for entry in sorted(entries, key=lambda e: (e.group, e.subject, e.name)):
        groups.setdefault(entry.group, {}).setdefault(entry.subject, []).append(entry)
    return groups
