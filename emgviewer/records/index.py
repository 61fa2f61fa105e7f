"""``index_folder``: find every recording under a folder, reading headers only.

Records are grouped group -> subject -> record. N2001 names give the group (ALS, control,
myopathy) and subject; other records go to the group "other", with their folder as subject.
A file that cannot be indexed does not stop the scan: it is listed in ``problems``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from emgviewer.records.entry import RecordEntry
from emgviewer.records.errors import HeaderError, NoRecordsError, RecordError, UnreadableFileError
from emgviewer.records.files import require_file, shorten
from emgviewer.records.formats import format_of, listed_suffixes
from emgviewer.records.open import PARSER_ERRORS

#: The events sidecar beside a record holds the reader's marks; it is never a record itself.
SIDECAR_SUFFIX = "_events.tsv"


@dataclass(frozen=True)
class FolderIndex:
    """A folder's records grouped by group and subject, and the files that could not be indexed."""

    root: Path
    #: group -> subject -> records, each level sorted by name.
    groups: dict[str, dict[str, list[RecordEntry]]]
    #: Files that look like records but could not be indexed, with the reason.
    problems: list[RecordError]

    @property
    def records(self) -> list[RecordEntry]:
        """Every record, in group, subject and name order."""
        return [r for subjects in self.groups.values() for rs in subjects.values() for r in rs]

    def counts(self) -> dict[str, dict[str, int]]:
        """group -> {"subjects": n, "records": n}."""
        return {
            group: {"subjects": len(subjects), "records": sum(len(r) for r in subjects.values())}
            for group, subjects in self.groups.items()
        }


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[RecordError]]:
    """Record files to process, folders expanded to their records, and one error per folder that
    could not be indexed or file in it that could not (the other paths still count). A record
    reached twice (the same folder given twice, a file and its folder) is processed once: it
    would otherwise count twice in the agreement."""
    targets: list[Path] = []
    problems: list[RecordError] = []
    for path in paths:
        if not Path(path).is_dir():
            targets.append(Path(path))
            continue
        try:
            index = index_folder(path)
        except RecordError as err:
            problems.append(err)
            continue
        problems += index.problems
        targets.extend(entry.path for entry in index.records)
    return _once(targets), problems


def _once(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    kept = []
    for path in paths:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: the reader says what is wrong with it
            key = path
        if key.suffix.lower() in (".hea", ".bin", ".dat"):  # a WFDB record by its header or its data
            key = key.with_suffix("")
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept


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
    listed = set(listed_suffixes())  # one file per record: WFDB by its header (records/formats.py)
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
            if suffix in listed:
                found.append(Path(item.path))
    return sorted(found), unreadable


def _entry(file: Path) -> RecordEntry:
    return format_of(file).index(file)


def _group(entries: list[RecordEntry]) -> dict[str, dict[str, list[RecordEntry]]]:
    groups: dict[str, dict[str, list[RecordEntry]]] = {}
    for entry in sorted(entries, key=lambda e: (e.group, e.subject, e.name)):
        groups.setdefault(entry.group, {}).setdefault(entry.subject, []).append(entry)
    return groups
