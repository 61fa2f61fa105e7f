"""The one table of record formats: the suffixes each is opened by, how its content is checked,
its reader, its header indexer, and how the open dialog and help name it.

Opening (:mod:`emgviewer.records.open`), the folder index (:mod:`emgviewer.records.index`), the
viewer's open dialog and ``emgviewer info --help`` are all generated from :data:`FORMATS`, so a
new reader is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from emgviewer.records.channels import Channel
from emgviewer.records.csv_reader import read_csv
from emgviewer.records.edf_reader import EDF_MAGIC, edf_metadata, open_edf, read_edf
from emgviewer.records.entry import RecordEntry
from emgviewer.records.errors import HeaderError, MissingFileError
from emgviewer.records.files import require_file, require_rate
from emgviewer.records.metadata import parse_comments
from emgviewer.records.record import Record
from emgviewer.records.wav_reader import RIFF_MAGIC, read_wav
from emgviewer.records.wfdb_header import comments_as_written
from emgviewer.records.wfdb_reader import header_path_of, read_header, read_wfdb

#: ``read(path, channel, fs_hz)``: one channel of the file, in µV.
Reader = Callable[[Path, Channel, "float | None"], Record]
#: ``index(path)``: the file's folder-index entry, from its header only.
Indexer = Callable[[Path], RecordEntry]


@dataclass(frozen=True)
class RecordFormat:
    """One record format: how it is read and indexed, its suffixes and its magic bytes."""

    name: str
    read: Reader
    index: Indexer
    #: How the open dialog names the format.
    label: str
    #: Every suffix a file of this format may have (read_record opens each).
    suffixes: tuple[str, ...]
    #: The suffixes the folder index and the open dialog list: one file per record (a WFDB
    #: record by its header, never again by its data file), and no suffix that is far more
    #: often a note than a recording (.txt).
    listed: tuple[str, ...]
    #: The bytes a file of this format starts with (``None``: no fixed signature), and what
    #: to say when a file named like one lacks them.
    magic: bytes | None = None
    magic_missing: str = ""


def _read_wfdb(path: Path, channel: Channel, fs_hz: float | None) -> Record:
    """A WFDB record by its header or by its data file (whose header must be beside it)."""
    if path.suffix.lower() == ".hea":
        return read_wfdb(path.with_suffix(""), channel)
    require_file(path, "data file")
    base = path.with_suffix("")
    if not header_path_of(base).exists():
        raise MissingFileError(header_path_of(base), f"header not found next to the data file {path.name}")
    return read_wfdb(base, channel)


def _index_wfdb(file: Path) -> RecordEntry:
    header = read_header(file.with_suffix(""))
    data_path = file.parent / header.file_name[0]
    require_file(data_path, "data file named in the header")
    return RecordEntry(name=header.record_name, path=data_path,
                       format="N2001" if data_path.suffix.lower() == ".bin" else "WFDB",
                       fs_hz=float(header.fs), n_samples=header.sig_len,
                       metadata=parse_comments(comments_as_written(header)))


def _index_edf(file: Path) -> RecordEntry:
    edf, signals = open_edf(file)
    if not signals:
        raise HeaderError(file, "the EDF file holds no signal channel")
    first = signals[0]
    return RecordEntry(name=file.stem, path=file, format="EDF", fs_hz=require_rate(file, first.sampling_frequency),
                       n_samples=round(first.sampling_frequency * edf.duration), metadata=edf_metadata(edf, first))


def _index_plain(file: Path) -> RecordEntry:
    """WAV and CSV: their rate and length are known only once the whole file is read."""
    require_file(file, "record file")
    return RecordEntry(name=file.stem, path=file, format=file.suffix.lstrip(".").upper())


FORMATS: tuple[RecordFormat, ...] = (
    RecordFormat("WFDB", _read_wfdb, _index_wfdb, "WFDB records: N2001, PhysioNet", (".hea", ".bin", ".dat"),
                 (".hea",)),
    RecordFormat("EDF", lambda path, channel, fs_hz: read_edf(path, channel), _index_edf, "EDF/EDF+",
                 (".edf", ".edf+", ".rec"), (".edf", ".edf+", ".rec"), EDF_MAGIC,
                 "its header does not start with '0       '"),
    RecordFormat("WAV", lambda path, channel, fs_hz: read_wav(path, channel), _index_plain, "WAV audio", (".wav",),
                 (".wav",), RIFF_MAGIC, "it has no RIFF header"),
    RecordFormat("CSV", lambda path, channel, fs_hz: read_csv(path, fs_hz), _index_plain, "CSV/TSV text",
                 (".csv", ".txt", ".tsv"), (".csv", ".tsv")),
)
#: WFDB is opened by its header or its data file, and read_record also takes its base path.
WFDB_FORMAT = FORMATS[0]
#: The format read_record tries for a text file with an unknown suffix whose content is numbers.
TEXT_FORMAT = FORMATS[-1]


def format_of(path: Path) -> RecordFormat | None:
    """The format a file's suffix names, or ``None`` (then its content decides)."""
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def listed_suffixes() -> tuple[str, ...]:
    """The suffixes the folder index and the open dialog list."""
    return tuple(s for f in FORMATS for s in f.listed)


def all_suffixes() -> tuple[str, ...]:
    """Every suffix a record file may have."""
    return tuple(s for f in FORMATS for s in f.suffixes)


def dialog_filter() -> str:
    """The open dialog's filter: every listed record, then each format, then any file."""
    def patterns(suffixes: tuple[str, ...]) -> str:
        return " ".join(f"*{s}" for s in suffixes)

    return ";;".join([f"Recordings ({patterns(listed_suffixes())})",
                      *(f"{f.label} ({patterns(f.listed)})" for f in FORMATS), "All files (*)"])


def help_text() -> str:
    """The suffixes by format, for command-line help: ".hea/.bin/.dat (WFDB), ..."."""
    return ", ".join(f"{'/'.join(f.suffixes)} ({f.name})" for f in FORMATS)


def unsupported_message() -> str:
    """What read_record says about a file no row recognises."""
    return f"not a recording format emgviewer reads ({help_text()})"

